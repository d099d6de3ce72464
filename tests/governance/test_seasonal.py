"""G3 through the API and the console against a real database: heating rose into December
last year, so it is expected to rise again; a steady matter and a small one are not; the
outlook follows territory; a history younger than a year predicts nothing."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.api.helpers import create
from tests.conftest import START, TZ
from tests.console.helpers import login

from .helpers import DONGHUA, HEATING, NOISE, PROPERTY


def _month(client, auth, clock, year: int, month: int, category: str, n: int) -> None:
    for i in range(n):
        clock.now = datetime(year, month, 3 + i % 25, 10, i // 25, tzinfo=TZ)
        create(client, auth, category=category, location_unit_code=DONGHUA, address="")


@pytest.fixture
def a_year(client, auth, clock):
    """From 2025-08 to 2026-10: heating 0, 0, 2, 4 in Aug–Nov 2025 then 12 in December; noise
    three a month throughout; eight property complaints in December 2025 only."""
    _month(client, auth, clock, 2025, 8, NOISE, 3)
    for month, heating in ((9, 0), (10, 2), (11, 4), (12, 12)):
        _month(client, auth, clock, 2025, month, HEATING, heating)
        _month(client, auth, clock, 2025, month, NOISE, 3)
    _month(client, auth, clock, 2025, 12, PROPERTY, 8)
    for month, heating in ((8, 1), (9, 0), (10, 2)):
        _month(client, auth, clock, 2026, month, HEATING, heating)
        _month(client, auth, clock, 2026, month, NOISE, 3)
    clock.now = START  # 2026-11-23: the last full month is October, the month ahead December


def test_heating_is_expected_to_rise_in_december(client, auth, a_year):
    r = client.get("/api/governance/seasonal", headers=auth("supervisor"))
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["month"] == "2026-12" and got["history_known"]
    assert got["recent_months"] == ["2026-08", "2026-09", "2026-10"]
    assert [e["category"] for e in got["expected"]] == [HEATING]  # not noise, not property
    heating = got["expected"][0]
    assert heating["last_year"] == 12 and heating["rise"] == 6.0  # 12 against 2 a month
    assert heating["trend"] == 1.0 and heating["expected"] == 12.0  # too few to trend on
    assert heating["recent"] == 1.0 and heating["years_risen"] == 1


def test_the_outlook_follows_territory(client, auth, a_year):
    def expected(user):
        return [e["category"] for e in client.get("/api/governance/seasonal",
                                                  headers=auth(user)).json()["expected"]]  # fmt: skip

    assert expected("dongqu") == [HEATING] and expected("donghua") == [HEATING]
    assert expected("xichang") == []  # 西长安街道: none of this happened there
    r = client.get("/api/governance/seasonal", headers=auth("transport")).json()
    assert r["history_known"] is False and r["expected"] == []  # a department: no territory


def test_a_young_history_predicts_nothing(client, auth):
    create(client, auth)
    got = client.get("/api/governance/seasonal", headers=auth("supervisor")).json()
    assert got["history_known"] is False and got["expected"] == []


def test_a_bad_month_is_refused(client, auth):
    r = client.get("/api/governance/seasonal", params={"month": "2026-13"},
                   headers=auth("supervisor"))  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "assessment.bad_period"


def test_the_console_page(client, auth, a_year):
    login(client, "supervisor")
    page = client.get("/console/governance/seasonal")
    assert page.status_code == 200 and f'data-category="{HEATING}"' in page.text
    assert "2026-12" in page.text and "季节性" in page.text
    bad = client.get("/console/governance/seasonal", params={"month": "x"})
    assert bad.status_code == 422 and "governance.bad_month" in bad.text
    young = client.get("/console/governance/seasonal", params={"month": "2027-12"})
    assert young.status_code == 200 and 'data-testid="seasonal"' in young.text
