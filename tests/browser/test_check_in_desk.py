"""检录 at the door on a tablet (#16 item 3): search by name, ID tail or 参赛号; two check-ins
without a page reload, the list keeping its scroll position while 已检录 / 应到 counts up in
the sticky bar; and the codes kept apart (#16 item 1): the desk lists 参赛号 only, the judge's
tasks list seats as 工位 A-07. Screenshots at 390, 820 and 1366 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from contest.models import EntryStatus
from contest.services.skills.draws import draw_entry_codes
from contest.services.skills.registration import EntrantData, register_entry
from contest.validation import id_check_digit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

NAMES = [
    "陈建国", "刘洋", "张丽", "王磊", "李娜", "赵刚", "周敏", "吴涛", "郑华", "冯雪",
    "孙悦", "钱进", "何平", "高峰", "林静", "罗军", "梁爽", "宋涛", "谢芳", "韩冰",
    "唐亮", "许晴", "邓超", "萧然",
]  # fmt: skip


def _id_number(n: int) -> str:
    first17 = f"11010519880512{n:03d}"
    return first17 + id_check_digit(first17)


def _login(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")


@pytest.fixture
def desk(db: Any, make_contest: Any) -> Any:
    """An event in registration with its 参赛号 drawn: 24 entrants, enough to scroll."""
    c = make_contest(status="registration", entries=0, judges=2)
    entries = [
        register_entry(
            c.organizer,
            c.contest,
            EntrantData(
                name=name,
                id_number=_id_number(100 + i),
                organization_id=c.units[i % 2].id,
                event_id=c.event.id,
            ),
        )
        for i, name in enumerate(NAMES)
    ]
    draw_entry_codes(c.organizer, c.event, seed="door-2026")
    db.session.commit()
    c.by_code = sorted(entries, key=lambda e: e.entry_code)
    c.url = f"/contests/{c.contest.id}/events/{c.event.id}/entries"
    return c


def test_check_in_at_the_door_on_a_tablet(
    db: Any, desk: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    tail_entry = desk.by_code[5]
    tail = _id_number(100 + NAMES.index(tail_entry.person.name))[-4:]
    first, second = desk.by_code[17], desk.by_code[20]  # far down the list
    first_id, second_id, username = first.id, second.id, desk.organizer.username
    db.session.commit()

    page = new_page("tablet")
    page.set_viewport_size({"width": 820, "height": 1180})
    _login(page, live_server.url, username)
    page.goto(live_server.url + desk.url)
    count = page.locator("[data-desk-checked]")
    expect(count).to_have_text("0")
    expect(page.locator("[data-desk-expected]")).to_have_text("24")
    # Only the 参赛号 column: the desk never lists seats among entry codes.
    headers = page.locator("#entries-table thead th").all_inner_texts()
    assert "参赛号" in headers and "赛位号" not in headers

    # Search by name, by the ID tail (the full number never appears), by code.
    page.fill("#desk-q", "王磊")
    page.get_by_role("button", name="查找", exact=True).click()
    expect(page.locator("[data-entry-row]")).to_have_count(1)
    expect(page.locator("[data-entry-row]")).to_contain_text("王磊")
    page.fill("#desk-q", tail)
    page.get_by_role("button", name="查找", exact=True).click()
    expect(page.locator("[data-entry-row]")).to_have_count(1)
    expect(page.locator("[data-entry-row]")).to_contain_text(tail_entry.person.name)
    assert _id_number(100 + NAMES.index(tail_entry.person.name)) not in page.content()
    page.fill("#desk-q", tail_entry.entry_code.lower())
    page.get_by_role("button", name="查找", exact=True).click()
    expect(page.locator("[data-entry-row]")).to_have_count(1)
    page.get_by_role("link", name="显示全部", exact=True).click()
    expect(page.locator("[data-entry-row]")).to_have_count(24)
    page.fill("#desk-q", "A01")  # refused as incomplete, back to the whole list
    page.get_by_role("button", name="查找", exact=True).click()
    expect(page.locator(".flash-danger")).to_contain_text("不完整")
    expect(page.locator("[data-entry-row]")).to_have_count(24)

    # Masked IDs stay on one line, and 检录 is a large target well apart from 退赛.
    cell = page.locator(f"#entry-{first_id} .id-masked")
    assert cell.evaluate("c => getComputedStyle(c).whiteSpace") == "nowrap"
    check = page.locator(f"#entry-{first_id}").get_by_role("button", name="检录", exact=True)
    withdraw = page.locator(f"#entry-{first_id}").get_by_role("link", name="退赛", exact=True)
    check_box, withdraw_box = check.bounding_box(), withdraw.bounding_box()
    assert check_box["height"] >= 44 and check_box["width"] >= 44
    assert withdraw_box["height"] >= 44
    assert withdraw_box["x"] - (check_box["x"] + check_box["width"]) >= 24

    # Two check-ins far down the list: no reload, the scroll position kept, the counter moves.
    page.evaluate("window.__desk_page = 'same'")
    check.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 40)")
    before = page.evaluate("window.scrollY")
    assert before > 300
    check.click()
    expect(page.locator(f"#entry-{first_id} [data-entry-status]")).to_have_text("已检录")
    expect(count).to_have_text("1")
    expect(page.locator("[data-desk-status]")).to_contain_text(first.person.name)
    assert page.evaluate("window.scrollY") == before
    page.locator(f"#entry-{second_id}").get_by_role("button", name="检录", exact=True).click()
    expect(page.locator(f"#entry-{second_id} [data-entry-status]")).to_have_text("已检录")
    expect(count).to_have_text("2")
    assert page.evaluate("window.__desk_page") == "same"  # the page was never reloaded
    # The bar with the count stays in view while the list is scrolled.
    bar = page.locator("[data-desk]").bounding_box()
    assert 0 <= bar["y"] < 1180
    expect(page.locator(f"#entry-{first_id}").get_by_role("button", name="检录")).to_have_count(0)

    db.session.rollback()
    statuses = {e.id: e.status for e in desk.by_code}
    assert statuses[first_id] is EntryStatus.CHECKED_IN
    assert statuses[second_id] is EntryStatus.CHECKED_IN
    assert sum(s is EntryStatus.CHECKED_IN for s in statuses.values()) == 2

    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "check-in-desk-820")
    for width, height, name in ((390, 844, "390"), (1366, 768, "1366")):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + desk.url)
        expect(page.locator("[data-desk-checked]")).to_have_text("2")
        sideways = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert sideways <= 0, f"the desk scrolls {sideways} px sideways at {name} px"
        screenshot(page, f"check-in-desk-{name}")


def test_check_in_without_javascript_comes_back_to_the_row(
    db: Any, desk: Any, live_server: Any, new_page: Any
) -> None:
    entry = desk.by_code[3]
    entry_id, username, code = entry.id, desk.organizer.username, entry.entry_code
    db.session.commit()
    page = new_page("phone", java_script_enabled=False)
    _login(page, live_server.url, username)
    page.goto(live_server.url + desk.url + "?q=" + code)
    page.locator(f"#entry-{entry_id}").get_by_role("button", name="检录", exact=True).click()
    page.wait_for_url(f"**/entries?q={code}#entry-{entry_id}")
    expect(page.locator(".flash-success")).to_contain_text(f"参赛号 {code} 已检录")
    expect(page.locator(f"#entry-{entry_id} [data-entry-status]")).to_have_text("已检录")
    db.session.rollback()
    assert db.session.get(type(entry), entry_id).status is EntryStatus.CHECKED_IN
