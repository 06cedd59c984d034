"""The public side of a labor competition in a browser (issue 12 item 6): the competition page
with the red-flag holders, the latest round, the standings with "why" and the trend chart; a
participant's breakdown chart; and the big screen paging through the tracks and picking up a
newly published round by itself. At 390, 820 and 1920 px, with screenshots in
tests/artifacts/screenshots/ and /work/notes/shots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from contest.models import RoundStatus
from contest.services.labor import standings as service
from contest.validation import id_check_digit
from tests.contest.labor_standings_support import NAMES, build_competition, write_results

pytestmark = pytest.mark.browser

SHOTS = Path("/work/notes/shots")
WIDTHS = {"phone": (390, 844), "tablet": (820, 1180), "1080p": (1920, 1080)}


def _id_number(first17: str) -> str:
    return first17 + id_check_digit(first17)


@pytest.fixture
def world(db: Any, make_org: Any, make_person: Any) -> Any:
    ids = (_id_number("32010219800101123"), _id_number("32010219850505246"))
    return build_competition(db, make_org, make_person, ids)


@pytest.fixture
def open_at(playwright_browser: Any) -> Any:
    contexts: list[Any] = []

    def _open(width_name: str) -> Any:
        width, height = WIDTHS[width_name]
        context = playwright_browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN"
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield _open
    for context in contexts:
        context.close()


def _shoot(page: Any, screenshot: Any, name: str, *, full_page: bool = True) -> None:
    screenshot(page, name)
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def _no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow} px"


@pytest.mark.parametrize("width", ["phone", "tablet", "1080p"])
def test_the_public_competition_page(
    world: Any, live_server: Any, open_at: Any, screenshot: Any, width: str
) -> None:
    page = open_at(width)
    cid = world.competition.id
    page.goto(f"{live_server.url}/labor/public/{cid}")
    expect(page.get_by_role("heading", name="江州地铁二号线劳动竞赛", level=1)).to_be_visible()
    holders = page.locator(".flag-holders .holder-names")
    expect(holders).to_have_text([NAMES["A"][0], NAMES["F"][0]])
    expect(page.locator(".flag-holders img.red-flag")).to_be_visible()
    expect(page.get_by_role("heading", name="最新一轮：3月")).to_be_visible()
    expect(page.locator(".labor-round .tag-veto").first).to_have_text("一票否决")
    expect(page.locator("td.why").first).to_contain_text("最近一轮得分更高（95.0 对 90.0）")
    expect(page.locator("#trend-0.chart-drawn")).to_be_attached()
    _no_sideways_scroll(page)
    _shoot(page, screenshot, f"labor-public-{width}")

    page.get_by_role("link", name=NAMES["A"][0]).first.click()
    expect(page.get_by_role("heading", name=NAMES["A"][0], level=1)).to_be_visible()
    expect(page.locator("#breakdown.chart-drawn")).to_be_attached()
    expect(page.locator("#trend.chart-drawn")).to_be_attached()
    _no_sideways_scroll(page)
    _shoot(page, screenshot, f"labor-participant-{width}")


@pytest.mark.parametrize("width", ["phone", "tablet", "1080p"])
def test_the_big_screen_pages_through_tracks(
    world: Any, live_server: Any, open_at: Any, screenshot: Any, width: str
) -> None:
    page = open_at(width)
    page.goto(f"{live_server.url}/labor/public/{world.competition.id}/screen?interval=120")
    board = page.locator("[data-rows] tr")
    expect(page.locator("[data-track]")).to_have_text("土建")
    expect(board).to_have_count(4)
    expect(board.first).to_contain_text(NAMES["A"][0])
    expect(board.last.locator("td.name .tag-veto")).to_have_text("一票否决")
    expect(page.locator("[data-round]")).to_have_text("3月 · 2026-03-01 – 2026-03-28")
    _no_sideways_scroll(page)
    _shoot(page, screenshot, f"labor-screen-{width}", full_page=False)
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 15, 23)"  # dark, for a site office's big screen

    page.keyboard.press("ArrowRight")
    expect(page.locator("#screen")).to_have_attribute("data-slide", "2")
    expect(page.locator("[data-track]")).to_have_text("机电")
    expect(board).to_have_count(2)
    expect(board.nth(1).locator("img.red-flag")).to_be_attached()  # F (2nd) holds the flag


def test_the_big_screen_pages_long_tracks_and_refreshes_itself(
    app: Any, db: Any, world: Any, live_server: Any, open_at: Any, screenshot: Any
) -> None:
    app.config["KIOSK_REFRESH_SECONDS"] = 2
    page = open_at("phone")
    page.goto(f"{live_server.url}/labor/public/{world.competition.id}/screen?interval=120&rows=3")
    expect(page.locator("[data-counter]")).to_contain_text("土建 · 第 1 / 2 页")
    expect(page.locator("[data-rows] tr")).to_have_count(3)
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-counter]")).to_contain_text("土建 · 第 2 / 2 页")
    expect(page.locator("[data-rows] tr")).to_have_count(1)

    may = world.rounds["5月"]
    write_results(
        db,
        may,
        world.people,
        {"A": ("60", None), "B": ("100", None), "E": ("90", None), "F": ("80", None)},
        {"B": 1, "A": 2, "E": 1, "F": 2},
    )
    may.status = RoundStatus.PUBLISHED
    service.changed()
    db.session.commit()
    expect(page.locator("[data-round]")).to_contain_text("5月", timeout=20_000)
    expect(page.locator("[data-rows] tr").first).to_contain_text(NAMES["B"][0])
