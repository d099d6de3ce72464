"""The assessment office's console pages through TestClient (A2–A4, A6): the ranking with
a second rule set, the drill-down whose totals equal the unit's counts, the trend chart,
appeals filed and decided in the console changing the ranking, and who may see what.
The return-visit pages (A1, H9) are in ``test_visit_console.py``."""

from __future__ import annotations

import re

import pytest

from jiesu.assessment import appeals, drilldown, trends
from jiesu.assessment.rankings import month, rankings
from jiesu.domain.assessment import UnitCounts
from tests.api.helpers import act, create
from tests.assessment.test_rankings import _handled as handled
from tests.assessment.test_rankings import office_city  # noqa: F401 - the fixture
from tests.channels import samples

from .helpers import csrf, login

BASE = "/console/assessment"
NOVEMBER = {"group": "street", "month": "2026-11", "rules": "small"}


@pytest.fixture
def office(office_city):  # noqa: F811 - small volumes rank, no re-handling, "strict" rules
    return office_city


def as_user(client, username: str) -> None:
    client.cookies.clear()
    login(client, username)


def alert(page: str) -> str:
    match = re.search(r'<div class="alert[^"]*" role="alert">(.*?)</div>', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))) if match else ""


def row_of(page: str, attr: str, value: str) -> str:
    match = re.search(rf'<tr[^>]*{attr}="{re.escape(value)}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, f"no row {attr}={value}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


GOOD = {"solved": True, "satisfaction": "satisfied"}
BASIC = {"solved": False, "satisfaction": "basically_satisfied"}
BAD = {"solved": False, "satisfaction": "unsatisfied"}


# --- rankings -------------------------------------------------------------------------------


def test_the_ranking_page_with_rates_marks_and_a_second_rule_set(client, auth, clock, office):
    handled(client, auth, clock, visit=GOOD)
    handled(client, auth, clock, late=True, visit=BASIC)
    handled(client, auth, clock, "990101002", "heping", visit=BAD)
    as_user(client, "supervisor")
    page = client.get(f"{BASE}/rankings", params={**NOVEMBER, "compare": "strict"})
    assert page.status_code == 200, alert(page.text)
    donghua = row_of(page.text, "data-unit", "990101001")
    # 2 orders, 1 in time; 1 of 2 solved; (1 + 0.8) / 2 satisfied; 0.333 per 10,000.
    for shown in ("东华街道", " 2 ", "50.0%", "90.0%", "66.00", "0.33"):
        assert shown in donghua, (shown, donghua)
    assert donghua.split()[0] == "1"  # first
    # No orders in November 2025: no base-figure ratio (A4), its base shown as 0.
    assert 'data-testid="base-990101001" title="基期诉求量 0">—<' in page.text
    # Under "strict" 基本满意 counts half: 东华 60.00, still first.
    assert "60.00" in donghua
    heping = row_of(page.text, "data-unit", "990101002")
    assert "20.00" in heping and "约谈" in heping
    xichang = row_of(page.text, "data-unit", "990102001")  # no orders: below the minimum
    assert "未达最低诉求量" in xichang and "诉求量0件，少于1件不参与排名" in xichang
    export = "/api/assessment/export.xlsx?month=2026-11&amp;rules=small"
    assert export in page.text and 'href="/bulletin/2026-11"' in page.text
    assert client.get(export.replace("&amp;", "&")).status_code == 200  # the same session
    # The standard rules: below the minimum volume, marked and not ranked.
    std = client.get(f"{BASE}/rankings", params={**NOVEMBER, "rules": "standard"}).text
    assert "未达最低诉求量" in row_of(std, "data-unit", "990101001")
    # Districts: 东区 answers for its streets; the drill-down link carries the choice.
    districts = client.get(f"{BASE}/rankings", params={**NOVEMBER, "group": "district"}).text
    assert "50.67" in row_of(districts, "data-unit", "990101")
    assert "/console/assessment/units/990101?group=district&amp;month=2026-11" in districts


def test_the_default_month_is_the_last_full_month_and_bad_choices_are_named(client, office):
    as_user(client, "operator")
    page = client.get(f"{BASE}/rankings").text  # the clock says 23 November 2026
    assert 'name="month" value="2026-10"' in page and "2026-10 区考评排名" in page
    bad = client.get(f"{BASE}/rankings", params={"month": "2026-13", "rules": "nope"})
    assert bad.status_code == 422
    assert "统计月份“2026-13”有误" in alert(bad.text) and "nope" in alert(bad.text)
    assert "assessment.bad_query" in bad.text


def test_units_and_the_public_are_refused(client, office):
    as_user(client, "donghua")
    home = client.get("/").text
    assert f'href="{BASE}/appeals"' in home and f'href="{BASE}/rankings"' not in home
    for path in (f"{BASE}/rankings", f"{BASE}/units/990101002", f"{BASE}/trends"):
        r = client.get(path)
        assert r.status_code == 403 and "assessment.forbidden" in r.text, path
        assert "考评结果由热线考评办查看" in alert(r.text)
    client.cookies.clear()
    r = client.get(f"{BASE}/rankings", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    as_user(client, "operator")
    assert f'href="{BASE}/rankings"' in client.get("/").text
    r = client.get(f"{BASE}/units/990101", params={"group": "street"})
    assert r.status_code == 404 and "assessment.unknown_unit" in r.text


def test_a_ranked_unit_sees_its_own_figures_and_tickets(client, auth, clock, office):
    """A2, A6: a street sees where it lost points (and so what it might appeal), and only
    its own; a unit not ranked on its own is told where its tickets count."""
    late = handled(client, auth, clock, late=True, visit=BAD)
    other = handled(client, auth, clock, "990101002", "heping", visit=GOOD)
    as_user(client, "donghua")
    assert f'href="{BASE}/mine"' in client.get("/").text
    r = client.get(f"{BASE}/mine", params={"month": "2026-11"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"{BASE}/units/990101001?month=2026-11&group=street"
    page = client.get(r.headers["location"])
    assert page.status_code == 200, alert(page.text)
    assert late in page.text and other not in page.text and "未按时" in page.text
    assert "考评排名" not in page.text and "近12个月趋势" not in page.text  # the office's
    assert 'data-testid="own-month"' in page.text
    # Asking for the district group does not widen it: the street's own group is used.
    widened = client.get(f"{BASE}/units/990101001", params={"group": "district"})
    assert widened.status_code == 200 and other not in widened.text
    as_user(client, "dongqu")  # the district answers for its streets
    district = client.get(f"{BASE}/mine", params={"month": "2026-11"})
    assert district.status_code == 200 and late in district.text and other in district.text
    as_user(client, "urban")  # a district department counts in its district: its own charges
    r = client.get(f"{BASE}/mine")
    assert r.status_code == 200 and 'data-testid="not-ranked"' in r.text and late not in r.text
    as_user(client, "supervisor")
    r = client.get(f"{BASE}/mine", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{BASE}/rankings"


# --- the drill-down -------------------------------------------------------------------------


def _history(client, auth, clock, ctx) -> dict[str, str]:
    """A late ticket, an unreachable requester, a merged request whose two requesters answer
    differently, an excluded ticket, one not yet visited — and one for 和平街道."""
    n = {"late": handled(client, auth, clock, late=True, visit=GOOD)}
    n["unreachable"] = handled(client, auth, clock)
    for _ in range(3):
        act(client, auth, "operator", n["unreachable"], "record_visit", reached=False,
            comment="无人接听")  # fmt: skip
        clock.advance(hours=5)
    first = create(client, auth)["number"]
    second = create(client, auth, requester_phone="13900139000", requester_name="李先生")
    act(client, auth, "operator", second["number"], "merge", into_number=first, reason="同一电梯")
    n["merged"] = handled(client, auth, clock, number=first, visit=GOOD)
    act(client, auth, "operator", first, "record_visit", requester_number=second["number"],
        contacted=True, **BAD)  # fmt: skip
    n["excluded"] = handled(client, auth, clock, visit=BAD)
    donghua = accounts_actor(ctx, "donghua")
    filed = appeals.file(ctx, donghua, n["excluded"], "wrongly_dispatched", "应属物业")
    appeals.decide(ctx, accounts_actor(ctx, "supervisor"), filed["id"], True, "属实")
    n["unvisited"] = handled(client, auth, clock)
    n["heping"] = handled(client, auth, clock, "990101002", "heping", visit=BASIC)
    return n


def accounts_actor(ctx, username):
    from jiesu import accounts
    from tests.conftest import PASSWORD

    return accounts.login(ctx.engine, username, PASSWORD, ctx.now()).user.actor


def test_drilldown_totals_equal_the_units_counts(client, auth, clock, office):
    n = _history(client, auth, clock, office)
    period = month("2026-11", office.city.tz)
    for group, code in [("street", "990101001"), ("street", "990101002"), ("district", "990101")]:
        ranked = {u["unit_code"]: u for u in rankings(office, period, group, "small")["units"]}
        found = drilldown.drilldown(office, period, group, code)
        assert vars(found.totals) == ranked[code]["counts"], (group, code)
        listed = sum((drilldown.contribution(r) for r in found.rows), UnitCounts())
        assert listed == found.totals, (group, code)
    found = drilldown.drilldown(office, period, "street", "990101001")
    assert found.excluded == 1 and found.matching == 5
    assert vars(found.totals) == {"orders": 4, "responded": 3, "answered": 3, "solved": 2,
                                  "satisfied": 2, "basically": 0, "unreachable": 1}  # fmt: skip
    as_user(client, "supervisor")
    page = client.get(f"{BASE}/units/990101001", params=NOVEMBER).text
    for key, value in vars(found.totals).items():
        assert f'data-key="{key}">{value}<' in page, key
    assert 'data-key="excluded">1<' in page
    assert "未按时" in row_of(page, "data-number", n["late"])
    assert "无法联系" in row_of(page, "data-number", n["unreachable"])
    merged = row_of(page, "data-number", n["merged"])
    assert "本人 已解决 · 满意" in merged and "未解决 · 不满意" in merged
    assert "申诉成立，已剔除" in row_of(page, "data-number", n["excluded"])
    assert "尚无回访结果" in row_of(page, "data-number", n["unvisited"])
    assert f'href="/tickets/{n["late"]}"' in page
    only = client.get(f"{BASE}/units/990101001", params={**NOVEMBER, "only": "late"}).text
    assert re.findall(r'<tr class="[^"]*" data-number="([^"]+)"', only) == [n["late"]]
    only = client.get(f"{BASE}/units/990101001", params={**NOVEMBER, "only": "unsatisfied"}).text
    assert re.findall(r'<tr class="[^"]*" data-number="([^"]+)"', only) == [n["merged"]]


# --- trends ---------------------------------------------------------------------------------


def test_trends_follow_the_monthly_ranking(client, auth, clock, office):
    handled(client, auth, clock, visit=GOOD)
    handled(client, auth, clock, "990101002", "heping", visit=BAD)
    points = trends.series(office, "street", "990101001", "small", "2026-12")
    assert [p.label for p in points][-3:] == ["2026-10", "2026-11", "2026-12"] and len(points) == 12
    ranked = rankings(office, month("2026-11", office.city.tz), "street", "small")["units"]
    mine = next(u for u in ranked if u["unit_code"] == "990101001")
    assert (points[-2].rates.score, points[-2].rank) == (mine["score"], mine["rank"]) == (100.0, 1)
    assert points[-1].rates.score is None and points[-1].counts.orders == 0
    whole = trends.series(office, "street", None, "small", "2026-11")[-1]
    assert whole.counts.orders == 2 and whole.rates.score == pytest.approx(60.0)
    as_user(client, "dispatcher")
    page = client.get(f"{BASE}/trends", params={**NOVEMBER, "unit": "990101001"}).text
    svg = page.split('data-testid="trend-svg"')[1].split("</svg>")[0]
    assert svg.count("<polyline") == 4 and "2026-11 综合得分 100.00" in svg
    assert "<script" not in page.split("<body")[1].split("</main>")[0]
    assert "100.00" in row_of(page, "data-month", "2026-11")
    group = client.get(f"{BASE}/trends", params={"group": "street", "rules": "small",
                                                 "month": "2026-11"}).text  # fmt: skip
    assert "全部街道乡镇 · 近12个月考评趋势" in group and "60.00" in row_of(
        group, "data-month", "2026-11"
    )


# --- appeals --------------------------------------------------------------------------------


def test_an_appeal_filed_and_upheld_in_the_console_changes_the_ranking(client, auth, clock,
                                                                         office):  # fmt: skip
    handled(client, auth, clock, visit=GOOD)
    bad = handled(client, auth, clock, visit=BAD)
    as_user(client, "supervisor")
    before = row_of(client.get(f"{BASE}/rankings", params=NOVEMBER).text, "data-unit", "990101001")
    assert "60.00" in before
    as_user(client, "donghua")
    ticket_page = client.get(f"/tickets/{bad}").text
    assert f'href="{BASE}/appeals/new?ticket={bad}"' in ticket_page
    form = client.get(f"{BASE}/appeals/new", params={"ticket": bad}).text
    data = {"csrf_token": csrf(form), "ticket_number": bad, "grounds": "evaluation_contradicted",
            "reason": "现场照片显示电梯已修复", "evidence": "维修记录"}  # fmt: skip
    photo = {"attachments.files": ("fixed.png", samples.png(), "image/png")}
    r = client.post(f"{BASE}/appeals/new", data=data, files=photo, follow_redirects=False)
    assert r.status_code == 303, alert(r.text)
    appeal_id = int(r.headers["location"].rsplit("/", 1)[1])
    again = client.post(f"{BASE}/appeals/new", data={**data, "grounds": "wrongly_dispatched"})
    assert again.status_code == 409 and "已有待审核的申诉" in alert(again.text)
    assert "appeal.pending" in alert(again.text)
    assert "待审核" in row_of(client.get(f"{BASE}/appeals").text, "data-appeal", str(appeal_id))
    as_user(client, "heping")  # another unit: neither the form nor the appeal exist for it
    assert client.get(f"{BASE}/appeals/new", params={"ticket": bad}).status_code == 404
    assert client.get(f"{BASE}/appeals/{appeal_id}").status_code == 404
    as_user(client, "operator")  # reads the queue, may not decide
    page = client.get(f"{BASE}/appeals/{appeal_id}").text
    assert "decide-form" not in page and "现场照片显示电梯已修复" in page
    r = client.post(f"{BASE}/appeals/{appeal_id}/decide",
                    data={"csrf_token": csrf(page), "upheld": "true", "reason": "同意"})  # fmt: skip
    assert r.status_code == 403 and "appeal.forbidden" in alert(r.text)
    as_user(client, "supervisor")
    queue = client.get(f"{BASE}/appeals").text
    assert f"{BASE}/appeals/{appeal_id}" in queue and "东华街道" in row_of(
        queue, "data-appeal", str(appeal_id)
    )
    page = client.get(f"{BASE}/appeals/{appeal_id}").text
    assert "/api/attachments/" in page and 'data-testid="history"' in page
    r = client.post(f"{BASE}/appeals/{appeal_id}/decide", data={"csrf_token": csrf(page),
                    "upheld": "true", "reason": "证据充分"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    after = row_of(client.get(f"{BASE}/rankings", params=NOVEMBER).text, "data-unit", "990101001")
    assert "100.00" in after and " 1 " in after
    assert "没有待审核的申诉" in client.get(f"{BASE}/appeals").text
    r = client.post(f"{BASE}/appeals/{appeal_id}/decide", data={"csrf_token": csrf(page),
                    "upheld": "false", "reason": "改主意"})  # fmt: skip
    assert r.status_code == 409 and "appeal.decided" in alert(r.text)
    # The unit: the same grounds again are refused; after ten days the window is closed.
    as_user(client, "donghua")
    r = client.post(f"{BASE}/appeals/new", data={**data, "csrf_token": csrf(form)})
    assert r.status_code == 403  # a new login: the old token is refused
    form = client.get(f"{BASE}/appeals/new", params={"ticket": bad}).text
    assert "证据充分" in form  # the earlier appeal and its decision are shown
    r = client.post(f"{BASE}/appeals/new", data={**data, "csrf_token": csrf(form)})
    assert r.status_code == 422 and "appeal.repeated" in alert(r.text)
    clock.advance(days=11)
    as_user(client, "donghua")  # the console's login lasts less than that
    form = client.get(f"{BASE}/appeals/new", params={"ticket": bad}).text
    r = client.post(f"{BASE}/appeals/new", data={**data, "csrf_token": csrf(form),
                                                  "grounds": "unreasonable_request"})  # fmt: skip
    assert r.status_code == 422 and "已超过申诉期限" in alert(r.text)
    assert "appeal.window_closed" in alert(r.text)


def test_an_appeal_number_past_the_column_is_no_such_appeal(client, office):
    """A6: an appeal's page or decision with a number no row can have is a 404 page, not a
    database error (PostgreSQL's INTEGER; SQLite's 64 bits)."""
    as_user(client, "supervisor")
    for big in (2**31, 2**64):
        assert client.get(f"{BASE}/appeals/{big}").status_code == 404
        form = {
            "csrf_token": csrf(client.get(f"{BASE}/appeals").text),
            "upheld": "true",
            "reason": "x",
        }
        r = client.post(f"{BASE}/appeals/{big}/decide", data=form)
        assert r.status_code == 404 and "appeal.not_found" in r.text
