"""Reading published results: the current snapshot, its rows, certificates and their checks.

A publication is a :class:`ResultSnapshot`: the rows the public may see (DOMAIN.md §4: rank,
参赛号, name with its (女) marker, unit, totals, awards, titles — never an ID number, phone or
birth date), a canonical JSON document of them and its SHA-256.  Everything public (results
page, API, exports, certificates, verification) reads the current snapshot, never live marks
nor the live contest row, so what was published is what everyone sees and it can be served from
this precomputed form.  Writing a snapshot is ``contest.services.skills.publishing``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import Contest, Event, HonorLevel, ResultRow, ResultSnapshot

__all__ = [
    "Certificate",
    "PublicContest",
    "PublicEvent",
    "canonical",
    "certificates_of",
    "current_snapshot",
    "decimal_text",
    "digest_of",
    "event_rows",
    "find_certificate",
    "normalise_number",
    "public_contest",
    "published_contests",
    "row_document",
    "snapshots",
    "verify_digest",
]


# ------------------------------------------------------------------ numbers and documents


def decimal_text(value: float | Decimal | None, digits: int) -> str | None:
    """A score as published: fixed decimals, half up, as a string (canonical in JSON)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    quantum = Decimal(1).scaleb(-digits)
    return str(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 text kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def row_document(row: ResultRow, digits: int) -> dict[str, Any]:
    """A row as the snapshot document records it (exactly the published fields).

    ``digits`` is the event's published precision: the column keeps three decimals, the
    document (and every page) shows the total as it was ranked.
    """
    return {
        "position": row.position,
        "rank": row.rank,
        "entry_code": row.entry_code,
        "name": row.name,
        "is_female": bool(row.is_female),
        "organization": row.organization,
        "total": decimal_text(row.total, digits),
        "components": dict(row.components or {}),
        "award": row.award,
        "titles": list(row.titles or []),
        "certificate_no": row.certificate_no,
    }


_NUMBER = re.compile(r"^(\d{4}-\d{4}-[0-9A-Z]{1,8}-\d{4})-([A-Z2-7]{4})$")


def normalise_number(raw: str) -> str | None:
    """The number as typed (spaces, lower case, full-width dashes tolerated) or None."""
    text = (raw or "").strip().upper().replace(" ", "").replace("－", "-").replace("—", "-")
    # Only the shape is checked here: the stored number (suffix included) is the proof, so a
    # rotated SECRET_KEY does not invalidate certificates already printed.
    return text if _NUMBER.match(text) else None


# ------------------------------------------------------------------ reading


def current_snapshot(contest_id: int) -> ResultSnapshot | None:
    return db.session.scalars(
        select(ResultSnapshot)
        .where(ResultSnapshot.contest_id == contest_id, ResultSnapshot.is_current.is_(True))
        .order_by(ResultSnapshot.id.desc())
    ).first()


def snapshots(contest_id: int) -> list[ResultSnapshot]:
    """Every publication of a contest, newest first (the hashes the results page lists)."""
    return list(
        db.session.scalars(
            select(ResultSnapshot)
            .where(ResultSnapshot.contest_id == contest_id)
            .order_by(ResultSnapshot.id.desc())
        )
    )


def verify_digest(snapshot: ResultSnapshot) -> bool:
    """True when the document hashes to the digest and the stored rows still match it."""
    if not hmac.compare_digest(digest_of(snapshot.document), snapshot.digest):
        return False
    try:
        document = json.loads(snapshot.document)
    except ValueError:
        return False
    events = document.get("events", [])
    recorded = {str(event["id"]): event["rows"] for event in events}
    precision = {str(event["id"]): int(event.get("precision", 2)) for event in events}
    stored: dict[str, list[dict[str, Any]]] = {key: [] for key in recorded}
    rows = db.session.scalars(
        select(ResultRow)
        .where(ResultRow.snapshot_id == snapshot.id)
        .order_by(ResultRow.event_id, ResultRow.position)
    )
    for row in rows:
        key = str(row.event_id)
        stored.setdefault(key, []).append(row_document(row, precision.get(key, 2)))
    return canonical(recorded) == canonical(stored)


@dataclass(frozen=True)
class Certificate:
    """What the public verification page confirms about a certificate number."""

    number: str
    name: str
    is_female: bool
    organization: str
    contest_id: int
    contest_name: str
    host: str
    conferring_body: str
    event_code: str
    event_label: str
    award: str | None
    titles: tuple[str, ...]
    rank: int | None
    total: str | None
    published_at: Any
    digest: str
    is_current: bool
    year: int


def find_certificate(number: str) -> Certificate | None:
    """The certificate with exactly this number (suffix included), or None."""
    normalised = normalise_number(number)
    if normalised is None:
        return None
    found = db.session.execute(
        select(ResultRow, ResultSnapshot, Event, Contest)
        .join(ResultSnapshot, ResultRow.snapshot_id == ResultSnapshot.id)
        .join(Event, ResultRow.event_id == Event.id)
        .join(Contest, ResultSnapshot.contest_id == Contest.id)
        .where(ResultRow.certificate_no == normalised)
    ).first()
    if found is None:
        return None
    row, snapshot, event, contest = found
    if not contest.is_published:
        return None
    return _certificate(row, snapshot, event, contest)


def _certificate(
    row: ResultRow, snapshot: ResultSnapshot, event: Event, contest: Contest
) -> Certificate:
    return Certificate(
        number=str(row.certificate_no),
        name=row.name,
        is_female=bool(row.is_female),
        organization=row.organization,
        contest_id=contest.id,
        contest_name=contest.name,
        host=contest.organization.name,
        conferring_body=contest.conferring_body or contest.organization.name,
        event_code=event.code,
        event_label=event.label,
        award=row.award,
        titles=tuple(row.titles or ()),
        rank=row.rank,
        total=None if row.total is None else str(row.total),
        published_at=snapshot.created_at,
        digest=snapshot.digest,
        is_current=bool(snapshot.is_current),
        year=contest.year,
    )


def certificates_of(contest: Contest, event_code: str) -> list[Certificate]:
    """The certificates of one event in the current snapshot, in rank order (bulk printing)."""
    snapshot = current_snapshot(contest.id)
    event = next((e for e in contest.events if e.code == event_code), None)
    if snapshot is None or event is None:
        return []
    rows = db.session.scalars(
        select(ResultRow)
        .where(
            ResultRow.snapshot_id == snapshot.id,
            ResultRow.event_id == event.id,
            ResultRow.certificate_no.is_not(None),
        )
        .order_by(ResultRow.position)
    )
    return [_certificate(row, snapshot, event, contest) for row in rows]


# ------------------------------------------------------------------ public reading
# Plain data (dicts, tuples, dataclasses of them) so the caches can keep it as it is.


@dataclass(frozen=True)
class PublicEvent:
    id: int
    code: str
    label: str
    count: int
    precision: int
    components: tuple[tuple[str, str], ...]  # (key, name) in rubric order


@dataclass(frozen=True)
class PublicContest:
    """A published contest's header: what the page shows above the tables."""

    id: int
    name: str
    level: str
    level_label: str
    year: int
    status: str
    host: str
    conferring_body: str
    starts_on: Any
    ends_on: Any
    snapshot_id: int
    digest: str
    published_at: Any
    row_count: int
    events: tuple[PublicEvent, ...]
    history: tuple[tuple[str, Any], ...]  # (digest, created_at) of earlier publications

    def event(self, code: str | None) -> PublicEvent | None:
        for event in self.events:
            if event.code == code:
                return event
        return self.events[0] if self.events and code is None else None


def published_contests(user: Any = None) -> list[Contest]:
    """Published (or archived) contests, newest first; plus the drafts ``user`` manages."""
    contests = list(
        db.session.scalars(
            select(Contest)
            .options(selectinload(Contest.organization))
            .order_by(Contest.year.desc(), Contest.id.desc())
        )
    )
    return [c for c in contests if c.is_published or (user is not None and c.can_manage(user))]


def _frozen_date(value: Any) -> date | None:
    """A date from the snapshot document (snapshots written before dates were frozen: None)."""
    return date.fromisoformat(value) if isinstance(value, str) else None


def public_contest(contest_id: int) -> PublicContest | None:
    """The header of a published contest's current snapshot, or None (→ 404).

    Every field the page shows comes from the frozen document, so an edit of the contest after
    publication (its name, host, dates, level) changes nothing public until it is published
    again; only ``status`` is live, because archiving is not a new publication.
    """
    contest = db.session.get(Contest, contest_id)
    if contest is None or not contest.is_published:
        return None
    history = snapshots(contest_id)
    current = next((s for s in history if s.is_current), None)
    if current is None:
        return None
    meta = json.loads(current.document)
    counts = dict(
        db.session.execute(
            select(ResultRow.event_id, func.count())
            .where(ResultRow.snapshot_id == current.id)
            .group_by(ResultRow.event_id)
        ).all()
    )
    events = tuple(
        PublicEvent(
            id=int(item["id"]),
            code=str(item["code"]),
            label=str(item["label"]),
            count=int(counts.get(int(item["id"]), 0)),
            precision=int(item.get("precision", 2)),
            components=tuple((str(k), str(v)) for k, v in item.get("components", [])),
        )
        for item in meta.get("events", [])
    )
    header = meta["contest"]
    level = HonorLevel(header["level"])
    return PublicContest(
        id=contest.id,
        name=str(header["name"]),
        level=level.value,
        level_label=level.label,
        year=int(header["year"]),
        status=contest.status.value,
        host=str(header["host"]),
        conferring_body=str(header["conferring_body"]),
        starts_on=_frozen_date(header.get("starts_on")),
        ends_on=_frozen_date(header.get("ends_on")),
        snapshot_id=current.id,
        digest=current.digest,
        published_at=current.created_at,
        row_count=current.row_count,
        events=events,
        history=tuple((s.digest, s.created_at) for s in history if not s.is_current),
    )


def event_rows(
    header: PublicContest,
    events: Sequence[PublicEvent],
    page: int = 1,
    per_page: int | None = None,
) -> list[dict[str, Any]]:
    """The published rows of ``events``, event by event in page order (a page of them with
    ``per_page``): the page is cut in SQL, even across events."""
    by_id = {event.id: event for event in events}
    if not by_id:
        return []
    query = select(ResultRow).where(
        ResultRow.snapshot_id == header.snapshot_id, ResultRow.event_id.in_(by_id)
    )
    if len(by_id) > 1:
        order = {event_id: index for index, event_id in enumerate(by_id)}
        query = query.order_by(case(order, value=ResultRow.event_id))
    query = query.order_by(ResultRow.position)
    if per_page:
        query = query.offset((max(page, 1) - 1) * per_page).limit(per_page)
    rows = []
    for row in db.session.scalars(query):
        event = by_id[row.event_id]
        data = row_document(row, event.precision)
        data["event"] = event.code
        rows.append(data)
    return rows
