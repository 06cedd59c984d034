"""Two reviewers doing the same one-time step at the same moment (deciding an appeal, drawing
the re-check list, signing off): one does it, the other is told, nothing is done twice.  Real
threads, each with its own application context, session and connection, on both engines."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from contest.extensions import db as _db
from contest.models import Appeal, AppealStatus, AuditEntry, Event, RecheckItem, User
from contest.models.base import utcnow
from contest.services.skills import appeals, recheck, review, signoff
from tests.contest.review_support import arbitrator, score_all


def _race(app: Flask, step: Callable[[], Any], writers: int = 2) -> list[str]:
    """Run ``step`` in parallel threads, committing; each outcome is "ok" or the refusal."""
    barrier = threading.Barrier(writers)
    outcomes = [""] * writers

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            with app.app_context():
                try:
                    step()
                    _db.session.commit()
                    outcomes[index] = "ok"
                except review.ReviewError as error:
                    _db.session.rollback()
                    outcomes[index] = error.message
                finally:
                    _db.session.remove()
        except Exception as error:  # reported through the outcome, never lost in the thread
            outcomes[index] = f"error: {error!r}"

    threads = [threading.Thread(target=work, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _actions(action: str) -> int:
    return _db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


def test_an_appeal_is_decided_once(app: Flask, db: Any, make_contest: Any, make_user: Any) -> None:
    c = make_contest(status="review")
    c.event.ended_at = utcnow() - timedelta(minutes=30)
    appeal = appeals.record_appeal(
        c.chief, c.event, entry_code="A001", appellant="张三", content="请复核实操分"
    )
    first, second = arbitrator(db, c, make_user), arbitrator(db, c, make_user)
    db.session.commit()
    first_id, second_id, appeal_id = first.id, second.id, appeal.id
    db.session.remove()
    turn = iter([(first_id, True), (second_id, False)])
    lock = threading.Lock()

    def decide() -> None:
        with lock:
            user_id, upheld = next(turn)
        actor = _db.session.get(User, user_id)
        appeals.decide_appeal(
            actor, _db.session.get(Appeal, appeal_id), upheld=upheld, reason="经仲裁组核实"
        )

    outcomes = _race(app, decide)
    assert sorted(outcomes)[0] == "ok" and "已裁决" in sorted(outcomes)[1], outcomes
    assert _actions("appeal.decide") == 1
    assert db.session.get(Appeal, appeal_id).status is not AppealStatus.PENDING


def test_the_recheck_list_is_drawn_once(app: Flask, db: Any, make_contest: Any) -> None:
    c = make_contest(status="review", entries=6, judges=3)
    score_all(db, c)
    chief_id, event_id = c.chief.id, c.event.id
    db.session.remove()

    def build() -> None:
        recheck.build_recheck(_db.session.get(User, chief_id), _db.session.get(Event, event_id))

    outcomes = _race(app, build)
    assert sorted(outcomes)[0] == "ok" and "已经生成" in sorted(outcomes)[1], outcomes
    assert _actions(recheck.RECHECK_BUILD) == 1
    items = db.session.scalars(select(RecheckItem.entry_id)).all()
    assert len(items) == len(set(items))


def test_an_event_is_signed_off_once(app: Flask, db: Any, make_contest: Any) -> None:
    c = make_contest(status="review", entries=4, judges=3)
    score_all(db, c)
    for item in recheck.build_recheck(c.chief, c.event, seed=5):
        recheck.record_check(c.chief, item, errors_found=0)
    db.session.commit()
    chief_id, event_id = c.chief.id, c.event.id
    db.session.remove()

    def sign() -> None:
        signoff.sign_off(_db.session.get(User, chief_id), _db.session.get(Event, event_id))

    outcomes = _race(app, sign)
    assert sorted(outcomes)[0] == "ok" and "已签字确认" in sorted(outcomes)[1], outcomes
    assert _actions("event.sign_off") == 1
