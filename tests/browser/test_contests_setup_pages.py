"""An organizer builds a rubric in the browser: applies the WorldSkills-style template, adds a
judgement aspect (the descriptor field appears only for judgement), and sees the totals; the
contest dashboard shows the status buttons with their blocking problems.  Screenshots saved."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.support import confirm
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_rubric_builder_and_dashboard(
    db: Any, make_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    c = make_contest(status="draft", entries=0, judges=0)
    username, contest_id = c.organizer.username, c.contest.id
    event_id, practical_id = c.event.id, c.components["practical"].id
    # End the test's read transaction: on SQLite it would keep the server from writing.
    db.session.rollback()
    page = new_page("laptop")
    page.goto(live_server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")

    rubric_url = f"{live_server.url}/contests/{contest_id}/events/{event_id}/rubric"
    page.goto(rubric_url)
    section = page.locator(f"#component-{practical_id}")
    section.locator("select").select_option("builtin:worldskills")
    section.get_by_role("button", name="套用（替换本模块细则）").click()
    confirm(page, "套用（替换本模块细则）", "替换")
    page.wait_for_load_state()
    assert "已将模板应用到「实操」模块" in page.content()
    assert (
        page.locator(f"#component-{practical_id} .rubric-total").inner_text().startswith("合计 100")
    )

    # Add a judgement aspect to the theory component: descriptors show only for judgement.
    page.locator(".rubric-criterion").first.get_by_role("link", name="+ 添加评分要素").click()
    page.wait_for_url("**/aspects/new**")
    # expect() waits for rubric.js to have run; a bare is_hidden() raced the page load.
    expect(page.locator("#descriptors")).to_be_hidden()
    page.select_option("#kind", "judgement")
    expect(page.locator("#descriptors")).to_be_visible()
    expect(page.locator("#step")).to_be_hidden()
    page.fill("#name", "答题规范")
    page.fill("#max_points", "10")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "已添加评分要素 T2" in page.content()
    assert "「理论」模块各评分要素分值合计 110 分" in page.content()
    screenshot(page, "contests-rubric-builder")

    page.goto(f"{live_server.url}/contests/{contest_id}")
    assert "「理论」模块各评分要素分值合计 110 分" in page.content()
    assert page.get_by_role("button", name="进入「报名中」").is_disabled()
    screenshot(page, "contests-dashboard")
