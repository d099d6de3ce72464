"""Comprehensive analysis (综合分析, G1; BJ Art. 24, 25 (1)): a month's hot matters, hot areas
and frequent requesters, against the month before.

- **Hot matters** (热点诉求): the categories with the most requests, each with the month
  before and how many different people asked.
- **Hot areas** (热点区域): the streets and townships with the most requests (their own and
  their communities'), each with its commonest matter.
- **Frequent requesters** (高频诉求人, hotline staff only, S1): whoever made at least the
  threshold of the city's longest ``frequent_requester_windows`` (by default 10 in 30 days)
  in the month, with their commonest matter: persuasion (I8) or a problem nobody has solved.

Every request received counts, whatever became of it. Hotline staff see the whole city; a
district government its own territory; a street its own and its communities'; a community
its own; departments and utilities have no territory and see nothing here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from jiesu.access import mask_phone
from jiesu.assessment.rankings import Period
from jiesu.city.config import CityConfig
from jiesu.city.units import Unit, UnitKind
from jiesu.context import Context
from jiesu.domain.roles import HOTLINE_ROLES, Actor
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

TOP = 20
t = tables.tickets.c
u = tables.units.c


@dataclass(frozen=True)
class Matter:
    category: str
    count: int
    previous: int
    requesters: int


@dataclass(frozen=True)
class Area:
    street: Unit
    count: int
    previous: int
    top_category: str
    top_count: int


@dataclass(frozen=True)
class Frequent:
    requester_id: int
    name: str  # masked
    phone: str  # masked
    count: int
    categories: int
    top_category: str
    last_at: datetime


@dataclass(frozen=True)
class Analysis:
    period: Period
    previous: Period
    matters: list[Matter]
    areas: list[Area]
    frequent: list[Frequent] | None  # None: not the caller's to see
    threshold: int
    scope: Unit | None  # None: the whole city


def territory(city: CityConfig, actor: Actor) -> tuple[Unit | None, set[str] | None]:
    """The unit whose territory the actor sees and its places' codes; (None, None) for the
    whole city; (unit, empty set) for a unit with no territory."""
    if actor.role in HOTLINE_ROLES:
        return None, None
    unit = city.unit(actor.unit_code)
    if unit is None or unit.kind not in (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY):
        return unit, set()
    places = (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY)
    return unit, {v.code for v in city.unit_and_below(unit.code) if v.kind in places}


def _in(period: Period):
    return case(((t.received_at >= period.start) & (t.received_at < period.end), 1), else_=0)


def _matters(s: Session, where, period: Period, previous: Period) -> list[Matter]:
    now, before = func.sum(_in(period)), func.sum(_in(previous))
    asked = func.count(case((t.received_at >= period.start, t.requester_id)).distinct())
    rows = s.execute(
        select(t.category, now, before, asked)
        .where(*where)
        .group_by(t.category)
        .order_by(now.desc(), t.category)
        .limit(TOP)
    )
    return [Matter(c, int(n or 0), int(p or 0), int(r or 0)) for c, n, p, r in rows if n]


def _areas(s: Session, city: CityConfig, where, period: Period, previous: Period) -> list[Area]:
    street = case((u.kind == UnitKind.COMMUNITY.value, u.parent_code), else_=u.code)
    rows = s.execute(
        select(street, t.category, func.sum(_in(period)), func.sum(_in(previous)))
        .join_from(tables.tickets, tables.units, u.code == t.location_unit_code)
        .where(*where, u.kind.in_([UnitKind.STREET.value, UnitKind.COMMUNITY.value]))
        .group_by(street, t.category)
    )
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    top: dict[str, tuple[int, str]] = {}
    for code, category, n, p in rows:
        n, p = int(n or 0), int(p or 0)
        totals[code][0] += n
        totals[code][1] += p
        if n and (n, category) > top.get(code, (0, "")):
            top[code] = (n, category)
    ranked = sorted((v[0], code) for code, v in totals.items() if v[0] and city.unit(code))
    return [
        Area(city.units_by_code[code], n, totals[code][1], top[code][1], top[code][0])
        for n, code in sorted(ranked, key=lambda x: (-x[0], x[1]))[:TOP]
    ]


def _frequent(s: Session, period: Period, threshold: int) -> list[Frequent]:
    in_period = (t.received_at >= period.start, t.received_at < period.end)
    n = func.count()
    rows = s.execute(
        select(t.requester_id, n, func.count(t.category.distinct()), func.max(t.received_at))
        .where(*in_period, t.requester_id.is_not(None))
        .group_by(t.requester_id)
        .having(n >= threshold)
        .order_by(n.desc(), t.requester_id)
        .limit(TOP)
    ).all()
    r = tables.requesters.c
    people = {
        row.id: row
        for row in s.execute(select(r.id, r.name, r.phone).where(r.id.in_([x[0] for x in rows])))
    }
    commonest = {}
    for rid, category, _ in s.execute(
        select(t.requester_id, t.category, func.count())
        .where(*in_period, t.requester_id.in_([x[0] for x in rows]))
        .group_by(t.requester_id, t.category)
        .order_by(t.requester_id, func.count().desc(), t.category)
    ):
        commonest.setdefault(rid, category)
    return [
        Frequent(
            rid,
            (people[rid].name or "")[:1] + "**",
            mask_phone(people[rid].phone or ""),
            count,
            kinds,
            commonest.get(rid, ""),
            last,
        )  # fmt: skip
        for rid, count, kinds, last in rows
        if rid in people
    ]


def analyse(ctx: Context, actor: Actor, period: Period) -> Analysis:
    city = ctx.city
    previous = period.previous(city.tz)
    scope, places = territory(city, actor)
    windows = city.intake_policy.frequent_requester_windows
    threshold = max(windows, key=lambda w: w.days).threshold if windows else 10
    if places is not None and not places:
        return Analysis(period, previous, [], [], None, threshold, scope)
    where = [t.received_at >= previous.start, t.received_at < period.end]
    if places is not None:
        where.append(t.location_unit_code.in_(sorted(places)))
    with UnitOfWork(ctx.engine, write=False) as uow:
        s = uow.session
        matters = _matters(s, where, period, previous)
        areas = _areas(s, city, where, period, previous)
        frequent = _frequent(s, period, threshold) if places is None else None
    return Analysis(period, previous, matters, areas, frequent, threshold, scope)
