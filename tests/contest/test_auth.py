"""Login, lockout, rate limit, logout, sessions, passwords and API tokens."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from contest.models import ApiToken, User
from contest.services.core.users import set_enabled
from tests.conftest import PASSWORD

GENERIC_FAILURE = "用户名或密码不正确"
LOCKED = "账号已暂时锁定"


def _login(client: FlaskClient, username: str, password: str = PASSWORD, **kw: Any) -> Any:
    return client.post("/login", data={"username": username, "password": password}, **kw)


def _logged_in(client: FlaskClient) -> bool:
    return client.get("/home").status_code == 200


@pytest.fixture
def user(make_user: Callable[..., Any]) -> Any:
    return make_user("organizer", username="wangfang")


@pytest.fixture
def rate_limited_client(make_app: Callable[..., Flask]) -> FlaskClient:
    return make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute").test_client()


# ---------------------------------------------------------------- login


def test_login_with_the_right_password_goes_home(client: FlaskClient, user: Any) -> None:
    response = _login(client, "wangfang")
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
    assert _logged_in(client)


def test_login_with_a_wrong_password_shows_the_generic_message(
    client: FlaskClient, user: Any
) -> None:
    response = _login(client, "wangfang", "wrong-password")
    assert response.status_code == 200
    assert GENERIC_FAILURE in response.get_data(as_text=True)
    assert not _logged_in(client)


def test_login_with_an_unknown_user_shows_the_same_message(client: FlaskClient, db: Any) -> None:
    response = _login(client, "nobody")
    assert response.status_code == 200
    assert GENERIC_FAILURE in response.get_data(as_text=True)


def test_login_records_the_time_and_clears_failures(
    app: Flask, db: Any, client: FlaskClient, user: Any
) -> None:
    almost = app.config["LOGIN_MAX_FAILURES"] - 1
    for _ in range(almost):
        _login(client, "wangfang", "wrong-password")
    _login(client, "wangfang")
    client.post("/logout")
    db.session.expire_all()
    assert user.last_login_at is not None
    for _ in range(almost):  # the count started again
        _login(client, "wangfang", "wrong-password")
    assert _login(client, "wangfang").status_code == 302


def test_disabled_user_cannot_log_in(db: Any, client: FlaskClient, user: Any) -> None:
    set_enabled(None, user, False)
    db.session.commit()
    response = _login(client, "wangfang")
    assert response.status_code == 200
    assert GENERIC_FAILURE in response.get_data(as_text=True)
    assert not _logged_in(client)


def test_disabling_a_logged_in_user_ends_their_session(
    db: Any, client: FlaskClient, user: Any
) -> None:
    _login(client, "wangfang")
    set_enabled(None, user, False)
    db.session.commit()
    assert not _logged_in(client)


# ---------------------------------------------------------------- lockout


@pytest.fixture
def locked_user(app: Flask, client: FlaskClient, user: Any) -> Any:
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        response = _login(client, "wangfang", "wrong-password")
    assert LOCKED in response.get_data(as_text=True)
    return user


def test_failures_below_the_limit_do_not_lock(app: Flask, client: FlaskClient, user: Any) -> None:
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        _login(client, "wangfang", "wrong-password")
    assert _login(client, "wangfang").status_code == 302


def test_locked_account_refuses_even_the_right_password(
    client: FlaskClient, locked_user: Any
) -> None:
    response = _login(client, "wangfang")
    assert response.status_code == 200
    assert LOCKED in response.get_data(as_text=True)
    assert not _logged_in(client)


def test_lockout_is_audited(db: Any, locked_user: Any) -> None:
    from contest.models import AuditEntry

    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_id == str(locked_user.id))
    ).all()
    assert "user.lock" in actions


def test_admin_password_reset_unlocks_the_account(
    client: FlaskClient, locked_user: Any, login_as: Callable[..., Any]
) -> None:
    login_as("admin")
    response = client.post(
        f"/admin/users/{locked_user.id}/password", data={"password": "brand-new-pass-1"}
    )
    assert response.status_code == 302
    client.post("/logout")
    assert _login(client, "wangfang", "brand-new-pass-1").status_code == 302


def _form_error(response: Any) -> str:
    """The login form's error box, as the visitor reads it."""
    html = response.get_data(as_text=True)
    return html.split('class="flash flash-danger"', 1)[1].split("</div>", 1)[0]


