"""Reading what internet channels send: JSON, URL-encoded forms and multipart uploads.

Bodies are read as a stream with a cap. Multipart files go straight into
:class:`~jiesu.intake.attachments.StagedFile` as the bytes arrive, so a file over
the limit or of a forbidden type is refused after at most ``max_bytes`` (or
after its first few kilobytes), never after the whole upload has been
buffered. Text must be UTF-8: undecodable bytes are refused with
``input.encoding`` instead of being silently replaced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from jiesu.city.config import AttachmentPolicy
from jiesu.domain.errors import InvalidInput, JiesuError
from jiesu.intake.attachments import PayloadTooLarge, StagedFile, UnsupportedMediaType

#: A body without files (JSON, URL-encoded) and any single text field.
MAX_TEXT_BODY = 1024 * 1024
MAX_FIELD_BYTES = 128 * 1024
MAX_FIELDS = 200


class BadRequest(JiesuError):
    status = 400


@dataclass
class ChannelForm:
    """Text fields (each name may repeat) and the staged files, in the order sent."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[StagedFile] = field(default_factory=list)

    def discard(self) -> None:
        for staged in self.files:
            staged.discard()


def media_type(request: Request) -> tuple[str, dict[bytes, bytes]]:
    """The request's content type, lower-cased, and its parameters; refuses non-UTF-8 text."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    charset = params.get(b"charset", b"utf-8").decode("latin-1").lower()
    if charset not in ("utf-8", "utf8"):
        raise _encoding_error(f"charset {charset}")
    return ctype.decode("latin-1").lower(), params


def _encoding_error(where: str) -> BadRequest:
    return BadRequest(
        "input.encoding",
        f"提交的内容不是有效的 UTF-8 编码（{where}）",
        f"The request is not valid UTF-8 ({where})",
        where=where,
    )


def decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _encoding_error(where) from exc


async def read_body(request: Request, limit: int = MAX_TEXT_BODY) -> bytes:
    """The whole body, refused once it passes ``limit`` bytes."""
    length = request.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and (len(length) > 18 or int(length) > limit):
        raise _body_too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise _body_too_large(limit)
    return bytes(body)


def _body_too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        "input.too_large",
        f"提交的内容超过 {limit // 1024} KiB",
        f"The request body is larger than {limit // 1024} KiB",
        max_bytes=limit,
    )


async def read_json(request: Request) -> Any:
    text = decode(await read_body(request), "body")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(
            "input.bad_json",
            f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列",
            f"Malformed JSON at line {exc.lineno}, column {exc.colno}",
        ) from exc


async def read_urlencoded(request: Request) -> ChannelForm:
    text = decode(await read_body(request), "body")
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError as exc:
        raise _encoding_error("form field") from exc
    except ValueError as exc:
        raise _bad_form(str(exc)) from exc
    form = ChannelForm()
    for name, value in pairs:
        form.fields.setdefault(name, []).append(value)
    return form


def _bad_form(why: str) -> BadRequest:
    return BadRequest(
        "input.bad_form", f"表单格式错误：{why}", f"Malformed form data: {why}", problem=why
    )


class _Receiver:
    """Callbacks for python-multipart's streaming parser: text to fields, files to disk."""

    def __init__(self, root: Path, policy: AttachmentPolicy, max_files: int) -> None:
        self.root, self.policy, self.max_files = root, policy, max_files
        self.form = ChannelForm()
        self._headers: dict[bytes, bytes] = {}
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._name = ""
        self._file: StagedFile | None = None
        self._skip = False
        self._text = bytearray()

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": lambda d, s, e: self._header_name.extend(d[s:e]),
            "on_header_value": lambda d, s, e: self._header_value.extend(d[s:e]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self._headers, self._file, self._skip, self._text = {}, None, False, bytearray()

    def header_end(self) -> None:
        self._headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if b"name" not in options:
            raise _bad_form("a part without a name")
        self._name = decode(options[b"name"], "field name")
        if b"filename" not in options:
            if sum(len(v) for v in self.form.fields.values()) >= MAX_FIELDS:
                raise _bad_form("too many fields")
            return
        filename = decode(options[b"filename"], "file name")
        if not filename:  # a browser's empty file input
            self._skip = True
            return
        if len(self.form.files) >= self.max_files:
            raise InvalidInput(
                "attachment.too_many",
                f"最多上传 {self.max_files} 个附件",
                f"At most {self.max_files} attachments",
                max_files=self.max_files,
            )
        self._file = StagedFile(self.root, self.policy, filename)
        self.form.files.append(self._file)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._skip:
            return
        if self._file is not None:
            self._file.write(data[start:end])
            return
        self._text.extend(data[start:end])
        if len(self._text) > MAX_FIELD_BYTES:
            raise PayloadTooLarge(
                "input.too_large",
                f"字段“{self._name}”超过 {MAX_FIELD_BYTES // 1024} KiB",
                f"Field {self._name!r} is larger than {MAX_FIELD_BYTES // 1024} KiB",
                field=self._name,
            )

    def part_end(self) -> None:
        if self._skip:
            return
        if self._file is not None:
            self._file.finish()
        else:
            value = decode(bytes(self._text), f"field {self._name}")
            self.form.fields.setdefault(self._name, []).append(value)


async def read_multipart(
    request: Request,
    params: dict[bytes, bytes],
    root: Path,
    policy: AttachmentPolicy,
    max_files: int,
) -> ChannelForm:
    """Parse a multipart body as it arrives; on any error every staged file is removed."""
    boundary = params.get(b"boundary")
    if not boundary:
        raise _bad_form("no boundary")
    receiver = _Receiver(root, policy, max_files)
    try:
        parser = MultipartParser(boundary, receiver.callbacks())
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        if not all(staged.finished for staged in receiver.form.files):
            raise _bad_form("the body ended inside a file")
    except FormParserError as exc:
        receiver.form.discard()
        raise _bad_form("invalid multipart body") from exc
    except BaseException:
        receiver.form.discard()
        raise
    return receiver.form


async def read_form(
    request: Request, root: Path, policy: AttachmentPolicy, max_files: int
) -> ChannelForm:
    """A URL-encoded or multipart form; anything else is refused with 415."""
    ctype, params = media_type(request)
    if ctype == "multipart/form-data":
        return await read_multipart(request, params, root, policy, max_files)
    if ctype == "application/x-www-form-urlencoded":
        return await read_urlencoded(request)
    raise unsupported(ctype, ["multipart/form-data", "application/x-www-form-urlencoded"])


def unsupported(ctype: str, accepted: list[str]) -> UnsupportedMediaType:
    return UnsupportedMediaType(
        "input.content_type",
        f"不支持的内容类型“{ctype or '无'}”，请使用 {' 或 '.join(accepted)}",
        f"Unsupported content type {ctype or 'none'!r}; use {' or '.join(accepted)}",
        accepted=accepted,
    )
