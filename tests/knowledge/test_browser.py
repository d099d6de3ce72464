"""The 知识库 page in a real browser: results appear while the operator types (kb.js)."""

from __future__ import annotations

import pytest

from tests.browser.test_console_flow import log_in

from .helpers import create, publish

pytestmark = pytest.mark.browser


def test_results_appear_while_typing_and_lead_to_the_article(
    browser_context, live_server, client, auth
):
    from playwright.sync_api import expect

    a = publish(client, auth)
    create(client, auth, question="物业费涨价的草稿问题")  # a draft: never offered
    page = browser_context.new_page()
    log_in(page, live_server, "operator")
    page.get_by_role("link", name="知识库").click()
    box = page.locator("[data-kb-search]")
    box.press_sequentially("物业费涨价", delay=40)  # no Enter: kb.js searches as it goes
    hits = page.get_by_test_id("kb-hits").locator("li")
    expect(hits).to_have_count(1)
    expect(hits.first).to_contain_text(a["current"]["question"])
    expect(page.locator("[data-kb-status]")).to_contain_text("毫秒")
    box.fill("")
    box.press_sequentially("xyzzy", delay=20)
    expect(hits).to_have_count(0)
    box.fill("")
    box.press_sequentially("物业", delay=20)
    expect(hits).to_have_count(1)
    box.press("ArrowDown")  # from the box to the first result, Enter opens it
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("question")).to_have_text(a["current"]["question"])
