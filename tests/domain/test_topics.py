"""G2 monthly topics, the pure rules: the topic's state machine, what launch needs (一方案
三清单), and when the requests have fallen enough to close it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiesu.domain.errors import IllegalTransition, InvalidInput
from jiesu.domain.topics import (
    OPEN_STATES,
    TRANSITIONS,
    ItemList,
    Span,
    TopicAction,
    TopicState,
    TrackingRule,
    concerns,
    judge_progress,
    missing_for_launch,
    transition,
)

RULE = TrackingRule(baseline_days=90, target_drop=0.3, sustained_months=2, min_baseline_days=14)
BASE = Span("baseline", 300, 90.0)  # 3.33 a day; the target is 2.33 a day


def month(n: int, days: int = 30) -> Span:
    return Span(f"m{n}", n, float(days))


def test_a_topic_is_planned_then_launched_then_closed():
    state = TopicState.PLANNED
    for action in (TopicAction.EDIT_PLAN, TopicAction.ADD_ITEM, TopicAction.SET_UNITS):
        assert transition(state, action) is TopicState.PLANNED
    state = transition(state, TopicAction.LAUNCH)
    assert state is TopicState.ACTIVE
    assert transition(state, TopicAction.FINISH_TASK) is TopicState.ACTIVE
    assert transition(state, TopicAction.CLOSE) is TopicState.CLOSED


@pytest.mark.parametrize("state", [TopicState.CLOSED, TopicState.WITHDRAWN])
@pytest.mark.parametrize("action", list(TopicAction))
def test_a_closed_or_withdrawn_topic_is_a_record(state, action):
    with pytest.raises(IllegalTransition) as err:
        transition(state, action)
    assert err.value.code == "topic.bad_state"


def test_a_planned_topic_cannot_be_closed_nor_an_active_one_launched_again():
    with pytest.raises(IllegalTransition):
        transition(TopicState.PLANNED, TopicAction.CLOSE)
    with pytest.raises(IllegalTransition):
        transition(TopicState.ACTIVE, TopicAction.LAUNCH)


@given(st.lists(st.sampled_from(list(TopicAction)), max_size=30))
def test_any_sequence_of_actions_keeps_to_the_state_machine(actions):
    """Property: whatever is tried, a topic moves only along TRANSITIONS, never leaves a
    closed or withdrawn state, and reaches ACTIVE only by launch (G2)."""
    state = TopicState.PLANNED
    for action in actions:
        try:
            after = transition(state, action)
        except IllegalTransition:
            assert state not in OPEN_STATES or action in (
                TopicAction.PROPOSE, TopicAction.LAUNCH, TopicAction.CLOSE
            )  # fmt: skip
            continue
        assert state in OPEN_STATES
        assert after is state or TRANSITIONS[(state, action)] is after
        if after is TopicState.ACTIVE and state is not TopicState.ACTIVE:
            assert action is TopicAction.LAUNCH
        state = after


def test_launch_needs_the_plan_and_all_three_lists():
    assert missing_for_launch("", set()) == ["工作方案", "问题清单", "任务清单", "责任清单"]
    assert missing_for_launch("方案", {ItemList.PROBLEM, ItemList.DUTY}) == ["任务清单"]
    assert missing_for_launch("  方案 ", set(ItemList)) == []


def test_met_after_enough_full_months_at_or_below_the_target():
    low = month(60)  # 2.0 a day, below 2.33
    p = judge_progress(BASE, [month(100), low, low], RULE)
    assert p.met and p.months_at_target == 2
    assert p.baseline_per_day == pytest.approx(3.333, abs=1e-3)
    assert p.target_per_day == pytest.approx(2.333, abs=1e-3)
    assert p.change == pytest.approx(-0.4)
    assert "已达到销号条件" in p.reason_zh


def test_one_good_month_or_a_relapse_is_not_enough():
    low = month(60)
    assert not judge_progress(BASE, [low], RULE).met
    relapse = judge_progress(BASE, [low, low, month(90)], RULE)  # the last month is back up
    assert not relapse.met and relapse.months_at_target == 0


def test_requests_are_compared_per_day_so_february_is_not_a_fall():
    """The same daily rate over 28 days is not fewer requests (the baseline is 3.33 a day)."""
    february = Span("2027-02", 93, 28.0)  # 3.32 a day: no fall at all
    p = judge_progress(BASE, [february, february], RULE)
    assert not p.met and p.change == pytest.approx(-0.0036, abs=1e-3)


def test_without_enough_history_before_launch_nothing_is_judged():
    short = judge_progress(Span("baseline", 40, 10.0), [month(0), month(0)], RULE)
    assert not short.met and short.baseline_per_day is None and "无法判断" in short.reason_zh
    assert not judge_progress(None, [month(0)], RULE).met
    assert not judge_progress(Span("baseline", 0, 90.0), [month(0), month(0)], RULE).met


def test_no_full_month_yet():
    p = judge_progress(BASE, [], RULE)
    assert not p.met and p.latest is None and "尚无整月" in p.reason_zh


@pytest.mark.parametrize(
    "kwargs",
    [{"baseline_days": 3}, {"target_drop": 0}, {"target_drop": 1}, {"sustained_months": 0},
     {"min_baseline_days": 100}],
)  # fmt: skip
def test_a_rule_out_of_range_is_refused(kwargs):
    with pytest.raises(InvalidInput) as err:
        TrackingRule(**kwargs)
    assert err.value.code == "topic.bad_rule"


def test_a_request_is_on_a_topic_by_category_keyword_and_place():
    cats, words, places = ["交通运输"], ["末班车"], {"A", "A1"}
    on = ("交通运输/公交线路", "末班车太早", "", "A1")
    assert concerns(cats, words, places, on)
    assert concerns(cats, [], None, ("交通运输", "", "", None))  # the category itself
    assert not concerns(cats, words, places, ("交通运输局", "末班车", "", "A1"))  # no prefix trick
    assert not concerns(cats, words, places, ("交通运输/公交线路", "站牌", "破损", "A1"))
    assert concerns(cats, words, places, ("交通运输/公交线路", "站牌", "末班车也早", "A"))
    assert not concerns(cats, words, places, ("交通运输/公交线路", "末班车", "", "B"))
    assert not concerns(cats, words, places, ("交通运输/公交线路", "末班车", "", None))
