"""Accounts, roles, sign-in sessions and API tokens."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.base import TimestampMixin, utcnow

if TYPE_CHECKING:
    from contest.models.org import Organization
    from contest.models.person import Person


class Role(enum.Enum):
    ADMIN = "admin"
    ORGANIZER = "organizer"
    JUDGE = "judge"
    RECOMMENDER = "recommender"
    REVIEWER = "reviewer"
    CARE = "care"  # 劳模服务: the 劳模 archive and care records of a union subtree

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS: dict[Role, LazyString] = {
    Role.ADMIN: _l("系统管理员"),
    Role.ORGANIZER: _l("组织者"),
    Role.JUDGE: _l("评委"),
    Role.RECOMMENDER: _l("推荐单位"),
    Role.REVIEWER: _l("评审专家"),
    Role.CARE: _l("劳模服务"),
}


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The worker behind the account, when known (judges created from a sheet): their phone and
    # other personal data live, encrypted, on the person, never on the account.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when the password was handed over by someone else (a printed one-time slip, an admin
    # reset): the account must choose its own before it can do anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)

    organization: Mapped[Organization | None] = relationship()
    person: Mapped[Person | None] = relationship()
    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[LoginSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role.value}>"

    @property
    def login_key(self) -> str | None:
        """The secret of the sign-in session this object was loaded through (set by
        ``contest.services.core.sessions``, never stored); ``None`` when loaded by an API token.
        """
        return self.__dict__.get("_login_key")

    @login_key.setter
    def login_key(self, key: str | None) -> None:
        self.__dict__["_login_key"] = key

    def get_id(self) -> str:
        """Flask-Login's id, kept in the session and the remember-me cookie: the sign-in
        session's secret, never the row id, so that either cookie names one session the server
        can end. Without a session (an API call) it names none, and a cookie made from it
        would load nobody: it fails closed."""
        return self.login_key or f"no-session:{self.id}"

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot log in
        return self.is_enabled

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def can_manage_org(self, org: Organization | None) -> bool:
        """Admins manage everything; others only their organisation and what is below it."""
        if self.role is Role.ADMIN:
            return True
        if org is None or self.organization is None:
            return False
        return self.organization.contains(org)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes (stored as UTC); PostgreSQL aware ones."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


class ApiToken(TimestampMixin, db.Model):
    """A bearer token; only its SHA-256 digest is stored. It works until it is revoked (by its
    owner, an admin, ``contest token revoke``, a password change or disabling the account) or
    its expiry passes."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(60), default="", server_default="")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Written at most every few minutes (contest.services.core.tokens), not on every call.
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="tokens")

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… user={self.user_id}>"

    def is_expired(self, now: datetime | None = None) -> bool:
        expires = _aware(self.expires_at)
        return expires is not None and expires <= (now or utcnow())

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and not self.is_expired()


class LoginSession(db.Model):
    """One sign-in of a user on one device: what logout, a password change, disabling the
    account and 退出其他设备 end on the server, whatever copies of its cookies exist.

    Only the SHA-256 of the session's secret is stored; the secret itself travels in the signed
    session cookie and, with 记住我, in the remember-me cookie. The device is kept as a short
    browser/system summary and the network as an address prefix (/24, /48), enough for the user
    to recognise a sign-in, not to locate anyone.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    user_agent: Mapped[str] = mapped_column(String(120), default="")
    ip_prefix: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Written at most every few minutes (contest.services.core.sessions), not on every page.
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="sessions")

    def __repr__(self) -> str:
        return f"<LoginSession {self.id} user={self.user_id}>"
