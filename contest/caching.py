"""Caching of public pages and data, keyed on a content version, stampede-free.

Public content changes on its own counter (a ``content_versions`` row, bumped by
``contest.services.core.versions.bump_version`` in the transaction of each change): the honor wall
on ``honors``, the published results on ``results``.  A :class:`ContentCache` serves one of them:

- its version is re-read from the database at most every ``WALL_VERSION_TTL`` seconds per
  process, so a change made by any process (a worker, the CLI) reaches every worker within that
  time — no cross-process cache clearing;
- a cached page or value is keyed on (content, version, locale, path or parameters; a page
  also on the site root it was asked for, scheme and host included): a change
  that bumps the version moves the key, it never rewrites a value under a key;
- content that changes with the calendar as well (the wall: a union rating's grade lapses after
  its ``valid_until`` day without any write) is keyed on the site's day too (``daily``), so the
  first request after midnight China time builds afresh and browsers' ETags change;
- browsers get an ETag and Last-Modified and revalidate cheaply (304);
- anonymous visitors share a server-side copy of the rendered page (200s only); logged-in users
  always get a fresh render (their navigation differs);
- **single flight**: on a miss one thread per process builds the value while the others wait
  for it and then read it, so an expiry or a new version (the hour results come out, a honors
  import) costs one rebuild per worker, not one per waiting request.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from functools import wraps
from typing import Any

from flask import Response, current_app, make_response, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from contest.extensions import cache, db
from contest.models import ContentVersion
from contest.models.base import local_time, utcnow
from contest.services.core.versions import (
    HONORS_CONTENT,
    LABOR_CONTENT,
    PUBLICITY_CONTENT,
    RESULTS_CONTENT,
)

TIMEOUT = 3600
# Seconds between two reads of a content version (``WALL_VERSION_TTL`` overrides it): how long
# a change made through one process or server may take to show on another.
VERSION_TTL = 2.0

__all__ = [
    "ContentCache",
    "honors_cache",
    "labor_cache",
    "publicity_cache",
    "results_cache",
    "single_flight",
]


class _VersionMemo:
    """One content's version, re-read from the database at most every ``ttl`` seconds."""

    def __init__(self, content: str) -> None:
        self._content = content
        self._lock = threading.Lock()
        self._value: tuple[int, float] | None = None  # (version, changed_at epoch)
        self._checked = 0.0

    def get(self, ttl: float) -> tuple[int, float]:
        with self._lock:
            if self._value is not None and time.monotonic() - self._checked < ttl:
                return self._value
        row = db.session.execute(
            select(ContentVersion.version, ContentVersion.changed_at).where(
                ContentVersion.name == self._content
            )
        ).first()
        value = (row[0], row[1].timestamp()) if row else (0, 0.0)
        with self._lock:
            self._value, self._checked = value, time.monotonic()
        return value


