"""The append-only audit trail: hash chain, verification, tamper detection, scrubbing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import delete, select, update

from contest.models import AuditEntry, AuditHead
from contest.models.audit import GENESIS_HASH
from contest.services.core import audit


@pytest.fixture(name="entries")
def entries_fixture(db: Any) -> list[AuditEntry]:
    """Three committed entries, re-read from the database."""
    for n in range(3):
        audit.record(None, "thing.update", "thing", n, before={"v": n}, after={"v": n + 1})
    db.session.commit()
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _tamper(db: Any, *statements: Any) -> None:
    for statement in statements:
        db.session.execute(statement)
    db.session.commit()
    db.session.expire_all()


def test_first_entry_links_to_the_genesis_hash(entries: list[AuditEntry]) -> None:
    assert entries[0].prev_hash == GENESIS_HASH


def test_each_entry_links_to_the_previous_entrys_hash(entries: list[AuditEntry]) -> None:
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert len({e.hash for e in entries}) == 3


def test_head_remembers_the_last_hash_and_the_count(db: Any, entries: list[AuditEntry]) -> None:
    head = db.session.get(AuditHead, 1)
    assert (head.last_hash, head.count) == (entries[-1].hash, 3)


def test_entry_records_who_what_and_why(db: Any, make_user: Any) -> None:
    actor = make_user("admin", username="boss")
    entry = audit.record(actor, "thing.delete", "thing", 42, reason="重复录入")
    db.session.commit()
    assert (entry.actor_id, entry.actor_name, entry.action) == (actor.id, "boss", "thing.delete")
    assert (entry.target_type, entry.target_id, entry.reason) == ("thing", "42", "重复录入")


def test_entry_without_actor_is_attributed_to_the_system(db: Any) -> None:
    entry = audit.record(None, "thing.create", "thing")
    assert entry.actor_name == "system"
    assert entry.actor_id is None


def test_intact_chain_verifies(entries: list[AuditEntry]) -> None:
    assert audit.verify_chain() == audit.ChainReport(True, 3)


def test_empty_chain_verifies(db: Any) -> None:
    assert audit.verify_chain() == audit.ChainReport(True, 0)


def test_edited_entry_is_reported(db: Any, entries: list[AuditEntry]) -> None:
    middle = entries[1]
    _tamper(
        db,
        update(AuditEntry).where(AuditEntry.id == middle.id).values(after='{"v": 999}'),
    )
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_at == middle.id
    assert "edited" in (report.problem or "")


def test_edit_with_a_recomputed_hash_breaks_the_next_link(
    db: Any, entries: list[AuditEntry]
) -> None:
    first = entries[0]
    first.after = '{"v": 999}'
    forged = audit.entry_hash(first)
    db.session.rollback()
    _tamper(
        db,
        update(AuditEntry).where(AuditEntry.id == first.id).values(after='{"v": 999}', hash=forged),
    )
    report = audit.verify_chain()
    assert report.broken_at == entries[1].id


def test_deleted_middle_entry_is_reported(db: Any, entries: list[AuditEntry]) -> None:
    _tamper(db, delete(AuditEntry).where(AuditEntry.id == entries[1].id))
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_at == entries[2].id
    assert "removed" in (report.problem or "")


def test_deleted_last_entry_is_reported_as_a_head_mismatch(
    db: Any, entries: list[AuditEntry]
) -> None:
    _tamper(db, delete(AuditEntry).where(AuditEntry.id == entries[-1].id))
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_at is None
    assert "head mismatch" in (report.problem or "")


def test_cli_verify_exits_zero_on_an_intact_chain(
    runner: FlaskCliRunner, entries: list[AuditEntry]
) -> None:
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "OK: 3 entries" in result.output


def test_cli_verify_exits_one_naming_the_tampered_entry(
    db: Any, runner: FlaskCliRunner, entries: list[AuditEntry]
) -> None:
    _tamper(db, update(AuditEntry).where(AuditEntry.id == entries[0].id).values(reason="改过"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry {entries[0].id}" in result.output
    assert "Traceback" not in result.output


def test_cli_verify_exits_one_when_the_tail_was_cut(
    db: Any, runner: FlaskCliRunner, entries: list[AuditEntry]
) -> None:
    _tamper(db, delete(AuditEntry).where(AuditEntry.id == entries[-1].id))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at chain head" in result.output


def test_private_values_are_scrubbed_from_payloads(db: Any) -> None:
    secret_values = ["110105199003071234", "13912345678", "hunter2-secret", "ct_tok3n"]
    entry = audit.record(
        None,
        "person.update",
        "person",
        1,
        before={"id_number": secret_values[0], "name": "张三"},
        after={
            "name": "张三",
            "phone": secret_values[1],
            "contacts": [{"mobile_phone": secret_values[1]}],
            "new_password": secret_values[2],
            "api_token": secret_values[3],
        },
    )
    db.session.commit()
    stored = (entry.before or "") + (entry.after or "")
    for value in secret_values:
        assert value not in stored
    after = json.loads(entry.after or "{}")
    assert after["name"] == "张三"
    assert after["phone"] == after["new_password"] == "***"
    assert after["contacts"] == [{"mobile_phone": "***"}]


def test_presence_flags_of_private_values_are_kept(db: Any) -> None:
    entry = audit.record(
        None, "person.update", "person", 1, after={"has_id_number": True, "has_phone": False}
    )
    assert json.loads(entry.after or "{}") == {"has_id_number": True, "has_phone": False}
