"""CSRF protection on every form; the bearer-token API is exempt but needs its token."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, jsonify
from flask.testing import FlaskClient
from sqlalchemy import func, select

from contest.models import User
from tests.conftest import PASSWORD

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CSRF_MESSAGE = "页面已过期或表单校验失败"


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """Every app in this module checks CSRF tokens, as production does.

    It also has a write endpoint in the API area (the area's real write endpoints come with
    later features), registered under the ``api`` blueprint's name.
    """
    from contest.api.base import token_required

    application = make_app(WTF_CSRF_ENABLED=True)

    def echo() -> Any:
        return token_required() or jsonify(ok=True)

    application.add_url_rule("/api/v1/_test/echo", "api.test_echo", echo, methods=["POST", "PUT"])
    return application


@pytest.fixture
def user(make_user: Callable[..., Any]) -> Any:
    return make_user("admin", username="guanliyuan")


def _token(client: FlaskClient, path: str) -> str:
    match = CSRF_INPUT.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def _login(client: FlaskClient, with_token: bool) -> Any:
    data = {"username": "guanliyuan", "password": PASSWORD}
    if with_token:
        data["csrf_token"] = _token(client, "/login")
    return client.post("/login", data=data)


def test_login_without_a_csrf_token_is_refused_with_a_friendly_page(
    client: FlaskClient, user: Any
) -> None:
    response = _login(client, with_token=False)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert CSRF_MESSAGE in body
    assert "Traceback" not in body


def test_login_without_a_csrf_token_changes_nothing(
    db: Any, client: FlaskClient, user: Any
) -> None:
    _login(client, with_token=False)
    db.session.expire_all()
    assert user.last_login_at is None
    assert client.get("/home").status_code == 302


def test_login_with_the_forms_csrf_token_works(client: FlaskClient, user: Any) -> None:
    response = _login(client, with_token=True)
    assert response.status_code == 302
    assert client.get("/home").status_code == 200


def test_login_with_a_forged_csrf_token_is_refused(client: FlaskClient, user: Any) -> None:
    client.get("/login")
    response = client.post(
        "/login",
        data={"username": "guanliyuan", "password": PASSWORD, "csrf_token": "forged"},
    )
    assert response.status_code == 400


def test_logged_in_form_post_without_a_token_changes_nothing(
    db: Any, client: FlaskClient, user: Any
) -> None:
    _login(client, with_token=True)
    response = client.post(
        "/admin/users",
        data={
            "username": "intruder",
            "role": "admin",
            "organization_id": "0",
            "password": "long-enough-1",
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_logged_in_form_post_with_the_token_is_accepted(
    db: Any, client: FlaskClient, user: Any
) -> None:
    _login(client, with_token=True)
    response = client.post(
        "/admin/users",
        data={
            "username": "newcomer",
            "role": "admin",
            "organization_id": "0",
            "password": "long-enough-1",
            "csrf_token": _token(client, "/admin/users"),
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.username == "newcomer")) is not None


def test_logout_without_a_token_is_refused(client: FlaskClient, user: Any) -> None:
    _login(client, with_token=True)
    assert client.post("/logout").status_code == 400
    assert client.get("/home").status_code == 200


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_api_writes_are_not_csrf_checked_but_need_a_bearer_token(
    client: FlaskClient, user: Any, method: str
) -> None:
    response = client.open("/api/v1/_test/echo", method=method, json={})
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_api_writes_with_a_bearer_token_need_no_csrf_token(
    db: Any, client: FlaskClient, user: Any, method: str
) -> None:
    from contest.services.core.users import create_token

    token = create_token(None, user)
    db.session.commit()
    response = client.open(
        "/api/v1/_test/echo",
        method=method,
        json={},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.get_json() == {"ok": True}


def test_api_writes_ignore_a_logged_in_browser_session(client: FlaskClient, user: Any) -> None:
    _login(client, with_token=True)
    response = client.post("/api/v1/_test/echo", json={})
    assert response.status_code == 401
