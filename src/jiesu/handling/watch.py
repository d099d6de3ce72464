"""The deadline watch: yellow and red warnings for every deadline a unit holds (D6, H1, H4).

A **yellow** warning is raised once ``handling_policy.warn_share`` of a deadline's time has
passed without the deadline being met, a **red** one once it has passed. Four deadlines are
watched: the lead's contact and completion deadlines, each co-handler's task deadline, and
each summoned department's report-in time. Each warning is raised once per deadline (a new
deadline after an extension or re-dispatch warns again), written to ``deadline_warnings``
and sent to the unit through the outbox in the same transaction — a worker killed between
the two loses nothing and sends nothing twice. Red warnings also go to the supervising
district and to the hotline's supervisors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select

from jiesu.context import Context
from jiesu.domain.deadlines import due_after
from jiesu.domain.ticket import OPEN_AT_UNIT, warn_time
from jiesu.storage import repository as repo
from jiesu.storage.tables import co_handler_tasks as ct
from jiesu.storage.tables import deadline_warnings as dw
from jiesu.storage.tables import return_visits as rv
from jiesu.storage.tables import tickets as t
from jiesu.storage.tables import whistle_calls as wc
from jiesu.storage.uow import UnitOfWork

_OPEN = [str(s) for s in OPEN_AT_UNIT]
SUBJECT_LABELS_ZH = {
    "contact": "联系时限",
    "completion": "办结时限",
    "task": "协办时限",
    "call": "报到时限",
}
LEVEL_LABELS_ZH = {"yellow": "黄灯预警", "red": "红灯超时"}


@dataclass(frozen=True)
class Warning:
    ticket_id: int
    number: str
    subject: str  # contact | completion | task:<id> | call:<id>
    level: str  # yellow | red
    unit_code: str
    due: datetime
    supervising_unit_code: str | None = None


@dataclass(frozen=True)
class WatchResult:
    yellow: int
    red: int


def _not_warned(subject, level: str, due_col):
    return ~exists().where(
        and_(
            dw.c.ticket_id == t.c.id,
            dw.c.subject == subject,
            dw.c.level == level,
            dw.c.due == due_col,
        )
    )


def _lead_deadlines(conn, now: datetime) -> list[Warning]:
    found: list[Warning] = []
    for subject, due, warn_at, met in (
        ("contact", t.c.contact_due, t.c.contact_warn_at, t.c.contacted_at),
        ("completion", t.c.completion_due, t.c.completion_warn_at, t.c.replied_at),
    ):
        for level, cond in (("red", due < now), ("yellow", and_(warn_at <= now, due >= now))):
            rows = conn.execute(
                select(t.c.id, t.c.number, t.c.lead_unit_code, due, t.c.supervising_unit_code)
                .where(
                    t.c.status.in_(_OPEN),
                    met.is_(None),
                    cond,
                    _not_warned(subject, level, due),
                )
                .limit(5000)
            )
            found += [Warning(r[0], r[1], subject, level, r[2], r[3], r[4]) for r in rows]
    return found


def _parts(conn, now: datetime, share: float) -> Iterable[Warning]:
    """Open co-handling tasks and report-in calls of open tickets."""
    tasks = conn.execute(
        select(ct.c.id, t.c.id, t.c.number, ct.c.unit_code, ct.c.assigned_at, ct.c.due)
        .join(t, t.c.id == ct.c.ticket_id)
        .where(ct.c.reported_at.is_(None), t.c.status.in_(_OPEN))
    )
    calls = conn.execute(
        select(wc.c.id, t.c.id, t.c.number, wc.c.unit_code, wc.c.summoned_at, wc.c.report_due)
        .join(t, t.c.id == wc.c.ticket_id)
        .where(
            wc.c.reported_at.is_(None),
            wc.c.whistle_round == t.c.whistle_round,
            t.c.whistle_open.is_(True),
        )
    )
    for kind, rows in (("task", tasks), ("call", calls)):
        for part_id, ticket_id, number, unit, start, due in rows:
            level = (
                "red" if now > due else "yellow" if now >= warn_time(start, due, share) else None
            )
            if level:
                yield Warning(ticket_id, number, f"{kind}:{part_id}", level, unit, due)


def watch_deadlines(ctx: Context, now: datetime | None = None) -> WatchResult:
    """Raise every warning that is due and not yet raised; return how many of each."""
    now = now or ctx.now()
    share = ctx.city.handling_policy.warn_share
    hotline = ctx.hotline_unit.code
    with UnitOfWork(ctx.engine) as uow:
        conn = uow.session.connection()
        due = _lead_deadlines(conn, now)
        parts = list(_parts(conn, now, share))
        if parts:
            keys = {(w.ticket_id, w.subject, w.level) for w in parts}
            raised = set(
                conn.execute(
                    select(dw.c.ticket_id, dw.c.subject, dw.c.level).where(
                        dw.c.ticket_id.in_({w.ticket_id for w in parts}),
                        dw.c.subject.like("task:%") | dw.c.subject.like("call:%"),
                    )
                ).all()
            )
            due += [w for w in parts if (w.ticket_id, w.subject, w.level) in keys - raised]
        for w in due:
            conn.execute(
                dw.insert().values(
                    ticket_id=w.ticket_id,
                    subject=w.subject,
                    level=w.level,
                    unit_code=w.unit_code,
                    due=w.due,
                    raised_at=now,
                )
            )
            recipients = [w.unit_code]
            if w.level == "red":
                recipients += [c for c in (w.supervising_unit_code, hotline) if c]
            for unit in dict.fromkeys(recipients):
                repo.queue_message(
                    uow.session,
                    topic="unit.message",
                    ticket_id=w.ticket_id,
                    payload={
                        "ticket": w.number,
                        "template": f"warning.{w.level}",
                        "subject": w.subject,
                        "due": w.due.isoformat(),
                        "unit": unit,
                        "recipient": unit,
                    },
                    key=f"warn:{w.ticket_id}:{w.subject}:{w.level}:{w.due.isoformat()}:{unit}",
                    now=now,
                )
        expired = [w.ticket_id for w in due if w.subject == "completion" and w.level == "red"]
        if expired:
            _visits_on_expiry(ctx, uow, expired, now)
        uow.commit()
    return WatchResult(
        yellow=sum(w.level == "yellow" for w in due), red=sum(w.level == "red" for w in due)
    )


def _visits_on_expiry(ctx: Context, uow: UnitOfWork, ticket_ids: list[int], now) -> None:
    """BJ Art. 23: when a deadline expires without a reply, a return visit is due too."""
    from jiesu.followup.visits import link

    window = ctx.city.visit_policy.due_within.to_duration()
    expires = now + timedelta(days=ctx.city.visit_policy.link_valid_days)
    rows = uow.session.execute(
        select(t.c.id, t.c.number, t.c.round).where(
            t.c.id.in_(ticket_ids),
            t.c.replied_at.is_(None),
            ~exists().where(
                rv.c.ticket_id == t.c.id,
                rv.c.round == t.c.round,
                rv.c.requester_ticket_id.is_(None),
            ),
        )
    ).all()
    for ticket_id, number, round_ in rows:
        visit_id = uow.session.execute(
            rv.insert()
            .values(
                ticket_id=ticket_id,
                round=round_,
                due_at=due_after(now, window, ctx.calendar, ctx.city.tz),
                created_at=now,
                status="pending",
                attempts=0,
            )
            .returning(rv.c.id)
        ).scalar_one()
        repo.queue_message(
            uow.session,
            topic="sms.requester",
            ticket_id=ticket_id,
            payload={
                "ticket": number,
                "action": "deadline_expired",
                "template": "visit",
                "link": link(visit_id, expires),
                "recipient": "requester",
            },
            key=f"visit:{visit_id}:link",
            now=now,
        )