class _Flights:
    """One lock per key being built (per process), dropped when the build is done."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    def acquire(self, key: str) -> threading.Lock:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        lock.acquire()
        return lock

    def release(self, key: str, lock: threading.Lock) -> None:
        lock.release()
        with self._guard:
            _, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def single_flight(
    key: str,
    builder: Callable[[], Any],
    timeout: int = TIMEOUT,
    keep: Callable[[Any], bool] | None = None,
) -> Any:
    """``cache.get(key)`` or, on a miss, build it once per process while others wait.

    ``keep`` says whether a built value may be cached (an error page is rebuilt each time);
    ``None`` cannot be cached, so wrap values that may be ``None``.
    """
    value = cache.get(key)
    if value is not None:
        return value
    flights: _Flights = current_app.extensions.setdefault("contest_cache_flights", _Flights())
    lock = flights.acquire(key)
    try:
        value = cache.get(key)
        if value is None:
            value = builder()
            if keep is None or keep(value):
                cache.set(key, value, timeout=timeout)
        return value
    finally:
        flights.release(key, lock)


def _digest(raw: str) -> str:
    return hashlib.sha1(raw.encode("utf-8"), usedforsecurity=False).hexdigest()


class ContentCache:
    """The caches of one kind of public content (see the module docstring).

    ``timeout``: seconds a server-side copy is kept: a bound on memory, and on staleness for
    data read beside the content that changes without a bump. ``daily``: the content also
    changes at midnight (site time) without a bump, so keys carry the day.
    """

    def __init__(self, content: str, *, timeout: int = TIMEOUT, daily: bool = False) -> None:
        self.content = content
        self.timeout = timeout
        self.daily = daily

    def version(self) -> tuple[int, float]:
        """(version, changed-at epoch seconds), memoised on the app (one per process and db)."""
        memo = current_app.extensions.setdefault(
            f"contest_version:{self.content}", _VersionMemo(self.content)
        )
        version, changed_at = memo.get(
            float(current_app.config.get("WALL_VERSION_TTL", VERSION_TTL))
        )
        if self.daily:
            # What a daily content last changed: its last write, or the site's midnight.
            now = local_time(utcnow())
            midnight = now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
            changed_at = max(changed_at, midnight)
        return version, changed_at

    def _day(self) -> str:
        return local_time(utcnow()).date().isoformat() if self.daily else ""

    def data(self, name: str, builder: Callable[[], Any], *parts: object) -> Any:
        """Computed data (query results) for the current version, locale, day (``daily``) and
        ``parts``."""
        version, _ = self.version()
        key = f"{self.content}:data:" + _digest(
            repr((name, version, self._day(), str(get_locale()), parts))
        )
        boxed = single_flight(key, lambda: (builder(),), self.timeout)  # None is a value too
        return boxed[0]

    def page(self, max_age: int = 5) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Cache a public GET view's 200 responses by version (see the module docstring)."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(view)
            def wrapped(*args: Any, **kwargs: Any) -> Any:
                version, changed_at = self.version()
                anonymous = not current_user.is_authenticated
                viewer = "anon" if anonymous else f"user{current_user.get_id()}"
                # The site root too: a page holding an absolute link built from the request's
                # host (contest.ui.links, without PUBLIC_BASE_URL) is never served to another.
                etag = _digest(
                    f"{self.content}|{version}|{self._day()}|{get_locale()}|{request.url_root}"
                    f"|{request.full_path}|{viewer}"
                )
                if etag in request.if_none_match:
                    response = Response(status=304)
                elif anonymous:

                    def render() -> tuple[bytes, str, int]:
                        built = make_response(view(*args, **kwargs))
                        return (built.get_data(), built.mimetype, built.status_code)

                    body, mimetype, status = single_flight(
                        f"{self.content}:page:{etag}",
                        render,
                        self.timeout,
                        keep=lambda page: page[2] == 200,
                    )
                    response = Response(body, status=status, mimetype=mimetype)
                else:
                    response = make_response(view(*args, **kwargs))
                if response.status_code in (200, 304):
                    response.set_etag(etag)
                    if changed_at:
                        response.headers["Last-Modified"] = formatdate(changed_at, usegmt=True)
                    response.cache_control.public = anonymous
                    response.cache_control.private = not anonymous
                    response.cache_control.max_age = max_age if anonymous else 0
                response.vary.add("Cookie")
                return response

            return wrapped

        return decorator


# The wall keeps five minutes per copy (it has many distinct searches; person edits that the
# wall shows bump ``honors`` in contest.services.core.people.update_person), and a day at most:
# lapsed ratings leave it at midnight (contest.services.honors.validity). A published snapshot
# is frozen, so results copies live an hour.
honors_cache = ContentCache(HONORS_CONTENT, timeout=300, daily=True)
results_cache = ContentCache(RESULTS_CONTENT, timeout=TIMEOUT)
# Labor standings change when a round is published (or a published round is corrected); names
# and the public switches of a competition change without a bump, so copies live five minutes.
labor_cache = ContentCache(LABOR_CONTENT, timeout=300)
# 公示 lists change with a start, a 递补 or a conferral (each bumps ``publicity``), and leave the
# public site after their last day plus a grace without any write: keyed on the day too.
publicity_cache = ContentCache(PUBLICITY_CONTENT, timeout=300, daily=True)
