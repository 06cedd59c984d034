"""Links the public can trust, and redirects that stay on this site.

Certificates, QR codes, printed slips and the API's ``url`` fields carry absolute addresses
that outlive the request (a printed QR code, a copy in a shared cache), so they are built from
``PUBLIC_BASE_URL`` (``CONTEST_PUBLIC_BASE_URL``), never from the Host header a client chose.
Without it (the demo on 127.0.0.1) they fall back to the request's own root, whose host Flask
has checked against ``TRUSTED_HOSTS``; a cached copy of anything built from it is keyed on
:func:`public_base` (the page cache of ``contest.caching`` keys on the request's root).

A request naming a host outside ``TRUSTED_HOSTS`` is answered 400 with a message. Flask would
raise that refusal while opening the request, before any URL can be built, so the error page
itself would fail; :class:`_HostGuard` notes the refusal before Flask sees the request and lets
it through under a trusted stand-in name, and the first ``before_request`` hook answers it.

:func:`safe_next` is the one rule for every ``next`` parameter (login, the forced password
change, the language switch, the review pages): only a path on this site is followed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import SecurityError
from werkzeug.sansio.utils import host_is_trusted
from werkzeug.wsgi import get_host

from contest.ui.errors import render_error

log = logging.getLogger(__name__)

__all__ = ["absolute", "init_app", "public_base", "public_url", "safe_next"]

UNTRUSTED_HOST = "contest.untrusted_host"  # WSGI environ key set by the guard


def public_base() -> str:
    """The site's public root, ending in ``/``: ``PUBLIC_BASE_URL``, else the request's root."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return str(configured).rstrip("/") + "/"
    return request.url_root  # its host passed TRUSTED_HOSTS (see the module docstring)


def absolute(path: str) -> str:
    """The public absolute URL of a path built by ``url_for`` (script root included)."""
    root = request.script_root
    if root and path.startswith(root + "/"):
        path = path[len(root) :]
    return public_base() + path.lstrip("/")


def public_url(endpoint: str, **values: Any) -> str:
    """The public absolute URL of an endpoint, for anything that leaves the page."""
    return absolute(url_for(endpoint, **values))


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else ``None`` (the caller's fallback).

    Browsers drop tabs and newlines anywhere in a URL, read ``\\`` as ``/`` and
    ``//host`` as another site, so ``/\\evil.example`` or ``/<TAB>/evil.example`` would leave
    the site: a target must start with one ``/``, hold no control character and no
    backslash, and carry neither a scheme nor a host.
    """
    if not target or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return None
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _host_list(value: str | Iterable[str] | None) -> list[str]:
    return [value] if isinstance(value, str) else list(value or ())


def check_settings(public_base_url: str | None, trusted_hosts: str | Iterable[str] | None) -> None:
    """Refuse, at start-up, settings that would make every link or request fail."""
    if public_base_url:
        parts = urlsplit(public_base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError(
                f"CONTEST_PUBLIC_BASE_URL must be an http(s) address such as "
                f"https://honors.example.org/, not {public_base_url!r}"
            )
    for host in _host_list(trusted_hosts):
        if not host_is_trusted(host.lstrip("."), [host]):
            raise ValueError(f"CONTEST_TRUSTED_HOSTS: {host!r} is not a host name")


class _HostGuard:
    """WSGI middleware: marks a request for an untrusted host and gives Flask a trusted one."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Any]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        trusted = _host_list(self.app.config.get("TRUSTED_HOSTS"))
        if trusted:
            try:
                get_host(environ, trusted)
            except SecurityError:
                stand_in = trusted[0].lstrip(".")
                refused = str(environ.get("HTTP_HOST") or environ.get("SERVER_NAME"))
                environ = {**environ, "HTTP_HOST": stand_in, UNTRUSTED_HOST: refused}
        return self.wsgi_app(environ, start_response)


def _refuse_untrusted_host():  # type: ignore[no-untyped-def]
    refused = request.environ.get(UNTRUSTED_HOST)
    # The health check builds no link: a balancer may probe a server by its address.
    if refused is not None and request.path != "/healthz":
        # For the operator who forgot a name in CONTEST_TRUSTED_HOSTS (a client's text: cut).
        log.warning("refused a request for the untrusted host %r", refused[:100])
        return render_error(400, _("本站不接受以此主机名访问，请使用本站的正式网址。"))
    return None


def init_app(app: Flask) -> None:
    check_settings(app.config.get("PUBLIC_BASE_URL"), app.config.get("TRUSTED_HOSTS"))
    app.wsgi_app = _HostGuard(app, app.wsgi_app)  # type: ignore[method-assign]
    # First of all hooks: the others (rate limits, the password-change redirect) never see it.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_untrusted_host)
