"""The demo's labor competitions and ratings (issue #12), honor campaigns (issue #13) and life
after the honor (issue #14), run through the real services — one load of the demo checks them
all, and the public privacy crawl runs on the same load (a load takes half a minute)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from contest.demo import load_demo
from contest.demo.base import DEMO_ACCOUNTS
from contest.demo.care import CITY_CARE, DISTRICT_CARE, REVIEW_NAME
from contest.demo.labor import PROJECT_ROUND_STATES
from contest.demo.nominations import DOCUMENT_NUMBER, MEDAL, MODEL_WORKER, PIONEER
from contest.models import (
    Campaign,
    CampaignStatus,
    Competition,
    CompetitionKind,
    CompetitionStatus,
    Honor,
    HonoreeFile,
    HonorLevel,
    HonorSource,
    HonorStatus,
    LifeStatus,
    Nomination,
    NominationStatus,
    ReviewRound,
    ReviewStatus,
    ReviewVerdict,
    Revocation,
    RevocationStep,
    RoundFlag,
    RoundResult,
    SurveyTally,
    User,
    VetoEffect,
)
from contest.models.nomination import Objection, ObjectionStatus
from contest.services.care import archive, due, reviews, revocations
from contest.services.honors import certificates, validity
from contest.services.nominations import conferral, review
from tests.contest.public_crawl import assert_nothing_private_in_public


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


def _honor_on_wall(client: Any, honor: Honor) -> str:
    """The honor's public profile (which must answer), after checking the wall finds the name."""
    found = client.get(f"/wall/?q={honor.recipient_name}")
    assert found.status_code == 200 and f"/wall/{honor.id}" in found.text
    profile = client.get(f"/wall/{honor.id}")
    assert profile.status_code == 200
    return str(profile.text)


def _care_journeys(db: Any, client: Any) -> None:
    """Files for every honoree, one deceased and one retired, care records spread so the due
    lists are neither empty nor everyone, 新港区's review round open, and one revocation
    waiting at the same-level union while its honor stays on the wall (issue #14)."""
    users = {u.username: u for u in db.session.scalars(select(User))}
    city, district = users[CITY_CARE], users[DISTRICT_CARE]
    admin = users["admin"]
    files = db.session.scalars(select(HonoreeFile)).all()
    assert len(files) > 200 and archive.unfiled_count(admin) == 0

    (deceased,) = [f for f in files if f.status is LifeStatus.DECEASED]
    (retired,) = [f for f in files if f.status is LifeStatus.RETIRED]
    assert deceased.died_on and deceased.died_on < validity.today()
    assert retired.retired_on and retired.retired_on < validity.today()
    for file, marked in ((deceased, True), (retired, False)):
        honor = db.session.scalars(
            select(Honor).where(
                Honor.person_id == file.person_id, Honor.status == HonorStatus.VALID
            )
        ).first()
        assert honor is not None
        assert ("已故" in _honor_on_wall(client, honor)) is marked

    # This year's lists for the city: none empty, nobody on all of them by default.
    year = validity.today().year
    counts = due.counts(city, year)
    assert all(counts.values()), counts
    in_service = sum(f.status is LifeStatus.IN_SERVICE for f in files)
    assert counts[due.DueKind.HEALTH_CHECK] < in_service
    assert counts[due.DueKind.RECUPERATION] < in_service
    # The district's care user sees its subtree only, on the lists and in the archive.
    union = district.organization
    mine = [f for f in files if union.contains(f.care_organization)]
    assert 0 < len(mine) < len(files)
    assert due.file_count(district) == len(mine)
    assert archive.search(district).total == len(mine)
    listed = due.rows(district, due.DueList(due.DueKind.HEALTH_CHECK, year))
    assert listed and {r.file_id for r in listed} <= {f.id for f in mine}
    password = {name: word for _r, name, word, _o, _n in DEMO_ACCOUNTS}[DISTRICT_CARE]
    client.post("/login", data={"username": DISTRICT_CARE, "password": password})
    assert client.get("/care/due").status_code == 200
    assert client.get(f"/care/files/{mine[0].id}").status_code == 200
    assert client.get(f"/care/files/{deceased.id}").status_code == 404  # the city's
    client.post("/logout")

    (round_,) = db.session.scalars(select(ReviewRound)).all()
    assert round_.name == REVIEW_NAME.format(year=year) and round_.organization_id == union.id
    assert round_.status is ReviewStatus.OPEN
    done = reviews.progress([round_])[round_.id]
    assert done.ok and done.attention and done.revoke == 1 and done.pending

    (case,) = db.session.scalars(select(Revocation)).all()
    assert case.step is RevocationStep.SAME_LEVEL
    assert case.file is not None and case.file.person_id == case.honor.person_id
    outcome = next(o for o in round_.outcomes if o.id == case.review_outcome_id)
    assert outcome.verdict is ReviewVerdict.REVOKE
    assert case.evidence and [e.action for e in case.history] == ["create", "submit", "forward"]
    assert revocations.may_act(city, case) and not revocations.may_act(district, case)
    honor = case.honor
    assert honor.status is HonorStatus.VALID and honor.level is HonorLevel.CITY
    assert honor.source is HonorSource.ROSTER  # not one of the campaign honors checked above
    _honor_on_wall(client, honor)


def test_demo_runs_labor_competitions_honor_campaigns_and_care(db: Any, client: Any) -> None:
    assert load_demo() is not None
    _labor_journeys(db, client)
    _nomination_journeys(db, client)
    _care_journeys(db, client)
    # The privacy rule on the whole demo, labor, 公示 and care data included (same load).
    assert_nothing_private_in_public(db, client)
