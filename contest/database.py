"""Engine tuning: SQLite pragmas and write-intent transactions.

SQLite allows one writer at a time. A transaction that starts as a reader and later writes can
fail at once with "database is locked" when another writer committed in between (the busy
timeout does not apply to that upgrade). So transactions that are going to write begin with
``BEGIN IMMEDIATE`` and wait their turn instead, while read-only ones stay deferred and run in
parallel under WAL. Write intent is a context variable: requests set it from the HTTP method,
the CLI sets it for its commands.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from flask import Flask
from sqlalchemy import Engine, event

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "contest_write_intent", default=False
)


def set_write_intent(value: bool) -> contextvars.Token[bool]:
    return _write_intent.set(value)


@contextlib.contextmanager
def write_intent() -> Iterator[None]:
    """Run the enclosed transaction(s) as writers on SQLite (``BEGIN IMMEDIATE``)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Install the SQLite connection pragmas and transaction handling on ``engine``."""
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
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def init_app(app: Flask) -> None:
    """Bind engine tuning to every engine of the app and write intent to each request."""
    from flask import g, request

    from contest.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            # The SQLite file lives under instance/, which a fresh checkout does not have.
            from pathlib import Path

            Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
        configure_engine(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    @app.before_request
    def _request_write_intent() -> None:
        g.write_intent_token = set_write_intent(request.method not in {"GET", "HEAD", "OPTIONS"})

    @app.teardown_request
    def _reset_write_intent(_exc: BaseException | None) -> None:
        # A server thread serves the next request in the same context: without the reset a
        # POST's intent would leak into it (and, in tests, into the code that runs after).
        token = g.pop("write_intent_token", None)
        if token is None:
            return
        try:
            _write_intent.reset(token)
        except ValueError:  # set in another context (a copied one): just clear it here
            _write_intent.set(False)
