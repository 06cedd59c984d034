"""Tables on a 390 px phone (#16 item 8): the public results become one card per entrant with
rank, name, total and award in view, the chief judge's 评审 button stays on screen, and the
entries list keeps each name on one line — none of the three pages scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from contest.services.skills import publishing
from tests.conftest import PASSWORD
from tests.contest.results_fixtures import ready_contest_fixture  # noqa: F401

pytestmark = pytest.mark.browser

NO_OVERFLOW = "document.scrollingElement.scrollWidth <= window.innerWidth"


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")


def _in_view(page: Any, locator: Any) -> bool:
    """Visible and wholly inside the viewport's width (not clipped by a scrolling box)."""
    box = locator.bounding_box()
    width = page.evaluate("window.innerWidth")
    return bool(locator.is_visible() and box and box["x"] >= 0 and box["x"] + box["width"] <= width)


def test_results_chief_home_and_entries_fit_a_phone(
    db: Any, ready_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    ns = ready_contest(entries=8)
    ns.contest.name = "2026年江州市职工职业技能大赛"
    db.session.commit()
    chief, organizer = ns.chief.username, ns.organizer.username
    contest_id, event_id = ns.contest.id, ns.event.id

    # The chief judge's home, before results are out: 评审 on screen for the event.
    page = new_page("phone")
    _sign_in(page, live_server.url, chief)
    review = page.get_by_role("link", name="评审", exact=True).first
    assert _in_view(page, review)
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "phone-chief-home")

    # The entries list: each name on one line (its text laid out in one line box).
    page = new_page("phone")
    _sign_in(page, live_server.url, organizer)
    page.goto(f"{live_server.url}/contests/{contest_id}/events/{event_id}/entries")
    names = page.locator("#entries-table td.person-name")
    assert names.count() == 8
    for index in range(names.count()):
        lines = names.nth(index).evaluate(
            "td => { const range = document.createRange(); range.selectNodeContents(td);"
            " return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }"
        )
        assert lines == 1, (index, lines)
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "phone-entries")

    publishing.publish(ns.organizer, ns.contest)
    db.session.commit()

    # The public results: a card per entrant with rank, name, total and award in view.
    page = new_page("phone")
    page.goto(f"{live_server.url}/results/{contest_id}")
    cards = page.locator(".results-table tbody tr")
    assert cards.count() == 8
    assert page.evaluate(NO_OVERFLOW)
    for index in range(cards.count()):
        card = cards.nth(index)
        for cell in ("td.rank", "td.name", "td.total"):
            assert _in_view(page, card.locator(cell)), (index, cell)
    first = cards.first
    assert first.locator("td.rank").inner_text().strip() == "1"
    assert _in_view(page, first.locator(".award"))
    assert first.locator(".award").inner_text() == "一等奖"
    winner = first.locator("td.name").inner_text().removesuffix("（女）")
    link = first.get_by_role("link", name=f"{winner}的获奖证书", exact=True)
    assert _in_view(page, link)
    assert link.inner_text() == "证书"
    assert page.request.get(link.evaluate("a => a.href")).body().startswith(b"%PDF")
    screenshot(page, "phone-results")
    for size, width in (("tablet", 820), ("laptop", 1366)):
        page = new_page(size)
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/results/{contest_id}")
        expect(page.locator(".results-table thead")).to_be_visible()
        screenshot(page, f"results-table-{width}")
