"""The commands a person can give a ticket: one frozen dataclass per lifecycle action.

A command carries what the actor supplied (and, for dispatch-like commands,
the deadlines the service computed from the deployment's policy); the
lifecycle decides whether it is allowed and what it changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar


class Action(StrEnum):
    RECEIVE = "receive"
    ANSWER_DIRECTLY = "answer_directly"
    REFER = "refer"
    DISPATCH = "dispatch"
    ACKNOWLEDGE = "acknowledge"
    RAISE_OBJECTION = "raise_objection"
    UPHOLD_OBJECTION = "uphold_objection"
    REJECT_OBJECTION = "reject_objection"
    CONTACT = "contact"
    ADD_CO_HANDLER = "add_co_handler"
    CO_HANDLER_REPORT = "co_handler_report"
    REQUEST_EXTENSION = "request_extension"
    GRANT_EXTENSION = "grant_extension"
    REFUSE_EXTENSION = "refuse_extension"
    REPLY = "reply"
    RECORD_VISIT = "record_visit"
    CLOSE = "close"
    REOPEN = "reopen"
    MERGE = "merge"
    ABSORB = "absorb"
    RELEASE_IDENTITY = "release_identity"
    RECLASSIFY = "reclassify"
    START_CONSULTATION = "start_consultation"
    GIVE_POSITION = "give_position"
    DECIDE_CONSULTATION = "decide_consultation"
    PROGRESS_REPORT = "progress_report"
    CONTEST_REQUEST = "contest_request"
    DECIDE_CONTEST = "decide_contest"
    URGE = "urge"
    RAISE_WHISTLE = "raise_whistle"
    REPORT_IN = "report_in"
    CLOSE_WHISTLE = "close_whistle"
    ESCALATE = "escalate"
    DECIDE_ESCALATION = "decide_escalation"

    @property
    def label_zh(self) -> str:
        return ACTION_LABELS_ZH[self]


ACTION_LABELS_ZH = {
    Action.RECEIVE: "登记受理",
    Action.ANSWER_DIRECTLY: "直接答复",
    Action.REFER: "分类处置",
    Action.DISPATCH: "派单",
    Action.ACKNOWLEDGE: "签收",
    Action.RAISE_OBJECTION: "提出派单异议",
    Action.UPHOLD_OBJECTION: "异议成立并重派",
    Action.REJECT_OBJECTION: "驳回异议",
    Action.CONTACT: "联系诉求人",
    Action.ADD_CO_HANDLER: "增加协办单位",
    Action.CO_HANDLER_REPORT: "协办反馈",
    Action.REQUEST_EXTENSION: "申请延期",
    Action.GRANT_EXTENSION: "同意延期",
    Action.REFUSE_EXTENSION: "不同意延期",
    Action.REPLY: "办结反馈",
    Action.RECORD_VISIT: "回访",
    Action.CLOSE: "结案",
    Action.REOPEN: "退回重办",
    Action.MERGE: "并单",
    Action.ABSORB: "并入工单",
    Action.RELEASE_IDENTITY: "披露诉求人身份",
    Action.RECLASSIFY: "修改分类",
    Action.START_CONSULTATION: "发起会商",
    Action.GIVE_POSITION: "回复会商意见",
    Action.DECIDE_CONSULTATION: "会商定派",
    Action.PROGRESS_REPORT: "阶段性反馈",
    Action.CONTEST_REQUEST: "申请认定诉求不合理或费用",
    Action.DECIDE_CONTEST: "认定不合理诉求申请",
    Action.URGE: "督办",
    Action.RAISE_WHISTLE: "吹哨",
    Action.REPORT_IN: "报到",
    Action.CLOSE_WHISTLE: "结束吹哨",
    Action.ESCALATE: "提请分级协调",
    Action.DECIDE_ESCALATION: "协调定责",
}


class ReferralReason(StrEnum):
    """The six cases of BJ Art. 11 (I5), plus hand-overs (I7)."""

    EMERGENCY = "emergency"  # 110/119/120/122
    LEGAL_CHANNEL = "legal_channel"  # 诉讼、仲裁、纪检监察、行政复议、信息公开、信访
    REPEATED = "repeated"  # 同一诉求无新情况
    SECRET_OR_PRIVACY = "secret_or_privacy"
    OUT_OF_SCOPE = "out_of_scope"  # 超出职责范围：市场、社会渠道
    ILLEGAL = "illegal"  # 违法、违背公序良俗
    HANDOVER = "handover"  # 其他平台、京津冀热线、志愿组织、在京单位


REFERRAL_REASON_LABELS_ZH = {
    ReferralReason.EMERGENCY: "紧急事项转紧急热线",
    ReferralReason.LEGAL_CHANNEL: "告知法定途径",
    ReferralReason.REPEATED: "重复诉求告知进展",
    ReferralReason.SECRET_OR_PRIVACY: "涉密涉隐私解释",
    ReferralReason.OUT_OF_SCOPE: "超出职责引导",
    ReferralReason.ILLEGAL: "违法违规劝导",
    ReferralReason.HANDOVER: "转其他平台",
}


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
class Command:
    action: ClassVar[Action]
    reason: str | None = None


@dataclass(frozen=True)
class AnswerDirectly(Command):
    action: ClassVar[Action] = Action.ANSWER_DIRECTLY
    answer: str = ""
    source: str | None = None  # knowledge-base article and version, when answered from one


@dataclass(frozen=True)
class Refer(Command):
    action: ClassVar[Action] = Action.REFER
    referral_reason: str = ""
    destination: str = ""
    accepted: bool = True  # Beijing takes it with guidance; a refusing city does not take it
    original_ticket_id: int | None = None  # for a repeated request: the first ticket
    original_number: str = ""
    original_progress: str = ""  # what the requester is told of the first ticket's progress


@dataclass(frozen=True)
class Deadlines:
    contact_due: datetime
    completion_due: datetime
    basis: str
    warn_share: float = 0.8  # yellow warning once this share of the time is used


@dataclass(frozen=True)
class Dispatch(Command):
    action: ClassVar[Action] = Action.DISPATCH
    lead_unit_code: str = ""
    supervising_unit_code: str | None = None
    deadlines: Deadlines | None = None
    co_handlers: tuple[tuple[str, str, datetime], ...] = field(default_factory=tuple)
    location_unit_code: str | None = None  # the place found by territory resolution (D3)
    suggestion: Mapping[str, Any] | None = None  # what was proposed: unit, score, model (D7)


@dataclass(frozen=True)
class Acknowledge(Command):
    action: ClassVar[Action] = Action.ACKNOWLEDGE


@dataclass(frozen=True)
class RaiseObjection(Command):
    action: ClassVar[Action] = Action.RAISE_OBJECTION
    grounds: str = "duty"  # ObjectionGrounds: duty 职责 | jurisdiction 管辖
    evidence: str = ""
    window_closes: datetime | None = None  # from the deployment's objection policy (D5)


@dataclass(frozen=True)
class UpholdObjection(Command):
    action: ClassVar[Action] = Action.UPHOLD_OBJECTION
    lead_unit_code: str = ""
    supervising_unit_code: str | None = None
    deadlines: Deadlines | None = None
    suggestion: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class RejectObjection(Command):
    action: ClassVar[Action] = Action.REJECT_OBJECTION


@dataclass(frozen=True)
class StartConsultation(Command):
    """Invite units to give their positions before the hotline dispatches (会商, D4)."""

    action: ClassVar[Action] = Action.START_CONSULTATION
    unit_codes: tuple[str, ...] = ()
    due: datetime | None = None


@dataclass(frozen=True)
class GivePosition(Command):
    """An invited unit's position; ``reason`` carries its opinion."""

    action: ClassVar[Action] = Action.GIVE_POSITION
    position: str = ""  # Position: lead | co_handle | not_ours


