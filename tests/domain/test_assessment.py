"""A2–A4: the three rates, the score and the graded ranking, against hand-computed figures."""

from __future__ import annotations

import pytest

from jiesu.domain.assessment import (
    GovernanceCounts,
    GovernancePoints,
    RuleSet,
    UnitCounts,
    Unreachable,
    governance_points,
    rank,
    rates,
)

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


# Proactive governance in the score (A2; BJ Art. 32): points, not rates.


def test_governance_points_by_hand_and_capped():
    points = GovernancePoints()  # +2 a topic led, +1 co-handled, −0.5 a late task or warning
    assert governance_points(GovernanceCounts(), points) == 0
    assert governance_points(GovernanceCounts(topics_led=1, topics_co=1), points) == 3
    assert governance_points(GovernanceCounts(tasks_late=1, warnings_unanswered=2), points) == -1.5
    assert governance_points(GovernanceCounts(topics_led=4), points) == 5  # capped at 5
    assert governance_points(GovernanceCounts(topics_led=4, tasks_late=30), points) == 0  # 5 − 5
    assert governance_points(GovernanceCounts(1, 0, 3, 0), GovernancePoints(cap=1)) == 0


def test_governance_points_are_added_to_a_score_never_make_one():
    done = GovernanceCounts(topics_led=1)
    r = rates(C, BEIJING, done)
    assert (r.points, r.score) == (2.0, pytest.approx(75.3333, abs=1e-3))  # 73.333 + 2
    unscored = rates(UnitCounts(), BEIJING, done)
    assert (unscored.points, unscored.score) == (2.0, None)  # nothing to judge: no score
    off = RuleSet("no points", governance=GovernancePoints(0, 0, 0, 0, 0))
    assert rates(C, off, done).score == pytest.approx(73.3333, abs=1e-3)
    with pytest.raises(ValueError, match="at least 0"):
        GovernancePoints(late_task=-1)


def test_governance_points_reorder_the_ranking_and_its_change():
    group = {"a": _unit(7), "b": _unit(7), "c": _unit(5)}
    assert [r.rank for r in rank(group, BEIJING)] == [1, 1, 3]
    done = {"b": GovernanceCounts(warnings_unanswered=1), "c": GovernanceCounts(topics_led=3)}
    rows = {r.unit_code: r for r in rank(group, BEIJING, governance=done)}
    # a 76, b 75.5, c 60 + 5 (capped): b drops below a; c still last.
    assert (rows["a"].rank, rows["b"].rank, rows["c"].rank) == (1, 2, 3)
    assert rows["b"].governance == GovernanceCounts(warnings_unanswered=1)
    assert rows["c"].rates.points == 5
    # The period before is ranked with its own points: b led there (a then b).
    again = rank(group, BEIJING, group, governance=done, previous_governance={"b": done["c"]})
    rows = {r.unit_code: r for r in again}
    assert (rows["a"].previous_rank, rows["b"].previous_rank) == (2, 1)
    assert rows["b"].change == -1


def test_governance_counts_add_up():
    assert GovernanceCounts(1, 2, 3, 4) + GovernanceCounts(1, 0, 0, 1) == GovernanceCounts(
        2, 2, 3, 5
    )
