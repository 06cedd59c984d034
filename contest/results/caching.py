"""Caching of the public results, keyed on the ``results`` content version, stampede-free.

The wall's helpers (``contest.wall.caching``) key on the ``honors`` version; published results
change on their own version (bumped by ``contest.services.results.publish``), so this module
mirrors those helpers for it: the version is re-read from the database at most every
``WALL_VERSION_TTL`` seconds per process, browsers get an ETag (304 on revalidation), anonymous
visitors share a server-side copy of the rendered page.

Two additions for the hour results come out:
- **single flight**: on a miss, one thread per process builds the value while the others wait
  for it and then read it, so a cache expiry (or a new publication) costs one rebuild per
  worker, not one per waiting request;
- **long lifetimes**: a snapshot is frozen, so a value for a given version never goes stale;
  entries live an hour and a publication changes the key, never the value under a key.
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
from contest.services.results import RESULTS_CONTENT

TIMEOUT = 3600


class _VersionMemo:
    """The ``results`` version, re-read from the database at most every ``ttl`` seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: tuple[int, float] | None = None
        self._checked = 0.0

    def get(self, ttl: float) -> tuple[int, float]:
        with self._lock:
            if self._value is not None and time.monotonic() - self._checked < ttl:
                return self._value
        row = db.session.execute(
            select(ContentVersion.version, ContentVersion.changed_at).where(
                ContentVersion.name == RESULTS_CONTENT
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


def results_version() -> tuple[int, float]:
    """(version, changed-at epoch seconds) of the published results, memoised per app."""
    memo = current_app.extensions.setdefault("contest_results_version", _VersionMemo())
    ttl = float(current_app.config.get("WALL_VERSION_TTL", 2.0))
    return memo.get(ttl if ttl > 0 else -1.0)


def _flights() -> _Flights:
    return current_app.extensions.setdefault("contest_results_flights", _Flights())


def single_flight(key: str, builder: Callable[[], Any], timeout: int = TIMEOUT) -> Any:
    """``cache.get(key)`` or, on a miss, build it once per process while others wait."""
    value = cache.get(key)
    if value is not None:
        return value
    flights = _flights()
    lock = flights.acquire(key)
    try:
        value = cache.get(key)
        if value is None:
            value = builder()
            cache.set(key, value, timeout=timeout)
        return value
    finally:
        flights.release(key, lock)


def results_data(name: str, builder: Callable[[], Any], *parts: object) -> Any:
    """Server-side cache of computed results data for the current results version."""
    version, _ = results_version()
    raw = repr((name, version, str(get_locale()), parts))
    key = "results:" + hashlib.sha1(raw.encode("utf-8"), usedforsecurity=False).hexdigest()
    boxed = single_flight(key, lambda: (builder(),))  # boxed: None is a value too
    return boxed[0]


def _etag(version: int, extra: str) -> str:
    raw = f"results|{version}|{get_locale()}|{request.full_path}|{extra}"
    return hashlib.sha1(raw.encode("utf-8"), usedforsecurity=False).hexdigest()


def results_cached(max_age: int = 5) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Cache a public GET view's 200 responses by results version (see module docstring)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            version, changed_at = results_version()
            anonymous = not current_user.is_authenticated
            etag = _etag(version, "anon" if anonymous else f"user{current_user.get_id()}")
            if etag in request.if_none_match:
                response = Response(status=304)
            elif anonymous:
                key = f"results-page:{etag}"

                def render() -> tuple[bytes, str, int]:
                    built = make_response(view(*args, **kwargs))
                    return (built.get_data(), built.mimetype, built.status_code)

                body, mimetype, status = single_flight_page(key, render)
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


def single_flight_page(
    key: str, render: Callable[[], tuple[bytes, str, int]]
) -> tuple[bytes, str, int]:
    """A rendered page from the cache; only 200s are kept (an error is rendered each time)."""
    cached = cache.get(key)
    if cached is not None:
        return tuple(cached)  # type: ignore[return-value]
    flights = _flights()
    lock = flights.acquire(key)
    try:
        cached = cache.get(key)
        if cached is not None:
            return tuple(cached)  # type: ignore[return-value]
        body, mimetype, status = render()
        if status == 200:
            cache.set(key, (body, mimetype, status), timeout=TIMEOUT)
        return body, mimetype, status
    finally:
        flights.release(key, lock)
