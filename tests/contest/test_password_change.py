"""A one-time password must be replaced at first login: every page but the change page, logout
and static files sends the account there; the API (bearer tokens only) is unaffected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from contest.security.passwords import verify_password
from contest.services.core.users import issue_one_time_password

NEW_PASSWORD = "my-own-secret-7"


@pytest.fixture
def issued(db: Any, make_user: Callable[..., Any]) -> tuple[Any, str]:
    """A judge holding a one-time password, as a printed slip or an admin's reset leaves it."""
    judge = make_user("judge", username="judge_slip")
    password = issue_one_time_password(None, judge)
    db.session.commit()
    return judge, password


def login(client: FlaskClient, password: str, next_path: str | None = None) -> Any:
    url = "/login" + (f"?next={next_path}" if next_path else "")
    return client.post(url, data={"username": "judge_slip", "password": password})


def change(client: FlaskClient, current: str, new: str, query: str = "") -> Any:
    return client.post(
        "/account/password" + query, data={"current": current, "new": new, "confirm": new}
    )


def test_login_with_a_one_time_password_goes_to_the_change_page(
    client: FlaskClient, issued: tuple[Any, str]
) -> None:
    response = login(client, issued[1])
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/password")
    html = client.get("/account/password").get_data(as_text=True)
    assert 'id="change-due"' in html and "首次登录须修改密码" in html


@pytest.mark.parametrize("path", ["/home", "/", "/judging/", "/wall/", "/admin/users", "/nowhere"])
def test_every_other_page_redirects_to_the_change_page(
    client: FlaskClient, issued: tuple[Any, str], path: str
) -> None:
    login(client, issued[1])
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/password")


def test_forms_elsewhere_are_refused_too(client: FlaskClient, issued: tuple[Any, str]) -> None:
    login(client, issued[1])
    response = client.post("/orgs/people/new", data={"name": "某人"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"


def test_logout_and_static_files_stay_reachable(
    client: FlaskClient, issued: tuple[Any, str]
) -> None:
    login(client, issued[1])
    static = client.get("/static/css/app.css")
    static.close()
    assert static.status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/home").headers["Location"].startswith("/login")


def test_changing_the_password_clears_the_mark_and_returns_to_the_page_asked_for(
    db: Any, client: FlaskClient, issued: tuple[Any, str]
) -> None:
    judge, password = issued
    assert login(client, password, "/judging/").headers["Location"] == (
        "/account/password?next=/judging/"
    )
    response = change(client, password, NEW_PASSWORD, "?next=/judging/")
    assert response.status_code == 302 and response.headers["Location"] == "/judging/"
    db.session.expire_all()
    assert not judge.must_change_password
    assert verify_password(judge.password_hash, NEW_PASSWORD)
    assert client.get("/home").status_code == 200
    client.post("/logout")
    assert login(client, password).status_code == 200  # the one-time password is gone
    assert login(client, NEW_PASSWORD).headers["Location"] == "/home"


def test_keeping_the_one_time_password_is_refused(
    db: Any, client: FlaskClient, issued: tuple[Any, str]
) -> None:
    judge, password = issued
    login(client, password)
    response = change(client, password, password)
    assert response.status_code == 200
    assert "新密码不能与当前密码相同" in response.get_data(as_text=True)
    db.session.expire_all()
    assert judge.must_change_password


def test_the_new_password_must_pass_the_password_rules(
    db: Any, client: FlaskClient, issued: tuple[Any, str]
) -> None:
    judge, password = issued
    login(client, password)
    response = change(client, password, "short")
    assert "密码至少需要 8 个字符" in response.get_data(as_text=True)
    response = change(client, "not-the-slip-1", NEW_PASSWORD)
    assert "当前密码不正确" in response.get_data(as_text=True)
    db.session.expire_all()
    assert judge.must_change_password


def test_an_api_token_is_not_held_up_by_the_pending_change(
    client: FlaskClient, runner: FlaskCliRunner, issued: tuple[Any, str]
) -> None:
    token = runner.invoke(args=["token", "create", "judge_slip"]).output.strip()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["username"] == "judge_slip"


def test_every_signed_in_page_links_to_the_change_page(
    client: FlaskClient, login_as: Callable[..., Any]
) -> None:
    login_as("judge")
    html = client.get("/home").get_data(as_text=True)
    assert 'href="/account/password"' in html and "修改密码" in html
