"""The console in a real browser: a ticket from the call to the unit's reply, conflicts, login.

Screenshots are written only when ``JIESU_SCREENSHOTS`` names a folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from jiesu import accounts
from jiesu.intake.receive import NewTicket, receive
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

TIMELINE = ["登记受理", "派单", "签收", "联系诉求人", "办结反馈"]


def _expect():
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)  # a loaded two-core machine (see fixtures.py)
    return expect


def shot(page, name: str) -> None:
    folder = os.environ.get("JIESU_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"jiesu-{name}.png"), full_page=True)


def log_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    _expect()(page.get_by_test_id("user")).to_have_text(username)


def log_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    _expect()(page.get_by_role("button", name="登录")).to_be_visible()
    _expect()(page.locator(".flash")).to_have_text("已退出登录")


def submit(page, action: str) -> None:
    page.locator(f'form[data-action="{action}"] button[type=submit]').click()


def test_call_to_reply_through_the_console(browser_context, live_server, clock):
    expect = _expect()
    page = browser_context.new_page()
    base = live_server

    # 话务员 takes the call and records the ticket.
    log_in(page, base, "operator")
    page.get_by_role("link", name="新建工单").first.click()
    form = page.locator("form[action='/tickets/new']")
    form.locator("select[name=request_type]").select_option("complaint")
    form.locator("select[name=category]").select_option("城乡建设/物业管理")
    form.get_by_label("标题").fill("小区电梯长期故障")
    form.locator("textarea[name=content]").fill(
        "东华社区3号楼电梯坏了两周，物业一直不修，老人上下楼困难。"
    )
    form.get_by_label("诉求人姓名").fill("张女士")
    form.get_by_label("联系电话").fill("13800138000")
    form.locator("select[name=loc_district]").select_option("990101")
    expect(form.locator("select[name=loc_street] option[value='990101001']")).to_be_attached()
    form.locator("select[name=loc_street]").select_option("990101001")
    expect(form.locator("select[name=loc_community] option[value='990101001001']")).to_be_attached()
    form.locator("select[name=loc_community]").select_option("990101001001")
    form.get_by_label("详细地址").fill("东华社区3号楼")
    shot(page, "new-ticket")
    form.get_by_role("button", name="登记工单").click()
    expect(page).to_have_url(re.compile(r"/tickets/CS\d{14}$"))
    expect(page.locator(".flash")).to_contain_text("已登记工单")
    expect(page.get_by_test_id("status")).to_have_text("已登记")
    number = page.get_by_test_id("number").inner_text()
    log_out(page)

    # 派单员 sends it to 东华街道, found by name in the unit picker.
    clock.advance(minutes=12)
    log_in(page, base, "dispatcher")
    expect(page.get_by_test_id("queue")).to_contain_text(number)
    shot(page, "queue-dispatcher")
    page.get_by_role("link", name=number).click()
    dispatch = page.locator('form[data-action="dispatch"]')
    dispatch.locator(".unit-search").first.fill("东华")
    expect(dispatch.locator("[data-unit-picker][data-searched='东华']").first).to_be_attached()
    dispatch.locator("select[name=lead_unit_code]").select_option("990101001")
    dispatch.locator("textarea[name=reason]").fill("物业管理问题，属地街道主办")
    shot(page, "ticket-dispatch")
    submit(page, "dispatch")
    expect(page.locator(".flash")).to_have_text("操作成功：派单")
    expect(page.get_by_test_id("status")).to_have_text("待签收")
    expect(page.get_by_test_id("lead")).to_have_text("东华街道")
    log_out(page)

    # 东华街道 acknowledges, contacts the requester and replies.
    clock.advance(hours=1)
    log_in(page, base, "donghua")
    page.get_by_role("link", name="待签收").click()
    expect(page.get_by_test_id("queue")).to_contain_text(number)
    shot(page, "queue-unit")
    page.get_by_role("link", name=number).click()
    expect(page.locator(".deadline-bar .cd-ok")).to_have_count(2)
    # The live countdown follows the server's (test) clock, not the browser's.
    expect(page.locator(".deadline-bar .cd-text").first).to_have_text("剩余1天13小时")
    submit(page, "acknowledge")
    expect(page.get_by_test_id("status")).to_have_text("已签收")
    shot(page, "ticket-unit")

    clock.advance(hours=2)
    page.reload()
    contact = page.locator('form[data-action="contact"]')
    contact.locator("select[name=method]").select_option("phone")
    contact.locator("select[name=outcome]").select_option("reached")
    contact.locator("textarea[name=note]").fill("已电话联系张女士，约定明日上门查看。")
    submit(page, "contact")
    expect(page.get_by_test_id("status")).to_have_text("办理中")

    clock.advance(hours=5)
    page.reload()
    reply = page.locator('form[data-action="reply"]')
    reply.locator("select[name=outcome]").select_option("solved")
    reply.locator("textarea[name=text]").fill("已督促物业更换电梯控制板，电梯恢复运行。")
    submit(page, "reply")

    expect(page.get_by_test_id("status")).to_have_text("已办结")
    expect(page.locator(".timeline .event-action")).to_have_text(TIMELINE)
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("东华街道")
    expect(timeline).to_contain_text("已电话联系张女士")
    expect(timeline).to_contain_text("已登记 → 待签收")
    expect(page.locator(".deadline-bar .cd-met")).to_have_count(2)
    shot(page, "ticket")


def _ticket(ctx) -> str:
    operator = accounts.login(ctx.engine, "operator", PASSWORD, ctx.now()).user.actor
    data = NewTicket(
        request_type="complaint",
        category="城乡建设/物业管理",
        title="楼道堆物",
        content="东华社区2号楼楼道堆放杂物，存在消防隐患。",
        requester_name="李先生",
        requester_phone="13900139000",
        location_unit_code="990101001001",
    )
    ticket, _ = receive(ctx, operator, data)
    return ticket.number


def test_a_stale_form_shows_the_conflict(browser_context, live_server, ctx):
    expect = _expect()
    number = _ticket(ctx)
    first = browser_context.new_page()
    log_in(first, live_server, "dispatcher")
    first.goto(f"{live_server}/tickets/{number}")
    second = browser_context.new_page()
    second.goto(f"{live_server}/tickets/{number}")

    first.locator("select[name=lead_unit_code]").select_option("990101001")
    submit(first, "dispatch")
    expect(first.get_by_test_id("status")).to_have_text("待签收")

    second.locator("select[name=lead_unit_code]").select_option("990101002")
    submit(second, "dispatch")
    expect(second.locator(".alert").first).to_contain_text("工单已被他人修改")
    expect(second.locator(".alert").first).to_contain_text("ticket.conflict")
    expect(second.get_by_test_id("lead")).to_have_text("东华街道")
    shot(second, "conflict")


def test_wrong_password_is_refused(browser_context, live_server):
    expect = _expect()
    page = browser_context.new_page()
    page.goto(f"{live_server}/tickets/new")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("用户名").fill("operator")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
    expect(page.get_by_label("用户名")).to_have_value("operator")
    shot(page, "login")
