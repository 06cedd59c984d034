"""One round of a labor competition in the browser, end to end: a participant's contact fills in
the self-assessment on a phone with an evidence photo and submits it; the organizer opens
scoring (the dialog names the units that did not self-assess); two assessors score on an
820 px tablet, seeing 标准分 / 自评分 / the evidence beside their input; the chief confirms
with one sheet still missing (the dialog says so); the organizer publishes and the red-flag
holder of each track is shown. The main pages are shot at 390, 820 and 1280 px."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from contest.services.labor import round_results, scoring
from tests.browser.support import confirm
from tests.conftest import PASSWORD
from tests.contest.labor_rounds_support import build_round_world, full_marks

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 390, "tablet": 820, "desktop": 1280}


def _shoot(page: Any, screenshot: Any, name: str, back_to: int) -> None:
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"labor-round-{name}-{label}")
    page.set_viewport_size({"width": back_to, "height": 900})


def _login(new_page: Any, live_server: Any, username: str, width: int) -> Any:
    page = new_page("laptop")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")
    return page


def _fill(page: Any, aspects: dict[str, Any], marks: dict[str, str]) -> None:
    """Type the numbers and pick 是/否 as a person would."""
    for key, value in marks.items():
        aspect = aspects[key]
        if aspect.is_flag:
            page.locator(f"label[for='m_{aspect.id}-{value}']").click()
        else:
            page.fill(f"#m_{aspect.id}", value)


def _submit(page: Any) -> None:
    """提交 asks in the browser (sheet.js) before the sheet is final."""
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-confirm-submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()


def test_a_round_from_self_assessment_to_the_red_flag(
    db: Any,
    make_org: Any,
    make_user: Any,
    live_server: Any,
    new_page: Any,
    screenshot: Any,
    tmp_path: Path,
) -> None:
    world = build_round_world(db, make_org, make_user)
    # Plain values: reading a model later would hold a read transaction across the server's
    # writes.
    aspects = {
        key: SimpleNamespace(id=a.id, is_flag=a.kind.is_flag) for key, a in world.aspects.items()
    }
    names = {label: p.name for label, p in world.participants.items()}
    ids = {label: p.id for label, p in world.participants.items()}
    cid, rid = world.competition.id, world.round.id
    contact, organizer = world.contacts["P1"].username, world.organizer.username
    chief, member = world.chief.username, world.member.username
    photo = tmp_path / "质量验收记录.png"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 40, 40)).save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())
    db.session.rollback()  # end the test's read transaction before the server writes

    # The contact self-assesses on a phone: marks, a note and a photo, a draft, then submit.
    page = _login(new_page, live_server, contact, WIDTHS["phone"])
    page.goto(live_server.url + "/labor/self")
    page.get_by_role("link", name=names["P1"]).click()
    expect(page.get_by_role("heading", name=f"{names['P1']} 自评")).to_be_visible()
    expect(page.locator(f"#item-{aspects['R2'].id}")).to_contain_text("由数据计算（入会率）：96%")
    _fill(page, aspects, {"Q1": "38", "S1": "1", "R1": "96"})
    page.fill(f"#note_{aspects['Q1'].id}", "见三月质量验收记录")
    page.set_input_files(f"input[name='ev_{aspects['Q1'].id}']", str(photo))
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".flash-success")).to_contain_text("已上传 1 个佐证材料")
    expect(page.locator(f"#item-{aspects['Q1'].id} .evidence-list")).to_contain_text(
        "质量验收记录.png"
    )
    # sheet.js refuses an incomplete submission and names what is missing.
    page.locator("[data-confirm-submit]").click()
    expect(page.locator("[data-incomplete]")).to_contain_text("B1、V1、V2、M1")
    _fill(page, aspects, {"B1": "3", "V1": "0", "V2": "0", "M1": "1"})
    expect(page.locator("[data-total]")).to_have_text("100")  # 38 + 29 + 10 + 20 (data) + 3
    _shoot(page, screenshot, "self", WIDTHS["phone"])
    _submit(page)
    expect(page.locator(".flash-info")).to_contain_text("自评表已提交")
    page.context.close()

    # The organizer opens scoring; three units have not self-assessed.
    page = _login(new_page, live_server, organizer, WIDTHS["desktop"])
    page.goto(f"{live_server.url}/labor/{cid}/rounds/{rid}/progress")
    page.get_by_role("button", name="开始考评").click()
    confirm(page, "开始考评", "还有 3 个未提交自评")
    expect(page.locator(".flash-success")).to_contain_text("已开始考评")
    page.context.close()

    # Two assessors score the 土建 units on a tablet; the member sees P1's self-assessment.
    sheets = {
        chief: {"P1": full_marks(Q1="39", B1="4"), "P2": full_marks(Q1="36")},
        member: {"P1": full_marks(Q1="37", S1="2", B1="2"), "P2": full_marks(Q1="35")},
    }
    for username, marks in sheets.items():
        page = _login(new_page, live_server, username, WIDTHS["tablet"])
        page.goto(live_server.url + "/labor/assess")
        for label, values in marks.items():
            page.goto(f"{live_server.url}/labor/{cid}/rounds/{rid}/assess/{ids[label]}")
            if label == "P1":
                item = page.locator(f"#item-{aspects['Q1'].id}")
                expect(item.locator("[data-self-mark]")).to_have_text("38")
                expect(item).to_contain_text("自评说明：见三月质量验收记录")
                expect(item.get_by_role("link", name="质量验收记录.png")).to_be_visible()
                if username == member:
                    _shoot(page, screenshot, "assess", WIDTHS["tablet"])
            _fill(page, aspects, {k: str(v) for k, v in values.items()})
            _submit(page)
        page.context.close()

    # The rest of the sheets arrive by other means; the 机电-only assessor's is still missing.
    db.session.rollback()
    for user in (world.chief, world.member):
        for label in ("P3", "P4"):
            scoring.save_assessment(
                user,
                world.round,
                world.participants[label],
                full_marks(Q1="30"),
                submit=True,
                expected_version=None,
            )
    round_link = f"{world.competition.name} · {world.round.name}"
    db.session.commit()

    # The chief confirms, accepting the one missing sheet the dialog names.
    page = _login(new_page, live_server, chief, WIDTHS["desktop"])
    page.goto(live_server.url + "/labor/assess")
    page.get_by_role("link", name=round_link).click()
    expect(page.locator(f"#progress-{ids['P1']}")).to_contain_text("2 / 2")
    page.get_by_role("button", name="确认本轮成绩").click()
    confirm(page, "确认成绩", "还有 1 份评分表未提交")
    expect(page.locator(".flash-success")).to_contain_text("成绩已确认")
    expect(page.locator(f"#result-{ids['P1']}")).to_contain_text("100")
    page.context.close()

    # The organizer publishes; the red flag goes to the top of each track.
    page = _login(new_page, live_server, organizer, WIDTHS["desktop"])
    page.goto(f"{live_server.url}/labor/{cid}/rounds/{rid}/progress")
    page.get_by_role("button", name="公布成绩").click()
    confirm(page, "公布成绩", "流动红旗")
    expect(page.locator(".flash-success")).to_contain_text("成绩已公布")
    expect(page.locator(f"#result-{ids['P1']} .labor-flag")).to_be_visible()
    expect(page.locator(f"#result-{ids['P4']} .labor-flag")).to_be_visible()
    expect(page.locator(f"#result-{ids['P2']} .labor-flag")).to_have_count(0)
    _shoot(page, screenshot, "results", WIDTHS["desktop"])

    db.session.rollback()  # a fresh read of what the server wrote
    holders = {f.participant_id for f in round_results.flags_of(world.round)}
    assert holders == {ids["P1"], ids["P4"]}
