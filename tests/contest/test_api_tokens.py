"""API tokens (#11 item 6): named, expiring, listed with their last use, revoked on the page, by
``contest token revoke`` and by a password change or a disable."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, update

from contest.models import ApiToken, AuditEntry
from contest.models.base import utcnow
from contest.services.core.users import TOKEN_TOUCH_SECONDS, create_token, set_enabled
from tests.conftest import PASSWORD

TOKEN = re.compile(r"ct_[A-Za-z0-9_-]{40,}")


@pytest.fixture
def user(make_user: Callable[..., Any]) -> Any:
    return make_user("judge", username="judge_li")


def api(client: FlaskClient, token: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def sign_in(client: FlaskClient, username: str = "judge_li") -> None:
    assert (
        client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    )


def test_a_user_makes_a_named_expiring_token_shown_once(
    db: Any, client: FlaskClient, user: Any
) -> None:
    sign_in(client)
    response = client.post("/account/tokens", data={"name": "评分平板 1 号", "expires": "30"})
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    token = TOKEN.search(response.get_data(as_text=True))
    assert token is not None
    assert api(client, token.group()) == 200
    row = db.session.scalar(select(ApiToken))
    assert row.name == "评分平板 1 号"
    assert (
        timedelta(days=29)
        < row.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
        <= timedelta(days=30)
    )
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert token.group() not in listing
    assert row.prefix in listing and "评分平板 1 号" in listing


def test_an_expired_token_is_refused(db: Any, client: FlaskClient, user: Any) -> None:
    token = create_token(None, user, name="大屏", expires_in_days=1)
    db.session.commit()
    assert api(client, token) == 200
    db.session.rollback()  # the request shared this session; its use was recorded apart
    db.session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert api(client, token) == 401
    sign_in(client)
    assert "已过期" in client.get("/account/tokens").get_data(as_text=True)


def test_a_token_revoked_on_the_page_is_refused_and_the_revocation_audited(
    db: Any, client: FlaskClient, user: Any
) -> None:
    token = create_token(None, user, name="旧平板")
    db.session.commit()
    row = db.session.scalar(select(ApiToken))
    sign_in(client)
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 302
    assert api(client, token) == 401
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "token.revoke" in actions


def test_someone_elses_token_cannot_be_revoked_or_seen(
    db: Any, client: FlaskClient, user: Any, make_user: Callable[..., Any]
) -> None:
    other = make_user("judge", username="judge_wang")
    token = create_token(None, other, name="王的平板")
    db.session.commit()
    row = db.session.scalar(select(ApiToken))
    sign_in(client)
    assert row.prefix not in client.get("/account/tokens").get_data(as_text=True)
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 404
    assert api(client, token) == 200


def test_a_password_change_revokes_every_token(db: Any, client: FlaskClient, user: Any) -> None:
    tokens = [create_token(None, user, name=f"t{n}") for n in range(2)]
    db.session.commit()
    sign_in(client)
    client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "another-secret-9", "confirm": "another-secret-9"},
    )
    assert [api(client, token) for token in tokens] == [401, 401]


def test_disabling_revokes_the_tokens_and_enabling_does_not_bring_them_back(
    db: Any, client: FlaskClient, user: Any
) -> None:
    token = create_token(None, user)
    db.session.commit()
    set_enabled(None, user, False)
    set_enabled(None, user, True)
    db.session.commit()
    assert api(client, token) == 401


def test_the_last_use_is_recorded_at_most_every_few_minutes_and_shown(
    db: Any, client: FlaskClient, user: Any
) -> None:
    token = create_token(None, user)
    db.session.commit()
    assert api(client, token) == 200
    db.session.rollback()  # the requests shared this session: read afresh
    first = db.session.scalar(select(ApiToken.last_used_at))
    assert first is not None
    assert api(client, token) == 200
    db.session.rollback()  # the requests shared this session: read afresh
    assert db.session.scalar(select(ApiToken.last_used_at)) == first  # not written again
    long_ago = utcnow() - timedelta(seconds=TOKEN_TOUCH_SECONDS + 60)
    db.session.execute(update(ApiToken).values(last_used_at=long_ago))
    db.session.commit()
    assert api(client, token) == 200
    db.session.rollback()  # the requests shared this session: read afresh
    latest = db.session.scalar(select(ApiToken.last_used_at))
    assert latest.replace(tzinfo=None) > long_ago.replace(tzinfo=None)
    sign_in(client)
    assert "从未使用" not in client.get("/account/tokens").get_data(as_text=True)


def test_an_admin_sees_and_revokes_a_users_tokens(
    db: Any, client: FlaskClient, user: Any, login_as: Callable[..., Any]
) -> None:
    token = create_token(None, user, name="集成")
    db.session.commit()
    row = db.session.scalar(select(ApiToken))
    login_as("admin")
    page = client.get(f"/admin/users/{user.id}/tokens")
    assert page.status_code == 200 and row.prefix in page.get_data(as_text=True)
    assert client.post(f"/admin/users/{user.id}/tokens/{row.id}/revoke").status_code == 302
    assert api(client, token) == 401


def test_a_users_token_page_is_closed_to_other_roles(
    db: Any, client: FlaskClient, user: Any, login_as: Callable[..., Any]
) -> None:
    login_as("organizer")
    assert client.get(f"/admin/users/{user.id}/tokens").status_code == 403


# ---------------------------------------------------------------- contest token …


def test_contest_token_create_list_and_revoke(
    db: Any, runner: FlaskCliRunner, client: FlaskClient, user: Any
) -> None:
    made = runner.invoke(args=["token", "create", "judge_li", "--name", "大屏", "--expires", "30"])
    assert made.exit_code == 0, made.output
    token = made.output.strip()
    assert TOKEN.fullmatch(token)
    listed = runner.invoke(args=["token", "list", "judge_li", "--json"])
    [row] = json.loads(listed.output)
    assert row["name"] == "大屏" and row["state"] == "active" and row["expires_at"]
    assert token not in listed.output
    revoked = runner.invoke(args=["token", "revoke", row["prefix"]])
    assert revoked.exit_code == 0, revoked.output
    assert api(client, token) == 401
    listed = runner.invoke(args=["token", "list", "--json"])
    assert json.loads(listed.output)[0]["state"] == "revoked"


def test_contest_token_revoke_refuses_an_unknown_or_ambiguous_prefix(
    db: Any, runner: FlaskCliRunner, user: Any
) -> None:
    for _ in range(2):
        assert runner.invoke(args=["token", "create", "judge_li"]).exit_code == 0
    ambiguous = runner.invoke(args=["token", "revoke", "ct_"])
    assert ambiguous.exit_code == 1 and "多个令牌" in ambiguous.output
    unknown = runner.invoke(args=["token", "revoke", "ct_nothing"])
    assert unknown.exit_code == 1 and "没有" in unknown.output
    assert db.session.scalar(select(ApiToken).where(ApiToken.revoked_at.is_not(None))) is None


def test_a_bad_expiry_or_name_is_refused_and_makes_no_token(
    db: Any, runner: FlaskCliRunner, client: FlaskClient, user: Any
) -> None:
    result = runner.invoke(args=["token", "create", "judge_li", "--expires", "0"])
    assert result.exit_code == 1 and "有效期" in result.output
    sign_in(client)
    page = client.post("/account/tokens", data={"name": "名" * 61, "expires": "30"})
    assert "令牌名称不能超过 60 个字符" in page.get_data(as_text=True)
    assert client.post("/account/tokens", data={"expires": "7"}).status_code == 200
    assert db.session.scalar(select(ApiToken)) is None
