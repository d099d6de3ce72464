"""``/api/intake``: assistance for hotline staff only, bad input refused, the model retrained
by administrators."""

from __future__ import annotations

import pytest

from jiesu.intake import classify_store
from jiesu.simulate import simulate
from tests.api.helpers import create

BODY = {
    "title": "3号楼电梯还是坏的",
    "content": "东华社区3号楼的电梯停运半个月了，物业一直不修，老人没法上下楼。楼道里还冒烟了。",
    "address": "东区东华街道东华社区3号楼",
    "location_unit_code": "990101001001",
    "requester_phone": "13800138000",
}


def _assist(client, auth, user="operator", expect=200, **body):
    r = client.post("/api/intake/assist", json={**BODY, **body}, headers=auth(user))
    assert r.status_code == expect, r.text
    return r.json()


def test_assist_answers_with_proposal_risks_and_duplicates(client, auth):
    first = create(client, auth)  # the same lift, by the same requester (helpers.NEW_TICKET)
    out = _assist(client, auth)
    p = out["proposal"]
    assert p["request_type"] in {"complaint", "help"}
    assert p["category"]["code"] == "城乡建设/物业管理" and p["category"]["label_zh"] == "物业管理"
    assert set(p["scores"]) == {"request_type", "category", "tags"}
    assert p["model_version"].startswith("rules-")
    assert "livability" in p["tags"]
    risk = out["risks"][0]
    assert (risk["field"], risk["word"], risk["line"]) == ("content", "冒烟", "119")
    assert BODY["content"][risk["start"] : risk["end"]] == "冒烟"
    assert out["emergency"] == {"suggested": True, "lines": ["119"], "crisis": False}
    [dup] = out["duplicates"]
    assert dup["number"] == first["number"] and dup["status"] == "received"
    codes = {r["code"] for r in dup["reasons"]}
    assert {"similar_words", "same_community", "same_requester"} <= codes


def test_no_emergency_and_no_duplicates_for_a_plain_new_request(client, auth):
    out = _assist(
        client,
        auth,
        title="咨询供暖费",
        content="请问今年的供暖费怎么交？",
        address="",
        location_unit_code=None,
        requester_phone="",
    )
    assert out["proposal"]["request_type"] == "consult"
    assert out["proposal"]["category"]["code"] == "城乡建设/供暖"
    assert out["risks"] == [] and out["emergency"]["suggested"] is False
    assert out["duplicates"] == []


@pytest.mark.parametrize("user", ["operator", "dispatcher", "supervisor", "admin"])
def test_hotline_staff_may_ask(client, auth, user):
    _assist(client, auth, user)
    assert client.get("/api/intake/model", headers=auth(user)).status_code == 200


@pytest.mark.parametrize("user", ["donghua", "dongqu", "water"])
def test_unit_handlers_may_not(client, auth, user):
    out = _assist(client, auth, user, expect=403)
    assert out["code"] == "assist.role_forbidden"
    r = client.get("/api/intake/model", headers=auth(user))
    assert r.status_code == 403 and r.json()["code"] == "assist.role_forbidden"


def test_login_is_required(client):
    assert client.post("/api/intake/assist", json=BODY).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "content": ""},
        {"title": " ", "content": " "},
        {"content": "x" * 20001},
        {"requester_phone": "call me"},
        {"surprise": True},
    ],
)
def test_bad_input_is_refused(client, auth, body):
    out = _assist(client, auth, expect=422, **body)
    assert out["code"] == "input.invalid"


def test_an_unknown_place_is_refused(client, auth):
    out = _assist(client, auth, expect=422, location_unit_code="nowhere")
    assert out["code"] == "unit.unknown"


def test_only_an_admin_retrains_and_the_version_changes(client, auth, ctx):
    for user in ("operator", "dispatcher", "supervisor", "donghua"):
        r = client.post("/api/intake/model/train", headers=auth(user))
        assert r.status_code == 403 and r.json()["code"] == "assist.role_forbidden"
    before = client.get("/api/intake/model", headers=auth("operator")).json()
    assert before["kind"] == "rules"
    assert before["corrections"] == {"request_type": 0, "category": 0, "tags": 0}
    simulate(ctx, days=1, tickets_per_day=120, seed=3)
    r = client.post("/api/intake/model/train", json={"max_rows": 1000}, headers=auth("admin"))
    assert r.status_code == 200, r.text
    trained = r.json()
    assert trained["kind"] == "learned" and trained["version"] != before["version"]
    assert trained["sizes"]["rows"] > 30 and trained["sources"]["category"] == "model"
    now = client.get("/api/intake/model", headers=auth("operator")).json()
    assert now["version"] == trained["version"]
    assert _assist(client, auth)["proposal"]["model_version"] == trained["version"]


def test_a_second_training_at_the_same_time_is_refused(client, auth):
    assert classify_store.TRAINING_LOCK.acquire(blocking=False)
    try:
        r = client.post("/api/intake/model/train", headers=auth("admin"))
        assert r.status_code == 409 and r.json()["code"] == "assist.training_running"
    finally:
        classify_store.TRAINING_LOCK.release()
