"""G4 on a simulated history as short as the demo's (30 days): the worker reports the last
ended month, and the report says what such a history cannot say — a month recorded only in
part, no month before, no year before, no seasonal outlook — instead of claiming rises."""

from __future__ import annotations

from jiesu.domain.roles import Actor
from jiesu.governance import reports as gr
from jiesu.jobs.worker import periodic_duties
from tests.conftest import simulated


def test_the_demo_like_history_reports_october_and_says_what_it_cannot(seeded, city, tmp_path):
    # 30 days up to Monday 23 November 2026: from 24 October, so October is the ended month.
    with simulated(seeded, city, tmp_path, days=30, tickets_per_day=60, seed=3) as ctx:
        periodic_duties(ctx)
        hotline = Actor.system(ctx.hotline_unit.code)
        listed = gr.list_reports(ctx, hotline)
        assert {(r.month, r.scope) for r in listed} == {
            ("2026-10", "city"), ("2026-10", "990101"), ("2026-10", "990102")}  # fmt: skip
        city_report = next(r for r in listed if r.scope == "city")
        c = gr.get_report(ctx, hotline, city_report.id).content
        h = c["history"]
        assert h["coverage"] == {"month": "partial", "previous": "none", "year_before": "none"}
        assert 7 < h["covered_days"] < 9 and h["month_days"] == 31
        assert any("本月仅含 8 天的数据" in n for n in h["notes"])
        assert any("没有去年同期" in n for n in h["notes"])
        assert c["volume"]["total"]["now"] > 300 and c["volume"]["total"]["previous"] is None
        assert c["volume"]["by_channel"] and c["seasonal"]["known"] is False
        assert c["assessment"]["now"]["orders"] > 0
        assert all(r["kind"] != "rising" for r in c["recommendations"])
        assert gr.issue_due(ctx) == []  # once


def test_the_city_sets_when_the_report_recommends(seeded, city, tmp_path):
    """G4: ``report_policy`` decides the recommendations, and each report keeps the
    thresholds it was judged by."""
    from dataclasses import replace

    from jiesu.city.config import ReportPolicy

    with simulated(seeded, city, tmp_path, days=30, tickets_per_day=60, seed=3) as ctx:
        hotline = Actor.system(ctx.hotline_unit.code)
        first = gr.get_report(ctx, hotline, gr.issue(ctx, "2026-10", "city").id).content
        assert len(first["recommendations"]) > 1 and first["thresholds"]["max_items"] == 8
        strict = replace(ctx, city=ctx.city.model_copy(
            update={"report_policy": ReportPolicy(max_items=1)}))  # fmt: skip
        again = gr.issue(strict, "2026-10", "city", regenerate=True, reason="只列最要紧的一条")
        content = gr.get_report(ctx, hotline, again.id).content
        assert content["recommendations"] == first["recommendations"][:1]
        assert content["thresholds"] == first["thresholds"] | {"max_items": 1}
