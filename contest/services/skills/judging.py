"""Skills judges' score sheets: who may mark what and when, reopening and corrections.

Every write takes the acting user, validates everything before touching a row (a rejected
save stores nothing), writes an audit entry with the marks before and after, and flushes; the
view or API call commits once.  The marking itself — validation, the versioned save that never
loses or mixes a mark, the refusal of stale forms — is the shared engine's
(``contest.services.assessment.sheets``); this module decides which judge may mark which entry
in which phase, and re-exports the engine's errors and readers for the skills pages and API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from contest.extensions import db
from contest.models import (
    Aspect,
    Assignment,
    Contest,
    ContestStatus,
    Entry,
    Event,
    Mark,
    PanelMember,
    ScoreSheet,
    SheetStatus,
    User,
)
from contest.models.contest import NOT_COMPETING, EntryStatus
from contest.services.assessment.sheets import (
    EMPTY,
    MarkErrors,
    NotAllowed,
    SheetError,
    SheetLocked,
    StaleSheet,
    bump,
    marks_of,
    number,
    points_of,
    snapshot,
    validate_values,
    write_sheet,
)
from contest.services.core import audit
from contest.services.skills import access, codes, turnout
from contest.services.skills.rubrics import event_aspects

# The engine's names the skills pages, API and tests reach through this module.
__all__ = [
    "EMPTY",
    "SCORING_PHASES",
    "MarkErrors",
    "NotAllowed",
    "SheetError",
    "SheetLocked",
    "StaleSheet",
    "marks_of",
    "number",
    "points_of",
    "save_sheet",
    "sheet_status",
    "validate_values",
]

# Contest phases in which judges mark and chief judges reopen sheets.
SCORING_PHASES = (ContestStatus.JUDGING, ContestStatus.REVIEW)


# ---------------------------------------------------------------- errors


# ---------------------------------------------------------------- reading


def sheet_status(sheet: ScoreSheet | None, event: Event | None = None) -> str:
    """``empty`` / ``draft`` / ``submitted`` / ``locked`` (the API's and badges' vocabulary).

    With the sheet's ``event``: any sheet of a signed-off event reads ``locked`` (a draft left
    at sign-off can no longer change either), as the judge's pages and the API show it.
    """
    if sheet is None:
        return EMPTY
    if event is not None and event.is_signed_off:
        return SheetStatus.LOCKED.value
    return sheet.status.value


def sheet_for(user: User, entry: Entry) -> ScoreSheet | None:
    """The judge's stored sheet for ``entry`` (fresh from the database), or None."""
    return db.session.scalar(
        select(ScoreSheet)
        .where(ScoreSheet.entry_id == entry.id, ScoreSheet.user_id == user.id)
        .execution_options(populate_existing=True)
    )


def responsible_aspects(user: User, event: Event | int) -> list[Aspect]:
    """The aspects ``user`` marks: all of the event's, or one component's if so restricted."""
    return _marked_by(access.panel_member(user, event), event_aspects(event))


def _marked_by(member: PanelMember | None, aspects: list[Aspect]) -> list[Aspect]:
    """Of the event's ``aspects``, those the panel ``member`` marks."""
    if member is not None and member.component_id is not None:
        return [a for a in aspects if a.criterion.component_id == member.component_id]
    return aspects


def refusal(user: User, entry: Entry) -> SheetError | None:
    """Why ``user`` may not mark ``entry`` now (None: they may), without raising.

    The order matters for the message: "not yours" comes before "not now", so a judge learns
    nothing about other people's entries from the phase or the lock.
    """
    return _refusal(user, entry, access.panel_member(user, entry.event_id))


def _refusal(user: User, entry: Entry, member: PanelMember | None) -> SheetError | None:
    """:func:`refusal` for a caller that has the judge's panel membership already."""
    if member is None or not access.is_assigned(user, entry):
        return NotAllowed(_("此参赛作品未分配给您评分。"))
    reason = access.recusal_reason(user, entry)
    if reason is not None:
        return NotAllowed(_("您需回避此参赛作品：%(reason)s", reason=reason))
    if entry.status in NOT_COMPETING:
        return NotAllowed(_("该选手已退赛或缺考，无需评分。"))
    if entry.status is EntryStatus.REGISTERED and turnout.check_in_used(entry.event):
        return NotAllowed(_("该选手未检录，无需评分。"))
    if entry.contest.status not in SCORING_PHASES:
        status = entry.contest.status.label
        return NotAllowed(_("本赛事当前不在评分阶段（%(status)s）。", status=status))
    if entry.event.is_signed_off:
        return SheetLocked(_("裁判长已签字确认本赛项成绩，评分表已锁定。"))
    return None


