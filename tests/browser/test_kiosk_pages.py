"""The kiosk in a browser (#16 item 15): it fetches page 2 after page 1, one page ahead of the
slides, comes round to every honor and starts again from page 1."""

from __future__ import annotations

import re
from typing import Any

import pytest

from contest.services.honors.records import add_honor
from tests.contest.test_kiosk_pages import honor_data

pytestmark = pytest.mark.browser


def page_of(url: str) -> int | None:
    """The page a kiosk fetch asks for (None: the bare URL, page 1)."""
    if "/wall/kiosk/page" not in url:
        return None
    found = re.search(r"[?&]page=(\d+)", url)
    return int(found.group(1)) if found else 1


def test_the_kiosk_fetches_the_next_page_as_it_goes(
    db: Any, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    names = ["王秀英", "李建国", "张桂兰", "陈志强", "刘淑芬"]
    for year, name in enumerate(names):  # newest first on the wall: reversed below
        add_honor(None, honor_data(name, year=2010 + year))
    db.session.commit()
    order = list(reversed(names))

    page = new_page("1080p")
    requested: list[int | None] = []
    page.on("request", lambda r: requested.append(page_of(r.url)) if page_of(r.url) else None)
    page.goto(live_server.url + "/wall/kiosk?per_page=2&interval=120")
    page.wait_for_selector('#kiosk[data-ahead="2"]', state="attached")
    name, counter = page.locator("[data-name]"), page.locator("[data-counter]")
    assert name.text_content() == order[0]
    assert counter.text_content() == "1 / 5"
    assert requested == [2]  # one page ahead, not all at once

    # Moving onto a page asks for the one after it; moving onto the last asks for page 1 again.
    fetches = {3: 3, 5: 1}  # the slide (1-based) that starts a page → the page then fetched
    for position in range(2, 6):
        page.keyboard.press("ArrowRight")
        if position in fetches:
            ahead = fetches[position]
            page.wait_for_selector(f'#kiosk[data-ahead="{ahead}"]', state="attached")
        page.wait_for_function(
            "n => document.querySelector('[data-counter]').textContent === n",
            arg=f"{position} / 5",
        )
        assert name.text_content() == order[position - 1]
        if position == 3:  # the first slide of page 2, once its entrance has played
            page.wait_for_function(
                "() => document.querySelector('[data-slide]').getAnimations({subtree: true})"
                ".every(a => a.playState === 'finished')"
            )
            screenshot(page, "kiosk-page-2-1080p")
    assert requested == [2, 3, 1]

    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('[data-counter]').textContent === '1 / 5'")
    assert name.text_content() == order[0]
