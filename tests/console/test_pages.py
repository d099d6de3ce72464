"""The console through TestClient (no browser): login, CSRF, queues per role, forms per action."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from jiesu.domain.ticket import TERMINAL, Status
from tests.api.helpers import act as api_act
from tests.api.helpers import create, dispatched
from tests.conftest import TZ

from .helpers import act, csrf, login

NEW_TICKET_FORM = {
    "channel": "phone",
    "request_type": "complaint",
    "category": "城乡建设/物业管理",
    "urgency": "normal",
    "title": "小区电梯长期故障",
    "content": "东华社区3号楼电梯坏了两周，物业一直不修。",
    "requester_name": "张女士",
    "requester_phone": "13800138000",
    "address": "东华社区3号楼",
    "loc_district": "990101",
    "loc_street": "990101001",
    "loc_community": "990101001001",
}


def forms_on(html: str) -> set[str]:
    return set(re.findall(r'<form method="post" action="/tickets/[^"]+/actions/([a-z_]+)"', html))


def alert(html: str) -> str:
    match = re.search(r'<div class="alert[^"]*" role="alert">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


# --- login, logout, redirects ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/tickets/new", "/tickets/CS20261123000001"])
def test_pages_redirect_to_login(client, path):
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next={path}"


def test_login_sets_an_httponly_lax_cookie_and_returns_to_the_page(client):
    r = login(client, "operator", next_path="/tickets/new")
    assert r.status_code == 303 and r.headers["location"] == "/tickets/new"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("jiesu_session="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    page = client.get("/tickets/new")
    assert page.status_code == 200 and "新建工单" in page.text and "话务员" in page.text


def test_wrong_password_is_refused(client):
    r = login(client, "operator", password="wrong-password")
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text
    assert "jiesu_session" not in client.cookies


def test_login_never_redirects_off_site(client):
    r = login(client, "operator", next_path="//evil.example/x")
    assert r.headers["location"] == "/"


def test_login_form_needs_its_own_token(client):
    r = client.post(
        "/login", data={"username": "operator", "password": "x"}, follow_redirects=False
    )
    assert r.status_code == 403 and "jiesu_session" not in client.cookies


def test_logout_ends_the_session(client):
    login(client, "operator")
    token = csrf(client.get("/").text)
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    client.cookies.clear()
    assert client.get("/", follow_redirects=False).status_code == 303


# --- CSRF -------------------------------------------------------------------------------------


def test_posts_without_the_csrf_token_are_refused(client, auth):
    t = create(client, auth)
    login(client, "dispatcher")
    for path, data in [
        ("/tickets/new", NEW_TICKET_FORM),
        (f"/tickets/{t['number']}/actions/dispatch", {"lead_unit_code": "990101001"}),
        ("/logout", {}),
    ]:
        for token in (None, "forged"):
            body = dict(data, **({"csrf_token": token} if token else {}))
            r = client.post(path, data=body, follow_redirects=False)
            assert r.status_code == 403, path
            assert "CSRF" in r.text
    r = client.get(f"/api/tickets/{t['number']}", headers=auth("operator"))
    assert r.json()["status"] == "received"
    assert client.get("/api/tickets", headers=auth("operator")).json()["total"] == 1


# --- queues -----------------------------------------------------------------------------------


def _numbers(html: str) -> set[str]:
    return set(re.findall(r'<a href="/tickets/(CS\d+)">', html))


def test_a_unit_sees_only_its_own_tickets(client, auth):
    ours = dispatched(client, auth, lead="990101001")["number"]
    theirs = dispatched(client, auth, lead="990102001")["number"]
    login(client, "donghua")
    assert _numbers(client.get("/").text) == {ours}  # 待签收
    assert _numbers(client.get("/?tab=all").text) == {ours}
    assert _numbers(client.get(f"/?tab=all&q={theirs}").text) == set()
    r = client.get(f"/tickets/{theirs}")
    assert r.status_code == 404 and "不存在" in r.text
    client.cookies.clear()
    login(client, "xichang")
    assert _numbers(client.get("/?tab=all").text) == {theirs}


def test_a_district_sees_its_streets_tickets_as_supervisor(client, auth):
    number = dispatched(client, auth, lead="990101001")["number"]
    login(client, "dongqu")
    page = client.get("/?tab=all").text
    assert _numbers(page) == {number} and "督办" in page
    assert forms_on(client.get(f"/tickets/{number}").text) == set()


def test_queues_per_role(client, auth):
    received = create(client, auth)["number"]
    at_unit = dispatched(client, auth)["number"]
    login(client, "dispatcher")
    assert _numbers(client.get("/").text) == {received}  # 待派单
    assert _numbers(client.get("/?tab=all").text) == {received, at_unit}
    client.cookies.clear()
    login(client, "operator")
    assert _numbers(client.get("/").text) == {received}  # 待处理
    client.cookies.clear()
    login(client, "supervisor")
    assert _numbers(client.get("/").text) == set()  # nothing overdue yet


def test_overdue_tickets_reach_the_supervisor_in_red(client, auth, clock):
    number = dispatched(client, auth)["number"]
    clock.advance(days=10)
    login(client, "supervisor")
    page = client.get("/").text
    assert _numbers(page) == {number}
    assert "cd-late" in page and "已超期" in page


def test_deadlines_turn_yellow_at_the_warn_share_and_red_when_missed(client, auth, clock):
    number = dispatched(client, auth)["number"]  # contact by 11-24, completion by 11-30 23:59
    clock.advance(days=6, hours=3)  # 81% of the completion time used (warn_share 0.8)
    login(client, "donghua")
    row = client.get("/?tab=to_ack").text
    assert number in row
    contact, completion = re.findall(r'class="deadline (cd-[a-z-]+) compact"', row)
    assert (contact, completion) == ("cd-late", "cd-warn")
    page = client.get(f"/tickets/{number}").text
    assert "已超期" in page and "剩余1天" in page


def test_queue_filters(client, auth):
    a = create(client, auth, request_type="consult", title="咨询公交线路")["number"]
    b = create(client, auth, category="城乡建设/供暖", title="暖气不热")["number"]
    login(client, "operator")
    assert _numbers(client.get("/?tab=all&request_type=consult").text) == {a}
    assert _numbers(client.get("/?tab=all&category=城乡建设/供暖").text) == {b}
    assert _numbers(client.get("/?tab=all&q=暖气").text) == {b}
    assert _numbers(client.get("/?tab=all&status=dispatched").text) == set()
    assert _numbers(client.get("/?tab=all&status=bogus&page=x").text) == {a, b}


def test_co_handling_tasks_have_their_own_queue(client, auth):
    t = create(client, auth)
    api_act(
        client,
        auth,
        "dispatcher",
        t["number"],
        "dispatch",
        lead_unit_code="990101001",
        co_handlers=[{"unit_code": "990101.urban", "task": "查处违规"}],
    )
    login(client, "urban")
    page = client.get("/?tab=co_tasks").text
    assert _numbers(page) == {t["number"]} and "查处违规" in page
    assert forms_on(client.get(f"/tickets/{t['number']}").text) == {
        "co_handler_report",
        "progress_report",
    }


# --- the ticket page and its forms -----------------------------------------------------------


@pytest.mark.parametrize("user", ["operator", "dispatcher", "supervisor", "donghua"])
def test_forms_are_the_allowed_actions_only(client, auth, user):
    received = create(client, auth)["number"]
    at_unit = dispatched(client, auth)["number"]
    login(client, user)
    for number in (received, at_unit):
        page = client.get(f"/tickets/{number}")
        if page.status_code == 404:
            assert user == "donghua" and number == received
            continue
        allowed = client.get(f"/api/tickets/{number}", headers=auth(user)).json()["allowed_actions"]
        assert forms_on(page.text) == set(allowed)


def test_acknowledge_through_the_form_redirects_with_a_message(client, auth):
    number = dispatched(client, auth)["number"]
    login(client, "donghua")
    r = act(client, number, "acknowledge")
    assert r.status_code == 303 and r.headers["location"] == f"/tickets/{number}"
    page = client.get(f"/tickets/{number}").text
    assert "操作成功：签收" in page and 'data-testid="status">已签收<' in page
    assert "操作成功" not in client.get(f"/tickets/{number}").text  # shown once


def test_a_stale_form_is_refused_with_the_conflict_message(client, auth):
    number = create(client, auth)["number"]
    login(client, "dispatcher")
    page = client.get(f"/tickets/{number}").text
    stale = {"csrf_token": csrf(page), "expected_version": "1", "lead_unit_code": "990101001"}
    api_act(client, auth, "operator", number, "answer_directly", answer="请拨打物业电话。")
    r = client.post(f"/tickets/{number}/actions/dispatch", data=stale)
    assert r.status_code == 409
    assert "工单已被他人修改" in alert(r.text) and "ticket.conflict" in alert(r.text)
    assert (
        client.get(f"/api/tickets/{number}", headers=auth("operator")).json()["status"]
        == "answered"
    )


def test_input_and_domain_errors_come_back_in_chinese(client, auth):
    number = dispatched(client, auth)["number"]
    login(client, "donghua")
    act(client, number, "acknowledge")
    r = act(client, number, "raise_objection", grounds="duty", evidence="见职责清单")
    assert r.status_code == 422 and "请填写异议理由" in r.text and "input.required" in r.text
    assert ">见职责清单</textarea>" in r.text  # the failed form comes back as it was filled
    act(client, number, "contact")
    r = act(client, number, "reply", outcome="solved")
    assert r.status_code == 422 and "办理情况：必须填写" in r.text


def test_datetimes_are_read_in_the_city_zone(client, auth):
    number = dispatched(client, auth)["number"]
    login(client, "donghua")
    act(client, number, "acknowledge")
    r = act(
        client, number, "request_extension", proposed_due="2026-12-04T17:30", reason="需协调物业"
    )
    assert r.status_code == 303, r.text
    t = client.get(f"/api/tickets/{number}", headers=auth("dispatcher")).json()
    assert datetime.fromisoformat(t["extension_requested_due"]) == datetime(
        2026, 12, 4, 17, 30, tzinfo=TZ
    )
    client.cookies.clear()
    login(client, "dispatcher")
    assert number in client.get("/?tab=extensions").text
    assert {"grant_extension", "refuse_extension"} <= forms_on(
        client.get(f"/tickets/{number}").text
    )


def test_dispatch_form_with_a_co_handler(client, auth):
    number = create(client, auth)["number"]
    login(client, "dispatcher")
    r = act(
        client,
        number,
        "dispatch",
        lead_unit_code="990101001",
        **{"co_handlers.0.unit_code": "990101.urban", "co_handlers.0.task": "查处违规"},
    )
    assert r.status_code == 303, r.text
    t = client.get(f"/api/tickets/{number}", headers=auth("dispatcher")).json()
    assert t["lead_unit_code"] == "990101001"
    assert [c["unit_code"] for c in t["co_handlers"]] == ["990101.urban"]
    page = client.get(f"/tickets/{number}").text
    assert "东区城市管理委员会" in page and "查处违规" in page


def test_dispatch_form_errors_name_the_co_handler_row(client, auth):
    number = create(client, auth)["number"]
    login(client, "dispatcher")
    r = act(
        client,
        number,
        "dispatch",
        lead_unit_code="990101001",
        **{"co_handlers.0.unit_code": "990101.urban"},
    )
    assert r.status_code == 422 and "协办单位第1行的协办任务：必须填写" in r.text
    r = act(
        client,
        number,
        "dispatch",
        lead_unit_code="990101001",
        **{"co_handlers.0.unit_code": "990101001", "co_handlers.0.task": "配合"},
    )
    assert r.status_code == 422 and "cohandler.duplicate" in r.text
    assert (
        client.get(f"/api/tickets/{number}", headers=auth("dispatcher")).json()["status"]
        == "received"
    )


def test_what_citizens_wrote_is_escaped(client, auth):
    number = create(client, auth, title="<b>标题</b>", content="<script>alert(1)</script>")[
        "number"
    ]
    login(client, "operator")
    page = client.get(f"/tickets/{number}").text
    assert (
        "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )
    assert "<b>标题</b>" not in client.get("/?tab=all").text


# --- taking a call ----------------------------------------------------------------------------


def test_new_ticket_form_creates_once_per_rendered_form(client, auth):
    login(client, "operator")
    page = client.get("/tickets/new").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    data = dict(NEW_TICKET_FORM, csrf_token=csrf(page), idempotency_key=key)
    first = client.post("/tickets/new", data=data, follow_redirects=False)
    second = client.post("/tickets/new", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    listing = client.get("/api/tickets", headers=auth("operator")).json()
    assert listing["total"] == 1
    t = listing["items"][0]
    assert t["location_unit_code"] == "990101001001" and t["channel"] == "phone"
    ticket_page = client.get(first.headers["location"]).text
    assert "东区人民政府 › 东华街道 › 东华社区" in ticket_page and "登记受理" in ticket_page


def test_new_ticket_errors_keep_what_was_typed(client):
    login(client, "operator")
    page = client.get("/tickets/new").text
    data = dict(NEW_TICKET_FORM, csrf_token=csrf(page), content="", channel="merged_hotline")
    r = client.post("/tickets/new", data=data)
    assert r.status_code == 422 and "诉求内容：至少2个字" in r.text
    assert 'value="小区电梯长期故障"' in r.text
    data["content"] = "市场上买到过期食品"
    r = client.post("/tickets/new", data=data)
    assert r.status_code == 422 and "channel.unknown_hotline" in r.text


def test_unit_handlers_cannot_take_calls(client):
    login(client, "donghua")
    page = client.get("/tickets/new").text
    assert 'href="/tickets/new"' not in client.get("/").text
    r = client.post("/tickets/new", data=dict(NEW_TICKET_FORM, csrf_token=csrf(page)))
    assert r.status_code == 403 and "ticket.role_forbidden" in r.text


def test_confidential_requester_is_hidden_from_the_unit(client, auth):
    number = dispatched(client, auth, confidential=True)["number"]
    login(client, "donghua")
    page = client.get(f"/tickets/{number}").text
    assert "（保密）" in page and "13800138000" not in page and "张女士" not in page


# --- assets -------------------------------------------------------------------------------------


def test_every_asset_is_served_by_jiesu(client):
    login(client, "operator")
    page = client.get("/").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(
        a == "data:," or (a.startswith("/") and not a.startswith("//")) for a in assets
    )
    for path in ("/static/console.css", "/static/console.js"):
        r = client.get(path)
        assert r.status_code == 200 and len(r.content) > 1000
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["content-security-policy"]


def test_terminal_tickets_offer_no_forms(client, auth):
    number = create(client, auth)["number"]
    api_act(client, auth, "operator", number, "answer_directly", answer="请拨打物业电话。")
    login(client, "operator")
    page = client.get(f"/tickets/{number}").text
    assert Status.ANSWERED in TERMINAL
    assert forms_on(page) == set() and "请拨打物业电话。" in page
