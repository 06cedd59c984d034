"""The published results page, certificate verification and a certificate, in a real browser."""

from __future__ import annotations

import random
import shutil
import subprocess
from typing import Any

import pytest
from playwright.sync_api import expect

from contest.demo.names import person_name
from contest.models import Gender
from contest.services.skills import publishing
from tests.browser.conftest import ARTIFACTS
from tests.contest.results_fixtures import ID_NUMBER, PHONE, ready_contest_fixture  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def published(db: Any, ready_contest: Any) -> Any:
    rng = random.Random(11)
    marks = [
        {
            "T1": rng.randint(55, 98),
            "P1": rng.randint(40, 80) / 2,
            "P2": rng.randint(0, 3),
            "P3": rng.randint(0, 10),
        }
        for _ in range(60)
    ]
    ns = ready_contest(entries=60, marks=marks)
    for index, entry in enumerate(ns.entries):
        gender = Gender.FEMALE if index % 4 == 0 else Gender.MALE
        entry.person.gender = gender
        entry.person.name = person_name(rng, gender, "汉族", 1990)
    ns.contest.name = "2026年江州市职工职业技能大赛"
    db.session.commit()
    ns.snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    return ns


def test_results_page_and_verification(
    published: Any, live_server: Any, new_page: Any, screenshot: Any, engine_name: str
) -> None:
    ns = published
    first = ns.snapshot.rows[0]
    for size in ("laptop", "phone"):
        page = new_page(size)
        page.goto(f"{live_server.url}/results/{ns.contest.id}")
        assert page.locator("h1").inner_text() == ns.contest.name
        assert page.locator(".results-table tbody tr").count() == 50
        expect(page.get_by_text(ns.snapshot.digest)).to_be_visible()
        body = page.content()
        assert ID_NUMBER not in body and PHONE not in body
        screenshot(page, f"results-{size}")
    page.get_by_role("link", name="下一页").click()
    # The click starts a navigation; wait for the second page's rows, not the first's teardown.
    page.wait_for_url("**page=2")
    expect(page.locator(".results-table tbody tr")).to_have_count(10)

    page = new_page("phone")
    page.goto(f"{live_server.url}/verify")
    page.fill("#number", first.certificate_no)
    page.get_by_role("button", name="查验").click()
    expect(page.get_by_role("heading", name="证书有效")).to_be_visible()
    screenshot(page, "verify-ok")
    page.goto(f"{live_server.url}/verify/2026-0001-A-0001-ABCD")
    expect(page.get_by_role("heading", name="未找到该证书")).to_be_visible()
    pdf = page.request.get(
        f"{live_server.url}/results/{ns.contest.id}/certificates/{first.certificate_no}.pdf"
    )
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    folder = ARTIFACTS / engine_name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "certificate.pdf").write_bytes(pdf.body())
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", "certificate.pdf", "certificate"],
            cwd=folder,
            check=True,
        )


def test_organizer_publishes(
    db: Any, ready_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    from tests.conftest import PASSWORD

    ns = ready_contest(entries=12)
    page = new_page("laptop")
    page.goto(f"{live_server.url}/login")
    page.fill("#username", ns.organizer.username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/results/{ns.contest.id}/publish")
    page.get_by_role("button", name="公布成绩", exact=True).click()
    dialog = page.locator("dialog.confirm-dialog[open]")
    expect(dialog).to_contain_text("公布后成绩对公众可见，不能撤回")
    dialog.get_by_role("button", name="公布成绩", exact=True).click()
    expect(page.get_by_text("成绩已公布")).to_be_visible()
    expect(page.get_by_text("校验通过")).to_be_visible()
    screenshot(page, "results-publish")
    page.get_by_role("link", name="查看公开成绩页").click()
    expect(page.locator(".results-table tbody tr")).to_have_count(12)
