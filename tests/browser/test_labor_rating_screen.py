"""A union rating's public page and big screen in a browser (issue 12 review item 8): each
union's grade where a race shows its rank, and no red flags — the screen's script builds its
rows without the flag column. Screenshots in tests/artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.contest.labor_rounds_support import build_round_world
from tests.contest.test_labor_rounds import publish

pytestmark = pytest.mark.browser


@pytest.fixture
def world(db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> SimpleNamespace:
    ns = build_round_world(db, make_org, make_user, rating=True)
    publish(db, ns, ns.round, P2={"M1": "0"}, P3={"Q1": "0"})
    return ns


def test_the_rating_page_and_screen_show_grades_and_no_flags(
    world: SimpleNamespace, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    cid = world.competition.id
    page = new_page("phone")
    page.goto(f"{live_server.url}/labor/public/{cid}")
    expect(page.get_by_role("heading", name="评定结果")).to_be_visible()
    expect(page.locator(".labor-standings td.grade-col").first).to_have_text("五星")
    expect(page.locator(".labor-standings")).to_contain_text(["未评定：必备项未达标"])
    expect(page.locator(".flag-holders")).to_have_count(0)
    overflow = page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow} px"
    screenshot(page, "labor-rating-public-phone")

    screen = new_page("laptop")
    screen.goto(f"{live_server.url}/labor/public/{cid}/screen?interval=120")
    rows = screen.locator("[data-rows] tr")
    expect(rows).to_have_count(3)  # 土建: P1, P2, P3
    expect(rows.first.locator("td")).to_have_count(4)  # grade, name, latest, total
    expect(rows.first.locator("td.grade")).to_have_text("五星")
    expect(screen.locator("[data-rows]")).to_contain_text("未达等级线")
    expect(screen.locator(".screen-flags")).to_have_count(0)
    expect(screen.locator("thead th")).to_have_text(["等级", "参赛单位", "本轮得分", "累计得分"])
    screenshot(screen, "labor-rating-screen")
