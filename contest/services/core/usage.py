"""Recording that something was used — a sign-in session's last activity, an API token's last
call — without making the request wait for it.

Such a record is written at most every few minutes per session or token (the callers decide),
in a short transaction of its own, so that a page that only reads stays a reader: it commits
nothing of the request's. On SQLite the write waits for the lock a fraction of a second, not the
busy timeout, and is skipped when a long writer (an import) holds it; the next request records
it instead. The callers run it while loading the user, before the request has written anything
(a request that already held the write lock would otherwise wait for itself, briefly).
"""

from __future__ import annotations

import logging
import sqlite3

from flask import current_app
from sqlalchemy import Executable
from sqlalchemy.exc import DBAPIError

from contest.extensions import db

# How long a use record may wait for SQLite's write lock before it is skipped.
WAIT_MS = 250

log = logging.getLogger(__name__)


def record_use(statement: Executable) -> bool:
    """Execute ``statement`` (a small UPDATE) and commit it apart; False when skipped."""
    try:
        with db.engine.connect() as conn:
            if conn.dialect.name != "sqlite":
                conn.execute(statement)
                conn.commit()
                return True
            # Set on the driver: through SQLAlchemy a PRAGMA with "=" counts as a write.
            driver = conn.connection.dbapi_connection
            assert driver is not None
            driver.execute(f"PRAGMA busy_timeout = {WAIT_MS}")
            try:
                conn.execute(statement)
                conn.commit()
            finally:
                timeout = int(current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
                driver.execute(f"PRAGMA busy_timeout = {timeout}")
    except (DBAPIError, sqlite3.OperationalError) as error:
        log.info("use not recorded (%s)", type(error).__name__)
        return False
    return True
