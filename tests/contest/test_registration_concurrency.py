"""Registrations and draws of one contest at the same moment: the later one is told why it is
refused (a clear message, never a 500 from a unique index), no quota is overrun and a draw is
done once. Real threads, each with its own application context, session and connection,
against SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from contest.extensions import db as _db
from contest.models import AuditEntry, Contest, Entry, Event, User
from contest.services.skills import draws, registration
from contest.services.skills.draws import DrawError
from contest.services.skills.registration import EntrantData, RegistrationError


def _race(
    app: Flask, monkeypatch: Any, pause: tuple[Any, str], actions: list[Callable[[], None]]
) -> list[str]:
    """Run the actions in parallel threads; return each outcome: "ok", the refused fields of a
    RegistrationError, "refused" for a DrawError, or the unexpected error.

    Each writer pauses at ``pause`` (a function called after the checks, before the writes)
    until the other has checked too, or a second has passed: a writer that cannot check
    before the other commits is waiting on a lock, which is the point.
    """
    module, name = pause
    real: Callable[..., Any] = getattr(module, name)
    checked = threading.Barrier(len(actions))

    def paused(*args: Any, **kwargs: Any) -> Any:
        with contextlib.suppress(threading.BrokenBarrierError):
            checked.wait(timeout=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, paused)
    start = threading.Barrier(len(actions))
    outcomes = [""] * len(actions)

    def work(index: int) -> None:
        try:
            start.wait(timeout=10)
            with app.app_context():
                try:
                    actions[index]()
                    _db.session.commit()
                    outcomes[index] = "ok"
                except RegistrationError as error:
                    _db.session.rollback()
                    outcomes[index] = ",".join(sorted(error.problems))
                except DrawError:
                    _db.session.rollback()
                    outcomes[index] = "refused"
                finally:
                    _db.session.remove()
        except Exception as error:  # reported through the outcome, never lost in the thread
            outcomes[index] = f"error: {error!r}"

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    monkeypatch.setattr(module, name, real)
    return outcomes


def _register(contest_id: int, actor_id: int, candidate: EntrantData) -> Callable[[], None]:
    def action() -> None:
        registration.register_entry(
            _db.session.get(User, actor_id), _db.session.get(Contest, contest_id), candidate
        )

    return action


def _candidate(c: Any, number: str, name: str = "李明") -> EntrantData:
    return EntrantData(
        name=name, id_number=number, organization_id=c.units[0].id, event_id=c.event.id
    )


@pytest.mark.parametrize("known", [False, True], ids=["new-person", "person-on-record"])
def test_the_same_person_twice_at_once_is_one_entry_and_one_refusal(
    app: Flask,
    db: Any,
    make_contest: Any,
    make_person: Any,
    make_id_number: Any,
    monkeypatch: Any,
    known: bool,
) -> None:
    c = make_contest(status="registration", entries=0, judges=0)
    number = make_id_number()
    if known:
        make_person(name="李明", organization=c.units[0], id_number=number)
    db.session.commit()
    register = _register(c.contest.id, c.organizer.id, _candidate(c, number))
    db.session.remove()

    outcomes = _race(app, monkeypatch, (registration, "_write"), [register, register])

    assert sorted(outcomes) == ["id_number", "ok"], outcomes
    assert db.session.scalar(select(func.count(Entry.id))) == 1


def test_two_entrants_racing_for_the_last_quota_place_get_one(
    app: Flask, db: Any, make_contest: Any, make_id_number: Any, monkeypatch: Any
) -> None:
    c = make_contest(status="registration", entries=0, judges=0)
    c.event.quota_per_unit = 1
    db.session.commit()
    actions = [
        _register(c.contest.id, c.organizer.id, _candidate(c, make_id_number(sequence=seq), name))
        for seq, name in (("101", "李明"), ("103", "王强"))
    ]
    db.session.remove()

    outcomes = _race(app, monkeypatch, (registration, "_write"), actions)

    assert sorted(outcomes) == ["ok", "organization_id"], outcomes
    assert db.session.scalar(select(func.count(Entry.id))) == 1


def test_a_double_click_on_the_draw_draws_once(
    app: Flask, db: Any, make_contest: Any, make_id_number: Any, monkeypatch: Any
) -> None:
    c = make_contest(status="registration", entries=0, judges=0)
    for seq in ("101", "103", "105"):
        registration.register_entry(
            c.organizer, c.contest, _candidate(c, make_id_number(sequence=seq), f"选手{seq}")
        )
    db.session.commit()
    event_id, actor_id = c.event.id, c.organizer.id
    db.session.remove()

    def draw() -> None:
        draws.draw_entry_codes(_db.session.get(User, actor_id), _db.session.get(Event, event_id))

    outcomes = _race(app, monkeypatch, (draws, "_seed"), [draw, draw])

    assert sorted(outcomes) == ["ok", "refused"], outcomes
    drawn = select(func.count(AuditEntry.id)).where(AuditEntry.action == "event.draw_entry_codes")
    assert db.session.scalar(drawn) == 1


def test_an_entrant_racing_the_draw_is_refused_or_gets_a_code(
    app: Flask, db: Any, make_contest: Any, make_id_number: Any, monkeypatch: Any
) -> None:
    """Registration closes with the draw: a late entrant must never end up without a code."""
    c = make_contest(status="registration", entries=0, judges=0)
    registration.register_entry(c.organizer, c.contest, _candidate(c, make_id_number(), "李明"))
    db.session.commit()
    late = _register(
        c.contest.id, c.organizer.id, _candidate(c, make_id_number(sequence="103"), "王强")
    )
    event_id, actor_id = c.event.id, c.organizer.id
    db.session.remove()

    def draw() -> None:
        draws.draw_entry_codes(_db.session.get(User, actor_id), _db.session.get(Event, event_id))

    outcomes = _race(app, monkeypatch, (draws, "_seed"), [draw, late])

    assert outcomes[0] == "ok" and outcomes[1] in ("ok", "event_id"), outcomes
    codes = db.session.scalars(select(Entry.entry_code)).all()
    assert None not in codes
