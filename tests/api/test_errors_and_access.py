"""Bad input, roles and units, concurrency and idempotency through the API."""

from __future__ import annotations

from .helpers import NEW_TICKET, act, create, dispatched


def count(client, auth):
    return client.get("/api/tickets", headers=auth("admin")).json()["total"]


def assert_error(r, status, code):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code
    assert body["message_zh"] and body["message_en"]


def test_login_and_auth_errors(client, auth):
    r = client.post("/api/auth/login", json={"username": "operator", "password": "wrong-password"})
    assert_error(r, 401, "auth.invalid_credentials")
    r = client.post("/api/auth/login", json={"username": "nobody", "password": "whatever1"})
    assert_error(r, 401, "auth.invalid_credentials")
    assert_error(client.get("/api/tickets"), 401, "auth.required")
    assert_error(
        client.get("/api/tickets", headers={"Authorization": "Bearer forged"}), 401, "auth.required"
    )
    ok = client.post(
        "/api/auth/login", json={"username": "operator", "password": "correct-horse-1"}
    )
    token = ok.json()["token"]
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me == {
        "username": "operator",
        "display_name": "operator",
        "role": "operator",
        "unit_code": "hotline",
    }
    assert (
        client.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code
        == 204
    )
    assert_error(
        client.get("/api/me", headers={"Authorization": f"Bearer {token}"}), 401, "auth.required"
    )


def test_invalid_tickets_are_refused_and_nothing_written(client, auth):
    cases = [
        ({"category": "不存在/分类"}, 422, "category.unknown"),
        ({"request_type": "gossip"}, 422, "input.invalid"),
        ({"content": ""}, 422, "input.invalid"),
        ({"channel": "merged_hotline"}, 422, "channel.unknown_hotline"),
        ({"channel": "merged_hotline", "hotline": "99999"}, 422, "channel.unknown_hotline"),
        ({"hotline": "12315"}, 422, "channel.hotline_without_channel"),
        ({"location_unit_code": "nowhere"}, 422, "unit.unknown"),
        ({"latitude": 39.9}, 422, "input.invalid"),
        ({"requester_phone": "call me"}, 422, "input.invalid"),
        ({"surprise": 1}, 422, "input.invalid"),
    ]
    for overrides, status, code in cases:
        r = client.post("/api/tickets", json={**NEW_TICKET, **overrides}, headers=auth("operator"))
        assert_error(r, status, code)
    assert count(client, auth) == 0
    ok = create(client, auth, channel="merged_hotline", hotline="12315")
    assert ok["hotline"] == "12315"


def test_unit_handlers_cannot_create_or_dispatch(client, auth):
    r = client.post("/api/tickets", json=NEW_TICKET, headers=auth("donghua"))
    assert_error(r, 403, "ticket.role_forbidden")
    t = create(client, auth)
    r = client.post(
        f"/api/tickets/{t['number']}/dispatch",
        json={"lead_unit_code": "990101001"},
        headers=auth("operator"),
    )
    assert r.status_code == 200  # operators dispatch at the desk too
    r = client.post(f"/api/tickets/{t['number']}/acknowledge", json={}, headers=auth("operator"))
    assert_error(r, 403, "ticket.role_forbidden")


def test_dispatch_to_unknown_or_hotline_unit_is_refused(client, auth):
    t = create(client, auth)
    n = t["number"]
    for lead, code in [("atlantis", "unit.unknown"), ("hotline", "unit.not_handling")]:
        r = client.post(
            f"/api/tickets/{n}/dispatch", json={"lead_unit_code": lead}, headers=auth("dispatcher")
        )
        assert_error(r, 422, code)
    r = client.post(
        f"/api/tickets/{n}/dispatch",
        json={
            "lead_unit_code": "990101001",
            "co_handlers": [{"unit_code": "990101001", "task": "x"}],
        },
        headers=auth("dispatcher"),
    )
    assert_error(r, 422, "cohandler.duplicate")
    fresh = client.get(f"/api/tickets/{n}", headers=auth("dispatcher")).json()
    assert fresh["status"] == "received" and fresh["version"] == t["version"]
    assert len(client.get(f"/api/tickets/{n}/timeline", headers=auth("dispatcher")).json()) == 1


def test_units_see_and_act_only_on_their_tickets(client, auth):
    mine = dispatched(client, auth, lead="990101001")
    other = dispatched(client, auth, lead="990102001")
    listed = client.get("/api/tickets", headers=auth("donghua")).json()
    assert [t["number"] for t in listed["items"]] == [mine["number"]]
    assert_error(
        client.get(f"/api/tickets/{other['number']}", headers=auth("donghua")),
        404,
        "ticket.not_found",
    )
    r = client.post(f"/api/tickets/{other['number']}/acknowledge", json={}, headers=auth("donghua"))
    assert_error(r, 404, "ticket.not_found")
    # The district government supervises its street's ticket: sees it, cannot act as lead.
    assert client.get(f"/api/tickets/{mine['number']}", headers=auth("dongqu")).status_code == 200
    r = client.post(f"/api/tickets/{mine['number']}/acknowledge", json={}, headers=auth("dongqu"))
    assert_error(r, 403, "ticket.not_lead_unit")


