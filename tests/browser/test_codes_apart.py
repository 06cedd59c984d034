"""参赛号 and 赛位号 kept apart in the browser (#16 item 1): once seats are drawn a judge's tasks,
the score sheet and the chief judge's review list seats only, as 工位 A-01, under a label that
says so; a judge who types a 参赛号 is told it is the wrong kind. Screenshots at 390/820/1366."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

ENTRY_CODE = re.compile(r"\bA\d{3}\b")


def _login(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")


def test_judges_and_reviewers_see_seats_only_and_labelled(
    db: Any, make_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    c = make_contest(entries=6)
    c.event.entry_drawn_at = c.event.seat_drawn_at = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
    contest_id, event_id = c.contest.id, c.event.id
    judge, chief = c.judges[1].username, c.judges[0].username
    db.session.commit()

    page = new_page("tablet")
    _login(page, live_server.url, judge)
    page.goto(live_server.url + "/judging/")
    tiles = page.locator(".code-tile .code")
    expect(tiles).to_have_count(6)
    expect(tiles.first).to_have_text("工位 A-01")
    expect(page.locator(".judge-event h2")).to_contain_text("按赛位号")
    assert not ENTRY_CODE.search(page.locator("main").inner_text())
    for width, height in ((390, 844), (820, 1180), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        screenshot(page, f"codes-judge-tasks-{width}")

    tiles.first.click()
    expect(page.locator("h1")).to_contain_text("赛位号")
    expect(page.locator("h1 .code")).to_have_text("工位 A-01")

    # The 参赛号 typed where seats are judged: refused, saying which kind it is.
    page.goto(f"{live_server.url}/judging/{contest_id}/A001")
    expect(page.locator("main")).to_contain_text("A001 是参赛号")

    page = new_page("laptop")
    _login(page, live_server.url, chief)
    page.goto(f"{live_server.url}/review/events/{event_id}/panel")
    expect(page.locator("thead th").first).to_have_text("赛位号")
    expect(page.locator("th.entry-cell a").first).to_have_text("工位 A-01")
    assert not ENTRY_CODE.search(page.locator("main").inner_text())
    screenshot(page, "codes-review-panel-1366")
