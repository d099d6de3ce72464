"""A monthly topic's figures (G2): which requests it is about, how many came before it was
launched (its baseline, fixed at launch), in each month since, and where they come from.

A request is on the topic when its category is one of the topic's (or under one), when it
mentions one of the keywords in its title or text (if the topic has any), and when it lies
in the topic's territory (if it has one). Every request received counts, whatever became
of it, as for the weekly warning. Months are the city's local months; rates are per day, so
that months of different lengths and a history that starts mid-month compare fairly.

Once a month after the launch month has ended, the worker records it (:func:`record_due`,
``topic_months``) and tells the lead unit; the topic's fall is judged on those records
(:func:`progress`), not on live counts that a later reclassification could move. The detail
page also shows the live series (:func:`series`) including the current month so far.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, insert, not_, or_, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiesu.assessment.rankings import month, rule_sets
from jiesu.assessment.trends import shift_month
from jiesu.city.catalogue import under
from jiesu.city.config import CityConfig
from jiesu.city.units import Unit, UnitKind
from jiesu.context import Context
from jiesu.domain.assessment import UnitCounts, rates
from jiesu.domain.topics import Progress, Span, TopicState, TrackingRule, judge_progress
from jiesu.storage import tables
from jiesu.storage.db import for_large_reads
from jiesu.storage.facts import total
from jiesu.storage.repository import queue_message
from jiesu.storage.uow import UnitOfWork

from .weekly import first_received

t = tables.tickets.c
TM = tables.topic_months.c
DAY = timedelta(days=1)
TOP_PLACES = 10


def rule_of(row) -> TrackingRule:
    return TrackingRule(row.baseline_days, row.target_drop, row.sustained_months)


def _narrowing(city: CityConfig, row) -> list:
    """The topic's keywords (any, in the title or text) and territory, if it has them."""
    conds = []
    if row.keywords:
        conds.append(or_(*(or_(t.title.contains(k, autoescape=True),
                               t.content.contains(k, autoescape=True)) for k in row.keywords)))  # fmt: skip
    if row.scope_code:
        conds.append(
            t.location_unit_code.in_([u.code for u in city.unit_and_below(row.scope_code)])
        )
    return conds


def _in_category(c: str, dialect: str):
    """On the category ``c`` or under it (the category itself, or its code and "/" before
    anything more, as :func:`jiesu.domain.topics.concerns` says), in words an index on
    ``(category, received_at)`` reads as one range: the codes from ``c`` up to ``c + "0"``
    byte by byte ("0" follows "/"), but none after ``c`` and before ``c + "/"`` (such as
    ``c + "-x"``). An index of pattern operators on PostgreSQL, which compare bytes whatever
    the database's collation; SQLite compares bytes. Not ``category = c OR category LIKE
    'c/%'``: PostgreSQL then reads two ranges and the tickets themselves."""
    if dialect == "postgresql":
        ge, gt, lt = ("~>=~", "~>~", "~<~")
        op = {k: t.category.op(k, is_comparison=True) for k in (ge, gt, lt)}
        return and_(op[ge](c), op[lt](c + "0"), not_(and_(op[gt](c), op[lt](c + "/"))))
    return and_(t.category >= c, t.category < c + "0", not_(and_(t.category > c,
                                                                t.category < c + "/")))  # fmt: skip


def topic_rows(s: Session, city: CityConfig, row, columns: list, *conds):
    """The tickets on the topic ``row`` that meet ``conds``, as a subquery of ``columns``
    (ticket columns, named as in the table): the topic's requests read as one SELECT per
    category joined by UNION ALL, so that each is one range of the index (an OR of
    categories would read the tickets themselves). No category is under another (a request
    under two counts once), so no request is counted twice."""
    dialect = s.get_bind().dialect.name
    narrowing = _narrowing(city, row)
    cats = sorted(set(row.categories))
    roots = [c for c in cats if not any(o != c and under(c, o) for o in cats)]
    parts = [select(*columns).where(_in_category(c, dialect), *narrowing, *conds)
             for c in roots]  # fmt: skip
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()


