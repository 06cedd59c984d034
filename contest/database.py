"""Engine tuning: SQLite pragmas, transactions that take the write lock only to write, and the
lock errors that mean "busy, try again" on either engine.

SQLite allows one writer at a time. A transaction that has read and then writes must turn its
read snapshot into the write lock, and that upgrade fails at once ("database is locked": the
busy timeout does not apply) when another connection holds the lock or has committed since the
snapshot was taken. Transactions therefore become writers in one of two ways:

- **lazily** (the default, every request): a transaction begins deferred, so loading the user,
  parsing a body and validating an upload run beside the writers under WAL. Just before its
  first write — INSERT, UPDATE, DELETE, DDL, a SAVEPOINT or a ``SELECT … FOR UPDATE`` — the
  read-only transaction is ended and a ``BEGIN IMMEDIATE`` one takes its place, waiting its turn
  for the lock (the busy timeout) and seeing everything committed before it. What was read
  before that point may be older than the write: that is what PostgreSQL's READ COMMITTED gives
  every transaction, and what the services are written for (versioned UPDATEs, unique
  constraints, ``FOR UPDATE`` re-reads of rows that must be current — on SQLite the restart
  comes before such a read, so it sees the newest rows and nobody can change them until the
  commit). A request thus holds the lock from its first write to its commit, not for its life.
- **eagerly** (:func:`write_intent`): ``BEGIN IMMEDIATE`` at the first statement, for a write
  section whose plain reads must be as current as its writes (an import batch that numbers its
  rows above ``max(id)``).

A wait that outlasts the timeout (SQLite's busy timeout, PostgreSQL's ``lock_timeout``), a
deadlock or a serialization failure is :func:`is_busy`: the request answers 503 with
``Retry-After`` and nothing of it is stored (``contest.ui.errors``).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "contest_write_intent", default=False
)

# Connection.info key: whether the open SQLite transaction is a writer (holds the lock).
_WRITER = "contest_sqlite_writer"
# Statements that neither write nor need the lock (the restart itself is issued on the driver).
_READS = frozenset({"SELECT", "BEGIN", "COMMIT", "END", "ROLLBACK", "RELEASE", "EXPLAIN"})
# SQLite result codes for "locked" (SQLITE_BUSY, SQLITE_LOCKED; the low byte of extended codes
# such as SQLITE_BUSY_SNAPSHOT) and PostgreSQL's lock_not_available, serialization_failure and
# deadlock_detected.
_SQLITE_BUSY_CODES = frozenset({5, 6})
_POSTGRES_BUSY_STATES = frozenset({"55P03", "40001", "40P01"})


def set_write_intent(value: bool) -> contextvars.Token[bool]:
    return _write_intent.set(value)


@contextlib.contextmanager
def write_intent() -> Iterator[None]:
    """Begin the enclosed transaction(s) as writers on SQLite (``BEGIN IMMEDIATE``)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextlib.contextmanager
def deferred_writes() -> Iterator[None]:
    """Let the enclosed transactions take the write lock only at their first write: the
    default for requests, for command-line work that reads long before it writes (an import's
    checks), since the commands otherwise begin as writers."""
    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` means the database was busy (a lock not had in time, a deadlock, a
    serialization failure): worth retrying later, never a bug."""
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_BUSY_CODES
    state = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if state is not None:
        return state in _POSTGRES_BUSY_STATES
    return "database is locked" in str(original)


def _needs_writer(statement: str, context: Any) -> bool:
    compiled = getattr(context, "compiled", None)
    if getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None:
        return True  # FOR UPDATE, which SQLite does not render: "I am about to write this"
    words = statement.lstrip().split(None, 1)
    if not words:
        return False
    head = words[0].upper()
    if head == "PRAGMA":
        return "=" in statement
    return head not in _READS


def configure_engine(engine: Engine, busy_timeout_ms: int, lock_timeout_ms: int = 0) -> None:
    """Install the connection settings and transaction handling on ``engine``."""
    if engine.dialect.name == "postgresql":
        if lock_timeout_ms > 0:

            @event.listens_for(engine, "connect")
            def _on_pg_connect(dbapi_connection: Any, _record: Any) -> None:
                with dbapi_connection.cursor() as cursor:
                    cursor.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
                dbapi_connection.commit()  # a SET rolled back with its transaction is undone

        return
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN (so we can choose IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        eager = _write_intent.get()
        conn.info[_WRITER] = True  # BEGIN itself must not trigger the restart below
        conn.exec_driver_sql("BEGIN IMMEDIATE" if eager else "BEGIN")
        conn.info[_WRITER] = eager

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(
        conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
    ) -> None:
        if conn.info.get(_WRITER, True) or not _needs_writer(statement, context):
            return
        # The first write of a deferred transaction: end it (it has only read, so a COMMIT
        # loses nothing) and begin again as a writer, which waits for the lock.
        driver = conn.connection.dbapi_connection
        driver.execute("COMMIT")
        driver.execute("BEGIN IMMEDIATE")
        conn.info[_WRITER] = True


def init_app(app: Flask) -> None:
    """Bind engine tuning to the app's engine."""
    from contest.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            # The SQLite file lives under instance/, which a fresh checkout does not have.
            from pathlib import Path

            Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
        configure_engine(
            engine,
            app.config["SQLITE_BUSY_TIMEOUT_MS"],
            int(app.config.get("POSTGRES_LOCK_TIMEOUT_MS", 0) or 0),
        )
