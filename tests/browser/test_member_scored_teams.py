"""A member-scored team event in a real browser: the organizer sets 团体成绩 = 成员成绩之和 on the
policy page, registers a team (one entry per member on the entries list), the members are
scored, the organizer publishes, and the public results show each team's total over its
members' own totals at phone, tablet and desktop widths."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from contest.models import ContestStatus, Entry
from contest.models.base import utcnow
from contest.services.skills.registration import register_team
from contest.validation import id_check_digit
from tests.conftest import PASSWORD
from tests.contest.results_fixtures import MARKS, write_marks
from tests.contest.test_team_events import members, team

pytestmark = pytest.mark.browser


def make_id_number(first14: str, sequence: str) -> str:
    return first14 + sequence + id_check_digit(first14 + sequence)


SIZES = (("phone", None), ("tablet", {"width": 820, "height": 1180}), ("laptop", None))


def _login(new_page: Any, url: str, username: str, size: str = "laptop") -> Any:
    page = new_page(size)
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")
    return page


def test_organizer_sets_sum_of_members_and_the_public_sees_team_totals(
    db: Any,
    make_contest: Any,
    live_server: Any,
    new_page: Any,
    screenshot: Any,
) -> None:
    c = make_contest(status="registration", entries=0, judges=1)
    c.event.entry_drawn_at = c.event.seat_drawn_at = None  # registration still open
    c.event.team_min, c.event.team_max = 2, 3
    db.session.commit()
    contest_id, event_id, username = c.contest.id, c.event.id, c.organizer.username
    base = f"{live_server.url}/contests/{contest_id}/events/{event_id}"

    # ---- the policy: 团体成绩 = 成员成绩之和
    page = _login(new_page, live_server.url, username)
    page.goto(f"{base}/policy")
    page.select_option("#team_total", label="成员成绩之和")
    screenshot(page, "member-teams-policy-laptop")
    page.get_by_role("button", name="保存规则", exact=True).click()
    expect(page.locator(".flashes")).to_contain_text("已保存赛项")

    # ---- a team registered in the browser becomes one entry per member
    page.goto(f"{base}/teams/new")
    page.fill("#team_name", "精工代表队")
    page.select_option("#organization_id", str(c.units[0].id))
    for index, name in enumerate(["赵强", "钱伟"]):
        page.fill(f"#members-{index}-name", name)
        page.fill(f"#members-{index}-id_number", make_id_number("11010519880512", f"{index}31"))
    page.get_by_role("button", name="报名团队", exact=True).click()
    page.wait_for_url("**/entries")
    expect(page.locator(".flashes")).to_contain_text(
        "已报名团队“精工代表队”（江州机床厂工会1），共 2 人"
    )
    table = page.locator("#entries-table")
    expect(table.locator("tr.team-head")).to_have_text("团队“精工代表队”· 队员各自评分")
    expect(table.locator("td.person-name")).to_have_count(2)
    screenshot(page, "member-teams-entries-laptop")
    for size, viewport in SIZES[:2]:
        view = _login(new_page, live_server.url, username, size)
        if viewport:
            view.set_viewport_size(viewport)
        view.goto(f"{base}/policy")
        expect(view.locator("#team_total")).to_have_value("sum")
        screenshot(view, f"member-teams-policy-{size}")
        view.goto(f"{base}/entries")
        expect(view.locator("#entries-table tr.team-head")).to_be_visible()
        screenshot(view, f"member-teams-entries-{size}")

    # ---- two more teams, the members scored and signed off (the judging pages are tested
    # elsewhere; what matters here is what ranking and the public page make of the marks)
    db.session.rollback()
    register_team(None, c.contest, team(c, members(make_id_number, 2, "孙丽", "李娜"), "先锋队"))
    register_team(
        None, c.contest, team(c, members(make_id_number, 2, "周杰", "吴敏"), "匠心队", c.units[1])
    )
    c.entries = db.session.query(Entry).filter_by(event_id=event_id).order_by(Entry.id).all()
    for number, entry in enumerate(c.entries, start=1):
        entry.entry_code = f"A{number:03d}"
    # 精工 = M2 + M3, 先锋 = M0 + M1 (first), 匠心 = M3 + M2 (ties 精工)
    write_marks(db, c, [MARKS[2], MARKS[3], MARKS[0], MARKS[1], MARKS[3], MARKS[2]])
    c.contest.status = ContestStatus.REVIEW
    c.event.signed_off_at, c.event.signed_off_by_id = utcnow(), c.chief.id
    db.session.commit()

    # ---- publish
    page.goto(f"{live_server.url}/results/{contest_id}/publish")
    page.get_by_role("button", name="公布成绩", exact=True).click()
    dialog = page.locator("dialog.confirm-dialog[open]")
    dialog.get_by_role("button", name="公布成绩", exact=True).click()
    expect(page.get_by_text("成绩已公布")).to_be_visible()
    db.session.rollback()

    for size, viewport in SIZES:
        view = new_page(size)
        if viewport:
            view.set_viewport_size(viewport)
        view.goto(f"{live_server.url}/results/{contest_id}")
        heads = view.locator(".results-table tr.team-head")
        expect(heads).to_have_count(3)
        expect(heads.first).to_contain_text("团队“先锋队”· 团体成绩")
        expect(view.locator(".results-table td.member-total")).to_have_count(6)
        ranks = view.locator(".results-table td.rank")
        expect(ranks).to_have_text(["1", "1", "2", "2", "2", "2"])
        assert view.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        screenshot(view, f"member-teams-results-{size}")
    # The team total is the sum of the members' own totals shown under it.
    own = [float(t) for t in view.locator(".results-table td.member-total").all_inner_texts()]
    team_total = float(view.locator(".results-table td.total").first.inner_text().split()[-1])
    assert team_total == pytest.approx(own[0] + own[1], abs=0.011)
    assert f"{team_total:.2f}" in heads.first.inner_text()
