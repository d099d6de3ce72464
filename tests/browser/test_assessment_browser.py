"""The assessment office and a citizen in a real browser (A1–A3, A6): the supervisor opens
the month's ranking, drills down to a street's tickets, upholds the street's appeal and
sees the score change; a requester answers the return visit on a phone by the SMS link."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jiesu import accounts
from jiesu.actions import load_stage_actions
from jiesu.actions import run as run_action
from jiesu.assessment import appeals
from jiesu.city.config import AssessmentRuleSpec, AssessmentWeights, VisitPolicy
from jiesu.domain.commands import Action
from jiesu.intake.receive import NewTicket, receive
from jiesu.storage.tables import outbox, tickets
from tests.conftest import PASSWORD

from .test_console_flow import _expect, log_in, shot

pytestmark = pytest.mark.browser


def _actor(ctx, username):
    return accounts.login(ctx.engine, username, PASSWORD, ctx.now()).user.actor


def _replied(ctx, street: str, user: str, title: str) -> str:
    """A ticket led by ``street``, contacted at once and replied."""
    ticket, _ = receive(
        ctx,
        _actor(ctx, "operator"),
        NewTicket(
            request_type="complaint",
            category="城乡建设/物业管理",
            title=title,
            content="小区电梯坏了两周，物业一直不修，老人上下楼困难。",
            requester_name="张女士",
            requester_phone="13800138000",
            location_unit_code="990101001001",
        ),  # fmt: skip
    )
    models = load_stage_actions()
    steps = [
        ("dispatcher", Action.DISPATCH, {"lead_unit_code": street}),
        (user, Action.ACKNOWLEDGE, {}),
        (user, Action.CONTACT, {}),
        (user, Action.REPLY, {"outcome": "solved", "text": "电梯已修复"}),
    ]
    for who, action, body in steps:
        run_action(ctx, _actor(ctx, who), ticket.number, action,
                   models[action].input_model(**body))  # fmt: skip
    return ticket.number


def _visit(ctx, number: str, solved: bool, satisfaction: str) -> None:
    data = load_stage_actions()[Action.RECORD_VISIT].input_model(
        contacted=True, solved=solved, satisfaction=satisfaction
    )
    run_action(ctx, _actor(ctx, "operator"), number, Action.RECORD_VISIT, data)


def test_the_office_ranks_drills_down_and_upholds_an_appeal(browser_context, live_server, ctx,
                                                              clock):  # fmt: skip
    expect = _expect()
    weights = AssessmentWeights(response=0.2, resolution=0.4, satisfaction=0.4)
    ctx.city = ctx.city.model_copy(update={
        "visit_policy": VisitPolicy(rehandle_on=()),
        "assessment_rules": (AssessmentRuleSpec(name="small", weights=weights, min_volume=1),),
    })  # fmt: skip
    good = _replied(ctx, "990101001", "donghua", "电梯修好了")
    _visit(ctx, good, True, "satisfied")
    bad = _replied(ctx, "990101001", "donghua", "电梯又坏了")
    _visit(ctx, bad, False, "unsatisfied")
    other = _replied(ctx, "990101002", "heping", "楼道灯不亮")
    _visit(ctx, other, False, "unsatisfied")
    appeals.file(ctx, _actor(ctx, "donghua"), bad, "evaluation_contradicted",
                 "现场照片显示电梯已修复", "维修记录单")  # fmt: skip
    clock.advance(days=9)  # 2 December: November is the last full month
    page = browser_context.new_page()
    base = live_server

    log_in(page, base, "supervisor")
    page.get_by_role("link", name="考评", exact=True).click()
    expect(page.locator("h1")).to_have_text("2026-11 区考评排名")
    page.get_by_role("link", name="街道乡镇").click()
    page.locator("select[name=rules]").select_option("small")
    page.get_by_role("button", name="查看").click()
    table = page.get_by_test_id("rankings")
    donghua = table.locator('tr[data-unit="990101001"]')
    expect(donghua).to_contain_text("60.00")
    expect(table.locator('tr[data-unit="990101002"]')).to_contain_text("约谈")
    shot(page, "assessment-rankings")

    donghua.get_by_role("link", name="东华街道").click()
    expect(page.locator("h1")).to_have_text("东华街道 · 2026-11 考评明细")
    expect(page.get_by_test_id("totals").locator('[data-key="orders"]')).to_have_text("2")
    rows = page.get_by_test_id("drilldown")
    expect(rows.locator(f'tr[data-number="{bad}"]')).to_contain_text("未解决 · 不满意")
    expect(rows.locator(f'tr[data-number="{bad}"]')).to_contain_text("待审核")
    shot(page, "assessment-drilldown")

    page.get_by_role("link", name="近12个月趋势").click()
    expect(page.get_by_test_id("trend-svg").locator("polyline")).to_have_count(4)
    shot(page, "assessment-trend")

    page.get_by_role("link", name="考评申诉").click()
    page.get_by_test_id("appeals").locator(f'tr[data-number="{bad}"]').get_by_role(
        "link", name="审核"
    ).click()
    expect(page.get_by_test_id("history")).to_contain_text("现场照片显示电梯已修复")
    form = page.get_by_test_id("decide-form")
    form.get_by_label("申诉成立（剔除该工单）").check()
    form.get_by_label("审核意见").fill("维修记录与照片一致，评价与事实不符")
    shot(page, "assessment-appeal")
    form.get_by_role("button", name="提交审核结论").click()
    expect(page.locator(".flash")).to_contain_text(f"工单 {bad}：申诉成立")
    expect(page.get_by_test_id("appeals")).to_contain_text("没有待审核的申诉")

    page.goto(f"{base}/console/assessment/rankings?group=street&rules=small")
    expect(page.get_by_test_id("rankings").locator('tr[data-unit="990101001"]')).to_contain_text(
        "100.00"
    )


def test_a_requester_answers_the_visit_on_a_phone(browser, live_server, ctx):
    expect = _expect()
    number = _replied(ctx, "990101001", "donghua", "电梯修好了")
    with ctx.engine.connect() as conn:
        link = next(
            r.payload["link"] for r in conn.execute(select(outbox))
            if r.payload.get("template") == "visit"
        )  # fmt: skip
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844},
                                is_mobile=True, has_touch=True)  # fmt: skip
    try:
        page = phone.new_page()
        page.goto(live_server + link)
        expect(page.get_by_test_id("summary")).to_contain_text("东华街道")
        expect(page.get_by_test_id("summary")).to_contain_text("电梯已修复")
        form = page.get_by_test_id("visit-form")
        form.get_by_label("联系了").check()
        form.get_by_label("已解决").check()
        form.get_by_label("基本满意").check()
        form.get_by_label("意见或建议").fill("修好了，就是慢了点")
        shot(page, "citizen-visit")
        form.get_by_role("button", name="提交评价").click()
        expect(page.get_by_test_id("thanks")).to_contain_text("基本满意")
        page.goto(live_server + link)
        expect(page.get_by_test_id("message")).to_contain_text("您已评价过")
        page.goto(live_server + re.sub(r"sig=\w+", "sig=forged", link))
        expect(page.get_by_test_id("message")).to_contain_text("链接无效")
    finally:
        phone.close()
    with ctx.engine.connect() as conn:
        status = conn.execute(
            select(tickets.c.status, tickets.c.satisfaction).where(tickets.c.number == number)
        ).one()
    assert tuple(status) == ("visited", "basically_satisfied")
