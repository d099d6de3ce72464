"""Return visits (回访, A1, BJ Art. 23): the links requesters answer by SMS or on the web,
the operators' queue of visits due, and re-handling by policy (退回重办).

A reply makes visits due (one per requester: the own one and each merged request's). Each
requester gets an SMS with a link to answer on the web: ``/visit/{id}?exp=…&sig=…``, a
keyed signature over the visit and the link's expiry (``visit_policy.link_valid_days``).
Operators call those who have not answered (``GET /api/visits/due``), with the script in
the console; an unreachable requester is tried ``max_attempts`` times, ``retry_after``
apart, then recorded as unreachable. When the own requester's answer is final and says
what ``visit_policy.rehandle_on`` names (unsolved, unsatisfied), the ticket goes back for
re-handling in the same transaction, up to ``max_rounds`` rounds; each round keeps its own
visits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from jiesu.context import Context
from jiesu.dispatch.deadlines import deadlines_for
from jiesu.domain import commands as c
from jiesu.domain import lifecycle
from jiesu.domain.roles import Actor, Role
from jiesu.domain.ticket import Ticket
from jiesu.storage import crypto
from jiesu.storage import repository as repo
from jiesu.storage.tables import outbox
from jiesu.storage.tables import return_visits as rv
from jiesu.storage.tables import tickets as t
from jiesu.storage.uow import UnitOfWork

PURPOSE = "visit"


def link(visit_id: int, expires: datetime) -> str:
    exp = int(expires.timestamp())
    sig = crypto.signature(PURPOSE, f"{visit_id}:{exp}")
    return f"/visit/{visit_id}?exp={exp}&sig={sig}"


def link_ok(visit_id: int, exp: int, sig: str) -> bool:
    return crypto.verify_signature(PURPOSE, f"{visit_id}:{exp}", sig)


def queue_visit_links(ctx: Context, uow: UnitOfWork, ticket: Ticket, event, actor, now) -> None:
    """After a reply: an SMS with the evaluation link to every requester now due a visit."""
    uow.flush()  # the visits' ids
    expires = now + timedelta(days=ctx.city.visit_policy.link_valid_days)
    numbers = dict(
        uow.session.execute(
            select(t.c.id, t.c.number).where(
                t.c.id.in_([v.requester_ticket_id for v in ticket.visits if v.requester_ticket_id])
            )
        ).all()
    )
    sent = set(
        uow.session.execute(
            select(outbox.c.idempotency_key).where(
                outbox.c.idempotency_key.in_([f"visit:{v.id}:link" for v in ticket.visits])
            )
        ).scalars()
    )
    for visit in ticket.visits:
        if visit.status != "pending" or visit.id is None or f"visit:{visit.id}:link" in sent:
            continue
        number = numbers.get(visit.requester_ticket_id, ticket.number)
        repo.queue_message(
            uow.session,
            topic="sms.requester",
            ticket_id=ticket.id,
            payload={
                "ticket": number,
                "action": event.action,
                "template": "visit",
                "link": link(visit.id, expires),
                "recipient": "requester" if visit.is_primary else f"requester:{number}",
            },
            key=f"visit:{visit.id}:link",
            now=now,
        )


def rehandle_if_due(ctx: Context, uow: UnitOfWork, ticket: Ticket, event, actor, now) -> None:
    """After a visit: back for re-handling when the policy says so (退回重办, A1)."""
    policy = ctx.city.visit_policy
    if event.to_status != "visited" or event.from_status == "visited":
        return  # not the own requester's final answer
    if ticket.round >= policy.max_rounds or ticket.satisfaction is None:
        return
    triggers = {str(x) for x in policy.rehandle_on}
    unsolved = "unsolved" in triggers and ticket.visit_solved is False
    unsatisfied = "unsatisfied" in triggers and ticket.satisfaction == "unsatisfied"
    if not (unsolved or unsatisfied):
        return
    lead = ctx.city.unit(ticket.lead_unit_code or "")
    if lead is None:
        return
    why = "回访不满意，按规定退回重办" if unsatisfied else "回访反映未解决，按规定退回重办"
    command = c.Reopen(reason=why, deadlines=deadlines_for(ctx, ticket, lead, now))
    system = Actor.system(ctx.hotline_unit.code)
    from jiesu.workflow import record

    reopened = lifecycle.apply(ticket, command, system, now)
    uow.flush()
    record(uow, ctx, ticket, reopened)


def due_visits(ctx: Context, now: datetime | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Pending visits whose time has come (first try, or the retry after a missed call)."""
    now = now or ctx.now()
    with UnitOfWork(ctx.engine, write=False) as uow:
        rows = uow.session.execute(
            select(rv, t.c.number, t.c.title, t.c.reply_outcome, t.c.reply_text, t.c.lead_unit_code)
            .join(t, t.c.id == rv.c.ticket_id)
            .where(
                rv.c.status == "pending",
                or_(rv.c.next_attempt_at.is_(None), rv.c.next_attempt_at <= now),
            )
            .order_by(rv.c.due_at, rv.c.id)
            .limit(limit)
        ).all()
        merged = dict(
            uow.session.execute(
                select(t.c.id, t.c.number).where(
                    t.c.id.in_([r.requester_ticket_id for r in rows if r.requester_ticket_id])
                )
            ).all()
        )
    return [
        {
            "visit_id": r.id,
            "number": r.number,
            "requester_number": merged.get(r.requester_ticket_id, r.number),
            "title": r.title,
            "round": r.round,
            "due_at": r.due_at,
            "attempts": r.attempts,
            "overdue": r.due_at < now,
            "reply_outcome": r.reply_outcome,
            "reply_text": r.reply_text,
            "lead_unit_code": r.lead_unit_code,
        }
        for r in rows
    ]


def visit_row(ctx: Context, visit_id: int):
    with ctx.engine.connect() as conn:
        return conn.execute(
            select(
                rv,
                t.c.number.label("ticket_number"),
                t.c.reply_text,
                t.c.reply_outcome,
                t.c.lead_unit_code,
            )  # fmt: skip
            .join(t, t.c.id == rv.c.ticket_id)
            .where(rv.c.id == visit_id)
        ).first()


def requester_actor(ctx: Context, channel: str) -> Actor:
    """The requester answering on the web: recorded as such in the timeline."""
    return Actor(
        user_id=None, username=f"requester:{channel}", role=Role.OPERATOR,
        unit_code=ctx.hotline_unit.code,
    )  # fmt: skip
