"""Requests per place, matter and week (G1, G5): what the weekly warning judges.

:func:`judged_weeks` reads, in one statement, the tickets received in the weeks asked for
(through the index on ``received_at``), counts per place, category and week the requests
and their different requesters (a request without a known requester counts as one of its
own), and returns only the pairs that may warn — those with at least ``min_count`` in the
week judged — with each level's totals that places are compared with for a persistent
problem. A city's nine weeks hold over a million place-and-matter-and-week groups, and
bringing them all into Python took longer than the database took to count them.
:func:`count_weeks` counts chosen pairs (the next week's count on the warning page).

Places are communities and streets: a community's requests are also its street's, and a
request located only at a street is the street's alone. Weeks are local weeks, Monday to
Monday in the city's time zone, compared as instants on both databases.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from jiesu.city.config import CityConfig
from jiesu.city.units import UnitKind
from jiesu.domain.hotspots import Week
from jiesu.storage import tables
from jiesu.storage.db import for_large_reads

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


def located_at(city: CityConfig, place: str) -> list[str]:
    """The location codes whose requests are ``place``'s: a community's own; a street's own
    and its communities' (a request located at a community is also its street's). What
    :func:`count_weeks` and :func:`judged_weeks` count for a place, and what the tickets
    behind a warning are read from (``governance.warning_tickets``)."""
    unit = city.unit(place)
    if unit is None or unit.kind is not UnitKind.STREET:
        return [place]
    return [place] + [u.code for u in city.children.get(place, ()) if u.kind is UnitKind.COMMUNITY]


def first_received(session: Session) -> datetime | None:
    return session.execute(select(func.min(t.received_at))).scalar_one_or_none()


def _weeks(city: CityConfig, mondays: list[date]):
    """The weeks' bounds (UTC instants, one more than weeks) and each ticket's week index."""
    bounds = [week_start(city, m) for m in mondays] + [week_start(city, mondays[-1] + timedelta(7))]
    return bounds, case(*((t.received_at < b, i) for i, b in enumerate(bounds[1:])))


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
        places = {code for p, _ in only for code in located_at(city, p)}
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


def judged_weeks(
    session: Session, city: CityConfig, mondays: list[date], min_count: int
) -> tuple[Counts, dict[tuple[UnitKind, str], list[int]]]:
    """What the weekly warning judges, in one statement: the weeks of the (place, category)
    pairs with at least ``min_count`` requests in the last week of ``mondays`` (the only
    ones that may warn), and each level's totals week by week for their categories — at
    the communities, the requests located at a community; at the streets, those located at
    a street or a community. A street's requesters are counted as different people across
    its communities."""
    for_large_reads(session)
    bounds, week = _weeks(city, mondays)
    u = tables.units.c
    in_range = (
        t.received_at >= bounds[0],
        t.received_at < bounds[-1],
        t.location_unit_code.is_not(None),
    )
    cols = (t.category.label("category"), week.label("week"), t.requester_id.label("rid"))
    own = select(t.location_unit_code.label("place"), *cols).where(*in_range)
    up = (
        select(u.parent_code.label("place"), *cols)
        .join_from(tables.tickets, tables.units, u.code == t.location_unit_code)
        .where(*in_range, u.kind == UnitKind.COMMUNITY.value)
    )
    x = union_all(own, up).cte("x")
    anonymous = func.sum(case((x.c.rid.is_(None), 1), else_=0))
    g = (
        select(
            x.c.place,
            x.c.category,
            x.c.week,
            func.count().label("n"),
            (func.count(x.c.rid.distinct()) + anonymous).label("r"),
        )  # fmt: skip
        .group_by(x.c.place, x.c.category, x.c.week)
        .cte("g")
    )
    c = select(g.c.place, g.c.category).where(g.c.week == len(mondays) - 1, g.c.n >= min_count)
    c = c.cte("c")
    pairs = select(literal("p"), g.c.place, g.c.category, g.c.week, g.c.n, g.c.r).join_from(
        g, c, and_(g.c.place == c.c.place, g.c.category == c.c.category)
    )
    level = tables.units.alias("level")
    levels = (
        select(literal("k"), level.c.kind, g.c.category, g.c.week, func.sum(g.c.n), literal(0))
        .join_from(g, level, level.c.code == g.c.place)
        .where(g.c.category.in_(select(c.c.category)))
        .group_by(level.c.kind, g.c.category, g.c.week)
    )
    series: dict[Key, list[Week]] = {}
    totals: dict[tuple[UnitKind, str], list[int]] = {}
    units, n_weeks = city.units_by_code, len(mondays)
    for what, place, category, i, n, r in session.execute(union_all(pairs, levels)):
        if what == "p":
            unit = units.get(place)
            if unit is not None and unit.kind in PLACE_KINDS:
                series.setdefault((place, category), [Week(0, 0)] * n_weeks)[i] = Week(
                    int(n), int(r)
                )
        elif place in PLACE_KINDS:
            totals.setdefault((UnitKind(place), category), [0] * n_weeks)[i] = int(n)
    return Counts(list(mondays), series), totals


def like_places(
    place, weeks: list[Week], total: list[int] | None, residents_of_kind: int
) -> list[float]:
    """What places like ``place`` had, week by week: the requests of the other places of
    its level per resident, times its residents; empty without populations."""
    rest = residents_of_kind - (place.population or 0)
    if not total or not place.population or rest <= 0:
        return []
    return [(n - w.count) / rest * place.population for n, w in zip(total, weeks, strict=True)]
