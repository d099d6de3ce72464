"""Monthly topics in a real browser (G2): a supervisor proposes a topic, the lead unit writes
its plan and three lists, the supervisor launches it, and the co-unit reports its task done."""

from __future__ import annotations

import pytest

from .test_console_flow import _expect, log_in, log_out, shot

pytestmark = pytest.mark.browser


def test_a_topic_from_proposal_to_a_task_done(browser_context, live_server):
    expect = _expect()
    page = browser_context.new_page()
    log_in(page, live_server, "supervisor")
    page.get_by_role("link", name="高频预警").click()
    page.get_by_role("link", name="每月一题").click()
    expect(page.locator("h1")).to_have_text("每月一题")
    form = page.get_by_test_id("propose")
    form.get_by_label("题目").fill("公交末班车过早")
    form.get_by_label("月份").fill("2026-12")
    form.get_by_label("诉求类别").select_option(["交通运输/公交线路"])
    form.get_by_label("主责单位").select_option("city.transport")
    form.get_by_label("配合单位").select_option(["990101001"])
    form.get_by_role("button", name="立题").click()
    expect(page.locator(".flash")).to_contain_text("已立题")
    expect(page.get_by_test_id("topic-state")).to_have_text("待启动")
    url = page.url
    log_out(page)

    log_in(page, live_server, "transport")
    page.goto(url)
    page.get_by_text("制定方案").click()
    page.get_by_label("工作方案").fill("调整末班车时间，增开夜班线")
    page.get_by_role("button", name="保存方案").click()
    expect(page.locator(".flash")).to_have_text("已保存工作方案")
    for kind, label, text in (("problem", "问题清单", "东华社区末班车 21:30 结束"),
                              ("task", "任务清单", "摸排夜间出行需求"),
                              ("duty", "责任清单", "牵头调整线路")):  # fmt: skip
        page.get_by_text(f"增加{label}事项").click()
        form = page.get_by_test_id(f"add-{kind}")
        form.get_by_label("事项内容").fill(text)
        if kind == "task":
            form.get_by_label("单位").select_option("990101001")
        form.get_by_role("button", name="加入").click()
        expect(page.get_by_test_id(f"list-{kind}")).to_contain_text(text)
    log_out(page)

    log_in(page, live_server, "supervisor")
    page.goto(url)
    page.get_by_test_id("launch").click()
    expect(page.get_by_test_id("topic-state")).to_have_text("推进中")
    shot(page, "governance-topic")
    log_out(page)

    log_in(page, live_server, "donghua")
    page.goto(url)
    tasks = page.get_by_test_id("list-task")
    tasks.get_by_text("报告完成").click()
    tasks.get_by_label("完成情况").fill("已完成摸排")
    tasks.get_by_role("button", name="提交").click()
    expect(page.locator(".flash")).to_have_text("已报告任务完成")
    expect(page.get_by_test_id("list-task")).to_contain_text("已完成摸排")
    expect(page.get_by_test_id("topic-timeline")).to_contain_text("完成任务")
