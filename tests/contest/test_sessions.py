"""Sign-in sessions end on the server (#11 item 5): a copy of the session or remember-me cookie
stops working at logout, a password change, a disable or 退出其他设备; the user sees their own
sign-ins on 我的登录设备."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from contest.models import LoginSession
from contest.models.base import utcnow
from contest.services.core.users import set_enabled, set_password
from tests.conftest import PASSWORD

CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


@pytest.fixture
def user(make_user: Callable[..., Any]) -> Any:
    return make_user("organizer", username="wangfang")


def sign_in(client: FlaskClient, username: str = "wangfang", remember: bool = False) -> None:
    data = {"username": username, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302


def signed_in(client: FlaskClient) -> bool:
    return client.get("/home").status_code == 200


def cookie(client: FlaskClient, name: str) -> str:
    found = client.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


def client_with(app: Flask, **cookies: str) -> FlaskClient:
    """A new browser holding copies of some cookies (and nothing else)."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


# ---------------------------------------------------------------- copies of cookies


def test_a_session_cookie_copied_before_logout_is_refused_after_it(
    app: Flask, client: FlaskClient, user: Any
) -> None:
    sign_in(client)
    copied = cookie(client, "session")
    assert signed_in(client_with(app, session=copied))
    client.post("/logout")
    assert not signed_in(client_with(app, session=copied))


def test_a_remember_cookie_copied_before_logout_is_refused_after_it(
    app: Flask, client: FlaskClient, user: Any
) -> None:
    sign_in(client, remember=True)
    copied = cookie(client, "remember_token")
    assert signed_in(client_with(app, remember_token=copied))  # it works from any browser…
    client.post("/logout")
    assert not signed_in(client_with(app, remember_token=copied))  # …until logout


def test_a_password_change_ends_every_other_session_and_remember_cookie(
    app: Flask, client: FlaskClient, user: Any
) -> None:
    other = app.test_client()
    sign_in(other, remember=True)
    copied = {
        "session": cookie(other, "session"),
        "remember_token": cookie(other, "remember_token"),
    }
    sign_in(client, remember=True)
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "a-brand-new-one-1", "confirm": "a-brand-new-one-1"},
    )
    assert response.status_code == 302
    assert not signed_in(other)
    assert not signed_in(client_with(app, **copied))
    assert not signed_in(client_with(app, remember_token=copied["remember_token"]))
    # The browser that changed it stays signed in, with a new remember-me cookie that works.
    assert signed_in(client)
    assert signed_in(client_with(app, remember_token=cookie(client, "remember_token")))


def test_an_admin_password_reset_ends_the_users_sessions(
    app: Flask, db: Any, client: FlaskClient, user: Any
) -> None:
    sign_in(client, remember=True)
    copied = cookie(client, "remember_token")
    set_password(None, user, "reset-by-admin-1", must_change=True)
    db.session.commit()
    assert not signed_in(client)
    assert not signed_in(client_with(app, remember_token=copied))


def test_a_disabled_account_stays_signed_out_when_enabled_again(
    app: Flask, db: Any, client: FlaskClient, user: Any
) -> None:
    sign_in(client, remember=True)
    copied = {
        "session": cookie(client, "session"),
        "remember_token": cookie(client, "remember_token"),
    }
    set_enabled(None, user, False)
    db.session.commit()
    set_enabled(None, user, True)
    db.session.commit()
    assert not signed_in(client)
    assert not signed_in(client_with(app, remember_token=copied["remember_token"]))
    sign_in(client)  # a new sign-in works again
    assert signed_in(client)


def test_the_cookies_carry_a_session_secret_stored_only_as_a_digest(
    db: Any, client: FlaskClient, user: Any
) -> None:
    sign_in(client)
    with client.session_transaction() as session:
        secret = session["_user_id"]
    assert secret != str(user.id)
    row = db.session.scalar(select(LoginSession))
    assert row.user_id == user.id
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()


def test_a_cookie_naming_a_bare_user_id_signs_nobody_in(client: FlaskClient, user: Any) -> None:
    """What every cookie held before sessions were kept on the server."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert not signed_in(client)


def test_a_session_unused_too_long_ends_by_itself_but_a_remembered_one_lasts(
    app: Flask, db: Any, user: Any
) -> None:
    short, remembered = app.test_client(), app.test_client()
    sign_in(short)
    sign_in(remembered, remember=True)
    idle = timedelta(hours=app.config["LOGIN_SESSION_IDLE_HOURS"] + 1)
    db.session.execute(update(LoginSession).values(last_seen_at=utcnow() - idle))
    db.session.commit()
    assert not signed_in(short)
    assert signed_in(remembered)


# ---------------------------------------------------------------- 我的登录设备


def test_ending_the_other_devices_keeps_this_one(
    app: Flask, db: Any, client: FlaskClient, user: Any, make_user: Callable[..., Any]
) -> None:
    make_user("judge", username="someone-else")
    phone, tablet, stranger = app.test_client(), app.test_client(), app.test_client()
    sign_in(phone, remember=True)
    sign_in(tablet)
    sign_in(stranger, "someone-else")
    sign_in(client)
    response = client.post("/account/sessions/others/end", follow_redirects=True)
    assert "已退出其他 2 台设备上的登录" in response.get_data(as_text=True)
    assert signed_in(client)
    assert not signed_in(phone) and not signed_in(tablet)
    assert signed_in(stranger)  # another user's sessions are theirs


def test_the_device_list_shows_the_users_own_sign_ins_and_marks_this_one(
    app: Flask, db: Any, client: FlaskClient, user: Any, make_user: Callable[..., Any]
) -> None:
    make_user("judge", username="someone-else")
    laptop = app.test_client()
    laptop.environ_base["HTTP_USER_AGENT"] = CHROME_ON_WINDOWS
    sign_in(laptop)
    stranger = app.test_client()
    stranger.environ_base["HTTP_USER_AGENT"] = FIREFOX_ON_LINUX
    sign_in(stranger, "someone-else")
    sign_in(client)
    html = client.get("/account/sessions").get_data(as_text=True)
    table = html.split('id="sessions"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr") == 3  # the header and two sign-ins
    assert "Chrome 120 · Windows 10" in table
    assert "127.0.0.0/24" in table
    assert "Firefox" not in table
    assert table.count('aria-current="true"') == 1 and "本设备" in table


def test_one_other_device_can_be_signed_out_but_not_someone_elses(
    app: Flask, db: Any, client: FlaskClient, user: Any, make_user: Callable[..., Any]
) -> None:
    make_user("judge", username="someone-else")
    tablet, stranger = app.test_client(), app.test_client()
    sign_in(tablet)  # the user's first session
    sign_in(stranger, "someone-else")
    sign_in(client)
    rows = db.session.scalars(select(LoginSession).order_by(LoginSession.id)).all()
    tablets, theirs = rows[0].id, rows[1].id
    assert client.post(f"/account/sessions/{theirs}/end").status_code == 404
    assert signed_in(stranger)
    assert client.post(f"/account/sessions/{tablets}/end").status_code == 302
    assert not signed_in(tablet) and signed_in(client)


def test_the_device_list_needs_a_sign_in(client: FlaskClient, db: Any) -> None:
    assert client.get("/account/sessions").headers["Location"].startswith("/login")
