"""Expired and not yet valid articles are never offered: staff search, public search, public read,
and answering a ticket; the index follows the clock across validity boundaries."""

from __future__ import annotations

from datetime import timedelta

from tests.api.helpers import create as create_ticket
from tests.conftest import START

from .helpers import create, publish, search, step


def _offered(client, auth, q: str = "物业费涨价") -> tuple[list[int], list[int]]:
    staff = [h["article_id"] for h in search(client, q, auth=auth)]
    public = [h["article_id"] for h in search(client, q, user=None)]
    return staff, public


def test_an_article_is_offered_only_inside_its_validity(client, auth, clock):
    a = publish(
        client,
        auth,
        valid_from=START + timedelta(days=1),
        valid_to=START + timedelta(days=10),
        next_review=START + timedelta(days=5),
    )
    assert a["current"]["validity"] == "not_yet_valid"
    assert _offered(client, auth) == ([], [])
    assert client.get(f"/api/public/kb/articles/{a['id']}").status_code == 404
    clock.advance(days=1)  # exactly valid_from: in force
    assert _offered(client, auth) == ([a["id"]], [a["id"]])
    assert client.get(f"/api/public/kb/articles/{a['id']}").status_code == 200
    clock.advance(days=9)  # exactly valid_to: over
    assert _offered(client, auth) == ([], [])
    r = client.get(f"/api/public/kb/articles/{a['id']}")
    assert r.status_code == 404 and r.json()["code"] == "kb.not_found"
    # Staff still read it, marked expired, so the unit can renew it.
    staff = client.get(f"/api/kb/articles/{a['id']}", headers=auth("donghua")).json()
    assert staff["current"]["validity"] == "expired" and staff["state"] == "published"


def test_drafts_and_submissions_are_never_offered(client, auth):
    draft = create(client, auth)
    submitted = create(client, auth, submit=True)
    assert _offered(client, auth) == ([], [])
    for a in (draft, submitted):
        assert client.get(f"/api/public/kb/articles/{a['id']}").status_code == 404


def test_answering_from_an_expired_future_unpublished_or_unknown_article_is_refused(
    client, auth, clock
):
    expiring = publish(client, auth, valid_to=START + timedelta(hours=2))
    future = publish(client, auth, valid_from=START + timedelta(days=3))
    draft = create(client, auth)
    withdrawn = publish(client, auth)
    step(client, auth, "donghua", withdrawn["id"], "withdraw", reason="停止执行")
    clock.advance(hours=3)
    ticket = create_ticket(client, auth, request_type="consult")
    cases = [
        (expiring["id"], 409, "kb.expired"),
        (future["id"], 409, "kb.not_yet_valid"),
        (draft["id"], 409, "kb.not_published"),
        (withdrawn["id"], 409, "kb.not_published"),
        (9999, 404, "kb.not_found"),
    ]
    for article_id, status, code in cases:
        r = client.post(
            f"/api/tickets/{ticket['number']}/answer_directly",
            json={"article_id": article_id},
            headers=auth("operator"),
        )
        assert (r.status_code, r.json()["code"]) == (status, code), article_id
    t = client.get(f"/api/tickets/{ticket['number']}", headers=auth("operator")).json()
    assert t["status"] == "received" and t["version"] == ticket["version"]


def test_approving_an_expired_version_is_refused(client, auth, clock):
    a = create(client, auth, submit=True, valid_to=START + timedelta(days=1))
    clock.advance(days=2)
    r = step(client, auth, "dispatcher", a["id"], "approve", 409, version=1)
    assert r["code"] == "kb.expired"
