"""Accounts: creation, authentication with lockout, passwords (one-time ones included), API
tokens.

A password change (the owner's or an admin's reset) and disabling an account end all of the
account's sign-in sessions (``sessions``) and revoke its API tokens: whoever held a copy of a
cookie or a token made while the old password was known loses it.

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

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from contest.extensions import db
from contest.models import ApiToken, Organization, Person, Role, User
from contest.models.base import utcnow
from contest.security.passwords import dummy_verify, hash_password, verify_password
from contest.services.core import audit, sessions
from contest.services.core.login_limits import LoginAttempt
from contest.services.core.usage import record_use
from contest.validation import text_problem

MIN_PASSWORD_LENGTH = 8
USERNAME_MAX = 64
# Read off paper and typed on a phone: lower case only, and none of 0/O/o, 1/l/I/i.
ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ONE_TIME_GROUPS, ONE_TIME_GROUP_SIZE = 3, 4  # "k7mx-49pq-tah3": 12 symbols, about 59 bits
TOKEN_NAME_MAX = 60
TOKEN_MAX_DAYS = 3650
TOKEN_PREFIX_LENGTH = 10  # "ct_" and 7 random characters: shown in lists, typed to revoke
TOKEN_TOUCH_SECONDS = 300


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
        raise AccountError(_("用户名不能为空，且不超过 64 个字符"))
    problem = text_problem(username)
    if problem:
        raise AccountError(problem)
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
        raise AccountError(_("除系统管理员外，每个账号都必须属于一个组织"))
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


def authenticate(username: str, password: str, address: str | None = None) -> LoginResult:
    """Check a password from a client at ``address``; after too many failures from that
    address for that account name, refuse it there for a while (``login_limits``).

    An unknown name and a wrong password fail alike, and so do their lockouts: the answer
    never tells whether an account exists.
    """
    username = username.strip()
    user = db.session.scalar(select(User).where(User.username == username))
    attempt = LoginAttempt(address, username, user.password_hash if user else None)
    if attempt.is_locked():
        return LoginResult(None, locked=True)
    if user is None:
        dummy_verify(password)
    if user is None or not user.is_enabled or not verify_password(user.password_hash, password):
        if not attempt.fail():
            return LoginResult(None)
        if user is not None:
            where = sessions.address_prefix(address) or "?"
            audit.record(
                None, "user.lock", "user", user.id, reason=f"too many failed logins from {where}"
            )
            db.session.flush()
        return LoginResult(None, locked=True)
    attempt.succeed()
    user.last_login_at = utcnow()
    db.session.flush()
    return LoginResult(user)


def _end_access(user: User) -> None:
    """End every sign-in session of ``user`` and revoke every API token."""
    sessions.end_all(user)
    revoke_all_tokens(user)


def set_password(
    actor: User | None, user: User, password: str, *, must_change: bool = False
) -> None:
    """Replace the password, which lifts lockouts (they are keyed on it), ends every session
    and revokes every API token of ``user``. ``must_change`` when someone other than the owner
    chose it (an admin's reset); an owner choosing their own clears the mark. An owner changing
    it in the browser signs in again there (``sessions.start``)."""
    check_password(password)
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    _end_access(user)
    audit.record(
        actor, "user.password", "user", user.id, after={"must_change_password": must_change}
    )
    db.session.flush()


def issue_one_time_password(actor: User | None, user: User) -> str:
    """Give ``user`` a new random password to hand over on a slip; returned once, never kept."""
    password = one_time_password()
    set_password(actor, user, password, must_change=True)
    return password


def set_enabled(actor: User | None, user: User, enabled: bool) -> bool:
    """Put ``user`` in the state ``enabled``; disabling ends its sessions and revokes its API
    tokens (enabling again brings none of them back). Returns whether anything changed: asking
    for the state the account already has — a double click, a resubmitted form, two admins at
    once — does nothing and records nothing, so a repeated 停用 never turns into 启用."""
    if user.is_enabled == enabled:
        return False
    before = _snapshot(user)
    user.is_enabled = enabled
    if not enabled:
        _end_access(user)
    audit.record(
        actor,
        "user.enable" if enabled else "user.disable",
        "user",
        user.id,
        before=before,
        after=_snapshot(user),
    )
    db.session.flush()
    return True


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    actor: User | None, user: User, *, name: str = "", expires_in_days: int | None = None
) -> str:
    """Create an API token for ``user``, named and expiring after ``expires_in_days`` (never
    when None); the plain token is returned once and never stored."""
    name = " ".join((name or "").split())
    if len(name) > TOKEN_NAME_MAX:
        raise AccountError(_("令牌名称不能超过 %(n)d 个字符", n=TOKEN_NAME_MAX))
    if expires_in_days is not None and not 1 <= expires_in_days <= TOKEN_MAX_DAYS:
        raise AccountError(_("有效期应为 1 到 %(n)d 天", n=TOKEN_MAX_DAYS))
    token = "ct_" + secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    row = ApiToken(
        user=user,
        token_hash=_digest(token),
        prefix=token[:TOKEN_PREFIX_LENGTH],
        name=name,
        expires_at=expires_at,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "token.create",
        "user",
        user.id,
        after={
            "prefix": row.prefix,
            "name": name,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token


def user_for_token(token: str) -> User | None:
    """The owner of a live token (not revoked, not expired, account enabled), else None.
    Its last use is recorded, at most every ``TOKEN_TOUCH_SECONDS``."""
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
    )
    now = utcnow()
    if row is None or row.is_expired(now) or not row.user.is_enabled:
        return None
    stale = now - timedelta(seconds=TOKEN_TOUCH_SECONDS)
    last = row.last_used_at
    if last is None or (last if last.tzinfo else last.replace(tzinfo=now.tzinfo)) < stale:
        record_use(
            update(ApiToken)
            .where(
                ApiToken.id == row.id,
                (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < stale),
            )
            .values(last_used_at=now)
        )
    return row.user


def tokens_of(user: User) -> list[ApiToken]:
    """Every token of ``user``, revoked and expired ones included, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def tokens_matching(text: str) -> list[ApiToken]:
    """Tokens named by ``text``: the whole token, or the start of its prefix as lists show it."""
    text = text.strip()
    if not text:
        return []
    if len(text) > TOKEN_PREFIX_LENGTH:
        row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(text)))
        return [row] if row is not None else []
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.prefix.startswith(text, autoescape=True))
            .order_by(ApiToken.id)
        )
    )


def revoke_token(actor: User | None, token: ApiToken) -> bool:
    """Revoke ``token`` (audited); False when it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.record(actor, "token.revoke", "user", token.user_id, after={"prefix": token.prefix})
    db.session.flush()
    return True


def revoke_all_tokens(user: User) -> int:
    """Revoke every live token of ``user``; how many (the caller audits why)."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)
