"""Small helpers that drive tickets through the API in tests."""

from __future__ import annotations

NEW_TICKET = {
    "channel": "phone",
    "request_type": "complaint",
    "category": "城乡建设/物业管理",
    "title": "小区电梯长期故障",
    "content": "东华社区3号楼电梯坏了两周，物业一直不修，老人上下楼困难。",
    "requester_name": "张女士",
    "requester_phone": "13800138000",
    "address": "东区东华街道东华社区3号楼",
    "location_unit_code": "990101001001",
}


def create(client, auth, **overrides) -> dict:
    r = client.post("/api/tickets", json={**NEW_TICKET, **overrides}, headers=auth("operator"))
    assert r.status_code == 201, r.text
    return r.json()


def act(client, auth, user: str, number: str, action: str, expect: int = 200, **body) -> dict:
    r = client.post(f"/api/tickets/{number}/{action}", json=body, headers=auth(user))
    assert r.status_code == expect, r.text
    return r.json()


def dispatched(client, auth, lead: str = "990101001", **overrides) -> dict:
    t = create(client, auth, **overrides)
    return act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code=lead)
