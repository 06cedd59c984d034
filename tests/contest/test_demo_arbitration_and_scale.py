"""The demo shows #16 items 10 and 13: an arbitration panel that decided the published
contest's appeal, and an event with the 700 scale, 优胜奖 and a recommendation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from contest.demo import load_demo
from contest.models import Appeal, AppealStatus, Contest, ContestStatus, Event, ResultRow, User
from contest.services.skills import arbitration, results
from tests.contest.demo_support import skip_labor_and_campaigns


def test_demo_has_an_arbitration_panel_and_a_showcase_event(
    db: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    skip_labor_and_campaigns(monkeypatch)  # only the contests are looked at: half the load
    load_demo()
    published = db.session.scalar(select(Contest).where(Contest.status == ContestStatus.PUBLISHED))
    arbiter = db.session.scalar(select(User).where(User.username == "arbiter_liu"))
    assert arbiter in [a.user for a in arbitration.arbitrators_of(published)]
    appeal = db.session.scalar(select(Appeal))
    assert appeal.status is AppealStatus.DISMISSED and appeal.decided_by_id == arbiter.id
    marks = arbitration.appealed_marks(arbiter, appeal.entry)  # the marks the appeal was about
    assert marks.row is not None and marks.row.marks and marks.total is not None
    event_b = db.session.scalar(
        select(Event).where(Event.contest_id == published.id, Event.code == "B")
    )
    snapshot = results.current_snapshot(published.id)
    rows = db.session.scalars(
        select(ResultRow)
        .where(ResultRow.snapshot_id == snapshot.id, ResultRow.event_id == event_b.id)
        .order_by(ResultRow.position)
    ).all()
    ranked = [r for r in rows if r.rank is not None]
    assert all(r.standard_score is not None for r in ranked)
    assert "优胜奖" in [r.award for r in ranked]
    assert ranked[0].recommended == ["五一劳动奖章"]
    page = client.get(f"/results/{published.id}?event=B").get_data(as_text=True)
    assert "标准分" in page and "推荐五一劳动奖章" in page
