"""Do the stored marks and published results say what the audit trail and the snapshots say?

``contest audit verify`` runs these after walking the chain (``contest.services.core.audit``):
the chain shows that the trail was not edited, these show that the data beside it was not.

**Marks.** Every write of a judge's marks is audited with its values: ``sheet.save``,
``sheet.submit`` and ``sheet.reopen`` record the sheet's whole set of marks after the change,
``mark.correct`` one corrected mark. Replaying a sheet's entries in chain order gives the marks
it must hold: the last whole set, then the corrections made after it. Every sheet that counts
(submitted or locked, what the results are computed from) must hold exactly those; a counted
sheet that no audited write produced is reported too (a sheet inserted with SQL looks like
that). Drafts are work in progress and are not compared.

**Results.** Every snapshot, current or superseded: its document must hash to its digest, that
digest must be the one its ``results.publish`` entry recorded, and its stored rows must equal
the document's (``contest.services.skills.results.snapshot_problems``).

Findings name sheets, entries by their code, judges by username and snapshots by number, never
a competitor's name or a personal number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import groupby
from typing import Any

from sqlalchemy import select

from contest.extensions import db
from contest.models import (
    Aspect,
    AuditEntry,
    Entry,
    Event,
    Mark,
    ResultSnapshot,
    ScoreSheet,
    User,
)
from contest.services.skills import results
from contest.services.skills.marks import COUNTED_STATUSES

__all__ = ["Checked", "Finding", "check_marks", "check_results"]

# Actions whose ``after`` holds the sheet's whole set of marks, and the one-mark correction.
WHOLE_SET_ACTIONS = ("sheet.save", "sheet.submit", "sheet.reopen")
CORRECTION_ACTION = "mark.correct"
_CENT = Decimal("0.01")
_SHOWN_DIFFERENCES = 5


@dataclass(frozen=True)
class Finding:
    subject: str
    problem: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.problem}"


@dataclass(frozen=True)
class Checked:
    """How many things were compared and what did not match."""

    count: int
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings


def _value(raw: Any) -> str:
    """A mark as text with two decimals, whether read from the trail or from the column."""
    try:
        return str(Decimal(str(raw)).quantize(_CENT))
    except (InvalidOperation, ValueError):
        return str(raw)


def _audited_marks() -> tuple[dict[int, dict[str, str]], list[Finding]]:
    """Each sheet's marks as its audit entries, replayed in chain order, leave them."""
    marks: dict[int, dict[str, str]] = {}
    unreadable: list[Finding] = []
    query = (
        select(AuditEntry.id, AuditEntry.target_id, AuditEntry.action, AuditEntry.after)
        .where(
            AuditEntry.target_type == "score_sheet",
            AuditEntry.action.in_([*WHOLE_SET_ACTIONS, CORRECTION_ACTION]),
        )
        .order_by(AuditEntry.id)
    )
    for entry_id, target_id, action, after in db.session.execute(query).yield_per(1000):
        try:
            data = json.loads(after or "null")
            sheet_id = int(target_id)
            if action == CORRECTION_ACTION:
                marks.setdefault(sheet_id, {})[str(data["aspect"])] = _value(data["value"])
            else:
                marks[sheet_id] = {str(k): _value(v) for k, v in data["marks"].items()}
        except (ValueError, TypeError, KeyError, AttributeError):
            unreadable.append(Finding(f"audit entry {entry_id}", "its marks cannot be read"))
    return marks, unreadable


def _differences(stored: dict[str, str], audited: dict[str, str]) -> str:
    keys = sorted(k for k in set(stored) | set(audited) if stored.get(k) != audited.get(k))
    shown = "; ".join(
        f"{k} stored {stored.get(k, '-')}, audited {audited.get(k, '-')}"
        for k in keys[:_SHOWN_DIFFERENCES]
    )
    more = len(keys) - _SHOWN_DIFFERENCES
    return "marks differ from the audit trail: " + shown + (f"; {more} more" if more > 0 else "")


def check_marks() -> Checked:
    """Every counted sheet against the marks its audit entries recorded (module docstring)."""
    audited, findings = _audited_marks()
    sheets = {
        sheet_id: f"score sheet {sheet_id} (event {event}, entry {code or '-'}, judge {judge})"
        for sheet_id, event, code, judge in db.session.execute(
            select(ScoreSheet.id, Event.code, Entry.entry_code, User.username)
            .join(Event, Event.id == ScoreSheet.event_id)
            .join(Entry, Entry.id == ScoreSheet.entry_id)
            .join(User, User.id == ScoreSheet.user_id)
            .where(ScoreSheet.status.in_(COUNTED_STATUSES))
        )
    }
    stored_marks = db.session.execute(
        select(Mark.sheet_id, Aspect.key, Mark.value)
        .join(ScoreSheet, ScoreSheet.id == Mark.sheet_id)
        .join(Aspect, Aspect.id == Mark.aspect_id)
        .where(ScoreSheet.status.in_(COUNTED_STATUSES))
        .order_by(Mark.sheet_id)
    ).yield_per(5000)
    unmarked = set(sheets)
    for sheet_id, group in groupby(stored_marks, key=lambda row: row[0]):
        unmarked.discard(sheet_id)
        _compare(sheet_id, {key: _value(v) for _, key, v in group}, audited, sheets, findings)
    for sheet_id in sorted(unmarked):  # counted sheets without a single mark
        _compare(sheet_id, {}, audited, sheets, findings)
    return Checked(len(sheets), tuple(findings))


def _compare(
    sheet_id: int,
    stored: dict[str, str],
    audited: dict[int, dict[str, str]],
    subjects: dict[int, str],
    findings: list[Finding],
) -> None:
    subject = subjects.get(sheet_id, f"score sheet {sheet_id}")
    if sheet_id not in audited:
        findings.append(Finding(subject, "no audited write recorded its marks"))
    elif stored != audited[sheet_id]:
        findings.append(Finding(subject, _differences(stored, audited[sheet_id])))


def check_results() -> Checked:
    """Every snapshot against its digest, the audit trail and its stored rows."""
    findings: list[Finding] = []
    count = 0
    for snapshot_id in db.session.scalars(select(ResultSnapshot.id).order_by(ResultSnapshot.id)):
        snapshot = db.session.get(ResultSnapshot, snapshot_id)
        assert snapshot is not None
        count += 1
        subject = f"result snapshot {snapshot.id} (contest {snapshot.contest_id})"
        findings.extend(Finding(subject, p) for p in results.snapshot_problems(snapshot))
        db.session.expunge(snapshot)  # documents can be megabytes: keep one at a time
    return Checked(count, tuple(findings))
