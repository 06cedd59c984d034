"""What every route accepts in its URL and query string, checked once for the whole app.

- ``<int:…>`` is :class:`IdConverter`: ASCII digits within the database's integer range. A
  larger id ("/wall/99999999999999999999") overflowed the query (SQLite's 64-bit integers,
  PostgreSQL's ``integer``) into a 500; now the route does not match and the answer is 404.
- A control character in the path or a query argument (``%00``, which PostgreSQL refuses in
  any string) is answered 400 with a message before a view runs; so is a NUL byte in a form
  field. Other control characters in form fields are the forms' business
  (``contest.ui.forms.CheckedForm``), which names the field.

Query arguments that are numbers are read with ``type=db_int`` (``contest.validation``), so an
out-of-range value falls back to the default like any other unreadable one.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter, Map

from contest.ui.errors import render_error
from contest.validation import DB_INT_MAX, db_int

__all__ = ["IdConverter", "init_app", "page_number"]


class IdConverter(IntegerConverter):
    """``<int:…>`` bounded to the database's integer range and to ASCII digits (Werkzeug's
    ``\\d`` also matches "١٢")."""

    regex = r"[0-9]+"

    def __init__(
        self,
        map: Map,  # Werkzeug's parameter names, builtins shadowed
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        bound = DB_INT_MAX if max is None or max > DB_INT_MAX else max
        super().__init__(map, fixed_digits, min, bound, signed)


def _has_control(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in text)


def refuse_control_characters() -> Any:
    """Answer 400 when the path or a query argument holds a control character, or a form
    field a NUL byte."""
    if _has_control(request.path) or any(
        _has_control(key) or _has_control(value) for key, value in request.args.items(multi=True)
    ):
        return render_error(400, _("请求的网址或参数中含有控制字符，无法处理。"))
    if request.method in ("POST", "PUT") and any(
        "\x00" in value for _key, value in request.form.items(multi=True)
    ):
        return render_error(400, _("提交的内容中含有控制字符（NUL），未保存。"))
    return None


def init_app(app: Flask) -> None:
    """Install the converter (before any rule is added: rules bind their converters then)
    and the control-character check."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_control_characters)


def page_number() -> int:
    """The ``page`` query argument of a paginated list: 1 when absent, unreadable, below 1
    or past the database's range (an offset that large overflowed the query)."""
    return max(request.args.get("page", 1, type=db_int) or 1, 1)
