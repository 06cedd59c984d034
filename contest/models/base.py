"""Shared column helpers for the models."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    """Now, timezone-aware; called per row (never evaluated once at import)."""
    return datetime.now(UTC)


CHINA = ZoneInfo("Asia/Shanghai")


def as_utc(value: datetime) -> datetime:
    """A stored datetime as aware UTC: PostgreSQL hands it back aware, SQLite naive (in UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local_time(value: datetime) -> datetime:
    """A stored datetime in the site's time zone (``BABEL_DEFAULT_TIMEZONE``, China time), the
    one conversion behind every page, export and certificate that shows a time to people."""
    name = current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    return as_utc(value).astimezone(ZoneInfo(name))


def local_text(value: datetime | None, seconds: bool = False) -> str:
    """``2026-10-20 23:30`` (with ``:ss`` when asked) in local time; blank for no time."""
    if value is None:
        return ""
    return local_time(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
