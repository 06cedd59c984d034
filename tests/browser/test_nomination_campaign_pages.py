"""The organizer of a city federation sets up a 五一劳动奖章 campaign in the browser: creates it,
adds the medal and the 工人先锋号, sets the host's total with a typed slot and hands a share to
a district, applies the national composition rules, opens nominations; then, with two units'
nominations in, reads the slate check and tries a swap, and waives a failed eligibility rule
with a reason. A district's organizer hands its own share on from a phone. Every page is shot
at 390, 820 and 1280 px, none scrolls sideways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from contest.models import (
    Campaign,
    CampaignQuota,
    Nomination,
    NominationStatus,
    OrgKind,
    Ownership,
    RecipientKind,
    WorkerCategory,
)
from contest.services.nominations import campaigns
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 390, "tablet": 820, "desktop": 1280}
SIDEWAYS = "document.scrollingElement.scrollWidth - window.innerWidth"


def _shoot(page: Any, screenshot: Any, name: str) -> None:
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(SIDEWAYS) <= 1, f"{name} scrolls sideways at {width}px"
        screenshot(page, f"nom-campaign-{name}-{label}")
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})


def _login(page: Any, url: str, username: str) -> None:
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")


def test_organizer_sets_up_a_may_day_campaign(
    db: Any,
    make_org: Any,
    make_user: Any,
    make_person: Any,
    live_server: Any,
    new_page: Any,
    screenshot: Any,
) -> None:
    city = make_org(name="江州市总工会", kind=OrgKind.CITY)
    east = make_org(name="滨江区总工会", kind=OrgKind.DISTRICT, parent=city)
    west = make_org(name="临湖区总工会", kind=OrgKind.DISTRICT, parent=city)
    works = make_org(
        name="江州精工机械有限公司工会",
        kind=OrgKind.GRASSROOTS,
        parent=east,
        ownership=Ownership.NON_PUBLIC,
    )
    make_org(
        name="江州电力公司工会", kind=OrgKind.GRASSROOTS, parent=east, ownership=Ownership.STATE
    )
    organizer = make_user("organizer", username="zhang_org", organization=city)
    make_user("organizer", username="li_east", organization=east)
    db.session.rollback()

    page = new_page("laptop")
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    _login(page, live_server.url, organizer.username)

    # The menu leads to the list, the list to the form.
    page.get_by_role("link", name="评选表彰").first.click()
    expect(page.get_by_role("heading", name="评选表彰", exact=True)).to_be_visible()
    _shoot(page, screenshot, "index-empty")
    page.get_by_role("link", name="创建评选").first.click()
    page.fill("#name", "2026 年江州市五一劳动奖章评选")
    page.select_option("#level", "provincial")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".field.has-error")).to_contain_text("地市级")
    page.select_option("#level", "city")
    deadline = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#submission_deadline", deadline)
    page.fill("#surplus_percent", "120")
    _shoot(page, screenshot, "form")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash-success")).to_contain_text("下一步：设置奖项与材料")

    # Two awards: the medal (title from the host) and the 工人先锋号.
    page.get_by_role("button", name="添加奖项").click()
    expect(page.locator(".flash-success")).to_contain_text("江州市五一劳动奖章")
    page.select_option("#new-kind", "pioneer")
    page.get_by_role("button", name="添加奖项").click()
    expect(page.locator(".flash-success")).to_contain_text("江州市工人先锋号")
    _shoot(page, screenshot, "awards")

    # The medal's total with a 农民工 slot; a share for the east district.
    page.get_by_role("link", name="名额分配").click()
    page.fill("#t-medal-quota", "9")
    page.fill("#t-medal-slots", "农民工 1")
    page.locator("#award-medal").get_by_role("button", name="设定总名额").click()
    expect(page.locator(".flash-success")).to_contain_text("已保存总名额")
    page.fill("#t-pioneer-quota", "4")
    page.locator("#award-pioneer").get_by_role("button", name="设定总名额").click()
    page.locator("#award-medal").get_by_role("link", name="向下分配").click()
    page.select_option("#new-organization_id", label="\u3000滨江区总工会")
    page.fill("#new-quota", "5")
    page.fill("#new-slots", "农民工 1")
    page.get_by_role("button", name="分配", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("滨江区总工会")
    page.select_option("#new-organization_id", label="\u3000临湖区总工会")
    page.fill("#new-quota", "5")
    page.get_by_role("button", name="分配", exact=True).click()
    expect(page.locator(".has-error")).to_contain_text("超过“江州市总工会”的名额 9 个")
    page.fill("#new-quota", "4")
    page.get_by_role("button", name="分配", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("临湖区总工会")
    _shoot(page, screenshot, "quota-shares")

    # The national rules in one click; then open the nominations.
    page.get_by_role("link", name="结构要求").click()
    page.get_by_role("button", name="套用全国五一劳动奖章的默认要求").click()
    expect(page.locator(".flash-success")).to_contain_text("已添加 8 条默认结构要求")
    page.get_by_role("link", name="基本信息").click()
    page.get_by_role("button", name="开放推荐").click()
    expect(page.locator(".flash-success")).to_contain_text("推荐中")
    _shoot(page, screenshot, "show")

    # Nominations come in from both districts (the recommender's pages are another journey).
    db.session.rollback()  # a fresh snapshot: the server has written since
    campaign = db.session.scalars(db.select(Campaign)).one()
    items = campaigns.negative_items(campaign)
    made = [
        ("周建国", east, WorkerCategory.INDUSTRIAL, NominationStatus.SUBMITTED, {}),
        ("吴秀英", east, WorkerCategory.MIGRANT, NominationStatus.SUBMITTED, {}),
        ("郑海涛", east, WorkerCategory.ENTERPRISE_HEAD, NominationStatus.SUBMITTED, {}),
        ("王立新", west, WorkerCategory.SCIENCE_EDUCATION, NominationStatus.SUBMITTED, {}),
        ("陈晓东", west, WorkerCategory.FRONTLINE, NominationStatus.ALTERNATE, {}),
        ("刘芳", east, WorkerCategory.TECHNICAL, NominationStatus.DRAFT, {}),
    ]
    for name, unit, category, status, _extra in made:
        person = make_person(name, organization=works, category=category)
        db.session.add(
            Nomination(
                campaign_id=campaign.id,
                award="medal",
                unit_id=unit.id,
                recipient_kind=RecipientKind.PERSON,
                person_id=person.id,
                name=name,
                unit_name=works.name,
                status=status,
                categories=[],
                declarations={item: item == "拖欠职工工资" and name == "郑海涛" for item in items},
                waivers=[],
                form={},
            )
        )
    db.session.commit()
    db.session.rollback()

    page.get_by_role("link", name="名额分配").click()
    expect(page.locator("#award-medal .quota-table")).to_contain_text("滨江区总工会")
    _shoot(page, screenshot, "quotas")

    # The slate against the rules, and a swap tried.
    page.get_by_role("link", name="结构要求").click()
    expect(page.locator("#check-medal")).to_contain_text("农民工 1 人，占 25.0%，不少于 10%")
    page.locator("#check-medal summary").click()
    page.select_option("#out-medal", label="郑海涛（滨江区总工会）")
    page.select_option("#in-medal", label="陈晓东（临湖区总工会）")
    page.locator("#check-medal").get_by_role("button", name="试算").click()
    expect(page.locator("#check-medal")).to_contain_text("调换后")
    _shoot(page, screenshot, "slate")

    page.get_by_role("link", name="资格条件").click()
    expect(page.locator("#negative_list")).to_contain_text("拖欠职工工资")
    _shoot(page, screenshot, "eligibility")

    # 推荐情况: the east district's nominations, one with a failed rule waived with a reason.
    page.get_by_role("link", name="推荐情况").click()
    page.locator("tr", has_text="滨江区总工会").get_by_role("link", name="查看推荐").click()
    row = page.locator("tr", has_text="郑海涛")
    expect(row).to_contain_text("近 3 年内有：拖欠职工工资")
    row.locator("summary", has_text="豁免").click()
    row.locator("textarea").fill("欠薪已于 2025 年全部结清，经劳动监察确认")
    row.get_by_role("button", name="确认豁免").click()
    expect(page.locator(".flash-success")).to_contain_text("郑海涛")
    expect(page.locator("tr", has_text="郑海涛")).to_contain_text(
        "豁免理由：欠薪已于 2025 年全部结清"
    )
    _shoot(page, screenshot, "summary")
    page.get_by_role("link", name="评选表彰").first.click()
    _shoot(page, screenshot, "index")

    # The east district's organizer, on a phone, hands its share on to an enterprise.
    phone = new_page("phone")
    _login(phone, live_server.url, "li_east")
    phone.goto(live_server.url + "/nominations/")
    phone.get_by_role("link", name="2026 年江州市五一劳动奖章评选").click()
    expect(phone.locator(".quota-table")).not_to_contain_text("临湖区总工会")
    phone.locator("#award-medal").get_by_role("link", name="向下分配").click()
    phone.select_option("#new-organization_id", label="\u3000江州精工机械有限公司工会")
    phone.fill("#new-quota", "2")
    phone.get_by_role("button", name="分配", exact=True).click()
    expect(phone.locator(".flash-success")).to_contain_text("江州精工机械有限公司工会")
    assert phone.evaluate(SIDEWAYS) <= 1
    screenshot(phone, "nom-campaign-district-share-phone")
    assert (
        db.session.scalars(
            db.select(CampaignQuota).where(CampaignQuota.organization_id == works.id)
        )
        .one()
        .quota
        == 2
    )
