"""Each role logs in through the real login form and lands on its own home page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from contest.models import OrgKind
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

HOME_HEADINGS = {
    "admin": "账号",
    "organizer": "下级组织",
    "judge": "我的评分任务",
    "recommender": "推荐申报",
    "reviewer": "评审任务",
}


@pytest.fixture
def accounts(make_org: Any, make_user: Any, make_person: Any) -> dict[str, Any]:
    city = make_org(name="江州市总工会", kind=OrgKind.CITY)
    district = make_org(name="江州市东湖区总工会", kind=OrgKind.DISTRICT, parent=city)
    plant = make_org(
        name="江州重型机械有限公司工会", kind=OrgKind.GRASSROOTS, parent=district, industry="制造业"
    )
    make_person(name="欧阳明辉", organization=plant, occupation="数控铣工")
    return {
        "admin": make_user("admin", username="admin"),
        "organizer": make_user("organizer", username="organizer", organization=city),
        "judge": make_user("judge", username="judge", organization=plant),
        "recommender": make_user("recommender", username="recommender", organization=plant),
        "reviewer": make_user("reviewer", username="reviewer", organization=district),
    }


@pytest.mark.parametrize("viewport", ["phone", "tablet"])
def test_each_role_logs_in_and_sees_its_home(
    viewport: str,
    accounts: dict[str, Any],
    live_server: Any,
    new_page: Any,
    screenshot: Any,
) -> None:
    # One browser session per role (its own cookies), on one server and one set of accounts:
    # the pages are the same for every role, so one test walks them all.
    for role, heading in HOME_HEADINGS.items():
        page = new_page(viewport)
        page.goto(live_server.url + "/login")
        assert page.locator("html").get_attribute("lang") == "zh-CN", role
        page.fill("#username", accounts[role].username)
        page.fill("#password", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/home")
        assert page.get_by_role("heading", name=heading).first.is_visible(), role
        screenshot(page, f"home-{role}-{viewport}")


def test_wrong_password_shows_chinese_error(
    accounts: dict[str, Any], live_server: Any, new_page: Any, screenshot: Any
) -> None:
    page = new_page("phone")
    page.goto(live_server.url + "/login")
    page.fill("#username", "organizer")
    page.fill("#password", "not-the-password")
    page.click("main form button[type=submit]")
    expect(page.get_by_text("用户名或密码不正确")).to_be_visible()
    screenshot(page, "login-error-phone")


def test_phone_menu_opens_with_the_toggle(
    accounts: dict[str, Any], live_server: Any, new_page: Any
) -> None:
    page = new_page("phone")
    page.goto(live_server.url + "/")
    nav = page.locator("#site-nav")
    expect(nav).to_be_hidden()
    page.click("[data-nav-toggle]")
    expect(nav).to_be_visible()
