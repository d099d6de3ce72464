"""Requests per place, matter and week (G1, G5): what the weekly warning judges.

One grouped query reads the tickets received in the weeks asked for (through the index on
``received_at``) and counts, per located unit, category and week, the requests and their
different requesters (a request without a known requester counts as one of its own). The
weeks are local weeks, Monday to Monday in the city's time zone, bounded in UTC so that
both databases compare plain instants.

The counts are then rolled up the city's tree: a community's requests are also its
street's, and a request located only at a street is the street's alone. A street's
requesters are the sum of its communities' — a person calling about two communities of
one street counts twice, which is rare and errs towards warning.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from jiesu.city.config import CityConfig
from jiesu.city.units import UnitKind
from jiesu.domain.hotspots import Week
from jiesu.storage import tables

t = tables.tickets.c
PLACE_KINDS = (UnitKind.COMMUNITY, UnitKind.STREET)


def week_start(city: CityConfig, monday: date) -> datetime:
    """The instant a local week begins (Monday 00:00 in the city's zone)."""
    return datetime.combine(monday, time(), tzinfo=city.tz)


@dataclass
class Counts:
    """Per (place code, category): one :class:`Week` per week asked for, oldest first."""

    mondays: list[date]
    weeks: dict[tuple[str, str], list[Week]]

    def series(self, place: str, category: str) -> list[Week]:
        return self.weeks.get((place, category)) or [Week(0, 0)] * len(self.mondays)


def first_received(session: Session) -> datetime | None:
    return session.execute(select(func.min(t.received_at))).scalar_one_or_none()


def count_weeks(session: Session, city: CityConfig, mondays: list[date]) -> Counts:
    """The requests of each community and street, per category, in each week of ``mondays``
    (consecutive, oldest first)."""
    bounds = [week_start(city, m) for m in mondays] + [week_start(city, mondays[-1] + timedelta(7))]
    week = case(*((t.received_at < b, i) for i, b in enumerate(bounds[1:])))
    rows = session.execute(
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
    sums: dict[tuple[str, str], list[list[int]]] = defaultdict(lambda: [[0, 0] for _ in mondays])
    units = city.units_by_code
    for code, category, i, n, known, anonymous in rows:
        unit = units.get(code)
        if unit is None or unit.kind not in PLACE_KINDS:
            continue
        places = [code]
        if unit.kind is UnitKind.COMMUNITY and unit.parent:
            places.append(unit.parent)
        for place in places:
            cell = sums[(place, category)][i]
            cell[0] += n
            cell[1] += known + (anonymous or 0)
    return Counts(
        list(mondays), {key: [Week(n, r) for n, r in cells] for key, cells in sums.items()}
    )
