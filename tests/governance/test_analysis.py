"""G1 through the API and the console: a month's hot matters, hot areas and frequent
requesters against the month before, each unit seeing its own territory (S1)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.api.helpers import create
from tests.conftest import TZ
from tests.console.helpers import login

from .helpers import DONGHUA, HEATING, HEPINGLI, NANCHI, NOISE, PROPERTY, calls


def _analysis(client, auth, user, month="2026-11") -> dict:
    r = client.get("/api/governance/analysis", params={"month": month}, headers=auth(user))
    assert r.status_code == 200, r.text
    return r.json()


def test_hot_matters_and_areas_of_the_month_against_the_one_before(client, auth, clock, weeks):
    # The weeks fixture (W45 starts on 2 November): November has 东华 property 3 + 7,
    # 和平里 heating 15 + 6, 南池 noise 8 (one person); October only 南池 property 1.
    got = _analysis(client, auth, "supervisor")
    assert (got["month"], got["previous"], got["scope"]) == ("2026-11", "2026-10", None)
    matters = {m["category"]: m for m in got["matters"]}
    assert [m["category"] for m in got["matters"]][:1] == [HEATING]
    assert (matters[HEATING]["count"], matters[HEATING]["previous"]) == (21, 0)
    assert (matters[PROPERTY]["count"], matters[PROPERTY]["previous"]) == (10, 1)
    assert matters[NOISE]["requesters"] == 1 and matters[HEATING]["requesters"] == 21
    areas = {a["street_code"]: a for a in got["areas"]}
    assert areas["990101002"]["top_category"] == HEATING
    assert (areas["990101001"]["count"], areas["990101001"]["previous"]) == (3 + 7 + 8, 1)
    assert areas["990101001"]["top_category"] == PROPERTY


def test_frequent_requesters_are_for_the_hotline_and_masked(client, auth, clock, weeks):
    calls(client, auth, clock, datetime(2026, 11, 30, 8, tzinfo=TZ), NANCHI, NOISE,
           ["13400000000"] * 2)  # ten in November  # fmt: skip
    got = _analysis(client, auth, "operator")
    assert got["frequent_threshold"] == 10
    (person,) = got["frequent_requesters"]
    assert (person["count"], person["categories"], person["top_category"]) == (10, 1, NOISE)
    assert person["phone"] == "134****0000" and person["name"] == "张**"
    assert _analysis(client, auth, "dongqu")["frequent_requesters"] is None


def test_each_unit_sees_its_own_territory(client, auth, weeks):
    heping = _analysis(client, auth, "heping")
    assert heping["scope"] == "990101002"
    assert [a["street_code"] for a in heping["areas"]] == ["990101002"]
    assert [m["category"] for m in heping["matters"]] == [HEATING]
    district = _analysis(client, auth, "dongqu")
    assert {a["street_code"] for a in district["areas"]} == {"990101001", "990101002"}
    for user in ("transport", "water"):  # no territory: nothing
        got = _analysis(client, auth, user)
        assert (got["matters"], got["areas"]) == ([], [])
    assert _analysis(client, auth, "xichang")["matters"] == []


def test_a_bad_month_is_refused(client, auth):
    r = client.get("/api/governance/analysis", params={"month": "2026-13"},
                   headers=auth("supervisor"))  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "assessment.bad_period"
    r = client.get("/api/governance/analysis", params={"month": "11/2026"},
                   headers=auth("supervisor"))  # fmt: skip
    assert r.status_code == 422 and r.json()["message_zh"]


def test_the_console_page_shows_the_three_tables(client, auth, clock, weeks):
    login(client, "supervisor")
    page = client.get("/console/governance/analysis?month=2026-11")
    assert page.status_code == 200, page.text
    for part in ('data-testid="matters"', 'data-testid="areas"', 'data-testid="frequent"',
                 HEATING, "和平街道"):  # fmt: skip
        assert part in page.text
    bad = client.get("/console/governance/analysis?month=x")
    assert bad.status_code == 422 and "governance.bad_month" in bad.text
    client.cookies.clear()
    login(client, "heping")
    page = client.get("/console/governance/analysis?month=2026-11")
    assert page.status_code == 200 and "综合分析 · 和平街道" in page.text
    assert 'data-testid="frequent"' not in page.text


def test_the_month_before_counts_its_own_requests(client, auth, clock):
    clock.now = datetime(2026, 10, 31, 23, 30, tzinfo=TZ)  # October in Beijing, not in UTC
    create(client, auth, location_unit_code=DONGHUA, category=PROPERTY)
    clock.now += timedelta(hours=1)  # 00:30 on 1 November
    create(client, auth, location_unit_code=HEPINGLI, category=PROPERTY)
    got = _analysis(client, auth, "supervisor")
    assert got["matters"] == [{"category": PROPERTY, "count": 1, "previous": 1, "requesters": 1}]
