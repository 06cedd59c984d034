"""Honors: every title conferred on a person, a unit (奖状) or a team (先锋号).

Whatever created it — an imported historical roster, a contest's placings or a nomination
campaign — an honor is one row here, and the public wall reads only this table (through
``contest.services.honors.wall``, which hands templates public fields only).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Date, DateTime, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.base import TimestampMixin, utcnow

if TYPE_CHECKING:
    from contest.models.org import Organization
    from contest.models.person import Person


class HonorLevel(enum.Enum):
    """Ordered from the highest; ``rank`` drives the wall's default ordering."""

    NATIONAL = "national"  # 全国
    PROVINCIAL = "provincial"  # 省部级
    CITY = "city"  # 地市级
    DISTRICT = "district"  # 区县级
    ENTERPRISE = "enterprise"  # 企业级

    @property
    def rank(self) -> int:
        return list(HonorLevel).index(self)

    @property
    def label(self) -> str:
        return str(HONOR_LEVEL_LABELS[self])


HONOR_LEVEL_LABELS: dict[HonorLevel, LazyString] = {
    HonorLevel.NATIONAL: _l("全国"),
    HonorLevel.PROVINCIAL: _l("省部级"),
    HonorLevel.CITY: _l("地市级"),
    HonorLevel.DISTRICT: _l("区县级"),
    HonorLevel.ENTERPRISE: _l("企业级"),
}


class RecipientKind(enum.Enum):
    PERSON = "person"
    UNIT = "unit"  # 五一劳动奖状, 先进集体
    TEAM = "team"  # 工人先锋号, 先进班组


class HonorSource(enum.Enum):
    ROSTER = "roster"  # imported historical roster
    CONTEST = "contest"
    CAMPAIGN = "campaign"
    MANUAL = "manual"
    LABOR = "labor"  # a labor competition's title or a union rating's grade


class HonorStatus(enum.Enum):
    VALID = "valid"
    REVOKED = "revoked"


class Honor(TimestampMixin, db.Model):
    __tablename__ = "honors"
    __table_args__ = (
        Index("ix_honors_wall_order", "status", "level_rank", "year", "sort_key"),
        Index("ix_honors_person_year", "person_id", "year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_kind: Mapped[RecipientKind] = mapped_column(
        Enum(RecipientKind, native_enum=False, length=10), default=RecipientKind.PERSON
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    # What the roster printed at the time of the honor (the unit may since have been renamed).
    recipient_name: Mapped[str] = mapped_column(String(200))  # person, unit or team name
    unit_name: Mapped[str | None] = mapped_column(String(200))
    post: Mapped[str | None] = mapped_column(String(100))
    skill_level: Mapped[str | None] = mapped_column(String(60))
    trade: Mapped[str | None] = mapped_column(String(60))  # 工种 of a contest title
    industry: Mapped[str | None] = mapped_column(String(60), index=True)
    title: Mapped[str] = mapped_column(String(100), index=True)
    level: Mapped[HonorLevel] = mapped_column(Enum(HonorLevel, native_enum=False, length=12))
    level_rank: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer, index=True)
    conferring_body: Mapped[str | None] = mapped_column(String(200))  # 授予机关
    document_number: Mapped[str | None] = mapped_column(String(100))  # 文号
    conferred_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[HonorSource] = mapped_column(
        Enum(HonorSource, native_enum=False, length=10), default=HonorSource.ROSTER
    )
    source_ref: Mapped[str | None] = mapped_column(String(100))  # e.g. "contest:12"
    status: Mapped[HonorStatus] = mapped_column(
        Enum(HonorStatus, native_enum=False, length=10), default=HonorStatus.VALID
    )
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A title that lapses unless renewed (a union rating's grade is re-rated yearly): after this
    # day it leaves the wall, though the record stays.  None: the honor does not lapse.
    valid_until: Mapped[date | None] = mapped_column(Date)
    deeds_summary: Mapped[str | None] = mapped_column(String(500))  # 事迹 ≤ 500 characters
    deeds_full: Mapped[str | None] = mapped_column(Text)
    # Pinyin of the recipient's name: union lists order names this way.
    sort_key: Mapped[str] = mapped_column(String(400), default="")
    # Name, unit and title in one column for substring search (any engine, any character).
    search_text: Mapped[str] = mapped_column(Text, default="")

    person: Mapped[Person | None] = relationship()
    organization: Mapped[Organization | None] = relationship()

    def __repr__(self) -> str:
        return f"<Honor {self.id} {self.title} {self.year}>"

    @property
    def is_revoked(self) -> bool:
        return self.status is HonorStatus.REVOKED

    @property
    def display_title(self) -> str:
        return title_with_trade(self.title, self.trade)


def title_with_trade(title: str, trade: str | None) -> str:
    """ "江州市技术能手(数控车工)": a contest title names the 工种 it was won in."""
    return f"{title}({trade})" if trade else title


class ContentVersion(db.Model):
    """A counter per kind of public content, bumped in the same transaction as every change.

    Every process (each server worker, the CLI) reads it to key its caches, so a change made
    anywhere shows on the wall within the version check interval.
    """

    __tablename__ = "content_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
