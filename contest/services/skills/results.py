"""Publishing results: rank every event, freeze the rows in a hashed snapshot, certify, honor.

A publication is a :class:`ResultSnapshot`: the rows the public may see (DOMAIN.md §4: rank,
参赛号, name with its (女) marker, unit, totals, awards, titles — never an ID number, phone or
birth date), a canonical JSON document of them and its SHA-256.  Everything public (results
page, API, exports, certificates, verification) reads the current snapshot, never live marks,
so what was published is what everyone sees and it can be served from this precomputed form.

A correction after publication publishes again: a new snapshot becomes current with new
certificate numbers; the old ones are kept with their hashes, and their certificates keep
verifying, marked as superseded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import (
    Contest,
    ContestStatus,
    Entry,
    Event,
    Honor,
    HonorSource,
    HonorStatus,
    ResultRow,
    ResultSnapshot,
    User,
)
from contest.models.base import utcnow
from contest.services.core import audit
from contest.services.core.versions import RESULTS_CONTENT, bump_version
from contest.services.honors import records as honor_service

DOCUMENT_FORMAT = 1

__all__ = [
    "Certificate",
    "ResultsError",
    "certificate_number",
    "certificates_of",
    "current_snapshot",
    "find_certificate",
    "publish",
    "snapshots",
    "verify_digest",
]


class ResultsError(ValueError):
    """Publishing is refused; ``problems`` are the sentences to show the organizer."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


# ------------------------------------------------------------------ numbers and documents


def _decimal_text(value: float | Decimal | None, digits: int) -> str | None:
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
        "total": _decimal_text(row.total, digits),
        "components": dict(row.components or {}),
        "award": row.award,
        "titles": list(row.titles or []),
        "certificate_no": row.certificate_no,
    }


