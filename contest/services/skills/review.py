"""Review of an event after judging: who may review, progress, flags, the chief judge's view.

The other review steps have modules of their own, built on the guards here: ``recheck``
(复核), ``appeals`` (申诉) and ``signoff`` (签字确认).

DOMAIN §1.4–1.8 are the rules this module enforces:

- progress counts the sheets that must exist: every assignment of a checked-in entry to a
  panel judge who is not recused (the same set the judging → review transition checks);
- the re-check list is all of the top N of the provisional ranking plus a seeded random share
  of the rest (``scoring.recheck_sample``); the seed goes into the audit trail so the draw can
  be repeated in front of the arbitration panel; when the sheets found wrong exceed the error
  limit, everything is re-marked (``scoring.recheck_outcome``) and sign-off is blocked until
  the organizer has reopened every sheet;
- appeals are recorded only inside the window after the event ended, and decided once, with a
  reason (the decision is final);
- the chief judge signs off only when nothing is outstanding; sign-off locks every sheet and
  is what allows names to be shown next to codes (decryption).

Marks themselves are only ever changed through ``contest.services.skills.judging``
(``correct_mark``, ``reopen_sheet``), so every correction is audited in one place.  Every write
here takes the acting user, audits, and flushes; the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import scoring
from contest.extensions import db
from contest.models import (
    Appeal,
    Aspect,
    AspectKind,
    Assignment,
    ContestStatus,
    Entry,
    Event,
    Mark,
    PanelMember,
    ScoreSheet,
    SheetStatus,
    User,
)
from contest.services.skills import access, turnout
from contest.services.skills.marks import COUNTED_STATUSES, marks_frame
from contest.services.skills.policies import max_spread
from contest.services.skills.rubrics import event_aspects, scoring_rubric

__all__ = [
    "EntryProgress",
    "JudgeProgress",
    "NotPermitted",
    "PanelRow",
    "PanelView",
    "Progress",
    "ReviewError",
    "disagreements",
    "entry_codes",
    "leniency",
    "lock_row",
    "names_visible",
    "progress",
    "require_open",
    "require_reviewer",
    "side_by_side",
]


class ReviewError(Exception):
    """A review step refused, with a message for the user; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(ReviewError):
    """The acting user may not do this (views answer 403)."""


# ---------------------------------------------------------------- who may review


def names_visible(event: Event) -> bool:
    """Decryption (解密): names appear next to codes only after the chief judge's sign-off."""
    return event.is_signed_off


def require_reviewer(user: User, event: Event) -> None:
    if not access.can_oversee(user, event):
        raise NotPermitted(_("只有本赛项的裁判长或赛事组织者可以进行此操作。"))


def lock_row(row: Event | Appeal) -> None:
    """Re-read ``row`` under a row lock (``SELECT … FOR UPDATE``) before a one-time step: two
    reviewers drawing the list, deciding an appeal or signing off at once queue here, and the
    second then sees the first one's result and is refused.  (SQLite serialises writers at
    ``BEGIN IMMEDIATE`` already.)"""
    db.session.refresh(row, with_for_update=True)


def require_open(event: Event) -> None:
    if event.contest.status is not ContestStatus.REVIEW:
        raise ReviewError(
            _(
                "大赛当前处于「%(status)s」阶段，复核与签字只能在「复核与申诉」阶段进行。",
                status=event.contest.status.label,
            )
        )
    if event.is_signed_off:
        raise ReviewError(_("本赛项已由裁判长签字确认，不能再修改。"))


# ---------------------------------------------------------------- progress


@dataclass
class JudgeProgress:
    judge: User
    is_chief: bool
    assigned: int = 0  # sheets this judge must submit
    submitted: int = 0  # of those, submitted or locked
    drafts: int = 0  # of those, saved as draft

    @property
    def missing(self) -> int:
        return self.assigned - self.submitted

    @property
    def share(self) -> float:
        return self.submitted / self.assigned if self.assigned else 1.0


@dataclass
class EntryProgress:
    entry: Entry
    expected: int = 0
    done: int = 0
    waiting_for: list[User] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.done >= self.expected


@dataclass
class Progress:
    """Sheets done / expected per judge, per entry and overall for one event."""

    judges: list[JudgeProgress]
    entries: list[EntryProgress]
    done: int
    total: int
    drafts: int

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def incomplete_entries(self) -> list[EntryProgress]:
        return [e for e in self.entries if not e.complete]


def _entry_sort_key(entry: Entry) -> tuple[str, int]:
    return (entry.code or "", entry.id)