@dataclass
class AssignedEntry:
    """One line of a judge's task list: codes only, never a name or a unit."""

    contest: Contest
    event: Event
    entry: Entry
    sheet: ScoreSheet | None

    @property
    def code(self) -> str:
        return self.entry.code or "—"

    @property
    def shown(self) -> str:
        """The code as printed (``工位 A-07``), see :mod:`codes`."""
        return codes.shown(self.entry)

    @property
    def status(self) -> str:
        return sheet_status(self.sheet, self.event)

    @property
    def is_done(self) -> bool:
        return self.status in (SheetStatus.SUBMITTED.value, SheetStatus.LOCKED.value)


@dataclass
class EventTasks:
    contest: Contest
    event: Event
    items: list[AssignedEntry] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.is_done)

    @property
    def total(self) -> int:
        return len(self.items)


def next_unscored(tasks: EventTasks, code: str) -> AssignedEntry | None:
    """The judge's next sheet in the event that is not submitted yet, after ``code`` in code
    order and then from the start; None when every other sheet is done."""
    codes = [item.code for item in tasks.items]
    start = codes.index(code) + 1 if code in codes else 0
    ordered = tasks.items[start:] + tasks.items[:start]
    return next((i for i in ordered if not i.is_done and i.code != code), None)


def assignments_for(user: User, *, contest_id: int | None = None) -> list[AssignedEntry]:
    """The entries ``user`` is to mark now: assigned, on the panel, not recused, to be scored
    (not withdrawn or absent, checked in once check-in is used), in a contest that is judging or
    in review; ordered by contest, event and code."""
    query = (
        select(Entry)
        .join(Assignment, Assignment.entry_id == Entry.id)
        .join(Event, Entry.event_id == Event.id)
        .join(Contest, Entry.contest_id == Contest.id)
        .join(
            PanelMember,
            (PanelMember.event_id == Entry.event_id) & (PanelMember.user_id == user.id),
        )
        .where(
            Assignment.user_id == user.id,
            Contest.status.in_(SCORING_PHASES),
            turnout.to_be_scored(),
        )
        .options(contains_eager(Entry.event), contains_eager(Entry.contest))
        .order_by(Contest.id, Event.position, Event.id)
    )
    if contest_id is not None:
        query = query.where(Contest.id == contest_id)
    entries = list(db.session.scalars(query))
    if not entries:
        return []
    ids = [e.id for e in entries]
    recused = access.recused_assignments(user_id=user.id, entry_ids=ids)
    sheets = {
        s.entry_id: s
        for s in db.session.scalars(
            select(ScoreSheet).where(ScoreSheet.user_id == user.id, ScoreSheet.entry_id.in_(ids))
        )
    }
    items = [
        AssignedEntry(e.contest, e.event, e, sheets.get(e.id))
        for e in entries
        if (e.id, user.id) not in recused
    ]
    items.sort(key=lambda i: (i.contest.id, i.event.position, i.event.id, i.code))
    return items


def tasks_by_event(items: Iterable[AssignedEntry]) -> list[EventTasks]:
    groups: dict[int, EventTasks] = {}
    for item in items:
        groups.setdefault(item.event.id, EventTasks(item.contest, item.event)).items.append(item)
    return list(groups.values())


def find_assigned(user: User, code: str, contest_id: int | None = None) -> list[Entry]:
    """The caller's assigned entries scored under ``code`` (an entry code is unique per contest,
    not globally, so two contests may answer); active contests first.

    ``code`` is read by :func:`codes.parse` (``工位 A-07`` and ``A-07`` are the same seat); a
    参赛号 answers only in an event without a seat draw, so a judge who types the 参赛号 of a
    seated entrant is told so (:class:`codes.CodeError`) instead of reaching someone else.
    """
    typed = codes.parse(code)
    if typed.kind is codes.CodeKind.SEAT:
        matching = Entry.seat_code == typed.value
    else:
        matching = (
            (Entry.entry_code == typed.value)
            & Entry.seat_code.is_(None)
            & Event.seat_drawn_at.is_(None)
        )
    query = (
        select(Entry)
        .join(Assignment, Assignment.entry_id == Entry.id)
        .join(Contest, Entry.contest_id == Contest.id)
        .join(Event, Entry.event_id == Event.id)
        .where(Assignment.user_id == user.id, matching)
        # What refusal() reads next comes with the entry, not in three more queries.
        .options(
            contains_eager(Entry.contest),
            joinedload(Entry.event),
            joinedload(Entry.organization),
        )
    )
    if contest_id is not None:
        query = query.where(Entry.contest_id == contest_id)
    found = list(db.session.scalars(query))
    if (
        not found
        and typed.kind is codes.CodeKind.ENTRY
        and db.session.scalar(
            select(Entry.id)
            .join(Assignment, Assignment.entry_id == Entry.id)
            .join(Event, Entry.event_id == Event.id)
            .where(
                Assignment.user_id == user.id,
                Entry.entry_code == typed.value,
                Entry.seat_code.is_not(None) | Event.seat_drawn_at.is_not(None),
            )
            .limit(1)
        )
    ):
        raise codes.CodeError(codes.wrong_kind(typed, codes.CodeKind.SEAT))
    active = [e for e in found if e.contest.status in SCORING_PHASES]
    return active or found


