"""Imports that run beside the request, with progress any server process can read.

A federation's tree (3,000 基层工会) or a large people list takes seconds to minutes; the
browser should see how far it has got instead of a spinning tab, and a dropped connection
should not lose the import. :func:`start` runs the import in a thread of the process that
received the upload, with its own application context and database session; the import is as
all-or-nothing as before, reads and checks the file without taking the write lock, and writes
in short batches (``core.batches``), so nobody waits for it. Its state (stage, rows done, the
result or the refusal report) is a small JSON file that :func:`read` returns to whoever polls
— the same user or an admin — from any worker. A short import has usually finished by the
time :func:`start` returns (it waits up to ``IMPORT_JOB_WAIT_SECONDS``), so the page shows the
result at once.

The import's write batches note in the file what they have created (``core.batches``'s
journal). When the process running it dies (a restart, kill -9), the first :func:`read` that
finds the job stale deletes those rows again, so an interrupted import has written nothing.

The files live in ``JOBS_FOLDER`` (beside the database by default; servers that share
uploads must share it too), are named by an unguessable id, and are removed after a day. They
hold what the refusal report shows — row, column, message — which never carries ID or phone
numbers (the importers word their messages that way), and no uploaded content.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale, get_locale

from contest.extensions import db
from contest.models import Role, User
from contest.services.core import batches
from contest.services.core.spreadsheets import SheetRefused

log = logging.getLogger(__name__)

ERRORS_KEPT = 500  # the refusal page shows this many; the count says how many there were
PROGRESS_EVERY_SECONDS = 0.5
STALE_SECONDS = 300  # a running job whose file has not moved for this long has died
KEEP_SECONDS = 24 * 3600

RUNNING, DONE, REFUSED, FAILED = "running", "done", "refused", "failed"
INTERRUPTED = "interrupted"  # its process died; what it had written was removed
Progress = Callable[[str, int, int], None]
Work = Callable[[User, Progress], Any]


@dataclass
class JobState:
    id: str
    kind: str
    user_id: int
    status: str = RUNNING
    stage: str = "read"
    done: int = 0
    total: int = 0
    started_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    result: dict[str, Any] = field(default_factory=dict)
    errors: list[list[Any]] = field(default_factory=list)  # [row, column, message]
    error_count: int = 0
    written: dict[str, Any] = field(default_factory=dict)  # the batches' journal

    @property
    def finished(self) -> bool:
        return self.status != RUNNING

    @property
    def stale(self) -> bool:
        """A running job nobody has advanced for minutes: its process ended (a restart)."""
        return self.status == RUNNING and time.time() - self.updated_at > STALE_SECONDS

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


def _folder() -> Path:
    configured = current_app.config.get("JOBS_FOLDER")
    folder = Path(configured or Path(current_app.config["INSTANCE_PATH"]) / "jobs")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(folder: Path, job_id: str) -> Path:
    return folder / f"{job_id}.json"


def _save(folder: Path, state: JobState) -> None:
    state.updated_at = time.time()
    target = _path(folder, state.id)
    temporary = target.with_suffix(".part")
    temporary.write_text(json.dumps(asdict(state), ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, target)


def _sweep(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.glob("*.json"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue  # another process swept it first


def start(kind: str, actor: User, work: Work) -> JobState:
    """Run ``work(actor, progress)`` in the background and return its state once it has
    finished or ``IMPORT_JOB_WAIT_SECONDS`` have passed. ``work`` may raise
    :class:`SheetRefused`; what it returns (a dataclass or a dict) becomes ``result``."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    folder = _folder()
    _sweep(folder)
    state = JobState(id=secrets.token_urlsafe(16), kind=kind, user_id=actor.id)
    _save(folder, state)
    locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
    # End the request's transaction (it has only read), and touch the database no more in this
    # request: the import has its own session.
    db.session.rollback()
    thread = threading.Thread(
        target=_run,
        args=(app, folder, state, locale, work),
        name=f"import-{kind}-{state.id[:6]}",
        daemon=True,
    )
    thread.start()
    thread.join(float(app.config.get("IMPORT_JOB_WAIT_SECONDS", 3)))
    return _load(folder, state.id) or state


def _run(app: Flask, folder: Path, state: JobState, locale: str, work: Work) -> None:
    # The import's transactions take the write lock only to write (contest.database), its
    # batches each for a moment.
    with app.app_context(), force_locale(locale):
        last = 0.0

        def progress(stage: str, done: int, total: int) -> None:
            nonlocal last
            new_stage = stage != state.stage
            state.stage, state.done, state.total = stage, done, total
            now = time.monotonic()
            if new_stage or done == total or now - last >= PROGRESS_EVERY_SECONDS:
                last = now
                _save(folder, state)

        def journal(notes: dict[str, Any]) -> None:
            state.written = notes
            _save(folder, state)

        batches.journal.set(journal)  # this thread's own context
        try:
            actor = db.session.get(User, state.user_id)
            if actor is None:
                raise LookupError("the account that started the import is gone")
            outcome = work(actor, progress)
            db.session.commit()
        except SheetRefused as refusal:
            db.session.rollback()
            state.status = REFUSED
            state.error_count = len(refusal.errors)
            state.errors = [[e.row, e.column, str(e.message)] for e in refusal.errors[:ERRORS_KEPT]]
        except Exception as error:  # the page must say it failed, not spin for ever
            db.session.rollback()
            # The type only: a database error's text may quote the rows it was writing.
            log.error("import job %s (%s) failed: %s", state.id, state.kind, type(error).__name__)
            state.status = FAILED
        else:
            state.status = DONE
            state.result = asdict(outcome) if is_dataclass(outcome) else dict(outcome)
        finally:
            db.session.remove()
        _save(folder, state)


def read(job_id: str, user: User) -> JobState | None:
    """The job's state for the user who started it (or an admin); None for anyone else or for
    an id that is not a job."""
    folder = _folder()
    state = _load(folder, job_id)
    if state is None or (state.user_id != user.id and user.role is not Role.ADMIN):
        return None
    if state.stale and state.written:
        _undo_interrupted(folder, state)
    return state


def _undo_interrupted(folder: Path, state: JobState) -> None:
    """Remove what a job whose process died had written, once (the first reader to claim it
    does it; the others show it as it is meanwhile). The claimant reads the file again: a
    reader that loaded it just before another one finished the undo would undo it twice."""
    claim = folder / f"{state.id}.undo"
    try:
        claim.touch(exist_ok=False)
    except FileExistsError:
        return
    try:
        current = _load(folder, state.id)
        if current is None or not (current.stale and current.written):
            if current is not None:
                vars(state).update(vars(current))  # show it as it is now
            return
        batches.undo_journal(current.written)
        state.written = {}
        state.status = INTERRUPTED
        _save(folder, state)
    except Exception as error:  # the page then says the rows could not be removed
        db.session.rollback()
        log.error("import job %s: undo failed: %s", state.id, type(error).__name__)
    finally:
        claim.unlink(missing_ok=True)


def _load(folder: Path, job_id: str) -> JobState | None:
    if not job_id.replace("-", "").replace("_", "").isalnum() or len(job_id) > 40:
        return None
    try:
        raw = json.loads(_path(folder, job_id).read_text(encoding="utf-8"))
        return JobState(**raw)
    except (OSError, ValueError, TypeError):
        return None