def progress(event: Event) -> Progress:
    """Who still has sheets to submit, which entries still miss sheets, and the overall count.

    A handful of queries whatever the size of the event, reading assignments as plain columns
    (5,000 ORM objects cost more than the counting); recused pairs come from
    ``access.recused_assignments``, the same rule the judges' task lists apply.
    """
    members = {
        m.user_id: m
        for m in db.session.scalars(
            select(PanelMember)
            .where(PanelMember.event_id == event.id)
            .options(selectinload(PanelMember.user))
        )
    }
    # Who is scored (``turnout``): once check-in is used, the checked-in entrants; absent (缺考)
    # and withdrawn entrants never hold up the count, nor the sign-off that waits for it.
    entry_objects = {e.id: e for e in turnout.competing_entries(event)}
    assignments = db.session.execute(
        select(Assignment.entry_id, Assignment.user_id)
        .where(Assignment.event_id == event.id)
        .order_by(Assignment.id)
    ).all()
    recused = access.recused_assignments(event_id=event.id)
    statuses = {
        (entry_id, user_id): status
        for entry_id, user_id, status in db.session.execute(
            select(ScoreSheet.entry_id, ScoreSheet.user_id, ScoreSheet.status).where(
                ScoreSheet.event_id == event.id
            )
        )
    }
    judges = {uid: JudgeProgress(judge=m.user, is_chief=m.is_chief) for uid, m in members.items()}
    entries: dict[int, EntryProgress] = {}
    done = drafts = total = 0
    for entry_id, user_id in assignments:
        member = members.get(user_id)
        entry = entry_objects.get(entry_id)
        if member is None or entry is None:
            continue  # not (or no longer) on the panel, or the entry is not checked in
        if (entry_id, user_id) in recused:
            continue  # recused (回避): no sheet expected
        row = entries.setdefault(entry.id, EntryProgress(entry=entry))
        judge = judges[member.user_id]
        status = statuses.get((entry.id, member.user_id))
        judge.assigned += 1
        row.expected += 1
        total += 1
        if status in COUNTED_STATUSES:
            judge.submitted += 1
            row.done += 1
            done += 1
        else:
            row.waiting_for.append(member.user)
            if status is SheetStatus.DRAFT:
                judge.drafts += 1
                drafts += 1
    judge_rows = sorted(judges.values(), key=lambda j: (not j.is_chief, j.judge.name, j.judge.id))
    entry_rows = sorted(entries.values(), key=lambda e: _entry_sort_key(e.entry))
    return Progress(judge_rows, entry_rows, done, total, drafts)


# ---------------------------------------------------------------- flags and leniency


def entry_codes(event: Event) -> dict[int, Entry]:
    return {e.id: e for e in db.session.scalars(select(Entry).where(Entry.event_id == event.id))}


def _rubric_of_marks(event: Event, marks: pd.DataFrame) -> scoring.Rubric:
    """The event's rubric cut down to the aspects that have marks: mid-judging, an aspect
    nobody has marked yet would make ``scoring`` refuse the whole sheet."""
    rubric = scoring_rubric(event)
    present = set(marks["criterion"].unique())
    criteria = tuple(c for c in rubric.criteria if c.key in present)
    used = {c.component for c in criteria}
    components = tuple(c for c in rubric.components if c.key in used)
    return scoring.Rubric(criteria=criteria, components=components)


def disagreements(event: Event, marks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Judgement aspects whose judges' levels differ by more than the event's allowed spread.

    Columns of ``scoring.spread_flags`` (entry id, criterion key, low, high, spread, judges)
    plus ``code`` and ``aspect`` (the aspect's name), ordered by code and rubric order.
    Empty when the policy sets no spread or nothing is submitted yet.
    """
    limit = max_spread(event)
    marks = marks_frame(event) if marks is None else marks
    columns = ["entry", "criterion", "low", "high", "spread", "judges", "code", "aspect"]
    if limit is None or marks.empty:
        return pd.DataFrame({c: [] for c in columns})
    flags = scoring.spread_flags(marks, float(limit), _rubric_of_marks(event, marks))
    if flags.empty:
        return pd.DataFrame({c: [] for c in columns})
    entries = entry_codes(event)
    aspects = {a.key: (i, a.name) for i, a in enumerate(event_aspects(event))}
    flags["code"] = [entries[int(e)].code or "—" for e in flags["entry"]]
    flags["aspect"] = [aspects.get(str(k), (0, str(k)))[1] for k in flags["criterion"]]
    flags["_order"] = [aspects.get(str(k), (0, ""))[0] for k in flags["criterion"]]
    flags = flags.sort_values(["code", "_order"], kind="stable").drop(columns="_order")
    return flags.reset_index(drop=True)


def leniency(event: Event, marks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per judge: ``scoring.judge_report`` with the judge's ``name`` (judges are not anonymous
    to the chief judge and the organizers).  Index: user id.  Empty before any submission."""
    marks = marks_frame(event) if marks is None else marks
    if marks.empty:
        return pd.DataFrame(
            {"name": [], "marks": [], "leniency": [], "leniency_pct": [], "correlation": []}
        )
    report = scoring.judge_report(marks, _rubric_of_marks(event, marks))
    users = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_([int(j) for j in report.index])))
    }
    report.insert(0, "name", [users[int(j)].name for j in report.index])
    return report


