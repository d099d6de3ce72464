"""The ticket (诉求工单) and its timeline event, as plain dataclasses.

These classes carry no persistence logic; ``jiesu.storage.mapping`` maps them
onto tables imperatively, so the domain stays free of database imports.

The values of the ticket's coded fields are in :mod:`.ticket_values`, the records
it owns (co-handler tasks, objections, consultation invites, whistle calls, return
visits) in :mod:`.ticket_parts`; every name of the three can be imported from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .ticket_parts import (
    CoHandlerTask,
    ConsultationInvite,
    Objection,
    ReturnVisit,
    WhistleCall,
)
from .ticket_values import (
    CHANNEL_LABELS_ZH,
    CONTEST_KIND_LABELS_ZH,
    LIVELIHOOD_TAG_LABELS_ZH,
    OBJECTION_GROUNDS_LABELS_ZH,
    OPEN_AT_UNIT,
    POSITION_LABELS_ZH,
    REPLY_OUTCOME_LABELS_ZH,
    REQUEST_TYPE_LABELS_ZH,
    SATISFACTION_LABELS_ZH,
    STATUS_LABELS_ZH,
    TERMINAL,
    URGENCY_LABELS_ZH,
    Channel,
    ContestKind,
    ObjectionDecision,
    ObjectionGrounds,
    Position,
    ReplyOutcome,
    RequestType,
    Satisfaction,
    Status,
    Urgency,
    VisitStatus,
)

__all__ = [
    "CHANNEL_LABELS_ZH",
    "CONTEST_KIND_LABELS_ZH",
    "Channel",
    "CoHandlerTask",
    "ConsultationInvite",
    "ContestKind",
    "LIVELIHOOD_TAG_LABELS_ZH",
    "OBJECTION_GROUNDS_LABELS_ZH",
    "OPEN_AT_UNIT",
    "Objection",
    "ObjectionDecision",
    "ObjectionGrounds",
    "POSITION_LABELS_ZH",
    "Position",
    "REPLY_OUTCOME_LABELS_ZH",
    "REQUEST_TYPE_LABELS_ZH",
    "ReplyOutcome",
    "RequestType",
    "ReturnVisit",
    "SATISFACTION_LABELS_ZH",
    "STATUS_LABELS_ZH",
    "Satisfaction",
    "Status",
    "TERMINAL",
    "Ticket",
    "TimelineEvent",
    "URGENCY_LABELS_ZH",
    "Urgency",
    "VisitStatus",
    "WhistleCall",
    "warn_time",
]


@dataclass
class TimelineEvent:
    """One append-only entry of a ticket's timeline: who, when, what, why, and what changed."""

    action: str
    at: datetime
    actor_username: str
    actor_role: str
    actor_unit_code: str
    from_status: str | None
    to_status: str
    reason: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    actor_user_id: int | None = None
    id: int | None = None
    ticket_id: int | None = None


