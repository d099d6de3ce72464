"""Dispatch in a real browser: a dispatcher reads the suggestion and its reasons, takes it with
one click, and sees the ticket dispatched (D1, D7, D8)."""

from __future__ import annotations

import pytest

from jiesu import accounts
from jiesu.intake.receive import NewTicket, receive
from tests.conftest import PASSWORD

from .test_console_flow import _expect, log_in, shot

pytestmark = pytest.mark.browser


def test_a_dispatcher_accepts_the_suggestion_with_one_click(browser_context, live_server, ctx):
    expect = _expect()
    operator = accounts.login(ctx.engine, "operator", PASSWORD, ctx.now()).user.actor
    ticket, _ = receive(
        ctx,
        operator,
        NewTicket(
            request_type="complaint",
            category="城乡建设/物业管理",
            title="小区电梯长期故障",
            content="3号楼电梯坏了两周，物业一直不修。",
            requester_name="张女士",
            requester_phone="13800138000",
            address="东区东华街道东华社区3号楼",
        ),
    )
    page = browser_context.new_page()
    log_in(page, live_server, "dispatcher")
    page.goto(f"{live_server}/tickets/{ticket.number}")

    panel = page.get_by_test_id("dispatch-suggestions")
    top = panel.locator(".suggestion").first
    expect(top.locator(".suggestion-unit")).to_have_text("东华街道")
    expect(top.locator(".why-kind").first).to_have_text("目录")
    expect(top).to_contain_text("派单目录“城乡建设/物业管理”")
    expect(top).to_contain_text("建议协办：东华社区")
    expect(panel.get_by_test_id("place")).to_contain_text("东华街道 › 东华社区")
    shot(page, "dispatch-suggestions")

    top.get_by_role("button", name="采纳").click()
    expect(page.locator(".flash")).to_have_text("操作成功：派单")
    expect(page.get_by_test_id("status")).to_have_text("待签收")
    expect(page.get_by_test_id("lead")).to_have_text("东华街道")
    expect(page.get_by_test_id("timeline")).to_contain_text("采纳派单建议第1位：东华街道")
    expect(page.get_by_test_id("dispatch-suggestions")).to_have_count(0)
    expect(page.locator("table.grid.compact")).to_contain_text("东华社区")  # the co-handler
    shot(page, "dispatch-accepted")
