"""The two draws that make entries anonymous (加密), and check-in (检录) between them.

1. 参赛号 (first draw): after registration closes for an event, every entry not withdrawn gets
   a code ``<event code><3 digits>`` (A001, A002 …) in a random order.
2. 检录: on the day, entrants who turn up are checked in.
3. 赛位号 (second draw, 二次加密): the checked-in entries get seat codes ``<event code>-<2
   digits>`` (A-07) in a fresh random order; judges score under the seat code. Entries not
   checked in get none.

Each draw is a permutation computed from a seed (``secrets.token_hex`` unless one is given):
the seed and the time are stored on the event and written to the audit trail, so anyone with
the trail can recompute the draw (:func:`permutation`) and see it was not arranged. A draw is
done once: re-drawing is refused, and the seat draw is refused as soon as any score sheet
exists for the event.
"""

from __future__ import annotations

import random
import re
import secrets
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import (
    ContestStatus,
    Entry,
    EntryStatus,
    Event,
    ScoreSheet,
    User,
)
from contest.models.base import local_text, utcnow
from contest.services.core import audit
from contest.services.skills import codes, turnout
from contest.services.skills.registration import lock_contest

SEED_MAX = 64
ENTRY_DRAW_STATES = (ContestStatus.REGISTRATION,)
# Check-in and the seat draw happen on the day: the contest may still be "registration"
# (registration closed in practice) or already "judging".
DAY_STATES = (ContestStatus.REGISTRATION, ContestStatus.JUDGING)


class DrawError(ValueError):
    """A refused draw or check-in; the message says why, nothing changed."""


@dataclass(frozen=True)
class DrawResult:
    seed: str
    codes: dict[int, str]  # entry id → code

    @property
    def count(self) -> int:
        return len(self.codes)


def permutation(entry_ids: Sequence[int], seed: str) -> list[int]:
    """The entry ids in drawn order: a shuffle of the sorted ids seeded with ``seed``.

    Pure and deterministic (Python's Mersenne Twister seeded with a string is stable across
    runs and versions), so the recorded seed reproduces the draw.
    """
    order = sorted(entry_ids)
    random.Random(seed).shuffle(order)
    return order


def entry_code(event: Event, position: int) -> str:
    return f"{event.code}{position:03d}"


def seat_code(event: Event, position: int) -> str:
    return f"{event.code}-{position:02d}"


def _seed(seed: str | None) -> str:
    if seed is None or not seed.strip():
        return secrets.token_hex(16)
    seed = seed.strip()
    if len(seed) > SEED_MAX:
        raise DrawError(_("随机种子不能超过 %(n)d 个字符", n=SEED_MAX))
    return seed


def _check_state(event: Event, states: tuple[ContestStatus, ...], what: str) -> None:
    """Refuse outside ``states`` or after sign-off; checked under the contest's lock, so a
    second click on a draw, or a registration arriving with it, waits and sees the result."""
    contest = event.contest
    lock_contest(contest)
    if contest.status not in states:
        raise DrawError(
            _(
                "大赛当前状态为“%(status)s”，此时不能%(what)s",
                status=contest.status.label,
                what=what,
            )
        )
    if event.is_signed_off:
        raise DrawError(_("该赛项已由裁判长签字确认，不能再%(what)s", what=what))


def draw_entry_codes(actor: User | None, event: Event, seed: str | None = None) -> DrawResult:
    """Draw the 参赛号 of every entry not withdrawn; refused once drawn."""
    _check_state(event, ENTRY_DRAW_STATES, _("抽取参赛号"))
    if event.entry_drawn_at is not None:
        raise DrawError(
            _("该赛项已于 %(at)s 抽取参赛号，不能重新抽签", at=_when(event.entry_drawn_at))
        )
    entries = _entries(event, exclude=(EntryStatus.WITHDRAWN,))
    if not entries:
        raise DrawError(_("该赛项还没有报名选手，无法抽签"))
    seed = _seed(seed)
    order = permutation([e.id for e in entries], seed)
    codes = {entry_id: entry_code(event, i) for i, entry_id in enumerate(order, start=1)}
    _assign(event, entries, "entry_code", codes)
    event.entry_draw_seed = seed
    event.entry_drawn_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "event.draw_entry_codes",
        "event",
        event.id,
        after={"seed": seed, "entries": len(codes), "codes": {str(k): v for k, v in codes.items()}},
    )
    return DrawResult(seed, codes)


def check_in(actor: User | None, entry: Entry) -> Entry:
    """检录: the entrant is here. Needs the 参赛号; refused after the seat draw."""
    event = entry.event
    _check_state(event, DAY_STATES, _("检录"))
    if entry.status is EntryStatus.WITHDRAWN:
        raise DrawError(_("该选手已退赛，不能检录"))
    if entry.status is EntryStatus.ABSENT:
        raise DrawError(_("该选手已标记缺考，不能检录"))
    if entry.status is EntryStatus.CHECKED_IN:
        raise DrawError(_("参赛号 %(code)s 已检录", code=entry.entry_code or ""))
    if event.entry_drawn_at is None or not entry.entry_code:
        raise DrawError(_("请先抽取参赛号，再检录"))
    if event.seat_drawn_at is not None:
        raise DrawError(_("赛位号已抽取，不能再检录"))
    entry.status = EntryStatus.CHECKED_IN
    entry.checked_in_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "entry.check_in",
        "entry",
        entry.id,
        before={"status": EntryStatus.REGISTERED.value},
        after={"status": entry.status.value, "entry_code": entry.entry_code},
    )
    return entry


