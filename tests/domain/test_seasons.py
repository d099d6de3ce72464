"""G3 seasonal and periodic problems, the pure rules: a matter that rose into the month last
year is expected to rise again, scaled by the recent trend."""

from __future__ import annotations

import pytest

from jiesu.domain.seasons import SeasonRule, outlook, rise

RULE = SeasonRule()


def test_heating_rose_last_november_and_is_expected_again():
    o = outlook(40, [2, 4, 6], [5, 5, 5], [4, 4, 4], None, RULE)
    assert o is not None and o.rise == pytest.approx(10.0)
    assert o.trend == pytest.approx(1.25) and o.expected == pytest.approx(50.0)
    assert o.recent == 5.0 and o.years_risen == 1


def test_a_steady_matter_a_small_one_and_one_already_high_are_not_listed():
    assert outlook(30, [30, 28, 32], [30, 30, 30], [30, 30, 30], None, RULE) is None  # no rise
    assert outlook(8, [0, 1, 0], [1, 1, 1], [1, 1, 1], None, RULE) is None  # under 10
    assert outlook(20, [5, 5, 5], [40, 40, 40], [10, 10, 10], None, RULE) is None  # already high


def test_the_trend_is_bounded_and_ignored_on_small_bases():
    assert outlook(20, [2, 2, 2], [30, 30, 30], [10, 10, 10], None, RULE).trend == 2.0
    assert outlook(20, [2, 2, 2], [0, 0, 0], [3, 3, 3], None, RULE).trend == 1.0  # base 9 < 10


def test_two_years_that_rose_make_it_periodic():
    assert outlook(20, [2, 2, 2], [3, 3, 3], [3, 3, 3], (18, [1, 2, 3]), RULE).years_risen == 2
    assert outlook(20, [2, 2, 2], [3, 3, 3], [3, 3, 3], (5, [5, 5, 5]), RULE).years_risen == 1


def test_rise_never_divides_by_less_than_one_a_month():
    assert rise(12, [0, 0, 0]) == 12.0 and rise(0, []) == 0.0
