"""The console's handling screens through TestClient (H1–H8, D6): the unit's inbox with
coloured deadlines, whistle calls and escalations; the ticket page's handling panels and
their forms; the whistle board; the warnings page with urging; a reply with attachments."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from jiesu.domain.roles import Role
from jiesu.handling.warnings import list_warnings
from jiesu.handling.watch import watch_deadlines
from jiesu.storage.tables import attachments as attachments_table
from tests.api.helpers import act as api_act
from tests.api.helpers import create, dispatched
from tests.channels import samples
from tests.conftest import TZ, USERS

from .helpers import act, csrf, login, version_in_form
from .test_dispatch_console import alert, ticket

BASE = "/console/handling"


def _at_street(client, auth) -> str:
    """A property ticket led by 东华街道, acknowledged and contacted."""
    number = dispatched(client, auth, lead="990101001")["number"]
    api_act(client, auth, "donghua", number, "acknowledge")
    api_act(client, auth, "donghua", number, "contact", method="phone", outcome="reached")
    return number


def _as(client, username: str) -> None:
    client.cookies.clear()
    login(client, username)


def _form(page: str, action: str) -> str:
    match = re.search(rf'<form [^>]*data-action="{action}".*?</form>', page, re.S)
    assert match, f"no {action} form"
    return match[0]


def _states(html: str) -> list[str]:
    return re.findall(r'class="deadline (cd-[a-z-]+)', html)


# --- pages and navigation -------------------------------------------------------------------


@pytest.mark.parametrize("username", sorted(USERS))
def test_the_handling_pages_open_for_every_role(client, auth, username):
    number = _at_street(client, auth)
    api_act(client, auth, "donghua", number, "raise_whistle", unit_codes=["990101.urban"],
            reason="占道经营，需城管到场")  # fmt: skip
    login(client, username)
    home = client.get("/").text
    assert f'href="{BASE}/whistles"' in home and f'href="{BASE}/warnings"' in home
    role = USERS[username][0]
    assert ("预警督办" in home) == (role in (Role.SUPERVISOR, Role.ADMIN))
    for path in (f"{BASE}/whistles", f"{BASE}/warnings", f"/tickets/{number}"):
        r = client.get(path)
        if path.startswith("/tickets") and username in ("heping", "water", "xichang", "transport"):
            assert r.status_code == 404  # not their ticket
            continue
        assert r.status_code == 200, (path, r.text[:300])
    board = client.get(f"{BASE}/whistles").text
    sees = role is not Role.UNIT_HANDLER or username in ("donghua", "urban")
    assert (number in board) == sees


def test_unit_inbox_tabs(client, auth):
    login(client, "urban")
    tabs = re.findall(r'href="/\?tab=(\w+)"', client.get("/").text)
    assert tabs == ["to_ack", "handling", "co_tasks", "calls", "escalations", "done", "all"]
    _as(client, "dispatcher")
    assert "tab=contests" in client.get("/").text


# --- deadlines in colour --------------------------------------------------------------------


def test_countdowns_turn_yellow_at_the_warn_share_and_red_when_overdue(client, auth, clock):
    # Dispatched Monday 09:00: contact by Tuesday 23:59:59 (39 h), completion next Monday.
    number = dispatched(client, auth, lead="990101001")["number"]
    login(client, "donghua")
    assert _states(client.get("/?tab=to_ack").text) == ["cd-ok", "cd-ok"]
    clock.advance(hours=30)  # 77% of the contact time: still green
    _as(client, "donghua")
    assert _states(client.get("/?tab=to_ack").text) == ["cd-ok", "cd-ok"]
    clock.advance(hours=2)  # 82%: yellow
    _as(client, "donghua")
    assert _states(client.get("/?tab=to_ack").text) == ["cd-warn", "cd-ok"]
    page = client.get(f"/tickets/{number}").text
    bar = page.split('class="deadline-bar"')[1].split("</div>")[0]
    assert _states(bar) == ["cd-warn", "cd-ok"] and "data-warn=" in bar
    clock.advance(hours=8)  # past the contact deadline: red
    _as(client, "donghua")
    assert _states(client.get("/?tab=to_ack").text) == ["cd-late", "cd-ok"]
    assert "已超期" in client.get(f"/tickets/{number}").text


def test_co_handler_tasks_show_their_own_deadline(client, auth, clock):
    due = (clock.now + timedelta(hours=10)).isoformat()
    number = create(client, auth)["number"]
    api_act(client, auth, "dispatcher", number, "dispatch", lead_unit_code="990101001",
            co_handlers=[{"unit_code": "990101.urban", "task": "查处占道", "due": due}])  # fmt: skip
    clock.advance(hours=9)
    login(client, "urban")
    page = client.get("/?tab=co_tasks").text
    assert number in page and "协办任务：查处占道" in page
    assert re.search(r'class="deadline cd-warn compact"[^>]*title="协办时限', page)


# --- the ticket page's forms ----------------------------------------------------------------


def test_the_new_action_forms_render_with_proper_widgets(client, auth):
    number = _at_street(client, auth)
    login(client, "donghua")
    page = client.get(f"/tickets/{number}").text
    whistle = _form(page, "raise_whistle")
    assert "召集的部门" in whistle and 'name="unit_codes.0"' in whistle
    assert '<option value="990101.urban"' in whistle and '<option value="utility.water"' in whistle
    assert '<option value="990102.urban"' not in whistle  # another district's department
    assert '<option value="990101002"' not in whistle  # a street is not summoned
    escalate = _form(page, "escalate")
    assert re.search(r'<select [^>]*name="authority_unit_code"', escalate)
    assert "东区人民政府（区政府）" in escalate and "测试市人民政府（市政府）" in escalate
    contest = _form(page, "contest_request")
    assert "不合理诉求" in contest and "应由诉求人承担费用" in contest and "申请理由" in contest
    reply = _form(page, "reply")
    assert 'enctype="multipart/form-data"' in reply and 'type="file"' in reply
    assert "co_handlers" not in reply
    assert 'data-testid="extension"' in page and "审批制" in page  # the test city approves


def test_a_contest_is_decided_in_its_panel(client, auth):
    number = _at_street(client, auth)
    login(client, "donghua")
    r = act(client, number, "contest_request", kind="improper", reason="要求免除全部物业费",
            evidence="物业合同")  # fmt: skip
    assert r.status_code == 303
    _as(client, "dispatcher")
    page = client.get(f"/tickets/{number}").text
    panel = page.split('data-testid="contest"')[1].split("</section>")[0]
    assert "待认定" in panel and "物业合同" in panel and 'data-action="decide_contest"' in panel
    r = act(client, number, "decide_contest", accepted="true", reason="经核实属不合理诉求")
    assert r.status_code == 303
    out = ticket(client, auth, number)
    assert (out["contest_kind"], out["contest_status"]) == ("improper", "accepted")
    assert "已认定" in client.get(f"/tickets/{number}").text


# --- whistle and report-in ------------------------------------------------------------------


def test_whistle_raised_reported_in_from_the_inbox_and_closed_on_the_board(client, auth, clock):
    number = _at_street(client, auth)
    login(client, "donghua")
    r = act(client, number, "raise_whistle", reason="管线占道，需城管和自来水到场",
            **{"unit_codes.0": "990101.urban", "unit_codes.1": "utility.water"})  # fmt: skip
    assert r.status_code == 303, alert(r.text)
    page = client.get(f"/tickets/{number}").text
    panel = page.split('data-testid="whistle"')[1].split("</section>")[0]
    assert "第1次吹哨" in panel and panel.count("待报到") >= 2 and "管线占道" in panel
    assert 'data-action="close_whistle"' in panel and 'data-action="report_in"' not in page

    _as(client, "urban")
    inbox = client.get("/?tab=calls").text
    assert number in inbox and "管线占道" in inbox and "报到时限" in inbox
    assert f"{BASE}/whistles/{number}/report_in" in inbox
    r = client.post(f"{BASE}/whistles/{number}/report_in",
                    data={"csrf_token": csrf(inbox), "next": "/?tab=calls"})  # fmt: skip
    assert r.status_code == 422 and "报到及处置情况" in alert(r.text)  # the note is required
    r = client.post(f"{BASE}/whistles/{number}/report_in", follow_redirects=False,
                    data={"csrf_token": csrf(inbox), "next": "/?tab=calls",
                          "reason": "已到场，责令恢复道路"})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/?tab=calls"
    inbox = client.get("/?tab=calls").text
    assert f"工单 {number}：已报到" in inbox and f'data-testid="report-in-{number}"' not in inbox

    clock.advance(hours=25)  # past the 24-hour report-in time
    _as(client, "water")
    board = client.get(f"{BASE}/whistles").text
    assert number in board and 'data-testid="report-in"' in board
    page = client.get(f"/tickets/{number}").text
    assert 'data-action="report_in"' in page.split('data-testid="whistle"')[1]
    r = act(client, number, "report_in", reason="已关阀抢修")
    assert r.status_code == 303

    _as(client, "donghua")
    board = client.get(f"{BASE}/whistles").text
    assert "按时报到" in board and "逾期报到" in board and 'data-testid="close-whistle"' in board
    r = client.post(f"{BASE}/whistles/{number}/close_whistle", follow_redirects=False,
                    data={"csrf_token": csrf(board), "reason": "联合处置完毕"})  # fmt: skip
    assert r.status_code == 303
    assert f'data-number="{number}"' not in client.get(f"{BASE}/whistles").text
    out = ticket(client, auth, number)
    assert out["whistle_open"] is False
    assert [c["reported_at"] is not None for c in out["whistle_calls"]] == [True, True]
    page = client.get(f"/tickets/{number}").text
    assert "结束于" in page and "联合处置完毕" in page and "已报到的部门" in page


def test_a_closed_whistle_lifts_the_absent_departments_warning(client, auth, ctx, clock):
    number = _at_street(client, auth)
    api_act(client, auth, "donghua", number, "raise_whistle", unit_codes=["utility.water"],
            reason="管线", report_due=(clock.now + timedelta(hours=2)).isoformat())  # fmt: skip
    clock.advance(hours=3)
    watch_deadlines(ctx)
    water = _actor(ctx, "water")
    assert [w.subject_zh for w in list_warnings(ctx, water)] == ["报到时限"]
    api_act(client, auth, "donghua", number, "close_whistle", reason="已处置")
    assert list_warnings(ctx, water) == []
    assert not list_warnings(ctx, water, standing=False)[0].standing


def _actor(ctx, username: str):
    from jiesu import accounts
    from tests.conftest import PASSWORD

    return accounts.login(ctx.engine, username, PASSWORD, ctx.now()).user.actor


# --- escalation -----------------------------------------------------------------------------


def test_escalation_raised_and_decided_through_the_console(client, auth):
    number = _at_street(client, auth)
    before = ticket(client, auth, number)
    login(client, "donghua")
    r = act(client, number, "escalate", authority_unit_code="990102", reason="协调不动")
    assert r.status_code == 422 and "escalation.not_authority" in r.text
    r = act(client, number, "escalate", authority_unit_code="990101",
            reason="涉及城管和物业，本街道协调不动")  # fmt: skip
    assert r.status_code == 303

    _as(client, "dongqu")
    inbox = client.get("/?tab=escalations").text
    assert number in inbox and "协调" in inbox
    page = client.get(f"/tickets/{number}").text
    panel = page.split('data-testid="escalation"')[1].split("</section>")[0]
    assert "待东区人民政府协调定责" in panel and "本街道协调不动" in panel
    form = _form(panel, "decide_escalation")
    assert 'name="lead_unit_code"' in form and 'name="co_handlers.0.unit_code"' in form
    r = act(client, number, "decide_escalation", lead_unit_code="990101.urban",
            reason="由区城管委主办，街道协办",
            **{"co_handlers.0.unit_code": "990101001", "co_handlers.0.task": "属地配合"})  # fmt: skip
    assert r.status_code == 303, alert(r.text)
    out = ticket(client, auth, number)
    assert (out["status"], out["lead_unit_code"], out["escalated_to"]) == (
        "dispatched", "990101.urban", None)  # fmt: skip
    assert out["completion_due"] == before["completion_due"]
    assert f'href="/tickets/{number}"' not in client.get("/?tab=escalations").text
    _as(client, "dispatcher")
    page = client.get(f"/tickets/{number}").text
    assert "东区城市管理委员会（改派）" in page and "协办：东华街道：属地配合" in page


# --- warnings and urging --------------------------------------------------------------------


def test_urge_from_the_warnings_page(client, auth, ctx, clock):
    mine = dispatched(client, auth, lead="990101001")
    other = dispatched(client, auth, lead="990101002")
    clock.now = datetime.fromisoformat(mine["contact_due"]) + timedelta(minutes=5)
    watch_deadlines(ctx)
    login(client, "supervisor")
    page = client.get(f"{BASE}/warnings").text
    assert mine["number"] in page and other["number"] in page and "红灯超时" in page
    assert page.count('data-level="red"') == 2
    assert "东华街道（1）" in page  # the unit filter, with counts
    only = client.get(f"{BASE}/warnings?unit=990101001&level=red").text
    assert mine["number"] in only and other["number"] not in only
    assert client.get(f"{BASE}/warnings?level=yellow").text.count('data-level="red"') == 0

    url = f"{BASE}/warnings/{mine['number']}/urge"
    assert f'action="{url}"' in only
    nxt = f"{BASE}/warnings?unit=990101001&level=red"
    r = client.post(url, data={"csrf_token": csrf(only), "next": nxt, "reason": " "})
    assert r.status_code == 422 and "督办意见" in alert(r.text)
    assert ticket(client, auth, mine["number"])["urge_count"] == 0
    r = client.post(url, follow_redirects=False,
                    data={"csrf_token": csrf(only), "next": nxt, "reason": "群众反映强烈，请加快办理"})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == nxt
    assert ticket(client, auth, mine["number"])["urge_count"] == 1
    assert "已督办1次" in client.get(nxt).text
    page = client.get(f"/tickets/{mine['number']}").text
    assert 'data-testid="urging"' in page and "群众反映强烈，请加快办理" in page

    _as(client, "dispatcher")  # reads the warnings, does not urge
    page = client.get(f"{BASE}/warnings").text
    assert mine["number"] in page and "/urge" not in page
    r = client.post(url, data={"csrf_token": csrf(page), "reason": "快办"})
    assert r.status_code == 403
    _as(client, "donghua")  # a unit sees its own
    page = client.get(f"{BASE}/warnings?unit=990101002").text
    assert mine["number"] in page and other["number"] not in page and "/urge" not in page


# --- the reply with attachments -------------------------------------------------------------


def test_a_reply_with_an_attachment_through_the_console(client, auth, engine, tmp_path,
                                                         monkeypatch):  # fmt: skip
    monkeypatch.setenv("JIESU_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    number = _at_street(client, auth)
    login(client, "donghua")
    page = client.get(f"/tickets/{number}").text
    base = {"csrf_token": csrf(page), "expected_version": version_in_form(page, "reply"),
            "outcome": "solved"}  # fmt: skip
    photo = {"attachments.files": ("after.jpg", samples.jpeg(), "image/jpeg")}
    # Refused (no text): the file is taken back, and the page says to choose it again.
    r = client.post(f"/tickets/{number}/actions/reply", data=base, files=photo)
    assert r.status_code == 422 and "请重新选择文件" in alert(r.text)
    with engine.connect() as conn:
        assert conn.execute(select(attachments_table)).all() == []
    # A file of a forbidden type is refused by its content.
    bad = {"attachments.files": ("x.jpg", b"MZ\x90\x00 not an image", "image/jpeg")}
    r = client.post(f"/tickets/{number}/actions/reply", data={**base, "text": "已修复"},
                    files=bad)  # fmt: skip
    assert r.status_code == 415 and "attachment.type_not_allowed" in r.text
    r = client.post(f"/tickets/{number}/actions/reply", data={**base, "text": "电梯已修复"},
                    files=photo, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, alert(r.text)
    out = ticket(client, auth, number)
    assert out["status"] == "replied" and len(out["attachments"]) == 1
    sha = out["attachments"][0]
    page = client.get(f"/tickets/{number}").text
    assert f'href="/api/attachments/{sha}"' in page
    assert client.get(f"/api/attachments/{sha}").content == samples.jpeg()
    # The reply made the own requester's return visit due: listed read-only.
    _as(client, "operator")
    visits = client.get(f"/tickets/{number}").text.split('data-testid="visits"')[1]
    assert "本工单诉求人" in visits and "待回访" in visits


def test_extension_requested_and_granted_in_its_panel(client, auth):
    number = _at_street(client, auth)
    due = datetime.fromisoformat(ticket(client, auth, number)["completion_due"])
    login(client, "donghua")
    proposed = (due + timedelta(days=5)).astimezone(TZ).strftime("%Y-%m-%dT%H:%M")
    r = act(client, number, "request_extension", proposed_due=proposed, reason="需协调产权单位")
    assert r.status_code == 303, alert(r.text)
    r = act(client, number, "progress_report", text="已联系产权单位，等待答复")
    assert r.status_code == 303, alert(r.text)
    _as(client, "dispatcher")
    page = client.get(f"/tickets/{number}").text
    panel = page.split('data-testid="extension"')[1].split("</section>")[0]
    assert "待审批" in panel and proposed.replace("T", " ") in panel and "需协调产权单位" in panel
    assert 'data-action="grant_extension"' in panel and 'data-action="refuse_extension"' in panel
    assert "阶段性办理情况" in page and "已联系产权单位，等待答复" in page  # the timeline
    r = act(client, number, "grant_extension", reason="同意")
    assert r.status_code == 303, alert(r.text)
    out = ticket(client, auth, number)
    assert out["extension_count"] == 1 and out["extension_requested_due"] is None
    panel = client.get(f"/tickets/{number}").text.split('data-testid="extension"')[1]
    assert "已延期 1 次" in panel and "同意，办结时限延至" in panel
