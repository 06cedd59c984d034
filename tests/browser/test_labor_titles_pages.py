"""An organizer confers the titles of a finished labor competition in the browser: adds a rule
through the form (a refused one first), generates the proposal with its reasons, adds an
优秀建设者 from the eligible members, confers with a 文号 through the confirmation dialog and
follows a link to the honor on the wall; a rating's page shows its grades; a lapsed grade's
wall link says 已过期. The pages are shot at phone (390), tablet (820) and desktop (1280)."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from contest.models import ParticipantKind
from contest.services.honors import validity
from tests.browser.support import confirm
from tests.conftest import PASSWORD
from tests.contest.test_labor_titles import RANK, World, rating

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 390, "tablet": 820, "desktop": 1280}
NOTES = Path("/work/notes/shots")


@pytest.fixture
def world(db: Any, make_org: Any, make_user: Any, make_person: Any) -> Any:
    """The competitions of the titles tests (tests/contest/test_labor_titles.py)."""

    def _make(**options: Any) -> World:
        return World(db, make_org, make_user, make_person, **options)

    return _make


def _shoot(page: Any, screenshot: Any, name: str) -> None:
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        path = screenshot(page, f"labor-titles-{name}-{label}")
        if NOTES.is_dir():
            shutil.copy(path, NOTES / path.name)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not overflow, f"{name} scrolls sideways at {width}px"
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})


def _login(page: Any, url: str, username: str) -> None:
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")


def test_organizer_confers_titles_and_finds_them_on_the_wall(
    world: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    w: World = world(tracks=("土建组", "机电组"))
    first = w.unit("江州建工一公司", [96, 98])
    w.unit("江州建工二公司", [95, 94])
    w.unit("江州路桥公司", [99, 99], registered=False)
    w.unit("江州安装公司", [90, 97], track=1)
    w.unit("江州电力公司", [88, 89], track=1)
    w.unit("钢筋班", [93, 95], kind=ParticipantKind.TEAM, parent=first, org=first.organization)
    w.member(first, "张建国", date(2024, 5, 6))
    w.member(first, "李卫东", date(2026, 4, 1))
    w.rules(
        {**RANK, "top": 1},
        {
            "title": "优秀建设者",
            "recipient": "person",
            "by": "rank",
            "top": 1,
            "tenure_years": 1,
        },
    )
    competition_id, username = w.competition.id, w.organizer.username
    w.db.session.rollback()  # end the test's read transaction before the server writes

    page = new_page("laptop")
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    _login(page, live_server.url, username)
    page.goto(f"{live_server.url}/labor/{competition_id}")
    page.get_by_role("link", name="称号").click()
    expect(page.get_by_role("heading", name="称号规则")).to_be_visible()

    # A rule refused on its field, then saved.
    page.get_by_role("link", name="添加称号规则").first.click()
    page.fill("#title", "先进班组")
    page.select_option("#recipient", "team")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".field.has-error")).to_contain_text(
        "名次（前几名）应为 1 到 1000 之间的整数"
    )
    page.fill("#top", "1")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash-success")).to_contain_text("已添加称号规则“先进班组”")
    page.get_by_role("link", name="添加称号规则").first.click()
    _shoot(page, screenshot, "rule-form")
    page.go_back()

    page.get_by_role("button", name="生成建议名单").click()
    expect(page.locator(".flash-success")).to_contain_text("已生成建议名单")
    proposal = page.locator("#proposal")
    expect(proposal).to_contain_text("江州建工一公司")
    expect(proposal).to_contain_text("土建组排名第 2，在符合条件者中列第 1 名（累计 194 分）")
    expect(page.locator("#near-misses")).to_contain_text("但未在参赛名录备案")
    expect(page.locator("#near-misses")).to_contain_text("2026-04-01 进场，至 2026-12-31 不满 1 年")
    page.locator("#people").get_by_role("button", name="列入名单").click()
    expect(page.locator(".flash-success")).to_contain_text("已将张建国列入“优秀建设者”建议名单")
    _shoot(page, screenshot, "proposal")

    page.fill("#document_number", "江工发〔2026〕12号")
    page.locator("#confer").get_by_role("button", name="授予称号").click()
    confirm(page, "授予称号", "将创建 4 项荣誉（集体 3 项、个人 1 项）")
    expect(page.locator(".flash-success")).to_contain_text("已授予 4 项称号")
    expect(page.locator("#conferral")).to_contain_text("江工发〔2026〕12号")
    _shoot(page, screenshot, "conferred")

    page.locator("#award-1").get_by_role("link", name="在劳模墙查看").click()
    expect(page.locator("h1")).to_contain_text("江州建工一公司")
    expect(page.locator(".timeline")).to_contain_text("先进集体")


def test_a_ratings_page_and_a_lapsed_grade(
    world: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    old = rating(world, validity.today().year - 2)
    old.unit("江州机床厂工会", [93], grade="五星")
    lapsed = old.confer(on=validity.today() - timedelta(days=800)).honors[0]
    w = rating(world, validity.today().year, host=old.host)
    w.unit("江州机床厂工会", [84], grade="四星", org=lapsed.organization)
    w.unit("江州纺织厂工会", [95], missing_mandatory="m1")
    competition_id, username, honor_id = w.competition.id, w.organizer.username, lapsed.id
    w.db.session.rollback()

    page = new_page("laptop")
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    _login(page, live_server.url, username)
    page.goto(f"{live_server.url}/labor/{competition_id}/titles")
    expect(page.get_by_role("heading", name="评定等级与称号")).to_be_visible()
    page.get_by_role("button", name="生成建议名单").click()
    expect(page.locator("#proposal")).to_contain_text("四星级职工之家")
    expect(page.locator("#near-misses")).to_contain_text("必备项未达标")
    _shoot(page, screenshot, "rating")

    page.goto(f"{live_server.url}/wall/{honor_id}")
    expect(page.locator("h1")).to_have_text("已过期")
    _shoot(page, screenshot, "lapsed")
