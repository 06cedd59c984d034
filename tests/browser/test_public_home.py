"""The public home in a browser (#16 item 15): the wall, the results and 证书查验 one tap away,
at phone, tablet and desktop widths, without sideways scrolling."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 390, "tablet": 820, "laptop": 1366}


def test_the_public_home_leads_straight_to_the_public_pages(
    db: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    for size, width in WIDTHS.items():
        page = new_page(size)
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/")
        entries = page.get_by_role("navigation", name="公开查询", exact=True)
        for label in ("劳模墙", "成绩公布", "证书查验"):
            assert entries.get_by_role("link", name=label).is_visible(), (size, label)
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
        screenshot(page, f"public-home-{width}")

    entries.get_by_role("link", name="证书查验").click()
    page.wait_for_url("**/verify")
    expect(page.locator("#number")).to_be_visible()
