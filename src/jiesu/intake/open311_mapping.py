"""Open311 GeoReport v2 in jiesu's terms: services, requests and statuses (I1).

* **Services** are the categories of the city's dispatch catalogue (派单目录), one
  each, grouped by their first-level category. Category codes are Chinese
  paths with ``/``, which cannot stand in a URL segment, so a service code is
  a short hash of the category code: stable as long as the category is.
* **A posted request** becomes a :class:`NewTicket`; request type, urgency and
  confidentiality come as the service's attributes.
* **A ticket** is shown as an Open311 request without anything that says who
  asked (S1): no name, phone or e-mail ever; what was written and where only
  to the client that filed it, and never for a confidential request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from pydantic import ValidationError

from jiesu.city.config import CityConfig
from jiesu.domain.errors import InvalidInput
from jiesu.domain.ticket import (
    REPLY_OUTCOME_LABELS_ZH,
    REQUEST_TYPE_LABELS_ZH,
    TERMINAL,
    URGENCY_LABELS_ZH,
    RequestType,
    Status,
    Urgency,
)

from .channels import check_content, location_text
from .public_view import PublicTicket
from .receive import NewTicket

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DEFAULT_REQUEST_TYPE = RequestType.HELP  # 求助: "please fix this", what civic-issue apps send


@dataclass(frozen=True)
class Service:
    code: str
    category: str
    name: str
    group: str
    description: str
    keywords: str
    request_types: tuple[str, ...]  # empty: every type

    def as_open311(self) -> dict[str, Any]:
        return {
            "service_code": self.code,
            "service_name": self.name,
            "description": self.description,
            "metadata": True,
            "type": "realtime",
            "keywords": self.keywords,
            "group": self.group,
        }


def service_code(category: str) -> str:
    return "c" + hashlib.sha256(category.encode()).hexdigest()[:12]


def services(city: CityConfig) -> list[Service]:
    """One service per catalogue category, in the order of the taxonomy."""
    entries: dict[str, list] = {}
    for entry in city.dispatch_catalogue:
        entries.setdefault(entry.category, []).append(entry)
    names = {c.code: c.name for c in city.categories}
    out = []
    for category in city.categories:
        rows = entries.get(category.code)
        if rows is None and (entries or "/" not in category.code):
            continue  # without a catalogue, every second-level category is a service
        parts = category.code.split("/")
        types = () if not rows or any(not r.request_types for r in rows) else rows[0].request_types
        notes = "；".join(r.note for r in rows or () if r.note)
        out.append(
            Service(
                code=service_code(category.code),
                category=category.code,
                name=category.name,
                group=names.get(parts[0], parts[0]),
                description=" › ".join(parts) + (f"（{notes}）" if notes else ""),
                keywords=",".join(parts),
                request_types=tuple(types),
            )
        )
    return out


def find_service(city: CityConfig, code: str) -> Service:
    for service in services(city):
        if service.code == code:
            return service
    raise InvalidInput(
        "service.unknown",
        f"服务代码“{code}”不存在",
        f"Unknown service_code {code!r}",
        field="service_code",
    )


def _values(labels: dict, keys) -> list[dict[str, str]]:
    return [{"key": str(k), "name": f"{labels[k]} {k}"} for k in keys]


def attributes(service: Service) -> list[dict[str, Any]]:
    """The service definition's attributes: request type, urgency, confidentiality (I3, H7, I9)."""
    types = [RequestType(t) for t in service.request_types] or list(RequestType)
    return [
        {
            "variable": True,
            "code": "request_type",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": f"default {_default_type(service)}",
            "order": 1,
            "description": "诉求类型 Request type",
            "values": _values(REQUEST_TYPE_LABELS_ZH, types),
        },
        {
            "variable": True,
            "code": "urgency",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "default normal",
            "order": 2,
            "description": "紧急程度 Urgency",
            "values": _values(URGENCY_LABELS_ZH, list(Urgency)),
        },
        {
            "variable": True,
            "code": "confidential",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "default false",
            "order": 3,
            "description": "为我保密 Keep my identity from the handling unit",
            "values": [{"key": "false", "name": "否 no"}, {"key": "true", "name": "是 yes"}],
        },
    ]


def definition(service: Service) -> dict[str, Any]:
    return {"service_code": service.code, "attributes": attributes(service)}


def _default_type(service: Service) -> str:
    types = service.request_types
    return str(DEFAULT_REQUEST_TYPE) if not types or DEFAULT_REQUEST_TYPE in types else types[0]


