"""The draft → review → published workflow through the API: who may do what, and what is kept."""

from __future__ import annotations

from .helpers import body, create, publish, search, step


def test_a_unit_writes_a_draft_for_its_own_unit(client, auth):
    a = create(client, auth, "donghua")
    assert a["unit_code"] == "990101001" and a["unit_name"] == "东华街道"
    assert a["state"] == "draft" and a["published_version"] is None
    v = a["current"]
    assert v["version"] == 1 and v["status"] == "draft" and v["author"] == "donghua"
    assert v["variants"] == ["物业费涨价合法吗", "物业公司能随便上调物业费吗"]
    assert a["may_edit"] and not a["may_review"]


def test_the_whole_way_to_publication_is_recorded_step_by_step(client, auth, clock):
    a = create(client, auth, "donghua")
    clock.advance(minutes=5)
    a = step(client, auth, "donghua", a["id"], "submit", version=1)
    assert a["state"] == "in_review" and a["pending"]["version"] == 2
    clock.advance(hours=2)
    a = step(client, auth, "dispatcher", a["id"], "approve", version=2, note="口径准确")
    assert a["state"] == "published" and a["published_version"] == 2 and a["pending"] is None
    history = {v["version"]: v for v in a["versions"]}
    assert history[1]["status"] == "superseded" and history[1]["author"] == "donghua"
    assert history[2]["status"] == "published" and history[2]["author"] == "donghua"
    assert history[2]["created_at"] > history[1]["created_at"]  # when it was submitted
    assert history[2]["reviewed_by"] == "dispatcher"
    assert history[2]["reviewed_at"] > history[2]["created_at"]
    assert history[2]["review_note"] == "口径准确"
    assert [h["article_id"] for h in search(client, "物业费涨价", auth=auth)] == [a["id"]]


def test_a_unit_cannot_touch_another_units_articles(client, auth):
    a = create(client, auth, "donghua", submit=True)
    # Another street cannot see the unpublished article at all …
    r = client.get(f"/api/kb/articles/{a['id']}", headers=auth("heping"))
    assert r.status_code == 404 and r.json()["code"] == "kb.not_found"
    # … nor write for donghua's unit, nor edit, submit or withdraw its article.
    r = client.post("/api/kb/articles", json=body(unit_code="990101001"), headers=auth("heping"))
    assert r.status_code == 403 and r.json()["code"] == "kb.not_your_unit"
    a = step(client, auth, "dispatcher", a["id"], "approve", version=1)
    r = client.post(f"/api/kb/articles/{a['id']}/versions", json=body(), headers=auth("heping"))
    assert r.status_code == 403 and r.json()["code"] == "kb.not_your_unit"
    step(client, auth, "heping", a["id"], "withdraw", 403, reason="不对")
    # Once published, other units read the published version, and nothing else.
    seen = client.get(f"/api/kb/articles/{a['id']}", headers=auth("heping")).json()
    assert [v["version"] for v in seen["versions"]] == [1] and not seen["may_edit"]


def test_only_reviewers_approve_or_reject_and_never_their_own_submission(client, auth):
    a = create(client, auth, "donghua", submit=True)
    for user in ("donghua", "heping", "operator", "supervisor"):
        r = step(client, auth, user, a["id"], "approve", 403, version=1)
        assert r["code"] == "kb.not_reviewer"
    mine = create(client, auth, "admin", submit=True, unit_code="990101001")
    r = step(client, auth, "admin", mine["id"], "approve", 403, version=1)
    assert r["code"] == "kb.self_review"
    step(client, auth, "dispatcher", mine["id"], "approve", version=1)
    r = step(client, auth, "dispatcher", a["id"], "reject", version=1, note="请补充政策依据")
    assert r["state"] == "rejected" and r["current"]["review_note"] == "请补充政策依据"
    assert r["current"]["reviewed_by"] == "dispatcher"


def test_editing_a_published_article_keeps_the_old_version_offered_until_approved(client, auth):
    a = publish(client, auth)
    r = client.post(
        f"/api/kb/articles/{a['id']}/versions",
        json=body(answer="新的答复口径：物业费调整须经业主共同决定。", base_version=1),
        headers=auth("donghua"),
    )
    assert r.status_code == 201, r.text
    edited = r.json()
    assert edited["published_version"] == 1 and edited["pending"]["version"] == 2
    assert edited["current"]["version"] == 1  # still the published one
    hit = search(client, "物业费涨价", auth=auth)[0]
    assert hit["version"] == 1 and hit["source"] == f"KB-{a['id']} v1"
    public = client.get(f"/api/public/kb/articles/{a['id']}").json()
    assert public["version"] == 1 and "新的答复口径" not in public["answer"]

    submitted = step(client, auth, "donghua", a["id"], "submit", version=2)
    assert submitted["pending"]["version"] == 3 and submitted["published_version"] == 1
    done = step(client, auth, "dispatcher", a["id"], "approve", version=3)
    statuses = {v["version"]: v["status"] for v in done["versions"]}
    assert statuses == {1: "superseded", 2: "superseded", 3: "published"}
    assert search(client, "物业费涨价", auth=auth)[0]["version"] == 3
    assert "新的答复口径" in client.get(f"/api/public/kb/articles/{a['id']}").json()["answer"]


