"""Score sheets in the service layer: saving, submitting, validation, locking and reopening."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from contest.models import (
    AuditEntry,
    Conflict,
    ContestStatus,
    EntryStatus,
    Mark,
    PanelMember,
    ScoreSheet,
    SheetStatus,
)
from contest.services.skills import judging
from contest.services.skills.judging import MarkErrors, NotAllowed, SheetLocked, StaleSheet

FULL = {"T1": 88, "P1": "35.5", "P2": 2, "P3": 3}


def _mark_count(db: Any) -> int:
    return db.session.scalar(select(func.count(Mark.id))) or 0


def test_a_draft_is_saved_and_keys_not_sent_keep_their_value(db: Any, make_contest: Any) -> None:
    c = make_contest()
    judge, entry = c.judges[1], c.entries[0]
    sheet = judging.save_sheet(judge, entry, {"T1": 80, "P2": 1}, submit=False, expected_version=0)
    db.session.commit()
    assert sheet.status is SheetStatus.DRAFT and sheet.version == 1
    judging.save_sheet(judge, entry, {"P1": "12.5"}, submit=False, expected_version=1)
    db.session.commit()
    assert judging.marks_of(judging.sheet_for(judge, entry)) == {
        "T1": Decimal(80),
        "P1": Decimal("12.5"),
        "P2": Decimal(1),
    }
    assert judging.sheet_for(judge, entry).version == 2


def test_an_empty_value_clears_a_draft_mark(db: Any, make_contest: Any) -> None:
    c = make_contest()
    judge, entry = c.judges[1], c.entries[0]
    judging.save_sheet(judge, entry, {"T1": 80, "P1": 10}, submit=False, expected_version=None)
    judging.save_sheet(judge, entry, {"T1": ""}, submit=False, expected_version=None)
    db.session.commit()
    assert judging.marks_of(judging.sheet_for(judge, entry)) == {"P1": Decimal(10)}


def test_submit_needs_every_aspect_and_then_locks(db: Any, make_contest: Any) -> None:
    c = make_contest()
    judge, entry = c.judges[1], c.entries[0]
    with pytest.raises(MarkErrors) as refused:
        judging.save_sheet(judge, entry, {"T1": 80}, submit=True, expected_version=0)
    assert set(refused.value.problems) == {"P1", "P2", "P3"}
    db.session.rollback()
    assert judging.sheet_for(judge, entry) is None
    sheet = judging.save_sheet(judge, entry, FULL, submit=True, expected_version=0)
    db.session.commit()
    assert sheet.status is SheetStatus.SUBMITTED and sheet.submitted_at is not None
    with pytest.raises(SheetLocked):
        judging.save_sheet(judge, entry, {"T1": 1}, submit=False, expected_version=None)


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("T1", 100.5, "0 到 100"),
        ("T1", -1, "0 到 100"),
        ("P1", "12.3", "0.5 的整数倍"),
        ("P2", "1.5", "等级"),
        ("P2", 4, "等级"),
        ("P3", 31, "0 到 30"),
        ("P1", "abc", "数字"),
        ("P1", True, "数字"),
        ("P1", "NaN", "数字"),
        ("P1", [1], "数字"),
        ("X9", 1, "没有这个评分项"),
    ],
)
def test_bad_values_are_refused_per_field_and_nothing_is_stored(
    db: Any, make_contest: Any, key: str, value: object, fragment: str
) -> None:
    c = make_contest()
    judge, entry = c.judges[1], c.entries[0]
    judging.save_sheet(judge, entry, {"T1": 50}, submit=False, expected_version=0)
    db.session.commit()
    audits = db.session.scalar(select(func.count(AuditEntry.id)))
    with pytest.raises(MarkErrors) as refused:
        judging.save_sheet(judge, entry, {"P1": 20, key: value}, submit=False, expected_version=1)
    db.session.rollback()
    assert list(refused.value.problems) == [key]
    assert fragment in refused.value.problems[key]
    assert judging.marks_of(judging.sheet_for(judge, entry)) == {"T1": Decimal(50)}
    assert judging.sheet_for(judge, entry).version == 1
    assert db.session.scalar(select(func.count(AuditEntry.id))) == audits


def test_a_component_restricted_judge_marks_only_that_component(db: Any, make_contest: Any) -> None:
    c = make_contest()
    judge, entry = c.judges[1], c.entries[0]
    member = db.session.scalar(select(PanelMember).where(PanelMember.user_id == judge.id))
    member.component_id = c.components["practical"].id
    db.session.commit()
    with pytest.raises(MarkErrors) as refused:
        judging.save_sheet(judge, entry, {"T1": 50}, submit=False, expected_version=0)
    assert "不由您评分" in refused.value.problems["T1"]
    db.session.rollback()
    sheet = judging.save_sheet(
        judge, entry, {"P1": 30, "P2": 3, "P3": 0}, submit=True, expected_version=0
    )
    assert sheet.status is SheetStatus.SUBMITTED


def test_a_stale_version_is_refused_and_nothing_overwritten(db: Any, make_contest: Any) -> None:
    c = make_contest()
    judge, entry = c.judges[1], c.entries[0]
    judging.save_sheet(judge, entry, {"T1": 50}, submit=False, expected_version=0)
    db.session.commit()
    # A second tab opened before that save still carries version 0.
    with pytest.raises(StaleSheet):
        judging.save_sheet(judge, entry, {"T1": 70}, submit=False, expected_version=0)
    db.session.rollback()
    with pytest.raises(StaleSheet):
        judging.save_sheet(judge, entry, {"T1": 70}, submit=False, expected_version=5)
    db.session.rollback()
    assert judging.marks_of(judging.sheet_for(judge, entry)) == {"T1": Decimal(50)}


def test_every_save_and_submit_is_audited_with_before_and_after(db: Any, make_contest: Any) -> None:
    c = make_contest()
    judge, entry = c.judges[1], c.entries[0]
    judging.save_sheet(judge, entry, {"T1": 50}, submit=False, expected_version=0)
    judging.save_sheet(judge, entry, FULL, submit=True, expected_version=1)
    db.session.commit()
    rows = list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == "score_sheet")
            .order_by(AuditEntry.id)
        )
    )
    assert [r.action for r in rows] == ["sheet.save", "sheet.submit"]
    assert '"T1": "50.00"' in rows[1].before and '"submitted"' in rows[1].after
    assert '"T1": "88.00"' in rows[1].after


def test_unassigned_recused_withdrawn_and_wrong_phase_are_not_allowed(
    db: Any, make_contest: Any, make_user: Any
) -> None:
    c = make_contest()
    outsider = make_user("judge")
    with pytest.raises(NotAllowed):
        judging.save_sheet(outsider, c.entries[0], {"T1": 1}, submit=False, expected_version=0)
    judge = c.judges[1]
    db.session.add(
        Conflict(event_id=c.event.id, entry_id=c.entries[0].id, user_id=judge.id, reason="师徒")
    )
    c.entries[1].status = EntryStatus.WITHDRAWN
    db.session.commit()
    with pytest.raises(NotAllowed, match="回避"):
        judging.save_sheet(judge, c.entries[0], {"T1": 1}, submit=False, expected_version=0)
    with pytest.raises(NotAllowed, match="退赛"):
        judging.save_sheet(judge, c.entries[1], {"T1": 1}, submit=False, expected_version=0)
    c.contest.status = ContestStatus.REGISTRATION
    db.session.commit()
    with pytest.raises(NotAllowed, match="评分阶段"):
        judging.save_sheet(judge, c.entries[2], {"T1": 1}, submit=False, expected_version=0)


def test_a_judge_of_the_entrants_unit_is_recused_automatically(
    db: Any, make_contest: Any, make_user: Any
) -> None:
    c = make_contest()
    insider = make_user("judge", organization=c.units[0])
    from contest.models import Assignment

    db.session.add(PanelMember(event_id=c.event.id, user_id=insider.id))
    db.session.add(Assignment(event_id=c.event.id, entry_id=c.entries[0].id, user_id=insider.id))
    db.session.commit()
    with pytest.raises(NotAllowed, match="回避"):
        judging.save_sheet(insider, c.entries[0], {"T1": 1}, submit=False, expected_version=0)
    assert judging.assignments_for(insider) == []


def test_the_set_based_recusal_agrees_with_the_one_pair_rule(
    db: Any, make_contest: Any, make_user: Any, make_org: Any
) -> None:
    """``access.recused_assignments`` (task lists, progress) and ``access.is_recused`` (one
    sheet) stand the same judges aside: own unit, a unit below it, a declared conflict; a judge
    of the unit above the entrant's (the host) is not recused by the unit rule."""
    from contest.models import Assignment, OrgKind
    from contest.services.skills import access

    c = make_contest(entries=3)
    workshop = make_org(name="机床厂一车间工会", kind=OrgKind.GRASSROOTS, parent=c.units[0])
    below = make_user("judge", organization=workshop)
    host_judge = make_user("judge", organization=c.host)
    for judge in (below, host_judge):
        db.session.add(PanelMember(event_id=c.event.id, user_id=judge.id))
        for entry in c.entries:
            db.session.add(Assignment(event_id=c.event.id, entry_id=entry.id, user_id=judge.id))
    db.session.add(
        Conflict(
            event_id=c.event.id, entry_id=c.entries[1].id, user_id=c.judges[1].id, reason="亲属"
        )
    )
    db.session.commit()

    pairs = {
        (a.entry_id, a.user_id): access.is_recused(a.user, a.entry)
        for a in db.session.scalars(select(Assignment).where(Assignment.event_id == c.event.id))
    }
    expected = {pair for pair, recused in pairs.items() if recused}
    assert access.recused_assignments(event_id=c.event.id) == expected
    assert (c.entries[1].id, c.judges[1].id) in expected
    assert any(user == below.id for _entry, user in expected)
    assert not any(user == host_judge.id for _entry, user in expected)
    mine = access.recused_assignments(user_id=below.id, entry_ids=[c.entries[0].id])
    assert mine == {p for p in expected if p == (c.entries[0].id, below.id)}


