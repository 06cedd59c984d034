"""A federation's big tree import shows its progress in the browser and then its result,
without the user reloading the page (issue #10 item 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from contest.models import Organization
from tests.browser.test_orgs_journey import _login
from tests.contest.test_import_jobs import _tree

pytestmark = pytest.mark.browser


def test_a_big_tree_import_shows_progress_then_the_result(
    app: Any,
    db: Any,
    make_user: Any,
    live_server: Any,
    new_page: Any,
    screenshot: Any,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    monkeypatch.setitem(app.config, "IMPORT_JOB_WAIT_SECONDS", 0)
    admin = make_user("admin", username="root")
    sheet = tmp_path / "tree.xlsx"
    sheet.write_bytes(_tree(1500))
    page = new_page("tablet")
    page.set_viewport_size({"width": 820, "height": 1000})
    _login(page, live_server.url, admin.username)
    page.goto(live_server.url + "/orgs/import")
    page.set_input_files("#file", str(sheet))
    page.get_by_role("button", name="导入").click()
    progress = page.locator("#import-progress")
    expect(progress.get_by_role("heading", name="正在导入")).to_be_visible()
    screenshot(page, "orgs-import-progress-tablet")
    result = page.locator("#import-result")
    result.wait_for(timeout=120_000)
    expect(result.get_by_text("新增组织 1501 个")).to_be_visible()
    assert page.locator("#import-progress").count() == 0
    db.session.rollback()
    assert db.session.query(Organization).count() == 1501
