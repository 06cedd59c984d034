"""Appending to and verifying the audit hash chain.

Each entry's hash is an HMAC of its content and of the previous entry's hash under the audit key
(``AUDIT_KEY``, else derived from ``SECRET_KEY``; ``contest.security.crypto.audit_key``), which is
not in the database: whoever can only write the database can neither edit an entry nor forge a
new one without breaking the chain. Keyed hashes start with ``k1:``; entries written before the
chain was keyed keep their plain SHA-256 and still verify, but only at the start of the chain.

What the database alone cannot show — the last entries removed together with the head row, or
the whole chain rewritten in the old unkeyed form — a head recorded elsewhere shows
(:class:`ChainHead`, ``contest audit head`` / ``contest audit verify --head``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from contest.extensions import db
from contest.models.audit import GENESIS_HASH, AuditEntry, AuditHead
from contest.models.base import utcnow
from contest.models.user import User
from contest.security.crypto import audit_key

# Keys whose values never enter the trail (it is a log: DESIGN.md "Privacy").
_PRIVATE_KEY_PARTS = ("id_number", "phone", "password", "token")
SYSTEM_ACTOR = "system"
# Keyed entries' hashes start with this; older entries carry a plain SHA-256 (hex digits only).
KEYED_PREFIX = "k1:"
HASH_LENGTH = 64


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


def _payload(entry: AuditEntry) -> bytes:
    return json.dumps(
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
    ).encode("utf-8")


def is_keyed(hash_value: str | None) -> bool:
    return bool(hash_value) and str(hash_value).startswith(KEYED_PREFIX)


def plain_hash(entry: AuditEntry) -> str:
    """SHA-256 of the entry: how entries were hashed before the chain was keyed. Anyone can
    recompute it, so it is only accepted for the entries at the start of a chain."""
    return hashlib.sha256(_payload(entry)).hexdigest()


def keyed_hash(entry: AuditEntry) -> str:
    """``k1:`` and an HMAC-SHA256 of the entry under the audit key (61 hex digits, 244 bits:
    the column holds 64 characters). Without the key nobody can compute it."""
    mac = hmac.new(audit_key(), _payload(entry), hashlib.sha256).hexdigest()
    return KEYED_PREFIX + mac[: HASH_LENGTH - len(KEYED_PREFIX)]


def entry_hash(entry: AuditEntry) -> str:
    """The hash ``entry`` must carry: plain for an entry written before the key, else keyed
    (a new entry, whose ``hash`` is not set yet, is keyed)."""
    if entry.hash and not is_keyed(entry.hash):
        return plain_hash(entry)
    return keyed_hash(entry)


def entry_holds(entry: AuditEntry) -> bool:
    """Whether one entry, read on its own, is as it was written: its hash is the one its content
    must have and, when that hash is plain, no keyed entry comes before it (the rule
    :func:`verify_chain` applies). Without the second check an insider could edit an entry and
    rehash it with plain SHA-256, which needs no key."""
    if not hmac.compare_digest(entry_hash(entry), entry.hash):
        return False
    if is_keyed(entry.hash):
        return True
    first_keyed = db.session.scalar(
        select(AuditEntry.id)
        .where(AuditEntry.hash.startswith(KEYED_PREFIX), AuditEntry.id < entry.id)
        .limit(1)
    )
    return first_keyed is None


def _head() -> AuditHead:
    head = db.session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, last_hash=GENESIS_HASH, count=0)
        db.session.add(head)
        db.session.flush()
    return head


def _entry(
    actor: User | None,
    action: str,
    target_type: str,
    target_id: object,
    before: Any,
    after: Any,
    reason: str | None,
    prev_hash: str,
) -> AuditEntry:
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
        prev_hash=prev_hash,
    )
    entry.hash = keyed_hash(entry)
    return entry


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
    entry = _entry(actor, action, target_type, target_id, before, after, reason, head.last_hash)
    db.session.add(entry)
    head.last_hash = entry.hash
    head.count += 1
    db.session.flush()
    return entry


def record_many(
    action: str, target_type: str, items: Iterable[tuple[User | None, object, Any]]
) -> int:
    """Append one entry per ``(actor, target id, after)`` with a single INSERT: the entries
    :func:`record` would write, for bulk loads (the demo's benchmark contest). The caller
    commits; returns the number of entries."""
    head = _head()
    columns = [c.key for c in AuditEntry.__table__.columns if c.key != "id"]
    rows: list[dict[str, Any]] = []
    for actor, target_id, after in items:
        entry = _entry(actor, action, target_type, target_id, None, after, None, head.last_hash)
        rows.append({name: getattr(entry, name) for name in columns})
        head.last_hash = entry.hash
    if rows:
        db.session.execute(insert(AuditEntry), rows)
        head.count += len(rows)
        db.session.flush()
    return len(rows)


def recorded(
    action: str, target_type: str, target_id: object, *, newest_first: bool = False
) -> Iterator[tuple[AuditEntry, dict[str, Any]]]:
    """The entries of ``action`` on one target with their ``after`` read as a JSON object
    (entries whose ``after`` is not one are skipped): where a publication recorded the digest
    that seals it."""
    entries = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.action == action,
            AuditEntry.target_type == target_type,
            AuditEntry.target_id == str(target_id),
        )
        .order_by(AuditEntry.id.desc() if newest_first else AuditEntry.id)
    )
    for entry in entries:
        try:
            after = json.loads(entry.after or "null")
        except ValueError:
            continue
        if isinstance(after, dict):
            yield entry, after


@dataclass(frozen=True)
class ChainHead:
    """A point of the chain to record outside the database: ``COUNT:HASH``, the number of
    entries and the hash of the last of them (``contest audit head`` prints it)."""

    count: int
    hash: str

    def __str__(self) -> str:
        return f"{self.count}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        """``COUNT:HASH`` as printed (anything after the first space, the time, is ignored)."""
        count, _, value = (text or "").strip().partition(" ")[0].partition(":")
        digits = value.removeprefix(KEYED_PREFIX)
        well_formed = (
            count.isascii()
            and count.isdigit()
            and len(value) == HASH_LENGTH
            and all(c in "0123456789abcdef" for c in digits)
        )
        if not well_formed or (int(count) == 0 and value != GENESIS_HASH):
            raise ValueError("expected COUNT:HASH as printed by 'contest audit head'")
        return cls(int(count), value)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_at: int | None = None
    problem: str | None = None
    # Entries written before the chain was keyed (plain SHA-256), all at its start.
    unkeyed: int = 0
    last_hash: str = field(default=GENESIS_HASH, compare=False)
    last_at: datetime | None = field(default=None, compare=False)

    @property
    def head(self) -> ChainHead:
        return ChainHead(self.checked, self.last_hash)


def verify_chain(recorded: ChainHead | None = None) -> ChainReport:
    """Walk the chain in order; report the first entry whose link or content does not hold.

    Keyed entries must carry the HMAC of their content under the audit key; plain (unkeyed)
    entries are accepted only before the first keyed one, so an entry rewritten without the
    key, and every entry after it, is refused. ``AuditHead`` catches entries removed at the end
    unless it was rewritten too; ``recorded``, a head noted outside the database, catches that:
    the chain must still hold that entry at that position.

    The head row is read before the walk, so entries a running server appends meanwhile do not
    count as a mismatch.
    """
    head_row = db.session.get(AuditHead, 1)
    stored = ChainHead(head_row.count, head_row.last_hash) if head_row else None
    heads = [(head, name) for head, name in ((recorded, "recorded"), (stored, "stored")) if head]
    previous, last_at = GENESIS_HASH, None
    checked = unkeyed = 0

    def broken(at: int | None, problem: str) -> ChainReport:
        return ChainReport(False, checked, at, problem, unkeyed)

    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(1000):
        if entry.prev_hash != previous:
            return broken(entry.id, "previous-hash mismatch (entry removed or reordered)")
        if not is_keyed(entry.hash):
            if checked > unkeyed:
                return broken(
                    entry.id, "unkeyed entry after keyed ones (rewritten without the audit key)"
                )
            unkeyed += 1
        if not hmac.compare_digest(entry_hash(entry), entry.hash):
            return broken(
                entry.id,
                "content does not match its hash (entry edited, or the audit key is not the "
                "one it was written with)",
            )
        for head, name in heads:
            if checked + 1 == head.count and entry.hash != head.hash:
                return broken(entry.id, f"not the entry of the {name} head {head} (rewritten)")
        previous, last_at = entry.hash, entry.created_at
        checked += 1
    for head, name in heads:
        if checked < head.count:
            return broken(
                None,
                f"chain head mismatch: {checked} entries, fewer than the {name} head {head} "
                "(entries removed at the end)",
            )
    return ChainReport(True, checked, unkeyed=unkeyed, last_hash=previous, last_at=last_at)
