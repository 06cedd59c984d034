"""Confirmation dialogs of actions that cannot be undone, in a real browser (#16 item 4).

On a phone (删除评分项), a tablet (抽取参赛号) and a desktop (移出评委, 停用账号) each button opens
an in-page <dialog> naming the consequence — never a native confirm(): Esc and 取消 close it,
focus returns to the button and nothing happens; its confirm button does the action. Without
JavaScript the same button leads to the server's confirmation page, which still lets the
organizer proceed.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from contest.models import Event, RubricCriterion, User
from contest.services.skills import access
from tests.conftest import PASSWORD
from tests.contest.review_support import ready_to_sign

pytestmark = pytest.mark.browser

NATIVE_DIALOGS: dict[int, list[str]] = {}  # window.confirm/alert seen per page: must stay empty
SIZES = {"phone": (390, 844), "tablet": (820, 1180), "desktop": (1366, 900)}


@pytest.fixture
def c(db: Any, make_contest: Any) -> Any:
    return make_contest(status="registration", entries=3, judges=3)


def _open(new_page: Any, size: str, base: str, user: Any, **options: Any) -> Any:
    page = new_page("laptop", **options)
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    natives = NATIVE_DIALOGS.setdefault(id(page), [])
    page.on("dialog", lambda d: (natives.append(d.message), d.dismiss()))
    page.goto(base + "/login")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")
    return page


def _cancel_twice_then_confirm(
    page: Any, button: Any, action: str, consequence: str, unchanged: Any, shot: Any, name: str
) -> None:
    """Esc cancels, 取消 cancels (focus back on the button, nothing done), then confirm acts."""
    dialog = page.locator("dialog.confirm-dialog")
    button.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(consequence)
    expect(dialog.get_by_role("button", name="取消", exact=True)).to_be_focused()
    shot(page, f"confirm-{name}")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
    button.click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="取消", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
    unchanged()
    button.click()
    dialog.get_by_role("button", name=action, exact=True).click()
    assert not NATIVE_DIALOGS.get(id(page))


def test_phone_deletes_a_criterion_only_when_confirmed(
    db: Any, c: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    criterion_id = c.components["practical"].criteria[0].id  # 零件加工: P1, P2
    page = _open(new_page, "phone", live_server.url, c.organizer)
    page.goto(f"{live_server.url}/contests/{c.contest.id}/events/{c.event.id}/rubric")
    button = page.locator(f"#criterion-{criterion_id}").get_by_role(
        "button", name="删除评分项", exact=True
    )

    def unchanged() -> None:
        db.session.rollback()
        assert db.session.get(RubricCriterion, criterion_id) is not None

    _cancel_twice_then_confirm(
        page,
        button,
        "删除评分项",
        "删除「零件加工」及其 2 个评分要素，不能恢复。",
        unchanged,
        screenshot,
        "criterion-phone",
    )
    expect(page.locator(".flashes")).to_contain_text("已删除评分项")
    db.session.rollback()
    assert db.session.get(RubricCriterion, criterion_id) is None


def test_tablet_draws_entry_codes_only_when_confirmed(
    db: Any, c: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    page = _open(new_page, "tablet", live_server.url, c.organizer)
    page.goto(f"{live_server.url}/contests/{c.contest.id}/events/{c.event.id}/draws")
    page.fill("#entry-seed", "2026-A")
    button = page.locator("#entry-draw").get_by_role("button", name="抽取参赛号", exact=True)

    def unchanged() -> None:
        db.session.rollback()
        assert c.event.entry_drawn_at is None

    _cancel_twice_then_confirm(
        page,
        button,
        "抽取参赛号",
        "将为 3 名选手随机抽取参赛号。抽取后参赛号不能重抽",
        unchanged,
        screenshot,
        "draw-tablet",
    )
    expect(page.locator(".flashes")).to_contain_text("参赛号抽签完成")
    db.session.rollback()
    assert c.event.entry_draw_seed == "2026-A"


def test_desktop_removes_a_judge_and_disables_an_account_only_when_confirmed(
    db: Any, c: Any, make_user: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    judge = c.judges[2]
    judge_name = judge.name
    page = _open(new_page, "desktop", live_server.url, c.organizer)
    page.goto(f"{live_server.url}/contests/{c.contest.id}/events/{c.event.id}/panels")
    row = page.locator("#panel tr", has_text=judge_name)
    button = row.get_by_role("button", name="移出", exact=True)

    def still_member() -> None:
        db.session.rollback()
        assert access.panel_member(judge, c.event) is not None

    _cancel_twice_then_confirm(
        page,
        button,
        "移出评委组",
        "份评分任务一并取消",
        still_member,
        screenshot,
        "remove-judge-desktop",
    )
    expect(page.locator(".flashes")).to_contain_text(f"已将 {judge_name} 移出评委组")
    db.session.rollback()
    assert access.panel_member(judge, c.event) is None

    admin, target = make_user("admin"), make_user("judge")
    db.session.commit()
    target_id, target_name = target.id, target.username
    page = _open(new_page, "desktop", live_server.url, admin)
    page.goto(f"{live_server.url}/admin/users?role=judge")
    row = page.locator("tr").filter(has=page.get_by_role("cell", name=target_name, exact=True))
    button = row.get_by_role("button", name="停用", exact=True)

    def still_enabled() -> None:
        db.session.rollback()
        assert db.session.get(User, target_id).is_enabled

    _cancel_twice_then_confirm(
        page, button, "停用账号", "不能登录", still_enabled, screenshot, "disable-desktop"
    )
    expect(page.locator(".flashes")).to_contain_text(f"已停用账号 {target_name}")
    db.session.rollback()
    assert not db.session.get(User, target_id).is_enabled


@pytest.mark.parametrize("size", ["phone", "tablet", "desktop"])
def test_without_javascript_the_server_asks(
    db: Any, c: Any, live_server: Any, new_page: Any, screenshot: Any, size: str
) -> None:
    judge = c.judges[1]
    judge_name = judge.name
    page = _open(new_page, size, live_server.url, c.organizer, java_script_enabled=False)
    page.goto(f"{live_server.url}/contests/{c.contest.id}/events/{c.event.id}/panels")
    page.locator("#panel tr", has_text=judge_name).get_by_role("button", name="移出").click()
    expect(page.locator("h1")).to_have_text(f"将 {judge_name} 移出评委组？")
    expect(page.locator(".confirm-consequence")).to_contain_text("份评分任务一并取消")
    screenshot(page, f"confirm-page-{size}")
    db.session.rollback()
    assert access.panel_member(judge, c.event) is not None
    page.get_by_role("button", name="移出评委组", exact=True).click()
    expect(page.locator(".flashes")).to_contain_text(f"已将 {judge_name} 移出评委组")
    db.session.rollback()
    assert access.panel_member(judge, c.event) is None


def test_tablet_signs_off_only_when_confirmed(
    db: Any, make_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    c = make_contest(status="review", entries=4, judges=3)
    ready_to_sign(db, c)
    event_id = c.event.id
    page = _open(new_page, "tablet", live_server.url, c.chief)
    page.goto(f"{live_server.url}/review/events/{event_id}/sign-off")
    button = page.get_by_role("button", name="签字确认并锁定全部评分表", exact=True)

    def unsigned() -> None:
        db.session.rollback()
        assert db.session.get(Event, event_id).signed_off_at is None

    _cancel_twice_then_confirm(
        page,
        button,
        "签字确认",
        "签字确认后 12 份评分表全部锁定，不能再修改，也不能撤回签字",
        unsigned,
        screenshot,
        "sign-off-tablet",
    )
    expect(page.locator(".flashes")).to_contain_text("已签字确认")
    db.session.rollback()
    assert db.session.get(Event, event_id).signed_off_at is not None