@dataclass(frozen=True)
class DecideConsultation(Command):
    """The hotline's decision after a consultation: a dispatch with the record kept."""

    action: ClassVar[Action] = Action.DECIDE_CONSULTATION
    lead_unit_code: str = ""
    supervising_unit_code: str | None = None
    deadlines: Deadlines | None = None
    co_handlers: tuple[tuple[str, str, datetime], ...] = field(default_factory=tuple)
    suggestion: Mapping[str, Any] | None = None


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
class Reply(Command):
    action: ClassVar[Action] = Action.REPLY
    outcome: str = ""
    text: str = ""
    attachments: tuple[str, ...] = ()  # photos, documents of what was done (stored first)
    visit_due: datetime | None = None  # by when the return visits are to be made (A1)
    merged_ticket_ids: tuple[int, ...] = ()  # requesters of merged tickets are visited too


@dataclass(frozen=True)
class RecordVisit(Command):
    """One attempt at a return visit: the requester reached and answering, or not reached
    (retried by policy, then recorded as unreachable) (A1)."""

    action: ClassVar[Action] = Action.RECORD_VISIT
    contacted: bool = True  # the requester's answer: did the unit contact you?
    solved: bool = True
    satisfaction: str = ""
    comment: str = ""
    reached: bool = True  # whether the visitor reached the requester at all
    requester_ticket_id: int | None = None  # a merged request's requester; None: the own
    channel: str = "phone"  # phone | sms | web
    max_attempts: int = 3
    retry_after: timedelta = timedelta(hours=4)


@dataclass(frozen=True)
class Close(Command):
    action: ClassVar[Action] = Action.CLOSE


@dataclass(frozen=True)
class Reopen(Command):
    action: ClassVar[Action] = Action.REOPEN
    deadlines: Deadlines | None = None


@dataclass(frozen=True)
class Merge(Command):
    """This ticket is handled as part of another (并单); its requester follows that one."""

    action: ClassVar[Action] = Action.MERGE
    into_ticket_id: int | None = None
    into_number: str = ""


@dataclass(frozen=True)
class Absorb(Command):
    """The other side of a merge: the handling ticket records the one merged into it."""

    action: ClassVar[Action] = Action.ABSORB
    merged_number: str = ""


@dataclass(frozen=True)
class ReleaseIdentity(Command):
    """The hotline releases a confidential requester's identity to a handling unit (S1)."""

    action: ClassVar[Action] = Action.RELEASE_IDENTITY
    unit_code: str = ""


@dataclass(frozen=True)
class Reclassify(Command):
    """The hotline corrects request type, category or "七有五性" tags (I3, A7)."""

    action: ClassVar[Action] = Action.RECLASSIFY
    request_type: str | None = None
    category: str | None = None
    tags: tuple[str, ...] | None = None


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
