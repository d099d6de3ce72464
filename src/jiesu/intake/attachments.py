"""Attachments of internet requests: images, video, voice and PDFs kept as files (I1, I2).

A file is judged by its content, never by its name: the first bytes are
sniffed with ``filetype`` (pure Python, no libmagic) and the type must be in
the city's ``intake_policy.attachments.allowed_types``. Files are streamed to
a temporary file under the attachments directory while they are hashed and
counted, so an oversized upload is refused as soon as it passes ``max_bytes``
without ever being held in memory. A file that passes is moved into place
atomically (``rename``) as ``<dir>/<aa>/<bb>/<sha256>``: identical content is
stored once, and a reader never sees half a file. The ``attachments`` table
keeps one row per stored file; a ticket refers to it by its SHA-256.

The row and the file are placed in one transaction, and a request that fails
later (an unknown category, say) takes back what it stored newly with
:func:`forget`, so nothing is left half-stored.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from sqlalchemy import Text, cast, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiesu.access import can_see
from jiesu.city.config import AttachmentPolicy
from jiesu.context import Context
from jiesu.domain.errors import InvalidInput, JiesuError, NotFound
from jiesu.domain.roles import HOTLINE_ROLES, Actor
from jiesu.storage import repository as repo
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

#: ``filetype`` looks at no more than this many leading bytes.
SNIFF_BYTES = 8192
CHUNK = 64 * 1024
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
ENV_DIR = "JIESU_ATTACHMENTS_DIR"

#: ``filetype`` names a few types by their older or unofficial names; the policy uses these.
_ALIASES = {
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/x-m4a": "audio/mp4",
    "audio/mp3": "audio/mpeg",
    "audio/x-amr": "audio/amr",
}


class PayloadTooLarge(JiesuError):
    status = 413


class UnsupportedMediaType(JiesuError):
    status = 415


@dataclass(frozen=True)
class StoredAttachment:
    """A stored file as a ticket refers to it; ``new`` is False when the content was known."""

    sha256: str
    media_type: str
    size: int
    original_name: str
    new: bool = False


def attachments_dir(ctx: Context) -> Path:
    """``$JIESU_ATTACHMENTS_DIR``, else ``attachments`` beside the SQLite file or in ./jiesu-data.

    Read on every call, so a deployment (or a test) can point it elsewhere without
    a field in the context.
    """
    explicit = os.environ.get(ENV_DIR)
    if explicit:
        return Path(explicit).resolve()
    url = ctx.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().parent / "attachments"
    return (Path("jiesu-data") / "attachments").resolve()


def blob_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256[2:4] / sha256


def sniff(head: bytes) -> str | None:
    """The media type the content shows, or None when it is not recognised."""
    kind = filetype.guess(bytes(head)) if head else None
    return None if kind is None else _ALIASES.get(kind.mime, kind.mime)


def clean_name(name: str | None) -> str:
    """The file name as a label only: no path, no control characters, at most 255 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return name.strip()[:255]


class StagedFile:
    """A file being received: written to a temporary file, hashed, counted and sniffed.

    ``write`` refuses the file the moment it passes ``max_bytes`` or, once the
    first bytes are in, when its content is not of an allowed type; the
    temporary file is removed then. Nothing reaches the database here.
    """

    def __init__(self, root: Path, policy: AttachmentPolicy, original_name: str = "") -> None:
        (root / "tmp").mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=root / "tmp", prefix="upload-")
        self._file: BinaryIO | None = os.fdopen(fd, "wb")
        self.path = Path(name)
        self.policy = policy
        self.original_name = clean_name(original_name)
        self.size = 0
        self.media_type: str | None = None
        self._hash = hashlib.sha256()
        self._head = bytearray()
        self._done = False

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    @property
    def finished(self) -> bool:
        return self._done

    def write(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.size > self.policy.max_bytes:
            self.discard()
            raise PayloadTooLarge(
                "attachment.too_large",
                f"文件“{self.original_name}”超过 {_mib(self.policy.max_bytes)} 的上限",
                f"File {self.original_name!r} is larger than {_mib(self.policy.max_bytes)}",
                file=self.original_name,
                max_bytes=self.policy.max_bytes,
            )
        if self.media_type is None and len(self._head) < SNIFF_BYTES:
            self._head.extend(data[: SNIFF_BYTES - len(self._head)])
            if len(self._head) >= SNIFF_BYTES:
                self._judge()
        self._hash.update(data)
        assert self._file is not None
        self._file.write(data)

    def finish(self) -> None:
        """The whole file is in: judge it if it was short. Made durable when placed."""
        if self.size == 0:
            self.discard()
            raise InvalidInput(
                "attachment.empty",
                f"文件“{self.original_name}”是空的",
                f"File {self.original_name!r} is empty",
                file=self.original_name,
            )
        if self.media_type is None:
            self._judge()
        assert self._file is not None
        self._file.flush()
        self._done = True

    def _judge(self) -> None:
        found = sniff(bytes(self._head))
        if found is None or found not in self.policy.allowed_types:
            self.discard()
            what = found or "unknown"
            raise UnsupportedMediaType(
                "attachment.type_not_allowed",
                f"文件“{self.original_name}”的内容类型（{what}）不在允许之列"
                "（按文件内容判断，与文件名无关）",
                f"File {self.original_name!r} is {what} by its content, which is not allowed",
                file=self.original_name,
                detected=found,
                allowed=list(self.policy.allowed_types),
            )
        self.media_type = found

    def place(self, final: Path) -> bool:
        """Move into ``final`` unless identical content is there; True if this call put it."""
        if final.exists():
            self.discard()
            return False
        assert self._file is not None
        os.fsync(self._file.fileno())  # the bytes are on disk before the name points at them
        self._file.close()
        self._file = None
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.path, final)  # atomic on one file system: readers see all or nothing
        return True

    def discard(self) -> None:
        self._done = False
        if self._file is not None:
            self._file.close()
            self._file = None
        self.path.unlink(missing_ok=True)


