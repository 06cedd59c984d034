"""Settings read from the environment.

Every setting has a ``CONTEST_`` environment variable; ``create_app(config)`` may override any
of them (tests do). Defaults give a working single-machine install: a SQLite file under
``instance/``, an in-process cache and rate-limit store, Simplified Chinese.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


def instance_path() -> Path:
    """Where the SQLite file, the generated secret key and uploads live."""
    return Path(os.environ.get("CONTEST_INSTANCE_PATH", DEFAULT_INSTANCE)).resolve()


def secret_key_file() -> Path:
    return instance_path() / "secret_key"


def ensure_secret_key_file() -> Path:
    """Create the instance secret key once (``contest init`` calls this).

    A persisted key keeps sessions valid across restarts and keeps encrypted ID numbers
    readable; production sets ``CONTEST_SECRET_KEY`` instead.
    """
    path = secret_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path


def _secret_key() -> str:
    env = os.environ.get("CONTEST_SECRET_KEY")
    if env:
        return env
    path = secret_key_file()
    if path.exists():
        return path.read_text().strip()
    # No key yet (before `contest init`): an ephemeral key still lets the app start.
    return secrets.token_urlsafe(48)


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _trusted_hosts(public_base_url: str | None) -> list[str]:
    """``CONTEST_TRUSTED_HOSTS`` (comma-separated names; ``.example.org`` also admits its
    subdomains), else this machine's loopback names and the host of the public base URL."""
    listed = [name.strip() for name in os.environ.get("CONTEST_TRUSTED_HOSTS", "").split(",")]
    if any(listed):  # never an empty list: Flask would then trust every host
        return [name for name in listed if name]
    hosts = ["localhost", "127.0.0.1"]
    public_host = urlsplit(public_base_url).hostname if public_base_url else None
    if public_host and public_host not in hosts:
        hosts.append(public_host)
    return hosts


# Uploaded spreadsheets (services.core.spreadsheets.SheetLimits): a file past any of these is
# refused, with a message, before it is parsed. The defaults admit a 100,000-row × 15-column
# honors roster (its sheet is 84 MB of XML as openpyxl writes it) twice over and keep reading
# one to a few hundred MB of memory; a 1 MB "bomb" that inflates to gigabytes is refused.
# Each has an environment variable: CONTEST_SHEET_MAX_ROWS and so on.
SHEET_LIMIT_DEFAULTS = {
    "SHEET_MAX_ROWS": 200_000,  # data rows of one sheet
    "SHEET_MAX_COLUMNS": 256,
    "SHEET_MAX_CELLS": 3_000_000,  # data rows × header columns
    "SHEET_MAX_PART_MB": 200,  # one part of an .xlsx (a sheet, the shared strings), inflated
    "SHEET_MAX_TOTAL_MB": 300,  # every part of an .xlsx, inflated
    "SHEET_MAX_PARTS": 1_000,
    "SHEET_MAX_SHARED_STRINGS": 1_000_000,
    "SHEET_MAX_FIELD_CHARS": 32_767,  # one CSV field (Excel's own limit for a cell)
}


def sheet_limit_settings() -> dict[str, int]:
    """The ``SHEET_MAX_*`` settings from ``CONTEST_SHEET_MAX_*``, else the defaults."""
    return {
        key: int(os.environ.get(f"CONTEST_{key}", default))
        for key, default in SHEET_LIMIT_DEFAULTS.items()
    }


