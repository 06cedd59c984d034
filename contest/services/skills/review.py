"""Review of an event after judging: progress, flags, re-check (复核), appeals, sign-off.

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

import json
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

import scoring
from contest.extensions import db
from contest.models import (
    Appeal,
    AppealStatus,
    Aspect,
    AspectKind,
    Assignment,
    AuditEntry,
    ContestStatus,
    Entry,
    EntryStatus,
    Event,
    Mark,
    PanelMember,
    RecheckItem,
    ScoreSheet,
    SheetStatus,
    User,
)
from contest.models.base import utcnow
from contest.services.core import audit
from contest.services.skills import access
from contest.services.skills.marks import COUNTED_STATUSES, marks_frame
from contest.services.skills.policies import max_spread, recheck_settings
from contest.services.skills.rubrics import event_aspects, scoring_rubric
from contest.services.skills.standings import ranking

__all__ = [
    "Blocker",
    "EntryProgress",
    "JudgeProgress",
    "NotPermitted",
    "PanelRow",
    "PanelView",
    "Progress",
    "RecheckState",
    "ReviewError",
    "appeal_deadline",
    "appeals_of",
    "build_recheck",
    "decide_appeal",
    "disagreements",
    "find_entry",
    "leniency",
    "names_visible",
    "progress",
    "recheck_state",
    "record_appeal",
    "record_check",
    "remark_all",
    "side_by_side",
    "sign_off",
    "sign_off_blockers",
]

RECHECK_BUILD = "recheck.build"
APPELLANT_MAX = 100


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


def _require_reviewer(user: User, event: Event) -> None:
    if not access.can_oversee(user, event):
        raise NotPermitted(_("只有本赛项的裁判长或赛事组织者可以进行此操作。"))


def _lock(row: Event | Appeal) -> None:
    """Re-read ``row`` under a row lock (``SELECT … FOR UPDATE``) before a one-time step: two
    reviewers drawing the list, deciding an appeal or signing off at once queue here, and the
    second then sees the first one's result and is refused.  (SQLite serialises writers at
    ``BEGIN IMMEDIATE`` already.)"""
    db.session.refresh(row, with_for_update=True)


def _require_open(event: Event) -> None:
    if event.contest.status is not ContestStatus.REVIEW:
        raise ReviewError(
            _(
                "大赛当前处于「%(status)s」阶段,复核与签字只能在「复核与申诉」阶段进行。",
                status=event.contest.status.label,
            )
        )
    if event.is_signed_off:
        raise ReviewError(_("本赛项已由裁判长签字确认,不能再修改。"))


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
    entry_objects = {
        e.id: e
        for e in db.session.scalars(
            select(Entry).where(Entry.event_id == event.id, Entry.status == EntryStatus.CHECKED_IN)
        )
    }
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


def _entry_codes(event: Event) -> dict[int, Entry]:
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
    entries = _entry_codes(event)
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


# ---------------------------------------------------------------- re-check (复核)


@dataclass
class RecheckState:
    """The re-check list of an event and what it means so far."""

    items: list[RecheckItem]
    seed: int | None
    built_at: datetime | None
    top: int
    share: float
    error_limit: float
    sheets: dict[int, int]  # entry id → counted sheets (what one re-checked entry covers)
    outcome: scoring.RecheckOutcome | None  # once every item is checked

    @property
    def built(self) -> bool:
        return bool(self.items)

    @property
    def checked(self) -> int:
        return sum(1 for i in self.items if i.checked_at is not None)

    @property
    def complete(self) -> bool:
        return self.built and self.checked == len(self.items)

    @property
    def remark_all(self) -> bool:
        return self.outcome is not None and self.outcome.remark_all

    @property
    def sheets_checked(self) -> int:
        return sum(self.sheets.get(i.entry_id, 0) for i in self.items if i.checked_at)

    @property
    def errors(self) -> int:
        return sum(
            min(i.errors_found or 0, self.sheets.get(i.entry_id, 0))
            for i in self.items
            if i.checked_at
        )


def _counted_sheets(event: Event) -> dict[int, int]:
    return {
        entry_id: count
        for entry_id, count in db.session.execute(
            select(ScoreSheet.entry_id, func.count(ScoreSheet.id))
            .where(ScoreSheet.event_id == event.id, ScoreSheet.status.in_(COUNTED_STATUSES))
            .group_by(ScoreSheet.entry_id)
        )
    }


def _last_build(event: Event) -> AuditEntry | None:
    return db.session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.action == RECHECK_BUILD,
            AuditEntry.target_type == "event",
            AuditEntry.target_id == str(event.id),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


def recheck_state(event: Event) -> RecheckState:
    """The re-check list (in rank order of its build: top first), its seed and its outcome.

    The outcome counts sheets: each re-checked entry covers its counted sheets, and the errors
    are the sheets found wrong; above the limit (5 %) everything is re-marked.
    """
    settings = recheck_settings(event)
    items = list(
        db.session.scalars(
            select(RecheckItem)
            .where(RecheckItem.event_id == event.id)
            .options(selectinload(RecheckItem.entry).selectinload(Entry.person))
            .order_by(RecheckItem.id)
        )
    )
    seed = built_at = None
    if items:
        last = _last_build(event)
        if last is not None and last.after:
            seed = json.loads(last.after).get("seed")
            built_at = last.created_at
    sheets = _counted_sheets(event)
    state = RecheckState(
        items, seed, built_at, settings.top, settings.share, settings.error_limit, sheets, None
    )
    if state.complete and state.sheets_checked > 0:
        state.outcome = scoring.recheck_outcome(
            state.sheets_checked, state.errors, settings.error_limit
        )
    return state


def build_recheck(actor: User, event: Event, *, seed: int | None = None) -> list[RecheckItem]:
    """Draw the re-check list once judging is complete: top N + a seeded sample of the rest.

    Refused while sheets are missing or a list already exists (a new list is drawn only after
    every sheet was reopened for re-marking).  The seed, the settings and the drawn codes are
    recorded in the audit trail.
    """
    _require_reviewer(actor, event)
    _lock(event)
    _require_open(event)
    if db.session.scalar(select(RecheckItem.id).where(RecheckItem.event_id == event.id)):
        raise ReviewError(_("本赛项的复核名单已经生成。"))
    state = progress(event)
    if not state.complete:
        raise ReviewError(
            _(
                "还有 %(n)s 份评分表未提交,评分全部完成后才能生成复核名单。",
                n=state.total - state.done,
            )
        )
    try:
        result = ranking(event)
    except scoring.ScoringError as exc:
        raise ReviewError(_("无法计算暂定名次:%(error)s", error=str(exc))) from None
    settings = recheck_settings(event)
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    sample = scoring.recheck_sample(
        result.table, top=settings.top, fraction=settings.share, seed=seed
    )
    entries = _entry_codes(event)
    items = [
        RecheckItem(event_id=event.id, entry_id=int(entry_id), reason=str(reason))
        for entry_id, reason in zip(sample["entry"], sample["reason"], strict=True)
    ]
    db.session.add_all(items)
    db.session.flush()
    audit.record(
        actor,
        RECHECK_BUILD,
        "event",
        event.id,
        after={
            "seed": seed,
            "top": settings.top,
            "share": settings.share,
            "ranked": len(result.table),
            "entries": [{"code": entries[i.entry_id].code, "reason": i.reason} for i in items],
        },
    )
    return items


def record_check(
    actor: User, item: RecheckItem, *, errors_found: int, note: str | None = None
) -> RecheckItem:
    """Record that one entry's sheets were re-checked and how many of them were wrong.

    ``errors_found`` counts the entry's sheets found wrong (0 … its counted sheets); the
    corrections themselves go through ``judging.correct_mark``.  May be recorded again (the
    audit keeps the earlier figures) until sign-off.
    """
    event = db.session.get(Event, item.event_id)
    assert event is not None
    _require_reviewer(actor, event)
    _require_open(event)
    sheets = _counted_sheets(event).get(item.entry_id, 0)
    if isinstance(errors_found, bool) or not isinstance(errors_found, int):
        raise ReviewError(_("发现差错的评分表份数必须是整数。"), "errors_found")
    if not 0 <= errors_found <= sheets:
        raise ReviewError(
            _("发现差错的评分表份数须在 0 到 %(n)s 之间(该选手共 %(n)s 份评分表)。", n=sheets),
            "errors_found",
        )
    text = (note or "").strip() or None
    if errors_found and not text:
        raise ReviewError(_("发现差错时请在备注中写明差错和更正情况。"), "note")
    before = {
        "checked": item.checked_at is not None,
        "errors_found": item.errors_found,
        "note": item.note,
    }
    item.checked_at = utcnow()
    item.checked_by_id = actor.id
    item.errors_found = errors_found
    item.note = text
    db.session.flush()
    audit.record(
        actor,
        "recheck.record",
        "recheck_item",
        item.id,
        before=before,
        after={
            "entry": item.entry.code,
            "checked": True,
            "errors_found": errors_found,
            "sheets": sheets,
            "note": text,
        },
    )
    return item


def remark_all(actor: User, event: Event, reason: str) -> int:
    """Everything is re-marked (复核差错率超标): reopen every submitted sheet and clear the list.

    Only the contest's organizers (or an admin) decide this.  Each sheet is reopened through
    ``judging.reopen_sheet`` (audited per sheet); the old list is removed (its items are kept
    in this audit entry) so a new list is drawn once the judges have submitted again.
    Returns the number of sheets reopened.
    """
    from contest.services.skills.judging import reopen_sheet

    if not event.contest.can_manage(actor):
        raise NotPermitted(_("只有赛事组织者可以安排全部重新评分。"))
    _require_open(event)
    text = (reason or "").strip()
    if not text:
        raise ReviewError(_("请填写原因。"), "reason")
    state = recheck_state(event)
    sheets = db.session.scalars(
        select(ScoreSheet)
        .where(ScoreSheet.event_id == event.id, ScoreSheet.status == SheetStatus.SUBMITTED)
        .order_by(ScoreSheet.id)
    ).all()
    for sheet in sheets:
        reopen_sheet(actor, sheet, text)
    db.session.execute(delete(RecheckItem).where(RecheckItem.event_id == event.id))
    db.session.expire_all()
    audit.record(
        actor,
        "recheck.remark_all",
        "event",
        event.id,
        before={
            "outcome": state.outcome.message if state.outcome else None,
            "items": [
                {"code": i.entry.code, "errors_found": i.errors_found, "note": i.note}
                for i in state.items
            ],
        },
        after={"reopened": len(sheets)},
        reason=text,
    )
    return len(sheets)


# ---------------------------------------------------------------- appeals (申诉)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def appeal_deadline(event: Event) -> datetime | None:
    """When the appeal window closes: the event's end plus the contest's window (2 hours)."""
    if event.ended_at is None:
        return None
    return _aware(event.ended_at) + timedelta(hours=event.contest.appeal_window_hours or 0)


def find_entry(event: Event, code: str) -> Entry | None:
    """The event's entry with this 参赛号 or 赛位号 (codes are what appellants quote)."""
    code = (code or "").strip().upper()
    if not code:
        return None
    return db.session.scalar(
        select(Entry).where(
            Entry.event_id == event.id,
            (func.upper(Entry.entry_code) == code) | (func.upper(Entry.seat_code) == code),
        )
    )


