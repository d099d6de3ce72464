"""The operator's "take a call" form (新建工单): its choices, the posted form read as NewTicket,
and the one-step follow-ups the intake assistance offers (I3, I4, I5).

The assistance itself runs in the browser (``static/intake.js``) against the
API; what reaches the server is always this form. A follow-up button posts the
whole form to ``/tickets/new/<step>``: the request is recorded first, then the
step (answer from a knowledge-base article, emergency referral, merge, or for a
repeat of a ticket that has already ended, telling its result) is run
as the ticket's ordinary action, so a failed step never loses the ticket.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from jiesu.actions import ActionInput
from jiesu.city.config import CityConfig, UnitKind
from jiesu.domain.commands import Action, ReferralReason
from jiesu.domain.ticket import (
    CHANNEL_LABELS_ZH,
    LIVELIHOOD_TAG_LABELS_ZH,
    REQUEST_TYPE_LABELS_ZH,
    STATUS_LABELS_ZH,
    TERMINAL,
    Channel,
    Urgency,
)
from jiesu.intake.actions import AnswerInput
from jiesu.intake.classified import MergeInput, ReferInput
from jiesu.intake.receive import NewTicket, ProposalEcho
from jiesu.storage.types import whole_number

from .forms import FormError, zh_errors
from .pickers import children
from .views import FIELD_LABELS_ZH, URGENCY_LABELS_ZH

TEXT_FIELDS = ("title", "content", "requester_name", "requester_phone", "address")
#: The form's labels: the field names of the timeline, with the form's own wording for some.
NEW_TICKET_LABELS = {
    **{name: FIELD_LABELS_ZH[name] for name in NewTicket.model_fields if name in FIELD_LABELS_ZH},
    "requester_name": "诉求人姓名",
    "address": "详细地址",
    "tags": "七有五性标签",
}
#: 七有 and 五性, in the order of BJ Art. 2.
SEVEN_HAVES = (
    "childcare",
    "education",
    "employment",
    "medical",
    "elderly",
    "housing",
    "vulnerable",
)
TAG_GROUPS = (
    ("七有", [(c, LIVELIHOOD_TAG_LABELS_ZH[c]) for c in SEVEN_HAVES]),
    ("五性", [(c, t) for c, t in LIVELIHOOD_TAG_LABELS_ZH.items() if c not in SEVEN_HAVES]),
)
#: Hidden fields that carry the intake model's proposal back with the operator's choice.
PROPOSAL_FIELDS = ("request_type", "category", "tags", "model_version")
NOTE_KINDS_ZH = {"persuasion": "劝导", "warning": "警示", "note": "备注"}


def blank() -> dict[str, Any]:
    """The values of a fresh form: phone channel, normal urgency, a new idempotency key."""
    return {
        "channel": str(Channel.PHONE),
        "urgency": str(Urgency.NORMAL),
        "idempotency_key": secrets.token_urlsafe(18),
        "tags": [],
    }


def posted(form) -> dict[str, Any]:
    """The posted form as the page's values: strings, and the ticked tags as a list."""
    values: dict[str, Any] = {
        k: v for k, v in form.items() if isinstance(v, str) and k not in ("csrf_token", "tags")
    }
    values["tags"] = [t for t in form.getlist("tags") if isinstance(t, str) and t]
    return values


def choices(city: CityConfig, values: Mapping[str, Any]) -> dict:
    """Everything the form's selects offer; streets and communities only below the chosen parent."""

    def depth(code: str) -> int:
        return code.count("/")

    return {
        "channels": [(str(c), label) for c, label in CHANNEL_LABELS_ZH.items()],
        "hotlines": list(city.merged_hotlines.items()),
        "request_types": [(str(c), label) for c, label in REQUEST_TYPE_LABELS_ZH.items()],
        "urgencies": [(str(c), label) for c, label in URGENCY_LABELS_ZH.items()],
        "categories": [
            (c.code, ("\u3000" * depth(c.code)) + c.name, depth(c.code)) for c in city.categories
        ],
        "districts": [(u.code, u.name) for u in city.units if u.kind is UnitKind.DISTRICT],
        "streets": children(city, values.get("loc_district"), UnitKind.STREET),
        "communities": children(city, values.get("loc_street"), UnitKind.COMMUNITY),
        "tag_groups": TAG_GROUPS,
    }


def assist_config(city: CityConfig) -> dict[str, Any]:
    """What ``intake.js`` needs to word its panels: the city's zone, lines and labels."""
    return {
        "tz": city.city.timezone,
        "lines": dict(city.referral_policy.emergency_lines),
        "tags": LIVELIHOOD_TAG_LABELS_ZH,
        "types": {str(k): v for k, v in REQUEST_TYPE_LABELS_ZH.items()},
        "statuses": {str(k): v for k, v in STATUS_LABELS_ZH.items()},
        "categories": {c.code: c.code.replace("/", " / ") for c in city.categories},
        "terminal": sorted(str(s) for s in TERMINAL),  # ended: told its result, not merged into
        "notes": list(NOTE_KINDS_ZH.items()),  # a list: the order of the select (persuasion first)
    }