def from_environment() -> dict[str, Any]:
    """The configuration mapping for ``app.config``."""
    inst = instance_path()
    database_url = os.environ.get("CONTEST_DATABASE_URL") or f"sqlite:///{inst / 'contest.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    public_base_url = os.environ.get("CONTEST_PUBLIC_BASE_URL") or None
    return {
        "SECRET_KEY": _secret_key(),
        # A separate key for 身份证号 / phone encryption; derived from SECRET_KEY when unset.
        "DATA_KEY": os.environ.get("CONTEST_DATA_KEY"),
        # The audit chain's HMAC key (never in the database); derived from SECRET_KEY when unset.
        # Changing it makes older entries fail `contest audit verify`: keep it with the backups.
        "AUDIT_KEY": os.environ.get("CONTEST_AUDIT_KEY"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: SQL errors and logs never carry bound values (personal numbers).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "SQLITE_BUSY_TIMEOUT_MS": int(os.environ.get("CONTEST_SQLITE_BUSY_TIMEOUT_MS", "15000")),
        # PostgreSQL's lock_timeout (0: wait for ever); past it, like SQLite's busy timeout,
        # the request answers 503 with Retry-After (contest.database).
        "POSTGRES_LOCK_TIMEOUT_MS": int(
            os.environ.get("CONTEST_POSTGRES_LOCK_TIMEOUT_MS", "15000")
        ),
        "INSTANCE_PATH": str(inst),
        # Photos and other uploads; servers behind one balancer share this folder (a network
        # mount or a shared disk), like JOBS_FOLDER below. Empty: instance/uploads.
        "UPLOAD_FOLDER": os.environ.get("CONTEST_UPLOAD_FOLDER") or str(inst / "uploads"),
        # Background imports' progress files (services.core.import_jobs); servers that share
        # the uploads must share this folder too. Empty: instance/jobs.
        "JOBS_FOLDER": os.environ.get("CONTEST_JOBS_FOLDER") or None,
        # How long an import request waits for its job before showing the progress page.
        "IMPORT_JOB_WAIT_SECONDS": float(os.environ.get("CONTEST_IMPORT_JOB_WAIT_SECONDS", "3")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("CONTEST_MAX_UPLOAD_MB", "32")) * 1024 * 1024,
        **sheet_limit_settings(),
        "BABEL_DEFAULT_LOCALE": os.environ.get("CONTEST_DEFAULT_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("CONTEST_TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": {"zh_CN": "简体中文", "en": "English"},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies whenever the site is served over HTTPS (set behind a TLS proxy).
        "SESSION_COOKIE_SECURE": _bool("CONTEST_SECURE_COOKIES", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("CONTEST_SECURE_COOKIES", False),
        "PREFERRED_URL_SCHEME": "https" if _bool("CONTEST_SECURE_COOKIES", False) else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": os.environ.get("CONTEST_RATELIMIT_STORAGE_URI", "memory://"),
        # A limits store that does not answer (Redis down) lets requests through, counted in
        # memory meanwhile, instead of answering every limited request with a 500.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # How many proxies (a load balancer, a TLS terminator) stand in front of the server: the
        # client's address, which rate limits and login counts are keyed on, and the scheme are
        # then read from that many X-Forwarded-For/-Proto hops. 0: the connection's own address
        # (a client could otherwise name any address it likes).
        "PROXY_COUNT": int(os.environ.get("CONTEST_PROXY_COUNT", "0")),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("CONTEST_LOGIN_RATE_LIMIT", "10 per minute"),
        # Certificate look-ups: generous for people, a brake on enumerating numbers.
        "VERIFY_RATE_LIMIT": os.environ.get("CONTEST_VERIFY_RATE_LIMIT", "30 per minute"),
        # 会员评家: no survey figure is shown or used below this many answers (never below 3,
        # contest.services.labor.surveys.min_answers), and no survey opens with fewer codes.
        "SURVEY_MIN_ANSWERS": int(os.environ.get("CONTEST_SURVEY_MIN_ANSWERS", "5")),
        "LOGIN_MAX_FAILURES": int(os.environ.get("CONTEST_LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCKOUT_MINUTES": int(os.environ.get("CONTEST_LOGIN_LOCKOUT_MINUTES", "15")),
        # A sign-in without 记住我 ends after this long unused (with it: the cookie's year).
        "LOGIN_SESSION_IDLE_HOURS": float(os.environ.get("CONTEST_SESSION_IDLE_HOURS", "12")),
        "CACHE_TYPE": os.environ.get("CONTEST_CACHE_TYPE", "SimpleCache"),
        "CACHE_REDIS_URL": os.environ.get("CONTEST_CACHE_REDIS_URL"),
        "CACHE_DEFAULT_TIMEOUT": 300,
        # argon2id cost; tests lower it so the suite stays quick.
        "ARGON2_TIME_COST": int(os.environ.get("CONTEST_ARGON2_TIME_COST", "3")),
        "ARGON2_MEMORY_KIB": int(os.environ.get("CONTEST_ARGON2_MEMORY_KIB", "65536")),
        # Every absolute link the public gets (certificates, QR codes, the API's urls) starts
        # with this; unset, with the request's own root (contest.ui.links).
        "PUBLIC_BASE_URL": public_base_url,
        # Host names a request may name; any other gets a 400 (Flask's TRUSTED_HOSTS).
        "TRUSTED_HOSTS": _trusted_hosts(public_base_url),
    }
