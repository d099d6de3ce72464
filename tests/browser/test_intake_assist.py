"""新建工单 with intake assistance in a real browser (intake.js): a knowledge-base answer, an
emergency, a repeat merged, a frequent caller — each decided by the operator in one click.

Screenshots are written only when ``JIESU_SCREENSHOTS`` names a folder.
"""

from __future__ import annotations

import re

import pytest

from tests.api.helpers import create
from tests.knowledge.helpers import publish

from .test_console_flow import log_in, shot

pytestmark = pytest.mark.browser
TICKET_URL = re.compile(r"/tickets/CS\d{14}$")


def _expect():
    from playwright.sync_api import expect

    return expect


def _new_ticket(browser_context, base: str):
    page = browser_context.new_page()
    log_in(page, base, "operator")
    page.get_by_role("link", name="新建工单").first.click()
    _expect()(page.get_by_role("heading", name="新建工单")).to_be_visible()
    return page, page.locator("form#new-ticket")


def _place(page, form, community: str = "990101001001") -> None:
    expect = _expect()
    form.locator("select[name=loc_district]").select_option("990101")
    expect(form.locator("select[name=loc_street] option[value='990101001']")).to_be_attached()
    form.locator("select[name=loc_street]").select_option("990101001")
    expect(form.locator(f"select[name=loc_community] option[value='{community}']")).to_be_attached()
    form.locator("select[name=loc_community]").select_option(community)


def test_a_consultation_is_answered_from_the_knowledge_base(
    browser_context, live_server, client, auth
):
    expect = _expect()
    article = publish(client, auth)
    page, form = _new_ticket(browser_context, live_server)
    expect(page.locator("[data-assist-idle]")).to_be_visible()
    form.locator("textarea[name=content]").press_sequentially(
        "请问物业公司能随便上调物业费吗？", delay=20
    )
    hits = page.get_by_test_id("kb-answers").locator("li[data-article]")
    expect(hits).to_have_count(1)
    expect(hits.first).to_contain_text(article["current"]["question"])
    # The proposal is pre-selected, marked, and its hidden echo filled.
    expect(form.locator("select[name=request_type]")).to_have_value("consult")
    expect(form.locator("select[name=category]")).to_have_value("城乡建设/物业管理")
    expect(form.locator('[data-suggest="category"]')).to_contain_text("智能建议")
    expect(form.locator("input[name=proposal_model_version]")).to_have_value(re.compile(r"^rules-"))
    expect(form.locator("input[name=tags][value=livability]")).to_be_checked()
    expect(page.get_by_test_id("risk-banner")).to_be_hidden()
    shot(page, "intake-kb")
    hits.first.get_by_role("button", name="直接答复").click()
    expect(page).to_have_url(TICKET_URL)
    expect(page.get_by_test_id("status")).to_have_text("已直接答复")
    expect(page.get_by_test_id("answer-source")).to_have_text(f"KB-{article['id']} v1")
    expect(page.locator(".flash")).to_contain_text(f"已按知识库 KB-{article['id']} 直接答复")
    expect(page.get_by_test_id("tags")).to_have_text("宜居性")
    shot(page, "intake-kb-answered")


