"""Who actually competes in an event: no-shows (缺考) and the minimum field (DOMAIN §1 rule 12).

Two questions are put to the organizer when registration closes, i.e. when the contest moves from
报名 to 比赛评分 (``contest.services.skills.status.transition`` asks them):

- **No-shows.** Once check-in (检录) has been used for an event, an entrant still only registered
  did not come. The organizer marks them 缺考 (they lose their assignments, get no sheets and are
  listed as absent at the bottom of the results) or keeps them (a late check-in stays possible).
  An event where nobody has checked in is judged as registered: check-in is optional.  Once an
  event's seats are drawn nobody can check in any more, so its no-shows are marked 缺考 whatever
  the answer (the form says so and does not offer 保留 for them).
- **Minimum field.** An event with fewer entrants than its ``min_field`` (the default follows the
  contest level, ``policies.MIN_FIELD_BY_LEVEL``) is cancelled (not scored, not ranked, shown as
  取消) or ranked without awards; the choice is kept in the event's policy
  (``policies.FIELD_DECISION``) so ranking and publishing follow it.  The field is counted as
  it will compete: an event that only falls short once its no-shows are marked 缺考 is asked
  about too, and must be answered when 标记缺考 is chosen.  After the answers are applied
  :func:`undecided_short` must be empty, so no event below its minimum reaches 比赛评分 without
  a recorded choice.

Both answers are audited.  The organizer's form carries :func:`answer_key` of the situation it
showed: if anyone checked in, withdrew or registered meanwhile, the move is refused as stale and
nothing changes.
"""

from __future__ import annotations

import enum
import hashlib
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, delete, exists, func, select
from sqlalchemy.orm import aliased

from contest.extensions import db
from contest.models import Assignment, Contest, Entry, EntryStatus, Event, ScoreSheet, User
from contest.models.contest import NOT_COMPETING
from contest.services.core import audit
from contest.services.skills import policies

T = TypeVar("T", bound=enum.Enum)


class NoShowChoice(enum.Enum):
    ABSENT = "absent"  # 标记缺考
    KEEP = "keep"  # 保留


class FieldChoice(enum.Enum):
    CANCEL = "cancel"  # 取消赛项
    NO_AWARDS = "no_awards"  # 只排名、不评奖


class TurnoutError(ValueError):
    """The organizer's answers are missing, unknown or stale; nothing was changed."""


@dataclass(frozen=True)
class ShortField:
    """An event whose registered field is below its minimum."""

    event: Event
    entrants: int
    minimum: int


@dataclass(frozen=True)
class Questions:
    """What must be answered before the contest moves to 比赛评分: the no-shows, the events
    short whatever the no-show answer (``short``) and those short only if the no-shows are marked
    缺考 (``short_if_absent``, their ``entrants`` counted without the no-shows)."""

    no_shows: list[Entry]
    short: list[ShortField]
    short_if_absent: list[ShortField] = field(default_factory=list)

    @property
    def seated(self) -> list[Entry]:
        """No-shows of events whose seats are drawn: they can no longer check in
        (``draws.check_in``), so they are marked 缺考 whatever the answer."""
        return [e for e in self.no_shows if e.event.seat_drawn_at is not None]

    @property
    def undecided(self) -> list[Entry]:
        """The no-shows the organizer chooses for: 标记缺考 or 保留."""
        return [e for e in self.no_shows if e.event.seat_drawn_at is None]

    def short_after(self, absent: bool) -> list[ShortField]:
        """The events to decide when the undecided no-shows are (``absent``) or are not marked
        缺考."""
        return self.short + self.short_if_absent if absent else self.short

    @property
    def any(self) -> bool:
        return bool(self.no_shows or self.short or self.short_if_absent)


# ------------------------------------------------------------------ reading


def check_in_used(event: Event) -> bool:
    """Whether anyone has checked in for the event (then 检录 decides who is scored)."""
    found = db.session.scalar(
        select(Entry.id)
        .where(Entry.event_id == event.id, Entry.status == EntryStatus.CHECKED_IN)
        .limit(1)
    )
    return found is not None


def is_cancelled(event: Event) -> bool:
    return policies.field_decision(event) == FieldChoice.CANCEL.value


def in_field() -> ColumnElement[bool]:
    """SQL for "counted in the field" (报名人数 against the minimum, 应到 at the door): not
    withdrawn and not absent."""
    return Entry.status.not_in(NOT_COMPETING)


