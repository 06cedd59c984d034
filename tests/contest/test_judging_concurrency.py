"""Two writers on one score sheet at the same moment: one wins, the other is told, and no mark
is lost or mixed. Real threads, each with its own application context, session and database
connection, against the SQLite file and PostgreSQL."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from contest.extensions import db as _db
from contest.models import Entry, Mark, User
from contest.services.assessment import sheets
from contest.services.skills import judging
from contest.services.skills.judging import StaleSheet

WRITERS = 2


def _race(
    app: Flask, user_id: int, entry_id: int, payloads: list[dict[str, Any]], expected: int | None
) -> list[str]:
    """Run one save per payload in parallel threads; return each outcome ("ok"/"stale"/error)."""
    barrier = threading.Barrier(len(payloads))
    outcomes: list[str] = [""] * len(payloads)

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            with app.app_context():
                user = _db.session.get(User, user_id)
                entry = _db.session.get(Entry, entry_id)
                try:
                    judging.save_sheet(
                        user, entry, payloads[index], submit=False, expected_version=expected
                    )
                    _db.session.commit()
                    outcomes[index] = "ok"
                except StaleSheet:
                    _db.session.rollback()
                    outcomes[index] = "stale"
                finally:
                    _db.session.remove()
        except Exception as error:  # reported through the outcome, never lost in the thread
            outcomes[index] = f"error: {error!r}"

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(payloads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("existing", [False, True], ids=["first-save", "update"])
def test_two_writers_one_wins_the_other_is_told_and_no_mark_is_mixed(
    app: Flask, db: Any, make_contest: Any, existing: bool
) -> None:
    c = make_contest()
    judge, entry = c.judges[1], c.entries[0]
    version = 0
    if existing:
        judging.save_sheet(judge, entry, {"T1": 1, "P1": 1}, submit=False, expected_version=0)
        db.session.commit()
        version = 1
    user_id, entry_id = judge.id, entry.id
    db.session.remove()

    payloads = [{"T1": 60, "P1": 20, "P2": 1}, {"T1": 70, "P1": 30, "P3": 2}]
    outcomes = _race(app, user_id, entry_id, payloads, version)

    assert sorted(outcomes) == ["ok", "stale"], outcomes
    winner = payloads[outcomes.index("ok")]
    sheet = judging.sheet_for(db.session.get(User, user_id), db.session.get(Entry, entry_id))
    assert sheet.version == version + 1
    assert judging.marks_of(sheet) == {k: Decimal(v) for k, v in winner.items()}
    assert db.session.scalar(select(func.count(Mark.id))) == len(winner)


def test_writers_without_a_version_never_duplicate_a_mark(
    app: Flask, db: Any, make_contest: Any
) -> None:
    """API clients may omit the version: a racing writer is then merged or told, never mixed
    into a duplicate row."""
    c = make_contest()
    judge, entry = c.judges[1], c.entries[0]
    judging.save_sheet(judge, entry, {"T1": 1}, submit=False, expected_version=0)
    db.session.commit()
    user_id, entry_id = judge.id, entry.id
    db.session.remove()

    payloads = [{"T1": 60, "P1": 20}, {"T1": 70, "P3": 2}]
    outcomes = _race(app, user_id, entry_id, payloads, None)

    assert all(o in ("ok", "stale") for o in outcomes), outcomes
    assert "ok" in outcomes
    marks = judging.marks_of(
        judging.sheet_for(db.session.get(User, user_id), db.session.get(Entry, entry_id))
    )
    assert db.session.scalar(select(func.count(Mark.id))) == len(marks)
    last = [payloads[i] for i, o in enumerate(outcomes) if o == "ok"]
    for key, value in last[-1].items() if len(last) == 1 else []:
        assert marks[key] == Decimal(value)


@pytest.mark.parametrize("existing", [False, True], ids=["insert-insert", "update-update"])
def test_racing_past_the_version_check_is_caught_by_the_database(
    app: Flask, db: Any, make_contest: Any, existing: bool, monkeypatch: Any
) -> None:
    """Both writers pass the version check before either writes (both engines let them read
    side by side; on SQLite they queue for the write lock only at their first write): the
    unique constraint or the versioned UPDATE refuses the second."""
    c = make_contest()
    judge, entry = c.judges[1], c.entries[0]
    version = 0
    if existing:
        judging.save_sheet(judge, entry, {"T1": 1}, submit=False, expected_version=0)
        db.session.commit()
        version = 1
    user_id, entry_id = judge.id, entry.id
    db.session.remove()

    both_checked = threading.Barrier(WRITERS)
    real_stored_marks = sheets.stored_marks

    def stored_marks_after_both_checked(sheet: Any) -> Any:
        both_checked.wait(timeout=10)
        return real_stored_marks(sheet)

    monkeypatch.setattr(sheets, "stored_marks", stored_marks_after_both_checked)
    payloads = [{"T1": 60, "P1": 20}, {"T1": 70, "P3": 2}]
    outcomes = _race(app, user_id, entry_id, payloads, version)
    monkeypatch.setattr(sheets, "stored_marks", real_stored_marks)

    assert sorted(outcomes) == ["ok", "stale"], outcomes
    winner = payloads[outcomes.index("ok")]
    sheet = judging.sheet_for(db.session.get(User, user_id), db.session.get(Entry, entry_id))
    assert judging.marks_of(sheet) == {k: Decimal(v) for k, v in winner.items()}