def _check_suffix(base: str) -> str:
    """Four characters of an HMAC of the number under SECRET_KEY: numbers cannot be guessed."""
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    mac = hmac.new(key, base.encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(mac).decode("ascii")[:4]


def certificate_number(year: int, contest_id: int, event_code: str, sequence: int) -> str:
    """``2026-0007-A-0001-K7QD``: year, contest, event, sequence and a keyed check suffix."""
    base = f"{year}-{contest_id:04d}-{event_code}-{sequence:04d}"
    return f"{base}-{_check_suffix(base)}"


_NUMBER = re.compile(r"^(\d{4}-\d{4}-[0-9A-Z]{1,8}-\d{4})-([A-Z2-7]{4})$")


def normalise_number(raw: str) -> str | None:
    """The number as typed (spaces, lower case, full-width dashes tolerated) or None."""
    text = (raw or "").strip().upper().replace(" ", "").replace("－", "-").replace("—", "-")
    # Only the shape is checked here: the stored number (suffix included) is the proof, so a
    # rotated SECRET_KEY does not invalidate certificates already printed.
    return text if _NUMBER.match(text) else None


def _sequence(number: str) -> int:
    return int(number.rsplit("-", 2)[1])


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


# ------------------------------------------------------------------ publishing


def publish_problems(contest: Contest) -> list[str]:
    """Why the contest cannot be published (again) now; empty when it can."""
    from contest.services.skills import contests as contest_service

    if contest.status is ContestStatus.PUBLISHED:
        # A re-publication after a correction: the events must still all be signed off.
        return [
            _("项目“%(event)s”尚未由裁判长签字确认", event=event.label)
            for event in contest.events
            if not event.is_signed_off
        ]
    return list(contest_service.check_transition(contest, ContestStatus.PUBLISHED))


def _event_rows(contest: Contest, event: Event) -> tuple[Event, int, list[ResultRow]]:
    """The published rows of one event (ranked entrants, then the unranked: withdrawn or
    absent) and the precision its totals were ranked with."""
    import scoring
    from contest.services.skills import standings

    entries = {
        entry.id: entry
        for entry in db.session.scalars(
            select(Entry)
            .where(Entry.event_id == event.id)
            .options(selectinload(Entry.person), selectinload(Entry.organization))
        )
    }
    try:
        result = standings.ranking(event)
    except scoring.ScoringError as error:
        raise ResultsError(
            [_("项目“%(event)s”无法排名:%(error)s", event=event.label, error=str(error))]
        ) from error
    digits = int(result.policy.precision)
    components = result.components
    component_keys = [c.key for c in event.components if c.key in components.columns]
    rows: list[ResultRow] = []
    ranked: set[int] = set()
    table = result.table
    for entry_id, total, rank, award, titles in zip(
        table["entry"].tolist(),
        table["total"].tolist(),
        table["rank"].tolist(),
        table["award"].tolist(),
        table["titles"].tolist(),
        strict=True,
    ):
        entry = entries.get(int(entry_id))
        if entry is None:  # pragma: no cover - marks of a deleted entry
            continue
        ranked.add(entry.id)
        scores = {
            key: _decimal_text(float(components.at[entry_id, key]), digits)
            for key in component_keys
        }
        rows.append(_row(entry, event, rank=int(rank), total=total, digits=digits))
        rows[-1].components = {k: v for k, v in scores.items() if v is not None}
        rows[-1].award = award if isinstance(award, str) and award else None
        rows[-1].titles = [str(t) for t in (titles or ())]
    unranked = sorted(
        (e for e in entries.values() if e.id not in ranked),
        key=lambda e: (e.entry_code or "", e.id),
    )
    for entry in unranked:
        rows.append(_row(entry, event, rank=None, total=None, digits=digits))
    for position, row in enumerate(rows, start=1):
        row.position = position
    return event, digits, rows


def _row(entry: Entry, event: Event, *, rank: int | None, total: Any, digits: int) -> ResultRow:
    person = entry.person
    text = _decimal_text(total, digits) if total is not None else None
    return ResultRow(
        event_id=event.id,
        entry_id=entry.id,
        person_id=person.id,
        rank=rank,
        entry_code=entry.entry_code or "",
        name=person.name,
        is_female=person.is_female,
        organization=entry.organization.name if entry.organization else "",
        total=Decimal(text) if text is not None else None,
        components={},
        award=None,
        titles=[],
    )


def _assign_certificates(contest: Contest, event: Event, rows: list[ResultRow]) -> None:
    """Number the rows with an award or title, continuing after every number ever issued.

    Numbers of earlier snapshots stay on their rows (their documents and hashes stay valid), so
    a certificate printed before a correction still verifies, marked as superseded.
    """
    issued = db.session.scalars(
        select(ResultRow.certificate_no)
        .join(ResultSnapshot, ResultRow.snapshot_id == ResultSnapshot.id)
        .where(
            ResultSnapshot.contest_id == contest.id,
            ResultRow.event_id == event.id,
            ResultRow.certificate_no.is_not(None),
        )
    ).all()
    next_sequence = max((_sequence(n) for n in issued if n), default=0) + 1
    for row in rows:
        if row.award or row.titles:
            row.certificate_no = certificate_number(
                contest.year, contest.id, event.code, next_sequence
            )
            next_sequence += 1


def _document(
    contest: Contest, snapshot_time: Any, events: Iterable[tuple[Event, int, list[ResultRow]]]
) -> str:
    host = contest.organization.name
    return canonical(
        {
            "format": DOCUMENT_FORMAT,
            "contest": {
                "id": contest.id,
                "name": contest.name,
                "level": contest.level.value,
                "year": contest.year,
                "host": host,
                "conferring_body": contest.conferring_body or host,
            },
            "published_at": snapshot_time.isoformat(),
            "events": [
                {
                    "id": event.id,
                    "code": event.code,
                    "label": event.label,
                    "components": [[c.key, c.name] for c in event.components],
                    "precision": digits,
                    "rows": [row_document(row, digits) for row in rows],
                }
                for event, digits, rows in events
            ],
        }
    )


def _sync_honors(actor: User | None, contest: Contest, rows: list[ResultRow]) -> int:
    """Titles earned by placing become honor records; a correction revokes lost ones."""
    source_ref = f"contest:{contest.id}"
    existing = list(
        db.session.scalars(
            select(Honor).where(
                Honor.source == HonorSource.CONTEST,
                Honor.source_ref == source_ref,
                Honor.status == HonorStatus.VALID,
            )
        )
    )
    held = {(h.person_id, h.title): h for h in existing}
    wanted: set[tuple[int | None, str]] = set()
    body = contest.conferring_body or contest.organization.name
    people_units = {
        entry.id: entry
        for entry in db.session.scalars(
            select(Entry)
            .where(Entry.id.in_([r.entry_id for r in rows if r.titles and r.entry_id]))
            .options(selectinload(Entry.person), selectinload(Entry.organization))
        )
    }
    created = 0
    for row in rows:
        for title in row.titles or []:
            key = (row.person_id, title)
            wanted.add(key)
            if key in held:
                continue
            entry = people_units.get(row.entry_id) if row.entry_id else None
            honor_service.add_honor(
                actor,
                honor_service.HonorData(
                    recipient_name=row.name,
                    title=title,
                    level=contest.level,
                    year=contest.year,
                    person=entry.person if entry else None,
                    organization=entry.organization if entry else None,
                    unit_name=row.organization,
                    industry=None,
                    skill_level=None,
                    conferring_body=body,
                    conferred_on=utcnow().date(),
                    source=HonorSource.CONTEST,
                    source_ref=source_ref,
                    # Stored data: always in Chinese, whatever language the publisher reads.
                    deeds_summary=_stored(
                        lambda row=row: _(
                            "%(contest)s %(event)s 第 %(rank)s 名",
                            contest=contest.name,
                            event=_event_label(contest, row.event_id),
                            rank=row.rank,
                        )
                    ),
                ),
            )
            created += 1
    for key, honor in held.items():
        if key not in wanted:
            honor_service.revoke_honor(
                actor, honor, _stored(lambda: _("成绩更正后重新公布,不再符合该称号"))
            )
    return created


def _stored(build: Callable[[], str]) -> str:
    """Text that becomes data (an honor's summary, a revocation reason): built in Chinese, the
    platform's record language, even when the publisher uses the English interface."""
    with force_locale("zh_CN"):
        return str(build())


def _event_label(contest: Contest, event_id: int) -> str:
    for event in contest.events:
        if event.id == event_id:
            return event.label
    return ""


def _unchanged(
    previous: ResultSnapshot, per_event: list[tuple[Event, int, list[ResultRow]]]
) -> bool:
    """Whether a re-publication would publish the same rows (certificate numbers aside)."""

    def comparable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in row.items() if k != "certificate_no"} for row in rows]

    document = json.loads(previous.document)
    before = {str(e["id"]): comparable(e["rows"]) for e in document.get("events", [])}
    after = {
        str(event.id): comparable([row_document(row, digits) for row in rows])
        for event, digits, rows in per_event
    }
    return canonical(before) == canonical(after)


