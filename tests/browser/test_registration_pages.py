"""An organizer imports entrants (a refused file, then a clean one), draws 参赛号, and assigns
the panel with recusal; screenshots of the import report and the who-scores-what matrix."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from contest.validation import id_check_digit
from tests.browser.support import confirm
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

HEADERS = ["姓名", "身份证号", "性别", "单位", "赛项（工种）", "组别", "联系电话", "岗位"]


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_id_number(first14: str, sequence: str) -> str:
    return first14 + sequence + id_check_digit(first14 + sequence)


def test_import_draw_and_assign(
    db: Any,
    make_contest: Any,
    make_user: Any,
    live_server: Any,
    new_page: Any,
    screenshot: Any,
) -> None:
    c = make_contest(status="registration", entries=0, judges=3)
    insider = make_user("judge", username="judge-insider", organization=c.units[0])
    numbers = [make_id_number("11010519880512", f"{n:03d}") for n in range(11, 31, 2)]
    names = ["陈建国", "刘洋", "张丽", "王磊", "李娜", "赵刚", "周敏", "吴涛"]
    good = [
        [name, numbers[i], "", c.units[i % 2].name, "数控车工", "职工组", "", "车工"]
        for i, name in enumerate(names)
    ]
    bad = [
        *good[:3],
        [
            "孙悦",
            numbers[8][:-1] + ("1" if numbers[8][-1] != "1" else "2"),
            "",
            c.units[0].name,
            "数控车工",
            "职工组",
            "",
            "",
        ],
        ["钱进", numbers[9], "", "江州不存在厂", "数控车工", "职工组", "", ""],
        ["郑华", numbers[1], "", c.units[1].name, "数控车工", "职工组", "", ""],
        ["冯雪", numbers[9][:6] + "201001017", "", c.units[1].name, "焊工", "职工组", "", ""],
    ]

    # Plain values only from here on, and no open transaction in this thread: on SQLite a
    # test-thread transaction left open would hold up the server's writes.
    contest_id, event_id, username = c.contest.id, c.event.id, c.organizer.username
    insider_id, judge_id = insider.id, c.judges[1].id
    db.session.commit()

    page = new_page("laptop")
    page.goto(live_server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")

    page.goto(f"{live_server.url}/contests/{contest_id}/entries/import")
    page.set_input_files(
        "input[type=file]",
        {"name": "报名表.xlsx", "mimeType": "application/octet-stream", "buffer": _xlsx(bad)},
    )
    page.click("main form button[type=submit]")
    report = page.locator("#import-errors")
    report.wait_for()
    text = report.inner_text()
    assert "未写入任何数据" in text and "未知单位" in text and "与第 3 行重复" in text
    assert numbers[1] not in page.content()
    screenshot(page, "registration-import-report")

    page.set_input_files(
        "input[type=file]",
        {"name": "报名表.xlsx", "mimeType": "application/octet-stream", "buffer": _xlsx(good)},
    )
    page.click("main form button[type=submit]")
    page.locator("#import-result").wait_for()

    base = f"{live_server.url}/contests/{contest_id}/events/{event_id}"
    page.goto(f"{base}/draws")
    page.fill("#entry-seed", "2026-10-20-A")
    page.click("#entry-draw button[type=submit]")
    confirm(page, "抽取参赛号", "不能重抽")
    assert "抽签完成" in page.locator(".flashes").inner_text()

    page.goto(f"{base}/entries")
    page.locator("#entries-table button", has_text="检录").first.click()
    expect(page.locator("[data-desk-status]")).to_contain_text("已检录")  # answered in place
    assert numbers[0] not in page.content()  # ID numbers only masked
    screenshot(page, "registration-entries")
    # The others arrive too: once check-in is used, only the checked-in are assigned.
    waiting = page.locator("#entries-table").get_by_role("button", name="检录", exact=True)
    while (count := waiting.count()) > 0:
        waiting.first.click()
        expect(waiting).to_have_count(count - 1)
    page.goto(f"{base}/draws/entry-list")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    screenshot(page, "registration-entry-list-print")
    page.emulate_media(media="screen")

    page.goto(f"{base}/panels")
    page.select_option("#add-user_id", str(insider_id))
    page.click("#add-judge-form button[type=submit]")
    page.select_option("#conflict-user_id", str(judge_id))
    page.select_option("#conflict-entry_id", index=1)
    page.fill("#conflict-reason", "师徒关系")
    page.click("#conflict-form button[type=submit]")
    page.select_option("#assign-mode", "balanced")
    page.fill("#assign-k", "3")
    page.click("#assign-form button[type=submit]")
    flashes = page.locator(".flashes").inner_text()
    assert "因回避跳过 5 个" in flashes  # 4 same-unit entries + 1 declared
    matrix = page.locator("#matrix")
    assert matrix.locator("td.cell-recused").count() == 5
    screenshot(page, "registration-panel-matrix")
