"""Sign-in sessions the server can end (我的登录设备).

Each sign-in is a :class:`~contest.models.LoginSession` row holding the SHA-256 of a random
secret. Flask-Login keeps that secret (``User.get_id``) in the signed session cookie and, with
记住我, in the remember-me cookie; loading the user looks the row up, so a cookie works only
while its session is live:

- logout ends the session it was made in;
- a password change, disabling the account and 退出其他设备 end all of a user's sessions (the
  last one keeps the session it was asked from); the remember-me cookies die with them;
- a session nobody used for a while ends by itself: ``LOGIN_SESSION_IDLE_HOURS`` without
  记住我, the remember-me cookie's own lifetime (``REMEMBER_COOKIE_DURATION``) with it.

The row keeps what lets the user recognise a sign-in on the 我的登录设备 page: when, a browser
and system summary of the User-Agent, the network as an address prefix (/24 for IPv4, /48 for
IPv6), and when it was last used (written at most every ``TOUCH_SECONDS``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import joinedload
from ua_parser import parse as parse_user_agent

from contest.extensions import db
from contest.models import LoginSession, User
from contest.models.base import utcnow
from contest.services.core import audit
from contest.services.core.usage import record_use

TOUCH_SECONDS = 300
DEVICE_MAX = 120
# Flask-Login's own default lifetime of the remember-me cookie.
DEFAULT_REMEMBER = timedelta(days=365)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=utcnow().tzinfo)


def device_summary(user_agent: str | None) -> str:
    """ "Chrome 120 · Windows 10" from a User-Agent header; its first word when not a browser."""
    text = "".join(ch for ch in (user_agent or "")[:512] if ch.isprintable()).strip()
    if not text:
        return ""
    result = parse_user_agent(text)
    parts = []
    if result.user_agent is not None:
        parts.append(f"{result.user_agent.family} {result.user_agent.major or ''}".strip())
    if result.os is not None:
        parts.append(f"{result.os.family} {result.os.major or ''}".strip())
    return (" · ".join(parts) or text.split()[0])[:DEVICE_MAX]


def address_prefix(address: str | None) -> str:
    """The network a client address belongs to (/24, /48), or "" when there is none."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    bits = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))


def _remember_lifetime() -> timedelta:
    value = current_app.config.get("REMEMBER_COOKIE_DURATION", DEFAULT_REMEMBER)
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def idle_limit(session: LoginSession) -> timedelta:
    """How long ``session`` may go unused before it ends by itself."""
    if session.remember:
        return _remember_lifetime()
    return timedelta(hours=float(current_app.config.get("LOGIN_SESSION_IDLE_HOURS", 12)))


def is_live(session: LoginSession, now: datetime | None = None) -> bool:
    if session.revoked_at is not None:
        return False
    return _aware(session.last_seen_at) + idle_limit(session) > (now or utcnow())


def start(user: User, *, remember: bool, user_agent: str | None, address: str | None) -> str:
    """Open a session for ``user`` on this device; returns its secret (also set as the user's
    ``login_key``, so ``login_user`` puts it in the cookies). Ended and long-expired sessions of
    the user are removed on the way."""
    now = utcnow()
    db.session.execute(
        delete(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            or_(
                LoginSession.revoked_at.is_not(None),
                LoginSession.last_seen_at < now - _remember_lifetime(),
            ),
        )
        .execution_options(synchronize_session="fetch")
    )
    key = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            user_id=user.id,
            key_hash=_digest(key),
            remember=remember,
            user_agent=device_summary(user_agent),
            ip_prefix=address_prefix(address),
            created_at=now,
            last_seen_at=now,
        )
    )
    db.session.flush()
    user.login_key = key
    return key


def user_for_key(key: str) -> User | None:
    """The user of a live session, or None (unknown, ended, idle too long, account disabled)."""
    session = db.session.scalar(
        select(LoginSession)
        .where(LoginSession.key_hash == _digest(key))
        .options(joinedload(LoginSession.user))
    )
    now = utcnow()
    if session is None or not is_live(session, now) or not session.user.is_enabled:
        return None
    if now - _aware(session.last_seen_at) > timedelta(seconds=TOUCH_SECONDS):
        record_use(
            update(LoginSession)
            .where(
                LoginSession.id == session.id,
                LoginSession.last_seen_at < now - timedelta(seconds=TOUCH_SECONDS),
            )
            .values(last_seen_at=now)
        )
    user = session.user
    user.login_key = key
    return user


def current_session(user: User) -> LoginSession | None:
    """The session ``user`` was loaded through in this request."""
    if not user.login_key:
        return None
    return db.session.scalar(
        select(LoginSession).where(LoginSession.key_hash == _digest(user.login_key))
    )


def live_sessions(user: User) -> list[LoginSession]:
    """The user's sessions that still work, most recently used first."""
    now = utcnow()
    rows = db.session.scalars(
        select(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
        )
    )
    live = [row for row in rows if is_live(row, now)]
    return sorted(live, key=lambda row: (_aware(row.last_seen_at), row.id), reverse=True)


def end(key: str | None) -> None:
    """Logout: end the session whose secret is ``key`` (nothing when there is none)."""
    if not key:
        return
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.key_hash == _digest(key), LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )


def end_all(user: User, *, keep: str | None = None) -> int:
    """End every session of ``user`` but the one whose secret is ``keep``; how many ended."""
    query = (
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if keep:
        query = query.where(LoginSession.key_hash != _digest(keep))
    result = db.session.execute(query.execution_options(synchronize_session="fetch"))
    return int(getattr(result, "rowcount", 0) or 0)


def end_other_sessions(user: User) -> int:
    """退出其他设备: end every session of ``user`` but the current one (audited)."""
    ended = end_all(user, keep=user.login_key)
    audit.record(user, "user.sessions_end", "user", user.id, after={"sessions_ended": ended})
    db.session.flush()
    return ended


def end_session(user: User, session_id: int) -> bool:
    """End one of ``user``'s own sessions (a row of 我的登录设备; audited); False when it is
    not theirs or already ended."""
    result = db.session.execute(
        update(LoginSession)
        .where(
            LoginSession.id == session_id,
            LoginSession.user_id == user.id,
            LoginSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if not getattr(result, "rowcount", 0):
        return False
    audit.record(user, "user.sessions_end", "user", user.id, after={"sessions_ended": 1})
    db.session.flush()
    return True
