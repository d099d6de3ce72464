"""Open data, published (数据开放, G6; BJ Art. 34, seed 004; S1–S3): a month's requests
desensitised (:mod:`.open_data`) and kept as the file that was published.

Supervisors and admins publish an ended month: its CSV (with the BOM, as the office's
download) is computed once and stored gzip-compressed with its sha256 and counts, who
published it, when and why (``open_data_releases``). The public downloads exactly that file:
the same bytes every time, whatever happens to the month's tickets later (a citable,
reproducible file), and no scan of the month per download. Publishing a month again adds its
next version, with the office's note saying why; the newest version is the public one and
the earlier ones are *superseded*. Withdrawing a version (with a reason) takes it down; when
it is the month's newest, the month is not public at all until a further version is
published — a withdrawal never brings back the version it had replaced, which was replaced
for a reason. Nothing is deleted (S2).

Each publication and withdrawal queues one outbox message (``governance.open_data``)
carrying the release's metadata — month, version, sha256, rows, the path to fetch it — never
the data, for an adapter that feeds the city's open-data portal.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from jiesu.assessment.trends import month_label
from jiesu.context import Context
from jiesu.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, require_text
from jiesu.domain.roles import Actor, Role
from jiesu.storage import tables
from jiesu.storage.repository import queue_message
from jiesu.storage.types import is_row_number
from jiesu.storage.uow import UnitOfWork

from .open_data import HEADER, K, OpenData, open_data

TOPIC = "governance.open_data"
NOTE_MAX = 500
PUBLISHERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
PUBLISHED, SUPERSEDED, WITHDRAWN = "published", "superseded", "withdrawn"
STATUS_LABELS_ZH = {PUBLISHED: "已发布", SUPERSEDED: "已替换", WITHDRAWN: "已撤回"}
OD = tables.open_data_releases.c
_META = [c for c in tables.open_data_releases.c if c.name != "content"]

#: The data dictionary: each column of the file, its meaning in Chinese and in English.
DICTIONARY: tuple[tuple[str, str, str], ...] = (
    ("月份", "诉求受理的月份（YYYY-MM）", "the month the request was received (YYYY-MM)"),
    ("区", "诉求事项所在的区；为使每种组合至少有 k 行而放宽到全市时为空",
     "the district of the matter; empty where the row was coarsened to the whole city"),
    ("街道乡镇", "所在街道乡镇；少见的组合只保留到区，此列为空",
     "the street or township; empty where the row was coarsened to its district"),
    ("诉求类别", "事项分类，如“城乡建设/物业管理”；少见的组合只保留一级分类",
     "the matter's category, e.g. 城乡建设/物业管理; cut to its top level where rare"),
    ("诉求类型", "咨询、求助、投诉、举报、建议或表扬",
     "consultation, help, complaint, report, suggestion or praise"),
    ("渠道", "受理渠道（电话、网站、微信等）；少见的组合为空",
     "the channel it came by (phone, web, WeChat…); empty where the row was coarsened"),
    ("办理方式", "直接答复、转办告知、派单办理、合并办理或受理中",
     "answered directly, referred elsewhere, dispatched to a unit, merged, or still at intake"),
    ("主办单位类型", "主办单位的类型（如街道乡镇、区级部门），从不公布单位名称；未派单为空",
     "the kind of the lead unit (street, district department…), never its name; empty if none"),
    ("办结用时（天）", "从受理到办理答复的天数（向上取整）；直接答复、转办为 0；尚未答复为空",
     "days from receipt to the unit's reply, rounded up; 0 when answered or referred at "
     "once; empty while not replied"),
    ("是否解决", "回访时诉求人认为是否解决：是、否或未回访",
     "whether the requester said it was solved at the return visit: 是 yes, 否 no, 未回访 not visited"),
    ("满意度", "回访评价：满意、基本满意、不满意或未回访",
     "the return visit's evaluation: satisfied, basically satisfied, unsatisfied, or not visited"),
)  # fmt: skip
assert tuple(name for name, _, _ in DICTIONARY) == HEADER, "the dictionary follows the file"

#: What is never published, said on the public page and in the docs (S1).
NEVER_PUBLISHED_ZH = ("姓名、电话、地址、诉求标题和内容、工单编号、社区村、具体时间，"
                      "以及诉求人要求保密的诉求")  # fmt: skip


def url(label: str) -> str:
    """Where the public downloads the month's current file."""
    return f"/api/public/open-data/{label}.csv"


@dataclass(frozen=True)
class Release:
    id: int
    month: str
    version: int
    k: int
    size: int  # bytes of the CSV as downloaded
    sha256: str  # of the CSV as downloaded
    received: int
    confidential: int
    suppressed: int
    rows: int  # rows published
    by_level: tuple[int, ...]
    published_at: datetime
    published_by: str
    note: str
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdraw_reason: str | None
    status: str  # published (the month's public one), superseded or withdrawn

    @property
    def current(self) -> bool:
        return self.status == PUBLISHED

    @property
    def url(self) -> str:
        return url(self.month)