# ---------------------------------------------------------------- validation


def save_sheet(
    user: User,
    entry: Entry,
    values: Mapping[str, object],
    *,
    submit: bool,
    expected_version: int | None,
) -> ScoreSheet:
    """Save a judge's marks for ``entry`` as a draft, or submit them.

    ``values`` is keyed by aspect key; keys not sent keep their stored value, None or "" clears
    one. ``expected_version`` is the sheet version the caller's form was built from (0: there was
    no sheet); None skips that check (the versioned UPDATE still guards racing writers).
    Submitting needs a mark for every aspect the judge is responsible for.
    Raises NotAllowed, SheetLocked, StaleSheet or MarkErrors; nothing is stored then.
    """
    member = access.panel_member(user, entry.event_id)
    problem = _refusal(user, entry, member)
    if problem is not None:
        raise problem
    every_aspect = event_aspects(entry.event_id)
    return write_sheet(
        user,
        sheet_for(user, entry),
        lambda: ScoreSheet(
            event_id=entry.event_id,
            entry_id=entry.id,
            user_id=user.id,
            status=SheetStatus.DRAFT,
        ),
        _marked_by(member, every_aspect),
        values,
        submit=submit,
        expected_version=expected_version,
        all_keys=[a.key for a in every_aspect],
    )


def _require_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise MarkErrors({"reason": _("请填写原因")}, _("请填写原因。"))
    return text


def reopen_sheet(chief: User, sheet: ScoreSheet, reason: str) -> ScoreSheet:
    """Give a submitted sheet back to its judge as a draft (the chief judge's or organizer's
    decision, with a reason, audited). A locked sheet (event signed off) stays locked."""
    event = db.session.get(Event, sheet.event_id)
    assert event is not None
    if not access.can_oversee(chief, event):
        raise NotAllowed(_("只有本赛项的裁判长或赛事组织者可以重新开放评分表。"))
    text = _require_reason(reason)
    if event.contest.status not in SCORING_PHASES:
        raise NotAllowed(_("本赛事当前不在评分阶段，不能重新开放评分表。"))
    if event.is_signed_off or sheet.status is SheetStatus.LOCKED:
        raise SheetLocked(_("本赛项已签字确认，评分表已锁定，不能重新开放。"))
    if sheet.status is SheetStatus.DRAFT:
        return sheet
    marks = marks_of(sheet)
    bump(sheet, status=SheetStatus.DRAFT, submitted_at=None)
    audit.record(
        chief,
        "sheet.reopen",
        "score_sheet",
        sheet.id,
        before=snapshot(SheetStatus.SUBMITTED.value, marks),
        after={**snapshot(SheetStatus.DRAFT.value, marks), "version": sheet.version},
        reason=text,
    )
    return sheet


def correct_mark(
    actor: User, sheet: ScoreSheet, aspect_key: str, value: object, reason: str
) -> Mark:
    """Correct one mark of a sheet during review (re-check 复核 or an upheld appeal).

    Only the event's chief judge or the contest's organizer may; a reason is required; the
    sheet keeps its status; the correction is audited with the value before and after.
    """
    event = db.session.get(Event, sheet.event_id)
    assert event is not None
    if not access.can_oversee(actor, event):
        raise NotAllowed(_("只有本赛项的裁判长或赛事组织者可以更正分数。"))
    if event.contest.status is not ContestStatus.REVIEW:
        raise NotAllowed(_("只有在复核阶段才能更正分数。"))
    text = _require_reason(reason)
    judge = db.session.get(User, sheet.user_id)
    assert judge is not None
    every_aspect = event_aspects(event)
    aspects = _marked_by(access.panel_member(judge, event), every_aspect)
    all_keys = [a.key for a in every_aspect]
    if value is None or (isinstance(value, str) and not value.strip()):
        raise MarkErrors({aspect_key: _("请填写更正后的分值")})
    parsed, problems = validate_values(aspects, {aspect_key: value}, all_keys=all_keys)
    if problems:
        raise MarkErrors(problems)
    new_value = parsed[aspect_key]
    assert new_value is not None
    aspect = next(a for a in aspects if a.key == aspect_key)
    mark = db.session.scalar(
        select(Mark).where(Mark.sheet_id == sheet.id, Mark.aspect_id == aspect.id)
    )
    old_value = Decimal(mark.value) if mark is not None else None
    bump(sheet)  # the judge's open form for this sheet becomes stale
    if mark is None:
        mark = Mark(sheet_id=sheet.id, aspect_id=aspect.id, value=new_value)
        db.session.add(mark)
    else:
        mark.value = new_value
    db.session.flush()
    db.session.expire(sheet, ["marks"])
    audit.record(
        actor,
        "mark.correct",
        "score_sheet",
        sheet.id,
        before={"aspect": aspect_key, "value": None if old_value is None else str(old_value)},
        after={"aspect": aspect_key, "value": str(new_value), "version": sheet.version},
        reason=text,
    )
    return mark
