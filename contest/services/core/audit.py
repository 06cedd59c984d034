"""Appending to and verifying the audit hash chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from contest.extensions import db
from contest.models.audit import GENESIS_HASH, AuditEntry, AuditHead
from contest.models.base import utcnow
from contest.models.user import User

# Keys whose values never enter the trail (it is a log: DESIGN.md "Privacy").
_PRIVATE_KEY_PARTS = ("id_number", "phone", "password", "token")
SYSTEM_ACTOR = "system"


def _private(key: object, value: Any) -> bool:
    # A yes/no flag ("has_id_number") says a number is on file, not what it is: kept.
    return any(p in str(key) for p in _PRIVATE_KEY_PARTS) and not isinstance(value, bool)


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("***" if _private(k, v) else _scrub(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def canonical_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(_scrub(value), sort_keys=True, ensure_ascii=False, default=str)


def _timestamp(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def entry_hash(entry: AuditEntry) -> str:
    payload = json.dumps(
        [
            entry.prev_hash,
            _timestamp(entry.created_at),
            entry.actor_id,
            entry.actor_name,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.before,
            entry.after,
            entry.reason,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _head() -> AuditHead:
    head = db.session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, last_hash=GENESIS_HASH, count=0)
        db.session.add(head)
        db.session.flush()
    return head


def record(
    actor: User | None,
    action: str,
    target_type: str,
    target_id: object = None,
    *,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> AuditEntry:
    """Append one entry (who, when, before, after, why) to the chain; the caller commits."""
    head = _head()
    entry = AuditEntry(
        created_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else SYSTEM_ACTOR,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=canonical_json(before),
        after=canonical_json(after),
        reason=reason,
        prev_hash=head.last_hash,
    )
    entry.hash = entry_hash(entry)
    db.session.add(entry)
    head.last_hash = entry.hash
    head.count += 1
    db.session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_at: int | None = None
    problem: str | None = None


def verify_chain() -> ChainReport:
    """Walk the chain in order; report the first entry whose link or content does not hold."""
    previous = GENESIS_HASH
    checked = 0
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(1000):
        if entry.prev_hash != previous:
            return ChainReport(
                False, checked, entry.id, "previous-hash mismatch (entry removed or reordered)"
            )
        if entry_hash(entry) != entry.hash:
            return ChainReport(
                False, checked, entry.id, "content does not match its hash (entry edited)"
            )
        previous = entry.hash
        checked += 1
    head = db.session.get(AuditHead, 1)
    expected_count = head.count if head else 0
    expected_hash = head.last_hash if head else GENESIS_HASH
    if checked != expected_count or previous != expected_hash:
        return ChainReport(False, checked, None, "chain head mismatch (entries removed at the end)")
    return ChainReport(True, checked)
