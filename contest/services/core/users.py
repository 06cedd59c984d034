"""Accounts: creation, authentication with lockout, passwords (one-time ones included), API
tokens.

A one-time password is one an account did not choose: it was printed on a slip for a new judge
or issued by an admin's reset. Whoever handled the slip knows it, so the account is marked
``must_change_password`` and can do nothing else until its owner has chosen a password (the
auth area enforces that). The plain one-time password is returned to the caller once and never
stored, logged or audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from contest.extensions import db
from contest.models import ApiToken, Organization, Person, Role, User
from contest.models.base import utcnow
from contest.security.passwords import dummy_verify, hash_password, verify_password
from contest.services.core import audit

MIN_PASSWORD_LENGTH = 8
USERNAME_MAX = 64
# Read off paper and typed on a phone: lower case only, and none of 0/O/o, 1/l/I/i.
ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ONE_TIME_GROUPS, ONE_TIME_GROUP_SIZE = 3, 4  # "k7mx-49pq-tah3": 12 symbols, about 59 bits


class AccountError(ValueError):
    """A refused account operation; the message is translated and safe to show."""


def _snapshot(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "role": user.role.value,
        "organization_id": user.organization_id,
        "is_enabled": user.is_enabled,
        "person_id": user.person_id,
        "must_change_password": user.must_change_password,
    }


def clean_username(username: str) -> str:
    """The username as stored (stripped); refused when empty or too long."""
    username = username.strip()
    if not username or len(username) > USERNAME_MAX:
        raise AccountError(_("用户名不能为空,且不超过 64 个字符"))
    return username


def check_password(password: str) -> None:
    """The rules every password must pass, chosen or issued."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("密码至少需要 %(n)d 个字符", n=MIN_PASSWORD_LENGTH))


def one_time_password() -> str:
    """A random password meant to be printed, read and typed once."""
    return "-".join(
        "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(ONE_TIME_GROUP_SIZE))
        for _ in range(ONE_TIME_GROUPS)
    )


def create_user(
    actor: User | None,
    username: str,
    password: str,
    role: Role,
    organization: Organization | None = None,
    display_name: str | None = None,
    *,
    person: Person | None = None,
    must_change_password: bool = False,
) -> User:
    username = clean_username(username)
    check_password(password)
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
        person=person,
        must_change_password=must_change_password,
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


def set_password(
    actor: User | None, user: User, password: str, *, must_change: bool = False
) -> None:
    """Replace the password and lift a lockout. ``must_change`` when someone other than the
    owner chose it (an admin's reset); an owner choosing their own clears the mark."""
    check_password(password)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.must_change_password = must_change
    audit.record(
        actor, "user.password", "user", user.id, after={"must_change_password": must_change}
    )
    db.session.flush()


def issue_one_time_password(actor: User | None, user: User) -> str:
    """Give ``user`` a new random password to hand over on a slip; returned once, never kept."""
    password = one_time_password()
    set_password(actor, user, password, must_change=True)
    return password


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