@dataclass(frozen=True)
class Counts:
    requests: int = 0
    evaluated: int = 0
    solved: int = 0
    satisfied: int = 0
    basically: int = 0


def _counted(s: Session, city: CityConfig, row, bounds: list[datetime]) -> list[Counts]:
    """The topic's counts in each span between consecutive ``bounds`` (UTC instants)."""
    if len(bounds) < 2:
        return []
    for_large_reads(s)
    r = topic_rows(s, city, row, [t.received_at, t.satisfaction, t.visit_solved],
                   t.received_at >= bounds[0], t.received_at < bounds[-1]).c  # fmt: skip
    bucket = case(*((r.received_at < b, i) for i, b in enumerate(bounds[1:])))
    evaluated = r.satisfaction.is_not(None)
    rows = s.execute(
        select(bucket, func.count(), total(evaluated), total(and_(evaluated, r.visit_solved)),
               total(r.satisfaction == "satisfied"), total(r.satisfaction == "basically_satisfied"))
        .group_by(bucket)
    )  # fmt: skip
    out = [Counts()] * (len(bounds) - 1)
    for i, *counts in rows:
        out[i] = Counts(*(int(n or 0) for n in counts))
    return out


def _days(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds(), 0.0) / 86400


def baseline(s: Session, city: CityConfig, row, now: datetime) -> Span:
    """The requests on the topic over the ``baseline_days`` before ``now`` (its launch), or
    since the first request ever received when the history is younger."""
    start = now - row.baseline_days * DAY
    first = first_received(s)
    start = max(start, first) if first else now
    (counts,) = _counted(s, city, row, [start, now]) or [Counts()]
    return Span("baseline", counts.requests, _days(start, now))


def month_label(moment: datetime, tz) -> str:
    return moment.astimezone(tz).strftime("%Y-%m")


def progress(s: Session, row) -> Progress:
    """The topic's fall as judged on its fixed baseline and recorded months."""
    months = [
        Span(r.month, r.requests, r.days)
        for r in s.execute(
            select(TM.month, TM.requests, TM.days).where(TM.topic_id == row.id).order_by(TM.month)
        )
    ]
    base = (
        Span("baseline", row.baseline_requests, row.baseline_span)
        if row.baseline_requests is not None
        else None
    )
    return judge_progress(base, months, rule_of(row))


@dataclass(frozen=True)
class MonthRow:
    label: str
    phase: str  # before | baseline | launch | after
    partial: bool  # not a whole month of history (the first, or the current)
    counts: Counts
    days: float
    resolution: float | None
    satisfaction: float | None

    @property
    def per_day(self) -> float | None:
        return self.counts.requests / self.days if self.days > 0 else None


def _rates(city: CityConfig, c: Counts) -> tuple[float | None, float | None]:
    r = rates(UnitCounts(c.requests, 0, c.evaluated, c.solved, c.satisfied, c.basically),
              rule_sets(city)["standard"])  # fmt: skip
    return r.resolution, r.satisfaction


def series(s: Session, city: CityConfig, row, now: datetime) -> list[MonthRow]:
    """The topic's requests in each local month from its baseline's start to now, live."""
    tz, launched = city.tz, row.launched_at
    first = first_received(s)
    if first is None:
        return []
    start = max(first, (launched or now) - row.baseline_days * DAY)
    labels = [month_label(start, tz)]
    while month(labels[-1], tz).end <= now:
        labels.append(shift_month(labels[-1], 1))
    periods = [month(label, tz) for label in labels]
    bounds = [max(periods[0].start, start)] + [p.end for p in periods]
    bounds[-1] = min(bounds[-1], now)
    counts = _counted(s, city, row, bounds)
    out = []
    for p, c, lo, hi in zip(periods, counts, bounds[:-1], bounds[1:], strict=True):
        if launched is None:
            phase = "before"
        else:
            phase = (
                "baseline" if p.end <= launched else "launch" if p.start <= launched else "after"
            )
        out.append(MonthRow(p.label, phase, lo > p.start or hi < p.end, c, _days(lo, hi),
                            *_rates(city, c)))  # fmt: skip
    return out


