"""Bad input to the public intake API: each gets its stable code and a message in Chinese and
English, and nothing is stored — no ticket, no attachment row, no file left on disk."""

from __future__ import annotations

import json

import pytest
import requests

from jiesu.intake import channels
from tests.channels import samples
from tests.channels.helpers import REQUEST, client_for, form_fields, multipart, variant

URL = "/api/public/requests"


def _json(body) -> dict:
    return {"json": body}


def _raw(body: bytes, ctype: str) -> dict:
    return {"content": body, "headers": {"Content-Type": ctype}}


def _with_files(data: dict, *files: tuple[str, bytes]) -> dict:
    body, ctype = multipart(form_fields(data), [("files", n, b) for n, b in files])
    return _raw(body, ctype)


PHOTO = ("photo.png", samples.png(3))
CASES = {
    "empty text": (_json({**REQUEST, "content": ""}), 422, "content.empty"),
    "whitespace text": (_json({**REQUEST, "content": " \n\t　 "}), 422, "content.empty"),
    "text over the limit": (
        _json({**REQUEST, "content": "吵" * (channels.CONTENT_LIMIT + 1)}),
        422,
        "content.too_long",
    ),
    "empty text with a file": (
        _with_files({**REQUEST, "content": ""}, PHOTO),
        422,
        "content.empty",
    ),
    "invalid UTF-8 JSON": (
        _raw(json.dumps(REQUEST).encode()[:-20] + b'\xff\xfe"}', "application/json"),
        400,
        "input.encoding",
    ),
    "invalid UTF-8 form field": (
        _raw(
            *multipart(
                [*form_fields(REQUEST), ("title", "夜间噪声".encode() + b"\xe6")],
                [("files", *PHOTO)],
            )
        ),
        400,
        "input.encoding",
    ),
    "a declared non-UTF-8 charset": (
        _raw(json.dumps(REQUEST).encode(), "application/json; charset=gbk"),
        400,
        "input.encoding",
    ),
    "malformed JSON": (_raw(b'{"content": ', "application/json"), 400, "input.bad_json"),
    "plain text body": (_raw(b"content=hello", "text/plain"), 415, "input.content_type"),
    "a field the channel may not set": (
        _json({**REQUEST, "urgency": "urgent"}),
        422,
        "input.invalid",
    ),
    "a .jpg name on a text file": (
        _with_files(REQUEST, ("现场.jpg", samples.text())),
        415,
        "attachment.type_not_allowed",
    ),
    "an executable named .png": (
        _with_files(REQUEST, PHOTO, ("photo2.png", samples.exe())),
        415,
        "attachment.type_not_allowed",
    ),
    "an ELF binary named .mp4": (
        _with_files(REQUEST, ("clip.mp4", samples.elf())),
        415,
        "attachment.type_not_allowed",
    ),
    "an empty file": (_with_files(REQUEST, ("empty.png", b"")), 422, "attachment.empty"),
    "too many files": (
        _with_files(REQUEST, *[(f"p{i}.png", samples.png(i)) for i in range(10)]),
        422,
        "attachment.too_many",
    ),
    "unknown category": (
        _with_files({**REQUEST, "category": "城市管理/不存在"}, PHOTO),
        422,
        "category.unknown",
    ),
    "unknown location unit": (
        _with_files({**REQUEST, "location_unit_code": "990199"}, PHOTO),
        422,
        "unit.unknown",
    ),
    "unknown attachment reference": (
        _json({**REQUEST, "attachments": ["ab" * 32]}),
        422,
        "attachment.unknown",
    ),
    "a reference that is no SHA-256": (
        _json({**REQUEST, "attachments": ["../../etc/passwd"]}),
        422,
        "input.invalid",
    ),
}


def _post(client, kwargs: dict, headers: dict):
    return client.post(URL, **{**kwargs, "headers": {**headers, **kwargs.get("headers", {})}})


