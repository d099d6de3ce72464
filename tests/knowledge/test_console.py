"""The console's 知识库 pages through TestClient: search, editor, review, history, answering."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.api.helpers import create as create_ticket
from tests.conftest import START
from tests.console.helpers import csrf, login

from .helpers import create, publish


def _question_links(html: str) -> list[str]:
    return re.findall(r'class="kb-question" href="/kb/articles/(\d+)', html)


def test_the_nav_links_to_the_knowledge_base_and_search_works_without_script(client, auth):
    a = publish(client, auth)
    login(client, "operator")
    home = client.get("/")
    assert 'href="/kb"' in home.text and "知识库" in home.text
    page = client.get("/kb", params={"q": "物业费涨价要业主同意吗"})
    assert page.status_code == 200
    assert _question_links(page.text) == [str(a["id"])]
    assert "kb.js" in page.text and "data-kb-search" in page.text


def test_expired_and_future_articles_are_not_offered_in_the_console(client, auth, clock):
    publish(client, auth, valid_to=START + timedelta(days=1))
    later = publish(
        client, auth, question="2027年物业费新标准何时执行？", valid_from=START + timedelta(days=30)
    )

    def offered() -> list[str]:
        client.cookies.clear()
        login(client, "operator")  # console logins last hours, the clock moves by days
        page = client.get("/kb", params={"q": "物业费"})
        assert page.status_code == 200 and "data-kb-search" in page.text
        return _question_links(page.text)

    assert len(offered()) == 1
    clock.advance(days=2)
    assert offered() == []
    clock.advance(days=30)
    assert offered() == [str(later["id"])]


def test_a_unit_writes_submits_and_a_reviewer_publishes_in_the_console(client, auth):
    login(client, "donghua")
    form = client.get("/kb/new")
    assert form.status_code == 200 and 'name="categories"' in form.text
    r = client.post(
        "/kb/new",
        data={
            "csrf_token": csrf(form.text),
            "question": "东华街道的老年餐桌在哪里？",
            "variants": "老年餐桌地址\n老人吃饭的地方",
            "answer": "东华街道老年餐桌位于东华社区服务站一层，每日11:00—13:00供餐。",
            "categories": "城乡建设/物业管理",
            "submit": "false",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    path = r.headers["location"]
    article = client.get(path).text
    assert "草稿" in article and "老年餐桌地址" in article and 'data-action="submit"' in article
    r = client.post(
        f"{path}/submit", data={"csrf_token": csrf(article), "version": "1"}, follow_redirects=False
    )
    assert r.status_code == 303

    client.cookies.clear()
    login(client, "dispatcher")
    queue = client.get("/kb", params={"tab": "review"}).text
    assert "东华街道的老年餐桌在哪里？" in queue
    page = client.get(path).text
    assert 'data-action="approve"' in page and 'data-action="reject"' in page
    r = client.post(
        f"{path}/approve",
        data={"csrf_token": csrf(page), "version": "2", "note": "可以"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    history = client.get(path).text
    assert "已发布" in history and "dispatcher" in history and "可以" in history
    assert _question_links(client.get("/kb", params={"q": "老年餐桌"}).text)


def test_the_editor_shows_clear_errors_and_writes_nothing(client, auth):
    login(client, "donghua")
    form = client.get("/kb/new")
    r = client.post(
        "/kb/new",
        data={
            "csrf_token": csrf(form.text),
            "question": "   ",
            "answer": "答复",
            "categories": "城乡建设/物业管理",
        },
    )
    assert r.status_code == 422 and "请填写标准问题" in r.text and "input.required" in r.text
    r = client.post(
        "/kb/new",
        data={
            "csrf_token": csrf(form.text),
            "question": "问题",
            "answer": "答复",
            "categories": "城乡建设/物业管理",
            "valid_from": "2026-12-10T00:00",
            "valid_to": "2026-12-01T00:00",
        },
    )
    assert r.status_code == 422 and "kb.invalid_period" in r.text
    assert 'value="问题"' in r.text  # the form comes back filled in
    listing = client.get("/api/kb/articles", headers=auth("admin")).json()
    assert listing["total"] == 0


def test_editing_from_the_console_makes_a_new_version(client, auth):
    a = publish(client, auth)
    login(client, "donghua")
    form = client.get(f"/kb/articles/{a['id']}/edit")
    assert form.status_code == 200 and 'name="base_version" value="1"' in form.text
    values = {
        "csrf_token": csrf(form.text),
        "base_version": "1",
        "question": a["current"]["question"],
        "answer": "修订后的答复口径。",
        "categories": "城乡建设/物业管理",
        "submit": "true",
    }
    r = client.post(f"/kb/articles/{a['id']}/edit", data=values, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(f"/kb/articles/{a['id']}").text
    assert "修订中：第 2 版" in page and "已发布版本（第 1 版）" in page


def test_an_operator_answers_a_ticket_from_an_article(client, auth):
    a = publish(client, auth)
    ticket = create_ticket(client, auth, request_type="consult", content="物业费涨价合法吗？")
    login(client, "operator")
    page = client.get(f"/kb/articles/{a['id']}", params={"ticket": ticket["number"]})
    assert f'value="{ticket["number"]}"' in page.text and 'data-action="answer"' in page.text
    r = client.post(
        f"/kb/articles/{a['id']}/answer",
        data={"csrf_token": csrf(page.text), "ticket": ticket["number"]},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/tickets/{ticket['number']}"
    t = client.get(f"/api/tickets/{ticket['number']}", headers=auth("operator")).json()
    assert t["status"] == "answered" and t["answer_text"] == a["current"]["answer"]
    again = client.post(
        f"/kb/articles/{a['id']}/answer",
        data={"csrf_token": csrf(page.text), "ticket": ticket["number"]},
    )
    assert again.status_code == 409 and "alert" in again.text


def test_another_unit_sees_no_drafts_in_the_console(client, auth):
    a = create(client, auth, "donghua")
    login(client, "heping")
    r = client.get(f"/kb/articles/{a['id']}")
    assert r.status_code == 404 and "kb.not_found" in r.text
    assert f"KB-{a['id']}" not in client.get("/kb", params={"tab": "list"}).text