# ---------------------------------------------------------------- the chief judge's panel view


@dataclass
class PanelRow:
    """One entry of the side-by-side view: every judge's mark per aspect, flags, sheet states."""

    entry: Entry
    marks: dict[tuple[str, int], Decimal] = field(default_factory=dict)  # (aspect, judge)
    statuses: dict[int, SheetStatus] = field(default_factory=dict)  # judge → sheet status
    flagged: dict[str, Decimal] = field(default_factory=dict)  # aspect → spread over limit

    def submitted_judges(self) -> list[int]:
        return [j for j, s in self.statuses.items() if s is SheetStatus.SUBMITTED]


@dataclass
class PanelView:
    aspects: list[Aspect]
    judges: list[PanelMember]
    rows: list[PanelRow]
    total: int
    limit: float | None
    names_visible: bool


def _codes_order() -> Any:
    return (func.coalesce(Entry.seat_code, Entry.entry_code), Entry.id)


def side_by_side(
    event: Event,
    *,
    page: int = 1,
    per_page: int = 50,
    flagged_only: bool = False,
    entry_ids: list[int] | None = None,
) -> PanelView:
    """The panel's marks for one page of entries (in code order), as entered (a deduction shows
    the points taken off), drafts included but marked; a judgement aspect is flagged when the
    submitted levels differ by more than the allowed spread (the same rule as
    :func:`disagreements`).  Names and units only after sign-off."""
    limit = max_spread(event)
    aspects = event_aspects(event)
    judges = list(
        db.session.scalars(
            select(PanelMember)
            .where(PanelMember.event_id == event.id)
            .options(selectinload(PanelMember.user))
            .order_by(PanelMember.is_chief.desc(), PanelMember.id)
        )
    )
    query = select(Entry).where(Entry.event_id == event.id, turnout.to_be_scored())
    if flagged_only:
        flagged_ids = [int(e) for e in disagreements(event)["entry"].unique()]
        query = query.where(Entry.id.in_(flagged_ids or [-1]))
    if entry_ids is not None:
        query = query.where(Entry.id.in_(entry_ids or [-1]))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    visible = names_visible(event)
    if visible:  # before sign-off no name or unit is shown, so none is loaded
        query = query.options(selectinload(Entry.person), selectinload(Entry.organization))
    entries = db.session.scalars(
        query.order_by(*_codes_order()).limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    rows = {e.id: PanelRow(entry=e) for e in entries}
    if rows:
        for entry_id, judge_id, status in db.session.execute(
            select(ScoreSheet.entry_id, ScoreSheet.user_id, ScoreSheet.status).where(
                ScoreSheet.entry_id.in_(list(rows))
            )
        ):
            rows[entry_id].statuses[judge_id] = status
        for entry_id, judge_id, key, value in db.session.execute(
            select(ScoreSheet.entry_id, ScoreSheet.user_id, Aspect.key, Mark.value)
            .join(ScoreSheet, ScoreSheet.id == Mark.sheet_id)
            .join(Aspect, Aspect.id == Mark.aspect_id)
            .where(ScoreSheet.entry_id.in_(list(rows)))
        ):
            rows[entry_id].marks[(key, judge_id)] = Decimal(value)
    judged = [a.key for a in aspects if a.kind is AspectKind.JUDGEMENT]
    if limit is not None:
        for row in rows.values():
            counted = [j for j, s in row.statuses.items() if s in COUNTED_STATUSES]
            for key in judged:
                values = [row.marks[(key, j)] for j in counted if (key, j) in row.marks]
                if len(values) >= 2 and float(max(values) - min(values)) > limit + 1e-9:
                    row.flagged[key] = max(values) - min(values)
    return PanelView(aspects, judges, list(rows.values()), total, limit, visible)