def has_sheets(event: Event) -> bool:
    return (
        db.session.scalar(select(ScoreSheet.id).where(ScoreSheet.event_id == event.id).limit(1))
        is not None
    )


def draw_seat_codes(actor: User | None, event: Event, seed: str | None = None) -> DrawResult:
    """The second draw over the checked-in entries; refused once drawn or once scoring began."""
    _check_state(event, DAY_STATES, _("抽取赛位号"))
    if event.entry_drawn_at is None:
        raise DrawError(_("请先抽取参赛号"))
    if event.seat_drawn_at is not None:
        raise DrawError(
            _("该赛项已于 %(at)s 抽取赛位号，不能重新抽签", at=_when(event.seat_drawn_at))
        )
    if has_sheets(event):
        raise DrawError(_("该赛项已有评分表，不能再抽取赛位号（会打乱评委看到的编号）"))
    entries = _entries(event)
    present = [e for e in entries if e.status is EntryStatus.CHECKED_IN]
    if not present:
        raise DrawError(_("还没有选手检录，无法抽取赛位号"))
    seed = _seed(seed)
    order = permutation([e.id for e in present], seed)
    codes = {entry_id: seat_code(event, i) for i, entry_id in enumerate(order, start=1)}
    _assign(event, entries, "seat_code", codes)
    event.seat_draw_seed = seed
    event.seat_drawn_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "event.draw_seat_codes",
        "event",
        event.id,
        after={"seed": seed, "entries": len(codes), "codes": {str(k): v for k, v in codes.items()}},
    )
    return DrawResult(seed, codes)


def _entries(event: Event, exclude: tuple[EntryStatus, ...] = ()) -> list[Entry]:
    query = select(Entry).where(Entry.event_id == event.id).order_by(Entry.id)
    if exclude:
        query = query.where(Entry.status.not_in(exclude))
    return list(db.session.scalars(query))


def _assign(event: Event, entries: list[Entry], column: str, codes: dict[int, str]) -> None:
    """Clear the event's codes first: the unique (contest, code) index must never see a swap."""
    for entry in _entries(event):
        setattr(entry, column, None)
    db.session.flush()
    for entry in entries:
        setattr(entry, column, codes.get(entry.id))
    db.session.flush()


def _when(moment: datetime) -> str:
    return local_text(moment)


def entry_list(event: Event) -> list[Entry]:
    """The organizer's list: 参赛号 ↔ name ↔ unit, in code order (undrawn entries last).

    People and units are loaded with the entries (two queries, not one per row).
    """
    entries = db.session.scalars(
        select(Entry)
        .where(Entry.event_id == event.id)
        .options(selectinload(Entry.person), selectinload(Entry.organization))
    )
    return sorted(entries, key=lambda e: (codes.sort_key(e.entry_code), e.id))


def status_counts(event: Event) -> Counter[EntryStatus]:
    """Entries of the event per status (the draw page's figures), counted by the database."""
    rows = db.session.execute(
        select(Entry.status, func.count()).where(Entry.event_id == event.id).group_by(Entry.status)
    )
    return Counter({status: count for status, count in rows})


def seat_list(event: Event) -> list[Entry]:
    """The check-in desk's list: 赛位号 ↔ 参赛号 of the entries that have a seat."""
    return sorted(
        (e for e in _entries(event) if e.seat_code), key=lambda e: codes.sort_key(e.seat_code)
    )


ID_TAIL = 4
_ID_TAIL_RE = re.compile(r"^\d{3}[\dX]$")


@dataclass(frozen=True)
class DeskCount:
    """The door's figures: 已检录 / 应到 (entries counted in the field, ``turnout.field_size``)."""

    checked_in: int
    expected: int


def desk_count(event: Event) -> DeskCount:
    counts = status_counts(event)
    return DeskCount(counts[EntryStatus.CHECKED_IN], turnout.field_size(counts))


def desk_search(event: Event, text: str) -> list[Entry]:
    """The check-in list narrowed to what was typed at the door: a name (or part of one), the
    last 4 characters of the 身份证号, or a code (参赛号 A001 or 赛位号 工位 A-07); a team by
    its name or any member's name or ID tail.

    The ID tail is compared with each entrant's decrypted number on the server: the blind index
    only answers whole numbers, and nothing but the masked form leaves this function. A longer
    run of digits is refused rather than matched, so a full ID number is never used as a search
    term. Raises :class:`DrawError` (or :class:`codes.CodeError`) with what to type instead.
    """
    rows = entry_list(event)
    query = unicodedata.normalize("NFKC", text or "").strip().upper()
    if not query:
        return rows
    if codes.looks_like_code(query):
        typed = codes.parse(query)
        return [e for e in rows if codes.matches(e, typed)]
    if _ID_TAIL_RE.match(query):
        return [
            e
            for e in rows
            if any((p.reveal_id_number() or "").upper().endswith(query) for p in e.people)
        ]
    if any(c.isdigit() for c in query):
        raise DrawError(_("身份证号只需输入后 %(n)d 位（如 1234 或 123X）。", n=ID_TAIL))
    # A team is found by its name or any member's.
    return [
        e
        for e in rows
        if query in (e.team_name or "").upper() or any(query in p.name.upper() for p in e.people)
    ]
