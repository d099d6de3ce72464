"""Requests per place, matter and week (G1, G5): what the weekly warning judges.

A grouped query reads the tickets received in the weeks asked for (through the index on
``received_at``) and counts, per located unit, category and week, the requests and their
different requesters (a request without a known requester counts as one of its own). Only
the pairs that may warn are read (:func:`candidates`, found from the week judged alone): a
city's nine weeks hold hundreds of thousands of place-and-matter pairs with a request or
two, and bringing them all into Python took seconds. :func:`level_counts` gives the totals
of each level that places are compared with for a persistent problem. Weeks are local
weeks, Monday to Monday in the city's time zone, compared as instants on both databases.

The counts are rolled up the city's tree: a community's requests are also its street's,
and a request located only at a street is the street's alone. A street's requesters are the
sum of its communities' — a person calling about two communities of one street counts
twice, which is rare and errs towards warning.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, select, union_all
from sqlalchemy.orm import Session

from jiesu.city.config import CityConfig
from jiesu.city.units import UnitKind
from jiesu.domain.hotspots import Week
from jiesu.storage import tables

t = tables.tickets.c
PLACE_KINDS = (UnitKind.COMMUNITY, UnitKind.STREET)
Key = tuple[str, str]  # (place code, category)


def week_start(city: CityConfig, monday: date) -> datetime:
    """The instant a local week begins (Monday 00:00 in the city's zone)."""
    return datetime.combine(monday, time(), tzinfo=city.tz)


@dataclass
class Counts:
    """Per (place code, category): one :class:`Week` per week asked for, oldest first."""

    mondays: list[date]
    weeks: dict[Key, list[Week]]

    def series(self, place: str, category: str) -> list[Week]:
        return self.weeks.get((place, category)) or [Week(0, 0)] * len(self.mondays)


def first_received(session: Session) -> datetime | None:
    return session.execute(select(func.min(t.received_at))).scalar_one_or_none()


def _weeks(city: CityConfig, mondays: list[date]):
    """The weeks' bounds (UTC instants, one more than weeks) and each ticket's week index."""
    bounds = [week_start(city, m) for m in mondays] + [week_start(city, mondays[-1] + timedelta(7))]
    return bounds, case(*((t.received_at < b, i) for i, b in enumerate(bounds[1:])))


def candidates(session: Session, city: CityConfig, monday: date, min_count: int) -> set[Key]:
    """The (place, category) pairs with at least ``min_count`` requests in the week starting
    ``monday``, communities and streets alike: the only ones that may warn, so that only
    their history is read (a city's week has far more pairs with a request or two)."""
    u = tables.units.c
    in_week = (
        t.received_at >= week_start(city, monday),
        t.received_at < week_start(city, monday + timedelta(days=7)),
        t.location_unit_code.is_not(None),
    )
    own = select(t.location_unit_code.label("place"), t.category).where(*in_week)
    street = (
        select(u.parent_code.label("place"), t.category)
        .join_from(tables.tickets, tables.units, u.code == t.location_unit_code)
        .where(*in_week, u.kind == UnitKind.COMMUNITY.value)
    )
    both = union_all(own, street).subquery()
    rows = session.execute(
        select(both.c.place, both.c.category)
        .group_by(both.c.place, both.c.category)
        .having(func.count() >= min_count)
    )
    units = city.units_by_code
    return {(p, c) for p, c in rows if p in units and units[p].kind in PLACE_KINDS}


def count_weeks(
    session: Session, city: CityConfig, mondays: list[date], only: set[Key] | None = None
) -> Counts:
    """The requests of each community and street, per category, in each week of ``mondays``
    (consecutive, oldest first); only of the pairs ``only`` when given."""
    bounds, week = _weeks(city, mondays)
    query = (
        select(
            t.location_unit_code,
            t.category,
            week,
            func.count(),
            func.count(t.requester_id.distinct()),
            func.sum(case((t.requester_id.is_(None), 1), else_=0)),
        )
        .where(
            t.received_at >= bounds[0],
            t.received_at < bounds[-1],
            t.location_unit_code.is_not(None),
        )
        .group_by(t.location_unit_code, t.category, week)
    )
    if only is not None:
        if not only:
            return Counts(list(mondays), {})
        places = {p for p, _ in only}
        places |= {u.code for u in city.units if u.parent in places and u.kind in PLACE_KINDS}
        query = query.where(
            t.location_unit_code.in_(sorted(places)), t.category.in_(sorted({c for _, c in only}))
        )
    sums: dict[Key, list[list[int]]] = defaultdict(lambda: [[0, 0] for _ in mondays])
    units = city.units_by_code
    for code, category, i, n, known, anonymous in session.execute(query):
        unit = units.get(code)
        if unit is None or unit.kind not in PLACE_KINDS:
            continue
        places = [code]
        if unit.kind is UnitKind.COMMUNITY and unit.parent:
            places.append(unit.parent)
        for place in places:
            if only is None or (place, category) in only:
                cell = sums[(place, category)][i]
                cell[0] += n
                cell[1] += known + (anonymous or 0)
    return Counts(
        list(mondays), {key: [Week(n, r) for n, r in cells] for key, cells in sums.items()}
    )


def residents(city: CityConfig, kind: UnitKind) -> int:
    """The residents of all places of ``kind`` whose population the city file gives."""
    return sum(u.population or 0 for u in city.units if u.kind is kind)


def level_counts(
    session: Session, city: CityConfig, mondays: list[date], categories: set[str]
) -> dict[tuple[UnitKind, str], list[int]]:
    """The requests on each of ``categories``, week by week, at each level: at the
    communities, the requests located at a community; at the streets, those located at a
    street or a community. Less a place's own and over the other places' residents, it is
    what places like it had (the persistent warning's reference)."""
    if not categories:
        return {}
    u = tables.units.c
    bounds, week = _weeks(city, mondays)
    rows = session.execute(
        select(t.category, week, u.kind, func.count())
        .join_from(tables.tickets, tables.units, u.code == t.location_unit_code)
        .where(
            t.received_at >= bounds[0],
            t.received_at < bounds[-1],
            u.kind.in_([k.value for k in PLACE_KINDS]),
            t.category.in_(sorted(categories)),
        )
        .group_by(t.category, week, u.kind)
    )
    counts = {(k, c): [0] * len(mondays) for k in PLACE_KINDS for c in categories}
    for category, i, kind, n in rows:
        counts[(UnitKind(kind), category)][i] += n
        if kind == UnitKind.COMMUNITY:
            counts[(UnitKind.STREET, category)][i] += n
    return counts


def like_places(
    place, weeks: list[Week], total: list[int] | None, residents_of_kind: int
) -> list[float]:
    """What places like ``place`` had, week by week: the requests of the other places of
    its level per resident, times its residents; empty without populations."""
    rest = residents_of_kind - (place.population or 0)
    if not total or not place.population or rest <= 0:
        return []
    return [(n - w.count) / rest * place.population for n, w in zip(total, weeks, strict=True)]