def test_signed_off_event_locks_every_sheet(db: Any, make_contest: Any) -> None:
    from contest.models.base import utcnow

    c = make_contest(status=ContestStatus.REVIEW)
    c.event.signed_off_at = utcnow()
    db.session.commit()
    with pytest.raises(SheetLocked):
        judging.save_sheet(c.judges[1], c.entries[0], {"T1": 1}, submit=False, expected_version=0)


def test_the_chief_judge_reopens_a_submitted_sheet_with_a_reason(
    db: Any, make_contest: Any
) -> None:
    c = make_contest()
    judge, entry = c.judges[1], c.entries[0]
    sheet = judging.save_sheet(judge, entry, FULL, submit=True, expected_version=0)
    db.session.commit()
    with pytest.raises(NotAllowed):
        judging.reopen_sheet(c.judges[2], sheet, "看错了")
    with pytest.raises(MarkErrors):
        judging.reopen_sheet(c.chief, sheet, "  ")
    judging.reopen_sheet(c.chief, sheet, "选手申请复核尺寸")
    db.session.commit()
    assert sheet.status is SheetStatus.DRAFT and sheet.version == 2
    entry_row = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "sheet.reopen")
    ).one()
    assert entry_row.reason == "选手申请复核尺寸" and entry_row.actor_id == c.chief.id
    # The judge's form from before the reopen is stale; a fresh one saves.
    with pytest.raises(StaleSheet):
        judging.save_sheet(judge, entry, {"T1": 90}, submit=False, expected_version=1)
    db.session.rollback()
    judging.save_sheet(judge, entry, {"T1": 90}, submit=True, expected_version=2)
    db.session.commit()
    # The organizer may reopen as well.
    judging.reopen_sheet(c.organizer, judging.sheet_for(judge, entry), "组织者复核")


