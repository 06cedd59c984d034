"""Publishing results: rank every event, freeze the rows in a hashed snapshot, certify, honor.

One pass (:func:`publish`): check, rank, number the certificates, write the snapshot and its
rows, turn placings into honor records, move the contest to 已公布, bump the results version
once, audit.  Reading what was published is ``contest.services.skills.results``; nothing here
is read by the public pages.

A correction after publication publishes again: a new snapshot becomes current with new
certificate numbers; the old ones are kept with their hashes, and their certificates keep
verifying, marked as superseded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

import scoring
from contest.extensions import db
from contest.models import (
    Contest,
    ContestStatus,
    Entry,
    EntryMember,
    Event,
    Honor,
    HonorSource,
    HonorStatus,
    Person,
    ResultRow,
    ResultSnapshot,
    User,
)
from contest.models.base import local_time, utcnow
from contest.services.core import audit
from contest.services.core.certificates import check_suffix
from contest.services.core.versions import RESULTS_CONTENT, bump_version
from contest.services.honors import records as honor_service
from contest.services.skills import policies, standings, status, turnout
from contest.services.skills.results import (
    canonical,
    current_snapshot,
    decimal_text,
    digest_of,
    row_document,
)

DOCUMENT_FORMAT = 1


class ResultsError(ValueError):
    """Publishing is refused; ``problems`` are the sentences to show the organizer."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = list(problems)


def certificate_number(year: int, contest_id: int, event_code: str, sequence: int) -> str:
    """``2026-0007-A-0001-K7QD``: year, contest, event, sequence and a keyed check suffix."""
    base = f"{year}-{contest_id:04d}-{event_code}-{sequence:04d}"
    return f"{base}-{check_suffix(base)}"


def _sequence(number: str) -> int:
    return int(number.rsplit("-", 2)[1])


def publish_problems(contest: Contest) -> list[str]:
    """Why the contest cannot be published (again) now; empty when it can."""
    if contest.status is ContestStatus.PUBLISHED:
        # A re-publication after a correction: the events must still all be signed off.
        return [
            _("项目“%(event)s”尚未由裁判长签字确认", event=event.label)
            for event in contest.events
            if not event.is_signed_off and not turnout.is_cancelled(event)
        ]
    return list(status.check_transition(contest, ContestStatus.PUBLISHED))


def _event_rows(contest: Contest, event: Event) -> tuple[Event, int, list[ResultRow]]:
    """The published rows of one event (ranked entrants, then the unranked: withdrawn or
    absent) and the precision its totals were ranked with."""
    if turnout.is_cancelled(event):  # cancelled for a short field: not ranked, no rows
        return event, int(policies.event_policy(event)["precision"]), []
    entries = {
        entry.id: entry
        for entry in db.session.scalars(
            select(Entry)
            .where(Entry.event_id == event.id)
            .options(
                selectinload(Entry.person),
                selectinload(Entry.organization),
                selectinload(Entry.members).selectinload(EntryMember.person),
            )
        )
    }
    member_scored = policies.team_total_of(event) is not None
    try:
        if member_scored:
            result, alone = standings.team_ranking(event)
        else:
            result = alone = standings.ranking(event)
    except scoring.ScoringError as error:
        raise ResultsError(
            [_("项目“%(event)s”无法排名：%(error)s", event=event.label, error=str(error))]
        ) from error
    digits = int(result.policy.precision)
    own_totals = dict(
        zip(alone.table["entry"].tolist(), alone.table["total"].tolist(), strict=True)
    )
    components = alone.components
    component_keys = [c.key for c in event.components if c.key in components.columns]
    rows: list[ResultRow] = []
    ranked: set[int] = set()
    table = result.table
    # The standardised scale (a column only when the policy asks): shown beside, never ranked.
    scaled = table["standardised"].tolist() if "standardised" in table else [None] * len(table)
    # A member-scored team's row is the team (its captain's entry); its members are who get rows.
    members = table["members"].tolist() if member_scored else [None] * len(table)
    for entry_id, total, rank, award, titles, recommended, standard, scored in zip(
        table["entry"].tolist(),
        table["total"].tolist(),
        table["rank"].tolist(),
        table["award"].tolist(),
        table["titles"].tolist(),
        table["recommended"].tolist(),
        scaled,
        members,
        strict=True,
    ):
        for member_id in sorted(scored) if scored else [entry_id]:
            entry = entries.get(int(member_id))
            if entry is None:  # pragma: no cover - marks of a deleted entry
                continue
            ranked.add(entry.id)
            scores = {
                key: decimal_text(float(components.at[member_id, key]), digits)
                for key in component_keys
            }
            for row in _rows(entry, event, rank=int(rank), total=total, digits=digits):
                row.components = {k: v for k, v in scores.items() if v is not None}
                if member_scored:
                    row.member_total = Decimal(str(decimal_text(own_totals[member_id], digits)))
                row.award = award if isinstance(award, str) and award else None
                row.titles = [str(t) for t in (titles or ())]
                # put forward, not conferred: read by nomination campaigns, never made an honor
                row.recommended = [str(t) for t in (recommended or ())]
                row.standard_score = (
                    None if standard is None else Decimal(str(decimal_text(standard, 1)))
                )
                rows.append(row)
    unranked = sorted(
        (e for e in entries.values() if e.id not in ranked),
        key=lambda e: (e.entry_code or "", e.id),
    )
    for entry in unranked:
        rows.extend(_rows(entry, event, rank=None, total=None, digits=digits))
    for position, row in enumerate(rows, start=1):
        row.position = position
    return event, digits, rows