def publish(actor: User | None, contest: Contest) -> ResultSnapshot:
    """Rank every event and publish: snapshot, certificate numbers, honors, status, version.

    Refused with :class:`ResultsError` when the contest may not be published (see
    ``contest.services.skills.contests.check_transition``) or an event cannot be ranked; nothing is
    written then.  The caller commits.
    """
    problems = publish_problems(contest)
    if problems:
        raise ResultsError(problems)
    per_event = [_event_rows(contest, event) for event in contest.events]
    previous = current_snapshot(contest.id)
    if previous is not None and _unchanged(previous, per_event):
        raise ResultsError([_("成绩与现行公布版本完全相同,无需重新公布")])
    for event, _digits, rows in per_event:
        _assign_certificates(contest, event, rows)

    db.session.execute(
        update(ResultSnapshot)
        .where(ResultSnapshot.contest_id == contest.id, ResultSnapshot.is_current.is_(True))
        .values(is_current=False)
    )
    created_at = utcnow()
    document = _document(contest, created_at, per_event)
    all_rows = [row for _, _, rows in per_event for row in rows]
    snapshot = ResultSnapshot(
        contest_id=contest.id,
        is_current=True,
        created_at=created_at,
        created_by_id=actor.id if actor is not None else None,
        document=document,
        digest=digest_of(document),
        row_count=len(all_rows),
    )
    db.session.add(snapshot)
    db.session.flush()
    for row in all_rows:
        row.snapshot_id = snapshot.id
    db.session.add_all(all_rows)
    db.session.flush()

    honors_created = _sync_honors(actor, contest, all_rows)
    if contest.status is not ContestStatus.PUBLISHED:
        from contest.services.skills import contests as contest_service

        contest_service.set_status(actor, contest, ContestStatus.PUBLISHED)
    if contest.published_at is None:
        contest.published_at = created_at
    bump_version(RESULTS_CONTENT)
    audit.record(
        actor,
        "results.publish",
        "contest",
        contest.id,
        before={"snapshot": previous.id, "digest": previous.digest} if previous else None,
        after={
            "snapshot": snapshot.id,
            "digest": snapshot.digest,
            "rows": snapshot.row_count,
            "certificates": sum(1 for r in all_rows if r.certificate_no),
            "honors_created": honors_created,
        },
    )
    db.session.flush()
    return snapshot


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


def public_contest(contest_id: int) -> PublicContest | None:
    """The header of a published contest's current snapshot, or None (→ 404)."""
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
    return PublicContest(
        id=contest.id,
        name=str(header["name"]),
        level=contest.level.value,
        level_label=contest.level.label,
        year=int(header["year"]),
        status=contest.status.value,
        host=str(header["host"]),
        conferring_body=str(header["conferring_body"]),
        starts_on=contest.starts_on,
        ends_on=contest.ends_on,
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
