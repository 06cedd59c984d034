"""Survey codes never reach a log.

A 会员评家 code (``/s/<code>``, or ``/s?code=…`` from the code box) is the one thing that could
tie a member to an answer: whoever holds a log line with a code and the client's address (the
access log writes both) knows which phone answered with which slip, and a slip handed to a
named member names the phone. The surveys keep no answer row for that reason
(``contest.services.labor.surveys``); the logs must not keep the code either.

So every place that writes a request's path or address masks it first:

- gunicorn's access log (``contest serve``): ``contest.server.AccessLogger``, whose atoms — the path
  (``%(U)s``), the request line (``%(r)s``), the query string (``%(q)s``), the referer
  (``%(f)s``, the thanks page's referer is the answer page) and the raw environ and header
  atoms (``%({raw_uri}e)s`` …) — are masked, whatever ``access_log_format`` an operator sets;
- werkzeug's request log of ``flask run`` (development) and the application's own log lines
  (``Exception on /s/… [POST]``, the busy and unhandled-error warnings): :class:`MaskingFilter`
  on the ``werkzeug`` and application loggers, and :func:`masked_path` where a line is made.

The code is replaced by :data:`MASK`; ``/s/thanks`` and every other path stay as they are.
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from typing import Any

__all__ = ["MASK", "MaskingFilter", "install", "mask_atoms", "masked", "masked_path"]

MASK = "[code]"
# Where a path starts: the start of the text, a space or quote (a request line, a log
# message), or just after the host of an absolute URL (a referer).
_START = r"(?:^|(?<=[\s\"'])|(?<=://)[^/\s\"'?#]*)"
# /s/<code> (the answer page; /s/thanks is not a code).
_CODE_PATH = re.compile(_START + r"/s/(?!thanks(?:[/?#\s\"']|$))[^/?#\s\"']+")
# /s?…code=<code>… (the code box's GET form).
_CODE_QUERY = re.compile(_START + r"(/s/?\?(?:[^\s\"'#]*?&)?code=)[^&#\s\"']*", re.IGNORECASE)
_QUERY_PARAM = re.compile(r"((?:^|&)code=)[^&]*", re.IGNORECASE)


def masked(text: str) -> str:
    """``text`` (a path, a request line, a URL, a log message) with every survey code in a
    ``/s/<code>`` path or a ``/s?code=`` query replaced by :data:`MASK`."""
    if "/s" not in text:
        return text
    text = _CODE_PATH.sub(lambda m: m.group(0)[: m.group(0).rindex("/s/") + 3] + MASK, text)
    return _CODE_QUERY.sub(lambda m: m.group(0)[: m.end(1) - m.start(0)] + MASK, text)


def masked_path(path: str) -> str:
    """A request path fit for a log line (:func:`masked`)."""
    return masked(path)


def _is_survey_path(path: object) -> bool:
    return isinstance(path, str) and (path == "/s" or path.startswith("/s/"))


def _masked_query(query: str) -> str:
    return _QUERY_PARAM.sub(lambda m: m.group(1) + MASK, query)


def mask_atoms(atoms: MutableMapping[str, Any], path: object) -> None:
    """Mask survey codes in gunicorn's access-log atoms of a request for ``path`` (its
    ``PATH_INFO``), in place: every text atom, and the bare query string of a ``/s`` page."""
    survey = _is_survey_path(path)
    for key, value in atoms.items():
        if not isinstance(value, str):
            continue
        if key in ("q", "{query_string}e") and survey:
            atoms[key] = _masked_query(value)
        else:
            atoms[key] = masked(value)


class MaskingFilter(logging.Filter):
    """Masks survey codes in a record's message (werkzeug's request lines, Flask's
    ``Exception on <path>``): the message is formatted once here and stored masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to the handler
            return True
        if "/s" in message:
            record.msg, record.args = masked(message), None
        return True


_FILTER = MaskingFilter()


def install(*logger_names: str) -> None:
    """Put the masking filter on ``logger_names`` (once each, however many apps are built)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
