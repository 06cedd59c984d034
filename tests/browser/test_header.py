"""The header copes with every role's menu at every width: drop-downs for grouped areas, the
signed-in user's name, no sideways scrolling (issue #10 item 5, #16 item 9)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_orgs_journey import _login

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1366, "laptop-small": 1024, "tablet": 820, "phone": 390}
PAGES = {
    "admin": ["/home", "/admin/users", "/wall/"],
    "organizer": ["/home", "/contests/", "/orgs/"],
    "judge": ["/home", "/judging/"],
}


@pytest.mark.parametrize("role", sorted(PAGES))
def test_no_page_scrolls_sideways_at_any_width(
    role: str, make_user: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    user = make_user(role, username=f"{role}-header")
    for label, width in WIDTHS.items():
        page = new_page("phone" if width < 600 else "laptop")
        page.set_viewport_size({"width": width, "height": 900})
        _login(page, live_server.url, user.username)
        for path in PAGES[role]:
            page.goto(live_server.url + path)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{role} {path} at {width} px is {scroll} px wide"
        screenshot(page, f"header-{role}-{label}")


def test_a_group_opens_as_a_drop_down_and_the_account_menu_names_the_user(
    make_user: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    admin = make_user("admin", username="root")
    page = new_page("laptop")
    _login(page, live_server.url, admin.username)
    nav = page.locator("#site-nav")
    audit = nav.get_by_role("link", name="审计日志")
    expect(audit).to_be_hidden()
    nav.locator("summary", has_text="系统管理").click()
    expect(audit).to_be_visible()
    screenshot(page, "header-admin-group-open")
    # Opening the account menu closes the group; it names the user and their role.
    nav.locator("summary", has_text=admin.name).click()
    expect(audit).to_be_hidden()
    expect(nav.get_by_text("系统管理员")).to_be_visible()
    expect(nav.get_by_role("link", name="修改密码")).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="修改密码")).to_be_hidden()
    nav.locator("summary", has_text="系统管理").click()
    audit.click()
    page.wait_for_url("**/admin/audit")

    phone = new_page("phone")
    _login(phone, live_server.url, admin.username)
    phone.click("[data-nav-toggle]")
    phone_nav = phone.locator("#site-nav")
    phone_nav.locator("summary", has_text="技能大赛").click()
    expect(phone_nav.get_by_role("link", name="评审复核")).to_be_visible()
    screenshot(phone, "header-admin-phone-menu")
