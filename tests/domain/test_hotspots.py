"""G1, G5: the rules of the weekly warning — when a place's week on one matter is a hotspot."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import poisson  # scikit-learn's own dependency: a reference, in tests only

from jiesu.domain.hotspots import (
    MIN_BASELINE_WEEKS,
    WarningKind,
    WarningRule,
    Week,
    judge,
    last_full_week,
    monday_of,
    parse_week,
    poisson_tail,
    week_label,
)

RULE = WarningRule()


@given(st.integers(0, 400), st.floats(0.01, 200))
def test_the_poisson_tail_agrees_with_scipy(k, lam):
    want = poisson.sf(k - 1, lam)
    assert poisson_tail(k, lam) == pytest.approx(want, rel=1e-9, abs=1e-300)


def test_the_far_tail_is_not_rounded_to_zero():
    # 40 requests where 1 is usual: about 1e-48, which 1 - CDF would give as 0.
    assert 0 < poisson_tail(40, 1.0) == pytest.approx(poisson.sf(39, 1.0), rel=1e-9)


def quiet(n=8, count=1, requesters=1):
    return [Week(count, requesters)] * n


def test_a_surge_warns_with_its_chance_and_ratio():
    v = judge(Week(7, 5), quiet(), RULE)
    assert v is not None and v.kind is WarningKind.SURGE
    assert (v.expected, v.ratio) == (1.0, 7.0)
    assert v.p_value == pytest.approx(poisson.sf(6, 1.0))


@pytest.mark.parametrize(
    ("this", "before", "why"),
    [
        (Week(4, 4), quiet(), "fewer than min_count requests"),
        (Week(9, 2), quiet(), "fewer than min_requesters people: a frequent requester"),
        (Week(12, 8), quiet(count=8, requesters=2), "a busy place's usual week"),
        (Week(30, 20), quiet(MIN_BASELINE_WEEKS - 1), "too little history"),
        (Week(5, 5), quiet(count=2), "2.5 times the usual week, but by chance one week in 19"),
    ],
)
def test_what_does_not_warn(this, before, why):
    assert judge(this, before, RULE) is None, why


def test_a_never_seen_place_is_judged_against_the_floor():
    v = judge(Week(6, 6), quiet(count=0), RULE)
    assert v is not None and v.expected == RULE.floor and v.ratio == 12.0


def test_only_the_last_baseline_weeks_count():
    old_busy = quiet(20, count=10, requesters=5) + quiet(8)
    assert judge(Week(7, 5), old_busy, RULE).expected == 1.0


def test_a_chronic_problem_warns_as_persistent_against_places_like_it():
    busy = quiet(count=6, requesters=4)
    v = judge(Week(6, 4), busy, RULE, peers=[1.0] * 4)
    assert v is not None and v.kind is WarningKind.PERSISTENT
    assert (v.expected, v.ratio) == (1.0, 6.0) and v.p_value == pytest.approx(poisson.sf(5, 1))
    # Against its own past a chronic problem is not surprising; nor where places like it
    # have as much; and one ordinary week among the last four breaks the run.
    assert judge(Week(6, 4), busy, RULE) is None
    assert judge(Week(6, 4), busy, RULE, peers=[4.0] * 4) is None
    assert judge(Week(6, 4), busy[:-2] + [Week(1, 1)] + busy[-1:], RULE, [1.0] * 4) is None


@given(
    st.integers(0, 60),
    st.integers(0, 60),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=12),
)
def test_more_requests_never_stop_a_surge(count, requesters, history):
    """Monotone: a week that surges still surges with one more request from a new person."""
    before = [Week(c, min(r, c)) for c, r in history]
    this = Week(count, min(requesters, count))
    v = judge(this, before, RULE)
    if v is not None and v.kind is WarningKind.SURGE:
        more = judge(Week(this.count + 1, this.requesters + 1), before, RULE)
        assert more is not None and more.kind is WarningKind.SURGE


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_weeks_are_iso_weeks_from_monday(day):
    monday = monday_of(day)
    assert monday.weekday() == 0 and 0 <= (day - monday).days < 7
    assert parse_week(week_label(monday)) == monday
    assert last_full_week(day) == monday - timedelta(days=7)


@pytest.mark.parametrize("label", ["2026-48", "2026-W4", "2026-W54", "W48", "", "2026-W48x"])
def test_a_week_label_must_be_an_iso_week(label):
    with pytest.raises(ValueError):
        parse_week(label)
