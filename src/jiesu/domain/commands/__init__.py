"""The commands a person can give a ticket: one frozen dataclass per lifecycle action.

A command carries what the actor supplied (and, for dispatch-like commands,
the deadlines the service computed from the deployment's policy); the
lifecycle decides whether it is allowed and what it changes.

The commands are grouped by the stage of the ticket's flow: :mod:`.intake`,
:mod:`.dispatch`, :mod:`.handling` and :mod:`.followup`, on the :class:`Action`
and :class:`Command` of :mod:`.base`. Import them from here:
``from jiesu.domain import commands as c`` then ``c.Dispatch``.
"""

from __future__ import annotations

from .base import (
    ACTION_LABELS_ZH,
    Action,
    Command,
)
from .dispatch import (
    Deadlines,
    DecideConsultation,
    Dispatch,
    GivePosition,
    RaiseObjection,
    RejectObjection,
    StartConsultation,
    UpholdObjection,
)
from .followup import (
    Close,
    RecordVisit,
    Reopen,
    Reply,
)
from .handling import (
    CONTACT_METHOD_LABELS_ZH,
    CONTACT_OUTCOME_LABELS_ZH,
    Acknowledge,
    AddCoHandler,
    CloseWhistle,
    CoHandlerReport,
    Contact,
    ContactMethod,
    ContactOutcome,
    ContestRequest,
    DecideContest,
    DecideEscalation,
    Escalate,
    GrantExtension,
    ProgressReport,
    RaiseWhistle,
    RefuseExtension,
    ReportIn,
    RequestExtension,
    Urge,
)
from .intake import (
    REFERRAL_REASON_LABELS_ZH,
    Absorb,
    AnswerDirectly,
    Merge,
    Reclassify,
    Refer,
    ReferralReason,
    ReleaseIdentity,
)

__all__ = [
    "ACTION_LABELS_ZH",
    "Absorb",
    "Acknowledge",
    "Action",
    "AddCoHandler",
    "AnswerDirectly",
    "CONTACT_METHOD_LABELS_ZH",
    "CONTACT_OUTCOME_LABELS_ZH",
    "Close",
    "CloseWhistle",
    "CoHandlerReport",
    "Command",
    "Contact",
    "ContactMethod",
    "ContactOutcome",
    "ContestRequest",
    "Deadlines",
    "DecideConsultation",
    "DecideContest",
    "DecideEscalation",
    "Dispatch",
    "Escalate",
    "GivePosition",
    "GrantExtension",
    "Merge",
    "ProgressReport",
    "REFERRAL_REASON_LABELS_ZH",
    "RaiseObjection",
    "RaiseWhistle",
    "Reclassify",
    "RecordVisit",
    "Refer",
    "ReferralReason",
    "RefuseExtension",
    "RejectObjection",
    "ReleaseIdentity",
    "Reopen",
    "Reply",
    "ReportIn",
    "RequestExtension",
    "StartConsultation",
    "UpholdObjection",
    "Urge",
]
