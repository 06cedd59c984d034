"""Redirects that stay on this site.

:func:`safe_next` is the one rule for every ``next`` parameter (login, the forced password
change, the language switch, the review pages): only a path on this site is followed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["safe_next"]


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
