"""The union tree: 全总 → 省总 → 市总 → 区县总 → 乡镇(街道) → 基层/企业."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Boolean, Date, DateTime, Enum, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.base import TimestampMixin

if TYPE_CHECKING:
    from contest.models.person import Person


class OrgKind(enum.Enum):
    NATIONAL = "national"  # 全国总工会
    PROVINCIAL = "provincial"  # 省总工会
    CITY = "city"  # 市总工会
    DISTRICT = "district"  # 区县总工会
    TOWNSHIP = "township"  # 乡镇(街道)工会
    INDUSTRY = "industry"  # 产业工会
    GRASSROOTS = "grassroots"  # 基层工会 / 企业工会
    JOINT = "joint"  # 联合工会 (区域性、行业性 unions of small employers)

    @property
    def label(self) -> str:
        return str(ORG_KIND_LABELS[self])


ORG_KIND_LABELS: dict[OrgKind, LazyString] = {
    OrgKind.NATIONAL: _l("全国总工会"),
    OrgKind.PROVINCIAL: _l("省总工会"),
    OrgKind.CITY: _l("市总工会"),
    OrgKind.DISTRICT: _l("区县总工会"),
    OrgKind.TOWNSHIP: _l("乡镇（街道）工会"),
    OrgKind.INDUSTRY: _l("产业工会"),
    OrgKind.GRASSROOTS: _l("基层工会"),
    OrgKind.JOINT: _l("联合工会"),
}


class Ownership(enum.Enum):
    """所有制 of the employer a union belongs to: the 非公 share of a nomination slate counts it."""

    STATE = "state"  # 国有
    COLLECTIVE = "collective"  # 集体
    NON_PUBLIC = "non_public"  # 非公有制
    PUBLIC_SECTOR = "public_sector"  # 机关事业

    @property
    def label(self) -> str:
        return str(OWNERSHIP_LABELS[self])


OWNERSHIP_LABELS: dict[Ownership, LazyString] = {
    Ownership.STATE: _l("国有"),
    Ownership.COLLECTIVE: _l("集体"),
    Ownership.NON_PUBLIC: _l("非公有制"),
    Ownership.PUBLIC_SECTOR: _l("机关事业"),
}


class Organization(TimestampMixin, db.Model):
    """A union organisation. ``path`` ("/1/4/17/") makes "this and everything below" one
    indexed prefix query, which every scoped permission check relies on."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[OrgKind] = mapped_column(Enum(OrgKind, native_enum=False, length=20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    path: Mapped[str] = mapped_column(String(400), default="", index=True)
    industry: Mapped[str | None] = mapped_column(String(60))
    region: Mapped[str | None] = mapped_column(String(60))
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    # The employer a grassroots union belongs to (results and certificates name the employer).
    employer: Mapped[str | None] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    ownership: Mapped[Ownership | None] = mapped_column(
        Enum(Ownership, native_enum=False, length=20)
    )
    is_key_industry: Mapped[bool] = mapped_column(Boolean, default=False)  # 重点产业
    headcount: Mapped[int | None] = mapped_column(Integer)  # 职工人数
    member_count: Mapped[int | None] = mapped_column(Integer)  # 会员人数
    counted_on: Mapped[date | None] = mapped_column(Date)  # the day both figures were counted
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_reason: Mapped[str | None] = mapped_column(String(200))

    parent: Mapped[Organization | None] = relationship(
        remote_side="Organization.id", back_populates="children"
    )
    children: Mapped[list[Organization]] = relationship(
        back_populates="parent", order_by="Organization.id"
    )
    members: Mapped[list[Person]] = relationship(back_populates="organization")

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name}>"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2 if self.path else 0

    def contains(self, other: Organization | None) -> bool:
        """True when ``other`` is this organisation or lies below it."""
        return other is not None and other.path.startswith(self.path)

    def subtree_ids_query(self):  # type: ignore[no-untyped-def]
        """A SELECT of the ids of this organisation and all below it (for IN clauses)."""
        return select(Organization.id).where(Organization.path.startswith(self.path))

    @property
    def path_ids(self) -> list[int]:
        """The ids from the top of the tree down to this organisation: sorting by it lists
        parents before children (a string sort of ``path`` would put /1/10/ before /1/2/)."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestors(self) -> list[Organization]:
        ids = self.path_ids
        if not ids:
            return []
        rows = db.session.scalars(select(Organization).where(Organization.id.in_(ids))).all()
        by_id = {org.id: org for org in rows}
        return [by_id[i] for i in ids if i in by_id]
