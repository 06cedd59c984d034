"""What the API's endpoints share: the bearer-token check of the endpoints that need a login,
and reading a JSON body.

Public endpoints need no token; the others call :func:`token_required` first (a blueprint-wide
guard would refuse the public ones).
"""

from __future__ import annotations

import re
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from contest.ui.errors import render_error

# A score sheet is two levels deep ({"scores": {key: value}}); this leaves room for any body
# the API will take, and stops a "[[[[…" body long before Python's parser recurses too deep.
MAX_JSON_DEPTH = 16
# A string (to the closing quote, or to the end when it has none) or a bracket. Possessive
# quantifiers: an unterminated string is skipped in one pass; with plain ones the regex tried
# every split of its characters, and a 40-byte body kept a worker busy for hours.
_BRACKET_OR_STRING = re.compile(rb'"(?:[^"\\]++|\\[\s\S]?)*+"?|[\[\]{}]')


class BodyRefused(ValueError):
    """The request body is not JSON the API can read; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def token_required():  # type: ignore[no-untyped-def]
    """Return a 401 response when the request carries no valid bearer token, else None."""
    if not current_user.is_authenticated:
        return render_error(401)
    return None


def json_body() -> Any:
    """The request's JSON body; raises :class:`BodyRefused` when it is not JSON or is nested
    deeper than ``MAX_JSON_DEPTH``.

    Python's parser recurses once per level: a body of 50,000 "[" raised RecursionError, which
    ``request.get_json(silent=True)`` does not catch (a 500). Non-finite numbers (NaN,
    Infinity, 1e999) parse as floats; the code that reads a number refuses them.
    """
    if _nests_deeper_than(request.get_data(cache=True), MAX_JSON_DEPTH):
        raise BodyRefused(_("请求体嵌套过深（最多 %(n)d 层）。", n=MAX_JSON_DEPTH))
    body = request.get_json(silent=True)
    if body is None:
        raise BodyRefused(_("请求体应为 JSON 对象。"))
    return body


def _nests_deeper_than(data: bytes, limit: int) -> bool:
    """Whether the brackets of a JSON text nest deeper than ``limit`` (strings skipped, no
    parsing; stops at the first bracket past the limit)."""
    depth = 0
    for match in _BRACKET_OR_STRING.finditer(data):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False
