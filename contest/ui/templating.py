"""Template globals and filters, and the context every page gets (the menu, the languages)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_babel import format_date, get_locale
from flask_login import current_user

from contest.models.base import local_text
from contest.services.skills import codes
from contest.ui import confirm
from contest.ui.areas import nav_entries_for


def _local_datetime(value: datetime | None) -> str:
    return local_text(value)


def _local_date(value: date | None) -> str:
    return "" if value is None else format_date(value, "yyyy-MM-dd")


def url_with(**changes: Any) -> str:
    """This page's URL with some query arguments changed (pagination keeps the filters)."""
    args = {**request.args.to_dict(), **(request.view_args or {}), **changes}
    return url_for(
        request.endpoint or "main.index", **{k: v for k, v in args.items() if v not in (None, "")}
    )


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = _local_datetime
    app.jinja_env.filters["date"] = _local_date
    app.jinja_env.globals["url_with"] = url_with
    # One printed form per code kind (#16 item 1): ``entry|code`` is 工位 A-07 or A001 as the
    # entry's event uses it, ``code_name(event)`` the column label that goes with it.
    app.jinja_env.filters["code"] = codes.shown
    app.jinja_env.filters["seat"] = codes.seat_text
    app.jinja_env.filters["code_of"] = codes.shown_in
    app.jinja_env.globals["code_name"] = codes.name_of
    app.jinja_env.globals["consequences"] = confirm  # what a confirmed button will do
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals() -> dict[str, Any]:
        locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
        return {
            "nav_entries": nav_entries_for(current_user),
            "languages": current_app.config["LANGUAGES"],
            "current_locale": locale,
            "html_lang": "zh-CN" if locale.startswith("zh") else locale,
            "current_endpoint": request.endpoint,
        }
