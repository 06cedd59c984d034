"""Judging: panels, who scores what, score sheets and marks, re-checks and appeals.

Integrity lives in the database: one sheet per (entry, judge), one mark per (sheet, aspect) —
hence one score per (entry, judge, criterion) — and every sheet carries a version number that
each update checks, so two writers can never silently overwrite each other.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.base import TimestampMixin, utcnow

if TYPE_CHECKING:
    from contest.models.contest import Aspect, Component, Entry, Event
    from contest.models.user import User


class SheetStatus(enum.Enum):
    """``empty`` is the absence of a sheet; ``locked`` follows the chief judge's sign-off."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    LOCKED = "locked"

    @property
    def label(self) -> str:
        return str(SHEET_STATUS_LABELS[self])


SHEET_STATUS_LABELS: dict[SheetStatus, LazyString] = {
    SheetStatus.DRAFT: _l("草稿"),
    SheetStatus.SUBMITTED: _l("已提交"),
    SheetStatus.LOCKED: _l("已锁定"),
}


class AppealStatus(enum.Enum):
    PENDING = "pending"  # 待裁决
    UPHELD = "upheld"  # 申诉成立
    DISMISSED = "dismissed"  # 驳回

    @property
    def label(self) -> str:
        return str(APPEAL_STATUS_LABELS[self])


APPEAL_STATUS_LABELS: dict[AppealStatus, LazyString] = {
    AppealStatus.PENDING: _l("待裁决"),
    AppealStatus.UPHELD: _l("申诉成立"),
    AppealStatus.DISMISSED: _l("驳回"),
}


