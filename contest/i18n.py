"""Locale selection: which language a request is answered in.

Message ids are Simplified Chinese, the platform's first language; ``translations/en`` holds
the English catalogue. A string without an English translation falls back to Chinese, never to
an empty label. The translated labels of enumerations live beside the enums in
``contest.models`` (``ROLE_LABELS``, ``HONOR_LEVEL_LABELS`` …), so the models import nothing
above them.
"""

from __future__ import annotations

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
