"""No-shows and a short field when registration closes, then 缺考 on the public results (#16
items 2 and 11), in a real browser at phone, tablet and desktop widths."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from contest.models import ContestStatus, EntryStatus, HonorLevel
from contest.models.base import utcnow
from contest.services.skills import draws, policies, publishing, status, turnout
from tests.browser.test_confirm_dialogs import SIZES
from tests.browser.test_confirm_dialogs import _open as signed_in
from tests.contest.results_fixtures import ready_contest_fixture  # noqa: F401

pytestmark = pytest.mark.browser


def _public(new_page: Any, size: str) -> Any:
    page = new_page("laptop")
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    return page


def test_closing_registration_asks_about_no_shows_and_the_short_field(
    db: Any, make_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    made = make_contest(status="registration", entries=5, judges=2)
    made.contest.level = HonorLevel.PROVINCIAL  # minimum field 30: five entrants are too few
    made.event.entry_drawn_at = utcnow()
    late, no_show = made.entries[-2:]
    for entry in (late, no_show):
        entry.status = EntryStatus.REGISTERED
        entry.seat_code = None
    db.session.commit()
    contest_url = f"{live_server.url}/contests/{made.contest.id}"

    for size in ("phone", "tablet"):
        page = signed_in(new_page, size, live_server.url, made.organizer)
        page.goto(contest_url)
        expect(page.locator(".closing-no-shows legend")).to_have_text("2 名选手报名后未检录")
        screenshot(page, f"closing-questions-{size}")

    page = signed_in(new_page, "desktop", live_server.url, made.organizer)
    page.goto(contest_url)
    questions = page.locator(".closing")
    expect(questions.locator(".closing-short")).to_contain_text("少于本赛项最低参赛人数 30 人")
    screenshot(page, "closing-questions-desktop")

    # Someone checks the late entrant in while the page is open: the answer is stale.
    draws.check_in(made.organizer, late)
    db.session.commit()
    questions.get_by_label("标记缺考", exact=False).check()
    questions.get_by_label("照常比赛", exact=False).check()
    page.get_by_role("button", name="进入「比赛评分中」").click()
    expect(page.locator(".flash-danger")).to_contain_text("检录或报名情况已变化")
    db.session.rollback()
    assert made.contest.status.value == "registration"
    expect(page.locator(".closing-no-shows legend")).to_have_text("1 名选手报名后未检录")

    questions.get_by_label("标记缺考", exact=False).check()
    questions.get_by_label("照常比赛", exact=False).check()
    page.get_by_role("button", name="进入「比赛评分中」").click()
    expect(page.locator(".flash-success")).to_contain_text("大赛状态已改为「比赛评分中」")
    expect(page.locator(".events-table").get_by_text("只排名、不评奖", exact=True)).to_be_visible()
    screenshot(page, "closing-done-desktop")
    db.session.rollback()
    assert no_show.status is EntryStatus.ABSENT and late.status is EntryStatus.CHECKED_IN
    assert policies.field_decision(made.event) == "no_awards"

    # The absent entrant is gone from the judges' matrix; the late one is there.
    page.goto(f"{contest_url}/events/{made.event.id}/panels")
    matrix = page.locator("main")
    expect(matrix).to_contain_text(late.code or "")
    expect(matrix).not_to_contain_text(no_show.entry_code or "")


def test_a_field_made_short_by_no_shows_is_asked_about(
    db: Any, make_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    """Six registered, three checked in, minimum four: 缺考 leaves three, so the form asks about
    the field the no-shows leave, and refuses 缺考 until that question is answered."""
    made = make_contest(status="registration", entries=6, judges=2)
    made.event.policy = {"min_field": 4}
    made.event.entry_drawn_at = utcnow()
    for entry in made.entries[3:]:
        entry.status = EntryStatus.REGISTERED
        entry.seat_code = None
    db.session.commit()
    contest_url = f"{live_server.url}/contests/{made.contest.id}"
    for size in ("phone", "tablet", "desktop"):
        page = signed_in(new_page, size, live_server.url, made.organizer)
        page.goto(contest_url)
        expect(page.locator(".closing-short-if-absent")).to_contain_text(
            "若将未检录的选手标记缺考，实到 3 人，少于本赛项最低参赛人数 4 人"
        )
        screenshot(page, f"closing-short-if-absent-{size}")
    questions = page.locator(".closing")
    questions.get_by_label("标记缺考", exact=False).check()
    page.get_by_role("button", name="进入「比赛评分中」").click()
    expect(page.locator(".flash-danger")).to_contain_text("参赛人数不足")
    db.session.rollback()
    assert made.contest.status.value == "registration"
    questions.get_by_label("标记缺考", exact=False).check()
    questions.get_by_label("照常比赛", exact=False).check()
    page.get_by_role("button", name="进入「比赛评分中」").click()
    expect(page.locator(".flash-success")).to_contain_text("大赛状态已改为「比赛评分中」")
    db.session.rollback()
    assert policies.field_decision(made.event) == "no_awards"
    assert all(e.status is EntryStatus.ABSENT for e in made.entries[3:])


def test_a_seated_event_offers_no_keep(
    db: Any, make_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    """After the seat draw nobody can check in, so the form says why instead of offering 保留."""
    made = make_contest(status="registration", entries=4, judges=2)
    made.event.entry_drawn_at = made.event.seat_drawn_at = utcnow()
    no_show = made.entries[-1]
    no_show.status = EntryStatus.REGISTERED
    no_show.seat_code = None
    db.session.commit()
    for size in ("phone", "desktop"):
        page = signed_in(new_page, size, live_server.url, made.organizer)
        page.goto(f"{live_server.url}/contests/{made.contest.id}")
        questions = page.locator(".closing")
        expect(questions.locator(".closing-seated")).to_have_text(
            "A 已抽取赛位号，不能再检录，其未检录的选手将标记缺考。"
        )
        expect(questions.get_by_label("保留", exact=False)).to_have_count(0)
        screenshot(page, f"closing-seated-{size}")
    page.get_by_role("button", name="进入「比赛评分中」").click()
    expect(page.locator(".flash-success")).to_contain_text("大赛状态已改为「比赛评分中」")
    db.session.rollback()
    assert no_show.status is EntryStatus.ABSENT


def test_public_results_list_the_absent_last_without_rank(
    db: Any, ready_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    ns = ready_contest(entries=6)
    absent = ns.entries[2]
    absent.status = EntryStatus.ABSENT
    db.session.commit()
    publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    for size in ("phone", "tablet", "desktop"):
        page = _public(new_page, size)
        page.goto(f"{live_server.url}/results/{ns.contest.id}")
        last = page.locator(".results-table tbody tr").last
        expect(last).to_contain_text(absent.person.name)
        expect(last.locator(".absent")).to_have_text("缺考")
        expect(last.locator("td.rank")).to_have_text("—")
        expect(last.locator(".award")).to_have_count(0)
        screenshot(page, f"results-absent-{size}")


def test_a_cancelled_event_shows_as_cancelled(
    db: Any, make_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    made = make_contest(status="registration", entries=3, judges=1)
    made.event.policy = {"min_field": 10}
    db.session.commit()
    found = turnout.questions(made.contest)
    answers = turnout.Answers(turnout.answer_key(found), fields={made.event.id: "cancel"})
    status.transition(made.organizer, made.contest, ContestStatus.JUDGING, answers=answers)
    status.transition(made.organizer, made.contest, ContestStatus.REVIEW)
    publishing.publish(made.organizer, made.contest)
    db.session.commit()
    for size in ("phone", "desktop"):
        page = _public(new_page, size)
        page.goto(f"{live_server.url}/results/{made.contest.id}")
        expect(page.locator(".event-cancelled")).to_contain_text("已取消")
        expect(page.locator(".results-table")).to_have_count(0)
        screenshot(page, f"results-cancelled-{size}")
