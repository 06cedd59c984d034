"""A member answers the 会员评家 survey on a 390 px phone (issue 12 item 8): the code typed as
printed (lower case, with the dash) opens the questions; the progress follows each tap; a
submit with questions left out is refused in the page and lands on the first of them; the
answer is thanked and counted once; the same code again, and a mistyped one, get plain Chinese
reasons. Screenshots at 390, 820 and 1280 px."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from contest.database import set_write_intent
from contest.models import SurveyCode, SurveyTally
from contest.services.labor import surveys
from tests.contest.labor_survey_support import build_rating

pytestmark = pytest.mark.browser

QUESTIONS = [
    "您对本单位工会的组织建设满意吗？",
    "您对工会的职工之家建设满意吗？",
    "总的来说满意吗？",
]


def _no_horizontal_scroll(page: Any) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"


def test_a_member_answers_on_a_phone_once_and_anonymously(
    db: Any,
    make_org: Any,
    make_user: Any,
    live_server: Any,
    new_page: Any,
    screenshot: Any,
) -> None:
    r = build_rating(
        make_org,
        lambda host: make_user("organizer", organization=host),
        headcount=40,
        member_count=30,
        counted_on=date(2026, 3, 31),
    )
    survey = surveys.open_survey(r.organizer, r.participant, codes=5, questions=QUESTIONS)
    db.session.commit()
    survey_id = survey.id
    code, other = surveys.all_codes(survey)[:2]
    set_write_intent(False)  # hold no transaction while the server writes
    db.session.rollback()

    page = new_page("phone", is_mobile=True, has_touch=True)
    page.goto(live_server.url + "/s")
    page.fill("#survey-code", surveys.format_code(code).lower())
    page.get_by_role("button", name="开始作答").tap()
    page.wait_for_url(f"**/s/{code}")
    expect(page.locator("h1")).to_have_text("建设路机械厂工会")
    count = page.locator("[data-survey-count]")
    expect(count).to_have_text("已答 0 / 3 题")
    cards = page.locator("[data-survey-question]")
    expect(cards).to_have_count(3)
    _no_horizontal_scroll(page)
    # Big tap targets: every choice is a whole-width row at least 48 px high.
    for box in [label.bounding_box() for label in page.locator("label.survey-choice").all()]:
        assert box is not None and box["height"] >= 48 and box["width"] >= 300, box

    cards.nth(0).get_by_text("满意", exact=True).tap()
    expect(count).to_have_text("已答 1 / 3 题")
    expect(page.locator("[data-survey-bar]")).to_have_attribute("aria-valuenow", "1")
    page.get_by_role("button", name="提交").tap()
    expect(count).to_have_text("还有 2 题没有选择")
    expect(cards.nth(1)).to_have_class("card survey-question is-missing")
    expect(cards.nth(1).get_by_text("请选择一项")).to_be_visible()
    expect(cards.nth(1)).to_be_in_viewport()
    screenshot(page, "survey-phone-missing")

    cards.nth(1).get_by_text("基本满意", exact=True).tap()
    expect(cards.nth(1)).not_to_have_class("card survey-question is-missing")
    cards.nth(2).get_by_text("不满意", exact=True).tap()
    expect(count).to_have_text("已答 3 / 3 题")
    screenshot(page, "survey-phone-answered")
    page.get_by_role("button", name="提交").tap()
    page.wait_for_url("**/s/thanks")
    expect(page.get_by_role("heading", name="提交成功，感谢您的参与！")).to_be_visible()
    _no_horizontal_scroll(page)
    screenshot(page, "survey-phone-thanks")

    # The same code again (a back button, a second phone): refused, never shown the answers.
    page.goto(f"{live_server.url}/s/{code}")
    refused = page.locator(".survey-refused")
    expect(refused).to_contain_text("这个调查码已经提交过了")
    expect(page.locator("[data-survey-question]")).to_have_count(0)
    # A mistyped code.
    page.fill("#survey-code", "ABCDE-FGHJ")
    page.get_by_role("button", name="开始作答").tap()
    expect(refused).to_contain_text("调查码是 10 位")
    screenshot(page, "survey-phone-refused")

    db.session.rollback()
    counts = {
        (q, c): n
        for q, c, n in db.session.execute(
            select(SurveyTally.question, SurveyTally.choice, SurveyTally.count).where(
                SurveyTally.survey_id == survey_id
            )
        )
    }
    assert {key: n for key, n in counts.items() if n} == {
        (0, "satisfied"): 1,
        (1, "basic"): 1,
        (2, "unsatisfied"): 1,
    }
    used = db.session.scalars(select(SurveyCode.code).where(SurveyCode.used.is_(True))).all()
    assert used == [code]

    # The same page on a tablet and a desktop: the three choices side by side.
    for width in (820, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/s/{other}")
        expect(page.locator("[data-survey-question]")).to_have_count(3)
        boxes = [
            b.bounding_box()
            for b in page.locator("[data-survey-question]").nth(0).locator("label").all()
        ]
        assert boxes[0] and boxes[1] and abs(boxes[0]["y"] - boxes[1]["y"]) < 2  # one row
        _no_horizontal_scroll(page)
        screenshot(page, f"survey-answer-{width}")
