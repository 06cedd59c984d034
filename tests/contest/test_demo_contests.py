"""The demo's skills contests: one published (snapshot, certificates, honors, an appeal its
arbitration panel decided, the 700 scale with 优胜奖 and a recommendation), one mid-judging.

Loading the contests takes 5–8 s per engine, so one test loads them once and runs every check
on that load (each check only reads; the order keeps the ones that read the audit chain first).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from contest.demo import load_demo
from contest.models import (
    Appeal,
    AppealStatus,
    Contest,
    ContestStatus,
    Entry,
    Event,
    Honor,
    HonorSource,
    ResultRow,
    ScoreSheet,
    SheetStatus,
    User,
)
from contest.models.base import local_text
from contest.services.core.audit import verify_chain
from contest.services.skills import access, arbitration, integrity, results
from tests.contest.demo_support import skip_labor_and_campaigns


def test_the_demo_contests(db: Any, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    skip_labor_and_campaigns(monkeypatch)  # only the contests are looked at: half the load
    load_demo()
    _one_contest_is_published_and_one_left_mid_judging(db, client)
    _an_arbitration_panel_decided_the_appeal_and_event_b_shows_the_700_scale(db, client)
    _the_event_times_lie_inside_their_contest_dates(db)


def _one_contest_is_published_and_one_left_mid_judging(db: Any, client: Any) -> None:
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


def _an_arbitration_panel_decided_the_appeal_and_event_b_shows_the_700_scale(
    db: Any, client: Any
) -> None:
    """#16 items 10 and 13: an arbitration panel that decided the published contest's appeal,
    and an event with the 700 scale, 优胜奖 and a recommendation."""
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


def _the_event_times_lie_inside_their_contest_dates(db: Any) -> None:
    """Times people read are China time (tests/contest/test_china_time.py): every stored time
    of a demo contest falls, read in China time, within the contest's dates."""
    for contest in db.session.scalars(select(Contest)):
        first, last = contest.starts_on, contest.ends_on
        moments: list[datetime] = []
        for event in contest.events:
            moments += [
                m
                for m in (
                    event.ended_at,
                    event.entry_drawn_at,
                    event.seat_drawn_at,
                    event.signed_off_at,
                )
                if m
            ]
            moments += db.session.scalars(
                select(Entry.checked_in_at).where(
                    Entry.event_id == event.id, Entry.checked_in_at.is_not(None)
                )
            )
            for appeal in db.session.scalars(select(Appeal).where(Appeal.event_id == event.id)):
                moments += [m for m in (appeal.received_at, appeal.decided_at) if m]
        assert moments, contest.name
        for moment in moments:
            assert first <= date.fromisoformat(local_text(moment)[:10]) <= last, (
                contest.name,
                local_text(moment),
            )


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
