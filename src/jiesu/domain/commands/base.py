"""The action every command names, with its Chinese label, and the base class of commands."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar


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


@dataclass(frozen=True)
class Command:
    action: ClassVar[Action]
    reason: str | None = None
