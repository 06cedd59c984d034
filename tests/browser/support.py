"""Steps several browser journeys share."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def confirm(page: Any, action: str, consequence: str | None = None) -> None:
    """Accept the in-page confirmation dialog of an action that cannot be undone (#16 item 4),
    after checking it names the consequence; the app never uses a native confirm()."""
    dialog = page.locator("dialog.confirm-dialog[open]")
    expect(dialog).to_be_visible()
    if consequence:
        expect(dialog).to_contain_text(consequence)
    dialog.get_by_role("button", name=action, exact=True).click()


def login(page: Any, url: str, username: str) -> Any:
    """Sign ``username`` in (every test user has tests.conftest.PASSWORD) and wait for home."""
    from tests.conftest import PASSWORD

    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")
    return page