def _release(r, newest: int) -> Release:
    status = WITHDRAWN if r.withdrawn_at else (PUBLISHED if r.version == newest else SUPERSEDED)
    return Release(
        r.id, r.month, r.version, r.k, r.size, r.sha256, r.received, r.confidential,
        r.suppressed, r.rows_published, tuple(r.by_level), r.published_at, r.published_by,
        r.note, r.withdrawn_at, r.withdrawn_by, r.withdraw_reason, status,
    )  # fmt: skip


def _read(ctx: Context, *where, content: bool = False, public: bool = False) -> list:
    """Releases (with their status) and, with ``content``, their stored files; ``public``:
    only each month's newest version, if not withdrawn."""
    newest = select(OD.month, func.max(OD.version).label("v")).group_by(OD.month).subquery()
    query = (
        select(*_META, *([OD.content] if content else []), newest.c.v)
        .join_from(tables.open_data_releases, newest, newest.c.month == OD.month)
        .where(*where)
        .order_by(OD.month.desc(), OD.version.desc())
    )  # fmt: skip
    if public:
        query = query.where(OD.version == newest.c.v, OD.withdrawn_at.is_(None))
    with UnitOfWork(ctx.engine, write=False) as uow:
        rows = uow.session.execute(query).all()
    return [(_release(r, r.v), r.content if content else None) for r in rows]


def releases(ctx: Context) -> list[Release]:
    """Every version of every month, withdrawn ones too (for the office): newest first."""
    return [r for r, _ in _read(ctx)]


def current(ctx: Context) -> list[Release]:
    """Each month's public release: its newest version, unless that was withdrawn."""
    return [r for r, _ in _read(ctx, public=True)]


def _not_found(what: object) -> NotFound:
    return NotFound("open_data.not_found", f"{str(what)[:20]} 没有已发布的开放数据",
                    f"No open data published for {str(what)[:20]!r}")  # fmt: skip


def published(ctx: Context, label: str) -> Release:
    """The month's public release (without its file), else ``open_data.not_found``."""
    found = _read(ctx, OD.month == label, public=True)
    if not found:
        raise _not_found(label)
    return found[0][0]


def stored(ctx: Context, label: str) -> tuple[Release, bytes]:
    """The month's public release and its file as stored (the CSV gzip-compressed), else
    ``open_data.not_found``."""
    found = _read(ctx, OD.month == label, content=True, public=True)
    if not found:
        raise _not_found(label)
    return found[0]


def unpacked(gz: bytes, size: int = 1 << 16) -> Iterator[bytes]:
    """A stored file's CSV, ``size`` bytes at a time: a Beijing month is some 100 MB of CSV
    (4 MB stored), never held whole for one download."""
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # the gzip format
    for start in range(0, len(gz), size):
        chunk = inflate.decompress(gz[start : start + size])
        if chunk:
            yield chunk
    rest = inflate.flush()
    if rest:
        yield rest


def release_file(ctx: Context, release_id: int) -> bytes:
    """The CSV of one release as it was published, whatever has been published since."""
    found = _read(ctx, OD.id == release_id, content=True)
    if not found:
        raise _release_not_found(release_id)
    return b"".join(unpacked(found[0][1]))


# --- publishing and withdrawing ------------------------------------------------------------


def ensure_publisher(actor: Actor) -> None:
    """Supervisors and admins publish and withdraw; others ``open_data.forbidden``."""
    if actor.role not in PUBLISHERS:
        raise Forbidden("open_data.forbidden", "只有热线督办或管理员可以发布开放数据",
                        "Only hotline supervisors and admins may publish open data")  # fmt: skip


def month_of(label: str) -> str:
    """``label`` if it is a month (YYYY-MM), else ``open_data.bad_month``."""
    return month_label(label, "open_data.bad_month")


