"""The wall, a search, a profile and the kiosk in a real browser, at phone, laptop and 1080p."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from contest.demo.photos import save_portrait
from contest.models import Gender, HonorLevel, OrgKind
from contest.services.honors.records import HonorData, add_honor

pytestmark = pytest.mark.browser

SIZES = ["phone", "laptop", "1080p"]


@pytest.fixture
def wall_data(app: Any, db: Any, make_org: Any, make_person: Any) -> dict[str, Any]:
    rng = random.Random(7)
    city = make_org(name="江州市总工会", kind=OrgKind.CITY)
    plant = make_org(
        name="江州重型机械有限公司工会", kind=OrgKind.GRASSROOTS, parent=city, industry="制造业"
    )
    folder = Path(app.config["UPLOAD_FOLDER"]) / "photos"
    honors = []
    people = [
        ("王秀英", Gender.FEMALE),
        ("李建国", Gender.MALE),
        ("阿依古丽·买买提", Gender.FEMALE),
        ("欧阳明辉", Gender.MALE),
        ("张伟", Gender.MALE),
        ("刘芳", Gender.FEMALE),
    ]
    for index, (name, gender) in enumerate(people):
        person = make_person(
            name=name, organization=plant, gender=gender, consent_photo=True, consent_deeds=True
        )
        if index % 3 != 2:
            person.photo_filename = save_portrait(
                folder, f"p{person.id}", rng, female=gender is Gender.FEMALE, old=False
            )
        level = [HonorLevel.NATIONAL, HonorLevel.PROVINCIAL, HonorLevel.CITY][index % 3]
        honors.append(
            add_honor(
                None,
                HonorData(
                    recipient_name=name,
                    title=["全国劳动模范", "五一劳动奖章", "江州工匠"][index % 3],
                    level=level,
                    year=2000 + index * 3,
                    person=person,
                    organization=plant,
                    unit_name="江州重型机械有限公司",
                    post="数控铣工",
                    skill_level="高级技师",
                    industry="制造业",
                    conferring_body="江州市人民政府",
                    document_number="江政发〔2015〕8号",
                    deeds_summary=f"{name}扎根一线二十年，带出徒弟四十余名。",
                    deeds_full=f"{name}扎根一线二十年。\n\n先后完成技术革新四十余项。",
                ),
            )
        )
    db.session.commit()
    return {"honors": honors}


@pytest.mark.parametrize("size", SIZES)
def test_wall_search_profile_and_kiosk(
    size: str, wall_data: dict[str, Any], live_server: Any, new_page: Any, screenshot: Any
) -> None:
    """A visitor searches the wall and opens a profile; the kiosk advances through honors.

    One test per size so the honors and portraits are made once for both pages.
    """
    page = new_page(size)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/wall/")
    assert page.locator(".honor-card").count() == 6
    screenshot(page, f"wall-{size}")
    page.fill("#q", "秀英")
    page.locator("form.wall-filters button[type=submit]").click()
    page.wait_for_url("**q=*")
    assert page.locator(".honor-card").count() == 1
    screenshot(page, f"wall-search-{size}")
    page.locator(".honor-card a").first.click()
    page.wait_for_url("**/wall/*")
    expect(page.get_by_role("heading", name="王秀英")).to_be_visible()
    expect(page.locator(".profile-qr img")).to_be_visible()
    screenshot(page, f"wall-profile-{size}")
    assert errors == []

    kiosk = new_page(size)
    kiosk_errors: list[str] = []
    kiosk.on("console", lambda m: kiosk_errors.append(m.text) if m.type == "error" else None)
    kiosk.goto(live_server.url + "/wall/kiosk?interval=3")
    name = kiosk.locator("[data-name]")
    first = name.text_content()
    assert first
    kiosk.wait_for_timeout(800)
    screenshot(kiosk, f"kiosk-{size}")
    kiosk.keyboard.press("ArrowRight")
    assert name.text_content() != first
    assert kiosk_errors == []
