"""Which side effects each lifecycle event queues in the outbox.

Messages leave only after the transaction commits (a worker reads the
outbox); each carries an idempotency key so a retried send is recognised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jiesu.domain.commands import Action, ReferralReason
from jiesu.domain.ticket import Ticket, TimelineEvent
from jiesu.intake.referral import referral_message


@dataclass(frozen=True)
class Message:
    topic: str  # sms.requester | unit.message | hotline.message | handover.emergency
    recipient: str  # a unit code, "requester" or an emergency line
    payload: dict[str, Any]


def messages_for(ticket: Ticket, event: TimelineEvent, hotline_unit: str) -> list[Message]:
    action = Action(event.action)
    base = {"ticket": ticket.number, "action": event.action}
    out: list[Message] = []

    def to_requester(kind: str, **extra: Any) -> None:
        if ticket.requester_phone:
            out.append(Message("sms.requester", "requester", {**base, "template": kind, **extra}))

    def to_unit(code: str | None, kind: str) -> None:
        if code:
            out.append(Message("unit.message", code, {**base, "template": kind, "unit": code}))

    if action is Action.RECEIVE:
        to_requester("received")
    elif action is Action.ANSWER_DIRECTLY:
        to_requester("answered", text=ticket.answer_text)
    elif action is Action.REFER:
        data = event.data
        text = referral_message(
            ticket, original=data.get("original", ""), progress=data.get("original_status", "")
        )
        to_requester(f"refer.{ticket.referral_reason}", text=text)
        if ticket.referral_reason == ReferralReason.EMERGENCY:
            out.append(
                Message(
                    "handover.emergency",
                    ticket.referral_destination or "110",
                    {**base, "content": ticket.content, "address": ticket.address},
                )
            )
    elif action in (Action.DISPATCH, Action.UPHOLD_OBJECTION, Action.REOPEN):
        to_unit(ticket.lead_unit_code, "assigned_lead")
        to_unit(ticket.supervising_unit_code, "assigned_supervise")
        for task in ticket.co_handlers:
            if task.is_open:
                to_unit(task.unit_code, "assigned_co_handler")
    elif action is Action.ADD_CO_HANDLER:
        to_unit(event.data.get("unit"), "assigned_co_handler")
    elif action in (Action.RAISE_OBJECTION, Action.REQUEST_EXTENSION):
        to_unit(hotline_unit, event.action)
        if action is Action.REQUEST_EXTENSION:
            to_requester("extension")  # the requester is told either way (H3)
    elif action in (Action.GRANT_EXTENSION, Action.REFUSE_EXTENSION, Action.REJECT_OBJECTION):
        to_unit(ticket.lead_unit_code, event.action)
    elif action is Action.CO_HANDLER_REPORT:
        to_unit(ticket.lead_unit_code, "co_handler_report")
    elif action is Action.REPLY:
        to_requester("replied")
    return out