def publish(ctx: Context, actor: Actor, label: str, k: int = K, note: str = "") -> Release:
    """Publish the ended month ``label`` desensitised with ``k``: its first version, or with
    a ``note`` saying why, its next one (which supersedes the others)."""
    ensure_publisher(actor)
    label, note = month_of(label), (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput("input.invalid", f"说明最多 {NOTE_MAX} 字",
                           f"The note is at most {NOTE_MAX} characters")  # fmt: skip
    with UnitOfWork(ctx.engine, write=False) as uow:
        latest, widest = uow.session.execute(
            select(func.max(OD.version), func.max(OD.k)).where(OD.month == label)
        ).one()
    if latest and k < widest:  # the rows a smaller k adds could be told apart by comparison
        raise InvalidInput("open_data.k_lowered",
                           f"{label} 此前以 k = {widest} 发布，新版本的 k 不得更小",
                           f"{label} was published with k = {widest}; a new version may not "
                           "use a smaller k")  # fmt: skip
    if latest and not note:
        raise InvalidInput("open_data.note_required",
                           f"{label} 已发布过（第 {latest} 版），再次发布须说明理由",
                           f"{label} was published before (version {latest}); say why it is "
                           "published again")  # fmt: skip
    data = open_data(ctx, label, k)  # open_data.month_not_over, open_data.bad_k
    if data.received == 0:
        raise InvalidInput("open_data.no_requests", f"{label} 没有受理任何诉求，无可发布的数据",
                           f"No request was received in {label}: nothing to publish")  # fmt: skip
    packed, digest, size = _pack(data)
    d, now = data.disclosed, ctx.now()
    values = dict(
        month=label, version=(latest or 0) + 1, k=k, size=size, content=packed,
        sha256=digest, received=data.received,
        confidential=data.confidential, suppressed=d.suppressed, rows_published=len(d.rows),
        by_level=list(d.by_level), published_at=now, published_by=actor.username, note=note,
    )  # fmt: skip
    try:
        with UnitOfWork(ctx.engine) as uow:
            s = uow.session
            rid = s.execute(
                tables.open_data_releases.insert().values(**values).returning(OD.id)
            ).scalar_one()
            _notify(s, "published", rid, values, now)
            uow.commit()
    except IntegrityError as exc:  # someone published this version of the month meanwhile
        raise Conflict("open_data.concurrent", f"{label} 的开放数据刚被他人发布，请刷新后再试",
                       f"Someone else published {label} just now; reload and retry") from exc  # fmt: skip
    return _read(ctx, OD.id == rid)[0][0]


def _pack(data: OpenData) -> tuple[bytes, str, int]:
    """The file as stored (gzip, no time in its header, so the same rows make the same
    bytes), the sha256 and size of the CSV as downloaded: written line by line, so that a
    month of a million rows is never held as text."""
    out, digest, size = io.BytesIO(), hashlib.sha256(), 0
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6, mtime=0) as gz:
        for text in chain(["\ufeff"], data.lines()):  # the BOM: spreadsheets read the Chinese
            chunk = text.encode()
            digest.update(chunk)
            size += len(chunk)
            gz.write(chunk)
    return out.getvalue(), digest.hexdigest(), size


def withdraw(ctx: Context, actor: Actor, release_id: int, reason: str) -> Release:
    """Take a release down, with a reason; the month's others are not brought back."""
    ensure_publisher(actor)
    if not is_row_number(release_id):
        raise _release_not_found(release_id)
    require_text(reason, "撤回理由", "A reason for the withdrawal")
    reason, now = reason.strip(), ctx.now()
    if len(reason) > NOTE_MAX:
        raise InvalidInput("input.invalid", f"撤回理由最多 {NOTE_MAX} 字",
                           f"The reason is at most {NOTE_MAX} characters")  # fmt: skip
    table = tables.open_data_releases
    with UnitOfWork(ctx.engine) as uow:
        s = uow.session
        row = s.execute(select(*_META).where(OD.id == release_id)).first()
        if row is None:
            raise _release_not_found(release_id)
        done = s.execute(
            table.update().where(OD.id == release_id, OD.withdrawn_at.is_(None))
            .values(withdrawn_at=now, withdrawn_by=actor.username, withdraw_reason=reason)
        )  # fmt: skip
        if done.rowcount != 1:  # withdrawn before, or by someone else just now
            raise Conflict("open_data.withdrawn", f"该版本已于此前撤回（{row.month} 第 {row.version} 版）",
                           f"{row.month} version {row.version} was withdrawn already")  # fmt: skip
        _notify(s, "withdrawn", release_id, row._asdict(), now)
        uow.commit()
    return _read(ctx, OD.id == release_id)[0][0]


def _release_not_found(release_id: object) -> NotFound:
    return NotFound("open_data.not_found", f"开放数据发布记录 {str(release_id)[:20]} 不存在",
                    f"Open data release {str(release_id)[:20]} not found")  # fmt: skip


def _notify(s, event: str, release_id: int, r: dict, now: datetime) -> None:
    """One message for the open-data portal's adapter: what to fetch, never the rows; and
    whether the month is public after the event (a withdrawn superseded version leaves the
    month's current one up), with its current version."""
    newest = s.execute(select(OD.version, OD.withdrawn_at).where(OD.month == r["month"])
                       .order_by(OD.version.desc()).limit(1)).first()  # fmt: skip
    public = newest is not None and newest.withdrawn_at is None
    payload = {"template": f"open_data.{event}", "event": event, "release": release_id,
               "month": r["month"], "version": r["version"], "k": r["k"],
               "sha256": r["sha256"], "size": r["size"], "rows": r["rows_published"],
               "url": url(r["month"]), "month_public": public,
               "current_version": newest.version if public else None}  # fmt: skip
    queue_message(s, topic=TOPIC, ticket_id=None, payload=payload,
                  key=f"{TOPIC}:{release_id}:{event}", now=now)  # fmt: skip
