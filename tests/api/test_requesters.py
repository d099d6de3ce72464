"""Requesters recognised by a keyed phone hash, flagged when frequent, persuasion recorded
(I8, I9, S1, BJ Art. 9, 37) — and a frequent caller's new matter is still taken."""

from __future__ import annotations

from sqlalchemy import text

from jiesu.storage import crypto

from .helpers import create


def test_the_same_person_is_one_requester_without_the_number_in_clear(client, auth, ctx):
    a = create(client, auth, requester_phone="13800138000")
    b = create(client, auth, requester_phone="+86 138 0013 8000")
    with ctx.engine.connect() as conn:
        rows = conn.execute(text("SELECT requester_id, requester_phone FROM tickets")).all()
        stored = conn.execute(text("SELECT phone_hash, phone FROM requesters")).all()
    assert len({r.requester_id for r in rows}) == 1 and len(stored) == 1
    assert all(r.requester_phone.startswith("v1:") for r in rows)
    assert "13800138000" not in stored[0].phone and stored[0].phone_hash == crypto.phone_hash(
        "13800138000"
    )
    assert a["number"] != b["number"]


def test_frequent_caller_is_flagged_and_persuasion_recorded(client, auth, clock):
    first = create(client, auth, requester_phone="13700137000")
    r = client.get(
        "/api/requesters/lookup", params={"phone": "13700137000"}, headers=auth("operator")
    )
    assert r.status_code == 200 and r.json()["flagged"] is False
    for _ in range(2):
        clock.advance(hours=1)
        create(client, auth, requester_phone="13700137000")
    seen = client.get(
        "/api/requesters/lookup", params={"phone": "137-0013-7000"}, headers=auth("operator")
    ).json()
    day = next(w for w in seen["windows"] if w["days"] == 1)
    assert seen["flagged"] is True and day["count"] == 3 and day["threshold"] == 3
    assert [t["number"] for t in seen["recent"]][-1] == first["number"]
    note = client.post(
        f"/api/requesters/{seen['requester_id']}/notes",
        json={
            "kind": "persuasion",
            "note": "已告知不得反复拨打占用热线（条例第九条）",
            "ticket_number": first["number"],
        },
        headers=auth("operator"),
    )
    assert note.status_code == 201
    assert (
        note.json()["notes"][0]["note"].startswith("已告知")
        and note.json()["notes"][0]["ticket"] == first["number"]
    )
    # A new, legitimate matter from the same person is still taken.
    assert (
        create(client, auth, requester_phone="13700137000", content="小区门口路灯不亮")["status"]
        == "received"
    )
    # A day later the daily window no longer flags.
    clock.advance(days=2)
    later = client.get(
        "/api/requesters/lookup", params={"phone": "13700137000"}, headers=auth("operator")
    ).json()
    assert next(w for w in later["windows"] if w["days"] == 1)["count"] == 0


def test_requester_lookup_is_for_hotline_staff_only(client, auth):
    create(client, auth)
    r = client.get(
        "/api/requesters/lookup", params={"phone": "13800138000"}, headers=auth("donghua")
    )
    assert r.status_code == 403 and r.json()["code"] == "requester.forbidden"
    r = client.get(
        "/api/requesters/lookup", params={"phone": "13999999999"}, headers=auth("operator")
    )
    assert r.status_code == 404 and r.json()["code"] == "requester.not_found"
    r = client.post("/api/requesters/999/notes", json={"note": "x"}, headers=auth("operator"))
    assert r.status_code == 404
    r = client.post("/api/requesters/1/notes", json={"note": ""}, headers=auth("operator"))
    assert r.status_code == 422 and r.json()["code"] == "input.invalid"