def test_illegal_transition_and_stale_version(client, auth):
    t = dispatched(client, auth)
    n = t["number"]
    r = client.post(
        f"/api/tickets/{n}/reply", json={"outcome": "solved", "text": "x"}, headers=auth("donghua")
    )
    assert_error(r, 409, "ticket.illegal_transition")
    r = client.post(
        f"/api/tickets/{n}/acknowledge",
        json={"expected_version": t["version"] - 1},
        headers=auth("donghua"),
    )
    assert_error(r, 409, "ticket.conflict")
    ok = act(client, auth, "donghua", n, "acknowledge", expected_version=t["version"])
    assert ok["version"] == t["version"] + 1


def test_confidential_requester_hidden_from_units(client, auth):
    t = dispatched(client, auth, confidential=True)
    seen = client.get(f"/api/tickets/{t['number']}", headers=auth("donghua")).json()
    assert seen["requester_name"] == "（保密）" and seen["requester_phone"] == ""
    sup = client.get(f"/api/tickets/{t['number']}", headers=auth("supervisor")).json()
    assert sup["requester_phone"] == "138****8000"
    op = client.get(f"/api/tickets/{t['number']}", headers=auth("operator")).json()
    assert op["requester_phone"] == "13800138000"


def test_idempotency_key_never_makes_a_second_ticket(client, auth):
    h = {**auth("operator"), "Idempotency-Key": "call-7781"}
    first = client.post("/api/tickets", json=NEW_TICKET, headers=h)
    again = client.post("/api/tickets", json=NEW_TICKET, headers=h)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["number"] == again.json()["number"]
    different = client.post("/api/tickets", json={**NEW_TICKET, "content": "另一件事情"}, headers=h)
    assert_error(different, 409, "idempotency.key_reused")
    assert count(client, auth) == 1


def test_listing_filters(client, auth, clock):
    a = dispatched(client, auth, lead="990101001")
    b = create(
        client,
        auth,
        request_type="consult",
        category="交通运输/公交线路",
        title="公交线路咨询",
        content="请问85路公交末班车几点？",
    )
    c = dispatched(client, auth, lead="utility.water", category="城乡建设/供水")
    h = auth("supervisor")

    def numbers(**params):
        r = client.get("/api/tickets", params=params, headers=h)
        assert r.status_code == 200, r.text
        return {t["number"] for t in r.json()["items"]}

    assert numbers(status="received") == {b["number"]}
    assert numbers(status=["dispatched", "received"]) == {a["number"], b["number"], c["number"]}
    assert numbers(category="城乡建设") == {a["number"], c["number"]}
    assert numbers(request_type="consult") == {b["number"]}
    assert numbers(unit="990101") == {a["number"]}  # supervised by the district
    assert numbers(q="电梯") == {a["number"], c["number"]}
    assert numbers(received_from="2026-11-24T00:00:00+08:00") == set()
    assert numbers(overdue="true") == set()
    clock.advance(days=2)  # the water utility's 24 clock hours have passed
    assert numbers(overdue="true") == {c["number"]}
    r = client.get("/api/tickets", params={"received_from": "2026-11-24T00:00:00"}, headers=h)
    assert_error(r, 422, "input.naive_datetime")
    assert_error(
        client.get("/api/tickets", params={"status": "lost"}, headers=h), 422, "input.invalid"
    )


def test_unknown_ticket_and_route(client, auth):
    assert_error(
        client.get("/api/tickets/CS000", headers=auth("operator")), 404, "ticket.not_found"
    )
    assert_error(client.get("/api/nothing-here", headers=auth("operator")), 404, "http.not_found")


def test_openapi_lists_every_action(client):
    from jiesu.actions import load_stage_actions

    paths = client.get("/openapi.json").json()["paths"]
    for action in load_stage_actions():
        assert f"/api/tickets/{{number}}/{action}" in paths


def test_cookie_changes_need_the_csrf_header(client, auth, seeded):
    token = seeded.tokens["operator"]
    from jiesu.api.deps import SESSION_COOKIE

    client.cookies.set(SESSION_COOKIE, token)
    assert client.get("/api/me").status_code == 200  # reading with the cookie is fine
    r = client.post("/api/tickets", json=NEW_TICKET)
    assert_error(r, 403, "auth.csrf")
    assert count(client, auth) == 0


def test_api_docs_are_served_without_a_cdn(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "/docs-assets/swagger-ui-bundle.js" in page.text
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