def field_size(counts: Counter[EntryStatus]) -> int:
    """:func:`in_field` for counts by status (``draws.status_counts``)."""
    return sum(n for status, n in counts.items() if status not in NOT_COMPETING)


def to_be_scored() -> ColumnElement[bool]:
    """SQL for "this entry is to be scored": not withdrawn or absent and, once anyone of its
    event has checked in, checked in itself (the judges' task lists use it as it is)."""
    present = aliased(Entry)
    check_in_used = exists().where(
        present.event_id == Entry.event_id, present.status == EntryStatus.CHECKED_IN
    )
    return in_field() & ((Entry.status == EntryStatus.CHECKED_IN) | ~check_in_used)


def competing_entries(event: Event) -> list[Entry]:
    """The entries to assign and score (:func:`to_be_scored`), none for a cancelled event."""
    if is_cancelled(event):
        return []
    query = select(Entry).where(Entry.event_id == event.id, to_be_scored()).order_by(Entry.id)
    return list(db.session.scalars(query))


def no_shows(contest: Contest) -> list[Entry]:
    """Registered entrants who did not check in, in events where check-in was used."""
    found: list[Entry] = []
    for event in contest.events:
        if is_cancelled(event) or not check_in_used(event):
            continue
        found.extend(
            db.session.scalars(
                select(Entry)
                .where(Entry.event_id == event.id, Entry.status == EntryStatus.REGISTERED)
                .order_by(Entry.entry_code, Entry.id)
            )
        )
    return found


def absent_codes(event: Event) -> list[str]:
    """The 参赛号 of the event's absent (缺考) entrants, in order."""
    codes = db.session.scalars(
        select(Entry.entry_code).where(
            Entry.event_id == event.id, Entry.status == EntryStatus.ABSENT
        )
    )
    return sorted(code for code in codes if code)


def entrant_count(event: Event, excluding: Collection[int] = ()) -> int:
    """Entrants :func:`in_field`, leaving out the entries ``excluding`` (no-shows about to be
    marked 缺考): the field the minimum is compared with.  A member-scored team event counts its
    teams with a member competing, as its ranking does."""
    counted = (
        select(Entry.organization_id, Entry.team_name)
        if policies.team_total_of(event)
        else select(Entry.id)
    )
    counted = counted.where(Entry.event_id == event.id, in_field())
    if excluding:
        counted = counted.where(Entry.id.not_in(list(excluding)))
    field = counted.distinct().subquery()
    return int(db.session.scalar(select(func.count()).select_from(field)) or 0)


def short_fields(contest: Contest, excluding: Collection[int] = ()) -> list[ShortField]:
    """Events (not yet cancelled) with entrants but fewer than their minimum field (counted
    without the entries ``excluding``)."""
    found = []
    for event in contest.events:
        minimum = policies.min_field_of(event)
        count = entrant_count(event, excluding)
        if minimum and 0 < count < minimum and not is_cancelled(event):
            found.append(ShortField(event, count, minimum))
    return found


def undecided_short(contest: Contest) -> list[ShortField]:
    """Short events with no recorded choice: none may reach 比赛评分 (``status.transition``)."""
    return [item for item in short_fields(contest) if not policies.field_decision(item.event)]


def questions(contest: Contest) -> Questions:
    """The questions on the field as it will compete: seated no-shows count as absent, and the
    events that fall short only once the other no-shows are marked 缺考 are asked about apart."""
    missing = no_shows(contest)
    found = Questions(missing, [])
    short = short_fields(contest, excluding={e.id for e in found.seated})
    if not found.undecided:
        return Questions(missing, short)
    asked = {item.event.id for item in short}
    if_absent = short_fields(contest, excluding={e.id for e in missing})
    return Questions(missing, short, [s for s in if_absent if s.event.id not in asked])


def answer_key(found: Questions) -> str:
    """A short fingerprint of the situation the organizer saw (who, which events, how many)."""
    parts = (
        [f"e{e.id}" for e in found.no_shows]
        + [f"f{s.event.id}:{s.entrants}:{s.minimum}" for s in found.short]
        + [f"a{s.event.id}:{s.entrants}:{s.minimum}" for s in found.short_if_absent]
    )
    return hashlib.sha256(",".join(parts).encode()).hexdigest()[:16]


# ------------------------------------------------------------------ answering


