"""A contest ready to publish, written straight to the models (no judging/review services).

Used by the ``test_results_*`` files: submitted (locked) sheets for every judge and entry, the
event signed off by its chief judge, the contest in REVIEW, a policy with awards and a linked
title, and entrants with an ID number and a phone (which must never be published).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from contest.models import ContestStatus, Gender, Mark, ScoreSheet, SheetStatus
from contest.models.base import utcnow

ID_NUMBER = "110105199003071234"
PHONE = "13812345678"

# Per entry: T1 /100, P1 /40, P2 level 0-3, P3 deduction /30 — descending quality.
MARKS = [
    {"T1": 95, "P1": 38, "P2": 3, "P3": 0},
    {"T1": 88, "P1": 35, "P2": 3, "P3": 2},
    {"T1": 80, "P1": 30, "P2": 2, "P3": 3},
    {"T1": 72, "P1": 28, "P2": 2, "P3": 5},
    {"T1": 65, "P1": 25, "P2": 1, "P3": 6},
    {"T1": 60, "P1": 20, "P2": 1, "P3": 8},
]


def write_marks(db: Any, ns: Any, marks: list[dict[str, float]] | None = None) -> None:
    """Every judge's locked sheet for every non-withdrawn entry, with the given marks."""
    marks = marks or MARKS
    now = utcnow()
    for index, entry in enumerate(ns.entries):
        values = marks[index % len(marks)]
        for judge in ns.judges:
            sheet = ScoreSheet(
                event_id=ns.event.id,
                entry_id=entry.id,
                user_id=judge.id,
                status=SheetStatus.LOCKED,
                submitted_at=now,
            )
            db.session.add(sheet)
            db.session.flush()
            for key, value in values.items():
                db.session.add(
                    Mark(sheet_id=sheet.id, aspect_id=ns.aspects[key].id, value=Decimal(value))
                )
    db.session.flush()


@pytest.fixture(name="ready_contest")
def ready_contest_fixture(db: Any, make_contest: Callable[..., Any]) -> Callable[..., Any]:
    """``ready_contest(entries=6)``: a contest in REVIEW, marked, signed off, ready to publish."""

    def _make(
        entries: int = 6,
        titles: bool = True,
        private: bool = True,
        marks: list[dict[str, float]] | None = None,
        **kwargs: Any,
    ) -> Any:
        ns = make_contest(status=ContestStatus.REVIEW, entries=entries, **kwargs)
        ns.event.policy = {
            "awards": [
                {"name": "一等奖", "count": 1},
                {"name": "二等奖", "count": 1},
                {"name": "三等奖", "count": 1},
            ],
            "titles": [{"name": "江州市技术能手", "best": 1, "worst": 2}] if titles else [],
        }
        first = ns.entries[0].person
        first.gender = Gender.FEMALE
        if private:  # one contest per test may hold the (unique) ID number
            first.set_id_number(ID_NUMBER)
            first.set_phone(PHONE)
        write_marks(db, ns, marks)
        ns.event.signed_off_at = utcnow()
        ns.event.signed_off_by_id = ns.chief.id
        db.session.commit()
        return ns

    return _make
