"""The month-ahead outlook of seasonal and periodic problems (季节性、周期性问题预判, G3;
BJ Art. 25 (2)): the matters that rose into the coming month in past years and are expected
to rise again, so that the units concerned prepare (制定工作预案) before the calls come.

The rules are pure (:mod:`jiesu.domain.seasons`); this module counts, per category, the
months they read in one grouped query: the last three full months, the same three a year
before, the coming month a year and two years before and the three months before each.
Scope follows territory as for the month's analysis (hotline staff the city; a district,
street or community its own; departments and utilities nothing). History younger than a
year predicts nothing, and says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select

from jiesu.assessment.rankings import month
from jiesu.assessment.trends import last_full_month, shift_month
from jiesu.city.units import Unit
from jiesu.context import Context
from jiesu.domain.roles import Actor
from jiesu.domain.seasons import Outlook, SeasonRule, outlook
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

from .analysis import territory
from .weekly import first_received

t = tables.tickets.c
TOP = 30


@dataclass(frozen=True)
class Expected:
    category: str
    outlook: Outlook


@dataclass(frozen=True)
class Seasonal:
    month: str  # the month ahead
    recent: list[str]  # the last three full months
    known: bool  # the history reaches the month a year before and the months before it
    items: list[Expected]
    scope: Unit | None


def seasonal(
    ctx: Context, actor: Actor, target: str | None = None, latest: str | None = None
) -> Seasonal:
    """The outlook for ``target`` (by default the month after the current one), from the
    three months up to ``latest`` (by default the last full month; a work report of an
    earlier month passes its own)."""
    tz = ctx.city.tz
    latest = latest or last_full_month(ctx)
    target = target or shift_month(latest, 2)
    recent = [shift_month(latest, k) for k in (-2, -1, 0)]
    wanted = {
        "recent": recent,
        "recent_before": [shift_month(m, -12) for m in recent],
        "last": [shift_month(target, -12)],
        "last_before": [shift_month(target, k) for k in (-15, -14, -13)],
        "two": [shift_month(target, -24)],
        "two_before": [shift_month(target, k) for k in (-27, -26, -25)],
    }
    labels = sorted({m for ms in wanted.values() for m in ms})
    periods = {label: month(label, tz) for label in labels}
    scope, places = territory(ctx.city, actor)
    if places is not None and not places:
        return Seasonal(target, recent, False, [], scope)
    bucket = case(*((t.received_at < periods[m].end, m) for m in labels))
    where = [or_(*((t.received_at >= p.start) & (t.received_at < p.end) for p in periods.values()))]
    if places is not None:
        where.append(t.location_unit_code.in_(sorted(places)))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with UnitOfWork(ctx.engine, write=False) as uow:
        s = uow.session
        first = first_received(s)
        for category, label, n in s.execute(
            select(t.category, bucket, func.count()).where(*where).group_by(t.category, bucket)
        ):
            counts[category][label] = int(n)
    known = first is not None and first <= periods[wanted["last_before"][0]].start
    if not known:
        return Seasonal(target, recent, False, [], scope)
    two_known = first <= periods[wanted["two_before"][0]].start
    rule = SeasonRule()
    found = []
    for category, by in counts.items():
        c = {key: [by.get(m, 0) for m in ms] for key, ms in wanted.items()}
        two = (c["two"][0], c["two_before"]) if two_known else None
        o = outlook(c["last"][0], c["last_before"], c["recent"], c["recent_before"], two, rule)
        if o is not None:
            found.append(Expected(category, o))
    found.sort(key=lambda e: (-(e.outlook.expected - e.outlook.recent), e.category))
    return Seasonal(target, recent, True, found[:TOP], scope)
