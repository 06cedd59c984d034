"""A judge scores on a phone (375×740) and a tablet (1024×768): the task list, the sheet with
level buttons and number inputs, a draft save, the browser confirmation on submit, the
read-only submitted sheet. No horizontal scrolling; screenshots saved for review."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from contest.database import set_write_intent
from contest.models import SheetStatus
from contest.services.skills import judging
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SIZES = {"phone375": {"width": 375, "height": 740}, "tablet": {"width": 1024, "height": 768}}


def _no_horizontal_scroll(page: Any) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"


@pytest.mark.parametrize("size", list(SIZES))
def test_a_judge_scores_an_entry_on_a_phone_and_a_tablet(
    size: str,
    db: Any,
    make_contest: Any,
    live_server: Any,
    playwright_browser: Any,
    screenshot: Any,
) -> None:
    c = make_contest()
    judge = c.judges[1]
    if size == "phone375":  # WorldSkills-style sentences: the long-descriptor layout
        c.aspects["P2"].descriptors = [
            "表面有明显划伤或毛刺，未达到图纸要求",
            "表面基本平整，局部有轻微刀痕",
            "表面光洁，刀纹均匀，达到图纸要求",
            "表面光洁度优于图纸要求，无任何瑕疵",
        ]
        db.session.commit()
    username = judge.username
    ids = {key: aspect.id for key, aspect in c.aspects.items()}
    # Hold no transaction while the server writes: an earlier test's request may have left
    # this thread's SQLite write intent on, and BEGIN IMMEDIATE would lock the server out.
    set_write_intent(False)
    db.session.rollback()
    context = playwright_browser.new_context(
        viewport=SIZES[size], locale="zh-CN", is_mobile=size == "phone375", has_touch=True
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(live_server.url + "/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/home")
        page.goto(live_server.url + "/judging/")
        expect(page.get_by_text("已提交 0 / 4")).to_be_visible()
        _no_horizontal_scroll(page)
        screenshot(page, f"judging-tasks-{size}")

        page.click("a.code-tile >> text=A-01")
        page.wait_for_url("**/A-01")
        page.fill(f"#m_{ids['T1']}", "86.5")
        page.fill(f"#m_{ids['P1']}", "35")
        page.click(f"label[for=m_{ids['P2']}-2]")
        _no_horizontal_scroll(page)
        page.click("button[value=save]")
        page.wait_for_selector("text=草稿已保存")
        assert page.input_value(f"#m_{ids['T1']}") == "86.5"
        assert page.is_checked(f"#m_{ids['P2']}-2")
        screenshot(page, f"judging-sheet-draft-{size}")

        # A value outside the range is stopped by the browser before it is sent.
        page.fill(f"#m_{ids['P3']}", "31")
        page.click("button[value=save]")
        assert page.evaluate(f"document.getElementById('m_{ids['P3']}').validity.rangeOverflow")

        page.fill(f"#m_{ids['P3']}", "2")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("button[value=submit]")
        page.wait_for_selector("text=已提交。")
        assert page.is_disabled(f"#m_{ids['T1']}")
        _no_horizontal_scroll(page)
        screenshot(page, f"judging-sheet-submitted-{size}")
    finally:
        context.close()
    db.session.rollback()  # end the read snapshot taken while the page was driven
    sheet = judging.sheet_for(judge, c.entries[0])
    assert sheet is not None and sheet.status is SheetStatus.SUBMITTED
    assert {k: float(v) for k, v in judging.marks_of(sheet).items()} == {
        "T1": 86.5,
        "P1": 35.0,
        "P2": 2.0,
        "P3": 2.0,
    }
