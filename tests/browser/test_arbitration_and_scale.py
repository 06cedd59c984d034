"""#16 items 10 and 13 in a browser: the organizer names the arbitration panel, the chief judge
can only record, an arbitrator decides from their menu (a panel judge is told to stand aside);
the policy form's switches, and the results with the 标准分 column, 优胜奖 and 推荐 at phone,
tablet and desktop widths. Screenshots under tests/artifacts/screenshots/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from contest.models import Appeal, AppealStatus, Arbitrator
from contest.services.skills import appeals, publishing
from tests.conftest import PASSWORD
from tests.contest.results_fixtures import ready_contest_fixture  # noqa: F401
from tests.contest.review_support import score_all
from tests.contest.test_standard_scale_and_merit import POLICY

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 390, "tablet": 820, "desktop": 1366}


def _login(page: Any, base: str, user: Any) -> None:
    page.goto(base + "/login")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")


def _at(new_page: Any, width: str) -> Any:
    page = new_page("phone" if width == "phone" else "laptop")
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    return page


def test_arbitration_panel_decides_the_appeal(
    db: Any,
    make_contest: Any,
    make_user: Any,
    live_server: Any,
    new_page: Any,
    screenshot: Any,
) -> None:
    c = make_contest(status="review", entries=6, judges=2)
    score_all(db, c)
    c.event.ended_at = datetime.now(UTC) - timedelta(minutes=40)
    appeal = appeals.record_appeal(
        c.chief, c.event, entry_code="A001", appellant="江州汽车厂领队", content="实操分漏计"
    )
    expert = make_user("judge", organization=c.judge_unit)
    expert.display_name = "刘振华"
    db.session.commit()
    base = live_server.url

    # the organizer names the panel from the contest page
    page = new_page("laptop")
    _login(page, base, c.organizer)
    page.goto(f"{base}/contests/{c.contest.id}")
    page.get_by_role("link", name="仲裁组成员", exact=True).click()
    expect(page.get_by_text("尚未组建仲裁组")).to_be_visible()
    for who in (expert, c.judges[1]):
        page.select_option("#arb-user_id", str(who.id))
        page.get_by_role("button", name="加入", exact=True).click()
        expect(page.locator("#arbitrators")).to_contain_text(who.name)
    # the panel judge stays on, but the page says whose appeals they must stand aside from
    expect(page.locator("#arbitrators")).to_contain_text(f"{c.event.label}（评委）")
    screenshot(page, "arbitration-panel-desktop")

    # the chief judge records appeals but has nothing to decide them with
    chief = new_page("laptop")
    _login(chief, base, c.chief)
    chief.goto(f"{base}/review/events/{c.event.id}/appeals")
    expect(chief.get_by_text("待仲裁组裁决。")).to_be_visible()
    expect(chief.locator("#arbitrators")).to_contain_text(expert.name)
    assert chief.get_by_role("button", name="裁决（最终）").count() == 0
    screenshot(chief, "arbitration-chief-appeals-desktop")

    # the panel judge named to the arbitration panel is told to stand aside
    judge = new_page("laptop")
    _login(judge, base, c.judges[1])
    judge.goto(f"{base}/review/arbitration")
    expect(judge.get_by_text("须回避本赛项申诉的裁决")).to_be_visible()
    assert judge.get_by_role("button", name="裁决（最终）").count() == 0

    # the arbitrator finds it from the menu and home, at every width, and decides on a phone
    for width in ("desktop", "tablet", "phone"):
        arb = _at(new_page, width)
        _login(arb, base, expert)
        expect(arb.get_by_role("heading", name="仲裁组", exact=True)).to_be_visible()
        expect(arb.get_by_text("待裁决 1 件")).to_be_visible()
        if width == "desktop":  # in the 技能大赛 drop-down of the header
            nav = arb.get_by_role("navigation", name="主导航")
            nav.get_by_text("技能大赛", exact=False).first.click()
            expect(nav.get_by_role("link", name="申诉仲裁", exact=True)).to_be_visible()
        arb.locator("main").get_by_role("link", name="申诉仲裁", exact=True).click()
        arb.wait_for_url("**/review/arbitration")
        expect(arb.get_by_text("实操分漏计")).to_be_visible()
        screenshot(arb, f"arbitration-page-{width}")
        if width != "tablet":  # the marks under appeal, read-only, one link per appeal
            arb.locator(f"#appeal-{appeal.id}").get_by_role("link").click()
            arb.wait_for_url(f"**/review/arbitration/entries/{appeal.entry_id}")
            expect(arb.get_by_role("heading", name="被申诉的评分", exact=True)).to_be_visible()
            sheets = arb.locator("table")
            expect(sheets).to_contain_text(c.judges[1].name)
            expect(sheets).to_contain_text("T1")
            expect(arb.get_by_text("当前总分", exact=False)).to_be_visible()
            assert arb.get_by_role("button", name="更正", exact=True).count() == 0
            screenshot(arb, f"arbitration-marks-{width}")
            arb.get_by_role("link", name="‹ 返回申诉仲裁", exact=True).click()
            arb.wait_for_url(f"**/review/arbitration#appeal-{appeal.id}")
    arb.get_by_label("申诉成立").check()
    arb.get_by_label("裁决理由").fill("复核评分表：实操 P1 漏计 2 分")
    arb.get_by_role("button", name="裁决（最终）").click()
    expect(arb.locator(".flash-success")).to_contain_text("申诉成立")
    expect(arb.locator(f"#appeal-{appeal.id}")).to_contain_text("复核评分表")
    screenshot(arb, "arbitration-decided-phone")

    db.session.rollback()
    decided = db.session.get(Appeal, appeal.id)
    assert decided.status is AppealStatus.UPHELD and decided.decided_by_id == expert.id
    assert set(db.session.scalars(select(Arbitrator.user_id))) == {expert.id, c.judges[1].id}


def test_policy_switches_and_results_columns(
    db: Any, ready_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    ns = ready_contest(entries=12)
    ns.event.policy = dict(POLICY)  # 1/1 prizes, 优胜奖, 推荐五一劳动奖章, the 700 scale
    db.session.commit()
    base = live_server.url
    page = new_page("laptop")
    _login(page, base, ns.organizer)
    page.goto(f"{base}/contests/{ns.contest.id}/events/{ns.event.id}/policy")
    expect(page.get_by_label("其余前一半授予优胜奖")).to_be_checked()
    expect(page.get_by_label("显示标准分（700 分制）")).to_be_checked()
    expect(page.locator("input[name=title-0-recommend]")).to_be_checked()
    screenshot(page, "policy-merit-scale-desktop")

    publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    for width in ("desktop", "tablet", "phone"):
        view = _at(new_page, width)
        view.goto(f"{base}/results/{ns.contest.id}")
        table = view.locator("table.results-table")
        expect(table.locator("th.standard-score")).to_have_count(1)
        expect(table.locator("td.standard-score").first).to_be_visible()
        # the marks repeat every six entrants, so everyone is tied in pairs: both champions
        # are recommended (and take 一等奖 and the 二等奖 place), and 优胜奖 goes to the pairs
        # at 3rd and 5th — the rest of the top half (6 of 12)
        expect(table.locator(".tag.recommended")).to_have_text(["推荐五一劳动奖章"] * 2)
        expect(table.get_by_text("优胜奖", exact=True)).to_have_count(4)
        overflow = view.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (width, overflow)
        screenshot(view, f"results-standard-score-{width}")
