"""公示 to conferral in a browser (issue 13 items 8–11): the organizer starts the 公示; the public
list on a phone; an objection from the public; the handler opens the objector's identity and
upholds it through the dialog, and the best-ranked alternate that keeps the slate goes on a 递补
notice; after the periods the organizer confers through the dialog, and the certificate number
verifies. At 390, 820 and 1280 px without sideways scrolling, with screenshots in
tests/artifacts/screenshots/ and /work/notes/shots/nom-publicity-*.png."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from contest.services.honors import certificates
from contest.services.nominations import conferral, publicity
from tests.browser.support import confirm
from tests.conftest import PASSWORD
from tests.contest.nomination_publicity_support import CAMPAIGN, TITLE, build_campaign

pytestmark = pytest.mark.browser

SHOTS = Path("/work/notes/shots")
WIDTHS = {"390": (390, 844), "820": (820, 1180), "1280": (1280, 900)}
START = date(2026, 9, 28)


@pytest.fixture
def world(db: Any, make_org: Any, make_user: Any, make_person: Any) -> Any:
    return build_campaign(db, make_org, make_user, make_person)


@pytest.fixture
def open_at(playwright_browser: Any) -> Any:
    contexts: list[Any] = []

    def _open(width: str) -> Any:
        w, h = WIDTHS[width]
        context = playwright_browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield _open
    for context in contexts:
        context.close()


def _shoot(page: Any, screenshot: Any, name: str) -> None:
    screenshot(page, name)
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow} px"


def _login(page: Any, url: str, username: str) -> None:
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")


@pytest.mark.parametrize("width", ["390", "820", "1280"])
def test_publicity_objection_promotion_and_conferral(
    app: Any,
    db: Any,
    world: Any,
    live_server: Any,
    open_at: Any,
    screenshot: Any,
    monkeypatch: pytest.MonkeyPatch,
    width: str,
) -> None:
    app.config["WALL_VERSION_TTL"] = 0  # every change shows at the next request
    day = {"today": START}
    monkeypatch.setattr(publicity, "today", lambda: day["today"])
    url, cid = live_server.url, world.campaign.id

    # The organizer starts the 公示.
    organizer = open_at(width)
    _login(organizer, url, "organizer")
    organizer.goto(f"{url}/nominations/{cid}/publicity")
    expect(organizer.get_by_role("heading", name="开始公示")).to_be_visible()
    organizer.fill("#starts_on", START.isoformat())
    organizer.fill("#contact", "江州市总工会组织部，电话 0510-12345678")
    _shoot(organizer, screenshot, f"nom-publicity-start-{width}")
    organizer.get_by_role("button", name="开始公示").click()
    expect(organizer.locator(".flash-success")).to_contain_text("2026-10-09")
    _no_sideways_scroll(organizer)

    # The public list, and an objection from the public.
    public = open_at(width)
    public.goto(f"{url}/")
    public.get_by_role("link", name="评选公示").first.click()
    public.get_by_role("link", name=CAMPAIGN).click()
    expect(public.get_by_role("heading", level=1)).to_contain_text(CAMPAIGN)
    expect(public.locator(".publicity-list").first).to_contain_text("王秀英（女）")
    expect(public.locator(".publicity-alternates")).to_be_visible()
    _no_sideways_scroll(public)
    _shoot(public, screenshot, f"nom-publicity-page-{width}")
    public.get_by_role("link", name="在线反映意见").click()
    public.select_option("#nomination_id", label=f"王秀英 · 江州机床厂（{TITLE}）")
    expect(public.locator("[data-unit-only]")).to_be_hidden()
    public.fill("#name", "孙明远")
    public.fill("#contact", "13800138000")
    public.fill("#content", "该同志2025年发生过安全生产责任事故，事迹材料中的获奖情况有不实之处。")
    _no_sideways_scroll(public)
    _shoot(public, screenshot, f"nom-publicity-objection-{width}")
    public.get_by_role("button", name="提交").click()
    expect(public.get_by_role("heading", name="已收到您的意见")).to_be_visible()

    # The handler opens it, sees who objected (audited), and upholds it.
    day["today"] = date(2026, 9, 30)
    organizer.goto(f"{url}/nominations/{cid}/objections")
    expect(organizer.locator("main")).not_to_contain_text("孙明远")
    organizer.get_by_role("link", name="查看与处理").click()
    organizer.get_by_role("button", name="查看反映人信息").click()
    expect(organizer.locator(".objection-identity")).to_contain_text("孙明远")
    _no_sideways_scroll(organizer)
    _shoot(organizer, screenshot, f"nom-publicity-handle-{width}")
    organizer.get_by_label("异议成立").check()
    organizer.fill("#reason", "经向所在单位和安监部门核实，反映的安全生产责任事故属实。")
    organizer.get_by_role("button", name="提交处理结果").click()
    confirm(organizer, "确认提交", "递补")
    expect(organizer.locator(".flash-success").last).to_contain_text("陈桂兰递补为拟表彰人选")
    public.goto(f"{url}/nominations/publicity/{cid}")
    public.reload()  # the browser keeps a public page 5 s (max-age): ask again
    expect(public.get_by_role("heading", name="递补人选公示")).to_be_visible()
    expect(public.locator("main")).not_to_contain_text("王秀英")
    _no_sideways_scroll(public)
    _shoot(public, screenshot, f"nom-publicity-supplement-{width}")

    # After both periods: conferral, then the certificate verifies.
    day["today"] = date(2026, 10, 16)
    organizer.goto(f"{url}/nominations/{cid}/conferral")
    organizer.fill("#document_number", "江工发〔2026〕30号")
    organizer.fill("#conferred_on", "2026-10-16")
    organizer.get_by_role("button", name="表彰", exact=True).click()
    confirm(organizer, "确认表彰", "2 名拟表彰人选")
    expect(organizer.locator(".flash-success")).to_contain_text("授予 2 项荣誉")
    _no_sideways_scroll(organizer)
    _shoot(organizer, screenshot, f"nom-publicity-conferred-{width}")
    db.session.rollback()  # see what the server committed
    honor = conferral.conferred_honors(world.campaign)[0]
    public.goto(f"{url}/verify/{certificates.number_of(honor)}")
    expect(public.get_by_role("heading", name="证书有效")).to_be_visible()
    expect(public.locator(".verify-result")).to_contain_text(TITLE)
    _shoot(public, screenshot, f"nom-publicity-verify-{width}")
    assert day["today"] - START > timedelta(days=10)
