"""A 劳模服务 worker on an 820 px tablet (issue #14): signs in to the due counts, finds an
honoree in the 劳模档案 by name, records this year's health check with a note and sees the
honoree leave the health-check due list; suggests revoking another honoree's title in the
review round and starts the revocation with its ground and facts, then reports it. The admin
passes the case up the chain and decides it with its 文号 through the confirm dialog: the honor
leaves the public wall and /verify of its certificate says 已撤销. The file page, the due list
and the case are shot at 390, 820 and 1280 px on SQLite (tests/artifacts/screenshots/)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from contest.extensions import db as _db
from contest.models import HonorLevel
from contest.services.care import archive, reviews
from contest.services.core.people import PersonData, create_person
from contest.services.honors import certificates
from contest.services.honors.validity import today
from tests.browser.support import confirm, login
from tests.contest.care_archive_support import build_tree, honor

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 390, "tablet": 820, "desktop": 1280}
HEIGHT = 1000
ROUND = "东城区劳模动态管理复核"
NOTE = "血压偏高，建议三个月后复查"
DOCUMENT = "江政发〔2026〕12号"


@dataclass(frozen=True)
class World:
    checked_file: int  # 张伟: gets his health check in the browser
    revoked_name: str
    revoked_honor: int  # 陈秀英's 江州市劳动模范: revoked at the end
    certificate: str


def _world() -> World:
    """The care tree of the archive tests (东城区's care user ``care-east``, admin
    ``care-admin``) with a second 市级 劳模 in 东城区, everyone filed, and 东城区's review round
    open."""
    tree = build_tree()
    person = create_person(None, PersonData(name="陈秀英", organization=tree.east_unit))
    title = honor(person, "陈秀英", "江州市劳动模范", HonorLevel.CITY, 2016)
    archive.sync_files(tree.admin, None)  # type: ignore[arg-type]
    reviews.start_round(tree.care_east, tree.east, today().year, ROUND, None)  # type: ignore[arg-type]
    _db.session.commit()
    return World(tree.file_of("张伟").id, "陈秀英", title.id, certificates.number_of(title))


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1


def _shoot(page: Any, screenshot: Any, engine_name: str, name: str) -> None:
    """Three widths of the page on one engine (the pages are the same on both); back to the
    tablet after. Nothing may scroll sideways on the phone."""
    if engine_name != "sqlite":
        return
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": HEIGHT})
        if label == "phone":
            _no_sideways_scroll(page)
        screenshot(page, f"care-{name}-{label}")
    page.set_viewport_size({"width": WIDTHS["tablet"], "height": HEIGHT})


def test_a_care_worker_on_a_tablet_records_care_reviews_and_a_revocation_goes_up_the_chain(
    db: Any, live_server: Any, new_page: Any, screenshot: Any, engine_name: str
) -> None:
    world = _world()
    db.session.rollback()  # end the test's read transaction before the server writes
    url = live_server.url
    public = new_page("laptop")
    on_wall = public.locator(f"main a[href='/wall/{world.revoked_honor}']")
    public.goto(f"{url}/wall/?q={world.revoked_name}")
    expect(on_wall.first).to_be_visible()

    page = new_page("laptop")
    page.set_viewport_size({"width": WIDTHS["tablet"], "height": HEIGHT})
    login(page, url, "care-east")
    # Home: both 东城区 honorees are due a health check this year.
    home = page.locator(".care-home")
    expect(home.locator("a.figure", has_text="今年应安排健康体检")).to_contain_text("2")

    # 劳模档案: find 张伟 by name and open his file.
    home.get_by_role("link", name="劳模档案").click()
    page.wait_for_url("**/care/")
    page.fill("#care-q", "张伟")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/care/?q=*")
    expect(page.locator("table.care-files tbody tr")).to_have_count(1)
    page.get_by_role("link", name="张伟").click()
    page.wait_for_url(f"**/care/files/{world.checked_file}")

    # This year's health check, with a note only the care role will see.
    page.locator("details.care-add summary").click()
    page.select_option("#kind", label="健康体检")
    page.fill("#on_date", today().isoformat())
    page.fill("#place", "江州市第一人民医院体检中心")
    page.fill("#notes", NOTE)
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator(".flash-success")).to_be_visible()
    records = page.locator("table.care-records tbody tr")
    expect(records).to_have_count(1)
    expect(records.first).to_contain_text(NOTE)
    expect(records.first).to_contain_text("健康体检")
    _shoot(page, screenshot, engine_name, "file")

    # 到期名单: 张伟 is no longer due a health check this year; 陈秀英 still is.
    page.goto(f"{url}/care/due?tab=health")
    due = page.locator("table.due-table")
    expect(due).to_contain_text(world.revoked_name)
    expect(due).not_to_contain_text("张伟")
    _shoot(page, screenshot, engine_name, "due")

    # The review round: 建议撤销 for 陈秀英 with a note, then 发起撤销 from the outcome.
    page.goto(f"{url}/care/reviews")
    page.get_by_role("link", name=ROUND).first.click()
    page.wait_for_url("**/care/reviews/*")
    row = page.locator("table.review-outcomes tbody tr", has_text=world.revoked_name)
    row.get_by_label("建议撤销").check()
    row.locator("textarea").fill("群众来信反映其事迹材料中的技术成果系他人完成，经单位核实属实")
    row.get_by_role("button", name="保存").click()
    expect(page.locator(".flash-success")).to_contain_text("建议撤销")
    page.get_by_role("link", name="全部", exact=True).click()
    page.wait_for_url("**show=all*")
    row = page.locator("table.review-outcomes tbody tr", has_text=world.revoked_name)
    row.get_by_role("link", name="发起撤销").click()
    page.wait_for_url("**/care/revocations/new*")
    page.select_option("#ground", label="事迹严重失实")
    page.fill(
        "#facts",
        "经单位调取技术革新档案、走访班组职工，其申报事迹中的主要成果系班组集体完成，"
        "本人并非主要完成人，申报材料严重失实。",
    )
    page.get_by_role("button", name="提出撤销").click()
    page.wait_for_url("**/care/revocations/*")
    case_url = page.url.split("#")[0]
    expect(page.locator(".flash-success")).to_contain_text("已提出撤销案")
    page.get_by_role("button", name="上报东城区总工会").click()
    expect(page.locator(".flash-success")).to_contain_text("已上报，等待东城区总工会审核")
    expect(page.locator(".page-header .tag")).to_have_text("原推荐工会审核")
    _shoot(page, screenshot, engine_name, "revocation")

    # The admin passes it up the chain and records the decision with its 文号.
    admin = new_page("laptop")
    login(admin, url, "care-admin")
    admin.goto(case_url)
    admin.get_by_role("button", name="审核通过并转报").click()
    expect(admin.locator(".flash-success")).to_contain_text("已审核通过并转报江州市总工会")
    admin.get_by_role("button", name="审核通过并转报").click()
    expect(admin.locator(".page-header .tag")).to_have_text("授予机关决定")
    admin.fill("#document_number", DOCUMENT)
    admin.get_by_role("button", name="决定撤销").click()
    confirm(admin, "确认撤销", "从劳模墙撤下")
    expect(admin.locator(".flash-success")).to_contain_text(f"已撤销{world.revoked_name}的荣誉")
    expect(admin.locator(".page-header .tag")).to_have_text("已撤销")
    expect(admin.locator("#facts")).to_contain_text(DOCUMENT)

    # The public: gone from the wall, and the certificate says 已撤销 and nothing more.
    public.goto(f"{url}/wall/?q={world.revoked_name}")
    expect(on_wall).to_have_count(0)
    public.goto(f"{url}/verify/{world.certificate}")
    expect(public.locator("main")).to_contain_text("已撤销")
    expect(public.locator("main")).not_to_contain_text(DOCUMENT)
    expect(public.locator("main")).not_to_contain_text("失实")
