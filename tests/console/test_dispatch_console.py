"""The console's dispatch screens through TestClient (D1–D8): suggestions on the ticket page
with one-key 采纳, rule refusals, objection review, consultation, the catalogue and its
history, the figures."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from jiesu.storage.tables import dispatch_decisions
from tests.api.helpers import act as api_act
from tests.api.helpers import create, dispatched

from .helpers import act, csrf, login

BUS = {
    "category": "交通运输/公交线路",
    "title": "公交线路调整",
    "content": "希望增加东区到西区的公交线路，早高峰太挤。",
    "address": "东区东华街道",
    "location_unit_code": None,
}
NOISE = {"category": "城市管理/噪声扰民", "title": "夜间施工噪声", "content": "工地每晚施工到凌晨"}
BASE = "/console/dispatch"


def alert(page: str) -> str:
    match = re.search(r'<div class="alert[^"]*" role="alert">(.*?)</div>', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))) if match else ""


def accept_form(page: str, unit: str) -> tuple[str, dict[str, str]]:
    """The one-key 采纳 form of the suggestion for ``unit``: its URL and hidden fields."""
    match = re.search(
        rf'<form method="post" action="([^"]+)"[^>]*data-accept="{re.escape(unit)}">(.*?)</form>',
        page,
        re.S,
    )
    assert match, f"no 采纳 form for {unit}"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', match[2]))
    return match[1], {k: html.unescape(v) for k, v in fields.items()}


def ticket(client, auth, number: str) -> dict:
    return client.get(f"/api/tickets/{number}", headers=auth("dispatcher")).json()


# --- suggestions on the ticket page ---------------------------------------------------------


def test_the_ticket_page_shows_the_suggestions_with_their_reasons(client, auth):
    t = create(client, auth, location_unit_code=None, address="东区东华街道东华社区3号楼")
    login(client, "dispatcher")
    page = client.get(f"/tickets/{t['number']}").text
    assert 'data-testid="dispatch-suggestions"' in page and "派单建议" in page
    assert '<span class="why-kind why-catalogue">目录</span>' in page
    assert "派单目录“城乡建设/物业管理”" in page
    assert "建议协办：东华社区" in page  # the community only assists (D8)
    assert "东区人民政府 › 东华街道 › 东华社区" in page  # the place found, with its reasons
    assert "地址含“东华社区”" in page
    assert "派单目录第1版" in page
    accept_form(page, "990101001")
    # The generic dispatch form stays for overrides.
    assert 'data-action="dispatch"' in page


def test_one_key_accept_dispatches_with_the_proposed_co_handlers(client, auth, engine):
    t = create(client, auth, location_unit_code=None, address="东区东华街道东华社区3号楼")
    login(client, "dispatcher")
    url, fields = accept_form(client.get(f"/tickets/{t['number']}").text, "990101001")
    assert url == f"/tickets/{t['number']}/actions/dispatch"
    assert fields["co_handlers.0.unit_code"] == "990101001001"
    r = client.post(url, data=fields, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/tickets/{t['number']}"
    out = ticket(client, auth, t["number"])
    assert (out["status"], out["lead_unit_code"]) == ("dispatched", "990101001")
    assert [c["unit_code"] for c in out["co_handlers"]] == ["990101001001"]
    with engine.connect() as conn:
        row = conn.execute(select(dispatch_decisions)).one()
    assert (row.chosen_unit_code, row.accepted, row.rank) == ("990101001", True, 1)
    page = client.get(f"/tickets/{t['number']}").text
    assert "操作成功：派单" in page and 'data-testid="dispatch-suggestions"' not in page
    assert re.search(r"首位建议东华街道（评分0\.\d\d），已采纳；派单目录第1版", page)  # timeline


def test_a_rule_refusal_shows_its_chinese_message_and_changes_nothing(client, auth):
    t = create(client, auth, **BUS)
    login(client, "dispatcher")
    before = ticket(client, auth, t["number"])
    r = act(client, t["number"], "dispatch", lead_unit_code="990101001001", reason="试派社区")
    assert r.status_code == 422
    assert "社区职责清单以外的事项不得派给社区" in alert(r.text)
    assert "dispatch.rule.community_duty_list" in r.text
    after = ticket(client, auth, t["number"])
    assert (after["status"], after["version"]) == (before["status"], before["version"])
    # The street is refused as lead of a department's matter, and says so in the panel.
    r = act(client, t["number"], "dispatch", lead_unit_code="990101001")
    assert r.status_code == 422 and "属于部门职责的事项不得由街道乡镇主办" in alert(r.text)
    assert ticket(client, auth, t["number"])["status"] == "received"


def test_units_and_supervisors_get_no_accept_buttons(client, auth):
    number = dispatched(client, auth, lead="990101001")["number"]
    login(client, "donghua")
    assert 'data-testid="dispatch-suggestions"' not in client.get(f"/tickets/{number}").text
    assert client.get(f"{BASE}/objections").status_code == 403
    assert client.get(f"{BASE}/reports").status_code == 403
    client.cookies.clear()
    received = create(client, auth)["number"]
    login(client, "supervisor")
    page = client.get(f"/tickets/{received}").text
    assert 'data-testid="dispatch-suggestions"' in page and "data-accept=" not in page


# --- objection review -----------------------------------------------------------------------


def _objected(client, auth, lead="990101002") -> str:
    number = dispatched(client, auth, lead=lead)["number"]
    api_act(client, auth, "heping" if lead == "990101002" else "donghua", number,
            "raise_objection", grounds="jurisdiction", reason="东华社区属东华街道",
            evidence="行政区划图")  # fmt: skip
    return number


def test_the_review_page_lists_the_objection_and_upholds_with_one_key(client, auth):
    number = _objected(client, auth)
    login(client, "dispatcher")
    page = client.get(f"{BASE}/objections").text
    assert number in page and "和平街道" in page and "东华社区属东华街道" in page
    assert "行政区划图" in page and "管辖异议" in page
    assert 'data-accept="990101002"' not in page  # never back to the objector
    url, fields = accept_form(page, "990101001")
    assert url == f"{BASE}/objections/{number}/uphold_objection"
    r = client.post(url, data=fields, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{BASE}/objections"
    out = ticket(client, auth, number)
    assert (out["status"], out["lead_unit_code"]) == ("dispatched", "990101001")
    page = client.get(f"{BASE}/objections").text
    assert "异议成立并重派，已重派至东华街道" in page and "暂无待审核的派单异议" in page
    # The ticket page keeps the objection and its decision.
    assert "异议成立" in client.get(f"/tickets/{number}").text


def test_review_refusals_show_on_the_review_page_and_reject_needs_a_reason(client, auth):
    number = _objected(client, auth)
    login(client, "dispatcher")
    token = csrf(client.get(f"{BASE}/objections").text)
    version = ticket(client, auth, number)["version"]
    base = {"csrf_token": token, "expected_version": version}
    r = client.post(f"{BASE}/objections/{number}/uphold_objection",
                    data={**base, "lead_unit_code": "990101002", "reason": "成立"})  # fmt: skip
    assert r.status_code == 422 and "异议成立时不能再派给提出异议的单位" in alert(r.text)
    r = client.post(f"{BASE}/objections/{number}/reject_objection", data=base)
    assert r.status_code == 422 and "驳回理由" in alert(r.text)
    assert ticket(client, auth, number)["status"] == "objected"
    r = client.post(f"{BASE}/objections/{number}/reject_objection",
                    data={**base, "reason": "属本街道辖区"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    out = ticket(client, auth, number)
    assert (out["status"], out["lead_unit_code"]) == ("dispatched", "990101002")


def test_an_operator_sees_the_review_page_but_cannot_decide(client, auth):
    number = _objected(client, auth)
    login(client, "operator")
    page = client.get(f"{BASE}/objections").text
    assert number in page and "data-accept=" not in page and "reject_objection" not in page
    r = client.post(f"{BASE}/objections/{number}/reject_objection",
                    data={"csrf_token": csrf(page), "reason": "驳回"})  # fmt: skip
    assert r.status_code == 403 and ticket(client, auth, number)["status"] == "objected"


# --- consultation ---------------------------------------------------------------------------


def test_consultation_start_position_and_decision_through_the_console(client, auth, clock):
    number = create(client, auth, **NOISE)["number"]
    login(client, "dispatcher")
    page = client.get(f"/tickets/{number}").text
    assert 'name="unit_codes.0"' in page and 'name="unit_codes.1"' in page
    r = act(client, number, "start_consultation", reason="噪声由街道还是城管委主办？",
            **{"unit_codes.0": "990101001", "unit_codes.1": "990101.urban"})  # fmt: skip
    assert r.status_code == 303, alert(r.text)
    page = client.get(f"/tickets/{number}").text
    assert 'data-testid="consultation"' in page and "噪声由街道还是城管委主办？" in page
    assert page.count("待回复") == 2
    assert number in client.get(f"{BASE}/consultations").text
    client.cookies.clear()

    login(client, "heping")  # not invited: sees nothing
    assert number not in client.get(f"{BASE}/consultations").text
    client.cookies.clear()
    login(client, "donghua")
    page = client.get(f"/tickets/{number}").text  # the invited unit sees the ticket and its form
    assert 'data-action="give_position"' in page and '<option value="co_handle"' in page
    assert "本单位协办" in page and "噪声由街道还是城管委主办？" in page
    page = client.get(f"{BASE}/consultations").text
    assert number in page and f"{BASE}/consultations/{number}/give_position" in page
    version = ticket(client, auth, number)["version"]
    r = client.post(f"{BASE}/consultations/{number}/give_position",
                    data={"csrf_token": csrf(page), "expected_version": version,
                          "position": "co_handle"})  # fmt: skip
    assert r.status_code == 422 and "请填写会商意见" in alert(r.text)
    r = client.post(f"{BASE}/consultations/{number}/give_position",
                    data={"csrf_token": csrf(page), "expected_version": version,
                          "position": "co_handle", "reason": "街道执法队可配合"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert "已回复" in client.get(f"{BASE}/consultations").text
    page = client.get(f"/tickets/{number}").text
    assert "本单位协办" in page and "街道执法队可配合" in page
    client.cookies.clear()

    login(client, "dispatcher")
    page = client.get(f"/tickets/{number}").text
    url, fields = accept_form(page, "990101.urban")
    assert url.endswith("/actions/decide_consultation")
    r = client.post(url, data=fields)
    assert r.status_code == 422 and "尚有受邀单位未回复意见" in alert(r.text)
    clock.advance(days=2)  # the day to answer is over; log in again (the session has expired)
    client.cookies.clear()
    login(client, "dispatcher")
    url, fields = accept_form(client.get(f"/tickets/{number}").text, "990101.urban")
    r = client.post(url, data=fields, follow_redirects=False)
    assert r.status_code == 303
    out = ticket(client, auth, number)
    assert (out["status"], out["lead_unit_code"]) == ("dispatched", "990101.urban")
    assert number not in client.get(f"{BASE}/consultations").text


def test_start_consultation_needs_a_unit(client, auth):
    number = create(client, auth, **NOISE)["number"]
    login(client, "dispatcher")
    r = act(client, number, "start_consultation", reason="谁主办？")
    assert r.status_code == 422 and "邀请会商的单位：请至少选择一项" in alert(r.text)


# --- the catalogue --------------------------------------------------------------------------


def _save(client, **fields):
    page = client.get(f"{BASE}/catalogue").text
    version = re.search(r'name="expected_version" value="(\d+)"', page)
    data = {"csrf_token": csrf(page), "expected_version": version[1] if version else ""}
    return client.post(f"{BASE}/catalogue/save", data={**data, **fields}, follow_redirects=False)


PROPERTY = {"category": "城乡建设/物业管理", "lead_kind": "street", "community": "assist"}


def test_catalogue_edit_with_a_reason_and_the_history_shows_it(client, auth, ctx):
    login(client, "dispatcher")
    page = client.get(f"{BASE}/catalogue").text
    assert "第1版" in page and "街道乡镇" in page and "协助事项" in page
    assert "市级部门 · 交通委员会" in page and "公共服务企业 · 测试市自来水集团" in page
    r = _save(client, **PROPERTY, note="属地统筹")
    assert r.status_code == 422 and "修改理由：必须填写" in alert(r.text)
    page = client.get(f"{BASE}/catalogue?edit=" + "城乡建设/物业管理|").text
    assert 'name="original" value="城乡建设/物业管理|"' in page and "修改条目" in page
    r = _save(client, **{**PROPERTY, "community": ""}, note="社区不再协助",
              original="城乡建设/物业管理|", reason="物业纠纷由街道统筹，社区不参与")  # fmt: skip
    assert r.status_code == 303
    page = client.get(f"{BASE}/catalogue").text
    assert "派单目录已更新为第2版" in page
    history = page[page.index('data-testid="catalogue-history"') :]
    assert "物业纠纷由街道统筹，社区不参与" in history and "dispatcher" in history
    assert "社区：协助事项 → 不在职责清单" in history and "备注：— → 社区不再协助" in history
    # A removal needs its reason too.
    token = csrf(page)
    data = {"csrf_token": token, "category": "城乡建设/供暖", "types": "", "expected_version": "2"}
    r = client.post(f"{BASE}/catalogue/remove", data=data)
    assert r.status_code == 422 and "请填写修改派单目录的理由" in alert(r.text)
    r = client.post(f"{BASE}/catalogue/remove", data={**data, "reason": "供暖并入热力条目"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    page = client.get(f"{BASE}/catalogue").text
    assert "第3版" in page and "删除</span> 城乡建设 / 供暖" in page


def test_a_stale_catalogue_form_is_refused(client, auth):
    login(client, "dispatcher")
    _save(client, **PROPERTY, note="一", reason="第一次")
    data = {"csrf_token": csrf(client.get("/").text), "expected_version": "1"}
    r = client.post(f"{BASE}/catalogue/save",
                    data={**data, **PROPERTY, "note": "二", "reason": "过期表单"})  # fmt: skip
    assert r.status_code == 409 and "catalogue.conflict" in r.text


def test_a_unit_cannot_edit_the_catalogue(client, auth):
    login(client, "donghua")
    page = client.get(f"{BASE}/catalogue").text
    assert 'data-testid="catalogue"' in page
    assert 'data-testid="entry-form"' not in page and "修改记录" not in page
    r = client.post(f"{BASE}/catalogue/save",
                    data={"csrf_token": csrf(page), **PROPERTY, "reason": "改"})  # fmt: skip
    assert r.status_code == 403 and "只有派单员和管理员可以修改派单目录" in r.text
    r = client.post(f"{BASE}/catalogue/remove",
                    data={"csrf_token": csrf(page), "category": "城乡建设/供暖", "reason": "删"})  # fmt: skip
    assert r.status_code == 403
    assert "第1版" in client.get(f"{BASE}/catalogue").text


# --- figures and navigation -----------------------------------------------------------------


def test_reports_show_objection_rates_and_acceptance(client, auth):
    number = _objected(client, auth)
    api_act(client, auth, "dispatcher", number, "uphold_objection", lead_unit_code="990101001",
            reason="属东华街道")  # fmt: skip
    login(client, "supervisor")
    page = client.get(f"{BASE}/reports").text
    by_unit = page[page.index('data-testid="by-unit"') :]
    row = re.search(r"<tr><td>和平街道</td>(.*?)</tr>", by_unit, re.S)[1]
    assert re.findall(r"<td>([^<]*)</td>", row)[:7] == ["1", "1", "1", "0", "0", "100.0%", "100.0%"]
    assert "城乡建设 / 物业管理" in page[page.index('data-testid="by-entry"') :]
    assert "采纳率" in page
    assert number not in client.get(f"{BASE}/reports?start=2020-01-01&end=2020-01-31").text
    page = client.get(f"{BASE}/reports?start=2020-01-01&end=2020-01-31").text
    assert "区间内没有派单异议" in page
    r = client.get(f"{BASE}/reports?start=2026-12-01&end=2026-11-01")
    assert r.status_code == 422 and "开始日期不能晚于结束日期" in r.text


def test_navigation_per_role(client):
    login(client, "dispatcher")
    page = client.get("/").text
    for path in ("objections", "consultations", "catalogue", "reports"):
        assert f'href="{BASE}/{path}"' in page
    client.cookies.clear()
    login(client, "donghua")
    page = client.get("/").text
    assert f'href="{BASE}/consultations"' in page and f'href="{BASE}/objections"' not in page
    assert "本单位受邀的会商" in client.get(f"{BASE}/consultations").text
