"""After the honor: the 劳模 archive, care records, two-yearly reviews and revocations.

DOMAIN.md §3 rules 25–26, §4 rule 28. A union keeps one **file** per honoree in scope (which
titles count is a setting), looks after them (**care records**: health checks, 疗休养, festival
visits, hardship help, allowances), reviews them every two years (**review rounds** with one
**outcome** per file) and, rarely, **revokes** a title along the chain that conferred it.

Everything here is private: only admins and the 劳模服务 (care) role scoped to a union subtree
see it, and every view of a file is audited. Contact details and every care record's notes
(health details are sensitive personal information, PIPL Art. 28) are stored only encrypted,
through :mod:`contest.security.crypto`, and never reach a log, a public page or the API.
The wall reads a file's ``status`` alone (a deceased honoree stays on the wall, marked).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import (
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.base import TimestampMixin, utcnow
from contest.security import crypto

if TYPE_CHECKING:
    from contest.models.honor import Honor
    from contest.models.org import Organization
    from contest.models.person import Person
    from contest.models.user import User


def _enum(kind: type[enum.Enum], length: int = 20) -> Enum:
    return Enum(kind, native_enum=False, length=length)


class LifeStatus(enum.Enum):
    """在职 / 退休 / 去世: what the union's file says of the honoree today."""

    IN_SERVICE = "in_service"
    RETIRED = "retired"
    DECEASED = "deceased"

    @property
    def label(self) -> str:
        return str(LIFE_STATUS_LABELS[self])


LIFE_STATUS_LABELS: dict[LifeStatus, LazyString] = {
    LifeStatus.IN_SERVICE: _l("在职"),
    LifeStatus.RETIRED: _l("退休"),
    LifeStatus.DECEASED: _l("去世"),
}


class HonoreeFile(TimestampMixin, db.Model):
    """One honoree's file (劳模档案). Their honors are not copied here: they are the rows of
    the honors table with this person, read live."""

    __tablename__ = "honoree_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    status: Mapped[LifeStatus] = mapped_column(_enum(LifeStatus), default=LifeStatus.IN_SERVICE)
    retired_on: Mapped[date | None] = mapped_column(Date)
    died_on: Mapped[date | None] = mapped_column(Date)
    current_unit: Mapped[str | None] = mapped_column(String(200))
    # 联系方式 (telephone, address): encrypted like 身份证号, shown to the care role only.
    contact_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The union that looks after them: the care role's scope is checked against it.
    care_organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)

    person: Mapped[Person] = relationship()
    care_organization: Mapped[Organization] = relationship()
    records: Mapped[list[CareRecord]] = relationship(
        back_populates="file", cascade="all, delete-orphan", order_by="CareRecord.on_date.desc()"
    )

    def __repr__(self) -> str:
        return f"<HonoreeFile {self.id} person={self.person_id} {self.status.value}>"

    @property
    def is_living(self) -> bool:
        return self.status is not LifeStatus.DECEASED

    def set_contact(self, value: str | None) -> None:
        self.contact_encrypted = crypto.encrypt(value or None)

    def reveal_contact(self) -> str | None:
        """The plain contact details. Care views only."""
        return crypto.decrypt(self.contact_encrypted)


class CareKind(enum.Enum):
    HEALTH_CHECK = "health_check"  # 健康体检
    RECUPERATION = "recuperation"  # 疗休养
    VISIT = "visit"  # 走访慰问
    HARDSHIP = "hardship"  # 困难帮扶
    ALLOWANCE = "allowance"  # 津贴补助

    @property
    def label(self) -> str:
        return str(CARE_KIND_LABELS[self])


CARE_KIND_LABELS: dict[CareKind, LazyString] = {
    CareKind.HEALTH_CHECK: _l("健康体检"),
    CareKind.RECUPERATION: _l("疗休养"),
    CareKind.VISIT: _l("走访慰问"),
    CareKind.HARDSHIP: _l("困难帮扶"),
    CareKind.ALLOWANCE: _l("津贴补助"),
}


