"""A federation starts from an empty database: the admin imports the union tree, creates an
organizer, and the organizer imports the district's workers and creates a contest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from contest.models import Organization, Person
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

TREE = [
    [
        "组织名称",
        "类型",
        "上级工会",
        "组织代码",
        "所属单位",
        "统一社会信用代码",
        "所有制",
        "职工人数",
        "会员人数",
        "统计日期",
    ],
    ["江州市总工会", "市总工会", "", "JZ", "", "", "", "", "", ""],
    ["东湖区总工会", "区县总工会", "JZ", "JZ-01", "", "", "", "", "", ""],
    ["西山区总工会", "区县总工会", "JZ", "JZ-02", "", "", "", "", "", ""],
    [
        "江州机床集团工会",
        "基层工会",
        "JZ-01",
        "JZ-0101",
        "江州机床集团有限公司",
        "91110000600037341L",
        "国有",
        1200,
        1150,
        "2026-06-30",
    ],
    ["一车间分工会", "分工会", "JZ-0101", "", "", "", "", 180, 176, "2026-06-30"],
    [
        "西山纺织厂工会",
        "基层工会",
        "西山区总工会",
        "JZ-0201",
        "西山纺织有限公司",
        "",
        "非公有制",
        300,
        260,
        "2026-06-30",
    ],
]


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _id_number(first17: str) -> str:
    from contest.validation import id_check_digit

    return first17 + id_check_digit(first17)


def _login(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")


def test_a_federation_builds_its_tree_from_an_empty_database(
    db: Any,
    make_user: Any,
    live_server: Any,
    new_page: Any,
    screenshot: Any,
    tmp_path: Path,
) -> None:
    admin = make_user("admin", username="root")
    base = live_server.url

    # The admin loads the tree from Excel; a wrong file first shows every problem.
    page = new_page("laptop")
    _login(page, base, admin.username)
    page.goto(base + "/orgs/")
    expect(page.get_by_text("还没有组织")).to_be_visible()
    page.get_by_role("link", name="从 Excel 导入组织").click()
    bad = _xlsx(tmp_path / "bad.xlsx", [TREE[0], ["某某工会", "不知道", "没有这个上级"]])
    page.set_input_files("#file", str(bad))
    page.get_by_role("button", name="导入").click()
    report = page.locator("#import-errors")
    # The import runs as a job with progress: wait for its report, never read it at once.
    expect(report.get_by_text("类型应为")).to_be_visible()
    expect(report.get_by_text("找不到上级工会")).to_be_visible()
    page.set_input_files("#file", str(_xlsx(tmp_path / "tree.xlsx", TREE)))
    page.get_by_role("button", name="导入").click()
    expect(page.get_by_text("新增组织 6 个").first).to_be_visible()
    screenshot(page, "orgs-import-done-desktop")

    # The tree: deeper unions start collapsed; a toggle opens them without a reload.
    page.goto(base + "/orgs/")
    workshop = page.get_by_role("link", name="一车间分工会")
    expect(workshop).to_be_hidden()
    page.get_by_role("button", name="全部展开").click()
    expect(workshop).to_be_visible()
    screenshot(page, "orgs-tree-desktop")
    page.get_by_role("link", name="江州机床集团工会").click()
    expect(page.get_by_text("91110000600037341L")).to_be_visible()
    expect(page.get_by_text("入会率 95.8%")).to_be_visible()
    screenshot(page, "orgs-show-desktop")

    # The admin creates the district's organizer; the form starts at the least privileged role.
    page.goto(base + "/admin/users")
    assert page.locator("#role").input_value() == "judge"
    page.fill("#username", "donghu")
    page.fill("#display_name", "东湖区工会 王敏")
    page.select_option("#role", "organizer")
    page.select_option("#organization_id", label="    东湖区总工会")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="创建", exact=True).click()
    expect(page.get_by_text("donghu").first).to_be_visible()
    # The organizer sees their district only, imports its workers and creates a contest.
    organizer = new_page("tablet")
    organizer.set_viewport_size({"width": 820, "height": 1180})
    _login(organizer, base, "donghu")
    organizer.goto(base + "/orgs/")
    expect(organizer.get_by_role("link", name="东湖区总工会")).to_be_visible()
    assert organizer.get_by_role("link", name="西山纺织厂工会").count() == 0
    organizer.get_by_role("button", name="全部展开").click()
    screenshot(organizer, "orgs-tree-tablet")
    organizer.get_by_role("link", name="导入/导出职工").click()
    people = _xlsx(
        tmp_path / "people.xlsx",
        [
            ["姓名", "单位", "身份证号", "性别", "工种", "人员类别"],
            [
                "李秀兰",
                "JZ-0101",
                _id_number("11010519900307124"),
                "女",
                "数控车工",
                "一线职工",
            ],
            ["王建国", "一车间分工会", _id_number("11010519850612135"), "男", "钳工", ""],
        ],
    )
    organizer.set_input_files("#file", str(people))
    organizer.get_by_role("button", name="导入").click()
    expect(organizer.get_by_text("新增职工 2 位").first).to_be_visible()
    organizer.goto(base + "/contests/")
    organizer.get_by_role("link", name="创建大赛").first.click()
    organizer.fill("#name", "东湖区数控技能大赛")
    organizer.select_option("#level", "district")
    organizer.fill("#year", "2026")
    organizer.select_option("#organization_id", label="东湖区总工会")
    organizer.fill("#starts_on", "2026-10-20")
    organizer.fill("#ends_on", "2026-10-21")
    organizer.get_by_role("button", name="保存").click()
    expect(organizer.get_by_role("heading", name="东湖区数控技能大赛")).to_be_visible()
    phone = new_page("phone")
    _login(phone, base, "donghu")
    phone.goto(base + "/orgs/")
    screenshot(phone, "orgs-tree-phone")
    phone.get_by_role("button", name="全部展开").click()
    phone.get_by_role("link", name="一车间分工会").click()
    expect(phone.get_by_role("heading", name="一车间分工会")).to_be_visible()
    screenshot(phone, "orgs-show-phone")
    phone.get_by_role("link", name="撤销").click()
    screenshot(phone, "orgs-close-phone")
    for path, name in (
        ("/orgs/new", "orgs-new-phone"),
        ("/orgs/people/import", "people-import-phone"),
    ):
        phone.goto(base + path)
        screenshot(phone, name)
    db.session.rollback()  # end the test's read transaction: see what the server wrote
    assert db.session.query(Organization).count() == 6
    assert db.session.query(Person).count() == 2
