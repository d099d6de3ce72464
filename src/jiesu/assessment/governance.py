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
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

from sqlalchemy import and_, select

from jiesu.context import Context
from jiesu.domain.assessment import GovernanceCounts
from jiesu.domain.topics import TopicState
from jiesu.storage.tables import hotspot_warnings as w
from jiesu.storage.tables import topic_items as ti
from jiesu.storage.tables import topic_units as tu
from jiesu.storage.tables import topics as tp


def governance_counts(ctx: Context, start: datetime, end: datetime) -> dict[str, GovernanceCounts]:
    """Every unit's proactive governance counts for ``[start, end)``; a deadline not yet
    passed (``ctx.now()``) counts for nobody yet."""
    now = ctx.now()
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
        late = Counter(_late_tasks(ctx, conn, start, min(end, now)))
        unanswered = Counter(_unanswered(ctx, conn, start, min(end, now)))
    codes = set(led) | set(co) | set(late) | set(unanswered)
    return {c: GovernanceCounts(led[c], co[c], late[c], unanswered[c]) for c in codes}


def _late_tasks(ctx: Context, conn, start: datetime, end: datetime) -> list[str]:
    """The unit of each task due on a local day that began in ``[start, end)`` and ended
    by ``end``, not done by then (due days are local: read with a day's margin, each
    judged at its own local midnight)."""
    tz = ctx.city.tz
    rows = conn.execute(
        select(
            ti.c.unit_code,
            ti.c.due_on,
            ti.c.done_at,
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
        day = datetime.combine(r.due_on, time(), tz)
        deadline = datetime.combine(r.due_on + timedelta(days=1), time(), tz)
        if not (start <= day < end and deadline <= end):
            continue
        if r.launched_at > deadline:
            continue  # not yet the topic's task when it fell due
        if r.state == TopicState.WITHDRAWN.value and r.ended_at <= deadline:
            continue  # the topic was given up before
        if r.done_at is None or r.done_at > deadline:
            found.append(r.unit_code or r.lead_unit_code)
    return found


def _unanswered(ctx: Context, conn, start: datetime, end: datetime) -> list[str]:
    """The unit warned of each warning whose answer fell due in ``[start, end)`` without
    one."""
    days = timedelta(days=ctx.city.warning_policy.answer_days)
    rows = conn.execute(
        select(w.c.unit_code, w.c.issued_at, w.c.responded_at).where(
            w.c.issued_at >= start - days, w.c.issued_at < end - days
        )
    ).all()
    return [
        r.unit_code for r in rows if r.responded_at is None or r.responded_at > r.issued_at + days
    ]
