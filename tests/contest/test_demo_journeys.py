"""The demo's labor competitions and ratings (issue #12) and honor campaigns (issue #13), run
through the real services — one load of the demo checks both (a load takes half a minute)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from contest.demo import load_demo
from contest.demo.labor import PROJECT_ROUND_STATES
from contest.demo.nominations import DOCUMENT_NUMBER, MEDAL, MODEL_WORKER, PIONEER
from contest.models import (
    Campaign,
    CampaignStatus,
    Competition,
    CompetitionKind,
    CompetitionStatus,
    Honor,
    HonorSource,
    Nomination,
    NominationStatus,
    RoundFlag,
    RoundResult,
    SurveyTally,
    User,
    VetoEffect,
)
from contest.models.nomination import Objection, ObjectionStatus
from contest.services.honors import certificates, validity
from contest.services.nominations import conferral, review
from tests.contest.public_crawl import assert_no_personal_number_in_public


def _labor_journeys(db: Any, client: Any) -> None:
    """A 重大工程 competition, a 安康杯 and a 六好 rating (issue #12)."""
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


def _nomination_journeys(db: Any, client: Any) -> None:
    """A conferred 劳动模范 campaign, a 五一劳动奖章 in 公示 with an objection waiting, and a
    工人先锋号 in review where ``reviewer`` and ``recommender`` have work (issue #13)."""
    by_name = {c.name: c for c in db.session.scalars(select(Campaign))}

    model = by_name[MODEL_WORKER]
    assert model.status is CampaignStatus.CONFERRED
    assert model.document_number == DOCUMENT_NUMBER
    honors = conferral.conferred_honors(model, valid_only=True)
    assert len(honors) >= 6
    honor = honors[0]
    wall = client.get(f"/wall/?q={honor.recipient_name}")
    assert wall.status_code == 200 and honor.recipient_name in wall.text
    verified = client.get(f"/verify/{certificates.number_of(honor)}")
    assert verified.status_code == 200 and honor.recipient_name in verified.text

    medal = by_name[MEDAL]
    assert medal.status is CampaignStatus.PUBLICITY
    entries = db.session.scalars(select(Nomination).where(Nomination.campaign_id == medal.id)).all()
    statuses = [n.status for n in entries]
    assert NominationStatus.SELECTED in statuses and NominationStatus.ALTERNATE in statuses
    alternates = [n for n in entries if n.status is NominationStatus.ALTERNATE]
    assert all(n.rank for n in alternates)
    waiting = db.session.scalars(select(Objection).where(Objection.campaign_id == medal.id)).all()
    assert [o.status for o in waiting] == [ObjectionStatus.RECEIVED]
    page = client.get(f"/nominations/publicity/{medal.id}")
    assert page.status_code == 200
    assert any(n.name in page.text for n in entries)

    pioneer = by_name[PIONEER]
    assert pioneer.status is CampaignStatus.REVIEW
    reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
    tasks = review.stage_tasks(reviewer)
    assert [t.stage.campaign_id for t in tasks] == [pioneer.id]
    assert any(row.state == review.PENDING for row in tasks[0].rows)
    recommender = db.session.scalar(select(User).where(User.username == "recommender"))
    returned = db.session.scalars(
        select(Nomination).where(
            Nomination.campaign_id == pioneer.id,
            Nomination.unit_id == recommender.organization_id,
            Nomination.status == NominationStatus.RETURNED,
        )
    ).all()
    assert len(returned) == 1


def test_demo_runs_labor_competitions_and_honor_campaigns(db: Any, client: Any) -> None:
    assert load_demo() is not None
    _labor_journeys(db, client)
    _nomination_journeys(db, client)
    # The privacy rule on the whole demo, labor and 公示 pages included (same load).
    assert_no_personal_number_in_public(db, client)
