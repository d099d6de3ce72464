"""Proactive governance in the assessment (主动治理, A2; BJ Art. 32): what each unit did in
a period, read from the monthly topics (G2) and the weekly warnings (G5).

Each event counts in the period its decisive moment falls in, so a month's figures never
change once the month is over:

- a monthly topic that **closed** in the period (closing needs every task done and the fall
  sustained, so a closed topic is a topic whose goal was met; a withdrawn one counts for
  nobody): its lead unit led one, each co-unit co-handled one;
- a topic **task** whose due day (the city's local day) ended in the period, of a topic
  launched by then and not withdrawn before it, that was not reported done by the end of
  that day: its unit has one late task;
- a weekly **warning** whose answer was due in the period (``warning_policy.answer_days``
  after it was issued) and was not answered by then: the unit warned has one unanswered.

The units are those named (a department, a street, a district government); the ranking
adds them up to the unit that answers for them (:func:`jiesu.assessment.rankings.owner`).
A late task or an unanswered warning is a **charge** (:class:`Charge`) its unit may appeal
(:mod:`jiesu.assessment.governance_appeals`); an upheld appeal takes it out of the counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import and_, select

from jiesu.context import Context
from jiesu.domain.assessment import GovernanceCounts
from jiesu.domain.topics import TopicState
from jiesu.storage.tables import governance_appeals as ga
from jiesu.storage.tables import hotspot_warnings as w
from jiesu.storage.tables import topic_items as ti
from jiesu.storage.tables import topic_units as tu
from jiesu.storage.tables import topics as tp

TASK, WARNING = "task", "warning"
KIND_LABELS_ZH = {TASK: "专题任务逾期", WARNING: "预警逾期未反馈"}


@dataclass(frozen=True)
class Charge:
    """A late topic task or an unanswered warning, charged to ``unit_code``."""

    kind: str  # task | warning
    item_id: int  # topic_items.id or hotspot_warnings.id
    unit_code: str
    deadline: datetime
    what: str  # the task's text, or the warning's week and category
    topic_id: int | None  # the task's topic
    appeal: str | None  # None; pending, upheld or rejected


def governance_counts(ctx: Context, start: datetime, end: datetime) -> dict[str, GovernanceCounts]:
    """Every unit's proactive governance counts for ``[start, end)``; a deadline not yet
    passed (``ctx.now()``) counts for nobody yet, an upheld appeal's charge for nobody."""
    closed = and_(
        tp.c.state == TopicState.CLOSED.value, tp.c.ended_at >= start, tp.c.ended_at < end
    )
    with ctx.engine.connect() as conn:
        led = Counter(c for (c,) in conn.execute(select(tp.c.lead_unit_code).where(closed)))
        co = Counter(
            c
            for (c,) in conn.execute(
                select(tu.c.unit_code).join(tp, tp.c.id == tu.c.topic_id).where(closed)
            )
        )
        found = _charges(ctx, conn, start, end)
    late = Counter(c.unit_code for c in found if c.kind == TASK and c.appeal != "upheld")
    unanswered = Counter(c.unit_code for c in found if c.kind == WARNING and c.appeal != "upheld")
    codes = set(led) | set(co) | set(late) | set(unanswered)
    return {c: GovernanceCounts(led[c], co[c], late[c], unanswered[c]) for c in codes}


def charges(ctx: Context, start: datetime, end: datetime) -> list[Charge]:
    """The late tasks and unanswered warnings of ``[start, end)``, appealed or not, by
    deadline."""
    with ctx.engine.connect() as conn:
        return _charges(ctx, conn, start, end)


def _charges(ctx: Context, conn, start: datetime, end: datetime) -> list[Charge]:
    end = min(end, ctx.now())
    found = _late_tasks(ctx, conn, start, end) + _unanswered(ctx, conn, start, end)
    appeals = {
        (r.kind, r.item_id, r.unit_code): r.decision or "pending"
        for r in conn.execute(
            select(ga.c.kind, ga.c.item_id, ga.c.unit_code, ga.c.decision).where(
                ga.c.item_id.in_({c.item_id for c in found})
            )
        )
    } if found else {}  # fmt: skip
    return sorted(
        (
            Charge(**(vars(c) | {"appeal": appeals.get((c.kind, c.item_id, c.unit_code))}))
            for c in found
        ),
        key=lambda c: (c.deadline, c.kind, c.item_id),
    )


def _late_tasks(ctx: Context, conn, start: datetime, end: datetime) -> list[Charge]:
    """Each task whose due day (local) ended in ``(start, end]``, not done by then; a task
    written after its due day had passed charges nobody (it could not have been done)."""
    tz = ctx.city.tz
    rows = conn.execute(
        select(
            ti.c.id,
            ti.c.text,
            ti.c.topic_id,
            ti.c.unit_code,
            ti.c.due_on,
            ti.c.done_at,
            ti.c.created_at,
            tp.c.lead_unit_code,
            tp.c.launched_at,
            tp.c.state,
            tp.c.ended_at,
        )  # fmt: skip
        .join(tp, tp.c.id == ti.c.topic_id)
        .where(
            ti.c.list == "task",
            ti.c.due_on >= start.astimezone(tz).date() - timedelta(days=1),
            ti.c.due_on <= end.astimezone(tz).date(),
            tp.c.launched_at.is_not(None),
        )
    ).all()
    found = []
    for r in rows:
        deadline = datetime.combine(r.due_on + timedelta(days=1), time(), tz).astimezone(UTC)
        if not start < deadline <= end:
            continue
        if r.created_at > deadline:
            continue  # set after its day had passed: nobody could have done it in time
        if r.launched_at > deadline:
            continue  # not yet the topic's task when it fell due
        if r.state == TopicState.WITHDRAWN.value and r.ended_at <= deadline:
            continue  # the topic was given up before
        if r.done_at is None or r.done_at > deadline:
            unit = r.unit_code or r.lead_unit_code
            found.append(Charge(TASK, r.id, unit, deadline, r.text, r.topic_id, None))
    return found


def _unanswered(ctx: Context, conn, start: datetime, end: datetime) -> list[Charge]:
    """Each warning whose answer fell due in ``(start, end]`` without one."""
    days = timedelta(days=ctx.city.warning_policy.answer_days)
    rows = conn.execute(
        select(w.c.id, w.c.week, w.c.category, w.c.unit_code, w.c.issued_at, w.c.responded_at)
        .where(w.c.issued_at > start - days, w.c.issued_at <= end - days)
    ).all()  # fmt: skip
    return [
        Charge(WARNING, r.id, r.unit_code, r.issued_at + days, f"{r.week} {r.category}", None, None)
        for r in rows
        if r.responded_at is None or r.responded_at > r.issued_at + days
    ]
