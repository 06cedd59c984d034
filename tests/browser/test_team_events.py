"""Team events in a real browser: the organizer makes an event a team event, registers a team
(a refused form keeps what was typed), sees it on the entries list with masked IDs; the public
results list every member under the team and 证书查验 confirms a member's certificate."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from contest.services.skills import publishing
from contest.validation import id_check_digit
from tests.conftest import PASSWORD
from tests.contest.results_fixtures import ID_NUMBER, PHONE, ready_contest_fixture  # noqa: F401
from tests.contest.test_team_events import make_teams

pytestmark = pytest.mark.browser

SIZES = (("phone", None), ("tablet", {"width": 820, "height": 1180}), ("laptop", None))


def _id(sequence: int) -> str:
    first17 = f"11010519880512{sequence:03d}"
    return first17 + id_check_digit(first17)


def _open(new_page: Any, size: str, viewport: dict[str, int] | None) -> Any:
    page = new_page(size)
    if viewport:
        page.set_viewport_size(viewport)
    return page


def test_organizer_registers_a_team(
    db: Any, make_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    c = make_contest(status="registration", entries=0, judges=1)
    c.event.entry_drawn_at = c.event.seat_drawn_at = None  # registration still open
    contest_id, event_id, username = c.contest.id, c.event.id, c.organizer.username
    unit_id = c.units[1].id
    db.session.commit()
    numbers = [_id(n) for n in (21, 23, 25)]

    page = new_page("laptop")
    page.goto(live_server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")

    base = f"{live_server.url}/contests/{contest_id}/events/{event_id}"
    page.goto(f"{base}/edit")
    page.fill("#team_min", "2")
    page.fill("#team_max", "3")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(lambda url: not url.endswith("/edit"))

    page.goto(f"{base}/entries")
    expect(page.get_by_text("本赛项是团体项目，每队 2–3 人。")).to_be_visible()
    page.get_by_role("link", name="团体报名", exact=True).click()
    page.wait_for_url("**/teams/new")
    page.fill("#team_name", "精工代表队")
    page.select_option("#organization_id", str(unit_id))
    for index, (name, number) in enumerate(zip(["赵强", "钱伟", "孙丽"], numbers, strict=True)):
        page.fill(f"#members-{index}-name", name)
        # The third member's number is typed as the first one's: refused, nothing written.
        page.fill(f"#members-{index}-id_number", numbers[0] if index == 2 else number)
    page.fill("#members-0-phone", "13912345678")
    page.get_by_role("button", name="报名团队", exact=True).click()
    error = page.locator("#team-form .has-error .error")
    expect(error).to_have_text("与第 1 名队员的身份证号相同")
    # What was typed stays in the form (from the request, not from storage).
    expect(page.locator("#members-1-id_number")).to_have_value(numbers[1])
    expect(page.locator("#members-0-phone")).to_have_value("13912345678")
    expect(page.locator("#team_name")).to_have_value("精工代表队")
    screenshot(page, "team-register-refused-laptop")

    page.fill("#members-2-id_number", numbers[2])
    page.get_by_role("button", name="报名团队", exact=True).click()
    page.wait_for_url("**/entries")
    expect(page.locator(".flashes")).to_contain_text("已报名团队“精工代表队”")
    table = page.locator("#entries-table")
    expect(table.locator("tr.team-head")).to_have_text("团队“精工代表队”· 3 人")
    expect(table.locator("tr.team-member-row")).to_have_count(2)
    body = page.content()
    assert all(number not in body for number in numbers) and "13912345678" not in body
    db.session.rollback()

    for size, viewport in SIZES:
        view = _open(new_page, size, viewport)
        view.goto(live_server.url + "/login")
        view.fill("#username", username)
        view.fill("#password", PASSWORD)
        view.click("main form button[type=submit]")
        view.wait_for_url("**/home")
        view.goto(f"{base}/entries")
        expect(view.locator("#entries-table tr.team-head")).to_be_visible()
        sideways = view.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert sideways <= 0, f"the entries list scrolls {sideways} px sideways ({size})"
        screenshot(view, f"team-entries-{size}")
        view.goto(f"{base}/teams/new")
        expect(view.locator("fieldset.team-member")).to_have_count(3)
        screenshot(view, f"team-register-{size}")


def test_public_results_list_every_member_and_verify_their_certificates(
    db: Any, ready_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    ns = ready_contest(entries=5)
    make_teams(db, ns)
    snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    contest_id = ns.contest.id
    member = next(r for r in snapshot.rows if r.name == "队员1-2")
    number, captain = member.certificate_no, snapshot.rows[0].name
    db.session.commit()

    for size, viewport in SIZES:
        page = _open(new_page, size, viewport)
        page.goto(f"{live_server.url}/results/{contest_id}")
        heads = page.locator(".results-table tr.team-head")
        expect(heads).to_have_count(5)
        expect(heads.first).to_have_text("团队“第1队”")
        names = page.locator(".results-table td.name")
        expect(names).to_have_count(15)
        expect(names.nth(0)).to_contain_text(captain)
        expect(names.nth(2)).to_have_text("队员1-2")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        body = page.content()
        assert ID_NUMBER not in body and PHONE not in body
        screenshot(page, f"team-results-{size}")

    page.goto(f"{live_server.url}/verify/{number}")
    expect(page.locator(".verify-ok")).to_contain_text("“第1队”成员")
    expect(page.locator(".verify-ok")).to_contain_text("队员1-2")
    screenshot(page, "team-certificate-verify")