@dataclass
class Ticket:
    """A work order (诉求工单) with everything BJ Art. 10 asks to be recorded (I2)."""

    number: str
    received_at: datetime
    channel: str
    request_type: str
    category: str
    content: str
    requester_name: str = ""
    requester_phone: str = ""
    title: str = ""
    hotline: str | None = None  # original number of a merged hotline (e.g. 12315)
    urgency: str = Urgency.NORMAL
    address: str = ""
    location_unit_code: str | None = None  # district/street/community where it happened
    latitude: float | None = None
    longitude: float | None = None
    attachments: list[str] = field(default_factory=list)
    confidential: bool = False
    tags: list[str] = field(default_factory=list)  # "七有五性" dimensions (A7)
    requester_id: int | None = None  # recognised across tickets by a keyed hash (I8)
    identity_released_units: list[str] = field(default_factory=list)  # confidential: released to
    status: str = Status.RECEIVED
    round: int = 1  # handling round; grows when re-handling is ordered (退回重办)
    received_by_unit_code: str = ""
    # dispatch
    lead_unit_code: str | None = None
    supervising_unit_code: str | None = (
        None  # district government supervising a street (BJ Art. 12)
    )
    dispatched_at: datetime | None = None
    deadline_basis: str | None = None  # the policy rule that produced the deadlines
    contact_due: datetime | None = None
    completion_due: datetime | None = None
    warn_share: float = 0.8  # share of a deadline's time after which a yellow warning is due
    contact_warn_at: datetime | None = None
    completion_warn_at: datetime | None = None
    # handling
    acknowledged_at: datetime | None = None
    contacted_at: datetime | None = None
    objection_from_status: str | None = None
    consultation_due: datetime | None = None  # positions are collected until then (D4)
    objection_reason: str | None = None
    extension_requested_due: datetime | None = None
    extension_reason: str | None = None
    extension_count: int = 0
    urge_count: int = 0  # 督办
    whistle_round: int = 0  # how many whistles the street has raised on this ticket (H4)
    whistle_open: bool = False
    escalated_to: str | None = None  # the authority asked to coordinate (H5)
    escalated_from_status: str | None = None
    escalation_authorities: list[str] = field(default_factory=list)  # who ever coordinated it
    contest_kind: str | None = None  # H8, HH Art. 21
    contest_reason: str | None = None
    contest_status: str | None = None  # pending | accepted | rejected
    replied_at: datetime | None = None
    reply_outcome: str | None = None
    reply_text: str | None = None
    # intake outcomes
    answer_text: str | None = None
    referral_reason: str | None = None
    referral_destination: str | None = None
    referral_accepted: bool | None = None  # deployment policy: taken with guidance, or refused
    original_ticket_id: int | None = None  # a repeated request points at the first one
    merged_into_id: int | None = None  # 并单: the ticket that handles this one
    # follow-up
    visited_at: datetime | None = None
    visit_contacted: bool | None = None
    visit_solved: bool | None = None
    satisfaction: str | None = None
    closed_at: datetime | None = None
    co_handlers: list[CoHandlerTask] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    consultation: list[ConsultationInvite] = field(default_factory=list)
    whistle_calls: list[WhistleCall] = field(default_factory=list)
    visits: list[ReturnVisit] = field(default_factory=list)
    id: int | None = None
    version: int = 0

    def open_task_for(self, unit_code: str) -> CoHandlerTask | None:
        return next((t for t in self.co_handlers if t.unit_code == unit_code and t.is_open), None)

    def set_completion_due(self, due: datetime) -> None:
        """Move the completion deadline, and its yellow-warning time with it."""
        self.completion_due = due
        self.completion_warn_at = warn_time(self.dispatched_at, due, self.warn_share)

    def open_call_for(self, unit_code: str) -> WhistleCall | None:
        """The unit's unreported call of the open whistle, if any."""
        if not self.whistle_open:
            return None
        return next(
            (
                c
                for c in self.whistle_calls
                if c.unit_code == unit_code and c.is_open and c.whistle_round == self.whistle_round
            ),
            None,
        )

    def pending_visit(self, requester_ticket_id: int | None = None) -> ReturnVisit | None:
        """The pending visit of a merged request's requester, or (None) of the own one."""
        for v in reversed(self.visits):
            if v.status == VisitStatus.PENDING and v.requester_ticket_id == requester_ticket_id:
                return v
        return None

    def open_objection(self) -> Objection | None:
        return next((o for o in reversed(self.objections) if o.decision is None), None)

    def pending_invite_for(self, unit_code: str) -> ConsultationInvite | None:
        return next(
            (i for i in self.consultation if i.unit_code == unit_code and i.responded_at is None),
            None,
        )

    def is_co_handler(self, unit_code: str) -> bool:
        return any(t.unit_code == unit_code for t in self.co_handlers)


def warn_time(start: datetime | None, due: datetime | None, share: float) -> datetime | None:
    """When ``share`` of the time from ``start`` to ``due`` has passed (a yellow warning)."""
    if start is None or due is None:
        return None
    if due <= start:
        return due
    return start + (due - start) * share
