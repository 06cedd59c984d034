"""The demo's skills contests: one published (snapshot, certificates, honors), one mid-judging."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from contest.demo import load_demo
from contest.models import (
    Contest,
    ContestStatus,
    Honor,
    HonorSource,
    ResultRow,
    ScoreSheet,
    SheetStatus,
    User,
)
from contest.services.core.audit import verify_chain
from contest.services.skills import access, integrity, results
from tests.contest.demo_support import skip_labor_and_campaigns


def test_demo_publishes_one_contest_and_leaves_one_mid_judging(
    db: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    skip_labor_and_campaigns(monkeypatch)  # only the contests are looked at: half the load
    load_demo()
    contests = {c.status: c for c in db.session.scalars(select(Contest))}
    published = contests[ContestStatus.PUBLISHED]
    judging = contests[ContestStatus.JUDGING]

    snapshot = results.current_snapshot(published.id)
    assert snapshot is not None and results.verify_digest(snapshot)
    certified = db.session.scalars(
        select(ResultRow).where(
            ResultRow.snapshot_id == snapshot.id, ResultRow.certificate_no.is_not(None)
        )
    ).all()
    assert certified, "awards and titles carry certificate numbers"
    # The team event (团体项目): each awarded team of three has a certificate per member.
    team_rows = [row for row in certified if row.team and row.member_total is None]
    assert team_rows and len(team_rows) % 3 == 0
    assert len({row.person_id for row in team_rows}) == len(team_rows)
    # Event D's teams are member-scored: each member's own total beside the team's sum.
    assert any(row.member_total is not None for row in certified)
    honors = db.session.scalar(
        select(func.count(Honor.id)).where(Honor.source == HonorSource.CONTEST)
    )
    assert honors and honors >= 3  # 技术能手 for the top 3 of each event

    statuses = dict(
        db.session.execute(
            select(ScoreSheet.status, func.count(ScoreSheet.id))
            .where(ScoreSheet.event_id.in_([e.id for e in judging.events]))
            .group_by(ScoreSheet.status)
        ).all()
    )
    assert statuses.get(SheetStatus.SUBMITTED) and statuses.get(SheetStatus.DRAFT)
    judge = db.session.scalar(select(User).where(User.username == "judge"))
    assert access.is_chief(judge, judging.events[0])
    assert verify_chain().ok
    assert integrity.check_marks().ok and integrity.check_results().ok

    page = client.get(f"/results/{published.id}")
    assert page.status_code == 200
    assert certified[0].name in page.get_data(as_text=True)
    verify = client.get(f"/verify/{certified[0].certificate_no}")
    assert verify.status_code == 200
    assert client.get(f"/results/{judging.id}").status_code == 404
    # Event A's no-show was marked 缺考 when registration closed: last, without rank or award.
    header = results.public_contest(published.id)
    assert isinstance(header, results.PublicContest)
    event_a = header.event("A")
    assert event_a is not None and len(event_a.absent) == 1
    absent_row = db.session.scalars(
        select(ResultRow).where(
            ResultRow.snapshot_id == snapshot.id, ResultRow.entry_code == event_a.absent[0]
        )
    ).one()
    assert absent_row.rank is None and absent_row.award is None
    page = client.get(f"/results/{published.id}?event=A").get_data(as_text=True)
    assert 'class="tag tag-muted absent"' in page


def test_benchmark_contest_is_published_with_codes_its_recorded_seeds_reproduce(db: Any) -> None:
    from contest.demo import DemoContext
    from contest.demo.base import add_accounts, add_workers, build_union_tree
    from contest.demo.contests import add_large_contest
    from contest.models import Entry
    from contest.services.skills import draws

    ctx = DemoContext()
    for step in (build_union_tree, add_workers, add_accounts):
        step(ctx)
    assert add_large_contest(ctx, ctx.users["organizer"], per_event=12) == 120
    db.session.commit()

    contest = db.session.scalar(select(Contest).where(Contest.status == ContestStatus.PUBLISHED))
    assert results.verify_digest(results.current_snapshot(contest.id))
    # The bulk-written sheets are in the audit trail with their marks (contest audit verify).
    assert integrity.check_marks() == integrity.Checked(360, ())
    assert verify_chain().ok
    event = contest.events[0]
    entries = {e.id: e for e in db.session.scalars(select(Entry).where(Entry.event_id == event.id))}
    order = draws.permutation(list(entries), event.entry_draw_seed)
    assert [entries[i].entry_code for i in order] == [
        draws.entry_code(event, n) for n in range(1, 13)
    ]
    seats = draws.permutation(list(entries), event.seat_draw_seed)
    assert entries[seats[0]].seat_code == draws.seat_code(event, 1)
