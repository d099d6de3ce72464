"""Commands while a unit handles a ticket: acknowledge, contact the requester,
co-handlers, extensions, progress reports, contests, urging, whistles and escalation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from .base import Action, Command


class ContactMethod(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    VISIT = "visit"  # 上门
    ONLINE = "online"


class ContactOutcome(StrEnum):
    REACHED = "reached"
    UNREACHABLE = "unreachable"
    NOT_NEEDED = "not_needed"  # the requester asked not to be contacted


CONTACT_METHOD_LABELS_ZH = {
    ContactMethod.PHONE: "电话",
    ContactMethod.SMS: "短信",
    ContactMethod.VISIT: "上门",
    ContactMethod.ONLINE: "网络",
}
CONTACT_OUTCOME_LABELS_ZH = {
    ContactOutcome.REACHED: "已联系上",
    ContactOutcome.UNREACHABLE: "未联系上",
    ContactOutcome.NOT_NEEDED: "诉求人不需联系",
}


@dataclass(frozen=True)
class Acknowledge(Command):
    action: ClassVar[Action] = Action.ACKNOWLEDGE


@dataclass(frozen=True)
class Contact(Command):
    action: ClassVar[Action] = Action.CONTACT
    method: str = ContactMethod.PHONE
    outcome: str = ContactOutcome.REACHED
    note: str = ""


@dataclass(frozen=True)
class AddCoHandler(Command):
    action: ClassVar[Action] = Action.ADD_CO_HANDLER
    unit_code: str = ""
    task: str = ""
    due: datetime | None = None


@dataclass(frozen=True)
class CoHandlerReport(Command):
    action: ClassVar[Action] = Action.CO_HANDLER_REPORT
    report: str = ""


@dataclass(frozen=True)
class RequestExtension(Command):
    action: ClassVar[Action] = Action.REQUEST_EXTENSION
    proposed_due: datetime | None = None
    approval_required: bool = True
    max_extensions: int = 2


@dataclass(frozen=True)
class GrantExtension(Command):
    action: ClassVar[Action] = Action.GRANT_EXTENSION
    new_due: datetime | None = None  # defaults to the proposed date


@dataclass(frozen=True)
class RefuseExtension(Command):
    action: ClassVar[Action] = Action.REFUSE_EXTENSION


@dataclass(frozen=True)
class ProgressReport(Command):
    """阶段性反馈 by the lead or a co-handler (BJ Art. 14: late co-handlers explain)."""

    action: ClassVar[Action] = Action.PROGRESS_REPORT
    text: str = ""


@dataclass(frozen=True)
class ContestRequest(Command):
    """The unit contests an improper request, or records costs the law puts on the requester
    (H8, HH Art. 21); ``reason`` explains, the hotline decides."""

    action: ClassVar[Action] = Action.CONTEST_REQUEST
    kind: str = ""  # ContestKind
    evidence: str = ""


@dataclass(frozen=True)
class DecideContest(Command):
    action: ClassVar[Action] = Action.DECIDE_CONTEST
    accepted: bool = False


@dataclass(frozen=True)
class Urge(Command):
    """督办: a supervisor urges the units with a recorded note (``reason``)."""

    action: ClassVar[Action] = Action.URGE


@dataclass(frozen=True)
class RaiseWhistle(Command):
    """吹哨: a street summons departments with a report-in time (H4, BJ Art. 16)."""

    action: ClassVar[Action] = Action.RAISE_WHISTLE
    unit_codes: tuple[str, ...] = ()
    report_due: datetime | None = None


@dataclass(frozen=True)
class ReportIn(Command):
    """报到: a summoned department reports in and records what it does (``reason``)."""

    action: ClassVar[Action] = Action.REPORT_IN


@dataclass(frozen=True)
class CloseWhistle(Command):
    action: ClassVar[Action] = Action.CLOSE_WHISTLE


@dataclass(frozen=True)
class Escalate(Command):
    """分级协调: raise a ticket the unit cannot coordinate to an authority (H5, BJ Art. 20)."""

    action: ClassVar[Action] = Action.ESCALATE
    authority_unit_code: str = ""


@dataclass(frozen=True)
class DecideEscalation(Command):
    """The authority names the lead and co-handlers; the deadlines stand (the requester's
    clock does not restart because the units disagreed)."""

    action: ClassVar[Action] = Action.DECIDE_ESCALATION
    lead_unit_code: str = ""
    supervising_unit_code: str | None = None
    co_handlers: tuple[tuple[str, str, datetime], ...] = field(default_factory=tuple)
