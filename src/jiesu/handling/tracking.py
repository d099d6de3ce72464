"""Live tracking (H9): a requester follows their request "like a parcel".

The SMS that confirms a request carries a link with the ticket's number and a short keyed
signature (``crypto.signature("track", number)``): whoever holds the link sees the
request's public timeline, nobody can guess another. The public timeline is made from the
ticket's own events, step by step, but only what the requester may know: which unit has
it, when it was accepted, contacted, extended, replied, visited, closed, and the texts
written *to* the requester (the answer, the reply). Internal steps (objections,
consultations, whistles, urging, contests, co-handling, identity release, notes, who
did what) are left out, and so is everything about other requesters; a merged request
shows the handling of the ticket it was merged into. Staff read the full timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from jiesu.context import Context
from jiesu.domain.commands import Action
from jiesu.domain.errors import NotFound
from jiesu.domain.ticket import (
    OPEN_AT_UNIT,
    REPLY_OUTCOME_LABELS_ZH,
    STATUS_LABELS_ZH,
    Status,
    Ticket,
    TimelineEvent,
)
from jiesu.storage import crypto
from jiesu.storage import repository as repo
from jiesu.storage.tables import tickets
from jiesu.storage.uow import UnitOfWork

PURPOSE = "track"


def tracking_code(number: str) -> str:
    return crypto.signature(PURPOSE, number, 12)


def tracking_path(number: str) -> str:
    return f"/track/{number}?code={tracking_code(number)}"


@dataclass(frozen=True)
class Step:
    at: datetime
    label_zh: str
    detail: str = ""


def _unit(ctx: Context, code: str | None) -> str:
    unit = ctx.city.unit(code) if code else None
    return unit.name if unit else "承办单位"


def _new(event: TimelineEvent, name: str) -> Any:
    change = event.changes.get(name)
    return change[1] if change else None


def _when(ctx: Context, value: Any) -> str:
    if not value:
        return ""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(ctx.city.tz).strftime("%Y-%m-%d %H:%M")


def public_step(ctx: Context, event: TimelineEvent) -> Step | None:
    """What the requester may see of one event, or None for an internal step."""
    action = Action(event.action) if event.action in set(Action) else None
    lead = _new(event, "lead_unit_code")
    due = _when(ctx, _new(event, "completion_due"))
    match action:
        case Action.RECEIVE:
            return Step(event.at, "诉求已受理")
        case Action.ANSWER_DIRECTLY:
            return Step(event.at, "已直接答复", _new(event, "answer_text") or "")
        case Action.REFER:
            return Step(event.at, "已告知办理渠道", _new(event, "referral_destination") or "")
        case Action.DISPATCH | Action.UPHOLD_OBJECTION | Action.DECIDE_CONSULTATION:
            detail = f"办理时限：{due}" if due else ""
            return Step(event.at, f"已派至{_unit(ctx, lead)}办理", detail)
        case Action.DECIDE_ESCALATION:
            label = f"经协调改由{_unit(ctx, lead)}办理" if lead else "经协调继续办理"
            return Step(event.at, label)
        case Action.ESCALATE:
            return Step(event.at, "正在协调相关部门办理")
        case Action.ACKNOWLEDGE:
            return Step(event.at, f"{_unit(ctx, event.actor_unit_code)}已签收")
        case Action.CONTACT:
            return Step(event.at, f"{_unit(ctx, event.actor_unit_code)}已与您联系")
        case Action.REQUEST_EXTENSION | Action.GRANT_EXTENSION if due:
            return Step(event.at, "办理时限已延长", f"新的办理时限：{due}")
        case Action.REPLY:
            outcome = REPLY_OUTCOME_LABELS_ZH.get(_new(event, "reply_outcome"), "")
            return Step(event.at, f"已办结（{outcome}）", _new(event, "reply_text") or "")
        case Action.RECORD_VISIT:
            return Step(event.at, "已回访")
        case Action.CLOSE:
            return Step(event.at, "已结案")
        case Action.REOPEN:
            return Step(event.at, "已退回重新办理")
        case Action.MERGE:
            return Step(event.at, "与反映同一问题的诉求合并办理")
    return None


def public_timeline(ctx: Context, number: str, code: str) -> dict[str, Any]:
    """The requester's view of a ticket; a wrong code looks like an unknown number."""
    if not crypto.verify_signature(PURPOSE, number, code, 12):
        raise _not_found(number)
    with UnitOfWork(ctx.engine, write=False) as uow:
        ticket = repo.get_ticket(uow.session, number)
        steps = _steps(ctx, uow.session, ticket)
        handling = ticket
        if ticket.merged_into_id is not None:
            into = uow.session.execute(
                select(tickets.c.number).where(tickets.c.id == ticket.merged_into_id)
            ).scalar_one()
            handling = repo.get_ticket(uow.session, into)
            steps += [s for s in _steps(ctx, uow.session, handling) if s.at >= steps[-1].at]
    status = Status(handling.status)
    return {
        "number": ticket.number,
        "status": str(status),
        "status_label_zh": STATUS_LABELS_ZH[status],
        "received_at": ticket.received_at,
        "expected_by": handling.completion_due if status in OPEN_AT_UNIT else None,
        "category": ticket.category,
        "steps": [vars(s) for s in steps],
    }


def _steps(ctx: Context, session, ticket: Ticket) -> list[Step]:
    found = [public_step(ctx, e) for e in repo.timeline(session, ticket.id)]
    return [s for s in found if s is not None]


def _not_found(number: str) -> NotFound:
    return NotFound("ticket.not_found", f"工单 {number} 不存在", f"Ticket {number} not found")
