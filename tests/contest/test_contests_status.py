"""The contest status machine: every move allowed and refused, with the problem named."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from contest.models import (
    Appeal,
    AuditEntry,
    Conflict,
    Contest,
    ContestStatus,
    EntryStatus,
    HonorLevel,
    PanelMember,
    RecheckItem,
    ScoreSheet,
    SheetStatus,
)
from contest.services.skills import status as status_service
from contest.services.skills.contests import ContestError
from contest.services.skills.status import check_transition, transition

S = ContestStatus


def _one(problems: list[str], needle: str) -> None:
    assert problems, "expected the move to be refused"
    assert any(needle in p for p in problems), problems


def _submit_all(db: Any, made: Any, status: SheetStatus = SheetStatus.SUBMITTED) -> None:
    for judge in made.judges:
        for entry in made.entries:
            db.session.add(
                ScoreSheet(
                    event_id=made.event.id, entry_id=entry.id, user_id=judge.id, status=status
                )
            )
    db.session.flush()


def test_unknown_moves_refused(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.DRAFT)
    _one(check_transition(made.contest, S.JUDGING), "不能从「筹备中」直接转为「比赛评分中」")
    with pytest.raises(ContestError, match="直接转为"):
        transition(made.organizer, made.contest, S.ARCHIVED)


def test_draft_to_registration(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.DRAFT)
    assert check_transition(made.contest, S.REGISTRATION) == []
    transition(made.organizer, made.contest, S.REGISTRATION)
    assert made.contest.status is S.REGISTRATION
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "contest.status")
    ).one()
    assert '"registration"' in entry.after and '"draft"' in entry.before


def test_draft_to_registration_needs_an_event(db: Any, make_org: Any, make_user: Any) -> None:
    host = make_org(name="某市总工会")
    contest = Contest(name="空大赛", level=HonorLevel.CITY, year=2026, organization=host)
    db.session.add(contest)
    db.session.flush()
    _one(check_transition(contest, S.REGISTRATION), "还没有赛项")


def test_draft_to_registration_weights(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.DRAFT)
    made.components["theory"].weight = Decimal(20)
    db.session.flush()
    _one(check_transition(made.contest, S.REGISTRATION), "权重之和为 90%，应为 100%")
    with pytest.raises(ContestError) as info:
        transition(made.organizer, made.contest, S.REGISTRATION)
    assert "权重" in info.value.message
    assert made.contest.status is S.DRAFT


def test_draft_to_registration_rubric_totals(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.DRAFT)
    made.aspects["P1"].max_points = Decimal(35)
    made.aspects["P2"].descriptors = ["差", "好"]
    db.session.flush()
    problems = check_transition(made.contest, S.REGISTRATION)
    _one(problems, "「实操」模块各评分要素分值合计 95 分，应等于模块满分 100 分")
    _one(problems, "P2")


def test_registration_to_draft(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.REGISTRATION)
    _one(check_transition(made.contest, S.DRAFT), "已有 4 名选手报名")
    empty = make_contest(status=S.REGISTRATION, entries=0)
    assert check_transition(empty.contest, S.DRAFT) == []
    transition(empty.organizer, empty.contest, S.DRAFT, reason="补充赛项")
    assert empty.contest.status is S.DRAFT


def test_registration_to_judging(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.REGISTRATION)
    assert check_transition(made.contest, S.JUDGING) == []
    transition(made.organizer, made.contest, S.JUDGING)
    assert made.contest.status is S.JUDGING


def test_registration_to_judging_refusals(db: Any, make_contest: Any) -> None:
    empty = make_contest(status=S.REGISTRATION, entries=0)
    _one(check_transition(empty.contest, S.JUDGING), "还没有报名选手")

    made = make_contest(status=S.REGISTRATION)
    made.entries[0].entry_code = None
    made.entries[0].seat_code = None
    db.session.execute(
        PanelMember.__table__.update()
        .where(PanelMember.event_id == made.event.id)
        .values(is_chief=False)
    )
    db.session.flush()
    problems = check_transition(made.contest, S.JUDGING)
    _one(problems, "1 名选手尚未抽取参赛号")
    _one(problems, "还没有指定裁判长")

    unassigned = make_contest(status=S.REGISTRATION, judges=0)
    _one(check_transition(unassigned.contest, S.JUDGING), "4 名选手尚未分配评委")


def test_judging_to_registration(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.JUDGING)
    assert check_transition(made.contest, S.REGISTRATION) == []
    db.session.add(
        ScoreSheet(event_id=made.event.id, entry_id=made.entries[0].id, user_id=made.chief.id)
    )
    db.session.flush()
    _one(check_transition(made.contest, S.REGISTRATION), "评委已开始评分（1 份评分表）")


def test_judging_to_review(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.JUDGING, entries=2, judges=2)
    _one(check_transition(made.contest, S.REVIEW), "还有 4 份评分表未提交")
    _submit_all(db, made)
    assert check_transition(made.contest, S.REVIEW) == []
    transition(made.organizer, made.contest, S.REVIEW)
    assert made.contest.status is S.REVIEW


def test_judging_to_review_skips_recused_and_absent(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.JUDGING, entries=2, judges=2)
    first, second = made.entries
    # A draft for one pair, a declared conflict for it instead: not counted.
    db.session.add(ScoreSheet(event_id=made.event.id, entry_id=first.id, user_id=made.judges[1].id))
    for judge in made.judges:
        db.session.add(
            ScoreSheet(
                event_id=made.event.id,
                entry_id=second.id,
                user_id=judge.id,
                status=SheetStatus.SUBMITTED,
            )
        )
    db.session.add(
        ScoreSheet(
            event_id=made.event.id,
            entry_id=first.id,
            user_id=made.judges[0].id,
            status=SheetStatus.SUBMITTED,
        )
    )
    db.session.flush()
    _one(check_transition(made.contest, S.REVIEW), "还有 1 份评分表未提交")
    db.session.add(
        Conflict(
            event_id=made.event.id, entry_id=first.id, user_id=made.judges[1].id, reason="亲属"
        )
    )
    db.session.flush()
    assert check_transition(made.contest, S.REVIEW) == []
    # Once check-in is used, an entrant who did not check in (kept, or 缺考) needs no sheets.
    other = make_contest(status=S.JUDGING, entries=3, judges=1)
    other.entries[1].status = EntryStatus.REGISTERED
    other.entries[2].status = EntryStatus.ABSENT
    db.session.add(
        ScoreSheet(
            event_id=other.event.id,
            entry_id=other.entries[0].id,
            user_id=other.judges[0].id,
            status=SheetStatus.SUBMITTED,
        )
    )
    db.session.flush()
    assert check_transition(other.contest, S.REVIEW) == []
    # Without any check-in, every registered entrant is scored.
    other.entries[0].status = EntryStatus.REGISTERED
    db.session.flush()
    _one(check_transition(other.contest, S.REVIEW), "还有 1 份评分表未提交")


def test_review_to_judging(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.REVIEW)
    assert check_transition(made.contest, S.JUDGING) == []
    made.event.signed_off_at = datetime.now(UTC)
    db.session.flush()
    _one(check_transition(made.contest, S.JUDGING), "已由裁判长签字确认，不能退回评分")


def test_review_to_published(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.REVIEW)
    _one(check_transition(made.contest, S.PUBLISHED), "裁判长尚未签字确认")
    made.event.signed_off_at = datetime.now(UTC)
    db.session.add(
        Appeal(
            event_id=made.event.id,
            entry_id=made.entries[0].id,
            received_at=datetime.now(UTC),
            appellant="领队",
            content="复核尺寸",
        )
    )
    item = RecheckItem(event_id=made.event.id, entry_id=made.entries[1].id, reason="top")
    db.session.add(item)
    db.session.flush()
    problems = check_transition(made.contest, S.PUBLISHED)
    _one(problems, "1 件申诉尚未裁决")
    _one(problems, "1 名选手未复核")
    db.session.execute(Appeal.__table__.update().values(status="dismissed", decision="维持"))
    item.checked_at = datetime.now(UTC)
    db.session.flush()
    db.session.expire_all()
    assert check_transition(made.contest, S.PUBLISHED) == []
    with pytest.raises(ContestError, match="公布成绩"):
        transition(made.organizer, made.contest, S.PUBLISHED)
    # results.publish checks, then sets the status itself.
    status_service.set_status(made.organizer, made.contest, S.PUBLISHED)
    assert made.contest.status is S.PUBLISHED and made.contest.published_at is not None


def test_published_to_archived_and_nothing_after(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.PUBLISHED)
    assert [to for to, _ in status_service.allowed_moves(made.contest)] == [S.ARCHIVED]
    transition(made.organizer, made.contest, S.ARCHIVED)
    assert status_service.allowed_moves(made.contest) == []
    _one(check_transition(made.contest, S.PUBLISHED), "直接转为")


def test_archiving_a_published_contest_refreshes_the_public_caches(
    db: Any, make_contest: Any
) -> None:
    from contest.models import ContentVersion, ContestStatus

    c = make_contest(status="published")
    before = db.session.get(ContentVersion, "results")
    version = before.version if before else 0

    transition(c.organizer, c.contest, ContestStatus.ARCHIVED)

    assert db.session.get(ContentVersion, "results").version == version + 1


def test_judging_to_review_skips_a_judge_of_the_entrants_unit(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.JUDGING, entries=2, judges=2)
    _one(check_transition(made.contest, S.REVIEW), "还有 4 份评分表未提交")
    # The second judge now belongs to the first entrant's unit: that pair stands aside (回避).
    made.judges[1].organization = made.entries[0].organization
    db.session.flush()
    _one(check_transition(made.contest, S.REVIEW), "还有 3 份评分表未提交")


def test_judging_to_review_check_does_not_query_per_sheet(db: Any, make_contest: Any) -> None:
    from sqlalchemy import event as sa_event

    def statements(made: Any) -> int:
        db.session.expire_all()
        seen: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append(statement)

        engine = db.session.get_bind()
        sa_event.listen(engine, "before_cursor_execute", count)
        try:
            check_transition(db.session.get(Contest, made.contest.id), S.REVIEW)
        finally:
            sa_event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    small = make_contest(status=S.JUDGING, entries=2, judges=2)
    large = make_contest(status=S.JUDGING, entries=8, judges=3)
    assert statements(large) == statements(small)