def _choice(kind: type[T], raw: str | None, message: str) -> T:
    try:
        return kind(raw)
    except ValueError:
        raise TurnoutError(message) from None


@dataclass(frozen=True)
class Answers:
    """The organizer's form: ``key`` is the :func:`answer_key` it was built with, ``no_show`` a
    :class:`NoShowChoice` value, ``fields`` each short event's id → a :class:`FieldChoice`
    value (raw strings: they are checked here)."""

    key: str | None = None
    no_show: str | None = None
    fields: dict[int, str] = field(default_factory=dict)


def answer(actor: User | None, contest: Contest, given: Answers) -> Questions:
    """Check and apply the organizer's answers (the caller moves the status and commits).

    Raises :class:`TurnoutError` before changing anything when an answer is missing or unknown,
    or the situation changed since the form was built.
    """
    found = questions(contest)
    if not found.any:
        return found
    if given.key is None:
        raise TurnoutError(
            _("关闭报名前须先回答：未检录的选手如何处理、参赛人数不足的赛项如何处理。")
        )
    if given.key != answer_key(found):
        raise TurnoutError(
            _("检录或报名情况已变化（有选手检录、退赛或报名），请核对新的名单后重新选择。")
        )
    absent = NoShowChoice.ABSENT
    if found.undecided:
        absent = _choice(
            NoShowChoice, given.no_show, _("请选择如何处理未检录的选手：标记缺考或保留。")
        )
    short = found.short_after(absent is NoShowChoice.ABSENT)
    decisions = {
        item.event.id: _choice(
            FieldChoice,
            given.fields.get(item.event.id),
            _("%(event)s 参赛人数不足，请选择取消该赛项或只排名、不评奖。", event=item.event.code),
        )
        for item in short
    }
    if found.no_shows:
        _apply_no_shows(actor, contest, found, absent)
    for item in short:
        _apply_field(actor, item, decisions[item.event.id])
    return found


def _apply_no_shows(
    actor: User | None, contest: Contest, found: Questions, choice: NoShowChoice
) -> None:
    entries = found.no_shows
    ids = [e.id for e in entries]
    marked = entries if choice is NoShowChoice.ABSENT else found.seated
    for entry in marked:
        entry.status = EntryStatus.ABSENT
    # Either way their tasks leave the judges' lists, so no judge opens a sheet for someone who
    # is not there; a kept entrant who checks in later is assigned again (分配).  A sheet
    # (there is none before 比赛评分) keeps its assignment.
    with_sheet = select(ScoreSheet.entry_id).where(ScoreSheet.entry_id.in_(ids))
    removed = db.session.execute(
        delete(Assignment).where(
            Assignment.entry_id.in_(ids), Assignment.entry_id.not_in(with_sheet)
        )
    ).rowcount
    db.session.flush()
    audit.record(
        actor,
        "contest.no_shows",
        "contest",
        contest.id,
        after={
            "choice": choice.value,
            "entries": ids,
            "absent": [e.id for e in marked],
            "codes": [e.entry_code for e in entries],
            "assignments_removed": removed,
        },
    )


def _apply_field(actor: User | None, item: ShortField, choice: FieldChoice) -> None:
    event = item.event
    removed = 0
    if choice is FieldChoice.CANCEL:
        removed = db.session.execute(
            delete(Assignment).where(Assignment.event_id == event.id)
        ).rowcount
    policies.set_field_decision(event, choice.value)
    db.session.flush()
    audit.record(
        actor,
        "event.short_field",
        "event",
        event.id,
        after={
            "choice": choice.value,
            "entrants": entrant_count(event),
            "min_field": item.minimum,
            "assignments_removed": removed,
        },
    )


def undo(actor: User | None, contest: Contest) -> None:
    """Back to 报名: the day has not happened yet, so 缺考 marks and field decisions are undone
    (the questions are asked again when registration closes next)."""
    absent = list(
        db.session.scalars(
            select(Entry).where(Entry.contest_id == contest.id, Entry.status == EntryStatus.ABSENT)
        )
    )
    for entry in absent:
        entry.status = EntryStatus.REGISTERED
    cleared = [e.id for e in contest.events if policies.field_decision(e)]
    for event in contest.events:
        policies.set_field_decision(event, None)
    db.session.flush()
    if absent or cleared:
        audit.record(
            actor,
            "contest.turnout_undone",
            "contest",
            contest.id,
            after={"entries": [e.id for e in absent], "events": cleared},
        )
