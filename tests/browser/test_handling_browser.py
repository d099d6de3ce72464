"""Whistle and report-in in a real browser (H4): a street summons two departments from the
ticket page, one department reports in from its inbox, the street closes the whistle on the
whistle board and the ticket keeps who reported and who did not."""

from __future__ import annotations

import pytest

from jiesu import accounts
from jiesu.actions import load_stage_actions
from jiesu.actions import run as run_action
from jiesu.domain.commands import Action
from jiesu.intake.receive import NewTicket, receive
from tests.conftest import PASSWORD

from .test_console_flow import _expect, log_in, log_out, shot

pytestmark = pytest.mark.browser


def _at_street(ctx) -> str:
    """A ticket led by 东华街道, acknowledged."""

    def actor(username):
        return accounts.login(ctx.engine, username, PASSWORD, ctx.now()).user.actor

    ticket, _ = receive(
        ctx,
        actor("operator"),
        NewTicket(
            request_type="complaint",
            category="城乡建设/物业管理",
            title="路边管线占道",
            content="东华社区门口施工管线占道两周，行人只能走机动车道。",
            requester_name="王先生",
            requester_phone="13700137000",
            location_unit_code="990101001001",
        ),
    )
    models = load_stage_actions()
    dispatch = models[Action.DISPATCH].input_model(lead_unit_code="990101001")
    run_action(ctx, actor("dispatcher"), ticket.number, Action.DISPATCH, dispatch)
    ack = models[Action.ACKNOWLEDGE].input_model()
    run_action(ctx, actor("donghua"), ticket.number, Action.ACKNOWLEDGE, ack)
    return ticket.number


def test_a_street_whistles_a_department_reports_in_and_the_street_closes_it(
    browser_context, live_server, ctx, clock
):
    expect = _expect()
    number = _at_street(ctx)
    page = browser_context.new_page()
    base = live_server

    # 东华街道 summons the district's city management and the water company.
    log_in(page, base, "donghua")
    page.goto(f"{base}/tickets/{number}")
    form = page.locator('form[data-action="raise_whistle"]')
    form.locator("summary").click()
    form.locator('select[name="unit_codes.0"]').select_option("990101.urban")
    form.get_by_role("button", name="＋ 再选一个单位").click()
    form.locator('select[name="unit_codes.1"]').select_option("utility.water")
    form.get_by_label("吹哨事由").fill("管线占道，需城管和自来水到场处置")
    form.get_by_role("button", name="吹哨").click()
    expect(page.locator(".flash")).to_have_text("操作成功：吹哨")
    whistle = page.get_by_test_id("whistle")
    expect(whistle).to_contain_text("第1次吹哨")
    expect(whistle.locator("tr.call-waiting")).to_have_count(2)
    shot(page, "whistle-raised")
    log_out(page)

    # 东区城市管理委员会 finds the call in its inbox and reports in there.
    clock.advance(hours=2)
    log_in(page, base, "urban")
    page.get_by_role("link", name="待报到").click()
    row = page.get_by_test_id("queue").locator("tr", has_text=number)
    expect(row).to_contain_text("管线占道，需城管和自来水到场处置")
    expect(row.locator(".deadline.cd-ok")).to_contain_text("报到时限")
    row.locator("summary", has_text="报到").click()
    row.get_by_label("报到及处置情况").fill("已到场，责令施工单位当日恢复人行道")
    shot(page, "whistle-inbox")
    row.get_by_role("button", name="确认报到").click()
    expect(page.locator(".flash")).to_have_text(f"工单 {number}：已报到")
    expect(page.get_by_test_id("queue")).not_to_contain_text("管线占道")
    log_out(page)

    # 东华街道 closes the whistle on the board; the water company never reported in.
    clock.advance(hours=23)
    log_in(page, base, "donghua")
    page.get_by_role("link", name="吹哨报到").click()
    item = page.locator(f'.whistle-item[data-number="{number}"]')
    expect(item.locator('tr[data-unit="990101.urban"]')).to_contain_text("按时报到")
    expect(item.locator('tr[data-unit="utility.water"] .deadline.cd-late')).to_contain_text(
        "已超期1小时"
    )
    expect(item).to_contain_text("尚有 1 个部门未报到")
    shot(page, "whistle-board")
    item.get_by_label("吹哨处置结果").fill("人行道已恢复，自来水集团未到场")
    item.get_by_role("button", name="结束吹哨").click()
    expect(page.locator(".flash")).to_have_text(f"工单 {number}：已结束吹哨")
    expect(page.get_by_test_id("whistle-board")).to_contain_text("暂无进行中的吹哨")

    page.goto(f"{base}/tickets/{number}")
    whistle = page.get_by_test_id("whistle")
    expect(whistle.locator('tr[data-unit="990101.urban"]')).to_contain_text("按时报到")
    expect(whistle.locator('tr[data-unit="utility.water"]')).to_contain_text("未报到")
    expect(whistle).to_contain_text("人行道已恢复，自来水集团未到场")
    expect(page.get_by_test_id("timeline")).to_contain_text("未报到的部门")
    shot(page, "whistle-closed")
