"""工作日历 on a phone and a tablet (issue 13 item 8): the admin reads a year's holidays and 补班
days without scrolling sideways, taps a day to override it with a note, and on a tablet enters
a year the package lacks from the State Council's notice, replacing it after the dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from contest.services.nominations.calendar import add_workdays, is_workday
from tests.browser.support import confirm
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

NO_OVERFLOW = "document.scrollingElement.scrollWidth <= window.innerWidth"


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")


def test_an_admin_overrides_a_day_on_a_phone(
    db: Any,
    make_user: Callable[..., Any],
    live_server: Any,
    new_page: Callable[..., Any],
    screenshot: Callable[[Any, str], Any],
) -> None:
    from datetime import date

    admin = make_user("admin")
    page = new_page("phone")
    _sign_in(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/admin/calendar?year=2026")
    special = page.locator("#special-days")
    expect(special).to_contain_text("2026-10-10 周六")
    expect(special).to_contain_text("国庆节")
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "calendar-phone-2026")

    # Tap 10 月 12 日 in the month grid: the form below is filled with that day.
    page.locator('a[title^="2026-10-12 "]').click()
    expect(page.locator("#day")).to_have_value("2026-10-12")
    expect(page.locator("#works")).to_have_value("0")
    page.fill("#note", "本市调休")
    page.locator("#day-form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("已将 2026-10-12 设为放假")
    row = page.locator("#special-days tr", has_text="2026-10-12")
    expect(row).to_contain_text("本市调休")
    expect(row).to_contain_text("软件包为：上班")
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "calendar-phone-override")
    db.session.rollback()  # see what the server committed
    assert not is_workday(date(2026, 10, 12))


def test_an_admin_enters_a_missing_year_on_a_tablet(
    db: Any,
    make_user: Callable[..., Any],
    live_server: Any,
    new_page: Callable[..., Any],
    screenshot: Callable[[Any, str], Any],
) -> None:
    from datetime import date

    admin = make_user("admin")
    page = new_page("tablet")
    _sign_in(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/admin/calendar?year=2031")
    expect(page.locator(".flash-warning")).to_contain_text("不会按周一至周五推算")
    page.fill(
        "#holidays", "一、元旦：1月1日（周三）放假1天。\n二、春节：1月22日至28日放假调休，共7天。"
    )
    page.fill("#makeup", "1月19日（周日）、2月8日（周六）上班。")
    page.fill("#notice-form #note", "国办发明电〔2030〕9号")
    page.locator("#notice-form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("已录入 2031 年")
    expect(page.locator("#special-days")).to_contain_text("2031-01-19 周日")
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "calendar-tablet-2031")
    db.session.rollback()  # see what the server committed
    assert add_workdays(date(2031, 1, 20), 5) == date(2031, 1, 31)

    # Entering again replaces the year, after the dialog says so.
    page.fill("#holidays", "元旦：1月1日\n春节：1月22日至29日")
    page.fill("#notice-form #note", "国办发明电〔2030〕9号（更正）")
    page.locator("#notice-form button[type=submit]").click()
    confirm(page, "替换并录入", "将全部由这次录入替换")
    expect(page.locator(".flash-success")).to_contain_text("放假 9 天，补班 0 天")
    db.session.rollback()  # see what the server committed
    assert add_workdays(date(2031, 1, 20), 5) == date(2031, 2, 3)
