"""Bad input that used to end in a 500, found by fuzzing the API against its own OpenAPI
schema (``tests/api/test_fuzz.py``): each is now refused with a stable code and a message
in Chinese and English, and nothing is written — on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from jiesu.api.deps import SESSION_COOKIE
from jiesu.storage import tables

from .helpers import NEW_TICKET, act, create, dispatched

BIG = (2**31, 2**64)  # past PostgreSQL's INTEGER; past SQLite's 64 bits
EARLY = "0001-01-01T00:00:00+08:00"  # before year 1 once in UTC
LATE = "9999-12-31T23:59:59-08:00"  # after year 9999 once in UTC


def assert_error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code
    assert body["message_zh"] and body["message_en"]
    return body


def assert_open311_error(r, code: str) -> None:
    assert r.status_code == 400, r.text
    (error,) = r.json()
    assert (error["code"], error["jiesu_code"]) == (400, code)
    assert " / " in error["description"]


def rows(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def events(client, auth, number: str) -> int:
    return len(client.get(f"/api/tickets/{number}/timeline", headers=auth("admin")).json())


def post_json(client, url: str, data, headers: dict | None = None):
    """Post ``data`` as JSON text, a lone surrogate escaped as JSON allows (``\\ud800``)."""
    headers = {**(headers or {}), "Content-Type": "application/json"}
    return client.post(url, content=json.dumps(data).encode(), headers=headers)


def test_signed_links_take_any_text_as_a_wrong_signature(client, auth):
    """H9, A1: the tracking code and the evaluation link's signature come from links anyone
    can edit. Non-ASCII text reached ``hmac.compare_digest`` as ``str``, which refuses it
    with a TypeError: 500 instead of the forged link's 404."""
    n = create(client, auth)["number"]
    for code in ("é", "码码码", "\U0002a541abc"):
        r = client.get(f"/api/track/{n}", params={"code": code})
        assert_error(r, 404, "ticket.not_found")
        link = {"exp": 1, "sig": code}
        assert_error(client.get("/api/visit/1", params=link), 404, "visit.bad_link")
        answers = {"contacted": True, "solved": True, "satisfaction": "satisfied"}
        r = client.post("/api/visit/1", params=link, json=answers)
        assert_error(r, 404, "visit.bad_link")


def test_a_csrf_header_of_latin1_text_is_refused(client, auth, seeded, engine):
    """S2: a change made with the console's cookie needs the session's CSRF token. A header
    carrying Latin-1 text (é) reached ``secrets.compare_digest`` as ``str``: 500."""
    client.cookies.set(SESSION_COOKIE, seeded.tokens["operator"])
    r = client.post("/api/tickets", json=NEW_TICKET, headers={"X-CSRF-Token": b"\xe9t\xe9"})
    assert_error(r, 403, "auth.csrf")
    assert rows(engine, tables.tickets) == 0


def test_numbers_past_the_columns_are_invalid_input(client, auth, engine):
    """Ids, version numbers and offsets past PostgreSQL's INTEGER (and SQLite's 64 bits)
    reached the database: 'integer out of range' on PostgreSQL, OverflowError on SQLite."""
    t = dispatched(client, auth)
    h = auth("admin")
    for big in BIG:
        calls = [
            ("GET", f"/api/requesters/{big}", None),
            ("POST", f"/api/requesters/{big}/notes", {"note": "劝导"}),
            ("DELETE", f"/api/places/{big}", None),
            ("GET", f"/api/dispatch/catalogue/versions/{big}", None),
            ("GET", f"/api/assessment/appeals/{big}", None),
            ("POST", f"/api/assessment/appeals/{big}/decide", {"upheld": True, "reason": "x"}),
            ("GET", f"/api/kb/articles/{big}", None),
            ("POST", f"/api/kb/articles/{big}/submit", {}),
            ("POST", f"/api/kb/articles/{big}/withdraw", {"reason": "过时"}),
            ("POST", "/api/kb/articles/1/approve", {"version": big}),
            ("GET", f"/api/public/kb/articles/{big}", None),
            ("GET", f"/api/tickets?offset={big}", None),
            ("GET", f"/api/places?offset={big}", None),
            ("GET", f"/api/kb/articles?offset={big}", None),
            ("POST", f"/api/tickets/{t['number']}/answer_directly", {"article_id": big}),
        ]
        for method, url, body in calls:
            r = client.request(method, url, json=body, headers=h)
            problem = assert_error(r, 422, "input.invalid")["details"]["problems"][0]
            assert "less than or equal to 2147483647" in problem["problem"], url
    # The largest id is still looked up, and found missing.
    assert_error(client.get(f"/api/kb/articles/{2**31 - 1}", headers=h), 404, "kb.not_found")
    assert events(client, auth, t["number"]) == 2  # received, dispatched: nothing written


