"""Accounts, roles and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime
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

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS: dict[Role, LazyString] = {
    Role.ADMIN: _l("系统管理员"),
    Role.ORGANIZER: _l("组织者"),
    Role.JUDGE: _l("评委"),
    Role.RECOMMENDER: _l("推荐单位"),
    Role.REVIEWER: _l("评审专家"),
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
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when the password was handed over by someone else (a printed one-time slip, an admin
    # reset): the account must choose its own before it can do anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)

    organization: Mapped[Organization | None] = relationship()
    person: Mapped[Person | None] = relationship()
    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role.value}>"

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot log in
        return self.is_enabled

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def is_locked(self, now: datetime | None = None) -> bool:
        if self.locked_until is None:
            return False
        locked = self.locked_until
        if locked.tzinfo is None:  # SQLite returns naive datetimes
            from datetime import UTC

            locked = locked.replace(tzinfo=UTC)
        return locked > (now or utcnow())

    def can_manage_org(self, org: Organization | None) -> bool:
        """Admins manage everything; others only their organisation and what is below it."""
        if self.role is Role.ADMIN:
            return True
        if org is None or self.organization is None:
            return False
        return self.organization.contains(org)


class ApiToken(TimestampMixin, db.Model):
    """A bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="tokens")

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… user={self.user_id}>"
