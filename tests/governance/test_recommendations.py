"""G4 (BJ Art. 24, 28): the work report's recommendations are pure rules over the month's
figures — each rule fires on its own figures and not below its threshold, and the list is
ranked by kind, then by size, capped per kind and in all."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiesu.domain.recommendations import (
    CandidateFigure,
    Figures,
    MatterFigure,
    RateFigure,
    SeasonFigure,
    StreetWarnings,
    TalkFigure,
    Thresholds,
    TopicFigure,
    recommend,
)

HEATING, PROPERTY = "城乡建设/供暖", "城乡建设/物业管理"


def kinds(figures: Figures, **th) -> list[str]:
    return [r.kind for r in recommend(figures, Thresholds(**th))]


def test_nothing_to_say_says_nothing():
    assert recommend(Figures()) == []


def test_a_matter_rising_sharply_per_day_against_a_fully_known_month_before():
    rising = MatterFigure(HEATING, 60, 20, 30, 31)  # 2.0 a day against 0.65: ×3.1, +40
    (r,) = recommend(Figures(matters=[rising]))
    assert r.kind == "rising" and HEATING in r.title_zh
    assert r.figures == {"category": HEATING, "count": 60, "previous": 20, "ratio": 3.1}
    assert "本月 60 件，上月 20 件" in r.reason_zh
    # Not when the month before is unknown, when too few were added, or below the ratio.
    assert kinds(Figures(matters=[MatterFigure(HEATING, 60, None, 30, 31)])) == []
    assert kinds(Figures(matters=[MatterFigure(HEATING, 12, 3, 30, 31)])) == []  # +9 only
    assert kinds(Figures(matters=[MatterFigure(HEATING, 40, 28, 30, 31)])) == []  # ×1.48
    assert kinds(Figures(matters=[MatterFigure(HEATING, 12, 3, 30, 31)]), rise_min=5) == ["rising"]


def test_a_february_is_not_a_fall_nor_a_march_a_rise_per_day():
    """28 days against 31: 45 in March after 30 in February is ×1.36 a day, not ×1.5."""
    assert kinds(Figures(matters=[MatterFigure(HEATING, 45, 30, 31, 28)])) == []
    assert kinds(Figures(matters=[MatterFigure(HEATING, 45, 28, 31, 28)])) == []  # ×1.45


def test_a_unit_marked_for_a_talk_the_second_month_running_comes_first():
    once = TalkFigure("990101001", "东华街道", "街道乡镇", 2, 61.5, talk_before=False)
    again = TalkFigure("990101002", "和平街道", "街道乡镇", 3, 58.0, talk_before=True)
    r, first = recommend(Figures(talks=[once, again]))
    assert (r.kind, r.figures["unit_code"], r.figures["rank"]) == ("talk_again", "990101002", 3)
    assert "和平街道连续两个月排名靠后" in r.title_zh and "58.0 分" in r.reason_zh
    assert (first.kind, first.title_zh) == ("talk", "约谈东华街道")  # first time: ranked low


def test_a_rate_falling_five_points_or_more():
    fell = RateFigure("satisfaction", 0.84, 0.90)
    (r,) = recommend(Figures(rates=[fell, RateFigure("resolution", 0.88, 0.90),
                                    RateFigure("response", None, 0.9)]))  # fmt: skip
    assert r.kind == "rate_drop" and r.title_zh == "满意率下降 6.0 个百分点"
    exactly_five = RateFigure("resolution", 0.85, 0.90)
    assert kinds(Figures(rates=[exactly_five])) == ["rate_drop"]


def test_warnings_left_unanswered_and_answered_ones_that_did_not_fall():
    streets = [StreetWarnings("东华街道", 3, 2, 1), StreetWarnings("和平街道", 2, 1, 0),
               StreetWarnings("西长安街道", 1, 0, 0)]  # fmt: skip
    found = {r.kind: r for r in recommend(Figures(warnings=streets))}
    assert set(found) == {"warnings_unanswered", "warnings_not_fallen"}
    unanswered = found["warnings_unanswered"]
    assert unanswered.figures == {"unanswered": 3, "total": 6,
                                  "streets": [["东华街道", 2], ["和平街道", 1]]}  # fmt: skip
    assert "东华街道（2）、和平街道（1）" in unanswered.reason_zh
    assert found["warnings_not_fallen"].figures["streets"] == [["东华街道", 1]]
    assert kinds(Figures(warnings=[StreetWarnings("西长安街道", 4, 0, 0)])) == []


def test_a_topic_with_overdue_tasks_or_whose_fall_stalls():
    late = TopicFigure(1, "供暖不热", "市城管委", 1, -0.4, False, tasks_overdue=2)
    stalled = TopicFigure(2, "末班车过早", "市交通委", 2, -0.05, False, 0)
    falling = TopicFigure(3, "噪声扰民", "东区", 3, -0.2, False, 0)  # fell 20 %: not stalled
    young = TopicFigure(4, "物业管理", "东区", 1, 0.1, False, 0)  # one month only
    met = TopicFigure(5, "停车", "东区", 4, 0.0, True, 0)
    found = recommend(Figures(topics=[late, stalled, falling, young, met]))
    assert [(r.kind, r.figures["topic"]) for r in found] == [("topic_overdue", 1),
                                                            ("topic_stalled", 2)]  # fmt: skip
    assert "-5%" in found[1].reason_zh
    assert kinds(Figures(topics=[falling]), stall_fall=0.25) == ["topic_stalled"]


def test_a_seasonal_rise_next_month_to_prepare_for():
    big = SeasonFigure(HEATING, 120.0, 40.0, 110, periodic=True)
    small = SeasonFigure(PROPERTY, 45.0, 40.0, 44, periodic=False)
    (r,) = recommend(Figures(seasonal=[big, small]))
    assert r.kind == "seasonal" and "周期性" in r.reason_zh and "工作预案" in r.reason_zh
    assert r.figures["expected"] == 120.0


def test_a_candidate_not_yet_taken_up_and_for_a_district_only_its_own_matters():
    free = CandidateFigure(HEATING, 600, 80, 0.55, 0.8, 2, open_topics=0)
    taken = CandidateFigure(PROPERTY, 900, 120, 0.5, 0.8, 0, open_topics=1)
    (r,) = recommend(Figures(candidates=[free, taken]))
    assert r.kind == "candidate" and r.figures["category"] == HEATING
    assert "55.0%（全市 80.0%）" in r.reason_zh and "持续高发 2 次" in r.reason_zh
    assert kinds(Figures(candidates=[free], local_categories=frozenset({PROPERTY}))) == []
    assert kinds(Figures(candidates=[free], local_categories=frozenset({HEATING}))) == ["candidate"]


def test_ranked_by_kind_then_size_and_capped():
    matters = [MatterFigure(f"类别{i}", 100 + i * 10, 10, 30, 30) for i in range(5)]
    figures = Figures(matters=matters, rates=[RateFigure("resolution", 0.7, 0.9)],
                      candidates=[CandidateFigure(HEATING, 600, 80, 0.5, 0.8, 0, 0)])  # fmt: skip
    found = recommend(figures)
    assert [r.kind for r in found] == ["rate_drop", "rising", "rising", "rising", "candidate"]
    assert [r.figures["category"] for r in found[1:4]] == ["类别4", "类别3", "类别2"]
    assert len(recommend(figures, Thresholds(per_kind=10, max_items=4))) == 4


def test_thresholds_refuse_values_under_which_everything_or_nothing_would_count():
    for bad in ({"rise_ratio": 1.0}, {"rate_drop": 0}, {"stall_months": 0}, {"max_items": 0}):
        with pytest.raises(ValueError):
            Thresholds(**bad)


counts = st.integers(min_value=0, max_value=500)


@given(st.lists(st.tuples(counts, counts), max_size=30),
       st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=10))  # fmt: skip
def test_the_list_is_short_ranked_and_every_item_has_its_reason(pairs, streets):
    figures = Figures(
        matters=[MatterFigure(f"c{i}", a, b, 30, 31) for i, (a, b) in enumerate(pairs)],
        warnings=[StreetWarnings(f"s{i}", u + n, u, n) for i, (u, n) in enumerate(streets)],
    )
    th = Thresholds()
    found = recommend(figures, th)
    assert len(found) <= th.max_items
    assert all(sum(r.kind == k for r in found) <= th.per_kind for k in {r.kind for r in found})
    keys = [(-r.weight, -r.size) for r in found]
    assert keys == sorted(keys)
    assert all(r.title_zh and r.reason_zh and r.figures for r in found)
    for r in found:
        if r.kind == "rising":  # never fewer added than the threshold
            assert r.figures["count"] - r.figures["previous"] >= th.rise_min
