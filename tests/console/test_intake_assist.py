"""新建工单 with intake assistance, through TestClient: the one-step routes (answer from an
article, emergency referral, merge), a failed second step keeping the ticket, CSRF, roles,
the proposal echoed back, and the ticket page's links and tags."""

from __future__ import annotations

import re

import pytest

from jiesu.intake import feedback
from jiesu.storage.uow import UnitOfWork
from tests.api.helpers import act as api_act
from tests.api.helpers import create
from tests.knowledge.helpers import create as create_article
from tests.knowledge.helpers import publish

from .helpers import csrf, login
from .test_pages import NEW_TICKET_FORM, alert

CONSULT = dict(
    NEW_TICKET_FORM,
    request_type="consult",
    title="物业费涨价",
    content="请问物业公司能随便上调物业费吗？",
    requester_phone="13700137000",
)
FIRE = dict(
    NEW_TICKET_FORM,
    request_type="help",
    category="城乡建设",
    title="",
    content="楼里着火了，冒烟很大",
    requester_phone="13600136000",
)


def _form(client, **fields) -> dict:
    page = client.get("/tickets/new").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    return {"csrf_token": csrf(page), "idempotency_key": key, **fields}


def _tickets(client, auth) -> list[dict]:
    return client.get("/api/tickets", headers=auth("operator")).json()["items"]


def _api_ticket(client, auth, number: str) -> dict:
    return client.get(f"/api/tickets/{number}", headers=auth("operator")).json()


def _flash(r) -> str:
    cookie = r.cookies.get("jiesu_flash") or ""
    from urllib.parse import unquote

    return unquote(cookie.strip('"'))


# --- the page --------------------------------------------------------------------------------


def test_the_page_carries_the_assistance_and_still_posts_plainly(client, auth):
    login(client, "operator")
    page = client.get("/tickets/new").text
    token = csrf(page)
    assert f'<meta name="csrf-token" content="{token}">' in page
    assert "/static/intake.js?v=" in page and "data-assist hidden" in page
    for name in ("request_type", "category", "tags", "model_version"):
        assert f'name="proposal_{name}" value=""' in page
    assert page.count('name="tags"') == 12 and "幼有所育" in page and "安全性" in page
    # Without JavaScript the plain form records the ticket, tags included.
    data = _form(client, **NEW_TICKET_FORM)
    r = client.post(
        "/tickets/new", data={**data, "tags": ["safety", "livability"]}, follow_redirects=False
    )
    assert r.status_code == 303
    [t] = _tickets(client, auth)
    assert sorted(t["tags"]) == ["livability", "safety"]
    ticket_page = client.get(r.headers["location"]).text
    assert "宜居性" in ticket_page and "安全性" in ticket_page


@pytest.mark.parametrize("user", ["donghua", "supervisor"])
def test_only_the_hotline_desk_sees_the_page(client, auth, user):
    login(client, user)
    page = client.get("/tickets/new")
    assert page.status_code == 403 and "ticket.role_forbidden" in page.text
    assert "data-intake" not in page.text and "intake.js" not in page.text
    data = dict(CONSULT, csrf_token=csrf(page.text), article_id="1")
    for path in ("/tickets/new", "/tickets/new/answer", "/tickets/new/emergency"):
        r = client.post(path, data=dict(data, line="119"), follow_redirects=False)
        assert r.status_code == 403 and "ticket.role_forbidden" in r.text
    assert _tickets(client, auth) == []


def test_every_step_needs_the_csrf_token(client, auth):
    login(client, "operator")
    data = _form(client, **FIRE, line="119")
    for token in (None, "not-the-token"):
        sent = {k: v for k, v in data.items() if k != "csrf_token"}
        if token:
            sent["csrf_token"] = token
        r = client.post("/tickets/new/emergency", data=sent, follow_redirects=False)
        assert r.status_code == 403 and "auth.csrf" in r.text
    assert _tickets(client, auth) == []


