"""A judge scores on a 390 px phone (issue #16 item 5): the subtotals, the total and "已填 n / m"
follow what is typed; a refused save counts the errors at the top and lands on the first one;
each message goes once its aspect is filled; an incomplete submit is refused in the page with
the count and keys of what is missing; after the submit, "下一个未评分" opens the next sheet."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from contest.database import set_write_intent
from contest.models import SheetStatus
from contest.services.skills import judging
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _no_horizontal_scroll(page: Any) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"


def _text(page: Any, selector: str) -> str:
    return page.locator(selector).first.inner_text().strip()


def test_a_judge_fills_a_sheet_on_a_phone_with_running_totals_and_guided_errors(
    db: Any, make_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    c = make_contest()
    judge = c.judges[1]
    ids = {key: aspect.id for key, aspect in c.aspects.items()}
    set_write_intent(False)  # hold no transaction while the server writes
    db.session.rollback()
    page = new_page("phone", is_mobile=True, has_touch=True)
    page.goto(live_server.url + "/login")
    page.fill("#username", judge.username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")
    page.goto(f"{live_server.url}/judging/{c.contest.id}/A-01")

    assert _text(page, "[data-filled]") == "0"
    assert _text(page, "[data-aspect-count]") == "4"
    page.fill(f"#m_{ids['T1']}", "86.5")
    assert _text(page, "[data-filled]") == "1"
    assert _text(page, "[data-total]") == "86.5"
    page.click(f"label[for=m_{ids['P2']}-2]")  # level 2 of 3 on a 30-point aspect: 20 points
    page.fill(f"#m_{ids['P3']}", "2")  # 2 points off 30
    subtotals = page.locator("[data-subtotal]")
    assert subtotals.nth(0).inner_text() == "86.5"
    assert subtotals.nth(1).inner_text() == "48"
    assert _text(page, "[data-total]") == "134.5"
    assert _text(page, "[data-filled]") == "3"
    _no_horizontal_scroll(page)

    # Submitting with P1 empty is refused in the page, naming the count and the key.
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.click("button[value=submit]")
    warning = page.locator("[data-incomplete]")
    expect(warning).to_be_visible()
    assert "还有 1 项未填写" in warning.inner_text() and "P1" in warning.inner_text()
    assert dialogs == [] and page.locator("text=草稿已保存").count() == 0

    # A value the browser lets through but the server refuses (P1 not on its 0.5 step is
    # refused by the browser, so send one through the form without the browser's check).
    page.fill(f"#m_{ids['P1']}", "35.25")
    page.fill(f"#m_{ids['P3']}", "0.3")
    page.evaluate("document.querySelector('[data-sheet-form]').noValidate = true")
    page.click("button[value=save]")
    page.wait_for_selector("[data-error-summary]:not([hidden])")
    assert "有 2 处需要更正" in _text(page, "[data-error-count]")
    # The first error in rubric order gets the focus once sheet.js has run (the summary is
    # server-rendered, so it can be visible before the script at the end of the page runs).
    first = f"m_{ids['P1']}"
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.id === id", arg=first
    )
    expect(page.locator(f"#aspect-{ids['P1']} .error")).to_be_visible()
    screenshot(page, "judging-sheet-refused-phone390")
    _no_horizontal_scroll(page)

    # Correcting one clears its message and the summary counts down.
    page.fill(f"#m_{ids['P1']}", "35")
    assert page.locator(f"#aspect-{ids['P1']} .error").count() == 0
    assert "有 1 处需要更正" in _text(page, "[data-error-count]")
    page.fill(f"#m_{ids['P3']}", "2")
    assert page.locator("[data-error-summary]").is_hidden()
    assert _text(page, "[data-filled]") == "4"
    assert _text(page, "[data-total]") == "169.5"
    screenshot(page, "judging-sheet-totals-phone390")

    page.click("button[value=submit]")
    page.wait_for_selector("text=已提交。")
    assert len(dialogs) == 1  # the lock confirmation, asked once the sheet was complete
    next_link = page.locator("[data-next-unscored]")
    assert "下一个未评分" in next_link.inner_text()
    screenshot(page, "judging-sheet-submitted-next-phone390")
    _no_horizontal_scroll(page)
    next_link.click()
    page.wait_for_url("**/A-02")
    assert _text(page, "[data-filled]") == "0"

    db.session.rollback()
    sheet = judging.sheet_for(judge, c.entries[0])
    assert sheet is not None and sheet.status is SheetStatus.SUBMITTED