class CareRecord(TimestampMixin, db.Model):
    """One act of care: its day, place (hospital, resort, where the visit was) or amount, the
    festival a visit was for, and notes — stored only encrypted (health details, PIPL Art. 28)."""

    __tablename__ = "care_records"
    __table_args__ = (Index("ix_care_records_file_kind_day", "file_id", "kind", "on_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("honoree_files.id", ondelete="CASCADE"))
    kind: Mapped[CareKind] = mapped_column(_enum(CareKind))
    on_date: Mapped[date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    amount_fen: Mapped[int | None] = mapped_column(Integer)  # money in 分 (help, allowances)
    festival: Mapped[str | None] = mapped_column(String(20))  # a visit's festival key
    notes_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    file: Mapped[HonoreeFile] = relationship(back_populates="records")

    def set_notes(self, value: str | None) -> None:
        self.notes_encrypted = crypto.encrypt(value or None)

    def reveal_notes(self) -> str | None:
        """The plain notes. Care views and on-purpose exports only."""
        return crypto.decrypt(self.notes_encrypted)


class Setting(db.Model):
    """A setting an admin changes in the browser (intervals, the titles that count …): one JSON
    value per key; the code that reads it owns its default and its validation."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReviewStatus(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class ReviewRound(TimestampMixin, db.Model):
    """A 动态管理 review over the living honorees of a union's subtree (every 2 years)."""

    __tablename__ = "care_review_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ReviewStatus] = mapped_column(_enum(ReviewStatus), default=ReviewStatus.OPEN)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship()
    outcomes: Mapped[list[ReviewOutcome]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )


class ReviewVerdict(enum.Enum):
    OK = "ok"  # 合格
    ATTENTION = "attention"  # 需关注
    REVOKE = "revoke"  # 建议撤销

    @property
    def label(self) -> str:
        return str(REVIEW_VERDICT_LABELS[self])


REVIEW_VERDICT_LABELS: dict[ReviewVerdict, LazyString] = {
    ReviewVerdict.OK: _l("合格"),
    ReviewVerdict.ATTENTION: _l("需关注"),
    ReviewVerdict.REVOKE: _l("建议撤销"),
}


class ReviewOutcome(TimestampMixin, db.Model):
    """One file's outcome in a round: pending (``verdict`` None) until the unit's union says."""

    __tablename__ = "care_review_outcomes"
    __table_args__ = (UniqueConstraint("round_id", "file_id", name="uq_care_review_outcomes_file"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("care_review_rounds.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[int] = mapped_column(ForeignKey("honoree_files.id", ondelete="CASCADE"))
    verdict: Mapped[ReviewVerdict | None] = mapped_column(_enum(ReviewVerdict))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    round: Mapped[ReviewRound] = relationship(back_populates="outcomes")
    file: Mapped[HonoreeFile] = relationship()


class RevocationStep(enum.Enum):
    """Where a revocation stands, along the chain that conferred the honor (DOMAIN §3 rule 25)."""

    UNIT_REPORT = "unit_report"  # 单位工会报告 (drafted, evidence attached)
    NOMINATING = "nominating"  # 原推荐工会审核
    SAME_LEVEL = "same_level"  # 同级工会审核
    DECISION = "decision"  # 授予机关决定
    REVOKED = "revoked"  # 已撤销 (文号 recorded; recovery and benefits follow)
    REJECTED = "rejected"  # 不予撤销

    @property
    def label(self) -> str:
        return str(REVOCATION_STEP_LABELS[self])

    @property
    def is_open(self) -> bool:
        return self not in (RevocationStep.REVOKED, RevocationStep.REJECTED)


REVOCATION_STEP_LABELS: dict[RevocationStep, LazyString] = {
    RevocationStep.UNIT_REPORT: _l("单位工会报告"),
    RevocationStep.NOMINATING: _l("原推荐工会审核"),
    RevocationStep.SAME_LEVEL: _l("同级工会审核"),
    RevocationStep.DECISION: _l("授予机关决定"),
    RevocationStep.REVOKED: _l("已撤销"),
    RevocationStep.REJECTED: _l("不予撤销"),
}


class Revocation(TimestampMixin, db.Model):
    """A revocation case of one honor: ground, facts, evidence, each union's step, the
    conferring body's decision with its 文号, then what was recovered and when benefits stop.
    The honor itself is revoked through the honors service; this record stays."""

    __tablename__ = "revocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    honor_id: Mapped[int] = mapped_column(ForeignKey("honors.id"), index=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("honoree_files.id"), index=True)
    review_outcome_id: Mapped[int | None] = mapped_column(ForeignKey("care_review_outcomes.id"))
    ground: Mapped[str] = mapped_column(String(20))  # a key of nominations.conferral.GROUNDS
    facts: Mapped[str] = mapped_column(Text)
    step: Mapped[RevocationStep] = mapped_column(
        _enum(RevocationStep), default=RevocationStep.UNIT_REPORT, index=True
    )
    # The unions along the chain: the reporting unit's, the original nominating one, the union
    # at the conferring body's level. Each acts on its own step.
    reporting_organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    nominating_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    same_level_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    document_number: Mapped[str | None] = mapped_column(String(100))  # the decision's 文号
    decided_on: Mapped[date | None] = mapped_column(Date)
    medal_recovered_on: Mapped[date | None] = mapped_column(Date)
    certificate_recovered_on: Mapped[date | None] = mapped_column(Date)
    benefits_stop_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    honor: Mapped[Honor] = relationship()
    file: Mapped[HonoreeFile | None] = relationship()
    reporting_organization: Mapped[Organization] = relationship(
        foreign_keys=[reporting_organization_id]
    )
    nominating_organization: Mapped[Organization | None] = relationship(
        foreign_keys=[nominating_organization_id]
    )
    same_level_organization: Mapped[Organization | None] = relationship(
        foreign_keys=[same_level_organization_id]
    )
    history: Mapped[list[RevocationEntry]] = relationship(
        back_populates="revocation", cascade="all, delete-orphan", order_by="RevocationEntry.id"
    )
    evidence: Mapped[list[RevocationEvidence]] = relationship(
        back_populates="revocation", cascade="all, delete-orphan", order_by="RevocationEvidence.id"
    )


class RevocationEntry(db.Model):
    """One act on a revocation: who, for which union, at which step, what they decided, why."""

    __tablename__ = "revocation_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revocation_id: Mapped[int] = mapped_column(
        ForeignKey("revocations.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[RevocationStep] = mapped_column(_enum(RevocationStep))
    action: Mapped[str] = mapped_column(String(20))  # submit, forward, return, reject, decide …
    note: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    revocation: Mapped[Revocation] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


class RevocationEvidence(TimestampMixin, db.Model):
    """A file of evidence (判决书, 处分决定 …; PDF/JPG/PNG), kept in the database, never public."""

    __tablename__ = "revocation_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revocation_id: Mapped[int] = mapped_column(
        ForeignKey("revocations.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    revocation: Mapped[Revocation] = relationship(back_populates="evidence")
