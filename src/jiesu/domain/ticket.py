"""The ticket (诉求工单) and its timeline event, as plain dataclasses.

These classes carry no persistence logic; ``jiesu.storage.mapping`` maps them
onto tables imperatively, so the domain stays free of database imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    RECEIVED = "received"  # 已登记
    CONSULTING = "consulting"  # 会商中：units invited to give their positions before dispatch (D4)
    ANSWERED = "answered"  # 已直接答复
    REFERRED = "referred"  # 已分类处置（转办/告知）
    DISPATCHED = "dispatched"  # 已派单，待签收
    OBJECTED = "objected"  # 派单异议待审核
    ACKNOWLEDGED = "acknowledged"  # 已签收
    ESCALATED = "escalated"  # 协调中：raised to an authority that names the units (H5)
    IN_PROGRESS = "in_progress"  # 办理中（已联系诉求人）
    REPLIED = "replied"  # 已办结反馈
    VISITED = "visited"  # 已回访
    CLOSED = "closed"  # 已结案
    MERGED = "merged"  # 已并单：handled as part of another ticket

    @property
    def label_zh(self) -> str:
        return STATUS_LABELS_ZH[self]


STATUS_LABELS_ZH = {
    Status.RECEIVED: "已登记",
    Status.CONSULTING: "会商中",
    Status.ANSWERED: "已直接答复",
    Status.REFERRED: "已转办告知",
    Status.DISPATCHED: "待签收",
    Status.OBJECTED: "异议审核中",
    Status.ACKNOWLEDGED: "已签收",
    Status.ESCALATED: "提级协调中",
    Status.IN_PROGRESS: "办理中",
    Status.REPLIED: "已办结",
    Status.VISITED: "已回访",
    Status.CLOSED: "已结案",
    Status.MERGED: "已并单",
}

#: States in which nothing more happens to the ticket.
TERMINAL = frozenset({Status.ANSWERED, Status.REFERRED, Status.CLOSED, Status.MERGED})
#: States in which a unit holds the ticket and its deadlines run.
OPEN_AT_UNIT = frozenset(
    {Status.DISPATCHED, Status.OBJECTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.ESCALATED}
)


class Channel(StrEnum):
    PHONE = "phone"
    WEB = "web"
    APP = "app"
    WECHAT = "wechat"
    WEIBO = "weibo"
    EMAIL = "email"
    LETTER = "letter"
    MERGED_HOTLINE = "merged_hotline"  # 归并热线, e.g. 12315; the number is kept in ``hotline``
    API = "api"
    OPEN311 = "open311"


CHANNEL_LABELS_ZH = {
    Channel.PHONE: "电话",
    Channel.WEB: "网站",
    Channel.APP: "移动端",
    Channel.WECHAT: "微信",
    Channel.WEIBO: "微博",
    Channel.EMAIL: "电子邮件",
    Channel.LETTER: "信件",
    Channel.MERGED_HOTLINE: "归并热线",
    Channel.API: "接口",
    Channel.OPEN311: "Open311",
}


class RequestType(StrEnum):
    CONSULT = "consult"
    HELP = "help"
    COMPLAINT = "complaint"
    REPORT = "report"
    SUGGESTION = "suggestion"
    PRAISE = "praise"


REQUEST_TYPE_LABELS_ZH = {
    RequestType.CONSULT: "咨询",
    RequestType.HELP: "求助",
    RequestType.COMPLAINT: "投诉",
    RequestType.REPORT: "举报",
    RequestType.SUGGESTION: "建议",
    RequestType.PRAISE: "表扬",
}


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


URGENCY_LABELS_ZH = {Urgency.NORMAL: "一般", Urgency.URGENT: "紧急"}

#: The "七有五性" livelihood dimensions a ticket can be tagged with (BJ Art. 2, A7).
LIVELIHOOD_TAG_LABELS_ZH = {
    "childcare": "幼有所育",
    "education": "学有所教",
    "employment": "劳有所得",
    "medical": "病有所医",
    "elderly": "老有所养",
    "housing": "住有所居",
    "vulnerable": "弱有所扶",
    "convenience": "便利性",
    "livability": "宜居性",
    "diversity": "多样性",
    "fairness": "公正性",
    "safety": "安全性",
}


class ReplyOutcome(StrEnum):
    SOLVED = "solved"  # 已解决
    EXPLAINED = "explained"  # 已解释说明
    NOT_SOLVABLE_NOW = "not_solvable_now"  # 受客观条件制约暂时无法解决


REPLY_OUTCOME_LABELS_ZH = {
    ReplyOutcome.SOLVED: "已解决",
    ReplyOutcome.EXPLAINED: "已解释说明",
    ReplyOutcome.NOT_SOLVABLE_NOW: "暂时无法解决",
}


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意


SATISFACTION_LABELS_ZH = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY_SATISFIED: "基本满意",
    Satisfaction.UNSATISFIED: "不满意",
}


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


class ObjectionGrounds(StrEnum):
    DUTY = "duty"  # 职责异议：not this unit's duty by law or the catalogue
    JURISDICTION = "jurisdiction"  # 管辖异议：the place lies outside the unit's territory


OBJECTION_GROUNDS_LABELS_ZH = {
    ObjectionGrounds.DUTY: "职责异议",
    ObjectionGrounds.JURISDICTION: "管辖异议",
}


class ObjectionDecision(StrEnum):
    UPHELD = "upheld"  # 异议成立，重派
    REJECTED = "rejected"  # 异议不成立，退回原单位


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


class Position(StrEnum):
    LEAD = "lead"  # 应由本单位主办
    CO_HANDLE = "co_handle"  # 本单位可协办
    NOT_OURS = "not_ours"  # 非本单位职责或辖区


POSITION_LABELS_ZH = {
    Position.LEAD: "本单位主办",
    Position.CO_HANDLE: "本单位协办",
    Position.NOT_OURS: "非本单位职责",
}


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


class VisitStatus(StrEnum):
    PENDING = "pending"  # due, not yet answered
    ANSWERED = "answered"  # the requester answered
    UNREACHABLE = "unreachable"  # tried as often as the policy says, never reached


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


class ContestKind(StrEnum):
    IMPROPER = "improper"  # 诉求不合理：unreasonable, or against law or public order
    REQUESTER_COSTS = "requester_costs"  # 依法应由诉求人承担的费用


CONTEST_KIND_LABELS_ZH = {
    ContestKind.IMPROPER: "不合理诉求",
    ContestKind.REQUESTER_COSTS: "应由诉求人承担费用",
}


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
