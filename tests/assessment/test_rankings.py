"""A2–A4 through the API against a real database: counts, rates, the score and the graded
ranking, by hand; two rule sets on the same month; a month boundary in the city's zone."""

from __future__ import annotations

from datetime import datetime

import pytest

from jiesu.assessment.rankings import Period, base_period, month, rankings, read
from jiesu.city.config import (
    AssessmentRuleSpec,
    AssessmentWeights,
    ObservationPolicy,
    VisitPolicy,
)
from tests.api.helpers import act, create
from tests.conftest import TZ


@pytest.fixture
def office_city(ctx):
    """Small volumes rank (min_volume 1), no automatic re-handling, and a second rule set."""
    weights = AssessmentWeights(response=0.2, resolution=0.4, satisfaction=0.4)
    ctx.city = ctx.city.model_copy(
        update={
            "visit_policy": VisitPolicy(rehandle_on=()),
            "assessment_rules": (
                AssessmentRuleSpec(name="small", weights=weights, min_volume=1),
                AssessmentRuleSpec(
                    name="strict", weights=weights, min_volume=1, basically_satisfied_credit=0.5
                ),  # fmt: skip
            ),
        }
    )
    return ctx


def _handled(client, auth, clock, street="990101001", user="donghua", *, late=False,
             visit=None, number=None) -> str:  # fmt: skip
    """A ticket dispatched to ``street``, contacted (late or not), replied and visited."""
    n = number or create(client, auth)["number"]
    act(client, auth, "dispatcher", n, "dispatch", lead_unit_code=street)
    act(client, auth, user, n, "acknowledge")
    if late:
        clock.advance(days=3)  # past the one-working-day contact deadline
    act(client, auth, user, n, "contact")
    act(client, auth, user, n, "reply", outcome="solved", text="已处理")
    if visit is not None:
        act(client, auth, "operator", n, "record_visit", contacted=True, **visit)
    return n


def _rank(client, auth, **query) -> dict:
    r = client.get("/api/assessment/rankings", params=query, headers=auth("supervisor"))
    assert r.status_code == 200, r.text
    return {u["unit_code"]: u for u in r.json()["units"]}


def test_rates_scores_and_ranks_by_hand(client, auth, clock, office_city):
    _handled(client, auth, clock, "990101001", "donghua", late=False,
             visit={"solved": True, "satisfaction": "satisfied"})  # fmt: skip
    _handled(client, auth, clock, "990101001", "donghua", late=True,
             visit={"solved": False, "satisfaction": "basically_satisfied"})  # fmt: skip
    _handled(client, auth, clock, "990101002", "heping", late=False,
             visit={"solved": False, "satisfaction": "unsatisfied"})  # fmt: skip
    n = create(client, auth)["number"]
    act(client, auth, "dispatcher", n, "dispatch", lead_unit_code="990102001")
    streets = _rank(client, auth, month="2026-11", group="street", rules="small")
    donghua, heping, xichang = streets["990101001"], streets["990101002"], streets["990102001"]
    # 东华: 2 orders, 1 in time; 2 answers, 1 solved; (1 + 0.8) / 2 satisfied.
    assert donghua["counts"]["orders"] == 2
    assert (donghua["response_rate"], donghua["resolution_rate"]) == (0.5, 0.5)
    assert donghua["satisfaction_rate"] == pytest.approx(0.9)
    assert donghua["score"] == pytest.approx(66.0)  # 100 × (0.1 + 0.2 + 0.36)
    assert heping["score"] == pytest.approx(20.0)  # 100 × (0.2 + 0 + 0)
    assert (donghua["rank"], heping["rank"], xichang["rank"]) == (1, 2, None)
    assert heping["talk"] and not donghua["talk"]
    assert xichang["notes"] == ["尚无回访评价，不参与排名"]
    # Per 10,000 residents: 2 orders over 60,000 residents.
    assert donghua["per_10k_residents"] == pytest.approx(0.333)
    # 东区 answers for all its streets: 3 orders, 2 in time, 1 of 3 solved, 1.8 of 3.
    districts = _rank(client, auth, month="2026-11", group="district", rules="small")
    assert districts["990101"]["score"] == pytest.approx(50.6667, abs=1e-3)
    assert districts["990101"]["rank"] == 1 and districts["990102"]["rank"] is None
    # The same month under the proposed rule (基本满意 counts half): only 东华 changes.
    strict = _rank(client, auth, month="2026-11", group="street", rules="strict")
    assert strict["990101001"]["satisfaction_rate"] == pytest.approx(0.75)
    assert strict["990101002"]["score"] == pytest.approx(20.0)


def test_the_standard_rules_do_not_rank_three_tickets(client, auth, clock, office_city):
    _handled(client, auth, clock, "990101001", "donghua", late=False,
             visit={"solved": True, "satisfaction": "satisfied"})  # fmt: skip
    streets = _rank(client, auth, month="2026-11", group="street", rules="standard")
    assert streets["990101001"]["rank"] is None
    assert streets["990101001"]["notes"] == ["诉求量1件，少于5件不参与排名"]


def test_a_month_boundary_is_the_citys_midnight(client, auth, clock, office_city):
    clock.now = datetime(2026, 11, 30, 23, 30, tzinfo=TZ)
    late_november = create(client, auth)["number"]
    act(client, auth, "dispatcher", late_november, "dispatch", lead_unit_code="990101001")
    clock.now = datetime(2026, 12, 1, 0, 30, tzinfo=TZ)  # still 30 November in UTC
    early_december = create(client, auth)["number"]
    act(client, auth, "dispatcher", early_december, "dispatch", lead_unit_code="990101001")
    november = _rank(client, auth, month="2026-11", group="street", rules="small")
    december = _rank(client, auth, month="2026-12", group="street", rules="small")
    assert november["990101001"]["counts"]["orders"] == 1
    assert december["990101001"]["counts"]["orders"] == 1