def appeals_of(event: Event) -> list[Appeal]:
    return list(
        db.session.scalars(
            select(Appeal)
            .where(Appeal.event_id == event.id)
            .options(selectinload(Appeal.entry))
            .order_by(Appeal.received_at, Appeal.id)
        )
    )


def record_appeal(
    actor: User,
    event: Event,
    *,
    entry_code: str,
    appellant: str,
    content: str,
    received_at: datetime | None = None,
) -> Appeal:
    """Record a written appeal received inside the window; a late one is refused, naming the
    deadline.  ``received_at`` defaults to now and may not lie in the future."""
    _require_reviewer(actor, event)
    if event.contest.status not in (ContestStatus.JUDGING, ContestStatus.REVIEW):
        raise ReviewError(_("大赛当前不在评分或复核阶段,不能登记申诉。"))
    if event.is_signed_off:
        raise ReviewError(_("本赛项已由裁判长签字确认,不能再登记申诉。"))
    entry = find_entry(event, entry_code)
    if entry is None:
        raise ReviewError(
            _("本赛项没有参赛号或赛位号为「%(code)s」的选手。", code=(entry_code or "").strip()),
            "entry_code",
        )
    name = (appellant or "").strip()
    if not name:
        raise ReviewError(_("请填写申诉人。"), "appellant")
    if len(name) > APPELLANT_MAX:
        raise ReviewError(_("申诉人不能超过 %(n)s 个字。", n=APPELLANT_MAX), "appellant")
    text = (content or "").strip()
    if not text:
        raise ReviewError(_("请填写书面申诉的内容。"), "content")
    now = utcnow()
    received = now if received_at is None else _aware(received_at)
    if received > now + timedelta(minutes=1):
        raise ReviewError(_("收到时间不能晚于现在。"), "received_at")
    deadline = appeal_deadline(event)
    if deadline is None:
        raise ReviewError(
            _("本赛项还没有登记比赛结束时间,无法确定申诉期限;请组织者先在赛项设置中填写。"),
            "received_at",
        )
    assert event.ended_at is not None
    if received < _aware(event.ended_at):
        raise ReviewError(_("收到时间早于本赛项比赛结束时间。"), "received_at")
    if received > deadline:
        raise ReviewError(
            _(
                "申诉已超过期限:须在比赛结束后 %(h)s 小时内(%(deadline)s 前)以书面形式提出。",
                h=event.contest.appeal_window_hours,
                deadline=format_datetime(deadline, "yyyy-MM-dd HH:mm"),
            ),
            "received_at",
        )
    appeal = Appeal(
        event_id=event.id,
        entry_id=entry.id,
        received_at=received,
        appellant=name,
        content=text,
        status=AppealStatus.PENDING,
        recorded_by_id=actor.id,
    )
    db.session.add(appeal)
    db.session.flush()
    audit.record(
        actor,
        "appeal.record",
        "appeal",
        appeal.id,
        after={
            "event": event.id,
            "entry": entry.code,
            "appellant": name,
            "content": text,
            "received_at": received.isoformat(),
        },
    )
    return appeal


