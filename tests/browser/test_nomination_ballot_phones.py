"""A committee decides by secret ballot (issue 15): the chair opens the ballot on a laptop;
three members vote on 390 px phones — big 赞成 / 反对 / 弃权 per nominee, a summary to confirm,
then only "已投票"; one who leaves a nominee out is sent to it; the chair's console follows the
turnout without a reload and shows no counts until the close; the chair closes (the dialog
names the turnout and the quorum) and the tally appears. Shots at 390, 820 and 1280 px."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from contest.models import BallotTally, BallotVoter
from contest.services.nominations import ballots
from tests.browser.support import confirm
from tests.conftest import PASSWORD
from tests.contest.nomination_ballot_support import build_ballot_stage

pytestmark = pytest.mark.browser

WIDTHS = {"390": 390, "820": 820, "1280": 1280}
NOTES = Path("/work/notes/shots")


def _shoot(page: Any, screenshot: Any, name: str, back_to: int) -> None:
    """The page at each width; a copy beside the notes when that folder exists."""
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        path = screenshot(page, f"nom-ballot-{name}-{label}")
        if NOTES.is_dir():
            shutil.copy(path, NOTES / path.name)
    page.set_viewport_size({"width": back_to, "height": 900})


def _no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"


def _login(new_page: Any, live_server: Any, username: str, width: int, **options: Any) -> Any:
    page = new_page("phone" if width < 500 else "laptop", **options)
    page.set_viewport_size({"width": width, "height": 844 if width < 500 else 900})
    page.goto(live_server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")
    return page


def test_three_members_vote_on_phones_and_the_chair_closes(
    db: Any, make_org: Any, make_user: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    w = build_ballot_stage(make_org, make_user, members=4, nominees=3)
    ballot = ballots.prepare(w.organizer, w.stage, "medal", places=None, paper=False)
    db.session.commit()
    ballot_id = ballot.id
    chair = w.chair.username
    voters = [m.username for m in w.members[1:]]
    db.session.rollback()  # hold no read transaction while the server writes

    # The chair opens the ballot on a laptop.
    console = _login(new_page, live_server, chair, WIDTHS["1280"])
    console.goto(f"{live_server.url}/nominations/ballots/{ballot_id}")
    expect(console.locator(".ballot-names li")).to_have_count(3)
    console.get_by_role("button", name="开始投票").click()
    confirm(console, "开始投票", "评审委员会 4 名委员")
    expect(console.locator(".flash-success")).to_contain_text("投票已开始")
    expect(console.locator("[data-voted]")).to_have_text("0")
    expect(console.locator("#result")).to_have_count(0)

    papers = [
        ("赞成", "赞成", "反对"),
        ("赞成", "反对", "弃权"),
        ("赞成", "赞成", "反对"),
    ]
    for index, (username, paper) in enumerate(zip(voters, papers, strict=True)):
        phone = _login(
            new_page, live_server, username, WIDTHS["390"], is_mobile=True, has_touch=True
        )
        phone.goto(live_server.url + "/nominations/ballots")
        phone.get_by_role("link", name="去投票").tap()
        cards = phone.locator("[data-ballot-nominee]")
        expect(cards).to_have_count(3)
        expect(cards.nth(0)).to_contain_text("王建国")
        _no_sideways_scroll(phone)
        # Big targets: three choices side by side, each at least 56 px high.
        boxes = [b.bounding_box() for b in cards.nth(0).locator("label.ballot-choice").all()]
        assert all(b and b["height"] >= 56 and b["width"] >= 90 for b in boxes), boxes
        assert boxes[0] and boxes[2] and abs(boxes[0]["y"] - boxes[2]["y"]) < 2
        count = phone.locator("[data-ballot-count]")
        expect(count).to_have_text("已表态 0 / 3 人")
        cards.nth(0).get_by_text(paper[0], exact=True).tap()
        if index == 0:
            # Left out: 核对选择 says so and goes to the first one missing.
            phone.get_by_role("button", name="核对选择").tap()
            expect(count).to_have_text("还有 2 人没有表态")
            expect(cards.nth(1)).to_have_class("card ballot-nominee is-missing")
            expect(cards.nth(1)).to_be_in_viewport()
            _shoot(phone, screenshot, "missing", WIDTHS["390"])
        cards.nth(1).get_by_text(paper[1], exact=True).tap()
        cards.nth(2).get_by_text(paper[2], exact=True).tap()
        expect(count).to_have_text("已表态 3 / 3 人")
        if index == 0:
            _shoot(phone, screenshot, "paper", WIDTHS["390"])
        phone.get_by_role("button", name="核对选择").tap()
        summary = phone.locator("#summary")
        expect(summary.get_by_role("heading", name="请核对您的选择")).to_be_visible()
        expect(summary.locator(".ballot-summary-list li").nth(2)).to_contain_text(paper[2])
        if index == 0:
            _shoot(phone, screenshot, "summary", WIDTHS["390"])
        phone.get_by_role("button", name="确认提交").tap()
        expect(phone.get_by_role("heading", name="已投票")).to_be_visible()
        expect(phone.locator("[data-ballot-nominee]")).to_have_count(0)
        expect(phone.locator(".ballot-mark")).to_have_count(0)  # never what was chosen
        _no_sideways_scroll(phone)
        if index == 0:
            _shoot(phone, screenshot, "voted", WIDTHS["390"])
        # The chair's console follows without a reload.
        expect(console.locator("[data-voted]")).to_have_text(str(index + 1))
        phone.context.close()

    expect(console.locator("#result")).to_have_count(0)  # no counts while open
    _shoot(console, screenshot, "console", WIDTHS["1280"])

    console.get_by_role("button", name="结束投票并计票").click()
    confirm(console, "结束投票", "已投票 3 / 4 人")
    expect(console.locator(".flash-success")).to_contain_text("投票已结束并计票")
    rows = console.locator("#result tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("3")
    expect(rows.nth(0)).to_contain_text("通过")
    expect(rows.nth(2)).to_contain_text("未通过")
    expect(console.get_by_role("link", name="打印票数统计表")).to_be_visible()
    _shoot(console, screenshot, "result", WIDTHS["1280"])

    db.session.rollback()
    assert db.session.scalar(select(func.count(BallotVoter.id))) == 3
    assert db.session.scalar(select(func.sum(BallotTally.count))) == 9


def test_tellers_agree_on_a_phone_and_the_chair_decides_a_tie(
    db: Any, make_org: Any, make_user: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    """A paper ballot for one place: the second teller's count differs, is shown beside the
    first and entered again; both nominees then tie and, without run-offs, the chair decides
    with a reason."""
    w = build_ballot_stage(make_org, make_user, members=3, nominees=2, quota=1, runoff=False)
    ballot = ballots.prepare(w.organizer, w.stage, "medal", places=1, paper=True)
    ballots.open_ballot(w.chair, ballot)
    ballots.set_present(w.chair, ballot, 3)
    first, second = ballot.nomination_ids
    ballots.enter_count(w.members[1], ballot, {first: (3, 0, 0), second: (3, 0, 0)})
    ballots.enter_count(w.members[2], ballot, {first: (3, 0, 0), second: (2, 1, 0)})
    db.session.commit()
    ballot_id, stage_id = ballot.id, w.stage.id
    chair, teller, organizer = w.chair.username, w.members[2].username, w.organizer.username
    db.session.rollback()

    phone = _login(new_page, live_server, teller, WIDTHS["390"], is_mobile=True, has_touch=True)
    phone.goto(f"{live_server.url}/nominations/ballots/{ballot_id}/count")
    differences = phone.locator("#differences")
    expect(differences).to_contain_text("李秀英")
    expect(differences).to_contain_text("赞成 2，反对 1，弃权 0")
    _no_sideways_scroll(phone)
    _shoot(phone, screenshot, "count", WIDTHS["390"])
    phone.fill(f"#yes{second}", "3")
    phone.fill(f"#no{second}", "0")
    phone.get_by_role("button", name="保存我的计数").tap()
    expect(phone.locator(".flash-success")).to_contain_text("两名计票人的计数一致")
    phone.context.close()

    console = _login(new_page, live_server, chair, WIDTHS["1280"])
    console.goto(f"{live_server.url}/nominations/ballots/{ballot_id}")
    expect(console.locator("#tellers")).to_contain_text("可以结束投票")
    console.get_by_role("button", name="结束投票并计票").click()
    confirm(console, "结束投票")
    tie = console.locator("#tie")
    expect(tie).to_contain_text("王建国、李秀英得票相同，争 1 个名额")
    expect(tie.get_by_role("button", name="在并列者中再次投票")).to_have_count(0)
    _shoot(console, screenshot, "tie", WIDTHS["1280"])
    tie.get_by_label("李秀英").check()
    tie.get_by_label("决定理由").fill("经委员会讨论，按专家评分较高者确定")
    tie.get_by_role("button", name="记录主持人的决定").click()
    expect(console.locator(".flash-success")).to_contain_text("主持人的决定已记录")
    console.context.close()

    page = _login(new_page, live_server, organizer, WIDTHS["1280"])
    page.goto(f"{live_server.url}/nominations/stages/{stage_id}/ballots")
    expect(page.locator("#ballots tbody tr")).to_have_count(1)
    expect(page.locator("#rules")).to_contain_text("规则不能再修改")
    _shoot(page, screenshot, "stage", WIDTHS["1280"])

    db.session.rollback()
    assert [n.name for n in ballots.passed(w.stage)] == ["李秀英"]