def _check_error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code
    assert body["message_zh"] and body["message_en"]
    return body


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_and_nothing_is_stored(client, portal, nothing_stored, case):
    kwargs, status, code = CASES[case]
    _check_error(_post(client, kwargs, portal), status, code)
    nothing_stored()


def test_the_type_error_names_what_the_content_is(client, portal):
    r = _post(client, _with_files(REQUEST, ("photo.png", samples.exe())), portal)
    body = _check_error(r, 415, "attachment.type_not_allowed")
    assert body["details"]["detected"] == "application/x-msdownload"
    assert "image/png" in body["details"]["allowed"]


def test_a_file_over_the_limit(ctx, city, portal, nothing_stored):
    small = client_for(ctx, variant(city, attachments={"max_bytes": 64 * 1024}))
    big = samples.mp4() + bytes(100 * 1024)
    r = _post(small, _with_files(REQUEST, PHOTO, ("clip.mp4", big)), portal)
    body = _check_error(r, 413, "attachment.too_large")
    assert body["details"] == {"file": "clip.mp4", "max_bytes": 64 * 1024}
    up = small.post("/api/public/attachments", files=[("files", ("c.mp4", big))], headers=portal)
    _check_error(up, 413, "attachment.too_large")
    nothing_stored()


def test_missing_location_for_a_category_that_needs_one(ctx, city, portal, nothing_stored):
    strict = client_for(ctx, variant(city, location_required_categories=["城市管理"]))
    where = {k: v for k, v in REQUEST.items() if k not in ("address", "location_unit_code")}
    r = _post(strict, _with_files(where, PHOTO), portal)
    body = _check_error(r, 422, "location.required")
    assert "城市管理/噪声扰民" in body["message_zh"]
    nothing_stored()
    # Any of an address, a unit or a map point is a location.
    for given in ({"address": "和平里"}, {"location_unit_code": "990101002"}):
        assert strict.post(URL, json={**where, **given}, headers=portal).status_code == 201
    point = {**where, "latitude": 39.9, "longitude": 116.4}
    assert strict.post(URL, json=point, headers=portal).status_code == 201


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "channel.key_missing"),
        ({"X-Channel-Key": "jsk_not-a-key"}, 401, "channel.key_invalid"),
    ],
)
def test_without_a_valid_key(client, nothing_stored, headers, status, code):
    _check_error(client.post(URL, json=REQUEST, headers=headers), status, code)
    _check_error(client.get(f"{URL}/CS20261123000001", headers=headers), status, code)
    files = [("files", PHOTO)]
    _check_error(client.post("/api/public/attachments", files=files, headers=headers), status, code)
    nothing_stored()


def test_a_switched_off_client(client, ctx, portal, nothing_stored):
    channels.set_active(ctx.engine, "portal", False)
    _check_error(client.post(URL, json=REQUEST, headers=portal), 403, "channel.inactive")
    nothing_stored()
    channels.set_active(ctx.engine, "portal", True)
    assert client.post(URL, json=REQUEST, headers=portal).status_code == 201


def test_upload_without_files(client, portal, nothing_stored):
    body, ctype = multipart([("note", "nothing")])
    r = client.post(
        "/api/public/attachments", content=body, headers={**portal, "Content-Type": ctype}
    )
    _check_error(r, 422, "attachment.none")
    nothing_stored()


def test_an_oversized_upload_is_refused_over_a_real_connection(server, portal, nothing_stored):
    """Through uvicorn: the file part is refused once past ``max_bytes`` (20 MiB here), as it
    streams in; nothing of the 40 MiB is kept."""
    body, ctype = multipart(form_fields(REQUEST), [("files", "big.mp4", samples.mp4())])
    head, tail = body.split(samples.mp4())

    def chunks():
        yield head + samples.mp4()
        for _ in range(640):
            yield bytes(64 * 1024)
        yield tail

    r = requests.post(
        f"{server}{URL}", data=chunks(), headers={**portal, "Content-Type": ctype}, timeout=60
    )
    _check_error(r, 413, "attachment.too_large")
    nothing_stored()
