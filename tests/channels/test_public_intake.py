"""The public intake API through HTTP: JSON and multipart, attachments, status, idempotency (I1, I2, I9)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from jiesu.storage import tables
from tests.api.helpers import act, create
from tests.channels import samples
from tests.channels.conftest import counts, stored_files
from tests.channels.helpers import REQUEST, form_fields


def _ticket(client, auth, number: str) -> dict:
    r = client.get(f"/api/tickets/{number}", headers=auth("operator"))
    assert r.status_code == 200, r.text
    return r.json()


def test_a_json_request_becomes_a_ticket_of_the_clients_channel(client, auth, portal):
    r = client.post("/api/public/requests", json=REQUEST, headers=portal)
    assert r.status_code == 201, r.text
    filed = r.json()
    assert filed["status"] == "received" and filed["status_label_zh"] == "已登记"
    assert filed["status_url"] == f"/api/public/requests/{filed['number']}"
    assert r.headers["Location"] == filed["status_url"]
    ticket = _ticket(client, auth, filed["number"])
    assert ticket["channel"] == "web" and ticket["hotline"] is None
    assert ticket["requester_name"] == "李先生" and ticket["category"] == "城市管理/噪声扰民"
    timeline = client.get(f"/api/tickets/{filed['number']}/timeline", headers=auth("operator"))
    first = timeline.json()[0]
    assert (first["actor_username"], first["actor_role"], first["actor_unit_code"]) == (
        "channel:portal",
        "operator",
        "hotline",
    )


def test_the_status_page_shows_the_status_only(client, auth, portal):
    number = client.post("/api/public/requests", json=REQUEST, headers=portal).json()["number"]
    act(client, auth, "dispatcher", number, "dispatch", lead_unit_code="990101.urban")
    r = client.get(f"/api/public/requests/{number}", headers=portal)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {
        "number",
        "status",
        "status_label_zh",
        "status_label_en",
        "received_at",
        "updated_at",
        "expected_by",
        "closed_at",
    }
    assert body["status"] == "dispatched" and body["expected_by"] is not None
    assert "李先生" not in r.text and "13900139000" not in r.text


def test_a_client_sees_only_what_it_filed(client, auth, portal, new_client):
    number = client.post("/api/public/requests", json=REQUEST, headers=portal).json()["number"]
    app_headers = {"X-Channel-Key": new_client("app", "app")}
    r = client.get(f"/api/public/requests/{number}", headers=app_headers)
    assert (r.status_code, r.json()["code"]) == (404, "ticket.not_found")
    phone = create(client, auth)["number"]  # taken by an operator on the phone
    assert client.get(f"/api/public/requests/{phone}", headers=portal).status_code == 404


def test_multipart_with_photo_voice_and_video(client, auth, portal, attachments_root):
    files = [
        ("files", ("现场.jpg", samples.jpeg(), "image/jpeg")),
        ("files", ("语音.amr", samples.amr(), "audio/amr")),
        ("files", ("clip.mov", samples.mov(), "video/quicktime")),
    ]
    r = client.post(
        "/api/public/requests", data=dict(form_fields(REQUEST)), files=files, headers=portal
    )
    assert r.status_code == 201, r.text
    digests = [hashlib.sha256(f[1][1]).hexdigest() for f in files]
    assert r.json()["attachments"] == digests
    assert _ticket(client, auth, r.json()["number"])["attachments"] == digests
    assert [p.name for p in stored_files(attachments_root)] == sorted(digests)
    with client.app.state.context.engine.connect() as conn:
        query = select(tables.attachments.c.sha256, tables.attachments.c.media_type)
        types = dict(tuple(r) for r in conn.execute(query))
    assert [types[d] for d in digests] == ["image/jpeg", "audio/amr", "video/quicktime"]
    # Staff read the file back with the type judged from its content.
    got = client.get(f"/api/attachments/{digests[1]}", headers=auth("operator"))
    assert got.status_code == 200 and got.content == samples.amr()
    assert got.headers["content-type"] == "audio/amr"
    assert got.headers["x-content-type-options"] == "nosniff"
    # A unit sees the files of its own tickets only.
    assert client.get(f"/api/attachments/{digests[1]}", headers=auth("donghua")).status_code == 404
    act(client, auth, "dispatcher", r.json()["number"], "dispatch", lead_unit_code="990101002")
    assert client.get(f"/api/attachments/{digests[1]}", headers=auth("heping")).status_code == 200
    assert client.get(f"/api/attachments/{digests[1]}").status_code == 401


def test_upload_first_then_refer_from_json(client, auth, portal):
    up = client.post(
        "/api/public/attachments",
        files=[("files", ("a.pdf", samples.pdf(), "application/pdf"))],
        headers=portal,
    )
    assert up.status_code == 201, up.text
    (stored,) = up.json()["attachments"]
    assert stored["media_type"] == "application/pdf" and stored["original_name"] == "a.pdf"
    r = client.post(
        "/api/public/requests", json={**REQUEST, "attachments": [stored["sha256"]]}, headers=portal
    )
    assert r.status_code == 201, r.text
    assert _ticket(client, auth, r.json()["number"])["attachments"] == [stored["sha256"]]


def test_the_same_file_twice_is_stored_once(client, portal, attachments_root):
    photo = samples.png(7)
    for name in ("one.png", "two.jpg"):
        r = client.post(
            "/api/public/attachments", files=[("files", (name, photo, "image/png"))], headers=portal
        )
        assert r.status_code == 201, r.text
    files = [("files", ("x.png", photo, "image/png")), ("files", ("y.png", photo, "image/png"))]
    r = client.post(
        "/api/public/requests", data=dict(form_fields(REQUEST)), files=files, headers=portal
    )
    assert r.status_code == 201, r.text
    digest = hashlib.sha256(photo).hexdigest()
    assert r.json()["attachments"] == [digest]
    assert len(stored_files(attachments_root)) == 1
    assert counts(client.app.state.context.engine) == (1, 1)


def test_a_retry_with_the_same_idempotency_key_returns_the_first_ticket(client, portal):
    headers = {**portal, "Idempotency-Key": "wechat-msg-8812"}
    files = [("files", ("v.mp3", samples.mp3(), "audio/mpeg"))]
    first = client.post(
        "/api/public/requests", data=dict(form_fields(REQUEST)), files=files, headers=headers
    )
    again = client.post(
        "/api/public/requests", data=dict(form_fields(REQUEST)), files=files, headers=headers
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    other = client.post(
        "/api/public/requests",
        json={**REQUEST, "content": "另一件事：路灯不亮了。"},
        headers=headers,
    )
    assert (other.status_code, other.json()["code"]) == (409, "idempotency.key_reused")
    assert counts(client.app.state.context.engine) == (1, 1)


def test_merged_hotline_tickets_keep_the_hotline_number(client, auth, new_client):
    headers = {"X-Channel-Key": new_client("market-12315", "merged_hotline")}
    r = client.post("/api/public/requests", json={**REQUEST, "hotline": "12315"}, headers=headers)
    assert r.status_code == 201, r.text
    ticket = _ticket(client, auth, r.json()["number"])
    assert (ticket["channel"], ticket["hotline"]) == ("merged_hotline", "12315")
    missing = client.post("/api/public/requests", json=REQUEST, headers=headers)
    assert missing.json()["code"] == "channel.unknown_hotline"
    web = client.post(
        "/api/public/requests",
        json={**REQUEST, "hotline": "12315"},
        headers={"X-Channel-Key": new_client("portal", "web")},
    )
    assert web.json()["code"] == "channel.hotline_without_channel"


def test_confidentiality_is_kept_from_the_handling_unit(client, auth, portal):
    body = {**REQUEST, "confidential": True}
    number = client.post("/api/public/requests", json=body, headers=portal).json()["number"]
    act(client, auth, "dispatcher", number, "dispatch", lead_unit_code="990101002")
    seen = client.get(f"/api/tickets/{number}", headers=auth("heping")).json()
    assert seen["requester_name"] == "（保密）" and seen["requester_phone"] == ""


def test_coordinates_without_an_address_are_written_out(client, auth, portal):
    body = {k: v for k, v in REQUEST.items() if k not in ("address", "location_unit_code")}
    body |= {"latitude": 39.9042, "longitude": 116.4074}
    number = client.post("/api/public/requests", json=body, headers=portal).json()["number"]
    ticket = _ticket(client, auth, number)
    assert ticket["address"] == "坐标 39.904200, 116.407400" and ticket["latitude"] == 39.9042
