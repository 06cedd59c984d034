"""contest.services.skills.review: progress, flags, re-check, appeals and sign-off rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

import scoring
from contest.models import (
    Appeal,
    AppealStatus,
    AuditEntry,
    Conflict,
    EntryStatus,
    RecheckItem,
    ScoreSheet,
    SheetStatus,
)
from contest.services.skills import appeals, recheck, review, signoff
from contest.services.skills.standings import ranking
from tests.contest.review_support import arbitrator, put_sheet, score_all


def _actions(db: Any, action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# ---------------------------------------------------------------- progress


def test_progress_counts_per_judge_entry_and_overall(db: Any, make_contest: Any) -> None:
    c = make_contest(status="judging", entries=3, judges=2)
    a, b = c.judges
    put_sheet(db, c, a, c.entries[0], {"T1": 50})
    put_sheet(db, c, a, c.entries[1], {"T1": 50}, SheetStatus.DRAFT)
    put_sheet(db, c, b, c.entries[0], {"T1": 50}, SheetStatus.LOCKED)
    db.session.commit()
    state = review.progress(c.event)
    assert (state.done, state.total, state.drafts) == (2, 6, 1)
    assert not state.complete
    by_judge = {j.judge.id: j for j in state.judges}
    assert (by_judge[a.id].submitted, by_judge[a.id].drafts, by_judge[a.id].assigned) == (1, 1, 3)
    assert (by_judge[b.id].submitted, by_judge[b.id].drafts, by_judge[b.id].assigned) == (1, 0, 3)
    assert state.judges[0].is_chief  # the chief judge is listed first
    by_entry = {e.entry.id: e for e in state.entries}
    assert by_entry[c.entries[0].id].complete
    assert [u.id for u in by_entry[c.entries[1].id].waiting_for] == [a.id, b.id]
    assert [e.entry.entry_code for e in state.incomplete_entries] == ["A002", "A003"]


def test_progress_leaves_out_recused_and_withdrawn(db: Any, make_contest: Any) -> None:
    c = make_contest(entries=3, judges=2)
    a, b = c.judges
    db.session.add(
        Conflict(event_id=c.event.id, entry_id=c.entries[0].id, user_id=b.id, reason="亲属")
    )
    c.entries[2].status = EntryStatus.WITHDRAWN
    db.session.commit()
    state = review.progress(c.event)
    assert state.total == 3  # 2 entries × 2 judges − 1 conflict
    assert {j.judge.id: j.assigned for j in state.judges} == {a.id: 2, b.id: 1}
    a.organization_id = c.entries[0].organization_id  # a now belongs to A001's unit
    db.session.commit()
    db.session.expire_all()
    state = review.progress(c.event)
    assert {j.judge.id: j.assigned for j in state.judges} == {a.id: 1, b.id: 1}


# ---------------------------------------------------------------- flags and leniency


def test_disagreement_flags_on_judgement_aspects_only(db: Any, make_contest: Any) -> None:
    c = make_contest(entries=2, judges=3)
    for j, judge in enumerate(c.judges):
        # P2 (judgement 0–3): 0 / 2 / 3 on A001 → spread 3 > 1; T1 differs by 40 but is measured
        put_sheet(db, c, judge, c.entries[0], {"T1": 40 + 20 * j, "P2": [0, 2, 3][j]})
        put_sheet(db, c, judge, c.entries[1], {"T1": 50, "P2": [2, 2, 3][j]})
    db.session.commit()
    flags = review.disagreements(c.event)
    assert list(flags["code"]) == ["A-01"]
    assert list(flags["criterion"]) == ["P2"] and list(flags["aspect"]) == ["表面质量"]
    assert float(flags["spread"].iloc[0]) == 3.0
    c.event.policy = {"max_spread": 3}
    db.session.commit()
    assert review.disagreements(c.event).empty
    c.event.policy = {"max_spread": None}
    db.session.commit()
    assert review.disagreements(c.event).empty


def test_leniency_names_each_judge(db: Any, make_contest: Any) -> None:
    c = make_contest(entries=3, judges=3)
    for i, entry in enumerate(c.entries):
        for j, judge in enumerate(c.judges):
            put_sheet(db, c, judge, entry, {"T1": 60 + 10 * j + i, "P2": 2})
    db.session.commit()
    report = review.leniency(c.event)
    assert list(report["name"]) == [j.name for j in c.judges]
    assert report.loc[c.judges[2].id, "leniency"] > 0 > report.loc[c.judges[0].id, "leniency"]
    assert review.leniency(make_contest(entries=1, judges=1).event).empty


# ---------------------------------------------------------------- re-check


def test_recheck_list_top_n_plus_seeded_sample(db: Any, make_contest: Any) -> None:
    c = make_contest(status="review", entries=30, judges=3)
    score_all(db, c)
    items = recheck.build_recheck(c.chief, c.event, seed=42)
    db.session.commit()
    reasons = [i.reason for i in items]
    assert reasons.count("top") == 10
    assert reasons.count("sample") == 3  # ceil(15 % of the other 20)
    top_ids = {i.entry_id for i in items if i.reason == "top"}
    assert top_ids == {e.id for e in c.entries[:10]}  # the best ten
    expected = scoring.recheck_sample(ranking(c.event).table, top=10, fraction=0.15, seed=42)
    assert [i.entry_id for i in items] == [int(e) for e in expected["entry"]]
    state = recheck.recheck_state(c.event)
    assert state.seed == 42 and state.built and not state.complete
    log = _actions(db, "recheck.build")
    assert len(log) == 1 and '"seed": 42' in (log[0].after or "")
    with pytest.raises(review.ReviewError, match="已经生成"):
        recheck.build_recheck(c.chief, c.event, seed=1)


def test_recheck_needs_complete_judging_and_review_phase(db: Any, make_contest: Any) -> None:
    c = make_contest(status="review", entries=3, judges=2)
    put_sheet(db, c, c.judges[0], c.entries[0], {"T1": 50})
    db.session.commit()
    with pytest.raises(review.ReviewError, match="未提交"):
        recheck.build_recheck(c.chief, c.event)
    j = make_contest(status="judging", entries=2, judges=1)
    score_all(db, j)
    with pytest.raises(review.ReviewError, match="复核与申诉"):
        recheck.build_recheck(j.chief, j.event)
    with pytest.raises(review.NotPermitted):
        recheck.build_recheck(c.judges[1], c.event)


def _checked_event(db: Any, make_contest: Any, entries: int = 12, errors: int = 0) -> Any:
    c = make_contest(status="review", entries=entries, judges=3)
    score_all(db, c)
    items = recheck.build_recheck(c.chief, c.event, seed=7)
    for n, item in enumerate(items):
        found = 1 if n < errors else 0
        recheck.record_check(
            c.chief, item, errors_found=found, note="P1 录入错误已更正" if found else None
        )
    db.session.commit()
    return c


def test_recheck_outcome_within_limit_allows_sign_off(db: Any, make_contest: Any) -> None:
    c = _checked_event(db, make_contest, errors=1)  # 1 of 33 sheets = 3 %
    state = recheck.recheck_state(c.event)
    assert state.complete and state.outcome is not None
    assert (state.outcome.checked, state.outcome.errors) == (33, 1)
    assert not state.remark_all
    assert signoff.sign_off_blockers(c.event, c.chief) == []


def test_recheck_outcome_above_limit_blocks_until_remark_all(db: Any, make_contest: Any) -> None:
    c = _checked_event(db, make_contest, errors=2)  # 2 of 33 = 6.1 % > 5 %
    state = recheck.recheck_state(c.event)
    assert state.remark_all
    messages = [b.message for b in signoff.sign_off_blockers(c.event, c.chief)]
    assert any("全部重新评分" in m for m in messages)
    with pytest.raises(review.ReviewError, match="全部重新评分"):
        signoff.sign_off(c.chief, c.event)
    with pytest.raises(review.NotPermitted):
        recheck.remark_all(c.chief, c.event, "差错率超标")  # the organizer decides
    with pytest.raises(review.ReviewError, match="原因"):
        recheck.remark_all(c.organizer, c.event, " ")
    reopened = recheck.remark_all(c.organizer, c.event, "复核差错率 6.1%,全部重新评分")
    db.session.commit()
    assert reopened == 36
    statuses = set(db.session.scalars(select(ScoreSheet.status)))
    assert statuses == {SheetStatus.DRAFT}
    assert db.session.scalar(select(RecheckItem.id)) is None
    assert len(_actions(db, "sheet.reopen")) == 36
    assert len(_actions(db, "recheck.remark_all")) == 1
    messages = [b.message for b in signoff.sign_off_blockers(c.event, c.chief)]
    assert any("未提交" in m for m in messages) and any("尚未生成" in m for m in messages)


def test_record_check_validates_errors_and_note(db: Any, make_contest: Any) -> None:
    c = make_contest(status="review", entries=2, judges=2)
    score_all(db, c)
    item = recheck.build_recheck(c.chief, c.event, seed=1)[0]
    with pytest.raises(review.ReviewError, match="0 到 2"):
        recheck.record_check(c.chief, item, errors_found=3)
    with pytest.raises(review.ReviewError, match="备注"):
        recheck.record_check(c.chief, item, errors_found=1, note="")
    assert item.checked_at is None
    recheck.record_check(c.organizer, item, errors_found=0)
    assert item.checked_at is not None and item.checked_by_id == c.organizer.id
    assert len(_actions(db, "recheck.record")) == 1


# ---------------------------------------------------------------- appeals


def _ended(db: Any, c: Any, hours_ago: float) -> datetime:
    ended = datetime.now(UTC) - timedelta(hours=hours_ago)
    c.event.ended_at = ended
    db.session.commit()
    return ended


def test_appeal_inside_the_window_is_recorded(db: Any, make_contest: Any) -> None:
    c = make_contest(status="review", entries=2, judges=1)
    _ended(db, c, 1)
    appeal = appeals.record_appeal(
        c.organizer, c.event, entry_code="a-02", appellant="江州汽车厂领队", content="P1 测量有误"
    )
    db.session.commit()
    assert appeal.entry_id == c.entries[1].id and appeal.status is AppealStatus.PENDING
    assert len(_actions(db, "appeal.record")) == 1


def test_appeal_outside_the_window_is_refused_with_deadline(db: Any, make_contest: Any) -> None:
    c = make_contest(status="review", entries=2, judges=1)
    _ended(db, c, 3)
    with pytest.raises(review.ReviewError, match="2 小时内") as caught:
        appeals.record_appeal(
            c.organizer, c.event, entry_code="A001", appellant="领队", content="有误"
        )
    assert caught.value.field == "received_at"
    assert db.session.scalar(select(Appeal.id)) is None
    # received in time (recorded late) counts by the time it was received
    received = datetime.now(UTC) - timedelta(hours=2, minutes=30)
    appeals.record_appeal(
        c.organizer,
        c.event,
        entry_code="A001",
        appellant="领队",
        content="有误",
        received_at=received,
    )
    c.contest.appeal_window_hours = 4
    db.session.commit()
    appeals.record_appeal(c.organizer, c.event, entry_code="A001", appellant="领队", content="又一")


def test_appeal_input_errors_name_the_field(db: Any, make_contest: Any) -> None:
    c = make_contest(status="review", entries=1, judges=1)
    args = {"entry_code": "A001", "appellant": "领队", "content": "有误"}
    with pytest.raises(review.ReviewError, match="结束时间"):
        appeals.record_appeal(c.organizer, c.event, **args)
    _ended(db, c, 1)
    for key, value, needle in (
        ("entry_code", "Z999", "Z999"),
        ("appellant", " ", "申诉人"),
        ("content", "", "内容"),
    ):
        with pytest.raises(review.ReviewError, match=needle) as caught:
            appeals.record_appeal(c.organizer, c.event, **{**args, key: value})
        assert caught.value.field == key
    with pytest.raises(review.NotPermitted):
        appeals.record_appeal(c.judges[0] if len(c.judges) > 1 else _plain(c), c.event, **args)


def _plain(c: Any) -> Any:
    from contest.models import PanelMember

    member = PanelMember.query.filter_by(user_id=c.chief.id).one()
    member.is_chief = False
    return c.chief


def test_decide_requires_reason_and_is_final(db: Any, make_contest: Any, make_user: Any) -> None:
    c = make_contest(status="review", entries=1, judges=1)
    _ended(db, c, 1)
    appeal = appeals.record_appeal(
        c.chief, c.event, entry_code="A001", appellant="领队", content="有误"
    )
    arbiter = arbitrator(db, c, make_user)
    with pytest.raises(review.ReviewError, match="理由") as caught:
        appeals.decide_appeal(arbiter, appeal, upheld=True, reason="  ")
    assert caught.value.field == "reason" and appeal.status is AppealStatus.PENDING
    appeals.decide_appeal(arbiter, appeal, upheld=False, reason="复测无误,维持原分")
    assert appeal.status is AppealStatus.DISMISSED and appeal.decision == "复测无误,维持原分"
    with pytest.raises(review.ReviewError, match="最终"):
        appeals.decide_appeal(arbiter, appeal, upheld=True, reason="改判")
    entry = _actions(db, "appeal.decide")[0]
    assert entry.reason == "复测无误,维持原分"


# ---------------------------------------------------------------- sign-off


def test_sign_off_rules_and_locking(db: Any, make_contest: Any, make_user: Any) -> None:
    c = _checked_event(db, make_contest, entries=4)
    _ended(db, c, 1)
    appeal = appeals.record_appeal(
        c.organizer, c.event, entry_code="A001", appellant="领队", content="有误"
    )
    db.session.commit()
    with pytest.raises(review.NotPermitted):
        signoff.sign_off(c.organizer, c.event)
    with pytest.raises(review.NotPermitted):
        signoff.sign_off(c.judges[1], c.event)
    with pytest.raises(review.ReviewError, match="申诉"):
        signoff.sign_off(c.chief, c.event)
    appeals.decide_appeal(arbitrator(db, c, make_user), appeal, upheld=False, reason="维持")
    assert not review.names_visible(c.event)
    locked = signoff.sign_off(c.chief, c.event)
    db.session.commit()
    assert locked == 12
    assert set(db.session.scalars(select(ScoreSheet.status))) == {SheetStatus.LOCKED}
    assert set(db.session.scalars(select(ScoreSheet.version))) == {2}
    assert c.event.signed_off_by_id == c.chief.id and review.names_visible(c.event)
    assert len(_actions(db, "event.sign_off")) == 1
    with pytest.raises(review.ReviewError, match="已签字"):
        signoff.sign_off(c.chief, c.event)
    with pytest.raises(review.ReviewError, match="已"):
        appeals.record_appeal(c.organizer, c.event, entry_code="A001", appellant="x", content="y")


def test_sign_off_needs_review_phase_and_all_sheets(db: Any, make_contest: Any) -> None:
    c = make_contest(status="judging", entries=2, judges=2)
    put_sheet(db, c, c.judges[0], c.entries[0], {"T1": 50})
    db.session.commit()
    messages = " ".join(b.message for b in signoff.sign_off_blockers(c.event, c.chief))
    assert "复核与申诉" in messages and "3 份评分表未提交" in messages
    assert "复核名单尚未生成" in messages
    with pytest.raises(review.ReviewError):
        signoff.sign_off(c.chief, c.event)
    assert c.event.signed_off_at is None