def test_the_lockout_reads_the_same_for_an_existing_and_an_unknown_account(
    app: Flask, client: FlaskClient, user: Any
) -> None:
    answers = {}
    for name in ("wangfang", "no-such-account"):
        replies = [_login(client, name, "wrong-password") for _ in range(2)]
        for _ in range(app.config["LOGIN_MAX_FAILURES"] - 2):
            locking = _login(client, name, "wrong-password")
        after = _login(client, name, "wrong-password")
        answers[name] = [_form_error(r) for r in (*replies, locking, after)]
    assert answers["wangfang"] == answers["no-such-account"]
    assert LOCKED in answers["wangfang"][-1] and LOCKED in answers["wangfang"][-2]


def test_a_strangers_failures_from_another_address_do_not_lock_the_owner_out(
    app: Flask, client: FlaskClient, user: Any
) -> None:
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 3):
        response = _login(stranger, "wangfang", "a-guess")
    assert LOCKED in response.get_data(as_text=True)
    assert LOCKED in _login(stranger, "wangfang").get_data(as_text=True)  # even the password
    assert _login(client, "wangfang").status_code == 302  # the owner, from their own address


@pytest.fixture
def redis_store() -> Any:
    """A Redis rate-limit store under a key prefix of this test's own (removed afterwards)."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    server = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    prefix = f"contest-test-{uuid.uuid4().hex}"
    yield {"RATELIMIT_STORAGE_URI": url, "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": prefix}}
    for key in server.scan_iter(f"{prefix}*"):
        server.delete(key)


def test_failed_logins_count_across_workers_sharing_redis(
    make_app: Callable[..., Flask], make_user: Callable[..., Any], redis_store: Any
) -> None:
    """Two apps stand for two worker processes: each has its own store object, one Redis."""
    apps = [make_app(**redis_store) for _ in range(2)]
    workers = [worker_app.test_client() for worker_app in apps]
    make_user("organizer", username="wangfang")
    for n in range(apps[0].config["LOGIN_MAX_FAILURES"]):  # alternating between the workers
        response = _login(workers[n % 2], "wangfang", "wrong-password")
    assert LOCKED in response.get_data(as_text=True)
    assert LOCKED in _login(workers[1], "wangfang").get_data(as_text=True)
    assert LOCKED in _login(workers[0], "wangfang").get_data(as_text=True)


def test_the_login_rate_limit_is_kept_in_redis_when_configured(
    make_app: Callable[..., Flask], db: Any, redis_store: Any
) -> None:
    import redis

    worker = make_app(
        RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute", **redis_store
    ).test_client()
    assert [_login(worker, "nobody").status_code for _ in range(3)] == [200, 200, 429]
    prefix = redis_store["RATELIMIT_STORAGE_OPTIONS"]["key_prefix"]
    server = redis.Redis.from_url(redis_store["RATELIMIT_STORAGE_URI"])
    assert any(b"auth.login" in key for key in server.scan_iter(f"{prefix}*"))


# ---------------------------------------------------------------- rate limit


def test_login_posts_beyond_the_rate_limit_get_429(rate_limited_client: FlaskClient) -> None:
    for _ in range(3):
        assert _login(rate_limited_client, "nobody").status_code == 200
    response = _login(rate_limited_client, "nobody")
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "操作太频繁" in body
    assert "<html" in body


def test_rate_limit_does_not_count_page_views(rate_limited_client: FlaskClient) -> None:
    for _ in range(5):
        assert rate_limited_client.get("/login").status_code == 200
    assert _login(rate_limited_client, "nobody").status_code == 200


# ---------------------------------------------------------------- logout and redirects


def test_logout_ends_the_session(client: FlaskClient, user: Any) -> None:
    _login(client, "wangfang")
    response = client.post("/logout")
    assert response.status_code == 302
    assert not _logged_in(client)


def test_logout_by_get_is_not_allowed(client: FlaskClient, user: Any) -> None:
    _login(client, "wangfang")
    assert client.get("/logout").status_code == 405
    assert _logged_in(client)


def test_login_follows_a_local_next_path(client: FlaskClient, user: Any) -> None:
    response = _login(client, "wangfang", query_string={"next": "/orgs/"})
    assert response.headers["Location"] == "/orgs/"


@pytest.mark.parametrize(
    "target",
    ["//evil.com", "https://evil.com", "https://evil.com/home", "javascript:x"],
)
def test_login_refuses_to_redirect_off_site(client: FlaskClient, user: Any, target: str) -> None:
    response = _login(client, "wangfang", query_string={"next": target})
    assert response.headers["Location"] == "/home"


def test_protected_page_sends_anonymous_visitors_to_login_with_next(
    client: FlaskClient, db: Any
) -> None:
    response = client.get("/orgs/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logged_in_user_visiting_login_goes_home(client: FlaskClient, user: Any) -> None:
    _login(client, "wangfang")
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"


# ---------------------------------------------------------------- session cookie and hashes


def test_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient, user: Any) -> None:
    response = _login(client, "wangfang")
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies
    attributes = [a.strip().lower() for a in cookies[0].split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_passwords_are_stored_as_argon2id_hashes(user: Any) -> None:
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


# ---------------------------------------------------------------- change password


def _change(client: FlaskClient, current: str, new: str, confirm: str | None = None) -> Any:
    return client.post(
        "/account/password",
        data={"current": current, "new": new, "confirm": new if confirm is None else confirm},
    )


def test_change_password_replaces_the_old_one(client: FlaskClient, user: Any) -> None:
    _login(client, "wangfang")
    response = _change(client, PASSWORD, "another-good-pass")
    assert response.status_code == 302
    client.post("/logout")
    assert _login(client, "wangfang", PASSWORD).status_code == 200
    assert _login(client, "wangfang", "another-good-pass").status_code == 302


def test_change_password_needs_the_current_password(
    db: Any, client: FlaskClient, user: Any
) -> None:
    before = user.password_hash
    _login(client, "wangfang")
    response = _change(client, "not-my-password", "another-good-pass")
    assert response.status_code == 200
    assert "当前密码不正确" in response.get_data(as_text=True)
    db.session.expire_all()
    assert user.password_hash == before


def test_change_password_needs_matching_confirmation(client: FlaskClient, user: Any) -> None:
    _login(client, "wangfang")
    response = _change(client, PASSWORD, "another-good-pass", "another-typo-pass")
    assert "两次输入的新密码不一致" in response.get_data(as_text=True)


def test_change_password_refuses_short_passwords(client: FlaskClient, user: Any) -> None:
    _login(client, "wangfang")
    response = _change(client, PASSWORD, "short")
    assert "密码至少需要 8 个字符" in response.get_data(as_text=True)


def test_change_password_page_needs_a_login(client: FlaskClient, db: Any) -> None:
    assert client.get("/account/password").status_code == 302


# ---------------------------------------------------------------- API tokens


@pytest.fixture
def token(runner: FlaskCliRunner, user: Any) -> str:
    result = runner.invoke(args=["token", "create", "wangfang"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_api_without_a_token_is_401_json(client: FlaskClient, db: Any) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


def test_api_with_a_bad_token_is_401(client: FlaskClient, token: str) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}x"})
    assert response.status_code == 401


def test_api_with_a_valid_token_answers_for_its_user(client: FlaskClient, token: str) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["username"] == "wangfang"
    assert response.get_json()["role"] == "organizer"


def test_api_ignores_the_session_cookie(client: FlaskClient, user: Any) -> None:
    _login(client, "wangfang")
    assert client.get("/api/v1/me").status_code == 401


def test_api_token_of_a_disabled_user_is_refused(
    db: Any, client: FlaskClient, user: Any, token: str
) -> None:
    set_enabled(None, user, False)
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_only_the_sha256_of_a_token_is_stored(db: Any, token: str) -> None:
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.token_hash, row.prefix)
    assert db.session.scalar(select(User).where(User.id == row.user_id)).username == "wangfang"


def test_serve_warns_that_in_memory_login_limits_are_per_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from contest import server
    from contest.commands.setup import serve_command

    monkeypatch.setattr(server, "run", lambda **_: None)
    monkeypatch.delenv("CONTEST_RATELIMIT_STORAGE_URI", raising=False)
    assert "CONTEST_RATELIMIT_STORAGE_URI" in CliRunner().invoke(serve_command, []).output
    monkeypatch.setenv("CONTEST_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    assert CliRunner().invoke(serve_command, []).output == ""


def test_one_ipv6_slash_64_counts_as_one_client(app: Flask, client: FlaskClient, user: Any) -> None:
    """A /64 is one household or server: stepping through its addresses gains no tries."""
    for n in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        stranger = app.test_client()
        stranger.environ_base["REMOTE_ADDR"] = f"2001:db8:1:2::{n + 1:x}"
        response = _login(stranger, "wangfang", "a-guess")
    assert LOCKED in response.get_data(as_text=True)
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "2001:db8:1:3::1"  # another /64
    assert _login(elsewhere, "wangfang").status_code == 302


def test_signing_in_works_while_the_limits_store_is_down(
    make_app: Callable[..., Flask], make_user: Callable[..., Any]
) -> None:
    """Redis not answering must not turn every sign-in into a 500."""
    down = make_app(
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.2},
        RATELIMIT_ENABLED=True,
    )
    make_user("organizer", username="wangfang")
    browser = down.test_client()
    assert _login(browser, "wangfang", "wrong-password").status_code == 200
    assert _login(browser, "wangfang").status_code == 302
