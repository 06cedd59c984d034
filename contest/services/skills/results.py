"""Reading published results: the current snapshot, its rows, certificates and their checks.

A publication is a :class:`ResultSnapshot`: the rows the public may see (DOMAIN.md §4: rank,
参赛号, name with its (女) marker, unit, totals, awards, titles — never an ID number, phone or
birth date), a canonical JSON document of them and its SHA-256.  Everything public (results
page, API, exports, certificates, verification) reads the current snapshot, never live marks
nor the live contest row, so what was published is what everyone sees and it can be served from
this precomputed form.  Writing a snapshot is ``contest.services.skills.publishing``.

Nothing is served that does not match its snapshot: a document must hash to its digest, that
digest must be the one the audit trail recorded when it was published, and an event's stored
rows must equal the document's (:func:`public_contest`, :func:`snapshot_seals`,
:func:`sealed_rows`).  Otherwise the public side gets :class:`Withheld` or None and the reason is
logged, without names.  These checks read the whole snapshot, so the public pages run them once
per content version through the results cache (``contest.ui.published``), not per request.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import Contest, Event, HonorLevel, ResultRow, ResultSnapshot
from contest.services.core import audit
from contest.services.core.digests import canonical, digest_of, rows_digest

__all__ = [
    "Certificate",
    "EventSeal",
    "PublicContest",
    "PublicEvent",
    "Withheld",
    "canonical",
    "certificate_matches",
    "certificates_of",
    "current_snapshot",
    "decimal_text",
    "digest_of",
    "find_certificate",
    "normalise_number",
    "page_of",
    "public_contest",
    "published_contests",
    "row_document",
    "sealed_rows",
    "snapshot_problems",
    "snapshot_seals",
    "snapshots",
    "verify_digest",
]

log = logging.getLogger(__name__)
PUBLISH_ACTION = "results.publish"


# ------------------------------------------------------------------ numbers and documents


def decimal_text(value: float | Decimal | None, digits: int) -> str | None:
    """A score as published: fixed decimals, half up, as a string (canonical in JSON)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    quantum = Decimal(1).scaleb(-digits)
    return str(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


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
        # A team event's rows only, so documents published before teams hash as they did.
        **({"team": row.team} if row.team else {}),
        # A member-scored team's member: their own total beside the team's (``total``).
        **(
            {"member_total": decimal_text(row.member_total, digits)}
            if row.member_total is not None
            else {}
        ),
        # Likewise only when set: titles the entrant is put forward for (推荐, not conferred)
        # and the standardised 700-scale score of an event whose policy shows it.
        **({"recommended": list(row.recommended)} if row.recommended else {}),
        **(
            {"standard_score": decimal_text(row.standard_score, 1)}
            if row.standard_score is not None
            else {}
        ),
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


# ------------------------------------------------------------------ integrity


@dataclass(frozen=True)
class EventSeal:
    """What an event's published rows must be: its precision and the SHA-256 of its rows as
    the snapshot document records them (:func:`rows_digest`)."""

    precision: int
    digest: str


@dataclass(frozen=True)
class Withheld:
    """A published contest whose snapshot does not check: the public gets a 503, not rows."""

    contest_id: int
    snapshot_id: int


def _audit_problem(snapshot: ResultSnapshot) -> str | None:
    """Why the snapshot's digest is not the one its ``results.publish`` entry recorded."""
    for entry, after in audit.recorded(PUBLISH_ACTION, "contest", snapshot.contest_id):
        if after.get("snapshot") != snapshot.id:
            continue
        if not audit.entry_holds(entry):
            return f"its audit entry {entry.id} does not match its hash"
        if after.get("digest") != snapshot.digest:
            return f"its digest is not the one audit entry {entry.id} recorded"
        return None
    return "no audit entry records this publication"


def _seals(snapshot: ResultSnapshot) -> tuple[dict[str, Any] | None, dict[int, EventSeal], str]:
    """The parsed document and each event's seal, or None and the reason it does not check."""
    if not hmac.compare_digest(digest_of(snapshot.document), snapshot.digest):
        return None, {}, "the document does not hash to its digest"
    problem = _audit_problem(snapshot)
    if problem is not None:
        return None, {}, problem
    try:
        document = json.loads(snapshot.document)
        seals = {
            int(event["id"]): EventSeal(int(event.get("precision", 2)), rows_digest(event["rows"]))
            for event in document.get("events", [])
        }
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, {}, "the document cannot be read"
    return document, seals, ""


def _stored_rows(snapshot_id: int, event_id: int, precision: int) -> list[dict[str, Any]]:
    query = (
        select(ResultRow)
        .where(ResultRow.snapshot_id == snapshot_id, ResultRow.event_id == event_id)
        .order_by(ResultRow.position)
    )
    return [row_document(row, precision) for row in db.session.scalars(query)]


def _rows_problem(event_id: int, stored: list[dict[str, Any]], recorded: list[Any]) -> str:
    """Where an event's stored rows first differ from the document (positions, never names)."""
    if len(stored) != len(recorded):
        return f"event {event_id} has {len(stored)} stored rows, the snapshot {len(recorded)}"
    for number, (mine, theirs) in enumerate(zip(stored, recorded, strict=True), start=1):
        if canonical(mine) != canonical(theirs):
            fields = sorted(k for k in mine if mine.get(k) != theirs.get(k))
            return f"event {event_id}, row {number}: stored {', '.join(fields)} differ"
    return f"event {event_id}: stored rows differ"


def _withhold(snapshot: ResultSnapshot, problem: str) -> None:
    log.warning(
        "published results withheld: contest %s, snapshot %s: %s",
        snapshot.contest_id,
        snapshot.id,
        problem,
    )


def snapshot_problems(snapshot: ResultSnapshot) -> list[str]:
    """Everything about ``snapshot`` that does not check (empty: intact): the document against
    its digest, the digest against the audit trail, every stored row against the document."""
    document, seals, problem = _seals(snapshot)
    if document is None:
        return [problem]
    recorded = {int(event["id"]): event["rows"] for event in document.get("events", [])}
    stored_events = db.session.scalars(
        select(ResultRow.event_id).where(ResultRow.snapshot_id == snapshot.id).distinct()
    )
    problems = [
        f"event {event_id} has stored rows but is not in the snapshot"
        for event_id in stored_events
        if event_id not in seals
    ]
    for event_id, seal in seals.items():
        stored = _stored_rows(snapshot.id, event_id, seal.precision)
        if rows_digest(stored) != seal.digest:
            problems.append(_rows_problem(event_id, stored, recorded[event_id]))
    return problems


def verify_digest(snapshot: ResultSnapshot) -> bool:
    """True when the document hashes to the (audited) digest and the stored rows match it."""
    return not snapshot_problems(snapshot)


def snapshot_seals(snapshot_id: int) -> dict[int, EventSeal] | None:
    """Each event's seal, by event id; None (logged) when the snapshot does not check."""
    snapshot = db.session.get(ResultSnapshot, snapshot_id)
    if snapshot is None:
        return None
    document, seals, problem = _seals(snapshot)
    if document is None:
        _withhold(snapshot, problem)
        return None
    return seals


def sealed_rows(
    snapshot_id: int, event_id: int, seal: EventSeal
) -> tuple[dict[str, Any], ...] | None:
    """An event's stored rows, in page order, when they equal the snapshot's (``seal``); else
    None, logged: a row edited, added or removed in the database is never served."""
    rows = _stored_rows(snapshot_id, event_id, seal.precision)
    if rows_digest(rows) != seal.digest:
        snapshot = db.session.get(ResultSnapshot, snapshot_id)
        if snapshot is not None:
            _withhold(snapshot, f"the stored rows of event {event_id} differ from the snapshot")
        return None
    return tuple(rows)


def certificate_matches(
    certificate: Certificate, rows: Sequence[dict[str, Any]], precision: int
) -> bool:
    """Whether ``certificate`` (read from its stored row) says what its sealed row says."""
    sealed = next((row for row in rows if row["certificate_no"] == certificate.number), None)
    total = (
        None if certificate.total is None else decimal_text(Decimal(certificate.total), precision)
    )
    stored = {
        "rank": certificate.rank,
        "name": certificate.name,
        "is_female": certificate.is_female,
        "organization": certificate.organization,
        "total": total,
        "award": certificate.award,
        "titles": list(certificate.titles),
        "team": certificate.team,
    }
    if sealed is not None and all(sealed.get(key) == value for key, value in stored.items()):
        return True
    log.warning(
        "certificate withheld: snapshot %s, event %s: its stored row differs from the snapshot",
        certificate.snapshot_id,
        certificate.event_id,
    )
    return False


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
    snapshot_id: int
    event_id: int
    team: str | None = None  # a team member's certificate: the team's name


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
        snapshot_id=snapshot.id,
        event_id=event.id,
        team=row.team,
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
    rows_digest: str  # what its stored rows must hash to (:func:`sealed_rows`)
    # Set when registration closed below the minimum field (``turnout``): cancelled (取消, no
    # rows) or ranked without awards; ``absent``: the 参赛号 of the 缺考 entrants.
    cancelled: bool = False
    no_awards: bool = False
    absent: tuple[str, ...] = ()

    @property
    def seal(self) -> EventSeal:
        return EventSeal(self.precision, self.rows_digest)


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


def public_contest(contest_id: int) -> PublicContest | Withheld | None:
    """The header of a published contest's current snapshot, or None (→ 404), or
    :class:`Withheld` (→ 503, logged) when the snapshot does not match its digest.

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
    meta, seals, problem = _seals(current)
    if meta is None:
        _withhold(current, problem)
        return Withheld(contest_id, current.id)
    events = tuple(
        PublicEvent(
            id=int(item["id"]),
            code=str(item["code"]),
            label=str(item["label"]),
            count=len(item["rows"]),
            precision=seals[int(item["id"])].precision,
            components=tuple((str(k), str(v)) for k, v in item.get("components", [])),
            rows_digest=seals[int(item["id"])].digest,
            cancelled=bool(item.get("cancelled")),
            no_awards=bool(item.get("no_awards")),
            absent=tuple(str(code) for code in item.get("absent", ())),
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
        row_count=sum(event.count for event in events),
        events=events,
        history=tuple((s.digest, s.created_at) for s in history if not s.is_current),
    )


def page_of(
    events: Sequence[tuple[PublicEvent, Sequence[dict[str, Any]]]],
    page: int = 1,
    per_page: int | None = None,
) -> list[dict[str, Any]]:
    """The rows of ``events`` (each with its sealed rows), event by event in the order given, each
    marked with its event's code; a page of them with ``per_page``, which may straddle events."""
    rows = ({**row, "event": event.code} for event, sealed in events for row in sealed)
    if per_page:
        start = (max(page, 1) - 1) * per_page
        return list(islice(rows, start, start + per_page))
    return list(rows)
