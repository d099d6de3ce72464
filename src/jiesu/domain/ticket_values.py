"""The values a ticket's coded fields take, each with its Chinese label.

Status (with the terminal and the open-at-unit states), channel, request type,
urgency, the "七有五性" tags, reply outcome, satisfaction, and the codes of
objections, consultation positions, return visits and contested requests.
"""

from __future__ import annotations

from enum import StrEnum


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


class Position(StrEnum):
    LEAD = "lead"  # 应由本单位主办
    CO_HANDLE = "co_handle"  # 本单位可协办
    NOT_OURS = "not_ours"  # 非本单位职责或辖区


POSITION_LABELS_ZH = {
    Position.LEAD: "本单位主办",
    Position.CO_HANDLE: "本单位协办",
    Position.NOT_OURS: "非本单位职责",
}


class VisitStatus(StrEnum):
    PENDING = "pending"  # due, not yet answered
    ANSWERED = "answered"  # the requester answered
    UNREACHABLE = "unreachable"  # tried as often as the policy says, never reached


class ContestKind(StrEnum):
    IMPROPER = "improper"  # 诉求不合理：unreasonable, or against law or public order
    REQUESTER_COSTS = "requester_costs"  # 依法应由诉求人承担的费用


CONTEST_KIND_LABELS_ZH = {
    ContestKind.IMPROPER: "不合理诉求",
    ContestKind.REQUESTER_COSTS: "应由诉求人承担费用",
}