def _proposal(form: Mapping[str, Any]) -> ProposalEcho | None:
    """The echoed proposal, or None. It is training data only: a malformed echo is dropped
    rather than allowed to stop a call from being recorded."""
    raw = {name: str(form.get(f"proposal_{name}") or "").strip() for name in PROPOSAL_FIELDS}
    if not raw["model_version"]:
        return None
    data: dict[str, Any] = {k: v or None for k, v in raw.items() if k != "tags"}
    data["tags"] = [t for t in raw["tags"].split(",") if t]
    try:
        return ProposalEcho.model_validate(data)
    except ValidationError:
        return None


def parse(form: Mapping[str, Any]) -> NewTicket:
    """The posted form as ``NewTicket`` (the city's own checks are left to ``receive``)."""
    data: dict = {}
    for name in ("channel", "request_type", "category", "urgency", "hotline"):
        value = str(form.get(name) or "").strip()
        if value:
            data[name] = value
    if data.get("channel") != Channel.MERGED_HOTLINE:
        data.pop("hotline", None)  # the select stays filled when the channel changes back
    for name in TEXT_FIELDS:
        data[name] = str(form.get(name) or "").strip()
    location = next(
        (form.get(k) for k in ("loc_community", "loc_street", "loc_district") if form.get(k)),
        None,
    )
    if location:
        data["location_unit_code"] = location
    data["confidential"] = form.get("confidential") in ("on", "true", "1")
    data["tags"] = list(form.get("tags") or [])
    proposal = _proposal(form)
    if proposal is not None:
        data["proposal"] = proposal
    try:
        return NewTicket.model_validate(data)
    except ValidationError as exc:
        raise FormError(zh_errors(exc, labels=NEW_TICKET_LABELS)) from None


# --- one-step follow-ups -----------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """The action run right after the ticket is recorded, and how the pages word it."""

    action: Action
    data: ActionInput
    done: str  # flash text on success
    values: dict[str, str] = field(default_factory=dict)  # refills the action's form on failure

    @property
    def label(self) -> str:
        return self.action.label_zh

    def at_version(self, version: int) -> ActionInput:
        return self.data.model_copy(update={"expected_version": version})


STEPS = ("answer", "emergency", "merge", "repeat")


def _model(model: type[ActionInput], data: dict[str, Any], action: Action) -> ActionInput:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise FormError(zh_errors(exc, action)) from None


def follow_up(step: str, form: Mapping[str, Any], city: CityConfig) -> FollowUp:
    """The follow-up a button asked for, checked before anything is recorded (FormError)."""
    if step == "answer":
        raw = str(form.get("article_id") or "").strip()
        if whole_number(raw) is None:
            raise FormError(["知识库条目编号：须为数字"])
        data = _model(AnswerInput, {"article_id": int(raw)}, Action.ANSWER_DIRECTLY)
        return FollowUp(
            Action.ANSWER_DIRECTLY,
            data,
            f"已按知识库 KB-{raw} 直接答复",
            {"article_id": raw},
        )
    if step == "emergency":
        line = str(form.get("line") or "").strip()
        lines = city.referral_policy.emergency_lines
        if line not in lines:
            raise FormError([f"紧急热线：“{line or '未选择'}”不是本市的紧急热线"])
        words = str(form.get("risk_words") or "").strip()[:200]
        reason = f"话务员确认属紧急情形，转{line}（{lines[line]}）" + (
            f"；检测到：{words}" if words else ""
        )
        values = {
            "referral_reason": str(ReferralReason.EMERGENCY),
            "destination": f"{line} {lines[line]}",
            "reason": reason,
        }
        return FollowUp(
            Action.REFER,
            _model(ReferInput, values, Action.REFER),
            f"已按紧急情形转{line}（{lines[line]}）",
            values,
        )
    if step == "merge":
        into = str(form.get("into_number") or "").strip()
        values = {"into_number": into, "reason": "受理时识别为同一事项，并单办理"}
        return FollowUp(
            Action.MERGE, _model(MergeInput, values, Action.MERGE), f"已并入工单 {into}", values
        )
    if step == "repeat":  # a recent ticket already ended: tell its result, do not merge (I5)
        original = str(form.get("original_number") or "").strip()
        values = {
            "referral_reason": str(ReferralReason.REPEATED),
            "destination": f"告知原工单 {original} 的办理进展或结果",
            "original_number": original,
        }
        return FollowUp(
            Action.REFER,
            _model(ReferInput, values, Action.REFER),
            f"已按重复诉求告知原工单 {original} 的办理情况",
            values,
        )
    raise FormError([f"没有“{step}”这项受理后续操作"])
