"""Published results: a frozen snapshot per publication, with its hash, and its rows.

The public results page, the results API, the exports and the certificates all read the
current snapshot, never live marks: what was published is what everyone sees, and it can be
served from this precomputed form however busy the hour results come out.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.base import utcnow


class ResultSnapshot(db.Model):
    """The results of a contest as published; ``digest`` is the SHA-256 of ``document``."""

    __tablename__ = "result_snapshots"
    __table_args__ = (Index("ix_result_snapshots_current", "contest_id", "is_current"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Canonical JSON of everything published (sorted keys, no spaces) and its SHA-256.
    document: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer, default=0)

    rows: Mapped[list[ResultRow]] = relationship(
        back_populates="snapshot",
        cascade="all, delete-orphan",
        order_by="ResultRow.event_id, ResultRow.position",
    )

    def __repr__(self) -> str:
        return f"<ResultSnapshot {self.id} contest={self.contest_id} {self.digest[:12]}>"


class ResultRow(db.Model):
    """One ranked entrant of a snapshot, with only what may be published (DOMAIN.md §4)."""

    __tablename__ = "result_rows"
    __table_args__ = (Index("ix_result_rows_page", "snapshot_id", "event_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("result_snapshots.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    position: Mapped[int] = mapped_column(Integer)  # order on the page, 1-based
    rank: Mapped[int | None] = mapped_column(Integer)  # None: not ranked (e.g. absent)
    entry_code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(60))
    # A team event's rows: one per member, each under its team's name (None: an individual).
    team: Mapped[str | None] = mapped_column(String(60))
    is_female: Mapped[bool] = mapped_column(Boolean, default=False)  # the official (女) marker
    organization: Mapped[str] = mapped_column(String(200))
    total: Mapped[Decimal | None] = mapped_column(Numeric(9, 3))
    # A member-scored team event (policy ``team_total`` sum/mean): the member's own total; the
    # row's ``total``, rank and award are the team's.  None everywhere else.
    member_total: Mapped[Decimal | None] = mapped_column(Numeric(9, 3))
    components: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    award: Mapped[str | None] = mapped_column(String(40))
    titles: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Titles the entrant is put forward for (推荐, e.g. 五一劳动奖章): not conferred, never on the
    # wall; nomination campaigns read them from here (DOMAIN §1.11).
    recommended: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The standardised score (median 700, DOMAIN §1.13) when the event's policy shows it.
    standard_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    certificate_no: Mapped[str | None] = mapped_column(String(40), unique=True)

    snapshot: Mapped[ResultSnapshot] = relationship(back_populates="rows")

    def __repr__(self) -> str:
        return f"<ResultRow {self.entry_code} rank={self.rank} {self.award}>"
