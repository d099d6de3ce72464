"""Answering a ticket directly from an article (I4), and the public, read-only query (BJ Art. 31)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import create as create_ticket

from .helpers import body, create, publish, search

INTERNAL = {"author", "reviewed_by", "reviewed_at", "review_note", "next_review", "unit_code"}


def test_answer_directly_from_an_article_closes_the_ticket_citing_article_and_version(client, auth):
    a = publish(client, auth)
    ticket = create_ticket(client, auth, request_type="consult", content="物业费涨价合法吗？")
    r = client.post(
        f"/api/tickets/{ticket['number']}/answer_directly",
        json={"article_id": a["id"], "expected_version": ticket["version"]},
        headers=auth("operator"),
    )
    assert r.status_code == 200, r.text
    t = r.json()
    assert t["status"] == "answered" and t["answer_text"] == a["current"]["answer"]
    timeline = client.get(f"/api/tickets/{ticket['number']}/timeline", headers=auth("operator"))
    event = timeline.json()[-1]
    assert event["action"] == "answer_directly"
    assert event["data"]["source"] == f"KB-{a['id']} v{a['published_version']}"


def test_the_operator_may_adapt_the_articles_answer_and_still_cites_it(client, auth):
    a = publish(client, auth)
    client.post(
        f"/api/kb/articles/{a['id']}/versions",
        json=body(answer="修订中的口径", submit=True),
        headers=auth("donghua"),
    )
    ticket = create_ticket(client, auth, request_type="consult")
    r = client.post(
        f"/api/tickets/{ticket['number']}/answer_directly",
        json={"article_id": a["id"], "answer": "您好：物业费上调须经业主大会同意。"},
        headers=auth("operator"),
    )
    assert r.status_code == 200 and r.json()["answer_text"] == "您好：物业费上调须经业主大会同意。"
    event = client.get(
        f"/api/tickets/{ticket['number']}/timeline", headers=auth("operator")
    ).json()[-1]
    assert event["data"]["source"] == f"KB-{a['id']} v1"  # the published one, not the pending one


def test_answering_without_an_article_still_needs_an_answer(client, auth):
    ticket = create_ticket(client, auth, request_type="consult")
    r = client.post(
        f"/api/tickets/{ticket['number']}/answer_directly", json={}, headers=auth("operator")
    )
    assert r.status_code == 422 and r.json()["code"] == "input.required"
    r = client.post(
        f"/api/tickets/{ticket['number']}/answer_directly",
        json={"answer": "已解答"},
        headers=auth("operator"),
    )
    assert r.status_code == 200 and r.json()["status"] == "answered"


def test_public_endpoints_need_no_login_and_leak_nothing_internal(app, client, auth):
    a = publish(client, auth, valid_to="2027-06-30T00:00:00+08:00")
    client.post(
        f"/api/kb/articles/{a['id']}/versions",
        json=body(answer="内部修订稿：尚未审核"),
        headers=auth("donghua"),
    )
    with TestClient(app) as anonymous:  # no cookie, no token
        r = anonymous.get("/api/public/kb/search", params={"q": "物业费涨价"})
        assert r.status_code == 200
        (hit,) = r.json()["hits"]
        assert set(hit) == {
            "article_id", "version", "question", "snippet", "unit_name", "categories", "score"
        }  # fmt: skip
        assert hit["unit_name"] == "东华街道"
        r = anonymous.get(f"/api/public/kb/articles/{a['id']}")
        assert r.status_code == 200
        article = r.json()
        assert not INTERNAL & set(article)
        assert article["version"] == 1 and "内部修订稿" not in r.text
        assert article["valid_to"].startswith("2027-06-29T16:00")
        for path in (f"/api/kb/articles/{a['id']}", "/api/kb/search?q=物业"):
            assert anonymous.get(path).status_code == 401
        # Read-only: nothing to write with under /api/public.
        assert anonymous.post("/api/public/kb/articles/1", json={}).status_code == 405


def test_public_search_limits_its_answers(client, auth):
    publish(client, auth)
    r = client.get("/api/public/kb/search", params={"q": "物业", "limit": 500})
    assert r.status_code == 422 and r.json()["code"] == "input.invalid"
    r = client.get("/api/public/kb/search", params={"q": "物" * 201})
    assert r.status_code == 422
    assert client.get("/api/public/kb/search").json()["hits"] == []


def test_public_article_of_a_draft_does_not_exist(client, auth):
    a = create(client, auth)
    r = client.get(f"/api/public/kb/articles/{a['id']}")
    assert r.status_code == 404 and r.json()["code"] == "kb.not_found"
    assert search(client, "物业费", user=None) == []
