"""The operator's "take a call" form (新建工单): its choices, and the posted form read as NewTicket."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from pydantic import ValidationError

from jiesu.city.config import CityConfig, UnitKind
from jiesu.domain.ticket import CHANNEL_LABELS_ZH, REQUEST_TYPE_LABELS_ZH, Channel, Urgency
from jiesu.intake.receive import NewTicket

from .forms import FormError, zh_errors
from .pickers import children
from .views import FIELD_LABELS_ZH, URGENCY_LABELS_ZH

TEXT_FIELDS = ("title", "content", "requester_name", "requester_phone", "address")
#: The form's labels: the field names of the timeline, with the form's own wording for two.
NEW_TICKET_LABELS = {
    **{name: FIELD_LABELS_ZH[name] for name in NewTicket.model_fields if name in FIELD_LABELS_ZH},
    "requester_name": "诉求人姓名",
    "address": "详细地址",
}


def blank() -> dict[str, str]:
    """The values of a fresh form: phone channel, normal urgency, a new idempotency key."""
    return {
        "channel": str(Channel.PHONE),
        "urgency": str(Urgency.NORMAL),
        "idempotency_key": secrets.token_urlsafe(18),
    }


def choices(city: CityConfig, values: Mapping[str, str]) -> dict:
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
    }


def parse(form: Mapping[str, str]) -> NewTicket:
    """The posted form as ``NewTicket`` (the city's own checks are left to ``receive``)."""
    data: dict = {}
    for name in ("channel", "request_type", "category", "urgency", "hotline"):
        value = (form.get(name) or "").strip()
        if value:
            data[name] = value
    if data.get("channel") != Channel.MERGED_HOTLINE:
        data.pop("hotline", None)  # the select stays filled when the channel changes back
    for name in TEXT_FIELDS:
        data[name] = (form.get(name) or "").strip()
    location = next(
        (form.get(k) for k in ("loc_community", "loc_street", "loc_district") if form.get(k)),
        None,
    )
    if location:
        data["location_unit_code"] = location
    data["confidential"] = form.get("confidential") in ("on", "true", "1")
    try:
        return NewTicket.model_validate(data)
    except ValidationError as exc:
        raise FormError(zh_errors(exc, labels=NEW_TICKET_LABELS)) from None
