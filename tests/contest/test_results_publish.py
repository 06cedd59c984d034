"""Publishing: the snapshot, its digest, certificate numbers, honors and the refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contest.models import ContestStatus, Honor, HonorSource
from contest.services.core.versions import RESULTS_CONTENT
from contest.services.skills import publishing, results
from tests.contest.results_fixtures import ID_NUMBER, PHONE, ready_contest_fixture  # noqa: F401


def test_publish_builds_a_verifiable_snapshot(db: Any, ready_contest: Any) -> None:
    ns = ready_contest()
    snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    assert ns.contest.status is ContestStatus.PUBLISHED
    assert snapshot.is_current and snapshot.row_count == 6
    assert results.verify_digest(snapshot)
    rows = snapshot.rows
    assert [r.rank for r in rows] == [1, 2, 3, 4, 5, 6]
    assert [r.award for r in rows[:4]] == ["一等奖", "二等奖", "三等奖", None]
    assert rows[0].titles == ["江州市技术能手"] and rows[0].is_female
    assert set(rows[0].components) == {"theory", "practical"}
    document = json.loads(snapshot.document)
    assert ID_NUMBER not in snapshot.document and PHONE not in snapshot.document
    assert document["events"][0]["rows"][0]["total"] == f"{rows[0].total:.2f}"
    numbers = [r.certificate_no for r in rows if r.certificate_no]
    assert len(numbers) == 3 and len(set(numbers)) == 3
    found = results.find_certificate(numbers[0].lower())
    assert found is not None and found.name == rows[0].name and found.award == "一等奖"
    honors = db.session.query(Honor).filter_by(source=HonorSource.CONTEST).all()
    assert {h.recipient_name for h in honors} == {rows[0].name, rows[1].name}
    assert {h.source_ref for h in honors} == {f"contest:{ns.contest.id}"}


def test_publish_refused_when_the_transition_check_has_problems(
    db: Any, ready_contest: Any, monkeypatch: Any
) -> None:
    from contest.models import AuditEntry, ResultSnapshot
    from contest.services.skills import status

    ns = ready_contest()
    monkeypatch.setattr(status, "check_transition", lambda contest, to: ["有待处理的申诉"])
    with pytest.raises(publishing.ResultsError) as refused:
        publishing.publish(ns.organizer, ns.contest)
    assert refused.value.problems == ["有待处理的申诉"]
    db.session.rollback()
    assert db.session.query(ResultSnapshot).count() == 0
    assert db.session.query(AuditEntry).filter_by(action="results.publish").count() == 0
    assert ns.contest.status is ContestStatus.REVIEW


def test_publish_refused_for_an_event_not_signed_off(db: Any, ready_contest: Any) -> None:
    ns = ready_contest()
    ns.event.signed_off_at = None
    db.session.commit()
    with pytest.raises(publishing.ResultsError):
        publishing.publish(ns.organizer, ns.contest)


def test_republication_keeps_old_snapshots_and_changes_the_digest(
    db: Any, ready_contest: Any
) -> None:
    from contest.models import Mark

    ns = ready_contest()
    first = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    old_numbers = {r.certificate_no for r in first.rows if r.certificate_no}
    # A correction: the second entrant's theory marks go up and overtake the first.
    aspect = ns.aspects["T1"]
    for mark in db.session.query(Mark).filter_by(aspect_id=aspect.id):
        if mark.sheet.entry_id == ns.entries[1].id:
            mark.value = 100
    for mark in db.session.query(Mark).filter_by(aspect_id=ns.aspects["P1"].id):
        if mark.sheet.entry_id == ns.entries[1].id:
            mark.value = 40
    db.session.commit()
    second = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    db.session.expire_all()
    assert second.digest != first.digest
    assert not first.is_current and second.is_current
    assert results.current_snapshot(ns.contest.id).id == second.id
    assert results.verify_digest(first) and results.verify_digest(second)
    new_numbers = {r.certificate_no for r in second.rows if r.certificate_no}
    assert not old_numbers & new_numbers
    old = results.find_certificate(sorted(old_numbers)[0])
    assert old is not None and not old.is_current
    # The title moved with the placing; the lost one is revoked, not deleted.
    from contest.models import HonorStatus

    honors = db.session.query(Honor).filter_by(source=HonorSource.CONTEST).all()
    assert len(honors) == 2
    assert all(h.status is HonorStatus.VALID for h in honors)


def test_republishing_unchanged_results_is_refused(db: Any, ready_contest: Any) -> None:
    ns = ready_contest()
    publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    with pytest.raises(publishing.ResultsError) as refused:
        publishing.publish(ns.organizer, ns.contest)
    assert "无需重新公布" in refused.value.problems[0]


def test_tampered_rows_fail_verification(db: Any, ready_contest: Any) -> None:
    ns = ready_contest()
    snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    row = snapshot.rows[3]
    row.award = "一等奖"
    db.session.commit()
    assert not results.verify_digest(snapshot)


def test_publish_is_one_pass_audited_with_one_version_bump(db: Any, ready_contest: Any) -> None:
    from contest.models import AuditEntry, ContentVersion

    ns = ready_contest()
    before = db.session.get(ContentVersion, RESULTS_CONTENT)
    start = before.version if before else 0
    snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    entry = db.session.query(AuditEntry).filter_by(action="results.publish").one()
    assert entry.target_id == str(ns.contest.id) and snapshot.digest in str(entry.after)
    moves = db.session.query(AuditEntry).filter_by(action="contest.status").all()
    assert [json.loads(m.after) for m in moves] == [{"status": "published"}]
    version = db.session.get(ContentVersion, RESULTS_CONTENT)
    assert version is not None and version.version == start + 1
    assert ns.contest.published_at == snapshot.created_at


def test_withdrawn_entries_are_listed_unranked_at_the_end(db: Any, ready_contest: Any) -> None:
    from contest.models import EntryStatus

    ns = ready_contest()
    ns.entries[0].status = EntryStatus.WITHDRAWN
    db.session.commit()
    snapshot = publishing.publish(ns.organizer, ns.contest)
    rows = snapshot.rows
    assert rows[-1].entry_code == ns.entries[0].entry_code and rows[-1].rank is None
    assert rows[-1].total is None and rows[-1].certificate_no is None
    assert [r.rank for r in rows[:-1]] == [1, 2, 3, 4, 5]


def test_contest_honors_show_on_the_wall(db: Any, ready_contest: Any, client: Any) -> None:
    ns = ready_contest()
    snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    payload = client.get("/api/v1/honors?q=江州市技术能手").get_json()
    names = {item["name"] for item in payload["items"]}
    assert snapshot.rows[0].name in names and snapshot.rows[1].name in names
    page = client.get("/wall/?q=江州市技术能手").get_data(as_text=True)
    assert snapshot.rows[0].name in page
