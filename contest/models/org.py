"""The union tree: 全总 → 省总 → 市总 → 区县总 → 乡镇(街道) → 基层/企业."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Enum, ForeignKey, Integer, String, select
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

    @property
    def label(self) -> str:
        return str(ORG_KIND_LABELS[self])


ORG_KIND_LABELS: dict[OrgKind, LazyString] = {
    OrgKind.NATIONAL: _l("全国总工会"),
    OrgKind.PROVINCIAL: _l("省总工会"),
    OrgKind.CITY: _l("市总工会"),
    OrgKind.DISTRICT: _l("区县总工会"),
    OrgKind.TOWNSHIP: _l("乡镇(街道)工会"),
    OrgKind.INDUSTRY: _l("产业工会"),
    OrgKind.GRASSROOTS: _l("基层工会"),
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
    def depth(self) -> int:
        return self.path.count("/") - 2 if self.path else 0

    def contains(self, other: Organization | None) -> bool:
        """True when ``other`` is this organisation or lies below it."""
        return other is not None and other.path.startswith(self.path)

    def subtree_ids_query(self):  # type: ignore[no-untyped-def]
        """A SELECT of the ids of this organisation and all below it (for IN clauses)."""
        return select(Organization.id).where(Organization.path.startswith(self.path))

    def ancestors(self) -> list[Organization]:
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        if not ids:
            return []
        rows = db.session.scalars(select(Organization).where(Organization.id.in_(ids))).all()
        by_id = {org.id: org for org in rows}
        return [by_id[i] for i in ids if i in by_id]
