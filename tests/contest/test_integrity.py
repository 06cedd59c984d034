"""Integrity an insider cannot quietly undo (#11 item 8).

Someone who can write the database but does not hold the audit key: cannot rehash an edited
audit entry, cannot cut the chain's tail past a head recorded elsewhere, cannot edit a mark or a
published row without ``contest audit verify`` saying so, and cannot get the public pages to
serve a row that does not match its snapshot.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

from flask.testing import FlaskCliRunner
from sqlalchemy import delete, select, update

from contest.models import AuditEntry, AuditHead, Mark, ResultRow, ResultSnapshot
from contest.models.audit import GENESIS_HASH
from contest.services.core import audit
from contest.services.core.versions import RESULTS_CONTENT, bump_version
from contest.services.skills import integrity, judging, publishing, results
from tests.contest.results_fixtures import ready_contest_fixture  # noqa: F401
from tests.contest.test_audit import _tamper, entries_fixture  # noqa: F401

FULL = {"T1": 88, "P1": "35.5", "P2": 2, "P3": 3}
WITHHELD = "成绩数据校验未通过，暂停公开，请联系主办方"
TAMPERED_NAME = "篡改者"


def _rehash_unkeyed(db: Any, entries: list[AuditEntry], start: int, after: str | None) -> None:
    """All an insider without the key can do: edit entry ``start`` (when ``after`` is given),
    then rehash it and every entry after it with plain SHA-256, relinking them and the head."""
    previous = entries[start - 1].hash if start else GENESIS_HASH
    for index, entry in enumerate(entries[start:], start):
        if index == start and after is not None:
            entry.after = after
        entry.prev_hash = previous
        entry.hash = audit.plain_hash(entry)
        previous = entry.hash
    db.session.get(AuditHead, 1).last_hash = previous
    db.session.commit()
    db.session.expire_all()


def _cut_last(db: Any, entries: list[AuditEntry]) -> None:
    """Delete the last entry and rewrite the head row to match: the database alone agrees."""
    _tamper(
        db,
        delete(AuditEntry).where(AuditEntry.id == entries[-1].id),
        update(AuditHead).values(count=len(entries) - 1, last_hash=entries[-2].hash),
    )


# ------------------------------------------------------------------ the keyed chain


def test_new_entries_carry_a_keyed_hash_plain_sha256_does_not_reproduce(
    entries: list[AuditEntry],
) -> None:
    for entry in entries:
        assert entry.hash.startswith("k1:") and len(entry.hash) == 64
        assert entry.hash == audit.keyed_hash(entry)
        assert entry.hash[3:] not in audit.plain_hash(entry)


def test_an_entry_rehashed_without_the_key_is_refused(db: Any, entries: list[AuditEntry]) -> None:
    _rehash_unkeyed(db, entries, 1, after='{"v": 999}')
    report = audit.verify_chain()
    assert not report.ok and report.broken_at == entries[1].id
    assert "without the audit key" in (report.problem or "")


def test_an_entry_rehashed_under_a_guessed_key_is_refused(
    app: Any, db: Any, entries: list[AuditEntry]
) -> None:
    last = entries[-1]
    last.after = '{"v": 999}'
    app.config["AUDIT_KEY"] = "a guess"
    forged = audit.keyed_hash(last)
    del app.config["AUDIT_KEY"]
    db.session.rollback()
    _tamper(
        db,
        update(AuditEntry).where(AuditEntry.id == last.id).values(after='{"v": 999}', hash=forged),
        update(AuditHead).values(last_hash=forged),
    )
    report = audit.verify_chain()
    assert not report.ok and report.broken_at == last.id
    assert "does not match its hash" in (report.problem or "")


def test_a_chain_written_before_the_key_still_verifies_and_grows_keyed(
    db: Any, entries: list[AuditEntry]
) -> None:
    _rehash_unkeyed(db, entries, 0, after=None)  # the chain as an older release wrote it
    assert audit.verify_chain() == audit.ChainReport(True, 3, unkeyed=3)
    audit.record(None, "thing.update", "thing", 9, after={"v": 10})
    db.session.commit()
    report = audit.verify_chain()
    assert report == audit.ChainReport(True, 4, unkeyed=3)
    assert report.last_hash.startswith("k1:")


def test_a_chain_rewritten_whole_without_the_key_is_caught_by_a_recorded_head(
    db: Any, entries: list[AuditEntry]
) -> None:
    """Without a head kept elsewhere, a chain rehashed unkeyed from its first entry looks like
    one written before the key (README: record the head)."""
    head = audit.verify_chain().head
    _rehash_unkeyed(db, entries, 0, after='{"v": 999}')
    assert audit.verify_chain().ok
    report = audit.verify_chain(head)
    assert not report.ok and report.broken_at == entries[-1].id
    assert "recorded head" in (report.problem or "")


def test_a_cut_tail_is_caught_by_a_recorded_head_and_not_without(
    db: Any, entries: list[AuditEntry]
) -> None:
    head = audit.verify_chain().head
    _cut_last(db, entries)
    assert audit.verify_chain().ok  # the database's own head row was rewritten with it
    report = audit.verify_chain(head)
    assert not report.ok and report.broken_at is None
    assert "removed at the end" in (report.problem or "")


def test_audit_head_prints_one_line_that_verify_head_accepts(
    runner: FlaskCliRunner, entries: list[AuditEntry]
) -> None:
    printed = runner.invoke(args=["audit", "head"])
    assert printed.exit_code == 0
    line = printed.output.strip()
    assert re.fullmatch(r"3:k1:[0-9a-f]{61} \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", line), line
    assert line.split()[0] == f"3:{entries[-1].hash}"
    for recorded in (line.split()[0], line):
        verified = runner.invoke(args=["audit", "verify", "--head", recorded])
        assert verified.exit_code == 0, verified.output
        assert "chain intact (holds the recorded head 3)" in verified.output


def test_verify_head_exits_one_when_the_tail_was_cut(
    db: Any, runner: FlaskCliRunner, entries: list[AuditEntry]
) -> None:
    head = runner.invoke(args=["audit", "head"]).output.strip()
    _cut_last(db, entries)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify", "--head", head])
    assert result.exit_code == 1
    assert "BROKEN at chain head" in result.output and "removed at the end" in result.output


def test_a_malformed_head_is_a_usage_error(db: Any, runner: FlaskCliRunner) -> None:
    for bad in ("abc", "3:xyz", "-1:" + "0" * 64, "0:" + "1" * 64):
        result = runner.invoke(args=["audit", "verify", "--head", bad])
        assert result.exit_code == 2 and "COUNT:HASH" in result.output, bad
        assert "Traceback" not in result.output


def test_audit_head_refuses_to_print_the_head_of_a_broken_chain(
    db: Any, runner: FlaskCliRunner, entries: list[AuditEntry]
) -> None:
    _tamper(db, update(AuditEntry).where(AuditEntry.id == entries[1].id).values(reason="改过"))
    result = runner.invoke(args=["audit", "head"])
    assert result.exit_code == 1
    assert f"BROKEN at entry {entries[1].id}" in result.output and "k1:" not in result.output


# ------------------------------------------------------------------ marks


def _submitted(db: Any, make_contest: Any) -> Any:
    c = make_contest()
    c.sheet = judging.save_sheet(c.judges[1], c.entries[0], FULL, submit=True, expected_version=0)
    judging.save_sheet(c.judges[2], c.entries[0], {"T1": 70}, submit=False, expected_version=0)
    db.session.commit()
    return c


def test_a_mark_edited_in_the_database_is_reported(
    db: Any, make_contest: Any, runner: FlaskCliRunner
) -> None:
    c = _submitted(db, make_contest)
    assert integrity.check_marks() == integrity.Checked(1, ())  # the draft is not compared
    _tamper(
        db,
        update(Mark)
        .where(Mark.sheet_id == c.sheet.id, Mark.aspect_id == c.aspects["T1"].id)
        .values(value=99),
    )
    (finding,) = integrity.check_marks().findings
    assert f"score sheet {c.sheet.id}" in finding.subject
    assert c.entries[0].entry_code in finding.subject
    assert "T1 stored 99.00, audited 88.00" in finding.problem
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "chain intact" in result.output and "MISMATCH score sheet" in result.output


def test_reopened_and_corrected_sheets_replay_to_their_stored_marks(
    db: Any, make_contest: Any
) -> None:
    from contest.models import ContestStatus

    c = _submitted(db, make_contest)
    judge, entry = c.judges[1], c.entries[0]
    judging.reopen_sheet(c.chief, c.sheet, "复核尺寸")
    judging.save_sheet(judge, entry, {"T1": 90, "P1": None}, submit=False, expected_version=None)
    judging.save_sheet(judge, entry, {"P1": 36}, submit=True, expected_version=None)
    c.contest.status = ContestStatus.REVIEW
    judging.correct_mark(c.chief, c.sheet, "P2", 3, "复核发现漏计")
    db.session.commit()
    assert integrity.check_marks().ok
    _tamper(db, delete(Mark).where(Mark.aspect_id == c.aspects["P2"].id))
    (finding,) = integrity.check_marks().findings
    assert "P2 stored -, audited 3.00" in finding.problem


def test_sheets_written_around_the_audit_trail_are_reported(db: Any, ready_contest: Any) -> None:
    ready_contest()  # writes its locked sheets straight to the tables, as an insider could
    checked = integrity.check_marks()
    assert checked.count == 18 and len(checked.findings) == 18
    assert {f.problem for f in checked.findings} == {"no audited write recorded its marks"}


# ------------------------------------------------------------------ published results


def _published(db: Any, ready_contest: Any) -> Any:
    ns = ready_contest()
    ns.snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    ns.row = ns.snapshot.rows[0]
    ns.number, ns.name = ns.row.certificate_no, ns.row.name
    return ns


def _public(ns: Any) -> dict[str, str]:
    return {
        "page": f"/results/{ns.contest.id}",
        "api": f"/api/v1/contests/{ns.contest.id}/results",
        "verify": f"/verify/{ns.number}",
        "certificate": f"/results/{ns.contest.id}/certificates/{ns.number}.pdf",
    }


def _assert_withheld(client: Any, ns: Any) -> None:
    for kind, url in _public(ns).items():
        response = client.get(url)
        assert response.status_code == 503, kind
        body = response.get_data(as_text=True)
        if kind == "api":
            assert response.get_json() == {"error": "results_withheld", "message": WITHHELD}
        else:
            assert WITHHELD in body, kind
        assert TAMPERED_NAME not in body and ns.name not in body, kind


def test_a_result_row_edited_in_the_database_is_reported_and_never_served(
    db: Any, ready_contest: Any, client: Any, runner: FlaskCliRunner, caplog: Any
) -> None:
    ns = _published(db, ready_contest)
    assert integrity.check_results() == integrity.Checked(1, ())
    assert all(client.get(url).status_code == 200 for url in _public(ns).values())
    _tamper(db, update(ResultRow).where(ResultRow.id == ns.row.id).values(name=TAMPERED_NAME))

    (finding,) = integrity.check_results().findings
    assert f"result snapshot {ns.snapshot.id}" in finding.subject
    assert "row 1: stored name differ" in finding.problem
    with caplog.at_level(logging.WARNING):
        _assert_withheld(client, ns)
    logged = [r.getMessage() for r in caplog.records if "withheld" in r.getMessage()]
    assert logged and not any(ns.name in m or TAMPERED_NAME in m for m in logged)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "MISMATCH result snapshot" in result.output


def test_a_snapshot_rewritten_with_a_matching_digest_is_refused_by_the_audit_trail(
    db: Any, ready_contest: Any, client: Any
) -> None:
    ns = _published(db, ready_contest)
    document = ns.snapshot.document.replace(ns.name, TAMPERED_NAME)
    _tamper(
        db,
        update(ResultSnapshot)
        .where(ResultSnapshot.id == ns.snapshot.id)
        .values(document=document, digest=hashlib.sha256(document.encode()).hexdigest()),
        update(ResultRow).where(ResultRow.name == ns.name).values(name=TAMPERED_NAME),
    )
    (finding,) = integrity.check_results().findings
    assert "not the one audit entry" in finding.problem
    _assert_withheld(client, ns)


def test_a_snapshot_rewritten_with_its_publish_entry_rehashed_without_the_key_is_refused(
    db: Any, ready_contest: Any, client: Any
) -> None:
    """The insider also edits the publish entry's digest and gives it a plain SHA-256, as
    entries written before the key carry: behind keyed entries that proves nothing."""
    audit.record(None, "thing.create", "thing", 1)  # the trail holds keyed entries before it
    ns = _published(db, ready_contest)
    document = ns.snapshot.document.replace(ns.name, TAMPERED_NAME)
    digest = hashlib.sha256(document.encode()).hexdigest()
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == results.PUBLISH_ACTION)
    ).one()
    entry.after = after = entry.after.replace(ns.snapshot.digest, digest)
    forged = audit.plain_hash(entry)
    db.session.rollback()
    _tamper(
        db,
        update(AuditEntry).where(AuditEntry.id == entry.id).values(after=after, hash=forged),
        update(ResultSnapshot)
        .where(ResultSnapshot.id == ns.snapshot.id)
        .values(document=document, digest=digest),
        update(ResultRow).where(ResultRow.name == ns.name).values(name=TAMPERED_NAME),
    )
    (finding,) = integrity.check_results().findings
    assert f"its audit entry {entry.id} does not match its hash" in finding.problem
    _assert_withheld(client, ns)


def test_a_page_cached_before_tampering_keeps_its_sealed_rows_until_the_version_moves(
    make_app: Any, db: Any, ready_contest: Any
) -> None:
    client = make_app(CACHE_TYPE="SimpleCache", WALL_VERSION_TTL=0).test_client()
    ns = _published(db, ready_contest)
    url = _public(ns)["page"]
    assert ns.name in client.get(url).get_data(as_text=True)
    _tamper(db, update(ResultRow).where(ResultRow.id == ns.row.id).values(name=TAMPERED_NAME))
    cached = client.get(url)
    assert cached.status_code == 200 and TAMPERED_NAME not in cached.get_data(as_text=True)
    bump_version(RESULTS_CONTENT)
    db.session.commit()
    assert client.get(url).status_code == 503
