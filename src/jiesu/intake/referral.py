"""Classified handling (分类处置, BJ Art. 11; I5, I6, I7): what the requester is told in each case.

Each of the six cases, and the hand-overs, has its own reason code and its own
message. Whether such a request is taken with guidance (Beijing) or refused
(Hohhot draft) is the deployment's ``referral_policy.mode``.
"""

from __future__ import annotations

from jiesu.city.config import CityConfig, ReferralMode
from jiesu.domain.commands import ReferralReason
from jiesu.domain.ticket import Ticket

_MESSAGES = {
    ReferralReason.EMERGENCY: "您反映的情况属于紧急事项，已即时转至{destination}处理，请保持电话畅通。",
    ReferralReason.LEGAL_CHANNEL: "您反映的事项依法应通过{destination}办理，请通过该法定途径提出。",
    ReferralReason.REPEATED: "您反映的事项与工单{original}相同，该工单{progress}。如有新情况、新理由，请再次来电说明。",
    ReferralReason.SECRET_OR_PRIVACY: "您咨询的事项涉及国家秘密、商业秘密或个人隐私，依法不能提供，敬请谅解。{destination}",
    ReferralReason.OUT_OF_SCOPE: "您反映的事项超出政府部门职责范围，建议通过{destination}等市场或社会渠道解决。",
    ReferralReason.ILLEGAL: "您提出的要求不符合{destination}的规定，依法不予支持，请遵守相关规定。",
    ReferralReason.HANDOVER: "您的诉求已转交{destination}办理，对方将与您联系。",
}

_REFUSED = "根据本市热线管理规定，该诉求不予受理。"


def referral_accepted(city: CityConfig, reason: str) -> bool:
    """Beijing takes every request and guides; a refusing city does not take the six cases.

    Emergencies and hand-overs are always taken: they are passed on, not turned away.
    """
    if reason in (ReferralReason.EMERGENCY, ReferralReason.HANDOVER):
        return True
    return city.referral_policy.mode is ReferralMode.ACCEPT_WITH_GUIDANCE


def referral_message(ticket: Ticket, *, original: str = "", progress: str = "") -> str:
    """The text sent to the requester for a referred ticket."""
    reason = ReferralReason(ticket.referral_reason)
    text = _MESSAGES[reason].format(
        destination=ticket.referral_destination or "",
        original=original,
        progress=progress or "正在办理中",
    )
    if ticket.referral_accepted is False:
        text = _REFUSED + text
    return text