def _attributes_given(fields: dict[str, list[str]], service: Service) -> dict[str, str]:
    allowed = {a["code"]: {v["key"] for v in a["values"]} for a in attributes(service)}
    given: dict[str, str] = {}
    for name, values in fields.items():
        if not (name.startswith("attribute[") and name.endswith("]")):
            continue
        code, value = name[10:-1], (values[-1] if values else "").strip()
        if code not in allowed:
            raise InvalidInput(
                "attribute.unknown",
                f"服务没有属性“{code}”",
                f"The service has no attribute {code!r}",
                field=name,
            )
        if value and value not in allowed[code]:
            raise InvalidInput(
                "attribute.bad_value",
                f"属性“{code}”的取值“{value}”无效",
                f"{value!r} is not a value of attribute {code!r}",
                field=name,
                allowed=sorted(allowed[code]),
            )
        if value:
            given[code] = value
    return given


def _number(raw: str, name: str) -> float | None:
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise _invalid(name, "is not a number") from None


def _invalid(name: str, problem: str) -> InvalidInput:
    return InvalidInput(
        "input.invalid",
        f"提交的内容有误：{name} {problem}",
        f"Invalid input: {name}: {problem}",
        problems=[{"field": name, "problem": problem}],
    )


def _full_name(first: str, last: str) -> str:
    """Chinese names put the family name first and no space between."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return last + first
    return " ".join(p for p in (first, last) if p)


def new_ticket(
    city: CityConfig, fields: dict[str, list[str]], channel: str, service: Service
) -> NewTicket:
    """The ticket an Open311 POST asks for; e-mail, device and account ids are not kept."""

    def get(name: str) -> str:
        values = fields.get(name) or [""]
        return values[-1].strip()

    given = _attributes_given(fields, service)
    content = get("description")
    check_content(content)
    media_url = get("media_url")
    if media_url:
        parsed = urlparse(media_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or len(media_url) > 1000:
            raise _invalid("media_url", "is not an http(s) URL")
        # Not fetched (no requests to arbitrary addresses): kept for the operator to open.
        content = f"{content}\n\n媒体链接 media_url: {media_url}"
    lat, lon = _number(get("lat"), "lat"), _number(get("long"), "long")
    address = get("address_string") or location_text(lat, lon)
    try:
        return NewTicket(
            channel=channel,
            request_type=given.get("request_type", _default_type(service)),
            category=service.category,
            urgency=given.get("urgency", Urgency.NORMAL),
            content=content,
            requester_name=_full_name(get("first_name"), get("last_name")),
            requester_phone=get("phone"),
            address=address,
            location_unit_code=get("address_id") or None,
            latitude=lat,
            longitude=lon,
            confidential=given.get("confidential") == "true",
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        raise _invalid(".".join(str(p) for p in err["loc"]), err["msg"]) from exc


def open311_status(status: str) -> str:
    return "closed" if Status(status) in TERMINAL else "open"


def status_notes(ticket: PublicTicket) -> str:
    notes = f"{ticket.status_label_zh} {ticket.status_label_en}"
    if ticket.reply_outcome:
        notes += f"；办理结果：{REPLY_OUTCOME_LABELS_ZH.get(ticket.reply_outcome, '')}"
    return notes


def _w3c(city: CityConfig, value: datetime | None) -> str | None:
    return value.astimezone(city.tz).isoformat(timespec="seconds") if value else None


def to_request(city: CityConfig, ticket: PublicTicket, *, shown_to: str | None) -> dict[str, Any]:
    """A ticket as an Open311 service request; the request text only for the client that filed it."""
    lead = city.unit(ticket.lead_unit_code) if ticket.lead_unit_code else None
    own = shown_to is not None and shown_to == ticket.submitted_by and not ticket.confidential
    if ticket.completion_due:
        notice = f"须于 {_w3c(city, ticket.completion_due)} 前办结 Due by this time"
    else:
        notice = "已受理，按派单目录转办 Received; goes to the unit the dispatch catalogue names"
    return {
        "service_request_id": ticket.number,
        "status": open311_status(ticket.status),
        "status_notes": status_notes(ticket),
        "service_name": next(
            (c.name for c in city.categories if c.code == ticket.category), ticket.category
        ),
        "service_code": service_code(ticket.category),
        "description": ticket.content if own else None,
        "agency_responsible": (lead or city.unit(city.city.hotline_unit) or city.units[0]).name,
        "service_notice": notice,
        "requested_datetime": _w3c(city, ticket.received_at),
        "updated_datetime": _w3c(city, ticket.updated_at),
        "expected_datetime": _w3c(city, ticket.completion_due),
        "address": ticket.address if own else None,
        "address_id": ticket.location_unit_code if own else None,
        "zipcode": None,
        "lat": ticket.latitude if own else None,
        "long": ticket.longitude if own else None,
        "media_url": None,
    }
