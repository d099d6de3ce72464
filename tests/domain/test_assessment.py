"""A2–A4: the three rates, the score and the graded ranking, against hand-computed figures."""

from __future__ import annotations

import pytest

from jiesu.domain.assessment import RuleSet, UnitCounts, Unreachable, rank, rates

BEIJING = RuleSet("current")  # 0.2 / 0.4 / 0.4, 基本满意 counts 0.8, unreachable excluded
STRICT = RuleSet("proposed", basically_satisfied_credit=0.5, unreachable=Unreachable.AGAINST)

# 10 orders, 8 contacted in time; 6 visits answered (4 solved; 3 satisfied, 2 basically,
# 1 unsatisfied) and 2 never reached.
C = UnitCounts(orders=10, responded=8, answered=6, solved=4, satisfied=3, basically=2,
               unreachable=2)  # fmt: skip


def test_the_rates_and_score_by_hand():
    r = rates(C, BEIJING)
    assert r.response == pytest.approx(0.8)  # 8 / 10
    assert r.resolution == pytest.approx(4 / 6)
    assert r.satisfaction == pytest.approx((3 + 0.8 * 2) / 6)  # 4.6 / 6
    # 100 × (0.2 × 0.8 + 0.4 × 0.6667 + 0.4 × 0.7667) = 16 + 26.667 + 30.667 = 73.333
    assert r.score == pytest.approx(73.3333, abs=1e-3)


def test_another_rule_set_on_the_same_counts():
    r = rates(C, STRICT)
    assert r.resolution == pytest.approx(4 / 8)  # unreachable count against
    assert r.satisfaction == pytest.approx((3 + 0.5 * 2) / 8)
    # 100 × (0.16 + 0.4 × 0.5 + 0.4 × 0.5) = 56
    assert r.score == pytest.approx(56.0)


def test_weights_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError, match="add up to 1.1"):
        RuleSet("bad", response_weight=0.3)
    with pytest.raises(ValueError, match="credit"):
        RuleSet("bad", basically_satisfied_credit=1.5)


def test_nothing_to_judge_is_not_scored():
    assert rates(UnitCounts(), BEIJING).score is None
    only_orders = rates(UnitCounts(orders=9, responded=9), BEIJING)
    assert only_orders.response == 1.0 and only_orders.score is None


def _unit(score_solved: int, orders: int = 10) -> UnitCounts:
    return UnitCounts(orders=orders, responded=orders, answered=10, solved=score_solved,
                      satisfied=score_solved)  # fmt: skip


def test_ties_share_a_rank_and_the_lowest_are_marked_for_a_talk():
    group = {"a": _unit(9), "b": _unit(7), "c": _unit(7), "d": _unit(5), "e": _unit(5),
             "small": _unit(1, orders=3)}  # fmt: skip
    rows = rank(group, BEIJING)
    assert [(r.unit_code, r.rank, r.talk) for r in rows] == [
        ("a", 1, False),
        ("b", 2, False),
        ("c", 2, False),
        ("d", 4, True),
        ("e", 4, True),
        ("small", None, False),  # three tickets are not ranked as if three thousand
    ]
    assert rows[-1].notes == ["诉求量3件，少于5件不参与排名"]


def test_change_of_rank_against_the_previous_period():
    now = {"a": _unit(9), "b": _unit(7), "c": _unit(5)}
    before = {"a": _unit(5), "b": _unit(9), "c": _unit(7)}
    rows = {r.unit_code: r for r in rank(now, BEIJING, previous=before)}
    assert (rows["a"].previous_rank, rows["a"].change) == (3, 2)
    assert (rows["b"].previous_rank, rows["b"].change) == (1, -1)
    assert (rows["c"].previous_rank, rows["c"].change) == (2, -1)


def test_counts_add_up():
    assert UnitCounts(20, 16, 12, 8, 6, 4, 4) == C + C
