"""Two people take the same step of a labor round at the same moment: one wins, the other is told
the round has moved on, and nothing is stored twice. Real threads, each with its own application
context, session and database connection, against the SQLite file and PostgreSQL.

Each step reads the round under ``SELECT … FOR UPDATE`` (on SQLite: a writer's transaction)
before it checks the status, so the second waits for the first to commit and then sees the new
status. Without the lock both pass the check: on PostgreSQL the second confirm then hits the
unique constraint of the results (a 500), on SQLite the round is confirmed twice.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from contest.extensions import db as _db
from contest.models import AuditEntry, Round, RoundResult, RoundStatus, User
from contest.services.labor import round_results
from contest.services.labor.base import LaborError
from tests.contest.labor_rounds_support import build_round_world
from tests.contest.test_labor_rounds import everyone_full, open_scoring

WORKERS = 2
# How long the first step waits inside for the second to catch up (it never does when the
# round is locked: the second is waiting for the lock).
CATCH_UP_SECONDS = 2.0


@pytest.fixture
def world(db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> SimpleNamespace:
    return build_round_world(db, make_org, make_user)


def _race(
    app: Flask, step: Callable[[User, Round], object], user_id: int, round_id: int
) -> list[str]:
    """Run ``step`` in parallel threads; each outcome is "ok", "refused" or the error."""
    start = threading.Barrier(WORKERS)
    outcomes: list[str] = [""] * WORKERS

    def work(index: int) -> None:
        try:
            start.wait(timeout=10)
            with app.app_context():
                try:
                    user = _db.session.get(User, user_id)
                    round_ = _db.session.get(Round, round_id)
                    step(user, round_)
                    _db.session.commit()
                    outcomes[index] = "ok"
                except LaborError:
                    _db.session.rollback()
                    outcomes[index] = "refused"
                finally:
                    _db.session.remove()
        except Exception as error:  # reported through the outcome, never lost in the thread
            outcomes[index] = f"error: {error!r}"

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def inside(monkeypatch: Any) -> Callable[[str], None]:
    """Make the steps wait, after their status check, for the other thread to get as far
    (``progress`` for open and confirm, ``recompute_flags`` for publish and reopen)."""

    def install(name: str) -> None:
        caught_up = threading.Barrier(WORKERS)
        real = getattr(round_results, name)

        def waiting(*args: Any, **kwargs: Any) -> Any:
            # a broken barrier: the other one is waiting for the lock
            with contextlib.suppress(threading.BrokenBarrierError):
                caught_up.wait(timeout=CATCH_UP_SECONDS)
            return real(*args, **kwargs)

        monkeypatch.setattr(round_results, name, waiting)

    return install


def _confirmed(db: Any, world: SimpleNamespace) -> tuple[int, int]:
    """Every sheet in and the round confirmed; the organizer's and the round's ids, with the
    test's session closed so the threads read what was committed."""
    open_scoring(db, world)
    everyone_full(db, world)
    round_results.confirm_round(world.chief, world.round)
    db.session.commit()
    ids = (world.organizer.id, world.round.id)
    db.session.remove()
    return ids


def _actions(db: Any, action: str) -> int:
    return int(
        db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))
    )


def test_two_confirms_one_wins_the_other_is_told(
    app: Flask, db: Any, world: SimpleNamespace, inside: Callable[[str], None]
) -> None:
    open_scoring(db, world)
    everyone_full(db, world)
    chief_id, round_id = world.chief.id, world.round.id
    db.session.remove()
    inside("progress")

    outcomes = _race(
        app, lambda user, round_: round_results.confirm_round(user, round_), chief_id, round_id
    )

    assert sorted(outcomes) == ["ok", "refused"], outcomes
    assert db.session.get(Round, round_id).status is RoundStatus.CONFIRMED
    assert db.session.scalar(select(func.count(RoundResult.id))) == 4
    assert _actions(db, "competition.round.confirm") == 1


def test_two_opens_happen_once(
    app: Flask, db: Any, world: SimpleNamespace, inside: Callable[[str], None]
) -> None:
    organizer_id, round_id = world.organizer.id, world.round.id
    db.session.remove()
    inside("progress")

    outcomes = _race(app, round_results.open_scoring, organizer_id, round_id)

    assert sorted(outcomes) == ["ok", "refused"], outcomes
    assert _actions(db, "competition.round.open_scoring") == 1


def test_two_publishes_happen_once(
    app: Flask, db: Any, world: SimpleNamespace, inside: Callable[[str], None]
) -> None:
    organizer_id, round_id = _confirmed(db, world)
    inside("recompute_flags")

    outcomes = _race(app, round_results.publish_round, organizer_id, round_id)

    assert sorted(outcomes) == ["ok", "refused"], outcomes
    assert _actions(db, "competition.round.publish") == 1


def test_two_reopens_happen_once(
    app: Flask, db: Any, world: SimpleNamespace, inside: Callable[[str], None]
) -> None:
    organizer_id, round_id = _confirmed(db, world)
    inside("checked_text")

    outcomes = _race(
        app,
        lambda user, round_: round_results.reopen_round(user, round_, "核对分数"),
        organizer_id,
        round_id,
    )

    assert sorted(outcomes) == ["ok", "refused"], outcomes
    assert db.session.get(Round, round_id).status is RoundStatus.SCORING
    assert _actions(db, "competition.round.reopen") == 1
