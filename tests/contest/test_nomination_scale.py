"""What bench/nomination_bench.py found slow at national scale (issue 13: 3,000 nominations, 30
units, 40 experts), kept fixed: the 结构要求 page reads a slate in a fixed number of queries
whatever its size, and closing an expert stage counts each nomination's own sheets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from contest.extensions import db
from contest.models import (
    Nomination,
    NominationStatus,
    Outcome,
    RecipientKind,
    SlateRule,
    StageMode,
)
from contest.services.nominations import expert, review, slates
from tests.contest.nomination_review_support import AWARD, add_stage, build_world, marks


@pytest.fixture
def world(db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> SimpleNamespace:
    return build_world(make_org, make_user)


@contextmanager
def counted() -> Iterator[list[str]]:
    """The SELECT statements run inside the block."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def more_nominations(world: SimpleNamespace, count: int) -> None:
    """``count`` more submitted nominations of people in the port's union (a 农民工 each)."""
    for index in range(count):
        db.session.add(
            Nomination(
                campaign_id=world.campaign.id,
                award=AWARD,
                unit_id=world.port.id,
                organization_id=world.port.id,
                recipient_kind=RecipientKind.PERSON,
                name=f"候选人{index}",
                unit_name="江州港务集团",
                categories=["migrant"],
                deeds_short="事迹。",
                form={"note": "推荐表"},
                status=NominationStatus.SUBMITTED,
                submitted_at=datetime(2026, 4, 2, 8, index, tzinfo=UTC),
            )
        )
    db.session.commit()


def test_the_slate_page_reads_a_slate_in_the_same_queries_whatever_its_size(
    world: SimpleNamespace, client_for: Callable[[Any], FlaskClient]
) -> None:
    db.session.add(
        SlateRule(
            campaign_id=world.campaign.id,
            award=AWARD,
            group="migrant",
            op=">=",
            value=Decimal(10),
        )
    )
    db.session.commit()
    client = client_for(world.organizer)
    path = f"/nominations/{world.campaign.id}/slate"

    def selects() -> tuple[int, str]:
        db.session.expire_all()
        with counted() as seen:
            page = client.get(path)
        assert page.status_code == 200
        return len(seen), page.get_data(as_text=True)

    small, _ = selects()
    more_nominations(world, 12)
    large, page = selects()
    assert large == small
    assert "农民工 12 人，占 70.6%" in page  # 12 of 17, checked on the names it lists
    assert "候选人11（江州港务集团工会）" in page


def test_slate_nominations_leave_the_texts_unread_but_check_the_same(
    world: SimpleNamespace,
) -> None:
    more_nominations(world, 3)
    db.session.expire_all()
    listed = slates.slate_nominations(world.campaign, (NominationStatus.SUBMITTED,))
    assert [n.name for n in listed][:2] == ["王建国", "陈小梅"]
    assert all("deeds_short" not in n.__dict__ and "form" not in n.__dict__ for n in listed)
    rule = SlateRule(
        campaign_id=world.campaign.id,
        award=AWARD,
        group="migrant",
        op="<=",
        value=Decimal(2),
        unit="count",
        denominator="all",
    )
    [result] = slates.check(world.campaign, AWARD, listed, rules=[rule])
    assert (result.count, result.ok) == (3, False)
    with counted() as seen:
        assert {n.unit.name for n in listed} >= {"江州港务集团工会", "临江区总工会"}
        assert [n.deeds_short for n in listed][-1] == "事迹。"  # still there when asked for
    assert len(seen) == len(listed)  # one each: read on purpose, not by the page


def test_closing_a_scoring_stage_counts_each_nominations_own_sheets(
    world: SimpleNamespace,
) -> None:
    stage = add_stage(
        world,
        "专家评审",
        StageMode.SCORING,
        world.experts[:3],
        template="may_day",
        aggregation="trimmed",
        trim=1,
    )
    review.open_stage(world.organizer, stage)
    sheets = {"王建国": 3, "陈小梅": 2, "张志强": 1}
    for name, count in sheets.items():
        for user in world.experts[:count]:
            expert.save_sheet(
                user,
                stage,
                world.by_name[name],
                marks(stage, 0.8),
                submit=True,
                expected_version=None,
            )
    db.session.commit()
    check = review.close_problems(stage)
    assert check.blocking == [
        "陈小梅 只有 2 份已提交的评分表，至少需要 3 份。",
        "张志强 只有 1 份已提交的评分表，至少需要 3 份。",
        "李秀英 只有 0 份已提交的评分表，至少需要 3 份。",
        "赵大勇 只有 0 份已提交的评分表，至少需要 3 份。",
    ]
    assert check.missing_sheets == 3 * 5 - 6


def test_entered_reads_one_nomination_and_agrees_with_the_entrants(
    world: SimpleNamespace,
) -> None:
    first = add_stage(world, "初审", StageMode.REVIEW, world.reviewers[:2])
    second = add_stage(world, "复审", StageMode.REVIEW, world.reviewers[:2])
    world.by_name["赵大勇"].status = NominationStatus.WITHDRAWN
    review.open_stage(world.organizer, first)
    for name in ("王建国", "陈小梅", "张志强"):
        review.decide(world.reviewers[0], first, world.by_name[name], Outcome.PASS, "")
    review.decide(world.reviewers[0], first, world.by_name["李秀英"], Outcome.REJECT, "材料不实")
    db.session.commit()
    for stage in (first, second):
        listed = {n.id for n in review.entrants(stage)}
        for nomination in world.nominations:
            inside = nomination.id in listed
            with counted() as seen:
                assert review.entered(stage, nomination) == inside
            assert len([s for s in seen if "FROM nominations" in s]) <= 1
    assert {n.name for n in review.entrants(second)} == {"王建国", "陈小梅", "张志强"}
