"""Locale selection: which language a request is answered in.

Message ids are Simplified Chinese, the platform's first language; ``translations/en`` holds
the English catalogue. A string without an English translation falls back to Chinese, never to
an empty label. The translated labels of enumerations live beside the enums in
``contest.models`` (``ROLE_LABELS``, ``HONOR_LEVEL_LABELS`` …), so the models import nothing
above them.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, has_request_context, request, session


def select_locale() -> str:
    """``?lang=`` on this request, else the language chosen in the session, else zh_CN.

    The browser's Accept-Language is deliberately ignored: union offices often run
    English-language browsers, and the platform is Chinese first.
    """
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI and services called outside a request
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    for chosen in (request.args.get("lang"), session.get("lang")):
        if chosen in languages:
            return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def catalogue_directories(source: Path, cache: Path) -> str:
    """Where Flask-Babel should read compiled catalogues from (``dir1;dir2``).

    ``make install`` compiles each ``messages.po`` into the ``messages.mo`` beside it. An
    install that skipped that step (a plain ``pip install``, a copied tree) would silently
    serve Chinese to English users, so a missing or stale ``.mo`` is compiled here, once, into
    ``cache`` (under the instance folder: the package itself may be read-only), which is then
    read first.
    """
    stale = []
    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    if not stale:
        return str(source)
    for po in stale:
        target = cache / po.relative_to(source).with_suffix(".mo")
        if target.exists() and target.stat().st_mtime >= po.stat().st_mtime:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        partial = target.with_suffix(".mo.part")
        with partial.open("wb") as handle:
            write_mo(handle, catalogue)
        partial.replace(target)
    return f"{cache};{source}"
