"""Bad input gives a clear ``kb.*`` or ``input.*`` error naming the field, and writes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from jiesu.storage import tables
from tests.conftest import START

from .helpers import body, create, publish


def _rows(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(tables.kb_articles)).scalar_one(),
            conn.execute(select(func.count()).select_from(tables.kb_versions)).scalar_one(),
        )


CASES = [
    ({"question": ""}, "input.invalid", "question"),
    ({"question": "   "}, "input.required", "question"),
    ({"answer": ""}, "input.invalid", "answer"),
    ({"answer": "\n\t "}, "input.required", "answer"),
    ({"categories": []}, "input.invalid", "categories"),
    ({"categories": ["城乡建设/不存在"]}, "kb.unknown_category", "categories"),
    (
        {"valid_from": START + timedelta(days=5), "valid_to": START + timedelta(days=1)},
        "kb.invalid_period",
        "valid_to",
    ),
    (
        {"valid_from": START - timedelta(days=9), "valid_to": START - timedelta(days=1)},
        "kb.already_expired",
        "valid_to",
    ),
    ({"next_review": START - timedelta(hours=1)}, "kb.review_in_past", "next_review"),
    ({"valid_from": "2026-12-01T00:00:00"}, "input.naive_datetime", "valid_from"),
    ({"variants": ["长" * 301]}, "input.invalid", "variants.0"),
    ({"unexpected": 1}, "input.invalid", "unexpected"),
]


@pytest.mark.parametrize(("change", "code", "field"), CASES)
def test_bad_article_input_is_refused_and_nothing_is_written(
    client, auth, engine, change, code, field
):
    r = client.post("/api/kb/articles", json=body(**change), headers=auth("donghua"))
    assert r.status_code == 422, r.text
    error = r.json()
    assert error["code"] == code and error["message_zh"] and error["message_en"]
    where = error.get("details", {})
    fields = [p["field"] for p in where.get("problems", [])] + [where.get("field")]
    assert field in fields
    assert _rows(engine) == (0, 0)


def test_an_unknown_owning_unit_is_refused(client, auth, engine):
    r = client.post("/api/kb/articles", json=body(unit_code="no-such-unit"), headers=auth("admin"))
    assert r.status_code == 422 and r.json()["code"] == "kb.unknown_unit"
    assert _rows(engine) == (0, 0)


def test_only_units_and_admins_write_articles(client, auth, engine):
    for user in ("operator", "dispatcher", "supervisor"):
        r = client.post("/api/kb/articles", json=body(), headers=auth(user))
        assert r.status_code == 403 and r.json()["code"] == "kb.not_your_unit"
    assert _rows(engine) == (0, 0)
    a = create(client, auth, "admin", unit_code="utility.water")
    assert a["unit_name"] == "测试市自来水集团"


def test_a_bad_edit_writes_no_version(client, auth, engine):
    a = publish(client, auth)
    before = _rows(engine)
    r = client.post(
        f"/api/kb/articles/{a['id']}/versions",
        json=body(categories=["没有这个分类"]),
        headers=auth("donghua"),
    )
    assert r.status_code == 422 and r.json()["code"] == "kb.unknown_category"
    r = client.post(
        f"/api/kb/articles/{a['id']}/reject",
        json={"version": 1, "note": " "},
        headers=auth("dispatcher"),
    )
    assert r.status_code == 409 and r.json()["code"] == "kb.not_in_review"
    assert _rows(engine) == before


def test_defaults_fill_validity_and_review_date(client, auth):
    a = create(client, auth, variants=[" 物业费涨价合法吗 ", "", "物业费涨价合法吗"])
    v = a["current"]
    assert datetime.fromisoformat(v["valid_from"]) == START and v["valid_to"] is None
    assert datetime.fromisoformat(v["next_review"]) == START + timedelta(days=180)
    assert v["variants"] == ["物业费涨价合法吗"]  # trimmed, blanks and repeats dropped
    ends_soon = create(client, auth, valid_to=START + timedelta(days=30))
    assert datetime.fromisoformat(ends_soon["current"]["next_review"]) == START + timedelta(days=30)


def test_unknown_article_and_version(client, auth):
    r = client.get("/api/kb/articles/424242", headers=auth("dispatcher"))
    assert r.status_code == 404 and r.json()["code"] == "kb.not_found"
    r = client.get("/api/kb/articles/abc", headers=auth("dispatcher"))
    assert r.status_code == 422 and r.json()["code"] == "input.invalid"
    r = client.post(
        "/api/kb/articles/424242/approve", json={"version": 1}, headers=auth("dispatcher")
    )
    assert r.status_code == 404