class PanelMember(db.Model):
    """A judge on an event's panel; ``component_id`` limits them to one component."""

    __tablename__ = "panel_members"
    __table_args__ = (UniqueConstraint("event_id", "user_id", name="uq_panel_members_event_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_chief: Mapped[bool] = mapped_column(Boolean, default=False)
    component_id: Mapped[int | None] = mapped_column(
        ForeignKey("components.id", ondelete="CASCADE")
    )

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()
    component: Mapped[Component | None] = relationship()

    def __repr__(self) -> str:
        chief = " chief" if self.is_chief else ""
        return f"<PanelMember event={self.event_id} user={self.user_id}{chief}>"


class Arbitrator(db.Model):
    """A member of a contest's arbitration panel (仲裁组, DOMAIN §1.8): they decide appeals.

    The panel is the contest's, not an event's, so an arbitrator who also sits on one event's
    judging panel is refused that event's appeals (they would judge their own marks) but may
    decide the others.
    """

    __tablename__ = "arbitrators"
    __table_args__ = (
        UniqueConstraint("contest_id", "user_id", name="uq_arbitrators_contest_user"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Arbitrator contest={self.contest_id} user={self.user_id}>"


class Assignment(db.Model):
    """An entry a judge is to score."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("entry_id", "user_id", name="uq_assignments_entry_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    entry: Mapped[Entry] = relationship()
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Assignment entry={self.entry_id} user={self.user_id}>"


class Conflict(TimestampMixin, db.Model):
    """A declared conflict of interest (回避): the judge must not score this entry."""

    __tablename__ = "conflicts"
    __table_args__ = (UniqueConstraint("entry_id", "user_id", name="uq_conflicts_entry_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    entry: Mapped[Entry] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<Conflict entry={self.entry_id} user={self.user_id}>"


# Exactly one subject pair per sheet (portable SQL: SQLite and PostgreSQL).
ONE_SUBJECT = (
    "(entry_id IS NOT NULL AND event_id IS NOT NULL AND round_id IS NULL"
    " AND participant_id IS NULL AND stage_id IS NULL AND nomination_id IS NULL)"
    " OR (entry_id IS NULL AND event_id IS NULL AND round_id IS NOT NULL"
    " AND participant_id IS NOT NULL AND stage_id IS NULL AND nomination_id IS NULL)"
    " OR (entry_id IS NULL AND event_id IS NULL AND round_id IS NULL"
    " AND participant_id IS NULL AND stage_id IS NOT NULL AND nomination_id IS NOT NULL)"
)


class SheetRole(enum.Enum):
    """Whose column a sheet fills: an assessor's (考评分) or the participant's own (自评分)."""

    ASSESSOR = "assessor"
    SELF = "self"


class ScoreSheet(db.Model):
    """One assessor's marks for one subject.  ``version`` is checked on every update.

    The one sheet of every judged thing: a skills judge's sheet for an entry of an event
    (``event_id``/``entry_id``), an assessor's — or the participant's own self-assessment — for
    a participant in a round of a labor competition or union rating
    (``round_id``/``participant_id``), or an expert's for a nomination in a campaign's review
    stage (``stage_id``/``nomination_id``).  Exactly one of the three pairs is set.
    """

    __tablename__ = "score_sheets"
    __table_args__ = (
        UniqueConstraint("entry_id", "user_id", name="uq_score_sheets_entry_user"),
        UniqueConstraint(
            "round_id", "participant_id", "role", "user_id", name="uq_score_sheets_round_subject"
        ),
        Index("ix_score_sheets_event_status", "event_id", "status"),
        Index("ix_score_sheets_round_status", "round_id", "status"),
        # One self-assessment per participant and round, whoever of its union fills it in.
        Index(
            "uq_score_sheets_one_self",
            "round_id",
            "participant_id",
            unique=True,
            sqlite_where=text("role = 'SELF'"),
            postgresql_where=text("role = 'SELF'"),
        ),
        UniqueConstraint(
            "stage_id", "nomination_id", "user_id", name="uq_score_sheets_stage_subject"
        ),
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("competition_rounds.id", ondelete="CASCADE")
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("competition_participants.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_stages.id", ondelete="CASCADE"), index=True
    )
    nomination_id: Mapped[int | None] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[SheetRole] = mapped_column(
        Enum(SheetRole, native_enum=False, length=10), default=SheetRole.ASSESSOR
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[SheetStatus] = mapped_column(
        Enum(SheetStatus, native_enum=False, length=10), default=SheetStatus.DRAFT
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    entry: Mapped[Entry | None] = relationship()
    user: Mapped[User] = relationship()
    marks: Mapped[list[Mark]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan", order_by="Mark.aspect_id"
    )

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    def __repr__(self) -> str:
        subject = (
            f"entry={self.entry_id}"
            if self.entry_id is not None
            else f"round={self.round_id} participant={self.participant_id} {self.role.value}"
        )
        return f"<ScoreSheet {subject} user={self.user_id} {self.status.value}>"


class Mark(db.Model):
    __tablename__ = "marks"
    __table_args__ = (UniqueConstraint("sheet_id", "aspect_id", name="uq_marks_sheet_aspect"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id", ondelete="CASCADE"))
    aspect_id: Mapped[int] = mapped_column(ForeignKey("aspects.id", ondelete="CASCADE"), index=True)
    value: Mapped[Decimal] = mapped_column(Numeric(8, 2))

    sheet: Mapped[ScoreSheet] = relationship(back_populates="marks")
    aspect: Mapped[Aspect] = relationship()

    def __repr__(self) -> str:
        return f"<Mark sheet={self.sheet_id} aspect={self.aspect_id} {self.value}>"


class MarkEvidence(TimestampMixin, db.Model):
    """A file backing one item of a self-assessment (佐证材料): a photo, a scan, a record.

    Kept in the database like every upload (stateless app servers share it); the participant
    attaches it, the round's assessors and organizers read it, nobody else.
    """

    __tablename__ = "mark_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(
        ForeignKey("score_sheets.id", ondelete="CASCADE"), index=True
    )
    aspect_id: Mapped[int] = mapped_column(ForeignKey("aspects.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<MarkEvidence {self.id} sheet={self.sheet_id} aspect={self.aspect_id}>"


class SheetNote(db.Model):
    """The participant's note on one item of a self-assessment (自评说明), beside its mark.

    Its own row rather than a column of ``marks``: a note may be written before the figure it
    explains (a draft), and a mark row exists only with a value.
    """

    __tablename__ = "sheet_notes"
    __table_args__ = (UniqueConstraint("sheet_id", "aspect_id", name="uq_sheet_notes_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id", ondelete="CASCADE"))
    aspect_id: Mapped[int] = mapped_column(ForeignKey("aspects.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<SheetNote sheet={self.sheet_id} aspect={self.aspect_id}>"


class RecheckItem(db.Model):
    """An entry on the re-check list (复核): the top N and a random sample of the rest."""

    __tablename__ = "recheck_items"
    __table_args__ = (UniqueConstraint("event_id", "entry_id", name="uq_recheck_items_entry"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(10))  # "top" or "sample"
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    errors_found: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)

    entry: Mapped[Entry] = relationship()

    def __repr__(self) -> str:
        return f"<RecheckItem entry={self.entry_id} {self.reason}>"


class Appeal(TimestampMixin, db.Model):
    """A written appeal (申诉) received within the window, decided with a reason (final)."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    appellant: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[AppealStatus] = mapped_column(
        Enum(AppealStatus, native_enum=False, length=10), default=AppealStatus.PENDING
    )
    decision: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    entry: Mapped[Entry] = relationship()

    def __repr__(self) -> str:
        return f"<Appeal {self.id} entry={self.entry_id} {self.status.value}>"