def test_an_emergency_is_referred_only_when_the_operator_confirms(browser_context, live_server):
    expect = _expect()
    page, form = _new_ticket(browser_context, live_server)
    content = form.locator("textarea[name=content]")
    content.press_sequentially("楼里着火了，冒烟很大", delay=20)
    banner = page.get_by_test_id("risk-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("检测到紧急或风险情形")
    expect(banner).to_contain_text("着火")
    expect(banner).to_contain_text("119 火警")
    # Dismissed, it stays away while the same words remain; a new one brings it back.
    banner.get_by_role("button", name="不是紧急情况").click()
    expect(banner).to_be_hidden()
    content.press_sequentially("，请尽快", delay=20)
    page.wait_for_timeout(700)
    expect(banner).to_be_hidden()
    content.press_sequentially("，还有人被困在楼上", delay=20)
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("被困")
    form.locator("select[name=category]").select_option("城乡建设")
    form.get_by_label("联系电话").fill("13600136000")
    shot(page, "intake-emergency")
    banner.get_by_role("button", name="确认转119").click()
    expect(page).to_have_url(TICKET_URL)
    expect(page.get_by_test_id("status")).to_have_text("已转办告知")
    expect(page.locator(".flash")).to_contain_text("已按紧急情形转119")
    expect(page.locator(".timeline .event-action")).to_have_text(["登记受理", "分类处置"])
    expect(page.get_by_test_id("timeline")).to_contain_text("119 火警")
    expect(page.get_by_test_id("timeline")).to_contain_text("被困")
    shot(page, "intake-emergency-referred")


def test_a_repeat_at_the_same_community_is_merged(browser_context, live_server, client, auth):
    expect = _expect()
    first = create(client, auth)["number"]  # 东华社区3号楼 lift, received
    page, form = _new_ticket(browser_context, live_server)
    _place(page, form)
    form.get_by_label("详细地址").fill("东华社区3号楼")
    form.locator("textarea[name=content]").press_sequentially(
        "东华社区3号楼的电梯又坏了，物业还是不修", delay=20
    )
    dups = page.get_by_test_id("duplicates").locator("li[data-number]")
    expect(dups).to_have_count(1)
    expect(dups.first).to_contain_text(first)
    expect(dups.first).to_contain_text("诉求内容相似")
    expect(dups.first).to_contain_text("同一社区")
    shot(page, "intake-duplicate")
    dups.first.get_by_role("button", name="并入此工单").click()
    expect(page).to_have_url(TICKET_URL)
    expect(page.get_by_test_id("status")).to_have_text("已并单")
    link = page.get_by_test_id("merged-into").get_by_role("link", name=first)
    expect(link).to_be_visible()
    number = page.get_by_test_id("number").inner_text()
    link.click()
    expect(page.get_by_test_id("merged")).to_contain_text(number)
    shot(page, "intake-merged-original")


def test_a_frequent_caller_is_flagged_and_the_matter_still_taken(
    browser_context, live_server, client, auth
):
    expect = _expect()
    for title in ("楼道灯不亮", "楼下噪声", "垃圾没人收"):
        create(client, auth, title=title, requester_phone="13900139000")
    page, form = _new_ticket(browser_context, live_server)
    form.get_by_label("联系电话").press_sequentially("13900139000", delay=10)
    caller = page.get_by_test_id("caller")
    expect(caller.locator(".flag-frequent")).to_have_text("频繁来电")
    expect(caller).to_contain_text("近1天 3 次（阈值 3）")
    expect(caller).to_contain_text("垃圾没人收")
    caller.locator("textarea").fill("已告知其诉求正在办理，请勿重复拨打。")
    caller.get_by_role("button", name="记录劝导").click()
    expect(caller.locator(".notes")).to_contain_text("已告知其诉求正在办理")
    expect(caller).to_contain_text("已记录")
    form.locator("textarea[name=content]").fill("小区门口的共享单车堆放太多，影响通行。")
    form.locator("select[name=category]").select_option("城市管理")
    expect(form.locator("select[name=request_type]")).to_have_value("complaint")  # proposed
    shot(page, "intake-frequent-caller")
    form.get_by_role("button", name="登记工单").click()
    expect(page).to_have_url(TICKET_URL)
    expect(page.get_by_test_id("status")).to_have_text("已登记")


def test_without_javascript_the_form_is_plain(browser, live_server):
    expect = _expect()
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, live_server, "operator")
        page.goto(f"{live_server}/tickets/new")
        expect(page.locator("[data-assist]")).to_be_hidden()
        form = page.locator("form#new-ticket")
        form.locator("select[name=request_type]").select_option("consult")
        form.locator("select[name=category]").select_option("城乡建设/供暖")
        form.locator("textarea[name=content]").fill("请问今年的供暖费怎么交？")
        form.locator("input[name=tags][value=convenience]").check()
        form.get_by_role("button", name="登记工单").click()
        expect(page).to_have_url(TICKET_URL)
        expect(page.get_by_test_id("tags")).to_have_text("便利性")
    finally:
        context.close()


def test_the_lead_unit_is_proposed_while_the_call_is_taken(browser_context, live_server):
    """D7: at intake the dispatch suggestion is shown, with its reasons."""
    expect = _expect()
    page, form = _new_ticket(browser_context, live_server)
    _place(page, form)
    form.locator("textarea[name=content]").press_sequentially(
        "小区电梯坏了两周，物业不修", delay=10
    )
    form.locator("select[name=category]").select_option("城乡建设/物业管理")
    leads = page.get_by_test_id("leads").locator("li")
    expect(leads.first).to_contain_text("东华街道")
    expect(leads.first).to_contain_text("派单目录")
    expect(leads.first).to_contain_text("协办：东华社区")
    shot(page, "intake-lead-proposal")