def decide_appeal(actor: User, appeal: Appeal, *, upheld: bool, reason: str) -> Appeal:
    """Decide an appeal once (the arbitration decision is final), always with a reason.

    An upheld appeal may be followed by ``judging.correct_mark`` on the sheets concerned.
    """
    event = db.session.get(Event, appeal.event_id)
    assert event is not None
    _require_reviewer(actor, event)
    _lock(appeal)
    if appeal.status is not AppealStatus.PENDING:
        raise ReviewError(_("该申诉已裁决,仲裁结果为最终决定,不能更改。"))
    if event.is_signed_off:
        raise ReviewError(_("本赛项已由裁判长签字确认,不能再修改。"))
    text = (reason or "").strip()
    if not text:
        raise ReviewError(_("请填写裁决理由。"), "reason")
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.DISMISSED
    appeal.decision = text
    appeal.decided_at = utcnow()
    appeal.decided_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        "appeal.decide",
        "appeal",
        appeal.id,
        before={"status": AppealStatus.PENDING.value},
        after={"status": appeal.status.value, "entry": appeal.entry.code},
        reason=text,
    )
    return appeal


# ---------------------------------------------------------------- sign-off (签字确认)


@dataclass(frozen=True)
class Blocker:
    """One reason sign-off is not possible yet, with the page where it is resolved."""

    message: str
    endpoint: str | None = None


