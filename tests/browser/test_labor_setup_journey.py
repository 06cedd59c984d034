"""An organizer sets up a 重大工程 labor competition in the browser, end to end: creates it,
applies the 六比一创 indicator template, adds two tracks, registers participants by the form
(a unit and a 班组 inside it) and by an .xlsx 参赛名录, generates monthly rounds, forms the
assessment team with a chief, and starts the competition. The main pages are shot at phone
(390), tablet (820) and desktop (1280) widths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from contest.models import OrgKind
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 390, "tablet": 820, "desktop": 1280}


def _roster(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "参赛名录"
    sheet.append(["名称", "类型", "所属单位", "所属组织", "赛道（分组）", "备案日期", "联系人账号"])
    sheet.append(["江州地铁三号线一标段", "项目（标段）", "", "", "机电组", "2026-03-02", ""])
    sheet.append(["江州地铁公司", "单位", "", "江州地铁公司工会", "机电组", "2026-03-02", ""])
    sheet.append(["供电班组", "班组", "江州地铁公司", "", "", "", ""])
    book.save(path)
    return path


def _shoot(page: Any, screenshot: Any, name: str) -> None:
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"labor-{name}-{label}")
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})


def test_organizer_sets_up_a_major_project_competition(
    db: Any,
    make_org: Any,
    make_user: Any,
    live_server: Any,
    new_page: Any,
    screenshot: Any,
    tmp_path: Path,
) -> None:
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    builder = make_org(name="江州建工集团工会", kind=OrgKind.GRASSROOTS, parent=host)
    make_org(name="江州地铁公司工会", kind=OrgKind.GRASSROOTS, parent=host)
    organizer = make_user("organizer", username="zhang_org", organization=host)
    make_user("judge", username="li_judge", organization=host)
    make_user("judge", username="wang_judge", organization=host)
    make_user("recommender", username="zhao_contact", organization=builder)
    username = organizer.username
    db.session.rollback()  # end the test's read transaction before the server writes

    page = new_page("laptop")
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    page.goto(live_server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")

    # Create the competition: the menu leads to the list, the list to the form.
    page.goto(live_server.url + "/labor/")
    expect(page.get_by_role("heading", name="劳动竞赛与工会评级")).to_be_visible()
    page.get_by_role("link", name="创建竞赛").first.click()
    page.fill("#name", "2026 年江州市重点工程劳动竞赛")
    page.select_option("#kind", "project")
    page.fill("#starts_on", "2026-03-01")
    page.fill("#ends_on", "2026-08-31")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash-success")).to_contain_text("下一步：设置考核指标")

    # The 六比一创 template: 100 points, veto items, bonus items capped at 5.
    page.select_option("#tpl-template", "project_six_compare")
    page.get_by_role("button", name="套用模板").click()
    expect(page.locator(".flash-success")).to_contain_text("已套用模板")
    expect(page.locator(".sheet-total")).to_contain_text("满分 100 分")
    expect(page.locator("tr.item-veto").first).to_be_visible()
    expect(page.locator("#rules-bonus_cap")).to_have_value("5")
    _shoot(page, screenshot, "indicators")

    # A rate item shows its threshold and steps, not a veto's scope (indicators.js).
    page.locator("#sheet tr.item-rate").first.get_by_role("link", name="编辑").click()
    expect(page.locator("#threshold")).to_be_visible()
    expect(page.locator("#veto_effect")).to_be_hidden()
    page.select_option("#kind", "veto")
    expect(page.locator("#veto_effect")).to_be_visible()
    expect(page.locator("#threshold")).to_be_hidden()
    page.select_option("#kind", "rate")
    _shoot(page, screenshot, "item")
    page.get_by_role("link", name="返回考核指标").click()

    # Two tracks on the overview.
    page.get_by_role("link", name="基本信息").click()
    for track in ("土建组", "机电组"):
        page.fill("#tracks #name", track)
        page.locator("#tracks").get_by_role("button", name="添加").click()
        expect(page.locator(".flash-success")).to_contain_text(track)

    # A unit by the form, then a 班组 inside it (the parent field shows only for a 班组).
    page.get_by_role("link", name="参赛名录").click()
    page.get_by_role("link", name="添加参赛单位").first.click()
    expect(page.locator("#parent_id")).to_be_hidden()
    page.fill("#name", "江州建工一公司")
    page.select_option("#organization_id", label="\u3000江州建工集团工会")
    page.select_option("#track_id", label="土建组")
    page.fill("#registered_on", "2026-03-01")
    page.fill("#contact", "zhao_contact")
    _shoot(page, screenshot, "participant-form")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("江州建工一公司")
    page.get_by_role("link", name="江州建工一公司").click()
    page.get_by_role("link", name="添加班组").click()
    expect(page.locator("#parent_id")).to_be_visible()
    expect(page.locator("#organization_id")).to_be_hidden()
    page.fill("#name", "钢筋班组")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#roster")).to_contain_text("钢筋班组")

    # And the rest by an .xlsx 参赛名录.
    page.get_by_role("link", name="Excel 导入").click()
    page.set_input_files("#file", str(_roster(tmp_path / "roster.xlsx")))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator("#import-result")).to_contain_text("导入完成")
    page.get_by_role("link", name="返回参赛名录").click()
    expect(page.locator("#roster tbody tr")).to_have_count(5)
    _shoot(page, screenshot, "participants")

    # Monthly rounds between the competition's dates.
    page.get_by_role("link", name="轮次").click()
    expect(page.locator("#s-milestones")).to_be_hidden()
    page.select_option("#s-pattern", "monthly")
    page.get_by_role("button", name="生成轮次").click()
    expect(page.locator(".flash-success")).to_contain_text("已生成 6 个轮次")
    expect(page.locator("#round-list tbody tr")).to_have_count(6)
    _shoot(page, screenshot, "rounds")

    # The assessment team: a chief for every track, a member for 机电组 only.
    page.get_by_role("link", name="考评组").click()
    page.select_option("#user_id", label="li_judge（li_judge · 评委）")
    page.check("#is_chief")
    page.get_by_role("button", name="添加", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("li_judge")
    page.select_option("#user_id", label="wang_judge（wang_judge · 评委）")
    page.select_option("#track_id", label="机电组")
    page.get_by_role("button", name="添加", exact=True).click()
    expect(page.locator("#team tbody tr")).to_have_count(2)
    expect(page.locator("#team")).to_contain_text("组长")
    _shoot(page, screenshot, "assessors")

    # Everything is in place: the competition starts.
    page.get_by_role("link", name="基本信息").click()
    expect(page.locator("#status")).to_contain_text("条件已满足")
    page.get_by_role("button", name="开始竞赛").click()
    expect(page.locator(".flash-success")).to_contain_text("进行中")
    expect(page.locator(".labor-header .tag")).to_have_text("进行中")
    _shoot(page, screenshot, "overview")

    page.goto(live_server.url + "/labor/")
    expect(page.locator("#competitions")).to_contain_text("重大工程（项目）劳动竞赛")
    _shoot(page, screenshot, "index")
