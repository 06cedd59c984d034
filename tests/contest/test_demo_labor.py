"""The demo's labor competitions and union rating (issue #12), run through the real services."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from contest.demo import load_demo
from contest.demo.labor import PROJECT_ROUND_STATES
from contest.models import (
    Competition,
    CompetitionKind,
    CompetitionStatus,
    Honor,
    HonorSource,
    RoundFlag,
    RoundResult,
    SurveyTally,
    VetoEffect,
)
from contest.services.honors import validity


def test_demo_runs_a_project_competition_an_ankang_cup_and_a_six_good_rating(
    db: Any, client: Any
) -> None:
    load_demo()
    by_kind = {c.kind: c for c in db.session.scalars(select(Competition))}
    project = by_kind[CompetitionKind.PROJECT]
    assert [r.status for r in project.rounds] == list(PROJECT_ROUND_STATES)
    assert len(project.tracks) == 2

    published = [r.id for r in project.rounds[:4]]
    results = db.session.scalars(
        select(RoundResult).where(RoundResult.round_id.in_(published))
    ).all()
    assert len(results) == 17 * 4
    vetoed = [r for r in results if r.vetoed]
    assert len(vetoed) == 1 and vetoed[0].veto_effect is VetoEffect.ROUND
    assert vetoed[0].rank is None
    # A red flag per track in every published round.
    flags = db.session.scalars(select(RoundFlag).where(RoundFlag.round_id.in_(published))).all()
    for round_id in published:
        assert {f.track_id for f in flags if f.round_id == round_id} == {
            t.id for t in project.tracks
        }

    ankang = by_kind[CompetitionKind.ANKANG]
    assert ankang.status is CompetitionStatus.RUNNING and ankang.rounds[0].published_at

    rating = by_kind[CompetitionKind.SIX_GOOD]
    assert rating.status is CompetitionStatus.FINISHED
    answers = db.session.scalar(select(func.sum(SurveyTally.count)))
    assert answers and answers > 0
    honors = db.session.scalars(
        select(Honor).where(
            Honor.source == HonorSource.LABOR, Honor.source_ref == f"competition:{rating.id}"
        )
    ).all()
    assert honors and all(h.valid_until is not None for h in honors)
    assert all(validity.is_current(h, date(2027, 6, 1)) for h in honors)
    assert not any(validity.is_current(h, date(2028, 1, 1)) for h in honors)

    page = client.get(f"/labor/public/{project.id}")
    assert page.status_code == 200
    assert "江州地铁2号线" in page.get_data(as_text=True)
