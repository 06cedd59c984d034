"""A campaign whose final stage decides by secret ballot, built straight from the models: the
ballot tests and the phone journey share it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
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
    RecipientKind,
    ReviewStage,
    StageMember,
    StageMode,
    StageStatus,
)

NOMINEES = (
    ("王建国", "江州重型机械厂", "数控车工"),
    ("李秀英", "江州纺织集团", "挡车工"),
    ("张志强", "江州港务集团", "桥吊司机"),
    ("陈小梅", "江州第一人民医院", "护士长"),
)
AWARD = "medal"


def build_ballot_stage(
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    *,
    members: int = 3,
    nominees: int = 3,
    quota: int | None = None,
    mode: StageMode = StageMode.BALLOT,
    pass_share: str = "0.5",
    pass_base: str = "members",
    runoff: bool = True,
) -> Any:
    """A city federation's campaign in review with one open ballot stage (``members`` users,
    the first the chair) and ``nominees`` submitted nominations of the 五一劳动奖章; committed."""
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    organizer = make_user("organizer", username="organizer", organization=host)
    campaign = Campaign(
        name="2026 年江州市五一劳动奖章评选",
        organization_id=host.id,
        level=HonorLevel.CITY,
        year=2026,
        status=CampaignStatus.REVIEW,
        awards=[
            {
                "key": AWARD,
                "kind": "may_day_medal",
                "title": "江州市五一劳动奖章",
                "recipient": "person",
            }
        ],
    )
    db.session.add(campaign)
    db.session.flush()
    if quota is not None:
        db.session.add(
            CampaignQuota(
                campaign_id=campaign.id, award=AWARD, organization_id=host.id, quota=quota
            )
        )
    stage = ReviewStage(
        campaign_id=campaign.id,
        name="评审委员会终审",
        position=0,
        mode=mode,
        status=StageStatus.OPEN,
        pass_share=Decimal(pass_share),
        pass_base=pass_base,
        quorum_share=Decimal("0.6667"),
        runoff=runoff,
        ballot_top=2 if mode is StageMode.SCORING_BALLOT else None,
    )
    db.session.add(stage)
    db.session.flush()
    people = []
    for index in range(members):
        user = make_user("reviewer", username=f"member{index + 1}", organization=host)
        db.session.add(StageMember(stage_id=stage.id, user_id=user.id, is_chair=index == 0))
        people.append(user)
    found = []
    for index, (name, unit, post) in enumerate(NOMINEES[:nominees]):
        nomination = Nomination(
            campaign_id=campaign.id,
            award=AWARD,
            unit_id=host.id,
            recipient_kind=RecipientKind.PERSON,
            name=name,
            unit_name=unit,
            post=post,
            deeds_short=f"{name}同志扎根一线二十年，技术革新成果显著。",
            status=NominationStatus.SUBMITTED,
            submitted_at=datetime(2026, 4, 1, tzinfo=UTC),
            score=Decimal(90 - index * 5),
        )
        db.session.add(nomination)
        found.append(nomination)
    db.session.commit()
    return SimpleNamespace(
        host=host,
        organizer=organizer,
        campaign=campaign,
        stage=stage,
        members=people,
        chair=people[0],
        nominations=found,
    )