def test_correct_mark_in_review_is_audited_and_refused_otherwise(
    db: Any, make_contest: Any
) -> None:
    c = make_contest()
    judge, entry = c.judges[1], c.entries[0]
    sheet = judging.save_sheet(judge, entry, FULL, submit=True, expected_version=0)
    db.session.commit()
    with pytest.raises(NotAllowed, match="复核阶段"):
        judging.correct_mark(c.chief, sheet, "T1", 90, "复核")
    c.contest.status = ContestStatus.REVIEW
    db.session.commit()
    with pytest.raises(NotAllowed):
        judging.correct_mark(judge, sheet, "T1", 90, "复核")
    with pytest.raises(MarkErrors):
        judging.correct_mark(c.chief, sheet, "T1", 90, "")
    with pytest.raises(MarkErrors):
        judging.correct_mark(c.chief, sheet, "T1", 101, "复核")
    judging.correct_mark(c.chief, sheet, "T1", "90.5", "复核发现漏计")
    db.session.commit()
    assert judging.marks_of(sheet)["T1"] == Decimal("90.5")
    assert sheet.status is SheetStatus.SUBMITTED
    row = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mark.correct")).one()
    assert '"88.00"' in row.before and '"90.50"' in row.after and row.reason == "复核发现漏计"


def test_assignments_list_codes_with_status_and_progress(db: Any, make_contest: Any) -> None:
    c = make_contest()
    judge = c.judges[1]
    judging.save_sheet(judge, c.entries[0], FULL, submit=True, expected_version=0)
    judging.save_sheet(judge, c.entries[1], {"T1": 3}, submit=False, expected_version=0)
    db.session.add(
        Conflict(event_id=c.event.id, entry_id=c.entries[3].id, user_id=judge.id, reason="亲属")
    )
    db.session.commit()
    items = judging.assignments_for(judge)
    assert [(i.code, i.status) for i in items] == [
        ("A-01", "submitted"),
        ("A-02", "draft"),
        ("A-03", "empty"),
    ]
    (tasks,) = judging.tasks_by_event(items)
    assert (tasks.done, tasks.total) == (1, 3)


def test_one_mark_per_sheet_and_aspect_after_many_saves(db: Any, make_contest: Any) -> None:
    c = make_contest()
    judge, entry = c.judges[1], c.entries[0]
    for value in (1, 2, 3, 4):
        judging.save_sheet(
            judge, entry, {"T1": value, "P1": value}, submit=False, expected_version=None
        )
    db.session.commit()
    assert _mark_count(db) == 2
    sheet = db.session.scalars(select(ScoreSheet)).one()
    assert sheet.version == 4