def test_change_of_rank_against_the_month_before(client, auth, clock, office_city):
    clock.now = datetime(2026, 10, 20, 10, 0, tzinfo=TZ)
    _handled(client, auth, clock, "990101001", "donghua", late=False,
             visit={"solved": False, "satisfaction": "unsatisfied"})  # fmt: skip
    _handled(client, auth, clock, "990101002", "heping", late=False,
             visit={"solved": True, "satisfaction": "satisfied"})  # fmt: skip
    clock.now = datetime(2026, 11, 20, 10, 0, tzinfo=TZ)
    _handled(client, auth, clock, "990101001", "donghua", late=False,
             visit={"solved": True, "satisfaction": "satisfied"})  # fmt: skip
    _handled(client, auth, clock, "990101002", "heping", late=False,
             visit={"solved": False, "satisfaction": "unsatisfied"})  # fmt: skip
    streets = _rank(client, auth, month="2026-11", group="street", rules="small")
    assert (streets["990101001"]["rank"], streets["990101001"]["change"]) == (1, 1)
    assert (streets["990101002"]["rank"], streets["990101002"]["change"]) == (2, -1)

    # Two rule sets compared on one page read the counts once (console, A3): the same
    # rows as reading them for each, and a reading of another period is not reused.
    november = month("2026-11", TZ)
    readings = read(office_city, november)
    for rules in ("small", "strict"):
        assert rankings(office_city, november, "street", rules, readings) == rankings(
            office_city, november, "street", rules
        )
    october = rankings(office_city, month("2026-10", TZ), "street", "small", readings)
    assert (
        october["units"] == rankings(office_city, month("2026-10", TZ), "street", "small")["units"]
    )
    assert october["units"] != rankings(office_city, november, "street", "small")["units"]


def _dispatched(client, auth, street: str, n: int) -> None:
    for _ in range(n):
        number = create(client, auth)["number"]
        act(client, auth, "dispatcher", number, "dispatch", lead_unit_code=street)


def test_the_base_figure_ratio_compares_with_the_same_month_a_year_before(
    client, auth, clock, office_city
):
    """A4 基数诉求比: orders ÷ the base period's orders; too small a base gives none."""
    office_city.city = office_city.city.model_copy(
        update={"observation_policy": ObservationPolicy(min_base_orders=2)}
    )
    clock.now = datetime(2025, 11, 10, 10, 0, tzinfo=TZ)
    _dispatched(client, auth, "990101001", 3)
    _dispatched(client, auth, "990101002", 1)
    clock.now = datetime(2026, 10, 10, 10, 0, tzinfo=TZ)  # the month before: not the base
    _dispatched(client, auth, "990101001", 2)
    clock.now = datetime(2026, 11, 10, 10, 0, tzinfo=TZ)
    _dispatched(client, auth, "990101001", 6)
    _dispatched(client, auth, "990101002", 1)
    streets = _rank(client, auth, month="2026-11", group="street", rules="small")
    assert (streets["990101001"]["base_orders"], streets["990101001"]["base_ratio"]) == (3, 2.0)
    assert (streets["990101002"]["base_orders"], streets["990101002"]["base_ratio"]) == (1, None)
    districts = _rank(client, auth, month="2026-11", group="district", rules="small")
    assert districts["990101"]["base_ratio"] == pytest.approx(7 / 4)
    # The base may be the period before instead (October: 2 orders).
    office_city.city = office_city.city.model_copy(
        update={"observation_policy": ObservationPolicy(base_period="previous_period")}
    )
    streets = _rank(client, auth, month="2026-11", group="street", rules="small")
    assert (streets["990101001"]["base_orders"], streets["990101001"]["base_ratio"]) == (2, None)


def test_base_periods_by_hand():
    december = month("2026-12", TZ)
    year_before, scale = base_period(december, ObservationPolicy(), TZ)
    assert (year_before.start, year_before.end, scale) == (
        datetime(2025, 12, 1, tzinfo=TZ), datetime(2026, 1, 1, tzinfo=TZ), 1.0
    )  # fmt: skip
    trailing, scale = base_period(december, ObservationPolicy(base_period="trailing_year"), TZ)
    assert (trailing.start, trailing.end) == (datetime(2025, 12, 1, tzinfo=TZ), december.start)
    assert scale == pytest.approx(31 / 365)
    leap = Period(datetime(2028, 2, 29, tzinfo=TZ), datetime(2028, 3, 2, tzinfo=TZ), "period")
    before = leap.year_before(TZ)
    assert (before.start, before.end) == (
        datetime(2027, 2, 28, tzinfo=TZ), datetime(2027, 3, 2, tzinfo=TZ)
    )  # fmt: skip


def test_bad_questions_are_refused(client, auth):
    for params, code in [
        ({"month": "2026-13"}, "assessment.bad_period"),
        ({}, "assessment.bad_period"),
        ({"month": "2026-11", "group": "planet"}, "assessment.bad_group"),
        ({"month": "2026-11", "rules": "nope"}, "assessment.unknown_rules"),
    ]:
        r = client.get("/api/assessment/rankings", params=params, headers=auth("supervisor"))
        assert (r.status_code, r.json()["code"]) == (422, code), params
    r = client.get("/api/assessment/rankings", params={"month": "2026-11"},
                   headers=auth("donghua"))  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (403, "assessment.forbidden")
