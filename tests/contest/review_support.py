"""Helpers for the review tests: score sheets written straight to the models.

The judging service (``contest.services.skills.judging``) is another area's; these helpers build the
state the review pages read without going through it, so the review tests only depend on the
models and on ``make_contest``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from contest.models import Mark, ScoreSheet, SheetStatus
from contest.models.base import utcnow
from contest.services.skills import recheck


def put_sheet(
    db: Any,
    c: Any,
    judge: Any,
    entry: Any,
    values: Mapping[str, float],
    status: SheetStatus = SheetStatus.SUBMITTED,
) -> ScoreSheet:
    """One judge's sheet for one entry with the given marks (aspect key → value as entered)."""
    sheet = ScoreSheet(
        event_id=c.event.id,
        entry_id=entry.id,
        user_id=judge.id,
        status=status,
        submitted_at=utcnow() if status is not SheetStatus.DRAFT else None,
    )
    sheet.marks = [
        Mark(aspect_id=c.aspects[key].id, value=Decimal(str(value)))
        for key, value in values.items()
    ]
    db.session.add(sheet)
    db.session.flush()
    return sheet


def base_values(index: int, judge_index: int = 0) -> dict[str, float]:
    """Plausible marks that rank entry ``index`` above entry ``index + 1``."""
    return {
        "T1": 90 - index * 2 + judge_index * 0.5,
        "P1": 38 - index,
        "P2": 3 if index == 0 else 2,
        "P3": index,  # deduction: points taken off
    }


def score_all(
    db: Any, c: Any, status: SheetStatus = SheetStatus.SUBMITTED
) -> dict[tuple[int, int], ScoreSheet]:
    """Every judge submits every entry's sheet; returns sheets by (entry id, judge id)."""
    sheets = {}
    for i, entry in enumerate(c.entries):
        for j, judge in enumerate(c.judges):
            sheets[(entry.id, judge.id)] = put_sheet(db, c, judge, entry, base_values(i, j), status)
    db.session.commit()
    return sheets


def arbitrator(db: Any, c: Any, make_user: Any) -> Any:
    """A judge account on ``c``'s arbitration panel, on no judging panel (may decide appeals)."""
    from contest.models import Arbitrator

    user = make_user("judge", organization=c.judge_unit)
    db.session.add(Arbitrator(contest_id=c.contest.id, user_id=user.id))
    db.session.flush()
    return user


def ready_to_sign(db: Any, c: Any, seed: int = 3) -> None:
    """Every sheet submitted and every re-check item checked clean: nothing blocks sign-off."""
    score_all(db, c)
    for item in recheck.build_recheck(c.chief, c.event, seed=seed):
        recheck.record_check(c.chief, item, errors_found=0)
    db.session.commit()
