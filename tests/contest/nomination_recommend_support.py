"""A campaign open to two district unions, and complete nominations, for the recommending
unit's tests (tests/contest/test_nomination_recommend.py and the browser journey)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from contest.models import CampaignStatus, HonorLevel, Nomination, OrgKind, Ownership
from contest.services.core.uploads import Upload
from contest.services.nominations import attachments, campaigns, nominations, quotas
from contest.services.nominations.campaigns import CampaignData
from contest.services.nominations.nominations import NominationData, NomineeData

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEGATIVE = "拖欠职工工资"
SLOT = "推荐审批表（盖章扫描件）"
# 单位公示 of five working days (Mon 2 – Fri 6 November 2026), after a 职代会 on 28 October.
DEMOCRATIC = date(2026, 10, 28)
PUBLICITY = (date(2026, 11, 2), date(2026, 11, 6))


def build_world(
    db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> SimpleNamespace:
    """江州市总工会 hosts a 五一劳动奖章 campaign (10 medals, 差额 150 %) and a 工人先锋号 one;
    滨江区总工会 holds 2 medals (可报 3) and 1 先锋号, 临湖区总工会 2 medals; each district
    has a recommender. The 推荐表 asks for 政治面貌, one attachment slot is required, the
    negative list has one item."""
    city = make_org("江州市总工会", OrgKind.CITY)
    east = make_org("滨江区总工会", OrgKind.DISTRICT, parent=city)
    west = make_org("临湖区总工会", OrgKind.DISTRICT, parent=city)
    works = make_org(
        "江州精工机械有限公司工会",
        OrgKind.GRASSROOTS,
        parent=east,
        ownership=Ownership.NON_PUBLIC,
        employer="江州精工机械有限公司",
    )
    organizer = make_user("organizer", organization=city)
    campaign = campaigns.create_campaign(
        organizer,
        CampaignData(
            name="2026 年江州市五一劳动奖章评选",
            organization=city,
            level=HonorLevel.CITY,
            year=2026,
            submission_deadline=datetime.now(UTC) + timedelta(days=30),
            surplus_percent=150,
        ),
    )
    campaigns.add_award(organizer, campaign, "may_day_medal")
    campaigns.add_award(organizer, campaign, "pioneer")
    campaign.materials = {
        **campaigns.default_materials(),
        "form_fields": {
            "person": [{"key": "政治面貌", "label": "政治面貌", "required": True}],
            "unit": [],
            "team": [{"key": "集体人数", "label": "集体人数", "required": True}],
        },
        "attachments": [
            {"key": SLOT, "name": SLOT, "required": True},
            {"key": "获奖证书", "name": "获奖证书", "required": False},
        ],
    }
    campaign.eligibility = {
        "prerequisite_level": None,
        "craftsman_ladder": True,
        "repeat_years": 5,
        "negative_years": 3,
        "negative_list": [NEGATIVE],
    }
    top = quotas.set_total(organizer, campaign, "medal", 10)
    quotas.hand_down(organizer, top, east, 2)
    quotas.hand_down(organizer, top, west, 2)
    team_top = quotas.set_total(organizer, campaign, "pioneer", 4)
    quotas.hand_down(organizer, team_top, east, 1)
    campaigns.change_status(organizer, campaign, CampaignStatus.OPEN)
    db.session.commit()
    return SimpleNamespace(
        city=city,
        east=east,
        west=west,
        works=works,
        campaign=campaign,
        organizer=organizer,
        recommender=make_user("recommender", organization=east),
        west_recommender=make_user("recommender", organization=west),
        reviewer=make_user("reviewer", organization=city),
    )


def start(
    w: SimpleNamespace,
    name: str,
    number: str,
    *,
    user: Any = None,
    unit: Any = None,
    org: Any = None,
) -> Nomination:
    """A draft medal nomination of a person by ``unit`` (default 滨江区总工会)."""
    return nominations.start(
        user or w.recommender,
        w.campaign,
        "medal",
        (unit or w.east).id,
        NomineeData(name=name, id_number=number, organization_id=(org or w.works).id),
    )


def form_data(**changes: Any) -> NominationData:
    """A 推荐表 that passes every check (fields changed by ``changes``)."""
    values: dict[str, Any] = {
        "unit_name": "江州精工机械有限公司",
        "post": "数控车工",
        "skill_level": "高级技师",
        "deeds_short": "扎根一线二十年，带出徒弟三十余人。",
        "deeds_full": "该同志扎根一线二十年，攻克多项工艺难题，带出徒弟三十余人。",
        "form": {"政治面貌": "群众"},
        "consent_publicity": True,
        "consent_photo": True,
        "consent_deeds": False,
        "democratic_on": DEMOCRATIC,
        "unit_publicity_start": PUBLICITY[0],
        "unit_publicity_end": PUBLICITY[1],
        "declarations": {NEGATIVE: False},
    }
    values.update(changes)
    return NominationData(**values)


def complete(db: Any, w: SimpleNamespace, nomination: Nomination, **changes: Any) -> Nomination:
    """Fill in the 推荐表 and upload the required attachment; committed."""
    user = changes.pop("user", w.recommender)
    nominations.save(user, nomination, form_data(**changes))
    attachments.add(user, nomination, SLOT, Upload("审批表.pdf", PDF))
    db.session.commit()
    return nomination


def ready(db: Any, w: SimpleNamespace, name: str, number: str, **changes: Any) -> Nomination:
    """A complete draft, ready to submit."""
    return complete(db, w, start(w, name, number, user=changes.get("user")), **changes)