def test_a_rejected_version_leaves_the_published_one_in_place(client, auth):
    a = publish(client, auth)
    r = client.post(
        f"/api/kb/articles/{a['id']}/versions",
        json=body(answer="错误的口径", submit=True),
        headers=auth("donghua"),
    )
    step(
        client, auth, "dispatcher", a["id"], "reject", version=r.json()["latest_version"], note="错"
    )
    again = client.get(f"/api/kb/articles/{a['id']}", headers=auth("donghua")).json()
    assert again["state"] == "published" and again["published_version"] == 1
    assert search(client, "物业费涨价", auth=auth)[0]["version"] == 1


def test_an_edit_on_a_stale_version_is_refused(client, auth):
    a = create(client, auth)
    r = client.post(
        f"/api/kb/articles/{a['id']}/versions",
        json=body(question="新问题：物业涨价找谁？"),
        headers=auth("donghua"),
    )
    assert r.status_code == 201
    r = client.post(
        f"/api/kb/articles/{a['id']}/versions",
        json=body(question="另一人的修改", base_version=1),
        headers=auth("donghua"),
    )
    assert r.status_code == 409 and r.json()["code"] == "kb.conflict"
    assert r.json()["details"]["latest_version"] == 2


def test_steps_out_of_order_are_refused_with_their_own_codes(client, auth):
    a = create(client, auth)
    assert step(client, auth, "dispatcher", a["id"], "approve", 409, version=1)["code"] == (
        "kb.not_in_review"
    )
    step(client, auth, "donghua", a["id"], "submit", version=1)
    assert step(client, auth, "donghua", a["id"], "submit", 409)["code"] == "kb.nothing_to_submit"
    r = step(client, auth, "donghua", a["id"], "withdraw", 409, reason="过时")
    assert r["code"] == "kb.not_published"
    r = step(client, auth, "dispatcher", a["id"], "approve", 409, version=1)
    assert r["code"] == "kb.not_in_review"  # version 2 is the submission


def test_withdrawal_takes_the_article_out_at_once_and_records_who_and_why(client, auth, clock):
    a = publish(client, auth)
    assert search(client, "物业费涨价", auth=auth)
    clock.advance(days=3)
    w = step(client, auth, "donghua", a["id"], "withdraw", reason="政策已调整")
    assert w["state"] == "withdrawn" and w["published_version"] is None
    last = w["versions"][0]
    assert last["status"] == "withdrawn" and last["author"] == "donghua"
    assert last["review_note"] == "政策已调整" and last["created_at"].startswith("2026-11-26")
    assert search(client, "物业费涨价", auth=auth) == []
    assert search(client, "物业费涨价", user=None) == []
    r = client.get(f"/api/public/kb/articles/{a['id']}")
    assert r.status_code == 404
    # The unit may bring it back: a new draft, reviewed again.
    r = client.post(f"/api/kb/articles/{a['id']}/versions", json=body(), headers=auth("donghua"))
    assert r.status_code == 201 and r.json()["state"] == "draft"


def test_listing_is_by_unit_and_state_and_hides_other_units_drafts(client, auth):
    mine = create(client, auth, "donghua", question="东华街道停车位怎么申请？")
    theirs = create(client, auth, "heping", question="和平街道物业纠纷找谁？")
    shared = publish(client, auth, "heping", question="和平街道已发布的条目")
    seen = client.get("/api/kb/articles", headers=auth("donghua")).json()
    ids = {i["id"] for i in seen["items"]}
    assert mine["id"] in ids and shared["id"] in ids and theirs["id"] not in ids
    everything = client.get("/api/kb/articles", headers=auth("dispatcher")).json()
    assert everything["total"] == 3
    drafts = client.get(
        "/api/kb/articles", params={"state": "draft", "unit": "990101002"}, headers=auth("admin")
    ).json()
    assert [i["id"] for i in drafts["items"]] == [theirs["id"]]
    by_category = client.get(
        "/api/kb/articles", params={"category": "城乡建设"}, headers=auth("admin")
    ).json()
    assert by_category["total"] == 3
    assert (
        client.get(
            "/api/kb/articles", params={"category": "交通运输"}, headers=auth("admin")
        ).json()["total"]
        == 0
    )


def test_the_review_queue_lists_submissions(client, auth):
    a = create(client, auth, "donghua", submit=True)
    create(client, auth, "heping")  # a draft: not for review
    queue = client.get("/api/kb/review-queue", headers=auth("dispatcher")).json()
    assert [q["id"] for q in queue] == [a["id"]] and queue[0]["pending"]["status"] == "in_review"
    assert client.get("/api/kb/review-queue", headers=auth("heping")).json() == []


def test_staff_endpoints_need_a_login(client):
    assert client.get("/api/kb/search", params={"q": "物业"}).status_code == 401
    assert client.get("/api/kb/articles").status_code == 401
    assert client.post("/api/kb/articles", json=body()).status_code == 401
