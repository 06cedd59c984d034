"""The demo's honor campaigns (issue #13), run through the real services: a conferred 劳动模范
campaign on the wall, a 五一劳动奖章 campaign in 公示 with an objection waiting, and a 工人先锋号
campaign in review where ``reviewer`` and ``recommender`` have work."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from contest.demo import load_demo
from contest.demo.nominations import DOCUMENT_NUMBER, MEDAL, MODEL_WORKER, PIONEER
from contest.models import Campaign, CampaignStatus, Nomination, NominationStatus, User
from contest.models.nomination import Objection, ObjectionStatus
from contest.services.honors import certificates
from contest.services.nominations import conferral, review


def test_demo_leaves_three_campaigns_at_three_points_of_the_journey(db: Any, client: Any) -> None:
    summary = load_demo()
    assert summary is not None
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
