"""The records a ticket owns besides its own fields, as plain dataclasses.

Co-handler tasks, dispatch objections, consultation invites, whistle calls and
return visits; :class:`~jiesu.domain.ticket.Ticket` holds a list of each, and
``jiesu.storage.mapping`` maps them onto their tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .ticket_values import VisitStatus


@dataclass
class CoHandlerTask:
    """A co-handler (协办单位) with its own part of the work and its own deadline (H1)."""

    unit_code: str
    task: str
    due: datetime
    assigned_at: datetime
    report: str | None = None
    reported_at: datetime | None = None
    id: int | None = None
    ticket_id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.reported_at is None


@dataclass
class Objection:
    """A dispatch objection (派单异议) and the review's decision (D5, BJ Art. 12, 14)."""

    unit_code: str
    grounds: str
    reason: str
    evidence: str
    raised_at: datetime
    category: str  # the ticket's category when it was raised: objection rates per entry
    decision: str | None = None
    decided_at: datetime | None = None
    reviewer_username: str | None = None
    review_reason: str | None = None
    id: int | None = None
    ticket_id: int | None = None


@dataclass
class ConsultationInvite:
    """A unit invited to a consultation (会商) and the position it gave (D4, BJ Art. 12)."""

    unit_code: str
    invited_at: datetime
    due: datetime
    position: str | None = None
    opinion: str | None = None
    responded_at: datetime | None = None
    id: int | None = None
    ticket_id: int | None = None


@dataclass
class WhistleCall:
    """A department summoned by a street's whistle (吹哨报到, H4) and its report-in."""

    unit_code: str
    whistle_round: int
    summoned_at: datetime
    report_due: datetime
    reported_at: datetime | None = None
    action_taken: str | None = None
    id: int | None = None
    ticket_id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.reported_at is None


@dataclass
class ReturnVisit:
    """A return visit (回访) of one requester in one handling round (A1, BJ Art. 23).

    ``requester_ticket_id`` is None for the ticket's own requester; a merged request's
    requester is visited too, under the ticket that handled it (并单: per requester).
    """

    round: int
    due_at: datetime
    created_at: datetime
    requester_ticket_id: int | None = None
    status: str = VisitStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    channel: str | None = None  # phone | sms | web: how it was answered
    contacted: bool | None = None  # "did the unit contact you?"
    solved: bool | None = None
    satisfaction: str | None = None
    comment: str | None = None
    answered_at: datetime | None = None
    id: int | None = None
    ticket_id: int | None = None

    @property
    def is_primary(self) -> bool:
        return self.requester_ticket_id is None

    @property
    def is_final(self) -> bool:
        return self.status != VisitStatus.PENDING
