"""Correcting a labor round after its sheets are in (issue 12 review item 10): an organizer
reopens a published round with a reason when an accident is reported late — its results leave
the public side, the red flags are computed again over the rounds still published, the public
version moves — and the round is confirmed and published again with the correction; and the
chief or an organizer hands a submitted self-assessment back while the round is 自评中."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from contest.models import (
    AuditEntry,
    ContentVersion,
    RoundFlag,
    RoundResult,
    RoundStatus,
    SheetStatus,
)
from contest.services.core.versions import LABOR_CONTENT
from contest.services.labor import round_results, scoring
from contest.services.labor import standings as service
from contest.services.labor.base import LaborError
from tests.contest.labor_rounds_support import add_round, build_round_world, full_marks
from tests.contest.test_labor_rounds import (
    assess,
    everyone_full,
    holders,
    open_scoring,
    publish,
    self_assess,
)


@pytest.fixture
def world(db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> SimpleNamespace:
    return build_round_world(db, make_org, make_user)


def labor_version(db: Any) -> int:
    row = db.session.query(ContentVersion).filter_by(name=LABOR_CONTENT).one_or_none()
    return 0 if row is None else int(row.version)


def round_url(world: SimpleNamespace, step: str = "progress", round_: Any = None) -> str:
    r = round_ or world.round
    return f"/labor/{world.competition.id}/rounds/{r.id}/{step}"


def test_a_late_accident_reopens_the_published_round_and_moves_the_flag(
    app: Any, db: Any, world: SimpleNamespace
) -> None:
    publish(db, world, world.round)
    assert holders(world, world.round) == [("P1", 1, False), ("P3", 1, False), ("P4", 1, False)]
    version = labor_version(db)

    with pytest.raises(LaborError, match="只有竞赛的组织者"):
        round_results.reopen_round(world.chief, world.round, "迟报事故")
    with pytest.raises(LaborError, match="原因"):
        round_results.reopen_round(world.organizer, world.round, " ")
    db.session.rollback()
    round_results.reopen_round(world.organizer, world.round, "P1 三月发生较大安全事故，迟报")
    db.session.commit()

    assert world.round.status is RoundStatus.SCORING
    assert world.round.published_at is None and world.round.confirmed_at is None
    assert db.session.query(RoundResult).count() == 0
    assert db.session.query(RoundFlag).count() == 0  # no round is published any more
    assert labor_version(db) > version
    entry = db.session.query(AuditEntry).filter_by(action="competition.round.reopen").one()
    assert entry.reason == "P1 三月发生较大安全事故，迟报"
    assert '"status": "published"' in entry.before and '"results_removed": 4' in entry.after
    with app.test_request_context():
        assert service.standings(world.competition).rounds == ()

    # the chief hands P1's sheet back, the assessor marks the accident, and the round goes out
    # again: P1 is vetoed for the round and P2 holds 土建's flag
    sheet = scoring.assessor_sheet(world.round, world.participants["P1"], world.member.id)
    scoring.return_sheet(world.chief, sheet, "补记较大安全事故")
    db.session.commit()
    assess(db, world, world.member, "P1", full_marks(V1="1"))
    round_results.confirm_round(world.chief, world.round)
    round_results.publish_round(world.organizer, world.round)
    db.session.commit()
    assert holders(world, world.round) == [("P3", 1, False), ("P4", 1, False)]
    p1 = db.session.query(RoundResult).filter_by(participant_id=world.participants["P1"].id).one()
    assert p1.vetoed and p1.rank is None


def test_flags_are_recomputed_over_the_rounds_still_published(
    db: Any, world: SimpleNamespace
) -> None:
    publish(db, world, world.round, P3={"Q1": "39"})
    second = add_round(db, world, "2026 年 4 月", 1)
    publish(db, world, second, P3={"Q1": "39"})
    assert holders(world, second) == [("P1", 2, False), ("P4", 2, False)]
    # the earlier round cannot be reopened while a later one is published
    with pytest.raises(LaborError, match="2026 年 4 月"):
        round_results.reopen_round(world.organizer, world.round, "改分")
    db.session.rollback()
    round_results.reopen_round(world.organizer, second, "复核四月")
    db.session.commit()
    assert holders(world, world.round) == [("P1", 1, False), ("P4", 1, False)]
    assert holders(world, second) == []
    round_results.reopen_round(world.organizer, world.round, "复核三月")
    db.session.commit()
    assert db.session.query(RoundFlag).count() == 0


def test_a_submitted_self_assessment_is_handed_back_while_self_assessing(
    db: Any, world: SimpleNamespace
) -> None:
    sheet = self_assess(db, world, "P1", full_marks(Q1="40"))
    assert sheet.status is SheetStatus.SUBMITTED
    with pytest.raises(LaborError, match="组长或组织者"):
        scoring.return_sheet(world.member, sheet, "数字填错")
    with pytest.raises(LaborError, match="退回原因"):
        scoring.return_sheet(world.organizer, sheet, "")
    db.session.rollback()
    scoring.return_sheet(world.organizer, sheet, "入会率佐证缺页")
    db.session.commit()
    assert sheet.status is SheetStatus.DRAFT
    entry = db.session.query(AuditEntry).filter_by(action="sheet.return").one()
    assert entry.reason == "入会率佐证缺页" and entry.target_id == str(sheet.id)
    again = self_assess(db, world, "P1", full_marks(Q1="38"), expected_version=sheet.version)
    assert again.status is SheetStatus.SUBMITTED
    scoring.return_sheet(world.chief, again, "再核对一次")
    db.session.commit()
    self_assess(db, world, "P1", full_marks(Q1="38"), expected_version=again.version)
    open_scoring(db, world)
    with pytest.raises(LaborError, match="自评中"):
        scoring.return_sheet(world.chief, again, "太晚了")


def test_round_pages_reopen_and_return(
    db: Any, world: SimpleNamespace, client_for: Callable[..., Any]
) -> None:
    organizer, chief = client_for(world.organizer), client_for(world.chief)
    sheet = self_assess(db, world, "P2", full_marks())
    page = chief.get(round_url(world)).get_data(as_text=True)
    assert "退回自评表" in page and f'<option value="{sheet.id}">三号线P2标段</option>' in page
    returned = organizer.post(
        round_url(world, "return"), data={"ret-sheet_id": str(sheet.id), "ret-reason": "缺佐证"}
    )
    assert returned.status_code == 302
    db.session.refresh(sheet)
    assert sheet.status is SheetStatus.DRAFT

    open_scoring(db, world)
    everyone_full(db, world)
    round_results.confirm_round(world.chief, world.round)
    round_results.publish_round(world.organizer, world.round)
    db.session.commit()
    published = organizer.get(round_url(world)).get_data(as_text=True)
    assert "重新开放本轮" in published and "迟报的事故" in published
    assert "重新开放本轮" not in chief.get(round_url(world)).get_data(as_text=True)
    refused = chief.post(
        round_url(world, "reopen"), data={"reopen-reason": "改分", "confirmed": "1"}
    )
    assert refused.status_code == 403
    asked = organizer.post(round_url(world, "reopen"), data={"reopen-reason": "迟报事故"})
    assert asked.status_code == 200 and "从公开页面撤下" in asked.get_data(as_text=True)
    done = organizer.post(
        round_url(world, "reopen"), data={"reopen-reason": "迟报事故", "confirmed": "1"}
    )
    assert done.status_code == 302
    db.session.refresh(world.round)
    assert world.round.status is RoundStatus.SCORING