@dataclass(frozen=True)
class Place:
    street: Unit
    requests: int


def places(s: Session, city: CityConfig, row, now: datetime) -> tuple[datetime, list[Place]]:
    """Where the topic's requests come from since launch (the last 30 days before it):
    streets and townships with their communities, most first."""
    since = row.launched_at or now - 30 * DAY
    for_large_reads(s)
    r = topic_rows(s, city, row, [t.location_unit_code], t.received_at >= since,
                   t.received_at < now, t.location_unit_code.is_not(None)).c  # fmt: skip
    rows = s.execute(select(r.location_unit_code, func.count()).group_by(r.location_unit_code))
    streets: dict[str, int] = {}
    for code, n in rows:
        unit = city.unit(code)
        while unit is not None and unit.kind is UnitKind.COMMUNITY and unit.parent:
            unit = city.unit(unit.parent)
        if unit is not None and unit.kind is UnitKind.STREET:
            streets[unit.code] = streets.get(unit.code, 0) + n
    ranked = sorted(streets.items(), key=lambda x: (-x[1], x[0]))[:TOP_PLACES]
    return since, [Place(city.units_by_code[code], n) for code, n in ranked]


# --- the worker's monthly duty ---------------------------------------------------------------


def _due_months(row, recorded: set[str], now: datetime, tz) -> list[str]:
    """The full months after the launch month, ended by ``now``, not yet recorded."""
    label, due = shift_month(month_label(row.launched_at, tz), 1), []
    while month(label, tz).end <= now:
        if label not in recorded:
            due.append(label)
        label = shift_month(label, 1)
    return due


def record_due(ctx: Context) -> int:
    """Record every ended month of every active topic not recorded yet, and tell each lead
    unit how its topic stands; the number of months recorded."""
    city, now = ctx.city, ctx.now()
    with UnitOfWork(ctx.engine) as uow:
        try:
            done = _record_all(uow.session, city, now)
            uow.commit()
        except IntegrityError:  # another worker recorded the same months at the same moment
            return 0
    return done


def _record_all(s: Session, city: CityConfig, now: datetime) -> int:
    done = 0
    active = s.execute(select(tables.topics).where(tables.topics.c.state == TopicState.ACTIVE))
    for row in active.all():
        recorded = set(s.execute(select(TM.month).where(TM.topic_id == row.id)).scalars())
        due = _due_months(row, recorded, now, city.tz)
        if not due:
            continue
        _record(s, city, row, due, now)
        done += len(due)
        judged = progress(s, row)
        payload = {"template": "topic.month", "unit": row.lead_unit_code, "topic": row.id,
                   "title": row.title, "months": due, "met": judged.met,
                   "reason": judged.reason_zh}  # fmt: skip
        queue_message(s, topic="governance.topic", ticket_id=None, payload=payload,
                      key=f"governance.topic:{row.id}:month:{due[-1]}", now=now)  # fmt: skip
    return done


def _record(s: Session, city: CityConfig, row, labels: list[str], now: datetime) -> None:
    for label in labels:
        p = month(label, city.tz)
        (c,) = _counted(s, city, row, [p.start, p.end])
        s.execute(
            insert(tables.topic_months).values(
                topic_id=row.id, month=label, requests=c.requests, days=_days(p.start, p.end),
                evaluated=c.evaluated, solved=c.solved, satisfied=c.satisfied,
                basically=c.basically, recorded_at=now,
            )
        )  # fmt: skip
