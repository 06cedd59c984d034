"""Survey codes never reach a log (issue 12 review, item 3): gunicorn's access log as ``contest
serve`` configures it, werkzeug's request log of the development server and the application's
own log lines mask the code of ``/s/<code>`` and ``/s?code=``; every other path is untouched.

The lines are captured as written: gunicorn's logger is the one ``contest serve`` builds, fed a
finished request; werkzeug's is a real development server answering a real request.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
import urllib.error
import urllib.request
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from contest import server
from contest.security.log_masking import MASK, masked

CODE = "ABCDEFGHJK"
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # werkzeug colours its lines on a terminal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/s/{CODE}", f"/s/{MASK}"),
        ("/s/abcde-fghjk", f"/s/{MASK}"),
        (f"GET /s/{CODE} HTTP/1.1", f"GET /s/{MASK} HTTP/1.1"),
        (f"https://honors.example.org/s/{CODE}", f"https://honors.example.org/s/{MASK}"),
        (f"/s?code={CODE}&x=1", f"/s?code={MASK}&x=1"),
        (f"GET /s?x=1&code={CODE} HTTP/1.1", f"GET /s?x=1&code={MASK} HTTP/1.1"),
        (f"Exception on /s/{CODE} [POST]", f"Exception on /s/{MASK} [POST]"),
        ("/s/thanks", "/s/thanks"),
        ("/s", "/s"),
        ("/labor/competitions/3/surveys", "/labor/competitions/3/surveys"),
        (f"/wall/?q={CODE}", f"/wall/?q={CODE}"),
        (f"/sx/{CODE}", f"/sx/{CODE}"),
    ],
)
def test_codes_are_masked_and_other_paths_kept(text: str, expected: str) -> None:
    assert masked(text) == expected


def _served_config(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The gunicorn configuration ``contest serve`` runs with (the server is not started)."""
    built: list[Any] = []
    monkeypatch.setattr(server._Server, "run", lambda self: built.append(self.cfg))
    server.run("127.0.0.1", 8000, 1)
    return built[0]


def _access_line(cfg: Any, environ: dict[str, str], headers: list[tuple[str, str]]) -> str:
    logger = cfg.logger_class(cfg)
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    logger.access_log.addHandler(handler)
    try:
        response = SimpleNamespace(status="404 NOT FOUND", sent=120, headers=[])
        request = SimpleNamespace(headers=headers)
        base = {
            "REQUEST_METHOD": "GET",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "198.51.100.7",
            "QUERY_STRING": "",
        }
        logger.access(response, request, base | environ, timedelta(milliseconds=12))
    finally:
        logger.access_log.removeHandler(handler)
    return captured.getvalue()


def test_contest_serve_masks_the_code_in_its_access_log(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _served_config(monkeypatch)
    assert cfg.logger_class is server.AccessLogger
    line = _access_line(cfg, {"PATH_INFO": f"/s/{CODE}", "RAW_URI": f"/s/{CODE}"}, [])
    assert line.startswith(f'198.51.100.7 "GET /s/{MASK}" 404 120 12ms')
    assert CODE not in line
    other = _access_line(cfg, {"PATH_INFO": "/wall/", "RAW_URI": "/wall/"}, [])
    assert other.startswith('198.51.100.7 "GET /wall/" 404 120')


def test_every_atom_is_masked_whatever_the_format(monkeypatch: pytest.MonkeyPatch) -> None:
    """An operator's own access_log_format with the request line, the query string, the
    referer and raw environ and header atoms still never shows a code."""
    cfg = _served_config(monkeypatch)
    cfg.set(
        "access_log_format",
        '%(h)s "%(r)s" %(U)s %(q)s "%(f)s" %({raw_uri}e)s %({query_string}e)s %({referer}i)s',
    )
    typed = _access_line(
        cfg,
        {"PATH_INFO": "/s", "RAW_URI": f"/s?code={CODE}", "QUERY_STRING": f"code={CODE}"},
        [],
    )
    assert CODE not in typed and f"GET /s?code={MASK} HTTP/1.1" in typed
    thanks = _access_line(
        cfg,
        {
            "PATH_INFO": "/s/thanks",
            "RAW_URI": "/s/thanks",
            "HTTP_REFERER": f"https://honors.example.org/s/{CODE}",
        },
        [("REFERER", f"https://honors.example.org/s/{CODE}")],
    )
    assert CODE not in thanks and "/s/thanks" in thanks
    assert f"https://honors.example.org/s/{MASK}" in thanks


def test_the_development_server_s_request_log_masks_the_code(
    app: Flask, db: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """werkzeug's request line of ``flask run``, captured from a real request."""
    httpd = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for path in (f"/s/{CODE}", f"/s?code={CODE.lower()}", "/s/thanks"):
                # an unknown code answers 404 (the typed one after its redirect): logged all
                # the same
                with contextlib.suppress(urllib.error.HTTPError):
                    urllib.request.urlopen(f"http://127.0.0.1:{httpd.port}{path}", timeout=10)
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
    lines = [ANSI.sub("", r.getMessage()) for r in caplog.records if r.name == "werkzeug"]
    requests = [line for line in lines if '"GET /s' in line]
    assert len(requests) == 4, lines  # the typed code is redirected to its page
    assert not any(CODE in line or CODE.lower() in line for line in lines)
    assert f'"GET /s/{MASK} HTTP/1.1" 404' in requests[0]
    assert f'"GET /s?code={MASK} HTTP/1.1" 302' in requests[1]
    assert f'"GET /s/{MASK} HTTP/1.1" 404' in requests[2]
    assert '"GET /s/thanks HTTP/1.1" 200' in requests[3]


def test_the_application_s_own_log_lines_mask_the_code(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        app.logger.error("Exception on %s [%s]", f"/s/{CODE}", "POST")
    assert caplog.records[-1].getMessage() == f"Exception on /s/{MASK} [POST]"