def test_an_action_is_checked_before_its_input_is_built(client, auth):
    """D5: raising an objection counts its window from the dispatch time. The command was
    built before the role and the state were checked, so on a ticket never dispatched it
    failed on the missing time (500) instead of refusing the action."""
    n = create(client, auth)["number"]
    objection = {"grounds": "duty", "reason": "不属本单位职责"}
    r = client.post(f"/api/tickets/{n}/raise_objection", json=objection, headers=auth("admin"))
    assert_error(r, 403, "ticket.role_forbidden")
    assert events(client, auth, n) == 1
    # Where the role may, the state and the party decide, as before.
    t = dispatched(client, auth, lead="990101001")
    act(client, auth, "donghua", t["number"], "raise_objection", **objection)


def test_text_no_database_can_store_is_refused(client, auth, engine):
    """I2: PostgreSQL refuses the NUL character in text, even as a query's parameter, and no
    database can encode a lone surrogate (valid JSON, ``"\\ud800"``, but not UTF-8). Both
    reached the database: a 500 (NUL on PostgreSQL only), never a half-written ticket."""
    t = dispatched(client, auth)
    n = t["number"]
    h = auth("admin")
    for url in ("/api/tickets/CS%00", "/api/tickets?q=%E7%94%B5%00", "/api/units?q=%00"):
        body = assert_error(client.get(url, headers=h), 422, "input.invalid")
        assert "NUL" in body["message_en"] and "空字符" in body["message_zh"]
    writes = [
        (f"/api/tickets/{n}/urge", {"reason": "请尽快\x00处理"}, "reason"),
        (f"/api/tickets/{n}/urge", {"reason": "请尽快\ud800处理"}, "reason"),
        ("/api/places", {"name": "东华\x00小区", "unit_code": "990101001001"}, "name"),
        (
            "/api/kb/articles",
            {"question": "物业\x00费？", "answer": "a", "categories": []},
            "question",
        ),
        ("/api/requesters/1/notes", {"note": ["劝导", "\ud800"]}, "note.1"),
    ]
    for url, data, field in writes:
        body = assert_error(post_json(client, url, data, h), 422, "input.invalid")
        assert body["details"]["problems"] == [
            {"field": field, "problem": "contains a NUL character or an unpaired surrogate"}
        ]
    assert events(client, auth, n) == 2
    assert rows(engine, tables.place_names) == rows(engine, tables.kb_articles) == 0
    login = {"username": "operator\ud800", "password": "whatever1"}
    assert_error(post_json(client, "/api/auth/login", login), 422, "input.invalid")
    # Open311's endpoints answer in Open311's own error format.
    r = client.get("/open311/v2/requests.json", params={"service_request_id": f"{n}\x00"})
    assert_open311_error(r, "input.invalid")


def test_times_outside_the_years_are_refused(client, auth, engine):
    """D6, A3: a time in year 1 or 9999 could not be turned into UTC for the database, had
    no previous period to compare with, or no month after it (December 9999): 500."""
    h = auth("admin")
    queries = [
        f"/api/tickets?received_from={EARLY}",
        f"/api/tickets?received_to={LATE}",
        "/api/dispatch/reports/objections?end=0001-01-01T04:26:03Z",
        f"/api/dispatch/reports/suggestions?start={EARLY}",
        f"/api/assessment/rankings?start={EARLY}&end=2026-12-01T00:00:00%2B08:00",
        f"/api/assessment/whistles?start=2026-11-01T00:00:00%2B08:00&end={LATE}",
    ]
    for url in queries:
        body = assert_error(client.get(url.replace("+", "%2B"), headers=h), 422, "input.invalid")
        assert "between the years 1900 and 2999" in body["message_en"], url
    for month in ("9999-12", "0001-01", "1899-12"):
        r = client.get("/api/assessment/export.xlsx", params={"month": month}, headers=h)
        assert_error(r, 422, "assessment.bad_period")
    ok = client.get("/api/assessment/rankings", params={"month": "2999-12"}, headers=h)
    assert ok.status_code == 200, ok.text
    article = {"question": "物业费？", "answer": "按合同", "categories": ["城乡建设/物业管理"]}
    for when in (EARLY, LATE):
        r = client.post("/api/kb/articles", json={**article, "valid_from": when}, headers=h)
        assert_error(r, 422, "input.invalid")
        r = client.post("/api/kb/articles", json={**article, "next_review": when}, headers=h)
        assert_error(r, 422, "input.invalid")
    assert rows(engine, tables.kb_articles) == 0
    t = create(client, auth)
    co = [{"unit_code": "990101.urban", "task": "清理", "due": EARLY}]
    body = {"lead_unit_code": "990101001", "co_handlers": co}
    r = client.post(f"/api/tickets/{t['number']}/dispatch", json=body, headers=auth("dispatcher"))
    assert_error(r, 422, "input.invalid")
    assert events(client, auth, t["number"]) == 1
    r = client.get("/open311/v2/requests.json", params={"end_date": LATE})
    assert_open311_error(r, "input.invalid")
