"""Open311 GeoReport v2 at ``/open311/v2/``, so existing civic-issue apps can file into jiesu (I1).

Every resource answers in JSON or XML by its suffix, and every error in the
Open311 error format — ``[{"code", "description"}]`` or
``<errors><error><code/><description/></error></errors>`` — with jiesu's stable
code beside it (``jiesu_code``). Posting needs the ``api_key`` of an active
channel client of channel ``open311``; reading is open, and shows anyone the
status only, never who asked (S1).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from jiesu.context import Context
from jiesu.domain.errors import Forbidden, InvalidInput, JiesuError, NotFound
from jiesu.domain.ticket import TERMINAL, Channel, Status
from jiesu.intake import attachments, channels, public_view
from jiesu.intake import open311_mapping as o311
from jiesu.storage.types import EARLIEST_YEAR, LATEST_YEAR, within_years

from . import channel_forms
from .deps import ContextDep

#: When this interface's description last changed (the discovery document's ``changeset``).
CHANGESET = "2026-11-21T00:00:00+08:00"
MAX_RESULTS = 1000
MAX_RANGE = timedelta(days=90)
#: Open311 clients expect 400 for bad input and 403 for a bad api_key.
_STATUS = {422: 400, 401: 403}
#: The element name of each item of a list in the XML form.
_ITEMS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _fmt(request: Request) -> str:
    return "xml" if request.url.path.endswith(".xml") else "json"


def _xml_value(parent: ET.Element, tag: str, value: Any) -> None:
    node = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_value(node, key, item)
    elif isinstance(value, list):
        for item in value:
            _xml_value(node, _ITEMS.get(tag, "item"), item)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def render(request: Request, data: Any, root: str, item: str | None, status: int = 200) -> Response:
    """``data`` as JSON, or as XML under ``root`` with one ``item`` element per list entry."""
    if _fmt(request) == "json":
        body = json.dumps(data, ensure_ascii=False).encode()
        return Response(body, status, media_type="application/json; charset=utf-8")
    top = ET.Element(root)
    if item is None:
        for key, value in data.items():
            _xml_value(top, key, value)
    else:
        for entry in data:
            _xml_value(top, item, entry)
    body = ET.tostring(top, encoding="utf-8", xml_declaration=True)
    return Response(body, status, media_type="text/xml; charset=utf-8")


def error_response(request: Request, status: int, code: str, en: str, zh: str) -> Response:
    status = _STATUS.get(status, status)
    error = {"code": status, "description": f"{en} / {zh}", "jiesu_code": code}
    return render(request, [error], "errors", "error", status)


class Open311Route(APIRoute):
    """Routes whose every error leaves in the Open311 error format, in the requested format."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def wrapped(request: Request) -> Response:
            try:
                return await handler(request)
            except JiesuError as exc:
                return error_response(request, exc.status, exc.code, exc.message_en, exc.message_zh)
            except RequestValidationError as exc:
                en = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
                return error_response(request, 400, "input.invalid", en, "提交的内容有误")

        return wrapped


router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"], route_class=Open311Route)


def _check_format(fmt: str) -> None:
    if fmt not in ("json", "xml"):
        raise NotFound(
            "open311.format", f"不支持的格式“{fmt}”", f"Unknown format {fmt!r}; use json or xml"
        )


def _check_jurisdiction(ctx: Context, value: str | None) -> None:
    if value and value != ctx.city.city.code:
        raise NotFound(
            "open311.jurisdiction",
            f"本系统只服务辖区 {ctx.city.city.code}",
            f"This endpoint serves jurisdiction {ctx.city.city.code} only",
        )


