"""The chief judge's review pages in a browser: the live progress dashboard with its plotly
leniency chart (drawn under the strict CSP) and the side-by-side panel. Screenshots saved."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from contest.models import SheetStatus
from tests.conftest import PASSWORD
from tests.contest.review_support import put_sheet

pytestmark = pytest.mark.browser


def test_chief_judge_dashboard_and_panel(
    db: Any, make_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    c = make_contest(status="judging", entries=8, judges=3)
    for i, entry in enumerate(c.entries):
        for j, judge in enumerate(c.judges):
            if i >= 6 and j == 2:
                continue  # the third judge has not reached the last two entries
            status = SheetStatus.DRAFT if (i == 5 and j == 1) else SheetStatus.SUBMITTED
            level = 3 if (i == 1 and j == 0) else (0 if (i == 1 and j == 2) else 2 - (i % 2))
            put_sheet(
                db,
                c,
                judge,
                entry,
                {"T1": 88 - 3 * i + 2 * j, "P1": 36 - i + 0.5 * j, "P2": level, "P3": i % 3},
                status,
            )
    db.session.commit()
    page = new_page("laptop")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/login")
    page.fill("#username", c.chief.username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")
    expect(page.get_by_role("heading", name="裁判长")).to_be_visible()
    page.goto(f"{live_server.url}/review/events/{c.event.id}")
    page.wait_for_selector("#leniency-chart.chart-drawn")
    expect(page.get_by_text("21 / 24")).to_be_visible()
    screenshot(page, "review-progress-laptop")

    page.goto(f"{live_server.url}/review/events/{c.event.id}/panel")
    assert page.locator("td.cell-flagged").count() == 3  # A-02's P2: 3 / 2 / 0
    assert page.locator("td.cell-draft").count() >= 1
    screenshot(page, "review-panel-laptop")
    assert not [p for p in problems if "Content Security Policy" in p], problems

    page.click("a >> text=A-02")
    page.wait_for_selector("#correct-h")
    screenshot(page, "review-entry-laptop")
    page.goto(f"{live_server.url}/review/events/{c.event.id}/sign-off")
    expect(page.get_by_text("暂不能签字确认")).to_be_visible()
    screenshot(page, "review-sign-off-laptop")


def test_recheck_alarm_and_appeals(
    db: Any, make_contest: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    from datetime import UTC, datetime, timedelta

    from contest.services.skills import appeals, recheck
    from tests.contest.review_support import score_all

    c = make_contest(status="review", entries=14, judges=3)
    score_all(db, c)
    c.event.ended_at = datetime.now(UTC) - timedelta(minutes=40)
    items = recheck.build_recheck(c.chief, c.event, seed=2026)
    for n, item in enumerate(items[:-2]):
        recheck.record_check(
            c.chief, item, errors_found=1 if n < 3 else 0, note="P1 抄错" if n < 3 else None
        )
    recheck.record_check(c.chief, items[-2], errors_found=0)
    recheck.record_check(c.chief, items[-1], errors_found=0)
    appeals.record_appeal(
        c.organizer,
        c.event,
        entry_code="A-03",
        appellant="江州汽车厂领队",
        content="表面质量评价等级偏低，申请复议。",
    )
    db.session.commit()
    page = new_page("laptop")
    page.goto(live_server.url + "/login")
    page.fill("#username", c.organizer.username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")
    page.goto(f"{live_server.url}/review/events/{c.event.id}/recheck")
    expect(page.get_by_role("heading", name="全部重新评分")).to_be_visible()
    screenshot(page, "review-recheck-alarm-laptop")
    page.goto(f"{live_server.url}/review/events/{c.event.id}/appeals")
    expect(page.get_by_text("受理中")).to_be_visible()
    screenshot(page, "review-appeals-laptop")