def stage(root: Path, policy: AttachmentPolicy, stream: BinaryIO, name: str = "") -> StagedFile:
    """Read ``stream`` chunk by chunk into a staged file (refused early when too large)."""
    staged = StagedFile(root, policy, name)
    try:
        while chunk := stream.read(CHUNK):
            staged.write(chunk)
        staged.finish()
    except BaseException:
        staged.discard()
        raise
    return staged


def commit(ctx: Context, staged: Sequence[StagedFile]) -> list[StoredAttachment]:
    """Store staged files: rows and files together, in one transaction.

    Each row is claimed (locked, or inserted) before its file is placed, so a
    concurrent :func:`forget` of the same content cannot remove the file under
    us. Files this call placed are removed again if the transaction fails.
    """
    root = attachments_dir(ctx)
    placed: list[Path] = []
    stored: list[StoredAttachment] = []
    try:
        with UnitOfWork(ctx.engine) as uow:
            now = ctx.now()
            for item in staged:
                assert item.finished and item.media_type, "finish() every staged file first"
                new = _claim(uow.session, item, now)
                final = blob_path(root, item.sha256)
                if item.place(final):
                    placed.append(final)
                stored.append(
                    StoredAttachment(
                        item.sha256, item.media_type, item.size, item.original_name, new
                    )
                )
            uow.commit()
    except BaseException:
        for path in placed:
            path.unlink(missing_ok=True)
        raise
    finally:
        for item in staged:
            item.discard()
    return stored


def store(ctx: Context, stream: BinaryIO, original_name: str = "") -> StoredAttachment:
    """Store one file from a binary stream and return its reference."""
    policy = ctx.city.intake_policy.attachments
    return commit(ctx, [stage(attachments_dir(ctx), policy, stream, original_name)])[0]


def _claim(session: Session, item: StagedFile, now) -> bool:
    """Lock the row of this content, or insert it; True when it is new."""
    table = tables.attachments
    query = select(table.c.sha256).where(table.c.sha256 == item.sha256).with_for_update()
    if session.execute(query).first() is not None:
        return False
    try:
        with session.begin_nested():  # a concurrent insert of the same content loses here
            session.execute(
                table.insert().values(
                    sha256=item.sha256,
                    media_type=item.media_type,
                    size=item.size,
                    original_name=item.original_name,
                    created_at=now,
                )
            )
    except IntegrityError:
        session.execute(query).first()
        return False
    return True


def _referencing(sha256: str):
    """Tickets whose attachment list names ``sha256`` (a hex digest cannot match by accident)."""
    return select(tables.tickets.c.number).where(
        cast(tables.tickets.c.attachments, Text).like(f"%{sha256}%")
    )


def forget(ctx: Context, sha256s: Iterable[str]) -> None:
    """Take back attachments a failed request stored newly, unless a ticket now refers to them.

    The row is locked, checked, deleted and its file removed before commit, so
    a concurrent upload of the same content waits and then stores it afresh.
    """
    wanted = list(dict.fromkeys(sha256s))
    if not wanted:
        return
    root = attachments_dir(ctx)
    table = tables.attachments
    with UnitOfWork(ctx.engine) as uow:
        for sha in wanted:
            locked = uow.session.execute(
                select(table.c.sha256).where(table.c.sha256 == sha).with_for_update()
            ).first()
            if locked is None or uow.session.execute(_referencing(sha)).first():
                continue
            uow.session.execute(delete(table).where(table.c.sha256 == sha))
            blob_path(root, sha).unlink(missing_ok=True)
        uow.commit()


def open_for(ctx: Context, actor: Actor, sha256: str) -> tuple[Path, StoredAttachment]:
    """The file and its row, for staff who may see a ticket that refers to it (S1).

    Hotline staff see every attachment; a unit sees those of the tickets it can
    see. To anyone else the attachment does not exist.
    """
    missing = NotFound(
        "attachment.not_found", f"附件 {sha256} 不存在", f"Attachment {sha256} not found"
    )
    if not SHA256_PATTERN.match(sha256):
        raise missing
    with UnitOfWork(ctx.engine, write=False) as uow:
        row = uow.session.execute(
            select(tables.attachments).where(tables.attachments.c.sha256 == sha256)
        ).first()
        if row is None:
            raise missing
        if actor.role not in HOTLINE_ROLES:
            numbers = uow.session.execute(_referencing(sha256)).scalars().all()
            if not any(can_see(repo.get_ticket(uow.session, n), actor) for n in numbers):
                raise missing
    path = blob_path(attachments_dir(ctx), sha256)
    if not path.is_file():
        raise missing
    return path, StoredAttachment(row.sha256, row.media_type, row.size, row.original_name)


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:g} MiB" if size >= 1024 * 1024 else f"{size} bytes"
