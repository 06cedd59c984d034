"""Publishing: the snapshot, its digest, certificate numbers, honors and the refusals."""

from __future__ import annotations

import json
from typing import Any

from contest.models import ContestStatus, Honor, HonorSource
from contest.services import results
from tests.contest.results_fixtures import ID_NUMBER, PHONE, ready_contest_fixture  # noqa: F401


def test_publish_builds_a_verifiable_snapshot(db: Any, ready_contest: Any) -> None:
    ns = ready_contest()
    snapshot = results.publish(ns.organizer, ns.contest)
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
