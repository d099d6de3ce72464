"""What the API returns: tickets as the caller may see them, and their timelines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from jiesu.access import mask_phone, may_see_requester
from jiesu.domain import lifecycle
from jiesu.domain.deadlines import is_overdue
from jiesu.domain.roles import Actor, Role
from jiesu.domain.ticket import Ticket, TimelineEvent


class CoHandlerOut(BaseModel):
    unit_code: str
    task: str
    due: datetime
    assigned_at: datetime
    report: str | None
    reported_at: datetime | None


class ObjectionOut(BaseModel):
    """A dispatch objection and its review (D5)."""

    model_config = ConfigDict(from_attributes=True)

    unit_code: str
    grounds: str
    reason: str
    evidence: str
    raised_at: datetime
    decision: str | None
    decided_at: datetime | None
    reviewer_username: str | None
    review_reason: str | None


class InviteOut(BaseModel):
    """A unit invited to a consultation and its position (D4)."""

    model_config = ConfigDict(from_attributes=True)

    unit_code: str
    invited_at: datetime
    due: datetime
    position: str | None
    opinion: str | None
    responded_at: datetime | None


class WhistleCallOut(BaseModel):
    """A department summoned by a whistle and its report-in (H4)."""

    model_config = ConfigDict(from_attributes=True)

    unit_code: str
    whistle_round: int
    summoned_at: datetime
    report_due: datetime
    reported_at: datetime | None
    action_taken: str | None


class VisitOut(BaseModel):
    """A return visit of one requester in one round (A1)."""

    model_config = ConfigDict(from_attributes=True)

    id: int | None
    round: int
    requester_ticket_id: int | None
    due_at: datetime
    status: str
    attempts: int
    next_attempt_at: datetime | None
    channel: str | None
    contacted: bool | None
    solved: bool | None
    satisfaction: str | None
    comment: str | None
    answered_at: datetime | None


class TopicRefOut(BaseModel):
    """A monthly topic (每月一题, G2) a request is on: its lead unit and plan apply."""

    id: int
    title: str
    lead_unit_code: str


class TicketOut(BaseModel):
    number: str
    version: int
    status: str
    received_at: datetime
    channel: str
    hotline: str | None
    request_type: str
    category: str
    urgency: str
    title: str
    content: str
    requester_name: str
    requester_phone: str
    address: str
    location_unit_code: str | None
    latitude: float | None
    longitude: float | None
    attachments: list[str]
    confidential: bool
    round: int
    lead_unit_code: str | None
    supervising_unit_code: str | None
    dispatched_at: datetime | None
    deadline_basis: str | None
    contact_due: datetime | None
    completion_due: datetime | None
    acknowledged_at: datetime | None
    contacted_at: datetime | None
    objection_reason: str | None
    extension_requested_due: datetime | None
    extension_reason: str | None
    extension_count: int
    replied_at: datetime | None
    reply_outcome: str | None
    reply_text: str | None
    answer_text: str | None
    referral_reason: str | None
    referral_destination: str | None
    visited_at: datetime | None
    visit_contacted: bool | None
    visit_solved: bool | None
    satisfaction: str | None
    closed_at: datetime | None
    co_handlers: list[CoHandlerOut]
    objections: list[ObjectionOut] = []
    consultation: list[InviteOut] = []
    consultation_due: datetime | None = None
    whistle_round: int = 0
    whistle_open: bool = False
    whistle_calls: list[WhistleCallOut] = []
    visits: list[VisitOut] = []
    escalated_to: str | None = None
    contest_kind: str | None = None
    contest_reason: str | None = None
    contest_status: str | None = None
    urge_count: int = 0
    tags: list[str]
    referral_accepted: bool | None
    identity_released_units: list[str]
    overdue: bool
    allowed_actions: list[str]
    # links, filled for a single ticket (see ``with_links``)
    merged_into: str | None = None
    original: str | None = None
    merged: list[str] | None = None
    repeat_count: int | None = None
    topics: list[TopicRefOut] | None = None  # the active monthly topics it is on (G2)


def ticket_out(ticket: Ticket, actor: Actor, now: datetime) -> TicketOut:
    fields = {
        name: getattr(ticket, name) for name in TicketOut.model_fields if hasattr(ticket, name)
    }
    fields["co_handlers"] = [
        CoHandlerOut.model_validate(t, from_attributes=True) for t in ticket.co_handlers
    ]
    fields["objections"] = [ObjectionOut.model_validate(o) for o in ticket.objections]
    fields["consultation"] = [InviteOut.model_validate(i) for i in ticket.consultation]
    fields["whistle_calls"] = [WhistleCallOut.model_validate(c) for c in ticket.whistle_calls]
    fields["visits"] = [VisitOut.model_validate(v) for v in ticket.visits]
    fields["overdue"] = is_overdue(ticket.completion_due, ticket.replied_at, now)
    fields["allowed_actions"] = [str(a) for a in lifecycle.allowed_actions(ticket, actor)]
    if not may_see_requester(ticket, actor):
        fields["requester_name"] = "（保密）"
        fields["requester_phone"] = ""
    elif actor.role is Role.SUPERVISOR:  # supervisors read, they do not call back
        fields["requester_phone"] = mask_phone(ticket.requester_phone)
    return TicketOut(**fields)


def ticket_json(ticket: Ticket, actor: Actor, now: datetime) -> dict:
    """The ticket as the API answers ``actor``, as plain JSON (the units' data push, G4)."""
    return ticket_out(ticket, actor, now).model_dump(mode="json")


def with_links(session, ticket: Ticket, out: TicketOut) -> TicketOut:
    """Add the numbers of linked tickets: merged into / merged here / original / repeats."""
    from jiesu.storage import repository as repo

    number = lambda ticket_id: repo.ticket_number_by_id(session, ticket_id)  # noqa: E731
    return out.model_copy(
        update={
            "merged_into": number(ticket.merged_into_id) if ticket.merged_into_id else None,
            "original": number(ticket.original_ticket_id) if ticket.original_ticket_id else None,
            "merged": repo.merged_ticket_numbers(session, ticket.id),
            "repeat_count": repo.repeat_count(session, ticket.id),
        }
    )


class TicketPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[TicketOut]


class EventOut(BaseModel):
    at: datetime
    action: str
    actor_username: str
    actor_role: str
    actor_unit_code: str
    from_status: str | None
    to_status: str
    reason: str | None
    changes: dict[str, Any]
    data: dict[str, Any]


def event_out(event: TimelineEvent) -> EventOut:
    return EventOut.model_validate(event, from_attributes=True)


class LoginIn(BaseModel):
    username: str
    password: str


class UserOut(BaseModel):
    username: str
    display_name: str
    role: str
    unit_code: str


class LoginOut(BaseModel):
    token: str
    expires_at: datetime
    user: UserOut
