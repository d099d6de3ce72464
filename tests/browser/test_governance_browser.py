"""The weekly warning of hotspots in a real browser (G5): a supervisor examines the ended
week, sees its two hotspots and the tickets behind one; the street warned answers with
its measures."""

from __future__ import annotations

import pytest

from tests.governance.conftest import weeks  # noqa: F401  (the scenario, as a fixture)
from tests.governance.helpers import DONGHUA, HEPINGLI

from .test_console_flow import _expect, log_in, log_out, shot

pytestmark = pytest.mark.browser


def test_a_supervisor_examines_the_week_and_the_street_answers(browser_context, live_server,
                                                               weeks):  # noqa: F811  # fmt: skip
    expect = _expect()
    page = browser_context.new_page()
    log_in(page, live_server, "supervisor")
    page.get_by_role("link", name="高频预警").click()
    expect(page.locator("h1")).to_have_text("高频预警（七天一预警）")
    expect(page.get_by_test_id("week-summary")).to_contain_text("2026-W48")
    expect(page.get_by_test_id("examined")).to_have_text("本周尚未研判。")
    page.get_by_test_id("issue").click()
    expect(page.locator(".flash")).to_have_text("2026-W48 已研判：预警 2 条（新增 2 条）")
    table = page.get_by_test_id("hotspots")
    surge = table.locator(f'tr[data-place="{DONGHUA}"]')
    expect(surge).to_contain_text("突增")
    expect(surge).to_contain_text("7 件")
    expect(surge).to_contain_text("5 位诉求人")
    expect(surge).to_contain_text("待东华街道反馈")
    expect(table.locator(f'tr[data-place="{HEPINGLI}"]')).to_contain_text("持续高发")
    shot(page, "governance-warnings")
    surge.get_by_role("link", name="7 件").click()  # the tickets behind the warning
    expect(page.locator("h1")).to_contain_text("东华社区")
    expect(page.get_by_test_id("warning-tickets").locator("tbody tr a")).to_have_count(7)
    shot(page, "governance-warning-tickets")
    log_out(page)

    log_in(page, live_server, "donghua")
    page.get_by_role("link", name="高频预警").click()
    expect(page.locator("h1")).to_have_text("本辖区的高频预警")
    rows = page.get_by_test_id("hotspots").locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_text("反馈措施").click()
    rows.get_by_label("采取的措施").fill("约谈物业公司，电梯已修复")
    rows.get_by_role("button", name="提交").click()
    expect(page.locator(".flash")).to_have_text("已反馈整改措施")
    expect(page.get_by_test_id("hotspots").locator("tbody tr")).to_contain_text(
        "约谈物业公司，电梯已修复"
    )
    log_out(page)

    # G4: the month's work report, issued by the supervisor, counts the answer just given.
    log_in(page, live_server, "supervisor")
    page.get_by_role("link", name="高频预警").click()
    page.get_by_role("navigation", name="主动治理").get_by_role("link", name="工作报告").click()
    expect(page.locator("h1")).to_have_text("月度工作报告")
    page.get_by_test_id("issue").click()
    expect(page.locator(".flash")).to_have_text("已生成 2026-11 月度工作报告（第 1 版）")
    expect(page.get_by_test_id("report-title")).to_have_text("测试市 2026-11 接诉即办月度工作报告")
    # The other warning is still within its seven days: due, not yet overdue.
    expect(page.get_by_test_id("warnings")).to_contain_text("待反馈")
    expect(page.get_by_test_id("recommendations")).not_to_contain_text("未按期反馈")
    expect(page.get_by_test_id("warnings-summary")).to_contain_text("已反馈措施 1 条")
    shot(page, "governance-report")