@router.get("/discovery.{fmt}", summary="Open311 discovery")
def discovery(fmt: str, request: Request, ctx: ContextDep) -> Response:
    _check_format(fmt)
    data = {
        "changeset": CHANGESET,
        "contact": f"{ctx.city.city.name} 12345 市民服务热线 {ctx.hotline_unit.name}",
        "key_service": "API keys are issued by the hotline centre: jiesu channel add NAME "
        "--channel open311",
        "endpoints": [
            {
                "specification": o311.SPECIFICATION,
                "url": str(request.base_url).rstrip("/") + router.prefix,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(request, data, "discovery", None)


@router.get("/services.{fmt}", summary="Open311 service list")
def service_list(
    fmt: str, request: Request, ctx: ContextDep, jurisdiction_id: str | None = None
) -> Response:
    _check_format(fmt)
    _check_jurisdiction(ctx, jurisdiction_id)
    data = [s.as_open311() for s in o311.services(ctx.city)]
    return render(request, data, "services", "service")


@router.get("/services/{service_code}.{fmt}", summary="Open311 service definition")
def service_definition(
    service_code: str,
    fmt: str,
    request: Request,
    ctx: ContextDep,
    jurisdiction_id: str | None = None,
) -> Response:
    _check_format(fmt)
    _check_jurisdiction(ctx, jurisdiction_id)
    try:
        service = o311.find_service(ctx.city, service_code)
    except InvalidInput as exc:
        raise NotFound(exc.code, exc.message_zh, exc.message_en) from None
    return render(request, o311.definition(service), "service_definition", None)


def _post(ctx: Context, form: channel_forms.ChannelForm, header_key: str | None, key: str | None):
    fields = form.fields
    client = channels.authenticate(ctx.engine, (fields.get("api_key") or [header_key])[-1])
    if client.channel is not Channel.OPEN311:
        raise Forbidden(
            "channel.wrong_interface",
            "该渠道密钥不是 Open311 渠道的密钥",
            "This key belongs to a client that is not an open311 client",
        )
    _check_jurisdiction(ctx, (fields.get("jurisdiction_id") or [None])[-1])
    service = o311.find_service(ctx.city, (fields.get("service_code") or [""])[-1])
    data = o311.new_ticket(ctx.city, fields, str(client.channel), service)
    return channels.file_request(ctx, client, data, form.files, key)


@router.post("/requests.{fmt}", summary="Open311 POST service request")
async def post_request(fmt: str, request: Request, ctx: ContextDep) -> Response:
    _check_format(fmt)
    policy = ctx.city.intake_policy.attachments
    root = attachments.attachments_dir(ctx)
    form = await channel_forms.read_form(request, root, policy, policy.max_files)
    try:
        ticket, created = await run_in_threadpool(
            _post,
            ctx,
            form,
            request.headers.get(channels.KEY_HEADER),
            request.headers.get("idempotency-key"),
        )
    finally:
        form.discard()
    notice = "已受理，将按派单目录转相关单位办理 Received; it goes to the unit responsible"
    data = [
        {
            "service_request_id": ticket.number,
            "token": ticket.number,
            "service_notice": notice,
            "account_id": None,
        }
    ]
    return render(request, data, "service_requests", "request", 201 if created else 200)


def _when(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = within_years(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        raise InvalidInput(
            "input.invalid",
            f"{name} 不是 {EARLIEST_YEAR}–{LATEST_YEAR} 年间的 W3C 时间",
            f"{name} is not a W3C datetime in the years {EARLIEST_YEAR}–{LATEST_YEAR}",
            field=name,
        ) from None
    if parsed.tzinfo is None:
        raise InvalidInput(
            "input.naive_datetime", "时间须带时区", "Datetimes must carry a time zone", field=name
        )
    return parsed


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _statuses(value: str | None) -> list[str] | None:
    wanted = set(_split(value))
    if not wanted:
        return None
    if not wanted <= {"open", "closed"}:
        raise InvalidInput(
            "input.invalid",
            "status 只能是 open 或 closed",
            "status is open or closed",
            field="status",
        )
    return [str(s) for s in Status if ("closed" if s in TERMINAL else "open") in wanted]


def _viewer(ctx: Context, api_key: str | None) -> str | None:
    """A valid key lets its client see the text of what it filed; reading needs no key."""
    return channels.authenticate(ctx.engine, api_key).username if api_key else None


@router.get("/requests.{fmt}", summary="Open311 GET service requests")
def get_requests(
    fmt: str,
    request: Request,
    ctx: ContextDep,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
    jurisdiction_id: str | None = None,
    api_key: str | None = None,
) -> Response:
    _check_format(fmt)
    _check_jurisdiction(ctx, jurisdiction_id)
    viewer = _viewer(ctx, api_key)
    ids = _split(service_request_id)
    if ids:  # the ids override every other filter (GeoReport v2)
        found = public_view.find(ctx, numbers=ids, channel=str(Channel.OPEN311))
    else:
        end = _when(end_date, "end_date") or ctx.now()
        start = _when(start_date, "start_date") or end - MAX_RANGE
        if end - start > MAX_RANGE or end < start:
            raise InvalidInput(
                "open311.date_range",
                "start_date 与 end_date 须在 90 天之内且先后有序",
                "start_date and end_date must be in order and at most 90 days apart",
            )
        codes = _split(service_code)
        by_code = {s.code: s.category for s in o311.services(ctx.city)}
        found = public_view.find(
            ctx,
            categories=[by_code[c] for c in codes if c in by_code] if codes else None,
            statuses=_statuses(status),
            channel=str(Channel.OPEN311),
            received_from=start,
            received_to=end,
            limit=MAX_RESULTS,
        )
    data = [o311.to_request(ctx.city, t, shown_to=viewer) for t in found]
    return render(request, data, "service_requests", "request")


@router.get("/requests/{service_request_id}.{fmt}", summary="Open311 GET one service request")
def get_request(
    service_request_id: str,
    fmt: str,
    request: Request,
    ctx: ContextDep,
    jurisdiction_id: str | None = None,
    api_key: str | None = None,
) -> Response:
    _check_format(fmt)
    _check_jurisdiction(ctx, jurisdiction_id)
    viewer = _viewer(ctx, api_key)
    found = public_view.get(ctx, service_request_id, channel=str(Channel.OPEN311))
    if found is None:
        raise _no_request(service_request_id)
    return render(
        request, [o311.to_request(ctx.city, found, shown_to=viewer)], "service_requests", "request"
    )


def _no_request(number: str) -> NotFound:
    return NotFound("ticket.not_found", f"工单 {number} 不存在", f"Request {number} not found")


@router.get("/tokens/{token}.{fmt}", summary="Open311 service request id from a token")
def get_token(
    token: str, fmt: str, request: Request, ctx: ContextDep, jurisdiction_id: str | None = None
) -> Response:
    """jiesu creates the ticket at once, so a token is simply the request's id."""
    _check_format(fmt)
    _check_jurisdiction(ctx, jurisdiction_id)
    if public_view.get(ctx, token, channel=str(Channel.OPEN311)) is None:
        raise _no_request(token)
    data = [{"service_request_id": token, "token": token}]
    return render(request, data, "service_requests", "request")


@router.api_route("/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
def not_found(rest: str) -> Response:
    raise NotFound("http.not_found", "页面或接口不存在", "Not found")
