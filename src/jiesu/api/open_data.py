"""Open data, published (数据开放, G6): the office publishes, the public downloads.

The office (supervisors and admins):
``POST /api/governance/open-data/{month}/publish`` ``{k, note}`` publishes an ended month
(201, the release); ``GET /api/governance/open-data/releases`` lists every version, withdrawn
ones too; ``POST /api/governance/open-data/releases/{id}/withdraw`` ``{reason}`` takes one
down. ``GET /api/governance/open-data/{month}.csv`` (:mod:`.governance`) still previews a
month as it would be published now.

The public, without logging in: ``GET /api/public/open-data`` lists each month's current
release with the data dictionary; ``GET /api/public/open-data/{month}.csv`` gives its file
exactly as published (the same bytes every time, ``ETag`` their sha256; gzip-encoded as
stored when the client accepts it, so a download costs no scan and no decompression). See
:mod:`jiesu.governance.open_data_releases`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from jiesu.domain.roles import Actor
from jiesu.governance import open_data_releases as odr
from jiesu.governance.open_data import K
from jiesu.storage.types import MAX_INT

from .deps import ContextDep, role_guard

router = APIRouter(tags=["open data"])
OFFICE = "/api/governance/open-data"
PUBLIC = "/api/public/open-data"
CSV = "text/csv; charset=utf-8"
ReleaseId = Annotated[int, Path(ge=1, le=MAX_INT)]
_publisher = role_guard(
    odr.PUBLISHERS,
    "open_data.forbidden",
    "只有热线督办或管理员可以发布开放数据",
    "Only hotline supervisors and admins may publish open data",
)


class PublicReleaseOut(BaseModel):
    month: str
    version: int
    k: int = Field(description="every published combination is shared by at least k rows")
    rows: int
    published_at: datetime
    sha256: str = Field(description="of the CSV file as downloaded (with its BOM)")
    size: int = Field(description="bytes of the CSV file")
    url: str = Field(description="where to download it")
    received: int = Field(description="requests received in the month")
    confidential: int = Field(description="left out at the requester's wish")
    suppressed: int = Field(description="rarer than k at every level: not published")
    by_level: list[int] = Field(description="rows published at each level of coarsening")


class ReleaseOut(PublicReleaseOut):
    id: int
    published_by: str
    note: str
    status: str = Field(description="published, superseded or withdrawn")
    status_zh: str
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdraw_reason: str | None


class ColumnOut(BaseModel):
    name: str
    meaning_zh: str
    meaning_en: str


class PublicOpenData(BaseModel):
    releases: list[PublicReleaseOut]
    dictionary: list[ColumnOut]
    never_published_zh: str


def public_out(r: odr.Release) -> PublicReleaseOut:
    return PublicReleaseOut(month=r.month, version=r.version, k=r.k, rows=r.rows,
                            published_at=r.published_at, sha256=r.sha256, size=r.size, url=r.url,
                            received=r.received, confidential=r.confidential,
                            suppressed=r.suppressed, by_level=list(r.by_level))  # fmt: skip


def release_out(r: odr.Release) -> ReleaseOut:
    return ReleaseOut(
        **public_out(r).model_dump(), id=r.id, published_by=r.published_by,
        note=r.note, status=r.status, status_zh=odr.STATUS_LABELS_ZH[r.status],
        withdrawn_at=r.withdrawn_at, withdrawn_by=r.withdrawn_by,
        withdraw_reason=r.withdraw_reason,
    )  # fmt: skip


# --- the office ----------------------------------------------------------------------------


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    k: int = Field(default=K, ge=2, le=100)
    note: str = Field(default="", max_length=odr.NOTE_MAX,
                      description="why; required when the month was published before")  # fmt: skip


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=odr.NOTE_MAX)


@router.post(OFFICE + "/{month_}/publish", status_code=201,
             summary="发布开放数据 Publish a month's open data")  # fmt: skip
def publish(
    ctx: ContextDep,
    actor: Annotated[Actor, Depends(_publisher)],
    month_: Annotated[str, Path(max_length=16)],
    body: PublishIn | None = None,
) -> ReleaseOut:
    body = body or PublishIn()
    return release_out(odr.publish(ctx, actor, month_, body.k, body.note))


@router.get(OFFICE + "/releases", summary="开放数据发布记录 Every release, withdrawn ones too")
def releases(ctx: ContextDep, actor: Annotated[Actor, Depends(_publisher)]) -> list[ReleaseOut]:
    return [release_out(r) for r in odr.releases(ctx)]


@router.post(OFFICE + "/releases/{release_id}/withdraw",
             summary="撤回开放数据 Withdraw a release")  # fmt: skip
def withdraw(
    ctx: ContextDep, actor: Annotated[Actor, Depends(_publisher)], release_id: ReleaseId,
    body: WithdrawIn,
) -> ReleaseOut:  # fmt: skip
    return release_out(odr.withdraw(ctx, actor, release_id, body.reason))


# --- the public ----------------------------------------------------------------------------


@router.get(PUBLIC, summary="开放数据（公开）The months published, and the data dictionary")
def public_list(ctx: ContextDep) -> PublicOpenData:
    return PublicOpenData(
        releases=[public_out(r) for r in odr.current(ctx)],
        dictionary=[ColumnOut(name=n, meaning_zh=zh, meaning_en=en) for n, zh, en in odr.DICTIONARY],
        never_published_zh=odr.NEVER_PUBLISHED_ZH,
    )  # fmt: skip


def file_headers(r: odr.Release, etag: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="jiesu-open-data-{r.month}-v{r.version}.csv"',
        **_cache_headers(etag),
        "X-Open-Data-Version": str(r.version),
        "X-Open-Data-Received": str(r.received),
        "X-Open-Data-Confidential": str(r.confidential),
        "X-Open-Data-Suppressed": str(r.suppressed),
        "X-Open-Data-Levels": ",".join(str(n) for n in r.by_level),
    }


def _cache_headers(etag: str) -> dict[str, str]:
    # a month may be superseded or withdrawn: caches revalidate every time
    return {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}


def _accepts_gzip(request: Request) -> bool:
    """Whether ``Accept-Encoding`` names gzip (without ``q=0``)."""
    for part in request.headers.get("accept-encoding", "").lower().split(","):
        coding, _, params = part.partition(";")
        if coding.strip() == "gzip":
            q = params.replace(" ", "").removeprefix("q=")
            try:
                return not params.strip() or float(q) > 0
            except ValueError:
                return False
    return False


def _matches(request: Request, etag: str) -> bool:
    """``If-None-Match`` names this representation (weakly compared) or is ``*``."""
    tags = [
        t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")
    ]
    return "*" in tags or etag in tags


# HEAD (a portal checking for a new version) answers as GET without the body; it is left out
# of the schema, where an error's JSON body is promised and a HEAD answer carries none.
@router.head(PUBLIC + "/{month_}.csv", include_in_schema=False)
@router.get(PUBLIC + "/{month_}.csv", summary="下载开放数据 A month's file, as published")
def public_file(ctx: ContextDep, request: Request, month_: str) -> Response:
    """The stored file, never recomputed: to a client that accepts gzip as stored
    (``Content-Encoding: gzip``, nothing to decompress), else decompressed as it is sent,
    64 KB at a time; the same CSV either way. The ETag is its sha256 (``-gzip`` for the
    encoded form: its bytes differ); ``If-None-Match`` naming it answers 304."""
    label = odr.month_of(month_)  # open_data.bad_month
    gzipped = _accepts_gzip(request)
    r = odr.published(ctx, label)  # open_data.not_found: never published, or withdrawn

    def tag(r: odr.Release) -> str:
        return f'"{r.sha256}-gzip"' if gzipped else f'"{r.sha256}"'

    if _matches(request, tag(r)):  # answered without reading the file
        return Response(status_code=304, headers=_cache_headers(tag(r)))
    if request.method == "HEAD":
        extra = {"Content-Encoding": "gzip"} if gzipped else {"Content-Length": str(r.size)}
        return Response(media_type=CSV, headers=file_headers(r, tag(r)) | extra)
    r, gz = odr.stored(ctx, label)  # (a version published meanwhile: its own headers)
    headers = file_headers(r, tag(r))
    if gzipped:
        return Response(gz, media_type=CSV, headers=headers | {"Content-Encoding": "gzip"})
    return StreamingResponse(odr.unpacked(gz), media_type=CSV,
                             headers=headers | {"Content-Length": str(r.size)})  # fmt: skip