def sign_off_blockers(
    event: Event,
    user: User | None = None,
    *,
    state: Progress | None = None,
    recheck: RecheckState | None = None,
) -> list[Blocker]:
    """Everything that stands between the event and the chief judge's signature (``state`` and
    ``recheck``: the event's :func:`progress` and :func:`recheck_state` when the caller has
    them already)."""
    blockers: list[Blocker] = []
    if user is not None and not access.is_chief(user, event):
        blockers.append(Blocker(_("只有本赛项的裁判长可以签字确认。")))
    if event.is_signed_off:
        blockers.append(Blocker(_("本赛项已签字确认。")))
        return blockers
    if event.contest.status is not ContestStatus.REVIEW:
        blockers.append(
            Blocker(
                _(
                    "大赛当前处于「%(status)s」阶段,须先转入「复核与申诉」阶段。",
                    status=event.contest.status.label,
                )
            )
        )
    state = progress(event) if state is None else state
    if not state.complete:
        blockers.append(
            Blocker(_("还有 %(n)s 份评分表未提交。", n=state.total - state.done), "review.progress")
        )
    recheck = recheck_state(event) if recheck is None else recheck
    if not recheck.built:
        blockers.append(Blocker(_("复核名单尚未生成。"), "review.recheck"))
    elif not recheck.complete:
        blockers.append(
            Blocker(
                _("复核名单中还有 %(n)s 名选手未复核。", n=len(recheck.items) - recheck.checked),
                "review.recheck",
            )
        )
    elif recheck.remark_all:
        assert recheck.outcome is not None
        blockers.append(
            Blocker(
                _("复核差错率超过上限,须全部重新评分:%(msg)s", msg=recheck.outcome.message),
                "review.recheck",
            )
        )
    pending = db.session.scalar(
        select(func.count(Appeal.id)).where(
            Appeal.event_id == event.id, Appeal.status == AppealStatus.PENDING
        )
    )
    if pending:
        blockers.append(Blocker(_("还有 %(n)s 件申诉尚未裁决。", n=pending), "review.appeals"))
    return blockers


