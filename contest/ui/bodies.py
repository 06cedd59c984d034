"""Request bodies capped per endpoint: a score sheet is kilobytes, an upload megabytes.

``MAX_CONTENT_LENGTH`` is one limit for the whole site, sized for the largest upload. An
endpoint that takes small bodies declares its own cap with :func:`body_limit`; a longer body is
answered 413 before it is read or parsed and before anything touches the database (the check
is one of the first request hooks), and a body sent without a length stops being read at the
cap (Flask's per-request ``max_content_length``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, request

from contest.ui.errors import render_error

# A score sheet as JSON or as a form is a few kilobytes; this leaves room for any rubric.
SMALL_BODY_BYTES = 64 * 1024

View = TypeVar("View", bound=Callable[..., Any])


def body_limit(max_bytes: int) -> Callable[[View], View]:
    """Cap the body of requests to the decorated view at ``max_bytes`` (put it under the
    ``@bp.route`` line)."""

    def decorate(view: View) -> View:
        view.max_body_bytes = max_bytes  # type: ignore[attr-defined]
        return view

    return decorate


def init_app(app: Flask) -> None:
    def _cap_body():  # type: ignore[no-untyped-def]
        view = app.view_functions.get(request.endpoint or "")
        limit = getattr(view, "max_body_bytes", None)
        if limit is None:
            return None
        request.max_content_length = limit
        if request.content_length is not None and request.content_length > limit:
            return render_error(413)
        return None

    app.before_request_funcs.setdefault(None, []).insert(0, _cap_body)
