"""A city federation's 五一劳动奖章 campaign in review, built from model rows, for the review and
expert-scoring tests (tests/contest/test_nomination_review.py) and the screenshots.

江州市总工会 hosts it; 临江区总工会 (a district union) recommends 王建国 of the 数控车间 of
江州重型机械厂 and 陈小梅 of the factory itself; 江州港务集团 recommends 张志强, 江州纺织集团
李秀英 (an enterprise head), 江州化工集团 赵大勇 (an enterprise head). The award's quota is 2 with
1 alternate. Reviewers: two of the host, one of the factory (stands aside for both of its
people), one of the district (stands aside for what the district recommended). Experts: three
of the host, one of the port (stands aside for 张志强).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from contest.extensions import db
from contest.models import (
    Campaign,
    CampaignQuota,
    CampaignStatus,
    HonorLevel,
    Nomination,
    NominationStatus,
    OrgKind,
    Outcome,
    RecipientKind,
    StageMode,
)
from contest.services.nominations import expert, review

AWARD = "medal"
TITLE = "江州市五一劳动奖章"


def build_world(
    make_org: Callable[..., Any], make_user: Callable[..., Any], *, quota: int = 2
) -> SimpleNamespace:
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    district = make_org(name="临江区总工会", kind=OrgKind.DISTRICT, parent=host)
    factory = make_org(name="江州重型机械厂工会", kind=OrgKind.GRASSROOTS, parent=district)
    workshop = make_org(name="江州重型机械厂数控车间工会", kind=OrgKind.GRASSROOTS, parent=factory)
    port = make_org(name="江州港务集团工会", kind=OrgKind.GRASSROOTS, parent=host)
    textile = make_org(name="江州纺织集团工会", kind=OrgKind.GRASSROOTS, parent=host)
    chemical = make_org(name="江州化工集团工会", kind=OrgKind.GRASSROOTS, parent=host)
    organizer = make_user("organizer", username="jz_organizer", organization=host)
    outsider = make_user("organizer", username="other_organizer", organization=port)
    reviewers = [
        make_user("reviewer", username="rev_host1", organization=host),
        make_user("reviewer", username="rev_host2", organization=host),
        make_user("reviewer", username="rev_factory", organization=factory),
        make_user("reviewer", username="rev_district", organization=district),
    ]
    experts = [
        make_user("reviewer", username="exp1", organization=host),
        make_user("reviewer", username="exp2", organization=host),
        make_user("reviewer", username="exp3", organization=host),
        make_user("reviewer", username="exp_port", organization=port),
    ]
    stranger = make_user("reviewer", username="rev_stranger", organization=host)
    campaign = Campaign(
        name="2026 年江州市五一劳动奖章评选",
        organization_id=host.id,
        level=HonorLevel.CITY,
        year=2026,
        status=CampaignStatus.REVIEW,
        awards=[{"key": AWARD, "kind": "may_day_medal", "title": TITLE, "recipient": "person"}],
        materials={
            "consultations": {
                "enterprise_head": ["市场监管", "税务", "人社"],
                "official": ["组织人事", "纪检监察"],
            }
        },
    )
    db.session.add(campaign)
    db.session.flush()
    db.session.add(
        CampaignQuota(
            campaign_id=campaign.id,
            award=AWARD,
            organization_id=host.id,
            quota=quota,
            alternates=1,
        )
    )
    specs = [
        ("王建国", district, workshop, "数控车工", ["industrial"]),
        ("陈小梅", district, factory, "质检员", ["frontline"]),
        ("张志强", port, port, "桥吊司机", ["industrial"]),
        ("李秀英", textile, textile, "董事长", ["enterprise_head"]),
        ("赵大勇", chemical, chemical, "总经理", ["enterprise_head"]),
    ]
    nominations = []
    for index, (name, unit, org, post, groups) in enumerate(specs):
        nomination = Nomination(
            campaign_id=campaign.id,
            award=AWARD,
            unit_id=unit.id,
            organization_id=org.id,
            recipient_kind=RecipientKind.PERSON,
            name=name,
            unit_name=org.name.removesuffix("工会"),
            post=post,
            categories=groups,
            deeds_short=f"{name}同志在{org.name.removesuffix('工会')}扎根一线二十年，技术革新成果显著。",
            deeds_full=f"{name}同志……（全文）带出徒弟三十余名。",
            status=NominationStatus.SUBMITTED,
            submitted_at=datetime(2026, 4, 1, 8, index, tzinfo=UTC),
        )
        db.session.add(nomination)
        nominations.append(nomination)
    db.session.commit()
    return SimpleNamespace(
        host=host,
        district=district,
        factory=factory,
        workshop=workshop,
        port=port,
        organizer=organizer,
        outsider=outsider,
        reviewers=reviewers,
        experts=experts,
        stranger=stranger,
        campaign=campaign,
        nominations=nominations,
        by_name={n.name: n for n in nominations},
    )


def add_stage(
    world: SimpleNamespace,
    name: str,
    mode: StageMode,
    members: list[Any],
    *,
    chair: Any = None,
    template: str | None = None,
    blind: bool = False,
    aggregation: str = "mean",
    trim: int = 0,
) -> Any:
    """A stage at the end of the chain with its members (and for scoring a template)."""
    stage = review.add_stage(
        world.organizer,
        world.campaign,
        review.StageData(name, mode, blind=blind, aggregation=aggregation, trim=trim),
    )
    for user in members:
        review.add_member(world.organizer, stage, user, is_chair=user is chair)
    if template:
        expert.apply_template(world.organizer, stage, template)
    db.session.commit()
    return stage


def pass_all(world: SimpleNamespace, stage: Any, by: Any, *, except_: tuple[str, ...] = ()) -> None:
    """``by`` passes every pending nomination of ``stage`` (except those named)."""
    for row in review.rows(stage):
        if row.state == review.PENDING and row.nomination.name not in except_:
            review.decide(by, stage, row.nomination, Outcome.PASS, "")
    db.session.commit()


def marks(stage: Any, points: int | float, judgement: int = 3) -> dict[str, str]:
    """Every item of the stage's rubric: measurement and bonus at ``points`` share of their
    maximum (0–1), judgement at level ``judgement``, no deduction."""
    found = {}
    for aspect in expert.items_of(stage):
        kind = aspect.kind.value
        if kind == "judgement":
            found[aspect.key] = str(judgement)
        elif kind == "deduction":
            found[aspect.key] = "0"
        else:
            value = float(aspect.max_points) * float(points)
            found[aspect.key] = str(round(value * 2) / 2)
    return found
