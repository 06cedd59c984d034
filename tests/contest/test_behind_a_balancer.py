"""Settings for servers behind a load balancer: the client's address, the shared uploads.

Behind a balancer every connection comes from the balancer; ``PROXY_COUNT`` says how many
proxies' X-Forwarded-For hops to believe, so limits are per client again. Without it the header
is anyone's to write and is ignored. (``tests/cluster`` runs two real servers behind HAProxy.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from contest import config as settings


def _attempts(app: Flask, forwarded_for: list[str]) -> list[int]:
    """A failed login per entry, each naming that client in X-Forwarded-For; their statuses."""
    client = app.test_client()
    return [
        client.post(
            "/login",
            data={"username": "nobody_here", "password": "wrong-password-1"},
            headers={"X-Forwarded-For": address},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        ).status_code
        for address in forwarded_for
    ]


def _limited_app(make_app: Callable[..., Flask], **overrides: object) -> Flask:
    return make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute", **overrides)


def test_without_a_proxy_count_a_forwarded_for_header_does_not_dodge_the_login_limit(
    make_app: Callable[..., Flask],
) -> None:
    app = _limited_app(make_app)
    statuses = _attempts(app, ["203.0.113.5", "203.0.113.6", "203.0.113.7"])
    assert statuses == [200, 200, 429]


def test_behind_one_proxy_the_login_limit_counts_each_forwarded_client_apart(
    make_app: Callable[..., Flask],
) -> None:
    app = _limited_app(make_app, PROXY_COUNT=1)
    statuses = _attempts(app, ["203.0.113.5", "203.0.113.5", "203.0.113.5", "203.0.113.6"])
    assert statuses == [200, 200, 429, 200]


def test_only_the_trusted_hops_of_forwarded_for_are_believed(
    make_app: Callable[..., Flask],
) -> None:
    """A client's own X-Forwarded-For is kept by the balancer, which appends the real address:
    with one proxy, only that last hop counts."""
    app = _limited_app(make_app, PROXY_COUNT=1)
    forged = [f"198.51.100.{n}, 203.0.113.5" for n in range(3)]
    assert _attempts(app, forged) == [200, 200, 429]


def test_shared_folders_and_the_proxy_count_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CONTEST_INSTANCE_PATH", str(tmp_path / "inst"))
    for name in ("CONTEST_UPLOAD_FOLDER", "CONTEST_JOBS_FOLDER", "CONTEST_PROXY_COUNT"):
        monkeypatch.delenv(name, raising=False)
    defaults = settings.from_environment()
    assert defaults["UPLOAD_FOLDER"] == str((tmp_path / "inst").resolve() / "uploads")
    assert defaults["PROXY_COUNT"] == 0
    monkeypatch.setenv("CONTEST_UPLOAD_FOLDER", "/srv/contest-shared/uploads")
    monkeypatch.setenv("CONTEST_JOBS_FOLDER", "/srv/contest-shared/jobs")
    monkeypatch.setenv("CONTEST_PROXY_COUNT", "1")
    shared = settings.from_environment()
    assert shared["UPLOAD_FOLDER"] == "/srv/contest-shared/uploads"
    assert shared["JOBS_FOLDER"] == "/srv/contest-shared/jobs"
    assert shared["PROXY_COUNT"] == 1
