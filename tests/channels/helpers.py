"""Helpers for the channel tests: a hand-made multipart body and a client on a variant city."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from jiesu.city.config import CityConfig
from jiesu.context import Context

REQUEST = {
    "request_type": "complaint",
    "category": "城市管理/噪声扰民",
    "title": "夜间施工噪声",
    "content": "和平里社区旁工地每天夜里十二点后还在施工，噪声很大，影响休息。",
    "requester_name": "李先生",
    "requester_phone": "13900139000",
    "address": "东区和平街道和平里社区",
    "location_unit_code": "990101002001",
}


def multipart(
    fields: list[tuple[str, str | bytes]], files: list[tuple[str, str, bytes]] = ()
) -> tuple[bytes, str]:
    """A multipart body written byte by byte, so a test can put invalid UTF-8 anywhere."""
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, value in fields:
        raw = value.encode() if isinstance(value, str) else value
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += raw + b"\r\n"
    for name, filename, data in files:
        out += (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def form_fields(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(k, str(v)) for k, v in data.items()]


def variant(city: CityConfig, **intake_policy: Any) -> CityConfig:
    """The test city with a different intake policy."""
    base = city.model_dump()
    base["intake_policy"] = {**base["intake_policy"], **intake_policy}
    return CityConfig.model_validate(base)


def client_for(ctx: Context, city: CityConfig) -> TestClient:
    from jiesu.api.app import create_app

    other = Context(engine=ctx.engine, city=city, clock=ctx.clock, calendar=ctx.calendar)
    return TestClient(create_app(other))
