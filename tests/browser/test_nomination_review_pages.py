"""The review chain and the expert scoring in the browser (issue 13 items 6 and 7): the organizer
sees the chain; a reviewer on an 820 px tablet finds the task, opens a nomination and returns it
with a reason through the confirmation dialog; an expert scores a blind stage on the tablet by
推荐编号 only (the running total follows each choice; the name never shows); the organizer reads
the ranking with the experts' agreement and determines the result through its dialog. Shots at
390, 820 and 1280 px in /work/notes/shots/nom-review-*.png."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from contest.models import NominationStatus, StageMode
from contest.services.nominations import expert, review
from tests.browser.support import confirm
from tests.conftest import PASSWORD
from tests.contest.nomination_review_support import add_stage, build_world, marks

pytestmark = pytest.mark.browser

WIDTHS = {"390": 390, "820": 820, "1280": 1280}
NOTES = Path("/work/notes/shots")


def _shoot(page: Any, screenshot: Any, name: str, back_to: int) -> None:
    """The page at each width, without sideways scrolling; a copy beside the notes."""
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} at {width}px scrolls sideways by {overflow}px"
        path = screenshot(page, f"nom-review-{name}-{label}")
        if NOTES.is_dir():
            shutil.copy(path, NOTES / path.name)
    page.set_viewport_size({"width": back_to, "height": 900})


def _login(new_page: Any, live_server: Any, username: str, width: int) -> Any:
    page = new_page("phone" if width < 500 else "laptop")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")
    return page


def test_review_and_blind_expert_scoring_in_the_browser(
    db: Any,
    make_org: Any,
    make_user: Any,
    live_server: Any,
    new_page: Any,
    screenshot: Any,
) -> None:
    w = build_world(make_org, make_user)
    first = add_stage(w, "初审", StageMode.REVIEW, w.reviewers[:3], chair=w.reviewers[0])
    scoring = add_stage(
        w, "专家评审", StageMode.SCORING, w.experts[:3], template="may_day", blind=True
    )
    add_stage(w, "终审", StageMode.REVIEW, w.reviewers[:2])
    review.open_stage(w.organizer, first)
    db.session.commit()
    campaign_id, first_id, scoring_id = w.campaign.id, first.id, scoring.id
    li_id = w.by_name["李秀英"].id
    db.session.rollback()

    # The organizer's chain.
    organizer = _login(new_page, live_server, w.organizer.username, 1280)
    organizer.goto(f"{live_server.url}/nominations/{campaign_id}/review")
    expect(organizer.locator(".stage-chain > li")).to_have_count(3)
    expect(organizer.locator(".stage-chain")).to_contain_text("专家评审")
    _shoot(organizer, screenshot, "chain", 1280)

    # A reviewer on a tablet: the task list, then 李秀英 returned with a reason.
    reviewer = _login(new_page, live_server, w.reviewers[0].username, 820)
    reviewer.goto(f"{live_server.url}/nominations/review")
    expect(reviewer.locator(".task-row")).to_have_count(5)
    _shoot(reviewer, screenshot, "tasks", 820)
    reviewer.locator(".task-row", has_text="李秀英").click()
    expect(reviewer.locator("h1")).to_contain_text("李秀英")
    reviewer.get_by_label("退回修改").check()
    reviewer.get_by_label("意见或理由").fill("缺少市场监管部门意见，请补充后重新报送")
    _shoot(reviewer, screenshot, "decision", 820)
    reviewer.get_by_role("button", name="提交结论").click()
    confirm(reviewer, "提交结论", "退回推荐单位")
    expect(reviewer.locator(".flash-success")).to_contain_text("李秀英")

    # The rest pass, the stage closes, scoring opens (as the services would on their pages).
    with live_server.app.app_context():
        from contest.extensions import db as app_db
        from contest.models import Campaign, Nomination, Outcome, ReviewStage

        stage = app_db.session.get(ReviewStage, first_id)
        assert stage is not None
        by = w.reviewers[0]
        li = app_db.session.get(Nomination, li_id)
        assert li is not None and li.status is NominationStatus.RETURNED
        li.status = NominationStatus.SUBMITTED  # corrected and resubmitted by the unit
        for row in review.rows(stage):
            if row.state == review.PENDING:
                review.decide(by, stage, row.nomination, Outcome.PASS, "")
        review.close_stage(w.organizer, stage)
        scoring_stage = app_db.session.get(ReviewStage, scoring_id)
        assert scoring_stage is not None
        review.open_stage(w.organizer, scoring_stage)
        # Two experts have scored everyone already; the third does it in the browser.
        shares = {"王建国": 0.9, "张志强": 0.8, "李秀英": 0.7, "赵大勇": 0.6, "陈小梅": 0.5}
        for nomination in app_db.session.query(Nomination).filter_by(campaign_id=campaign_id):
            for user in w.experts[1:3]:
                expert.save_sheet(
                    user,
                    scoring_stage,
                    nomination,
                    marks(scoring_stage, shares[nomination.name]),
                    submit=True,
                    expected_version=None,
                )
        app_db.session.commit()
        campaign = app_db.session.get(Campaign, campaign_id)
        assert campaign is not None
        order = expert.codes(campaign)
        wang_code = order[w.by_name["王建国"].id]
        items = [(a.id, a.key, a.kind.value) for a in expert.items_of(scoring_stage)]
        app_db.session.rollback()

    # The expert scores blind on the tablet: codes only, the total follows the choices.
    scorer = _login(new_page, live_server, w.experts[0].username, 820)
    scorer.goto(f"{live_server.url}/nominations/review")
    expect(scorer.locator(".task-row").first).to_contain_text("N-01")
    expect(scorer.locator("main")).not_to_contain_text("王建国")
    scorer.locator(".task-row", has_text=wang_code).click()
    expect(scorer.locator("h1")).to_contain_text(wang_code)
    expect(scorer.locator("main")).not_to_contain_text("王建国")
    for item_id, key, kind in items:
        if kind == "judgement":
            scorer.locator(f"label[for='m_{item_id}-3']").click()
        elif kind == "deduction":
            scorer.fill(f"#m_{item_id}", "0")
        else:
            scorer.fill(f"#m_{item_id}", marks_value(key))
    expect(scorer.locator("[data-filled]")).to_have_text(str(len(items)))
    _shoot(scorer, screenshot, "sheet", 820)
    scorer.once("dialog", lambda dialog: dialog.accept())
    scorer.get_by_role("button", name="提交", exact=True).click()
    expect(scorer.locator(".flash-success")).to_contain_text(wang_code)
    assert "王建国" not in scorer.content()

    # The organizer: the expert stage's page, the ranking with agreement, the result.
    organizer.goto(f"{live_server.url}/nominations/{campaign_id}/review/{scoring_id}")
    expect(organizer.locator("#sheets")).to_be_visible()
    _shoot(organizer, screenshot, "stage", 1280)
    organizer.goto(f"{live_server.url}/nominations/{campaign_id}/results")
    expect(organizer.locator("#agreement")).to_contain_text("ICC")
    expect(organizer.locator(".rank-table tbody tr").first).to_contain_text("王建国")
    _shoot(organizer, screenshot, "results", 1280)

    # The scoring and the final stage end; the organizer determines the result.
    with live_server.app.app_context():
        from contest.extensions import db as app_db
        from contest.models import Outcome, ReviewStage

        scoring_stage = app_db.session.get(ReviewStage, scoring_id)
        assert scoring_stage is not None
        review.close_stage(w.organizer, scoring_stage, accept_missing=4)
        last = review.next_stage(scoring_stage)
        assert last is not None
        review.open_stage(w.organizer, last)
        for row in review.rows(last):
            review.decide(w.reviewers[0], last, row.nomination, Outcome.PASS, "")
        review.close_stage(w.organizer, last)
        app_db.session.commit()
    organizer.reload()
    organizer.get_by_role("button", name="确定评审结果").click()
    confirm(organizer, "确定评审结果", "名额")
    expect(organizer.locator(".flash-success")).to_contain_text("正选 2 名，递补 1 名")
    expect(organizer.locator(".rank-table tbody tr").first).to_contain_text("拟表彰")
    _shoot(organizer, screenshot, "final", 1280)


def marks_value(key: str) -> str:
    """What the browser's expert types: near full marks on every points item."""
    return {"P1": "24", "P2": "14", "S1": "9", "S2": "14", "R2": "5"}.get(key, "1")
