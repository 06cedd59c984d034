"""The privacy rule, checked on the whole demo: crawl every public page and API response and
find none of the demo's 身份证号 or phone numbers (DESIGN.md "Privacy", issue 5 item 8), and
none of its care data (issue #14): care-record notes (health details), contact details, review
notes, revocation facts, the chain's notes and evidence file names.

Called by tests/contest/test_demo_journeys.py on its one load of the whole demo (a load takes
half a minute per engine), so the crawl also walks the labor and 公示 pages the demo fills. It
starts from the wall profiles of the honorees the care step touched (the deceased one, those
with care records or contact details, the one whose revocation is in progress) and the wall's
statistics, where a leak of the archive would show first."""

from __future__ import annotations

import html
import json
import re
from collections import deque
from typing import Any
from urllib.parse import quote, urldefrag, urljoin, urlsplit

from sqlalchemy import select

from contest.models import (
    CareRecord,
    Honor,
    HonoreeFile,
    HonorStatus,
    LifeStatus,
    Person,
    ReviewOutcome,
    Revocation,
    RevocationEntry,
    RevocationEvidence,
)

LINK = re.compile(r'(?:href|src|data-api)="([^"]+)"')
DIGITS = re.compile(r"\d{11,17}[\dXx]?")
MAX_PAGES = 400
# The care area's pages, asked anonymously: each must send the visitor to the login page.
CARE_PAGES = ("/care/", "/care/due", "/care/reviews", "/care/revocations")


def _private_numbers(db: Any) -> tuple[set[str], set[str]]:
    ids, phones = set(), set()
    for person in db.session.scalars(select(Person)):
        if person.id_number_encrypted:
            ids.add(person.reveal_id_number())
        if person.phone_encrypted:
            phones.add(person.reveal_phone())
    return ids, phones


def care_texts(db: Any) -> set[str]:
    """Every private text the care data holds: notes, contacts, review notes, revocation facts,
    the chain's notes and the evidence's file names."""
    found: set[str | None] = set()
    found.update(r.reveal_notes() for r in db.session.scalars(select(CareRecord)))
    found.update(f.reveal_contact() for f in db.session.scalars(select(HonoreeFile)))
    found.update(db.session.scalars(select(ReviewOutcome.note)))
    found.update(db.session.scalars(select(Revocation.facts)))
    found.update(db.session.scalars(select(RevocationEntry.note)))
    found.update(db.session.scalars(select(RevocationEvidence.filename)))
    return {text for text in found if text}


def _care_start_pages(db: Any) -> list[str]:
    """The profiles of the people the care data is about, and a wall search for each name."""
    people = set(
        db.session.scalars(
            select(HonoreeFile.person_id).where(
                (HonoreeFile.status != LifeStatus.IN_SERVICE)
                | HonoreeFile.contact_encrypted.is_not(None)
                | HonoreeFile.id.in_(select(CareRecord.file_id))
            )
        )
    )
    people.update(
        db.session.scalars(
            select(Honor.person_id).join(Revocation, Revocation.honor_id == Honor.id)
        )
    )
    pages = []
    for honor in db.session.scalars(
        select(Honor)
        .where(Honor.person_id.in_(people), Honor.status == HonorStatus.VALID)
        .order_by(Honor.id)
    ):
        pages += [f"/wall/{honor.id}", f"/api/v1/honors?q={quote(honor.recipient_name)}"]
    return list(dict.fromkeys(pages))


def _readable(body: str, mimetype: str) -> str:
    """The text a reader sees: JSON with its \\u escapes decoded, HTML with entities decoded."""
    if mimetype.endswith("json"):
        try:
            return json.dumps(json.loads(body), ensure_ascii=False)
        except ValueError:
            return body
    return html.unescape(body)


def assert_nothing_private_in_public(db: Any, client: Any) -> None:
    """Crawl from the public entry points; fail on any demo ID or phone number, or any of the
    care data's private texts, found on a page or in an API response."""
    ids, phones = _private_numbers(db)
    assert len(ids) > 2000 and len(phones) > 2000
    texts = care_texts(db)
    assert len(texts) >= 20, "the demo's care step should have written notes and contacts"
    care_pages = _care_start_pages(db)
    assert any(page.startswith("/wall/") for page in care_pages)
    start = [
        "/",
        "/wall/",
        "/wall/kiosk",
        "/wall/stats",
        *care_pages,
        *CARE_PAGES,
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
        if path.startswith("/care/"):
            assert response.status_code == 302 and "/login" in response.location, path
        for number in DIGITS.findall(body):
            assert number.upper() not in ids, f"ID number on {path}"
            assert number[:11] not in phones, f"phone number on {path}"
        readable = _readable(body, response.mimetype)
        for text in texts:
            assert text not in readable, f"care data on {path}: {text[:20]}"
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
