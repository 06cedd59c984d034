"""The append-only audit trail.

Each entry stores the hash of the entry before it and a keyed hash over its own content (an
HMAC under a key kept outside the database, see ``contest.services.core.audit``), so editing or
deleting any entry breaks the chain at that point; ``AuditHead`` remembers the last hash and the
count, so removing entries from the end is detected too, and a head recorded outside the
database (``contest audit head``) even when the head row was rewritten with them.
``contest audit verify`` walks it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from contest.extensions import db
from contest.models.base import utcnow

GENESIS_HASH = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # No foreign key: the trail must outlive (and never change with) the accounts it names.
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(40))
    before: Mapped[str | None] = mapped_column(Text)  # canonical JSON
    after: Mapped[str | None] = mapped_column(Text)  # canonical JSON
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.target_type}:{self.target_id}>"


class AuditHead(db.Model):
    """A single row: the newest entry's hash and the number of entries."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
    count: Mapped[int] = mapped_column(Integer, default=0)