def _rows(
    entry: Entry, event: Event, *, rank: int | None, total: Any, digits: int
) -> list[ResultRow]:
    """An entry's published rows: one, or a team's one per member (captain first), each with
    the team's rank, total and award, so every member is named and gets a certificate."""
    text = decimal_text(total, digits) if total is not None else None
    return [
        ResultRow(
            event_id=event.id,
            entry_id=entry.id,
            person_id=person.id,
            rank=rank,
            entry_code=entry.entry_code or "",
            name=person.name,
            team=entry.team_name,
            is_female=person.is_female,
            organization=entry.organization.name if entry.organization else "",
            total=Decimal(text) if text is not None else None,
            components={},
            award=None,
            titles=[],
        )
        for person in entry.people
    ]


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
                "starts_on": contest.starts_on.isoformat() if contest.starts_on else None,
                "ends_on": contest.ends_on.isoformat() if contest.ends_on else None,
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
                    **_turnout_notes(event),
                }
                for event, digits, rows in events
            ],
        }
    )


def _turnout_notes(event: Event) -> dict[str, Any]:
    """What the public page says besides the rows: a cancelled event (取消), one ranked without
    awards, and the 参赛号 of absent entrants (缺考); keys only when they apply, so documents
    without them read as before."""
    notes: dict[str, Any] = {}
    decision = policies.field_decision(event)
    if decision in ("cancel", "no_awards"):
        notes["cancelled" if decision == "cancel" else "no_awards"] = True
    absent = turnout.absent_codes(event)
    if absent and decision != "cancel":
        notes["absent"] = absent
    return notes


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
    # One honor per person, title and 工种: the same title won in two events is two honors.
    held = {(h.person_id, h.title, h.trade): h for h in existing}
    wanted: set[tuple[int | None, str, str | None]] = set()
    trades = {event.id: event.occupation for event in contest.events}
    body = contest.conferring_body or contest.organization.name
    people_units = {
        entry.id: entry
        for entry in db.session.scalars(
            select(Entry)
            .where(Entry.id.in_([r.entry_id for r in rows if r.titles and r.entry_id]))
            .options(selectinload(Entry.person), selectinload(Entry.organization))
        )
    }
    # A team's rows name each member: the honor goes to the row's person.
    titled = [r.person_id for r in rows if r.titles and r.person_id]
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(titled)))}
    created = 0
    for row in rows:
        for title in row.titles or []:
            key = (row.person_id, title, trades.get(row.event_id))
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
                    person=people.get(row.person_id) if row.person_id else None,
                    organization=entry.organization if entry else None,
                    unit_name=row.organization,
                    industry=None,
                    skill_level=None,
                    trade=trades.get(row.event_id),
                    conferring_body=body,
                    conferred_on=local_time(utcnow()).date(),
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
                actor, honor, _stored(lambda: _("成绩更正后重新公布，不再符合该称号"))
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
        raise ResultsError([_("成绩与现行公布版本完全相同，无需重新公布")])
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
        status.set_status(actor, contest, ContestStatus.PUBLISHED, at=created_at)
    bump_version(RESULTS_CONTENT)  # once, for the snapshot, its honors and the status
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
