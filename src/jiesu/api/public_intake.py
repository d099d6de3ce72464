"""The public intake API for the web portal, the app, WeChat and other internet channels (I1, I2).

A channel client authenticates with ``X-Channel-Key`` and files a request as
JSON (attachments uploaded first to ``/api/public/attachments``) or as one
multipart form with its files. The ticket is created by ``receive()``, the one
way tickets are made, as an operator ``channel:<name>`` of the hotline centre,
with the client's channel. The client can then read the status of what it
filed, and nothing else (I9, S1).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jiesu.domain.errors import InvalidInput, NotFound
from jiesu.domain.ticket import STATUS_LABELS_ZH, RequestType, Status
from jiesu.intake import attachments, channels, public_view
from jiesu.intake.channels import ChannelClient
from jiesu.intake.receive import NewTicket

from . import channel_forms
from .deps import ActorDep, ContextDep

router = APIRouter(prefix="/api/public", tags=["public intake 互联网渠道"])
staff_router = APIRouter(prefix="/api/attachments", tags=["attachments"])

_SHA256 = r"^[0-9a-f]{64}$"


def channel_client(
    ctx: ContextDep,
    x_channel_key: Annotated[str | None, Header(alias=channels.KEY_HEADER)] = None,
) -> ChannelClient:
    return channels.authenticate(ctx.engine, x_channel_key)


ClientDep = Annotated[ChannelClient, Depends(channel_client)]


class PublicRequestIn(BaseModel):
    """What a channel may send; the channel, urgency and tags are the hotline's to set."""

    model_config = ConfigDict(extra="forbid")

    request_type: RequestType = Field(
        default=RequestType.HELP, description="诉求类型 (default help 求助)"
    )
    category: str = Field(description="事项分类 code, e.g. 城乡建设/物业管理")
    title: str = ""
    content: str = Field(description="诉求内容, 2 to 20,000 characters")
    requester_name: str = ""
    requester_phone: str = ""
    address: str = ""
    location_unit_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    confidential: bool = Field(default=False, description="为我保密 (I9)")
    hotline: str | None = Field(default=None, description="merged-hotline clients: e.g. 12315")
    attachments: list[Annotated[str, Field(pattern=_SHA256)]] = Field(
        default_factory=list, description="SHA-256 references from /api/public/attachments"
    )


class AttachmentOut(BaseModel):
    sha256: str
    media_type: str
    size: int
    original_name: str


class AttachmentsOut(BaseModel):
    attachments: list[AttachmentOut]


class FiledOut(BaseModel):
    number: str
    status: str
    status_label_zh: str
    status_url: str
    attachments: list[str]


class StatusOut(BaseModel):
    number: str
    status: str
    status_label_zh: str
    status_label_en: str
    received_at: datetime
    updated_at: datetime
    expected_by: datetime | None
    closed_at: datetime | None


_MULTIPART_DOC: dict[str, Any] = {
    "type": "object",
    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
}
_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": PublicRequestIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {"allOf": [PublicRequestIn.model_json_schema(), _MULTIPART_DOC]}
            },
        },
    }
}


def to_new_ticket(body: Any, client: ChannelClient) -> NewTicket:
    """Check what a channel sent and make it a :class:`NewTicket` of the client's channel."""
    if not isinstance(body, dict):
        raise InvalidInput("input.invalid", "提交的内容须为对象", "The body must be an object")
    channels.check_content(body.get("content"))
    try:
        checked = PublicRequestIn.model_validate(body)
        values = checked.model_dump()
        if checked.latitude is not None and not checked.address.strip():
            values["address"] = channels.location_text(checked.latitude, checked.longitude)
        return NewTicket(channel=client.channel, **values)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in err["loc"]), "problem": err["msg"]}
            for err in exc.errors()
        ]
        raise InvalidInput(
            "input.invalid",
            "提交的内容有误：" + "；".join(f"{p['field']} {p['problem']}" for p in problems),
            "Invalid input: " + "; ".join(f"{p['field']}: {p['problem']}" for p in problems),
            problems=problems,
        ) from exc


def _form_body(fields: dict[str, list[str]]) -> dict[str, Any]:
    """Form fields as the JSON body would carry them (empty optional fields left out)."""
    body: dict[str, Any] = {}
    for name, values in fields.items():
        if name == "attachments":
            body[name] = [v for v in values if v]
        elif values and (values[0] or name in ("content", "category")):
            body[name] = values[0]
    return body