def test_the_assistance_api_takes_the_token_from_the_page(client):
    login(client, "operator")
    token = csrf(client.get("/tickets/new").text)
    body = {"content": "楼里着火了，冒烟很大"}
    assert client.post("/api/intake/assist", json=body).status_code == 403
    r = client.post("/api/intake/assist", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["emergency"]["lines"] == ["119"]


def test_an_unknown_step_is_not_offered(client, auth):
    login(client, "operator")
    r = client.post("/tickets/new/dispatch", data=_form(client, **CONSULT))
    assert r.status_code == 404 and "ticket.unknown_action" in r.text
    assert _tickets(client, auth) == []


# --- answer from an article ------------------------------------------------------------------


def test_record_and_answer_from_an_article_in_one_step(client, auth):
    article = publish(client, auth)
    login(client, "operator")
    data = _form(client, **CONSULT, article_id=str(article["id"]))
    r = client.post("/tickets/new/answer", data=data, follow_redirects=False)
    assert r.status_code == 303
    number = r.headers["location"].rsplit("/", 1)[1]
    assert _flash(r) == f"已登记工单 {number}，已按知识库 KB-{article['id']} 直接答复"
    t = _api_ticket(client, auth, number)
    assert t["status"] == "answered" and t["answer_text"] == article["current"]["answer"]
    page = client.get(f"/tickets/{number}").text
    assert "已直接答复" in page and f"KB-{article['id']} v1" in page
    assert f'href="/kb/articles/{article["id"]}"' in page
    # The same click again (same form, same key) changes nothing.
    again = client.post("/tickets/new/answer", data=data, follow_redirects=False)
    assert again.headers["location"] == r.headers["location"]
    assert "重复提交未再建单" in _flash(again) and len(_tickets(client, auth)) == 1


@pytest.mark.parametrize("missing", [False, True])
def test_a_failed_answer_keeps_the_ticket_and_says_why(client, auth, missing):
    # No such article, or a draft (never cited).
    article_id = 999 if missing else create_article(client, auth)["id"]
    login(client, "operator")
    data = _form(client, **CONSULT, article_id=str(article_id))
    r = client.post("/tickets/new/answer", data=data, follow_redirects=False)
    assert r.status_code == (404 if missing else 409)
    [t] = _tickets(client, auth)
    assert t["status"] == "received"
    text = alert(r.text)
    assert f"已登记工单 {t['number']}，但直接答复未能完成" in text and "工单已保存" in text
    assert f'data-testid="number">{t["number"]}<' in r.text  # the ticket's own page
    # The answer form is open again, with the article the operator chose.
    form = re.search(r'data-action="answer_directly".*?</form>', r.text, re.S).group(0)
    assert "<details open>" in form and f'name="article_id" value="{article_id}"' in form
    # Sending the same form again does not make a second ticket.
    client.post("/tickets/new/answer", data=data, follow_redirects=False)
    assert len(_tickets(client, auth)) == 1


def test_a_refused_form_records_nothing_and_keeps_what_was_typed(client, auth):
    login(client, "operator")
    data = _form(client, **dict(CONSULT, category=""), article_id="1")
    r = client.post("/tickets/new/answer", data=data)
    assert r.status_code == 422 and "事项分类" in alert(r.text)
    assert "请问物业公司能随便上调物业费吗？" in r.text and _tickets(client, auth) == []
    r = client.post("/tickets/new/answer", data=dict(data, category="城乡建设", article_id="x"))
    assert r.status_code == 422 and "知识库条目编号" in alert(r.text)
    assert _tickets(client, auth) == []


# --- emergency referral ----------------------------------------------------------------------


def test_record_and_refer_an_emergency_in_one_step(client, auth):
    login(client, "operator")
    data = _form(client, **FIRE, line="119", risk_words="着火、冒烟")
    r = client.post("/tickets/new/emergency", data=data, follow_redirects=False)
    assert r.status_code == 303 and "已按紧急情形转119（火警）" in _flash(r)
    number = r.headers["location"].rsplit("/", 1)[1]
    t = _api_ticket(client, auth, number)
    assert t["status"] == "referred" and t["referral_reason"] == "emergency"
    assert t["referral_destination"] == "119 火警"
    timeline = client.get(f"/api/tickets/{number}/timeline", headers=auth("operator")).json()
    assert [e["action"] for e in timeline] == ["receive", "refer"]
    assert "着火、冒烟" in timeline[1]["reason"]
    page = client.get(f"/tickets/{number}").text
    assert "分类处置" in page and "紧急事项转紧急热线：119 火警" in page


def test_only_the_citys_emergency_lines(client, auth):
    login(client, "operator")
    r = client.post("/tickets/new/emergency", data=_form(client, **FIRE, line="999"))
    assert r.status_code == 422 and "不是本市的紧急热线" in alert(r.text)
    assert "楼里着火了，冒烟很大" in r.text and _tickets(client, auth) == []


# --- merge -----------------------------------------------------------------------------------


def test_record_and_merge_in_one_step(client, auth):
    first = create(client, auth)["number"]
    login(client, "operator")
    data = _form(client, **dict(NEW_TICKET_FORM, requester_phone="13500135000"), into_number=first)
    r = client.post("/tickets/new/merge", data=data, follow_redirects=False)
    assert r.status_code == 303 and f"已并入工单 {first}" in _flash(r)
    number = r.headers["location"].rsplit("/", 1)[1]
    assert _api_ticket(client, auth, number)["status"] == "merged"
    page = client.get(f"/tickets/{number}").text
    assert "已并单" in page
    assert re.search(rf'data-testid="merged-into"><a href="/tickets/{first}">{first}</a>', page)
    original = client.get(f"/tickets/{first}").text
    assert re.search(rf'data-testid="merged"><a href="/tickets/{number}">{number}</a>', original)
    assert "并入工单" in original  # the original's timeline records it


def test_a_failed_merge_keeps_the_ticket(client, auth):
    login(client, "operator")
    data = _form(client, **NEW_TICKET_FORM, into_number="CS20990101000001")
    r = client.post("/tickets/new/merge", data=data, follow_redirects=False)
    assert r.status_code == 422 and "ticket.unknown_reference" in r.text
    [t] = _tickets(client, auth)
    assert t["status"] == "received" and "但并单未能完成" in alert(r.text)
    form = re.search(r'data-action="merge".*?</form>', r.text, re.S).group(0)
    assert 'value="CS20990101000001"' in form


def test_a_repeat_of_an_ended_ticket_is_told_its_result(client, auth):
    first = create(client, auth)["number"]
    api_act(client, auth, "operator", first, "answer_directly", answer="已联系物业，本周修复。")
    login(client, "operator")
    data = _form(client, **NEW_TICKET_FORM, original_number=first)
    r = client.post("/tickets/new/repeat", data=data, follow_redirects=False)
    assert r.status_code == 303 and f"已按重复诉求告知原工单 {first}" in _flash(r)
    number = r.headers["location"].rsplit("/", 1)[1]
    t = _api_ticket(client, auth, number)
    assert (t["status"], t["referral_reason"], t["original"]) == ("referred", "repeated", first)
    page = client.get(f"/tickets/{number}").text
    assert "已联系物业，本周修复。" in page  # the original's result, in the timeline
    assert 'data-testid="repeat-count">1 次<' in client.get(f"/tickets/{first}").text


# --- the proposal comes back as training data ------------------------------------------------


def test_the_operators_corrections_are_kept(client, auth, ctx):
    login(client, "operator")
    proposal = {
        "proposal_request_type": "consult",
        "proposal_category": "城乡建设/供暖",
        "proposal_tags": "livability",
        "proposal_model_version": "rules-test",
    }
    data = _form(client, **NEW_TICKET_FORM, **proposal)
    r = client.post("/tickets/new", data={**data, "tags": ["safety"]}, follow_redirects=False)
    assert r.status_code == 303
    with UnitOfWork(ctx.engine, write=False) as uow:
        kept = {
            c.field: (c.proposed, c.chosen, c.model_version)
            for c in feedback.corrections(uow.session)
        }
    assert kept == {
        "request_type": ("consult", "complaint", "rules-test"),
        "category": ("城乡建设/供暖", "城乡建设/物业管理", "rules-test"),
        "tags": (["livability"], ["safety"], "rules-test"),
    }


def test_a_malformed_proposal_never_stops_a_call(client, auth, ctx):
    login(client, "operator")
    bad = {"proposal_model_version": "x" * 500, "proposal_category": "城乡建设/供暖"}
    r = client.post("/tickets/new", data=_form(client, **NEW_TICKET_FORM, **bad))
    assert r.status_code == 200 and len(_tickets(client, auth)) == 1
    with UnitOfWork(ctx.engine, write=False) as uow:
        assert feedback.corrections(uow.session) == []


# --- the ticket page -------------------------------------------------------------------------


def test_ticket_page_links_the_knowledge_base_and_repeats(client, auth):
    first = create(client, auth)["number"]
    repeat = create(client, auth, requester_phone="13500135000")["number"]
    api_act(
        client,
        auth,
        "operator",
        repeat,
        "refer",
        referral_reason="repeated",
        destination="告知原工单办理进展",
        original_number=first,
    )
    login(client, "operator")
    page = client.get(f"/tickets/{first}").text
    link = re.search(r'href="(/kb\?ticket=[^"]+)" data-testid="kb-find"', page).group(1)
    assert link.startswith(f"/kb?ticket={first}&amp;q=")
    kb = client.get(link.replace("&amp;", "&")).text
    assert (
        f'正在为工单 <a href="/tickets/{first}">{first}</a>' in kb
        and 'value="小区电梯长期故障"' in kb
    )
    assert 'data-testid="repeat-count">1 次<' in page
    repeated = client.get(f"/tickets/{repeat}").text
    assert re.search(rf'data-testid="original"><a href="/tickets/{first}">', repeated)
    assert 'data-testid="kb-find"' not in repeated  # only received tickets
    client.cookies.clear()
    login(client, "supervisor")  # reads the ticket, does not answer it
    assert 'data-testid="kb-find"' not in client.get(f"/tickets/{first}").text
