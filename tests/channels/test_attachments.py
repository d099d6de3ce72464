"""Storing attachments: judged by content, streamed with a cap, stored once under their hash (I1)."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import select

from jiesu.city.config import AttachmentPolicy
from jiesu.domain.errors import NotFound
from jiesu.domain.roles import Actor, Role
from jiesu.intake import attachments
from jiesu.intake.receive import NewTicket, receive
from jiesu.storage import tables
from tests.api.helpers import NEW_TICKET
from tests.channels import samples
from tests.channels.conftest import counts, stored_files


@pytest.mark.parametrize("name", sorted(samples.ALLOWED))
def test_every_allowed_kind_is_recognised_by_its_content(name):
    make, media_type = samples.ALLOWED[name]
    assert attachments.sniff(make()) == media_type


def test_store_writes_once_under_the_content_hash(ctx, attachments_root):
    data = samples.png()
    digest = hashlib.sha256(data).hexdigest()
    first = attachments.store(ctx, io.BytesIO(data), "现场照片.png")
    again = attachments.store(ctx, io.BytesIO(data), "another-name.jpg")
    assert (first.sha256, first.media_type, first.size, first.new) == (
        digest,
        "image/png",
        len(data),
        True,
    )
    assert again.sha256 == digest and not again.new
    path = attachments_root / digest[:2] / digest[2:4] / digest
    assert stored_files(attachments_root) == [path]
    assert path.read_bytes() == data
    with ctx.engine.connect() as conn:
        row = conn.execute(select(tables.attachments)).one()
    assert (row.media_type, row.size, row.original_name) == ("image/png", len(data), "现场照片.png")


def test_the_name_is_a_label_only(ctx):
    stored = attachments.store(ctx, io.BytesIO(samples.amr()), "../../etc/语音\x00.amr")
    assert stored.original_name == "语音.amr"


class Endless:
    """A stream that never ends; counts what was read from it."""

    def __init__(self, head: bytes) -> None:
        self.head, self.given = head, 0

    def read(self, size: int) -> bytes:
        chunk = self.head[:size] if self.given == 0 else bytes(size)
        self.given += len(chunk)
        return chunk


def test_an_oversized_file_is_refused_while_streaming(ctx, attachments_root):
    policy = AttachmentPolicy(max_bytes=256 * 1024)
    stream = Endless(samples.mp4())
    with pytest.raises(attachments.PayloadTooLarge) as caught:
        attachments.stage(attachments_root, policy, stream)
    assert caught.value.code == "attachment.too_large"
    # Reading stopped just past the limit: the file was never taken in whole.
    assert stream.given <= policy.max_bytes + 2 * attachments.CHUNK
    assert stored_files(attachments_root) == []


def test_forbidden_content_is_refused_after_its_first_bytes(attachments_root):
    stream = Endless(samples.exe())
    with pytest.raises(attachments.UnsupportedMediaType) as caught:
        attachments.stage(attachments_root, AttachmentPolicy(), stream, "a.png")
    assert caught.value.code == "attachment.type_not_allowed"
    assert caught.value.details["detected"] == "application/x-msdownload"
    assert stream.given <= attachments.SNIFF_BYTES + 2 * attachments.CHUNK
    assert stored_files(attachments_root) == []


def test_a_type_outside_the_policy_is_refused_even_if_recognised(ctx, attachments_root):
    policy = AttachmentPolicy(allowed_types=("image/png",))
    with pytest.raises(attachments.UnsupportedMediaType):
        attachments.stage(attachments_root, policy, io.BytesIO(samples.jpeg()), "x.png")
    assert stored_files(attachments_root) == []


def test_forget_takes_back_unreferenced_files_only(ctx, attachments_root):
    kept = attachments.store(ctx, io.BytesIO(samples.png(1)))
    gone = attachments.store(ctx, io.BytesIO(samples.png(2)))
    operator = Actor(None, "operator", Role.OPERATOR, "hotline")
    receive(ctx, operator, NewTicket(**NEW_TICKET, attachments=[kept.sha256]))
    attachments.forget(ctx, [kept.sha256, gone.sha256])
    assert [p.name for p in stored_files(attachments_root)] == [kept.sha256]
    assert counts(ctx.engine) == (1, 1)


def test_staff_read_back_by_visibility(ctx):
    stored = attachments.store(ctx, io.BytesIO(samples.pdf()), "证明.pdf")
    operator = Actor(1, "operator", Role.OPERATOR, "hotline")
    path, row = attachments.open_for(ctx, operator, stored.sha256)
    assert path.read_bytes() == samples.pdf() and row.media_type == "application/pdf"
    street = Actor(5, "donghua", Role.UNIT_HANDLER, "990101001")
    with pytest.raises(NotFound):  # no ticket of this unit refers to it
        attachments.open_for(ctx, street, stored.sha256)
    with pytest.raises(NotFound):
        attachments.open_for(ctx, operator, "../../etc/passwd")


def test_default_folder_is_beside_the_sqlite_file(ctx, monkeypatch):
    monkeypatch.delenv("JIESU_ATTACHMENTS_DIR")
    if ctx.engine.dialect.name == "sqlite":
        expected = attachments.Path(ctx.engine.url.database).resolve().parent / "attachments"
    else:
        expected = attachments.Path("jiesu-data/attachments").resolve()
    assert attachments.attachments_dir(ctx) == expected
