"""Commands at intake: answer directly, refer (with the reasons of BJ Art. 11), merge,
release a confidential requester's identity, reclassify."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from .base import Action, Command


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
