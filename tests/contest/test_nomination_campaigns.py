"""Nomination campaigns, the organizer's side (issue 13 items 1–4): the campaign and its level
cap, awards and their titles, materials, status moves; quotas handed down the tree with typed
slots, 差额 and alternates, the headroom every unit sees, the quota table as .xlsx; slate
composition rules (nested denominators, the what-if); eligibility from the honors table with
waivers; and the organizer's pages with their permissions."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook

from contest.models import (
    AuditEntry,
    Campaign,
    CampaignQuota,
    CampaignStatus,
    Gender,
    Honor,
    HonorLevel,
    HonorSource,
    HonorStatus,
    Nomination,
    NominationStatus,
    OrgKind,
    Ownership,
    RecipientKind,
    WorkerCategory,
)
from contest.services.core.spreadsheets import SheetRefused
from contest.services.nominations import awards, campaigns, eligibility, quotas, slates
from contest.services.nominations.campaigns import CampaignData, CampaignError
from contest.services.nominations.slates import RuleData

FUTURE = datetime.now(UTC) + timedelta(days=30)


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def tree(db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> SimpleNamespace:
    """江州市总工会 → 滨江区总工会 (→ 两家企业工会) and 临湖区总工会; another city beside it."""
    city = make_org("江州市总工会", OrgKind.CITY)
    east = make_org("滨江区总工会", OrgKind.DISTRICT, parent=city)
    west = make_org("临湖区总工会", OrgKind.DISTRICT, parent=city)
    private = make_org(
        "江州精工机械有限公司工会",
        OrgKind.GRASSROOTS,
        parent=east,
        ownership=Ownership.NON_PUBLIC,
    )
    state = make_org("江州电力公司工会", OrgKind.GRASSROOTS, parent=east, ownership=Ownership.STATE)
    other_city = make_org("河阳市总工会", OrgKind.CITY)
    return SimpleNamespace(
        city=city,
        east=east,
        west=west,
        private=private,
        state=state,
        other_city=other_city,
        organizer=make_user("organizer", organization=city),
        east_organizer=make_user("organizer", organization=east),
        west_organizer=make_user("organizer", organization=west),
        other_organizer=make_user("organizer", organization=other_city),
        recommender=make_user("recommender", organization=private),
        reviewer=make_user("reviewer", organization=city),
    )


@pytest.fixture
def campaign(db: Any, tree: SimpleNamespace) -> Campaign:
    """A city 五一劳动奖章 campaign in preparation with the medal award."""
    made = campaigns.create_campaign(
        tree.organizer,
        CampaignData(
            name="2026 年江州市五一劳动奖章评选",
            organization=tree.city,
            level=HonorLevel.CITY,
            year=2026,
            submission_deadline=FUTURE,
        ),
    )
    campaigns.add_award(tree.organizer, made, "may_day_medal")
    db.session.commit()
    return made


def _nominate(
    db: Any,
    campaign: Campaign,
    unit: Any,
    *,
    award: str = "medal",
    status: NominationStatus = NominationStatus.SUBMITTED,
    person: Any = None,
    categories: list[str] | None = None,
    kind: RecipientKind = RecipientKind.PERSON,
    org: Any = None,
    name: str = "王强",
    declarations: dict[str, bool] | None = None,
) -> Nomination:
    nomination = Nomination(
        campaign=campaign,
        award=award,
        unit_id=unit.id,
        recipient_kind=kind,
        person=person,
        organization_id=org.id if org is not None else None,
        name=name,
        categories=categories or [],
        status=status,
        declarations=declarations if declarations is not None else {},
        waivers=[],
        form={},
    )
    db.session.add(nomination)
    db.session.flush()
    return nomination


# ---------------------------------------------------------------- the campaign


def test_a_campaign_is_never_above_its_hosts_tier(db: Any, tree: SimpleNamespace) -> None:
    data = CampaignData("江州市劳动模范评选", tree.city, HonorLevel.PROVINCIAL, 2026)
    with pytest.raises(CampaignError) as refused:
        campaigns.create_campaign(tree.organizer, data)
    assert refused.value.field == "level"
    assert "地市级" in refused.value.message
    data = CampaignData("滨江区劳动模范评选", tree.east, HonorLevel.CITY, 2026)
    with pytest.raises(CampaignError):
        campaigns.create_campaign(tree.organizer, data)
    made = campaigns.create_campaign(
        tree.organizer, CampaignData("滨江区劳动模范评选", tree.east, HonorLevel.DISTRICT, 2026)
    )
    assert made.status is CampaignStatus.DRAFT


def test_reserved_words_and_foreign_hosts_are_refused(db: Any, tree: SimpleNamespace) -> None:
    with pytest.raises(CampaignError) as refused:
        campaigns.create_campaign(
            tree.organizer, CampaignData("全国先进评选", tree.city, HonorLevel.CITY, 2026)
        )
    assert refused.value.field == "name"
    with pytest.raises(CampaignError) as refused:
        campaigns.create_campaign(
            tree.organizer, CampaignData("河阳评选", tree.other_city, HonorLevel.CITY, 2026)
        )
    assert refused.value.field == "organization"


def test_award_titles_default_from_the_host_and_a_craftsman_tier_is_capped(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    assert [a.title for a in awards.awards_of(campaign)] == ["江州市五一劳动奖章"]
    pioneer = campaigns.add_award(tree.organizer, campaign, "pioneer")
    assert (pioneer.key, pioneer.title, pioneer.recipient) == (
        "pioneer",
        "江州市工人先锋号",
        RecipientKind.TEAM,
    )
    craftsman = campaigns.add_award(tree.organizer, campaign, "craftsman")
    assert (craftsman.title, craftsman.tier) == ("江州工匠", HonorLevel.CITY)
    with pytest.raises(CampaignError) as refused:
        campaigns.add_award(
            tree.organizer, campaign, "craftsman", title="江南工匠", tier=HonorLevel.PROVINCIAL
        )
    assert refused.value.field == "tier"
    custom = campaigns.add_award(
        tree.organizer,
        campaign,
        "custom",
        title="江州市优秀班组长",
        recipient=RecipientKind.PERSON,
    )
    assert custom.key == "custom"
    with pytest.raises(CampaignError):
        campaigns.add_award(tree.organizer, campaign, "custom", recipient=RecipientKind.PERSON)
    with pytest.raises(CampaignError):
        campaigns.add_award(tree.organizer, campaign, "may_day_medal")  # the same title again
    second = campaigns.add_award(
        tree.organizer, campaign, "may_day_medal", title="江州市五一劳动奖章（竞赛表彰）"
    )
    assert second.key == "medal2"


def test_materials_default_and_parse_back(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    assert campaigns.deeds_limits(campaign) == (500, 2000)
    assert campaigns.departments_for(campaign, {"enterprise_head", "official"}) == [
        "市场监管",
        "税务",
        "人社",
        "应急管理",
        "生态环境",
        "组织人事",
        "纪检监察",
    ]
    fields = campaigns.parse_lines("性别 *\n籍贯\n\n", "推荐表", 40, "person")
    assert fields == [("性别", True), ("籍贯", False)]
    assert campaigns.parse_lines(campaigns.lines_of(fields), "推荐表", 40, "person") == fields
    with pytest.raises(CampaignError):
        campaigns.parse_lines("性别 *\n性别", "推荐表", 40, "person")
    checklist = campaigns.parse_consultations("企业负责人：市场监管、税务\n机关干部:纪检监察")
    assert checklist == {"enterprise_head": ["市场监管", "税务"], "official": ["纪检监察"]}
    with pytest.raises(CampaignError):
        campaigns.parse_consultations("厨师：卫生")
    campaigns.set_materials(
        tree.organizer,
        campaign,
        campaigns.MaterialsData(
            fields={"person": [("籍贯", True)]},
            attachments=[("推荐表", True)],
            consultations=checklist,
        ),
    )
    assert [f.label for f in campaigns.form_fields(campaign, RecipientKind.PERSON)] == ["籍贯"]
    assert [(s.key, s.required) for s in campaigns.attachment_slots(campaign)] == [("推荐表", True)]
    with pytest.raises(CampaignError) as refused:
        campaigns.set_materials(
            tree.organizer,
            campaign,
            campaigns.MaterialsData(deeds_short_max=600, deeds_full_max=500),
        )
    assert refused.value.field == "deeds_full_max"


def test_opening_needs_awards_quotas_and_a_deadline(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    problems = campaigns.move_problems(campaign, CampaignStatus.OPEN)
    assert problems == ["以下奖项还没有名额：江州市五一劳动奖章"]
    quotas.set_total(tree.organizer, campaign, "medal", 9)
    campaign.submission_deadline = None
    assert campaigns.move_problems(campaign, CampaignStatus.OPEN) == ["还没有设置推荐截止时间"]
    campaign.submission_deadline = FUTURE
    campaigns.change_status(tree.organizer, campaign, CampaignStatus.OPEN)
    assert campaigns.accepting(campaign)
    # closing before the deadline needs a reason; after it, the system closes it
    with pytest.raises(CampaignError) as refused:
        campaigns.change_status(tree.organizer, campaign, CampaignStatus.REVIEW)
    assert refused.value.field == "reason"
    assert campaigns.close_due(FUTURE - timedelta(minutes=1)) == []
    assert campaigns.close_due(FUTURE + timedelta(minutes=1)) == [campaign]
    assert campaign.status is CampaignStatus.REVIEW
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "campaign.status")
    ).all()[-1]
    assert entry.actor_id is None and entry.reason == "推荐截止时间已到"


def test_going_back_to_draft_is_refused_once_a_unit_submitted(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    quotas.set_total(tree.organizer, campaign, "medal", 9)
    campaigns.change_status(tree.organizer, campaign, CampaignStatus.OPEN)
    _nominate(db, campaign, tree.city)
    assert campaigns.move_problems(campaign, CampaignStatus.DRAFT) == [
        "已有 1 个推荐对象报送，不能退回筹备"
    ]
    with pytest.raises(CampaignError):
        campaigns.update_campaign(
            tree.organizer,
            campaign,
            CampaignData(campaign.name, tree.city, HonorLevel.DISTRICT, 2026, None, FUTURE),
        )


# ---------------------------------------------------------------- quotas


def test_hand_down_sums_never_exceed_the_parents_share(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    total = quotas.set_total(tree.organizer, campaign, "medal", 9)
    east = quotas.hand_down(tree.organizer, total, tree.east, 5)
    quotas.hand_down(tree.organizer, total, tree.west, 4)
    with pytest.raises(CampaignError) as refused:
        quotas.hand_down(tree.organizer, total, tree.west, 5)
    assert refused.value.message == "分配给下级的名额合计 10 个，超过“江州市总工会”的名额 9 个"
    with pytest.raises(CampaignError):
        quotas.set_total(tree.organizer, campaign, "medal", 8)
    # the district's organizer hands its own share on; the host's organizer may too
    quotas.hand_down(tree.east_organizer, east, tree.private, 2)
    with pytest.raises(CampaignError) as refused:
        quotas.hand_down(tree.east_organizer, east, tree.state, 4)
    assert "超过“滨江区总工会”的名额 5 个" in refused.value.message
    quotas.hand_down(tree.east_organizer, east, tree.state, 3)
    # but not another district's share, nor a unit outside its part of the tree
    with pytest.raises(CampaignError):
        quotas.hand_down(tree.west_organizer, east, tree.state, 1)
    with pytest.raises(CampaignError) as refused:
        quotas.hand_down(tree.organizer, east, tree.other_city, 0)
    assert "不是“滨江区总工会”的下级单位" in refused.value.message
    lines = quotas.rows_of(campaign, "medal")
    assert [(line.row.organization.name, line.depth, line.own) for line in lines] == [
        ("江州市总工会", 0, 0),
        ("滨江区总工会", 1, 0),
        ("江州精工机械有限公司工会", 2, 2),
        ("江州电力公司工会", 2, 3),
        ("临湖区总工会", 1, 4),
    ]
    with pytest.raises(CampaignError):
        quotas.remove_share(tree.organizer, east)  # handed on: take its shares back first


def test_a_share_inside_another_share_is_refused(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    total = quotas.set_total(tree.organizer, campaign, "medal", 9)
    quotas.hand_down(tree.organizer, total, tree.east, 3)
    with pytest.raises(CampaignError) as refused:
        quotas.hand_down(tree.organizer, total, tree.private, 1)
    assert "应由“滨江区总工会”向下分配" in refused.value.message


def test_typed_slots_come_out_of_the_parents_slots_and_keep_places(
    db: Any, tree: SimpleNamespace, campaign: Campaign, make_person: Callable[..., Any]
) -> None:
    total = quotas.set_total(
        tree.organizer, campaign, "medal", 9, {"enterprise_head": 1, "migrant": 1}
    )
    with pytest.raises(CampaignError) as refused:
        quotas.hand_down(tree.organizer, total, tree.east, 2, {"female": 1})
    assert "「女性」专项名额合计 1 个，超过“江州市总工会”的 0 个" in refused.value.message
    with pytest.raises(CampaignError):
        quotas.hand_down(tree.organizer, total, tree.east, 1, {"migrant": 1, "enterprise_head": 1})
    quotas.hand_down(tree.organizer, total, tree.east, 2, {"migrant": 1})
    with pytest.raises(CampaignError):
        quotas.hand_down(tree.organizer, total, tree.west, 2, {"migrant": 1})
    room = quotas.headroom(campaign, "medal", tree.east)
    assert room.slots == {"migrant": (1, 0)}
    assert room.refusal(set()) is None
    _nominate(db, campaign, tree.east, name="甲")
    room = quotas.headroom(campaign, "medal", tree.east)
    # one place left, and the migrant slot keeps it
    assert room.left == 1
    assert (
        room.refusal({"industrial"}) == "剩余名额为专项名额（农民工 1 个），只能推荐相应类别的人选"
    )
    assert room.refusal({"migrant"}) is None
    migrant = make_person("李四", category=WorkerCategory.MIGRANT)
    _nominate(db, campaign, tree.east, person=migrant, name="李四")
    room = quotas.headroom(campaign, "medal", tree.east)
    assert room.slots == {"migrant": (1, 1)} and room.left == 0
    assert room.refusal({"migrant"}) == "名额已用完：可报送 2 个，已报送 2 个"
    host = quotas.headroom(campaign, "medal", tree.city)
    assert (host.quota, host.handed_down, host.slots) == (7, 2, {"enterprise_head": (1, 0)})
    quotas.hand_down(tree.organizer, total, tree.west, 7, {"enterprise_head": 1})
    assert quotas.headroom(campaign, "medal", tree.city).refusal(set()) == (
        "本单位的名额已全部分配给下级单位，由下级单位推荐"
    )


@pytest.mark.parametrize(
    ("quota", "percent", "allowed"),
    [(3, 120, 3), (4, 120, 4), (5, 120, 6), (9, 120, 10), (10, 120, 12), (1, 150, 1), (2, 150, 3)],
)
def test_surplus_rounds_down(
    db: Any, tree: SimpleNamespace, campaign: Campaign, quota: int, percent: int, allowed: int
) -> None:
    campaign.surplus_percent = percent
    quotas.set_total(tree.organizer, campaign, "medal", quota)
    room = quotas.headroom(campaign, "medal", tree.city)
    assert (room.quota, room.allowed, room.left) == (quota, allowed, allowed)


def test_headroom_counts_submitted_and_reviewed_nominations_only(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    total = quotas.set_total(tree.organizer, campaign, "medal", 9)
    quotas.hand_down(tree.organizer, total, tree.east, 2, alternates=1)
    for status in NominationStatus:
        _nominate(db, campaign, tree.east, status=status, name=status.value)
    _nominate(db, campaign, tree.east, award="other", name="别的奖项")
    _nominate(db, campaign, tree.west, name="别的单位")
    room = quotas.headroom(campaign, "medal", tree.east)
    # submitted, selected, alternate, conferred; not draft, returned, withdrawn, rejected, removed
    assert (room.quota, room.allowed, room.alternates, room.used) == (2, 2, 1, 4)
    assert room.left == 0
    with pytest.raises(CampaignError) as refused:
        quotas.hand_down(tree.organizer, total, tree.east, 2, alternates=0)
    assert "已报送 4 个推荐对象" in refused.value.message
    assert quotas.headroom(campaign, "medal", tree.private).refusal(set()) == (
        "本单位没有该奖项的推荐名额"
    )
    assert [r.organization_id for r in quotas.unit_of(tree.east_organizer, campaign)] == [
        tree.east.id
    ]


def test_the_quota_table_round_trips_through_xlsx(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    total = quotas.set_total(tree.organizer, campaign, "medal", 9, {"enterprise_head": 1})
    east = quotas.hand_down(tree.organizer, total, tree.east, 5, {"enterprise_head": 1})
    quotas.hand_down(tree.east_organizer, east, tree.private, 2, alternates=1)
    exported = quotas.export_workbook(campaign)
    sheet = load_workbook(io.BytesIO(exported)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "奖项",
        "单位",
        "上级单位",
        "名额",
        "专项名额",
        "递补名额",
        "自留名额",
        "已报送",
    ]
    assert rows[3][:6] == [
        "江州市五一劳动奖章",
        "江州精工机械有限公司工会",
        "滨江区总工会",
        2,
        None,
        1,
    ]
    # import the same file into a fresh campaign: the same tree
    fresh = campaigns.create_campaign(
        tree.organizer, CampaignData("另一次评选", tree.city, HonorLevel.CITY, 2026)
    )
    campaigns.add_award(tree.organizer, fresh, "may_day_medal")
    result = quotas.import_workbook(tree.organizer, fresh, exported, "q.xlsx")
    assert (result.rows, result.created) == (3, 3)
    assert [
        (line.row.organization_id, line.row.quota, line.row.slots, line.row.alternates)
        for line in quotas.rows_of(fresh, "medal")
    ] == [
        (line.row.organization_id, line.row.quota, line.row.slots, line.row.alternates)
        for line in quotas.rows_of(campaign, "medal")
    ]


def _sheet(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["奖项", "单位", "上级单位", "名额", "专项名额", "递补名额"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_import_that_breaks_a_rule_writes_nothing(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    quotas.set_total(tree.organizer, campaign, "medal", 9)
    db.session.commit()
    data = _sheet(
        [
            ["江州市五一劳动奖章", "滨江区总工会", "", 6, "", ""],
            ["江州市五一劳动奖章", "临湖区总工会", "", 4, "", ""],
            ["江州市五一劳动奖章", "不存在的工会", "", 1, "", ""],
            ["五一劳动奖状", "江州电力公司工会", "滨江区总工会", "两个", "厨师 1", ""],
        ]
    )
    with pytest.raises(SheetRefused) as refused:
        quotas.import_workbook(tree.organizer, campaign, data, "q.xlsx")
    report = refused.value.report()
    assert "第 4 行 [单位]：找不到单位“不存在的工会”" in report
    assert "第 5 行 [奖项]：没有奖项“五一劳动奖状”" in report
    assert "第 5 行 [名额]：应为 0 到 100000 的整数" in report
    assert "分配给下级的名额合计 10 个，超过“江州市总工会”的名额 9 个" in report
    db.session.rollback()
    assert [line.row.organization_id for line in quotas.rows_of(campaign, "medal")] == [
        tree.city.id
    ]


# ---------------------------------------------------------------- slates


def _person(make_person: Callable[..., Any], org: Any, **fields: Any) -> Any:
    return make_person(fields.pop("name", "职工"), organization=org, **fields)


def test_categories_come_from_people_organisations_and_declarations(
    db: Any, tree: SimpleNamespace, campaign: Campaign, make_person: Callable[..., Any]
) -> None:
    worker = _person(
        make_person,
        tree.private,
        category=WorkerCategory.FRONTLINE,
        gender=Gender.FEMALE,
        ethnicity="回族",
    )
    nomination = _nominate(db, campaign, tree.east, person=worker, categories=["migrant", "x"])
    assert slates.categories_for(nomination) == {
        "person",
        "frontline",
        "frontline_technical",
        "female",
        "minority",
        "non_public",
        "enterprise",
        "migrant",
    }
    team = _nominate(
        db, campaign, tree.east, kind=RecipientKind.TEAM, org=tree.state, categories=["work_team"]
    )
    assert slates.categories_for(team) == {"team", "state_owned", "enterprise", "work_team"}


def test_default_rules_are_the_national_medal_rules(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    campaigns.add_award(tree.organizer, campaign, "pioneer")
    assert slates.apply_defaults(tree.organizer, campaign) == 8
    assert slates.apply_defaults(tree.organizer, campaign) == 0  # no copies
    texts = [slates.rule_text(r, campaign) for r in slates.rules_of(campaign)]
    assert texts == [
        "产业工人 ≥ 35%",
        "其他一线职工和专业技术人员 ≥ 20%",
        "科教人员 ≥ 20%",
        "农民工 ≥ 10%",
        "非公有制 ≥ 35%",
        "企业负责人 ≤ 分配的专项名额",
        "非公有制 ≥ 35%",
        "班组 ≥ 70%",
    ]


def _slate(db: Any, campaign: Campaign, unit: Any, groups: dict[str, int]) -> list[Nomination]:
    made = []
    for group, count in groups.items():
        for i in range(count):
            made.append(
                _nominate(
                    db,
                    campaign,
                    unit,
                    categories=[g for g in group.split("+") if g],
                    name=f"{group}{i}",
                )
            )
    return made


def test_a_percent_rule_counts_exactly_at_its_edge(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    rule = slates.add_rule(tree.organizer, campaign, RuleData("migrant", ">=", Decimal(10)))
    slate = _slate(db, campaign, tree.east, {"migrant": 2, "": 22})
    [result] = slates.check(campaign, "medal", slate)
    assert (result.count, result.base, result.share, result.ok) == (2, 24, Decimal("8.3"), False)
    assert result.message == "农民工 2 人，占 8.3%，应不少于 10%"
    slate = _slate(db, campaign, tree.east, {"migrant": 2, "": 18})
    [result] = slates.check(campaign, "medal", slate)
    assert (result.share, result.ok) == (Decimal("10.0"), True)
    assert result.message == "农民工 2 人，占 10.0%，不少于 10%"
    assert rule.value == Decimal(10)
    [empty] = slates.check(campaign, "medal", [])
    assert empty.ok and empty.message == "推荐对象暂无，农民工比例不适用"


def test_a_nested_rule_counts_a_share_of_its_sub_group(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    slates.add_rule(
        tree.organizer,
        campaign,
        RuleData("enterprise_head", "<=", Decimal(20), denominator="enterprise"),
    )
    slate = _slate(
        db,
        campaign,
        tree.east,
        {"enterprise_head": 3, "enterprise": 9, "official": 8},
    )
    for n in slate[:3]:
        n.categories = ["enterprise_head"]
        n.organization_id = tree.state.id  # heads of a state enterprise
    for n in slate[3:12]:
        n.organization_id = tree.private.id
    [result] = slates.check(campaign, "medal", slate)
    assert (result.count, result.base, result.share, result.ok) == (3, 12, Decimal("25.0"), False)
    assert result.message == "企业负责人 3 人，占企业 12 人的 25.0%，应不超过 20%"
    # swapping one head for an alternate from an enterprise brings it to 2 of 12 (16.7 %)
    alternate = _nominate(
        db, campaign, tree.east, org=tree.private, status=NominationStatus.ALTERNATE
    )
    [after] = slates.what_if(campaign, "medal", slate, slate[0], alternate)
    assert (after.count, after.base, after.share, after.ok) == (2, 12, Decimal("16.7"), True)
    assert slate[0] in slate  # nothing changed
    [still] = slates.check(campaign, "medal", slate)
    assert not still.ok


def test_count_and_slot_rules_per_unit_and_overall(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    total = quotas.set_total(tree.organizer, campaign, "medal", 9, {"enterprise_head": 2})
    quotas.hand_down(tree.organizer, total, tree.east, 4, {"enterprise_head": 1})
    slates.add_rule(
        tree.organizer, campaign, RuleData("enterprise_head", "<=", Decimal(0), "slots")
    )
    slates.add_rule(tree.organizer, campaign, RuleData("female", ">=", Decimal(1), "count"))
    slate = _slate(db, campaign, tree.east, {"enterprise_head": 2, "": 1})
    slate += _slate(db, campaign, tree.west, {"enterprise_head": 1})
    overall = slates.check(campaign, "medal", slate)
    assert [r.message for r in overall] == [
        "企业负责人 3 人，应不超过分配的 2 个专项名额",
        "女性 0 人，应不少于 1 人",
    ]
    [unit] = slates.check(campaign, "medal", slate, unit=tree.east)  # minimum counts: whole only
    assert unit.message == "企业负责人 2 人，应不超过分配的 1 个专项名额"


def test_rules_refuse_nonsense(db: Any, tree: SimpleNamespace, campaign: Campaign) -> None:
    for data, field in [
        (RuleData("厨师", ">=", Decimal(10)), "group"),
        (RuleData("migrant", "==", Decimal(10)), "op"),
        (RuleData("migrant", ">=", Decimal(101)), "value"),
        (RuleData("migrant", ">=", Decimal("1.5"), "count"), "value"),
        (RuleData("migrant", ">=", Decimal(10), denominator="migrant"), "denominator"),
        (RuleData("migrant", ">=", Decimal(10), award="nope"), "award"),
    ]:
        with pytest.raises(CampaignError) as refused:
            slates.add_rule(tree.organizer, campaign, data)
        assert refused.value.field == field


# ---------------------------------------------------------------- eligibility


def _honor(db: Any, person: Any, title: str, level: HonorLevel, year: int, **fields: Any) -> Honor:
    honor = Honor(
        recipient_kind=RecipientKind.PERSON,
        person_id=person.id if person is not None else None,
        recipient_name=person.name if person is not None else "单位",
        title=title,
        level=level,
        level_rank=level.rank,
        year=year,
        **fields,
    )
    db.session.add(honor)
    db.session.flush()
    return honor


def test_a_national_nominee_needs_a_valid_provincial_honor(
    db: Any,
    tree: SimpleNamespace,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    make_person: Callable[..., Any],
) -> None:
    nation = make_org("中华全国总工会", OrgKind.NATIONAL)
    admin = make_user("admin")
    national = campaigns.create_campaign(
        admin, CampaignData("全国五一劳动奖章评选", nation, HonorLevel.NATIONAL, 2026, None, FUTURE)
    )
    campaigns.add_award(admin, national, "may_day_medal")
    assert awards.awards_of(national)[0].title == "全国五一劳动奖章"
    assert campaigns.eligibility_rules(national).prerequisite_level is HonorLevel.PROVINCIAL
    worker = make_person("赵六", organization=tree.private)
    nomination = _nominate(db, national, tree.city, person=worker, declarations={})
    nomination.declarations = {item: False for item in campaigns.negative_items(national)}
    [prerequisite, *_rest] = eligibility.checks(nomination)
    assert prerequisite.key == "prerequisite" and not prerequisite.ok
    _honor(db, worker, "江州市劳动模范", HonorLevel.CITY, 2020)
    revoked = _honor(db, worker, "江南省五一劳动奖章", HonorLevel.PROVINCIAL, 2021)
    revoked.status = HonorStatus.REVOKED
    assert not eligibility.checks(nomination)[0].ok
    _honor(db, worker, "江南省劳动模范", HonorLevel.PROVINCIAL, 2022)
    assert eligibility.checks(nomination)[0].ok
    assert eligibility.blocking(nomination) == []


def test_a_higher_craftsman_tier_needs_the_lower_one(
    db: Any, tree: SimpleNamespace, campaign: Campaign, make_person: Callable[..., Any]
) -> None:
    campaigns.add_award(tree.organizer, campaign, "craftsman")
    worker = make_person("钱七", organization=tree.private)
    nomination = _nominate(db, campaign, tree.east, award="craftsman", person=worker)
    check = next(c for c in eligibility.checks(nomination) if c.key == "craftsman_ladder")
    assert (
        not check.ok and check.message == "申报市级工匠须已获区县级工匠称号，荣誉库中未找到有效记录"
    )
    _honor(db, worker, "江州电力公司工匠", HonorLevel.ENTERPRISE, 2023)
    assert not next(c for c in eligibility.checks(nomination) if c.key == "craftsman_ladder").ok
    lapsed = _honor(db, worker, "滨江工匠", HonorLevel.DISTRICT, 2023, valid_until=date(2020, 1, 1))
    assert not next(c for c in eligibility.checks(nomination) if c.key == "craftsman_ladder").ok
    lapsed.valid_until = None
    assert next(c for c in eligibility.checks(nomination) if c.key == "craftsman_ladder").ok


@pytest.mark.parametrize(("year", "blocked"), [(2021, False), (2022, True), (2026, True)])
def test_no_repeat_of_the_same_title_within_the_window(
    db: Any,
    tree: SimpleNamespace,
    campaign: Campaign,
    make_person: Callable[..., Any],
    year: int,
    blocked: bool,
) -> None:
    assert campaigns.eligibility_rules(campaign).repeat_years == 5
    worker = make_person("孙八", organization=tree.private)
    nomination = _nominate(db, campaign, tree.east, person=worker)
    _honor(db, worker, "江州市五一劳动奖章", HonorLevel.CITY, year)
    check = next(c for c in eligibility.checks(nomination) if c.key == "no_repeat")
    assert check.ok is not blocked
    if blocked:
        assert check.message == f"{year} 年已获“江州市五一劳动奖章”，5 年内不重复授予"


def test_the_negative_list_must_be_answered_and_a_yes_blocks(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    nomination = _nominate(db, campaign, tree.east, org=tree.private)
    [declarations] = [c for c in eligibility.checks(nomination) if c.key == "declarations"]
    assert not declarations.ok and not declarations.waivable
    with pytest.raises(CampaignError):
        eligibility.waive(tree.organizer, nomination, "declarations", "无所谓")
    items = campaigns.negative_items(campaign)
    nomination.declarations = {item: item == "拖欠职工工资" for item in items}
    [negative] = [c for c in eligibility.blocking(nomination)]
    assert negative.message == "近 3 年内有：拖欠职工工资"


def test_a_waiver_needs_the_organizer_and_a_reason_and_is_audited(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    nomination = _nominate(db, campaign, tree.east, org=tree.private)
    nomination.declarations = {
        item: item == "拖欠职工工资" for item in campaigns.negative_items(campaign)
    }
    with pytest.raises(CampaignError):
        eligibility.waive(tree.east_organizer, nomination, "negative_list", "已整改")
    with pytest.raises(CampaignError) as refused:
        eligibility.waive(tree.organizer, nomination, "negative_list", "  ")
    assert refused.value.field == "reason"
    waived = eligibility.waive(
        tree.organizer, nomination, "negative_list", "欠薪已于 2025 年全部结清"
    )
    assert waived.waived and eligibility.blocking(nomination) == []
    assert nomination.waivers[0]["reason"] == "欠薪已于 2025 年全部结清"
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "nomination.waive")
    ).one()
    assert (entry.target_type, entry.target_id, entry.reason) == (
        "nomination",
        str(nomination.id),
        "欠薪已于 2025 年全部结清",
    )
    with pytest.raises(CampaignError):
        eligibility.waive(tree.organizer, nomination, "negative_list", "再来一次")


def test_the_nominating_unions_rating_is_shown(
    db: Any, tree: SimpleNamespace, campaign: Campaign
) -> None:
    nomination = _nominate(db, campaign, tree.east, org=tree.private)
    assert eligibility.union_rating(nomination) is None
    rating = Honor(
        recipient_kind=RecipientKind.UNIT,
        organization_id=tree.private.id,
        recipient_name=tree.private.name,
        title="六好基层工会",
        level=HonorLevel.CITY,
        level_rank=HonorLevel.CITY.rank,
        year=2025,
        source=HonorSource.LABOR,
        valid_until=date(2099, 3, 31),
    )
    db.session.add(rating)
    db.session.flush()
    found = eligibility.union_rating(nomination)
    assert found is not None and found.is_nominee
    assert eligibility.rating_text(found) == "单位工会：六好基层工会（有效期至 2099-03-31）"
    rating.valid_until = date(2020, 1, 1)
    assert eligibility.union_rating(nomination) is None


# ---------------------------------------------------------------- pages


def _client(client_for: Callable[[Any], FlaskClient], user: Any) -> FlaskClient:
    return client_for(user)


@pytest.fixture
def running(db: Any, tree: SimpleNamespace, campaign: Campaign) -> SimpleNamespace:
    """The campaign open, 9 places handed to the two districts, one nomination in each."""
    total = quotas.set_total(tree.organizer, campaign, "medal", 9, {"migrant": 1})
    east = quotas.hand_down(tree.organizer, total, tree.east, 5, {"migrant": 1})
    quotas.hand_down(tree.organizer, total, tree.west, 4)
    slates.apply_defaults(tree.organizer, campaign)
    campaigns.change_status(tree.organizer, campaign, CampaignStatus.OPEN)
    nomination = _nominate(db, campaign, tree.east, org=tree.private, name="周九")
    nomination.declarations = {item: False for item in campaigns.negative_items(campaign)}
    nomination.declarations["拖欠职工工资"] = True
    _nominate(db, campaign, tree.west, name="吴十")
    db.session.commit()
    return SimpleNamespace(total=total, east=east, nomination=nomination)


def test_the_organizer_reaches_every_tab(
    db: Any,
    tree: SimpleNamespace,
    campaign: Campaign,
    running: SimpleNamespace,
    client_for: Callable[[Any], FlaskClient],
) -> None:
    client = client_for(tree.organizer)
    home = client.get("/home").get_data(as_text=True)
    assert "我主办的评选表彰" in home and campaign.name in home
    base = f"/nominations/{campaign.id}"
    pages = {
        "/nominations/": campaign.name,
        "/nominations/new": "创建评选",
        base: "开放推荐" if False else "截止推荐，进入评审",
        base + "/edit": "推荐截止时间",
        base + "/awards": "江州市五一劳动奖章",
        base + "/quotas": "滨江区总工会",
        base + f"/quotas/{running.east.id}": "分配给下级单位",
        base + "/quotas/import": "下载模板",
        base + "/slate": "产业工人 ≥ 35%",
        base + "/eligibility": "拖欠职工工资",
        base + "/nominations": "已报送 1 / 可报送 5",
        base + f"/nominations?unit={tree.east.id}": "近 3 年内有：拖欠职工工资",
    }
    for path, text in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert text in response.get_data(as_text=True), path
    for path in (base + "/quotas/export.xlsx", base + "/quotas/template.xlsx"):
        response = client.get(path)
        assert response.status_code == 200 and response.data.startswith(b"PK"), path
    assert client.get(base + "/nominations?unit=999999").status_code == 404
    assert client.get(base + "/quotas/999999").status_code == 404
    slate = client.get(base + f"/slate?award=medal&out={running.nomination.id}").get_data(
        as_text=True
    )
    assert "调换后" in slate


def test_the_organizer_creates_a_campaign_and_sets_it_up_through_the_forms(
    db: Any, tree: SimpleNamespace, client_for: Callable[[Any], FlaskClient]
) -> None:
    client = client_for(tree.organizer)
    refused = client.post(
        "/nominations/new",
        data={
            "name": "江州省级评选",
            "organization_id": tree.city.id,
            "level": "provincial",
            "year": 2026,
            "surplus_percent": 100,
        },
    )
    assert refused.status_code == 200
    assert "只能主办或授予地市级及以下的评选" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Campaign.id))) == 0
    response = client.post(
        "/nominations/new",
        data={
            "name": "2026 年江州市五一劳动奖章评选",
            "organization_id": tree.city.id,
            "level": "city",
            "year": 2026,
            "surplus_percent": 120,
            "submission_deadline": (FUTURE + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    made = db.session.scalars(db.select(Campaign)).one()
    assert made.surplus_percent == 120 and made.submission_deadline is not None
    base = f"/nominations/{made.id}"
    assert client.post(base + "/awards", data={"new-kind": "may_day_medal"}).status_code == 302
    assert (
        client.post(
            base + "/quotas/total/medal",
            data={"t-medal-quota": 5, "t-medal-slots": "企业负责人 1", "t-medal-alternates": 0},
        ).status_code
        == 302
    )
    db.session.expire_all()
    total = db.session.scalars(db.select(CampaignQuota)).one()
    assert (total.quota, total.slots) == (5, {"enterprise_head": 1})
    bad = client.post(
        base + "/quotas/total/medal", data={"t-medal-quota": 5, "t-medal-slots": "厨师 1"}
    )
    assert bad.status_code == 302
    assert "无法识别“厨师 1”" in client.get(base + "/quotas").get_data(as_text=True)
    shared = client.post(
        base + f"/quotas/{total.id}",
        data={"new-organization_id": tree.east.id, "new-quota": 3, "new-alternates": 1},
    )
    assert shared.status_code == 302
    assert (
        client.post(
            base + "/slate/rules",
            data={
                "new-group": "migrant",
                "new-op": ">=",
                "new-value": "10",
                "new-unit": "percent",
                "new-denominator": "all",
                "new-award": "",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            base + "/eligibility",
            data={
                "prerequisite_level": "",
                "repeat_years": 3,
                "negative_years": 2,
                "negative_list": "拖欠职工工资\n环境违法",
            },
        ).status_code
        == 302
    )
    assert campaigns.eligibility_rules(made).negative_list == ["拖欠职工工资", "环境违法"]
    opened = client.post(base + "/status", data={"to": "open"})
    assert opened.status_code == 302
    db.session.expire_all()
    assert made.status is CampaignStatus.OPEN


def test_a_waiver_through_the_page_is_kept_with_its_reason(
    db: Any,
    tree: SimpleNamespace,
    campaign: Campaign,
    running: SimpleNamespace,
    client_for: Callable[[Any], FlaskClient],
) -> None:
    client = client_for(tree.organizer)
    url = f"/nominations/{campaign.id}/nominations/{running.nomination.id}/waive"
    assert client.post(url, data={"check": "negative_list", "reason": ""}).status_code == 302
    db.session.expire_all()
    assert running.nomination.waivers == []
    client.post(url, data={"check": "negative_list", "reason": "已结清并经劳动监察确认"})
    db.session.expire_all()
    assert running.nomination.waivers[0]["reason"] == "已结清并经劳动监察确认"
    page = client.get(f"/nominations/{campaign.id}/nominations?unit={tree.east.id}")
    assert "豁免理由：已结清并经劳动监察确认" in page.get_data(as_text=True)
    # another union's organizer cannot waive
    other = client_for(tree.other_organizer)
    assert other.post(url, data={"check": "negative_list", "reason": "x"}).status_code == 403


def test_organizer_pages_refuse_recommenders_reviewers_and_other_unions(
    db: Any,
    tree: SimpleNamespace,
    campaign: Campaign,
    running: SimpleNamespace,
    client_for: Callable[[Any], FlaskClient],
) -> None:
    base = f"/nominations/{campaign.id}"
    paths = [
        base,
        base + "/edit",
        base + "/awards",
        base + "/quotas",
        base + f"/quotas/{running.total.id}",
        base + "/quotas/export.xlsx",
        base + "/quotas/import",
        base + "/slate",
        base + "/eligibility",
        base + "/nominations",
    ]
    for user in (tree.recommender, tree.reviewer):
        client = client_for(user)
        for path in ["/nominations/", "/nominations/new", *paths]:
            assert client.get(path).status_code == 403, (user.role, path)
        assert client.post(base + "/status", data={"to": "review"}).status_code == 403
    other = client_for(tree.other_organizer)
    for path in paths:
        assert other.get(path).status_code == 403, path
    assert campaign.name not in other.get("/nominations/").get_data(as_text=True)
    assert other.post(base + "/awards", data={"new-kind": "pioneer"}).status_code == 403
    assert client_for(None).get(base).status_code in (302, 401)


def test_a_lower_unions_organizer_hands_on_its_own_share_only(
    db: Any,
    tree: SimpleNamespace,
    campaign: Campaign,
    running: SimpleNamespace,
    client_for: Callable[[Any], FlaskClient],
) -> None:
    client = client_for(tree.east_organizer)
    base = f"/nominations/{campaign.id}"
    assert client.get(base).status_code == 403
    assert client.get(base + "/slate").status_code == 403
    listing = client.get("/nominations/").get_data(as_text=True)
    assert campaign.name in listing  # under 上级分配给本单位的名额
    page = client.get(base + "/quotas").get_data(as_text=True)
    assert "滨江区总工会" in page and "临湖区总工会" not in page
    assert client.get(base + f"/quotas/{running.total.id}").status_code == 403
    assert client.get(base + f"/quotas/{running.east.id}").status_code == 200
    response = client.post(
        base + f"/quotas/{running.east.id}",
        data={"new-organization_id": tree.private.id, "new-quota": 2, "new-slots": "农民工 1"},
    )
    assert response.status_code == 302
    too_many = client.post(
        base + f"/quotas/{running.east.id}",
        data={"new-organization_id": tree.state.id, "new-quota": 4},
    )
    assert "超过“滨江区总工会”的名额 5 个" in too_many.get_data(as_text=True)
    assert (
        client_for(tree.west_organizer).get(base + f"/quotas/{running.east.id}").status_code == 403
    )


def test_a_refused_quota_import_shows_every_row_and_writes_nothing(
    db: Any,
    tree: SimpleNamespace,
    campaign: Campaign,
    running: SimpleNamespace,
    client_for: Callable[[Any], FlaskClient],
) -> None:
    client = client_for(tree.organizer)
    data = _sheet([["江州市五一劳动奖章", "临湖区总工会", "", 5, "", ""]])
    page = client.post(
        f"/nominations/{campaign.id}/quotas/import",
        data={"file": (io.BytesIO(data), "q.xlsx")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "导入被拒绝" in page and "超过“江州市总工会”的名额 9 个" in page
    db.session.expire_all()
    west = db.session.scalars(
        db.select(CampaignQuota).where(CampaignQuota.organization_id == tree.west.id)
    ).one()
    assert west.quota == 4


def test_removing_an_award_asks_first_and_names_what_goes_with_it(
    db: Any, tree: SimpleNamespace, campaign: Campaign, client_for: Callable[[Any], FlaskClient]
) -> None:
    quotas.set_total(tree.organizer, campaign, "medal", 9)
    slates.apply_defaults(tree.organizer, campaign)
    db.session.commit()
    client = client_for(tree.organizer)
    url = f"/nominations/{campaign.id}/awards/medal/delete"
    asked = client.post(url)
    assert asked.status_code == 200
    assert "该奖项的 1 条名额分配和 6 条结构要求将一并删除" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert awards.award_of(campaign, "medal") is not None
    assert client.post(url, data={"confirmed": "1"}).status_code == 302
    db.session.expire_all()
    assert awards.awards_of(campaign) == []
    assert db.session.scalar(db.select(db.func.count(CampaignQuota.id))) == 0
    assert client.post(f"/nominations/{campaign.id}/awards/nope/delete").status_code == 404


def test_closing_early_through_the_page_needs_a_reason(
    db: Any,
    tree: SimpleNamespace,
    campaign: Campaign,
    running: SimpleNamespace,
    client_for: Callable[[Any], FlaskClient],
) -> None:
    client = client_for(tree.organizer)
    url = f"/nominations/{campaign.id}/status"
    client.post(url, data={"to": "review"})
    db.session.expire_all()
    assert campaign.status is CampaignStatus.OPEN
    assert "请填写原因" in client.get(f"/nominations/{campaign.id}").get_data(as_text=True)
    client.post(url, data={"to": "review", "reason": "各单位均已报送完毕"})
    db.session.expire_all()
    assert campaign.status is CampaignStatus.REVIEW
    assert client.post(url, data={"to": "conferred"}).status_code == 302
    db.session.expire_all()
    assert campaign.status is CampaignStatus.REVIEW
    assert client.post(url, data={"to": "nonsense"}).status_code == 302


def test_a_forged_level_or_a_foreign_host_is_answered_on_the_form(
    db: Any, tree: SimpleNamespace, client_for: Callable[[Any], FlaskClient]
) -> None:
    client = client_for(tree.organizer)
    page = client.post(
        "/nominations/new",
        data={
            "name": "评选",
            "organization_id": tree.other_city.id,
            "level": "galactic",
            "year": 2026,
            "surplus_percent": 100,
        },
    )
    assert page.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Campaign.id))) == 0
