"""A campaign ready for 公示, built from model rows (no services), for the 公示 / objection /
conferral tests and their browser journey.

江州市总工会 hosts 2026年江州市五一劳动奖章评选 (one award, 奖章, quota 2, one composition rule:
农民工 ≥ 1 person). Review is over: 王秀英 (女, 农民工) and 李建国 are SELECTED; the ranked
alternates are 赵志强 (rank 3, not a 农民工) then 陈桂兰 (女, rank 4, 农民工), both consenting to
公示. Every person has an ID number, a phone and a birth date on file, and each nomination's
推荐表 holds them too (and an address), so a test can look for them where they must not be.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from contest.models import Gender, HonorLevel, OrgKind, RecipientKind, Role
from contest.models.nomination import (
    Campaign,
    CampaignQuota,
    CampaignStatus,
    Nomination,
    NominationStatus,
    SlateRule,
)
from contest.validation import id_check_digit

TITLE = "江州市五一劳动奖章"
CAMPAIGN = "2026年江州市五一劳动奖章评选"
ADDRESS = "江州市幸福路88号3栋"


def id_number(first17: str) -> str:
    return first17 + id_check_digit(first17)


# name, gender, unit, post, skill level, status, rank, score, categories, id first 17, phone, birth
PEOPLE = [
    (
        "王秀英",
        Gender.FEMALE,
        "江州机床厂",
        "数控车工",
        "高级技师",
        "selected",
        1,
        "92.50",
        ["migrant"],
        "32010219850307112",
        "13912345671",
        date(1985, 3, 7),
    ),
    (
        "李建国",
        Gender.MALE,
        "江州汽车厂",
        "装配班班长",
        "技师",
        "selected",
        2,
        "90.00",
        [],
        "32010219790611213",
        "13912345672",
        date(1979, 6, 11),
    ),
    (
        "赵志强",
        Gender.MALE,
        "江州机床厂",
        "钳工",
        "技师",
        "alternate",
        3,
        "88.00",
        [],
        "32010219820918314",
        "13912345673",
        date(1982, 9, 18),
    ),
    (
        "陈桂兰",
        Gender.FEMALE,
        "江州汽车厂",
        "焊工",
        "高级工",
        "alternate",
        4,
        "86.50",
        ["migrant"],
        "32010219900122425",
        "13912345674",
        date(1990, 1, 22),
    ),
]


def build_campaign(db: Any, make_org: Any, make_user: Any, make_person: Any) -> Any:
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    units = {
        "江州机床厂": make_org(name="江州机床厂工会", kind=OrgKind.GRASSROOTS, parent=host),
        "江州汽车厂": make_org(name="江州汽车厂工会", kind=OrgKind.GRASSROOTS, parent=host),
    }
    organizer = make_user("organizer", username="organizer", organization=host)
    recommender = make_user(
        Role.RECOMMENDER, username="recommender", organization=units["江州机床厂"]
    )
    campaign = Campaign(
        name=CAMPAIGN,
        organization=host,
        level=HonorLevel.CITY,
        year=2026,
        conferring_body="江州市总工会",
        status=CampaignStatus.REVIEW,
        awards=[
            {
                "key": "medal",
                "kind": "may_day_medal",
                "title": TITLE,
                "recipient": "person",
                "tier": None,
            }
        ],
        publicity_days=5,
        publicity_grace_days=3,
        supplement_publicity_days=5,
        publish_alternates=True,
        created_by_id=organizer.id,
    )
    db.session.add(campaign)
    db.session.flush()
    db.session.add(
        CampaignQuota(campaign_id=campaign.id, award="medal", organization_id=host.id, quota=2)
    )
    db.session.add(
        SlateRule(
            campaign_id=campaign.id,
            award="medal",
            group="migrant",
            op=">=",
            value=Decimal(1),
            unit="count",
            denominator="all",
        )
    )
    nominations = {}
    for (
        name,
        gender,
        unit,
        post,
        level,
        status,
        rank,
        score,
        cats,
        first17,
        phone,
        born,
    ) in PEOPLE:
        number = id_number(first17)
        person = make_person(
            name,
            organization=units[unit],
            gender=gender,
            id_number=number,
            phone=phone,
            birth_date=born,
        )
        nomination = Nomination(
            campaign_id=campaign.id,
            award="medal",
            unit_id=units[unit].id,
            recipient_kind=RecipientKind.PERSON,
            person_id=person.id,
            name=name,
            unit_name=unit,
            post=post,
            skill_level=level,
            categories=cats,
            deeds_short=f"{name}扎根一线二十年，带出徒弟三十余名。",
            deeds_full=f"{name}的详细事迹。",
            form={
                "id_number": number,
                "phone": phone,
                "birth_date": born.isoformat(),
                "address": ADDRESS,
            },
            consent_publicity=True,
            consent_photo=False,
            consent_deeds=name != "李建国",
            status=NominationStatus(status),
            score=Decimal(score),
            rank=rank,
        )
        db.session.add(nomination)
        nominations[name] = nomination
    db.session.commit()
    return SimpleNamespace(
        campaign=campaign,
        host=host,
        units=units,
        organizer=organizer,
        recommender=recommender,
        nominations=nominations,
        secrets=[
            *(id_number(p[9]) for p in PEOPLE),
            *(p[10] for p in PEOPLE),
            *(p[11].isoformat() for p in PEOPLE),
            ADDRESS,
        ],
    )
