"""HTTP and server-side caching of public pages, keyed on the honors content version.

A page is identified by (content version, locale, path and query). Browsers get an ETag and
Last-Modified and revalidate cheaply (304); anonymous visitors share a server-side copy of the
rendered page. Logged-in users always get a fresh render (their navigation differs). Because
the version is re-read from the database every ``WALL_VERSION_TTL`` seconds, a change made by
any process reaches every worker within that time — no cross-process cache clearing needed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from email.utils import formatdate
from functools import wraps
from typing import Any

from flask import Response, make_response, request
from flask_babel import get_locale
from flask_login import current_user

from contest.extensions import cache
from contest.services.wall import content_version


def _etag(version: int, extra: str) -> str:
    raw = f"{version}|{get_locale()}|{request.full_path}|{extra}"
    return hashlib.sha1(raw.encode("utf-8"), usedforsecurity=False).hexdigest()


def public_cached(max_age: int = 5) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Cache a public GET view's response by content version (see module docstring)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            version, changed_at = content_version()
            anonymous = not current_user.is_authenticated
            etag = _etag(version, "anon" if anonymous else f"user{current_user.get_id()}")
            if etag in request.if_none_match:
                response = Response(status=304)
            else:
                key = f"page:{etag}"
                body = cache.get(key) if anonymous else None
                if body is None:
                    response = make_response(view(*args, **kwargs))
                    if anonymous and response.status_code == 200:
                        cache.set(key, (response.get_data(), response.mimetype), timeout=300)
                else:
                    data, mimetype = body
                    response = Response(data, mimetype=mimetype)
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


def cached_data(name: str, builder: Callable[[], Any], *parts: object, timeout: int = 300) -> Any:
    """Server-side cache of computed data (query results) for the current content version."""
    version, _ = content_version()
    key = (
        "data:"
        + hashlib.sha1(
            repr((name, version, str(get_locale()), parts)).encode("utf-8"), usedforsecurity=False
        ).hexdigest()
    )
    value = cache.get(key)
    if value is None:
        value = builder()
        cache.set(key, value, timeout=timeout)
    return value
