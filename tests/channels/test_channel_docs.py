"""docs/channels.md covers every endpoint and error code of the internet channels."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent.parent
MODULES = [
    "intake/attachments.py",
    "intake/channels.py",
    "intake/open311_mapping.py",
    "api/channel_forms.py",
    "api/public_intake.py",
    "api/open311.py",
]


def test_every_error_code_is_documented():
    doc = (ROOT / "docs" / "channels.md").read_text(encoding="utf-8")
    codes: set[str] = set()
    for module in MODULES:
        text = (ROOT / "src" / "jiesu" / module).read_text(encoding="utf-8")
        codes |= set(re.findall(r'\(\s*"([a-z_0-9]+\.[a-z_]+)",', text))
    assert len(codes) > 25
    assert sorted(c for c in codes if f"`{c}`" not in doc) == []


#: OpenAPI path → how docs/channels.md names it.
ENDPOINTS = {
    "/api/public/requests": "POST /api/public/requests",
    "/api/public/requests/{number}": "GET /api/public/requests/{number}",
    "/api/public/attachments": "POST /api/public/attachments",
    "/api/attachments": "POST /api/attachments",
    "/api/attachments/{sha256}": "GET /api/attachments/{sha256}",
    "/open311/v2/discovery.{fmt}": "GET discovery.{json,xml}",
    "/open311/v2/services.{fmt}": "GET services.{json,xml}",
    "/open311/v2/services/{service_code}.{fmt}": "GET services/{code}.{json,xml}",
    "/open311/v2/requests.{fmt}": "POST requests.{json,xml}",
    "/open311/v2/requests/{service_request_id}.{fmt}": "GET requests/{id}.{json,xml}",
    "/open311/v2/tokens/{token}.{fmt}": "GET tokens/{token}.{json,xml}",
}


def test_every_endpoint_is_documented_and_in_openapi(client):
    doc = (ROOT / "docs" / "channels.md").read_text(encoding="utf-8")
    paths = client.get("/openapi.json").json()["paths"]
    assert [p for p in ENDPOINTS if p not in paths] == []
    assert [d for d in ENDPOINTS.values() if f"`{d}`" not in doc] == []
    assert "`GET requests.{json,xml}`" in doc
    mine = [p for p in paths if p.startswith(("/api/attachments", "/open311"))]
    assert sorted(mine) == sorted(p for p in ENDPOINTS if not p.startswith("/api/public"))
    body = paths["/api/public/requests"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
