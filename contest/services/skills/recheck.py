"""The re-check (复核) of an event before sign-off: drawing the list, recording checks, re-marking.

The list is all of the top N of the provisional ranking plus a seeded random share of the rest
(``scoring.recheck_sample``); the seed goes into the audit trail so the draw can be repeated in
front of the arbitration panel. When the sheets found wrong exceed the error limit, everything
is re-marked (``scoring.recheck_outcome``) and sign-off is blocked until the organizer has
reopened every sheet (through ``judging.reopen_sheet``, audited per sheet).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

import scoring
from contest.extensions import db
from contest.models import (
    AuditEntry,
    Entry,
    Event,
    RecheckItem,
    ScoreSheet,
    SheetStatus,
    User,
)
from contest.models.base import utcnow
from contest.services.core import audit
from contest.services.skills.judging import reopen_sheet
from contest.services.skills.marks import COUNTED_STATUSES
from contest.services.skills.policies import recheck_settings
from contest.services.skills.review import (
    NotPermitted,
    ReviewError,
    entry_codes,
    lock_row,
    progress,
    require_open,
    require_reviewer,
)
from contest.services.skills.standings import ranking

RECHECK_BUILD = "recheck.build"


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


def item_of(entry: Entry) -> RecheckItem | None:
    """The entry's place on its event's re-check list and the check's result, if it has one
    (the chief judge's entry page and the arbitrator's read of appealed marks both show it)."""
    return db.session.scalar(
        select(RecheckItem).where(
            RecheckItem.event_id == entry.event_id, RecheckItem.entry_id == entry.id
        )
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
    require_reviewer(actor, event)
    lock_row(event)
    require_open(event)
    if db.session.scalar(select(RecheckItem.id).where(RecheckItem.event_id == event.id)):
        raise ReviewError(_("本赛项的复核名单已经生成。"))
    state = progress(event)
    if not state.complete:
        raise ReviewError(
            _(
                "还有 %(n)s 份评分表未提交，评分全部完成后才能生成复核名单。",
                n=state.total - state.done,
            )
        )
    try:
        result = ranking(event)
    except scoring.ScoringError as exc:
        raise ReviewError(_("无法计算暂定名次：%(error)s", error=str(exc))) from None
    settings = recheck_settings(event)
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    sample = scoring.recheck_sample(
        result.table, top=settings.top, fraction=settings.share, seed=seed
    )
    entries = entry_codes(event)
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
    require_reviewer(actor, event)
    require_open(event)
    sheets = _counted_sheets(event).get(item.entry_id, 0)
    if isinstance(errors_found, bool) or not isinstance(errors_found, int):
        raise ReviewError(_("发现差错的评分表份数必须是整数。"), "errors_found")
    if not 0 <= errors_found <= sheets:
        raise ReviewError(
            _("发现差错的评分表份数须在 0 到 %(n)s 之间（该选手共 %(n)s 份评分表）。", n=sheets),
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
    if not event.contest.can_manage(actor):
        raise NotPermitted(_("只有赛事组织者可以安排全部重新评分。"))
    require_open(event)
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
