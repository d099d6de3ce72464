"""Which side effects each lifecycle event queues in the outbox.

Messages leave only after the transaction commits (a worker reads the
outbox); each carries an idempotency key so a retried send is recognised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jiesu.domain.commands import Action, ReferralReason
from jiesu.domain.ticket import Ticket, TimelineEvent
from jiesu.handling.tracking import tracking_path
from jiesu.intake.referral import referral_message


@dataclass(frozen=True)
class Message:
    topic: str  # sms.requester | unit.message | hotline.message | handover.emergency
    recipient: str  # a unit code, "requester" or an emergency line
    payload: dict[str, Any]


def messages_for(
    ticket: Ticket,
    event: TimelineEvent,
    hotline_unit: str,
    around_the_clock: frozenset[str] = frozenset(),
) -> list[Message]:
    """The messages an event sends. Orders of urgent tickets, and orders to units serving
    7×24 (``around_the_clock``), go as ``unit.urgent``: delivered at once, day or night."""
    action = Action(event.action)
    base = {"ticket": ticket.number, "action": event.action}
    out: list[Message] = []

    def to_requester(kind: str, **extra: Any) -> None:
        if ticket.requester_phone:
            out.append(Message("sms.requester", "requester", {**base, "template": kind, **extra}))

    urgent = ticket.urgency == "urgent" or ticket.lead_unit_code in around_the_clock

    def to_unit(code: str | None, kind: str) -> None:
        if code:
            topic = "unit.urgent" if urgent and kind.startswith("assigned") else "unit.message"
            out.append(Message(topic, code, {**base, "template": kind, "unit": code}))

    if action is Action.RECEIVE:
        to_requester("received", track=tracking_path(ticket.number))  # H9: follow it live
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
    elif action is Action.START_CONSULTATION:
        for code in event.data.get("units", []):
            to_unit(code, "consultation_invite")
    elif action is Action.GIVE_POSITION:
        to_unit(hotline_unit, "consultation_position")
    elif action in (
        Action.DISPATCH,
        Action.UPHOLD_OBJECTION,
        Action.REOPEN,
        Action.DECIDE_CONSULTATION,
    ):
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
    elif action is Action.PROGRESS_REPORT:
        to_unit(ticket.lead_unit_code if event.data.get("as") == "co_handler" else hotline_unit,
                "progress_report")  # fmt: skip
    elif action in (Action.CONTEST_REQUEST, Action.ESCALATE):
        to_unit(hotline_unit, event.action)
        to_unit(event.data.get("authority"), "escalated_to_you")
    elif action is Action.DECIDE_CONTEST:
        to_unit(ticket.lead_unit_code, event.action)
    elif action is Action.URGE:
        to_unit(ticket.lead_unit_code, "urged")
        to_unit(ticket.supervising_unit_code, "urged")
    elif action is Action.RAISE_WHISTLE:
        for code in event.data.get("units", []):
            to_unit(code, "whistle_summons")
    elif action is Action.REPORT_IN:
        to_unit(ticket.lead_unit_code, "whistle_report_in")
    elif action is Action.DECIDE_ESCALATION:
        to_unit(ticket.lead_unit_code, "assigned_lead")
        for task in ticket.co_handlers:
            if task.is_open and task.assigned_at == event.at:
                to_unit(task.unit_code, "assigned_co_handler")
    elif action is Action.REPLY:
        to_requester("replied")
    return out
