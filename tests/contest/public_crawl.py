"""The privacy rule, checked on the whole demo: crawl every public page and API response and
find none of the demo's 身份证号 or phone numbers (DESIGN.md "Privacy", issue 5 item 8).

Called by tests/contest/test_demo_journeys.py on its one load of the whole demo (a load takes
half a minute per engine), so the crawl also walks the labor and 公示 pages the demo fills."""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from sqlalchemy import select

from contest.models import Person

LINK = re.compile(r'(?:href|src|data-api)="([^"]+)"')
DIGITS = re.compile(r"\d{11,17}[\dXx]?")
MAX_PAGES = 400


def _private_numbers(db: Any) -> tuple[set[str], set[str]]:
    ids, phones = set(), set()
    for person in db.session.scalars(select(Person)):
        if person.id_number_encrypted:
            ids.add(person.reveal_id_number())
        if person.phone_encrypted:
            phones.add(person.reveal_phone())
    return ids, phones


def assert_no_personal_number_in_public(db: Any, client: Any) -> None:
    """Crawl from the public entry points; fail on any demo ID or phone number found."""
    ids, phones = _private_numbers(db)
    assert len(ids) > 2000 and len(phones) > 2000
    start = [
        "/",
        "/wall/",
        "/wall/kiosk",
        "/wall/stats",
        "/api/v1/honors?per_page=100",
        "/api/v1/honors?per_page=100&page=2",
        "/api/v1/openapi.json",
        "/healthz",
        "/results/",
        "/api/v1/contests",
        "/labor/public/",
        "/api/v1/competitions",
        "/nominations/publicity/",
        "/api/v1/campaigns",
    ]
    queue, seen, crawled = deque(start), set(start), 0
    while queue and crawled < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        crawled += 1
        body = response.get_data(as_text=True) if not response.mimetype.startswith("image/") else ""
        response.close()
        for number in DIGITS.findall(body):
            assert number.upper() not in ids, f"ID number on {path}"
            assert number[:11] not in phones, f"phone number on {path}"
        if response.status_code != 200 or not response.mimetype.endswith(("html", "json")):
            continue
        links = LINK.findall(body)
        if response.mimetype.endswith("json"):
            links += re.findall(r'"url": ?"([^"]+)"', body)
        for link in links:
            target, _ = urldefrag(urljoin("http://localhost" + path, link.replace("&amp;", "&")))
            parts = urlsplit(target)
            if parts.netloc not in ("", "localhost") or parts.path.startswith(
                ("/static/", "/login", "/lang/")
            ):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local not in seen:
                seen.add(local)
                queue.append(local)
    assert crawled >= 50, "the crawl should reach profiles, pages of the wall and the API"
