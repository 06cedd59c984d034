"""A recommending unit in the browser (issue 13 item 5): on an 820 px tablet the district
union's recommender sees its headroom, starts a nomination by name and 身份证号, fills in the
推荐表 with the live character counter, uploads the sealed form, submits through the dialog —
and a second, complete nomination over the quota is refused with the figures. The campaign
page, the form and the refusal are shot at 390, 820 and 1280 px (tests/artifacts/screenshots/
and /work/notes/shots/nom-recommend-*.png)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from contest.services.nominations import nominations, slates
from contest.validation import id_check_digit
from tests.browser.support import confirm
from tests.conftest import PASSWORD
from tests.contest.nomination_recommend_support import (
    DEMOCRATIC,
    PDF,
    PUBLICITY,
    SLOT,
    build_world,
    ready,
)

pytestmark = pytest.mark.browser

SHOTS = Path("/work/notes/shots")
WIDTHS = {"phone": 390, "tablet": 820, "desktop": 1280}


def _id_number(first17: str) -> str:
    return first17 + id_check_digit(first17)


def _shoot(page: Any, screenshot: Any, name: str, back_to: int) -> None:
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        shot = f"nom-recommend-{name}-{label}"
        screenshot(page, shot)
        if SHOTS.parent.is_dir():
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    page.set_viewport_size({"width": back_to, "height": 900})


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1


def test_a_recommender_submits_on_a_tablet_and_an_over_quota_one_is_refused(
    db: Any,
    make_org: Any,
    make_user: Any,
    live_server: Any,
    new_page: Any,
    screenshot: Any,
    tmp_path: Path,
) -> None:
    world = build_world(db, make_org, make_user)
    slates.apply_defaults(world.organizer, world.campaign)  # the national 五一劳动奖章 rules
    # Two of the district's three submissions (2 places, 差额 150 %) are in already, and a
    # complete fourth waits as a draft.
    for sequence, name in (("011", "王建军"), ("012", "赵丽")):
        done = ready(db, world, name, _id_number("32058219800101" + sequence))
        nominations.submit(world.recommender, done)
    waiting = ready(
        db, world, "孙志强", _id_number("32058219800101013"), categories=["industrial", "migrant"]
    )
    db.session.commit()
    campaign_id, waiting_id = world.campaign.id, waiting.id
    username, works = world.recommender.username, world.works.name
    scan = tmp_path / "推荐审批表盖章页.pdf"
    scan.write_bytes(PDF)
    db.session.rollback()  # end the test's read transaction before the server writes

    page = new_page("laptop")
    page.set_viewport_size({"width": WIDTHS["tablet"], "height": 900})
    page.goto(live_server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")

    # The menu leads to the unit's campaigns with the live headroom.
    page.get_by_role("link", name="推荐申报").first.click()
    headroom = "名额 2，可报 3（差额 150%），已报 2"
    expect(page.locator(".recommend-campaign")).to_contain_text(headroom)
    page.get_by_role("link", name="进入推荐").click()
    slate = page.locator(".slate").first
    expect(slate.locator("[data-headroom]")).to_contain_text("已报 2")
    expect(slate.locator(".rule-warn").first).to_contain_text("产业工人")
    # What if the waiting 产业工人 took 王建军's place? Nothing changes but the figures shown.
    slate.locator("select[name=out]").select_option(label="王建军")
    slate.get_by_role("button", name="试算构成").click()
    expect(page.locator("[data-what-if]")).to_contain_text("产业工人")
    _no_sideways_scroll(page)
    _shoot(page, screenshot, "campaign", WIDTHS["tablet"])

    # A new nominee by name and 身份证号, working in one of the district's enterprises.
    slate.get_by_role("link", name="新增推荐").click()
    page.fill("#name", "李秀英")
    number = _id_number("11010519900307128")
    page.fill("#id_number", number)
    page.select_option("#organization_id", label=works)
    page.get_by_role("button", name="下一步：填写推荐表").click()
    expect(page.locator(".flash-success")).to_contain_text("已建立 李秀英 的推荐草稿")
    expect(page.locator("[data-masked-id]")).to_have_text(f"{number[:6]}********{number[-4:]}")

    # The 推荐表: the counter follows the typing (an emoji counts as one).
    page.fill("#post", "数控车工")
    page.fill("#skill_level", "高级技师")
    page.fill("#f_0", "群众")
    page.fill("#deeds_short", "扎根一线二十年，带出徒弟三十余人👍🏽")
    expect(page.locator("#deeds_short-count")).to_have_text("已写 17 / 500 字")
    page.fill("#deeds_full", "该同志扎根一线二十年，攻克多项工艺难题，带出徒弟三十余人。")
    page.check("#consent_publicity")
    page.check("#consent_photo")
    page.fill("#democratic_on", DEMOCRATIC.isoformat())
    page.fill("#unit_publicity_start", PUBLICITY[0].isoformat())
    page.fill("#unit_publicity_end", PUBLICITY[1].isoformat())
    page.check("#d_0-0")
    page.get_by_role("button", name="保存推荐表").click()
    expect(page.locator(".flash-success")).to_contain_text("推荐表已保存")
    expect(page.locator("[data-submit-problems]")).to_contain_text(SLOT)

    # The sealed form, then the submission through the dialog.
    slot = page.locator(".slot", has_text=SLOT)
    slot.locator("input[type=file]").set_input_files(str(scan))
    slot.get_by_role("button", name="上传").click()
    expect(page.locator(".flash-success")).to_contain_text("已上传 推荐审批表盖章页.pdf")
    expect(page.locator(".ready")).to_contain_text("材料齐全，可以报送")
    _no_sideways_scroll(page)
    _shoot(page, screenshot, "form", WIDTHS["tablet"])
    page.get_by_role("button", name="报送", exact=True).click()
    confirm(page, "报送", "占用本单位一个推荐名额")
    expect(page.locator(".flash-success")).to_contain_text("李秀英 的推荐已报送")
    expect(page.locator(".nomination-header")).to_contain_text("已报送")

    # The waiting draft is complete, but the three places are taken.
    page.goto(f"{live_server.url}/nominations/recommend/nomination/{waiting_id}")
    expect(page.locator("[data-submit-problems]")).to_contain_text("名额已用完")
    page.get_by_role("button", name="报送", exact=True).click()
    confirm(page, "报送")
    expect(page.locator(".flash-danger").first).to_contain_text("这份推荐还不能报送")
    expect(page.locator(".flashes")).to_contain_text("名额已用完：可报送 3 个，已报送 3 个")
    expect(page.locator(".nomination-header")).to_contain_text("草稿")
    _no_sideways_scroll(page)
    _shoot(page, screenshot, "refused", WIDTHS["tablet"])

    page.goto(f"{live_server.url}/nominations/recommend/{campaign_id}")
    expect(page.locator(".slate").first.locator("[data-headroom]")).to_contain_text("已报 3")
