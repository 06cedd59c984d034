"""marks_frame: the long score sheet ``scoring`` reads, straight from the database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from contest.models import EntryStatus, SheetStatus
from contest.services.skills.marks import MARK_COLUMNS, marks_frame
from tests.contest.review_support import put_sheet, score_all


def test_shape_columns_and_dtypes(db: Any, make_contest: Any) -> None:
    c = make_contest(entries=3, judges=2)
    score_all(db, c)
    frame = marks_frame(c.event)
    assert tuple(frame.columns) == MARK_COLUMNS
    assert len(frame) == 3 * 2 * 4  # entries × judges × aspects
    assert frame["entry"].dtype == np.int64 and frame["judge"].dtype == np.int64
    assert frame["score"].dtype == np.float64
    assert set(frame["criterion"]) == {"T1", "P1", "P2", "P3"}
    assert dict(zip(frame["criterion"], frame["component"], strict=True)) == {
        "T1": "theory",
        "P1": "practical",
        "P2": "practical",
        "P3": "practical",
    }
    assert frame["time"].isna().all()


def test_judgement_as_entered_and_deduction_as_points(db: Any, make_contest: Any) -> None:
    c = make_contest(entries=1, judges=1)
    put_sheet(db, c, c.judges[0], c.entries[0], {"T1": 80.5, "P1": 33, "P2": 2, "P3": 4})
    c.entries[0].time_seconds = Decimal("1234.5")
    db.session.commit()
    frame = marks_frame(c.event).set_index("criterion")
    assert frame.loc["T1", "score"] == 80.5
    assert frame.loc["P1", "score"] == 33.0
    assert frame.loc["P2", "score"] == 2.0  # level, converted to points by scoring's rubric
    assert frame.loc["P3", "score"] == 26.0  # 30 − 4 deducted
    assert frame.loc["T1", "time"] == 1234.5
    assert int(frame.loc["T1", "entry"]) == c.entries[0].id
    assert int(frame.loc["T1", "judge"]) == c.judges[0].id


def test_drafts_excluded_unless_asked(db: Any, make_contest: Any) -> None:
    c = make_contest(entries=2, judges=2)
    put_sheet(db, c, c.judges[0], c.entries[0], {"T1": 50}, SheetStatus.SUBMITTED)
    put_sheet(db, c, c.judges[1], c.entries[0], {"T1": 60}, SheetStatus.DRAFT)
    put_sheet(db, c, c.judges[0], c.entries[1], {"T1": 70}, SheetStatus.LOCKED)
    db.session.commit()
    counted = marks_frame(c.event)
    assert sorted(counted["score"]) == [50.0, 70.0]
    assert sorted(marks_frame(c.event, include_drafts=True)["score"]) == [50.0, 60.0, 70.0]


def test_withdrawn_entries_and_other_events_left_out(db: Any, make_contest: Any) -> None:
    c = make_contest(entries=2, judges=1)
    other = make_contest(entries=1, judges=1)
    put_sheet(db, c, c.judges[0], c.entries[0], {"T1": 50})
    put_sheet(db, c, c.judges[0], c.entries[1], {"T1": 60})
    put_sheet(db, other, other.judges[0], other.entries[0], {"T1": 99})
    c.entries[1].status = EntryStatus.WITHDRAWN
    db.session.commit()
    frame = marks_frame(c.event)
    assert list(frame["score"]) == [50.0]


def test_empty_event_gives_empty_frame_with_columns(db: Any, make_contest: Any) -> None:
    c = make_contest(entries=2, judges=1)
    frame = marks_frame(c.event)
    assert tuple(frame.columns) == MARK_COLUMNS and frame.empty
    assert frame["score"].dtype == np.float64