def sign_off(chief: User, event: Event) -> int:
    """The chief judge signs the event off: every sheet is locked and names may be shown.

    Only the event's chief judge; only when :func:`sign_off_blockers` finds nothing.  The
    sheets are locked with one versioned UPDATE (each version is bumped, so a judge's open
    form is refused as stale).  Returns the number of sheets locked.
    """
    if not access.is_chief(chief, event):
        raise NotPermitted(_("只有本赛项的裁判长可以签字确认。"))
    _lock(event)
    blockers = sign_off_blockers(event)
    if blockers:
        raise ReviewError(" ".join(b.message for b in blockers))
    locked = db.session.execute(  # type: ignore[attr-defined]
        update(ScoreSheet)
        .where(ScoreSheet.event_id == event.id, ScoreSheet.status == SheetStatus.SUBMITTED)
        .values(status=SheetStatus.LOCKED, version=ScoreSheet.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    event.signed_off_at = utcnow()
    event.signed_off_by_id = chief.id
    db.session.flush()
    counts: dict[str, int] = defaultdict(int)
    for status, count in db.session.execute(
        select(ScoreSheet.status, func.count(ScoreSheet.id))
        .where(ScoreSheet.event_id == event.id)
        .group_by(ScoreSheet.status)
    ):
        counts[status.value] = count
    audit.record(
        chief,
        "event.sign_off",
        "event",
        event.id,
        after={"locked": locked, "sheets": dict(counts), "signed_off_at": str(event.signed_off_at)},
    )
    db.session.expire_all()
    return int(locked or 0)


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
    query = select(Entry).where(Entry.event_id == event.id, Entry.status != EntryStatus.WITHDRAWN)
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
