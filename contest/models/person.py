"""People: workers, competitors, nominees, honorees.

身份证号 and phone are stored only encrypted (``*_encrypted``) plus a keyed digest for lookups;
the plain values are reachable only through :meth:`Person.reveal_id_number` and
:meth:`Person.reveal_phone`, which the admin area alone calls.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Boolean, Date, DateTime, Enum, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.base import TimestampMixin
from contest.security import crypto

if TYPE_CHECKING:
    from contest.models.org import Organization


class Gender(enum.Enum):
    MALE = "male"
    FEMALE = "female"


GENDER_LABELS: dict[Gender, LazyString] = {Gender.MALE: _l("男"), Gender.FEMALE: _l("女")}


class WorkerCategory(enum.Enum):
    """Categories the slate composition rules count (DOMAIN.md §19)."""

    INDUSTRIAL = "industrial"  # 产业工人
    FRONTLINE = "frontline"  # 一线职工
    TECHNICAL = "technical"  # 专业技术人员
    SCIENCE_EDUCATION = "science_education"  # 科教人员
    MIGRANT = "migrant"  # 农民工
    ENTERPRISE_HEAD = "enterprise_head"  # 企业负责人
    OFFICIAL = "official"  # 机关干部

    @property
    def label(self) -> str:
        return str(WORKER_CATEGORY_LABELS[self])


WORKER_CATEGORY_LABELS: dict[WorkerCategory, LazyString] = {
    WorkerCategory.INDUSTRIAL: _l("产业工人"),
    WorkerCategory.FRONTLINE: _l("一线职工"),
    WorkerCategory.TECHNICAL: _l("专业技术人员"),
    WorkerCategory.SCIENCE_EDUCATION: _l("科教人员"),
    WorkerCategory.MIGRANT: _l("农民工"),
    WorkerCategory.ENTERPRISE_HEAD: _l("企业负责人"),
    WorkerCategory.OFFICIAL: _l("机关干部"),
}


class Person(TimestampMixin, db.Model):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), index=True)
    gender: Mapped[Gender | None] = mapped_column(Enum(Gender, native_enum=False, length=10))
    ethnicity: Mapped[str | None] = mapped_column(String(20))  # 民族
    birth_date: Mapped[date | None] = mapped_column(Date)
    id_number_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    phone_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    occupation: Mapped[str | None] = mapped_column(String(60))  # 工种
    post: Mapped[str | None] = mapped_column(String(100))  # 岗位/职务
    skill_level: Mapped[str | None] = mapped_column(String(60))  # 技能等级/职称
    category: Mapped[WorkerCategory | None] = mapped_column(
        Enum(WorkerCategory, native_enum=False, length=30)
    )
    photo_filename: Mapped[str | None] = mapped_column(String(200))
    # Consent to publish (个人信息保护法 Art. 25), recorded per field.
    consent_photo: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_deeds: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organization: Mapped[Organization | None] = relationship(back_populates="members")

    def __repr__(self) -> str:
        return f"<Person {self.id}>"

    @property
    def is_female(self) -> bool:
        return self.gender is Gender.FEMALE

    def set_id_number(self, value: str | None) -> None:
        self.id_number_encrypted = crypto.encrypt(value)
        self.id_number_hash = crypto.blind_index(value)

    def set_phone(self, value: str | None) -> None:
        self.phone_encrypted = crypto.encrypt(value)

    def reveal_id_number(self) -> str | None:
        """The plain 身份证号. Admin area only."""
        return crypto.decrypt(self.id_number_encrypted)

    def reveal_phone(self) -> str | None:
        """The plain phone number. Admin area only."""
        return crypto.decrypt(self.phone_encrypted)

    @property
    def masked_id_number(self) -> str:
        return crypto.mask_id_number(self.reveal_id_number())

    @property
    def masked_phone(self) -> str:
        return crypto.mask_phone(self.reveal_phone())
