"""An admin curates honors in the browser: adds one (after the form refuses an undocumented
one), corrects its 事迹, uploads the person's photo, and the wall shows photo and story once
the person's consent is recorded."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from contest.models import Honor, OrgKind
from tests.browser.test_orgs_journey import _login

pytestmark = pytest.mark.browser


def _photo(path: Path) -> Path:
    image = Image.new("RGB", (900, 1200), (180, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


def test_an_admin_adds_an_honor_and_a_photo_and_the_wall_follows_consent(
    app: Any,
    db: Any,
    make_user: Any,
    make_org: Any,
    make_person: Any,
    live_server: Any,
    new_page: Any,
    screenshot: Any,
    tmp_path: Path,
) -> None:
    city = make_org(name="江州市总工会", kind=OrgKind.CITY)
    plant = make_org(name="江州纺织厂工会", kind=OrgKind.GRASSROOTS, parent=city)
    person = make_person("王秀英", organization=plant, post="挡车工")
    admin = make_user("admin", username="root")
    app.config["WALL_VERSION_TTL"] = 0  # the wall shows a change at the next request
    base = live_server.url

    page = new_page("laptop")
    _login(page, base, admin.username)
    page.goto(f"{base}/admin/people/{person.id}")
    page.get_by_role("link", name="添加荣誉").click()
    assert page.locator("#recipient_name").input_value() == "王秀英"
    page.fill("#title", "全国劳动模范")
    page.select_option("#level", "city")
    page.fill("#year", "2015")
    page.get_by_role("button", name="保存").click()
    # Every rule the service holds lands on its field, and nothing is written.
    expect(page.get_by_text("请填写授予机关")).to_be_visible()
    page.fill("#conferring_body", "江州市人民政府")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("请填写表彰文件的文号")).to_be_visible()
    page.fill("#document_number", "江政发〔2015〕12号")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("含“全国”字样的荣誉只能是全国或省部级")).to_be_visible()
    screenshot(page, "honor-form-refused-desktop")
    page.fill("#title", "劳动模范")
    page.fill("#deeds_summary", "扎根一线二十年。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已添加 王秀英 的“劳动模范”")).to_be_visible()
    expect(page.get_by_text("江政发〔2015〕12号")).to_be_visible()
    # A correction of the 事迹 from the person's record.
    page.get_by_role("link", name="修改", exact=True).click()
    page.fill("#deeds_summary", "扎根一线二十年，带出徒弟三十余名。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存“劳动模范”的修改")).to_be_visible()
    # The photo: uploaded on the person's page, shown there, not on the wall without consent.
    page.get_by_role("link", name="上传照片").click()
    page.set_input_files("#photo", str(_photo(tmp_path / "portrait.jpg")))
    page.get_by_role("button", name="上传照片").click()
    expect(page.get_by_text("已更新 王秀英 的照片")).to_be_visible()
    portrait = page.get_by_role("img", name="王秀英 的照片")
    # An <img> has no height until its file has loaded: wait for that, then read its size.
    page.wait_for_function(
        "() => { const i = document.querySelector('img.person-photo');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    expect(portrait).to_be_visible()
    assert portrait.evaluate("img => img.naturalWidth") == 600
    screenshot(page, "person-photo-desktop")

    db.session.rollback()  # see what the server wrote
    honor = db.session.query(Honor).one()
    wall = new_page("laptop")
    wall.goto(f"{base}/wall/{honor.id}")
    expect(wall.get_by_text("王秀英").first).to_be_visible()
    assert wall.locator("img[src*='/wall/photo/']").count() == 0
    assert wall.get_by_text("带出徒弟三十余名").count() == 0

    page.check("#consent_photo")
    page.check("#consent_deeds")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("已保存 王秀英 的信息")).to_be_visible()  # the consent is stored
    wall.reload()
    assert wall.locator("img[src*='/wall/photo/']").count() == 1
    expect(wall.get_by_text("带出徒弟三十余名")).to_be_visible()
    for viewport, name in (("phone", "phone"), ("tablet", "tablet")):
        small = new_page(viewport)
        _login(small, base, admin.username)
        small.goto(f"{base}/admin/honors/new?person_id={person.id}")
        screenshot(small, f"honor-form-{name}")
        small.goto(f"{base}/orgs/people/{person.id}/edit#photo-card")
        screenshot(small, f"person-photo-{name}")
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= small.viewport_size["width"], "the page scrolls sideways"