@router.post(
    "/requests",
    status_code=201,
    response_model=FiledOut,
    summary="提交诉求 File a request (JSON, or multipart with files)",
    openapi_extra=_REQUEST_BODY,
)
async def submit_request(
    request: Request,
    response: Response,
    ctx: ContextDep,
    client: ClientDep,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> FiledOut:
    policy = ctx.city.intake_policy.attachments
    ctype, params = channel_forms.media_type(request)
    form = None
    if ctype == "application/json":
        body = await channel_forms.read_json(request)
    elif ctype == "multipart/form-data":
        root = attachments.attachments_dir(ctx)
        form = await channel_forms.read_multipart(request, params, root, policy, policy.max_files)
        body = _form_body(form.fields)
    else:
        raise channel_forms.unsupported(ctype, ["application/json", "multipart/form-data"])
    try:
        data = to_new_ticket(body, client)
        ticket, created = await run_in_threadpool(
            channels.file_request, ctx, client, data, form.files if form else [], idempotency_key
        )
    finally:
        if form is not None:
            form.discard()
    if not created:
        response.status_code = 200
    status_url = f"/api/public/requests/{ticket.number}"
    response.headers["Location"] = status_url
    return FiledOut(
        number=ticket.number,
        status=str(ticket.status),
        status_label_zh=STATUS_LABELS_ZH[Status(ticket.status)],
        status_url=status_url,
        attachments=list(ticket.attachments),
    )


@router.get(
    "/requests/{number}", response_model=StatusOut, summary="诉求进度 Status of a filed request"
)
def request_status(number: str, ctx: ContextDep, client: ClientDep) -> StatusOut:
    found = public_view.get(ctx, number, submitted_by=client.username)
    if found is None:
        raise NotFound("ticket.not_found", f"工单 {number} 不存在", f"Ticket {number} not found")
    return StatusOut(
        number=found.number,
        status=str(found.status),
        status_label_zh=found.status_label_zh,
        status_label_en=found.status_label_en,
        received_at=found.received_at,
        updated_at=found.updated_at,
        expected_by=found.completion_due,
        closed_at=found.closed_at,
    )


@router.post(
    "/attachments",
    status_code=201,
    response_model=AttachmentsOut,
    summary="上传附件 Upload attachments (multipart `files`)",
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": _MULTIPART_DOC}}}},
)
async def upload_attachments(
    request: Request, ctx: ContextDep, client: ClientDep
) -> AttachmentsOut:
    return await _upload(request, ctx)


@staff_router.post(
    "",
    status_code=201,
    response_model=AttachmentsOut,
    summary="上传附件 Upload attachments (staff: replies, evidence)",
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": _MULTIPART_DOC}}}},
)
async def staff_upload(request: Request, ctx: ContextDep, actor: ActorDep) -> AttachmentsOut:
    return await _upload(request, ctx)


async def _upload(request: Request, ctx) -> AttachmentsOut:
    policy = ctx.city.intake_policy.attachments
    ctype, params = channel_forms.media_type(request)
    if ctype != "multipart/form-data":
        raise channel_forms.unsupported(ctype, ["multipart/form-data"])
    root = attachments.attachments_dir(ctx)
    form = await channel_forms.read_multipart(request, params, root, policy, policy.max_files)
    try:
        if not form.files:
            raise InvalidInput(
                "attachment.none", "请至少上传一个文件", "Upload at least one file", field="files"
            )
        stored = await run_in_threadpool(attachments.commit, ctx, form.files)
    finally:
        form.discard()
    return AttachmentsOut(
        attachments=[
            AttachmentOut(
                sha256=s.sha256, media_type=s.media_type, size=s.size, original_name=s.original_name
            )
            for s in stored
        ]
    )


@staff_router.get("/{sha256}", summary="读取附件 Read an attachment (staff)")
def read_attachment(sha256: str, ctx: ContextDep, actor: ActorDep) -> FileResponse:
    path, row = attachments.open_for(ctx, actor, sha256)
    return FileResponse(
        path,
        media_type=row.media_type,
        filename=row.original_name or row.sha256,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"},
    )
