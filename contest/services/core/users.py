"""Accounts: creation, authentication with lockout, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from contest.extensions import db
from contest.models import ApiToken, Organization, Role, User
from contest.models.base import utcnow
from contest.security.passwords import dummy_verify, hash_password, verify_password
from contest.services.core import audit

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A refused account operation; the message is translated and safe to show."""


def _snapshot(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "role": user.role.value,
        "organization_id": user.organization_id,
        "is_enabled": user.is_enabled,
    }


def create_user(
    actor: User | None,
    username: str,
    password: str,
    role: Role,
    organization: Organization | None = None,
    display_name: str | None = None,
) -> User:
    username = username.strip()
    if not username or len(username) > 64:
        raise AccountError(_("用户名不能为空,且不超过 64 个字符"))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("密码至少需要 %(n)d 个字符", n=MIN_PASSWORD_LENGTH))
    if role is not Role.ADMIN and organization is None:
        raise AccountError(_("除系统管理员外,每个账号都必须属于一个组织"))
    exists = db.session.scalar(
        select(func.count()).select_from(User).where(User.username == username)
    )
    if exists:
        raise AccountError(_("用户名“%(name)s”已存在", name=username))
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        organization=organization,
        display_name=display_name,
        is_enabled=True,
        failed_logins=0,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, after=_snapshot(user))
    return user


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    locked: bool = False


def authenticate(username: str, password: str) -> LoginResult:
    """Check a password; count failures and lock the account after too many.

    The same generic failure is reported for an unknown user and a wrong password.
    """
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        dummy_verify(password)
        return LoginResult(None)
    if user.is_locked():
        return LoginResult(None, locked=True)
    if not user.is_enabled or not verify_password(user.password_hash, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = utcnow() + timedelta(
                minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"]
            )
            user.failed_logins = 0
            audit.record(None, "user.lock", "user", user.id, reason="too many failed logins")
            db.session.flush()
            return LoginResult(None, locked=True)
        db.session.flush()
        return LoginResult(None)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    db.session.flush()
    return LoginResult(user)


def set_password(actor: User | None, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("密码至少需要 %(n)d 个字符", n=MIN_PASSWORD_LENGTH))
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(actor, "user.password", "user", user.id)
    db.session.flush()


def set_enabled(actor: User | None, user: User, enabled: bool) -> None:
    before = _snapshot(user)
    user.is_enabled = enabled
    audit.record(
        actor,
        "user.enable" if enabled else "user.disable",
        "user",
        user.id,
        before=before,
        after=_snapshot(user),
    )
    db.session.flush()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(actor: User | None, user: User) -> str:
    """Create an API token for ``user``; the plain token is returned once and never stored."""
    token = "ct_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=_digest(token), prefix=token[:10]))
    audit.record(actor, "token.create", "user", user.id, after={"prefix": token[:10]})
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.is_enabled:
        return None
    return row.user
