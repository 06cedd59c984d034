"""The demo's honor campaigns (评选表彰), run through the real services (issue #13).

江州市总工会 runs three campaigns, each left at a different point of the journey:

- **2026年江州市劳动模范** — conferred: nominees of several enterprise unions went through 初审
  and a three-expert scoring stage, the result was finalized, the 公示 ran and the campaign was
  conferred with 文号 江工发〔2026〕30号, so the honors are on the wall with certificates;
- **2027年江州市五一劳动奖章** — in 公示 since today, alternates ranked, one objection from the
  public received and waiting for the organizer;
- **2026年江州市工人先锋号** — in review, 初审 open: the ``reviewer`` account has nominations to
  decide, and the ``recommender`` account (江州重型机械有限公司工会) has one returned for
  correction.

Every nomination is started, filled in and submitted by a recommending unit's account (the
labor step's 标段 contacts, ``siteNN``, are the recommenders of their unions), so the demo is
also an end-to-end check of the journey.

Why the conferred campaign's 公示 is moved into the past: :func:`publicity.start` refuses a
start before today and :func:`conferral.confer` needs the 公示 over, so a campaign conferred on
the demo's load day cannot exist through the services alone. The demo starts the 公示 through
the service today and then moves that one notice back to a finished period of the same length
on the statutory calendar, before conferring through the service; nothing else is back-dated.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from contest.demo.catalogue import CITY_NAME
from contest.demo.context import DemoContext
from contest.extensions import db
from contest.models import (
    Campaign,
    CampaignStatus,
    HonorLevel,
    Nomination,
    Organization,
    Outcome,
    Person,
    RecipientKind,
    ReviewStage,
    Role,
    StageMode,
    User,
)
from contest.services.core.users import create_user
from contest.services.honors.validity import today
from contest.services.nominations import (
    calendar,
    campaigns,
    conferral,
    expert,
    nominations,
    objections,
    publicity,
    quotas,
    review,
)
from contest.services.nominations.campaigns import CampaignData, MaterialsData
from contest.services.nominations.nominations import NominationData, NomineeData

EXPERT_PASSWORD = "demo-judge-2026"  # as the labor step's assessors
# (username, display name)
EXPERTS = (
    ("expert_sun", "孙维民"),
    ("expert_qian", "钱丽华"),
    ("expert_zheng", "郑国强"),
)
MODEL_WORKER = "2026年江州市劳动模范"
MEDAL = "2027年江州市五一劳动奖章"
PIONEER = "2026年江州市工人先锋号"
DOCUMENT_NUMBER = "江工发〔2026〕30号"
# 职代会 and a five-working-day 单位公示 before the units submit.
DEMOCRATIC_ON = date(2026, 10, 28)
UNIT_PUBLICITY = (date(2026, 11, 2), date(2026, 11, 6))
CONTACT = "江州市总工会劳动和经济工作部，电话 0791-12345678，地址 江州市人民路1号"
FORM_VALUES = {
    "性别": "见职工档案",
    "民族": "汉族",
    "出生年月": "见职工档案",
    "政治面貌": "群众",
    "文化程度": "大专",
    "参加工作时间": "2005年7月",
    "集体名称": "",
    "所在单位": "",
    "集体人数": "12",
    "负责人": "班组长",
}
POSTS = ("数控车工", "焊工", "电工", "钳工", "装配工", "质检员", "维修电工", "起重工")


def add_nominations(ctx: DemoContext) -> None:
    """The demo step (after the labor step, whose 标段 contacts recommend for their unions)."""
    rng = random.Random(20261205)
    experts = _expert_accounts(ctx)
    calendar_ok = _calendar_covers(today())
    model = _model_worker_campaign(ctx, rng, experts, calendar_ok)
    medal = _medal_campaign(ctx, rng, experts, calendar_ok)
    pioneer = _pioneer_campaign(ctx)
    ctx.summary.count("评选表彰活动 honor campaigns", 3)
    ctx.summary.count(
        "推荐对象 nominations",
        sum(_count(c) for c in (model, medal, pioneer)),
    )
    ctx.summary.notes.append(
        "评选表彰：/nominations/（组织者 organizer）；劳动模范已表彰（/wall/ 荣誉墙），"
        "五一劳动奖章公示中并有一件异议待处理，工人先锋号初审中——reviewer 有待评审推荐，"
        "recommender 有一份退回修改的推荐；评分专家 expert_sun/expert_qian/expert_zheng "
        "密码 demo-judge-2026"
    )
    if not calendar_ok:
        ctx.summary.notes.append(
            f"节假日日历缺少 {today().year} 年数据：劳动模范未公示表彰，五一劳动奖章未开始公示"
            "（在 /admin/calendar 录入后可由组织者继续）"
        )


# ------------------------------------------------------------------ people


def _expert_accounts(ctx: DemoContext) -> list[User]:
    city = ctx.org(CITY_NAME)
    team = []
    for username, name in EXPERTS:
        user = create_user(None, username, EXPERT_PASSWORD, Role.REVIEWER, city, name)
        ctx.users[username] = user
        team.append(user)
    return team


def _calendar_covers(day: date) -> bool:
    """Whether the statutory calendar knows the days the two 公示 take: the weeks before
    ``day`` (the conferred campaign's, moved back) and the weeks after it (the running one)."""
    try:
        calendar.is_workday(day - timedelta(days=40))
        calendar.is_workday(day + timedelta(days=20))
    except calendar.CalendarMissing:
        return False
    return True


def _count(campaign: Campaign) -> int:
    return int(
        db.session.scalar(
            select(func.count(Nomination.id)).where(Nomination.campaign_id == campaign.id)
        )
        or 0
    )


def _unit(user: User) -> tuple[User, Organization]:
    """A recommending account with the union it acts for."""
    org = user.organization
    assert org is not None  # every demo recommender sits in a union
    return user, org


def _units(ctx: DemoContext, first: int, count: int) -> list[tuple[User, Organization]]:
    """Recommending units: the labor step's 标段 contacts act for their unions."""
    return [_unit(ctx.users[f"site{index:02d}"]) for index in range(first, first + count)]


def _people(ctx: DemoContext, org: Organization, count: int) -> list[Person]:
    return [p for p in ctx.members_of(org) if p.reveal_id_number()][:count]


# ------------------------------------------------------------------ a campaign


def _campaign(
    ctx: DemoContext, name: str, year: int, kind: str, quota: int, alternates: int
) -> tuple[Campaign, str]:
    """A city campaign of one award with its total, open to nominations for a month."""
    organizer = ctx.users["organizer"]
    campaign = campaigns.create_campaign(
        organizer,
        CampaignData(
            name=name,
            organization=ctx.org(CITY_NAME),
            level=HonorLevel.CITY,
            year=year,
            conferring_body=CITY_NAME,
            submission_deadline=datetime.now(UTC) + timedelta(days=30),
            surplus_percent=200,  # 差额：each unit may put forward twice its places
        ),
    )
    award = campaigns.add_award(organizer, campaign, kind)
    # The demo's units upload no scanned forms: no attachment slot is required.
    campaigns.set_materials(organizer, campaign, MaterialsData(attachments=[]))
    campaign.publish_alternates = True
    quotas.set_total(organizer, campaign, award.key, quota, alternates=alternates)
    return campaign, award.key


def _hand_down(
    ctx: DemoContext, campaign: Campaign, award: str, units: list[Organization], each: int
) -> None:
    organizer = ctx.users["organizer"]
    top = next(r for r in quotas.rows_of(campaign, award) if r.depth == 0).row
    for org in units:
        quotas.hand_down(organizer, top, org, each)


def _form(campaign: Campaign, recipient: RecipientKind, org: Organization) -> dict[str, str]:
    values = {**FORM_VALUES, "所在单位": org.employer or org.name}
    return {
        spec.key: values.get(spec.key) or "—" for spec in campaigns.form_fields(campaign, recipient)
    }


def _nominate(
    user: User,
    campaign: Campaign,
    award: str,
    org: Organization,
    rng: random.Random,
    *,
    person: Person | None = None,
    team: str = "",
    submit: bool = True,
) -> Nomination:
    """Start, fill in and (by default) submit one nomination as the unit's recommender."""
    recipient = RecipientKind.PERSON if person is not None else RecipientKind.TEAM
    nomination = nominations.start(
        user,
        campaign,
        award,
        org.id,
        NomineeData(
            name=person.name if person else "",
            id_number=(person.reveal_id_number() or "") if person else "",
            organization_id=org.id,
            team_name=team,
        ),
    )
    who = nomination.name
    nominations.save(
        user,
        nomination,
        NominationData(
            unit_name=org.employer or org.name,
            post=(nomination.post or rng.choice(POSTS)) if person else None,
            skill_level=nomination.skill_level if person else None,
            deeds_short=f"{who}扎根生产一线，攻克多项技术难题，带出徒弟二十余名。",
            deeds_full=(
                f"{who}多年来立足岗位、精益求精，主持完成技术革新项目{rng.randint(3, 9)}项，"
                f"累计创造经济效益{rng.randint(120, 900)}万元，培养技术骨干二十余名，"
                "在本单位和行业内起到了示范带头作用。"
            ),
            form=_form(campaign, recipient, org),
            consent_publicity=True,
            consent_photo=rng.random() < 0.6,
            consent_deeds=True,
            democratic_on=DEMOCRATIC_ON,
            unit_publicity_start=UNIT_PUBLICITY[0],
            unit_publicity_end=UNIT_PUBLICITY[1],
            declarations={item: False for item in campaigns.negative_items(campaign)},
        ),
    )
    if submit:
        nominations.submit(user, nomination)
    return nomination


def _collect(
    ctx: DemoContext,
    campaign: Campaign,
    award: str,
    units: list[tuple[User, Organization]],
    per_unit: int,
    rng: random.Random,
) -> list[Nomination]:
    found = []
    for user, org in units:
        for person in _people(ctx, org, per_unit):
            found.append(_nominate(user, campaign, award, org, rng, person=person))
    return found


def _to_review(ctx: DemoContext, campaign: Campaign) -> None:
    campaigns.change_status(
        ctx.users["organizer"], campaign, CampaignStatus.REVIEW, "各单位已全部报送，提前截止推荐"
    )


def _stage(
    ctx: DemoContext,
    campaign: Campaign,
    name: str,
    mode: StageMode,
    members: list[User],
    template: str | None = None,
) -> ReviewStage:
    organizer = ctx.users["organizer"]
    stage = review.add_stage(organizer, campaign, review.StageData(name, mode))
    for user in members:
        review.add_member(organizer, stage, user, is_chair=user is members[0])
    if template:
        expert.apply_template(organizer, stage, template)
    return stage


def _marks(stage: ReviewStage, strength: float, rng: random.Random) -> dict[str, str]:
    found = {}
    for aspect in expert.items_of(stage):
        kind = aspect.kind.value
        if kind == "judgement":
            found[aspect.key] = str(2 + (rng.random() < strength))
        elif kind == "deduction":
            found[aspect.key] = "0"
        else:
            share = min(1.0, max(0.5, strength + rng.uniform(-0.05, 0.05)))
            found[aspect.key] = str(round(float(aspect.max_points) * share * 2) / 2)
    return found


def _review_and_finalize(
    ctx: DemoContext,
    campaign: Campaign,
    entries: list[Nomination],
    experts: list[User],
    template: str,
    rng: random.Random,
) -> None:
    """初审 by ``reviewer`` (everyone passes), 专家评审 by three experts, then finalize."""
    organizer = ctx.users["organizer"]
    first = _stage(ctx, campaign, "初审", StageMode.REVIEW, [ctx.users["reviewer"]])
    scoring = _stage(ctx, campaign, "专家评审", StageMode.SCORING, experts, template)
    review.open_stage(organizer, first)
    for nomination in entries:
        review.decide(ctx.users["reviewer"], first, nomination, Outcome.PASS, "")
    review.close_stage(organizer, first)
    review.open_stage(organizer, scoring)
    strengths = {n.id: rng.uniform(0.7, 0.95) for n in entries}
    for user in experts:
        for nomination in entries:
            expert.save_sheet(
                user,
                scoring,
                nomination,
                _marks(scoring, strengths[nomination.id], rng),
                submit=True,
                expected_version=None,
            )
    review.close_stage(organizer, scoring)
    expert.finalize(organizer, campaign)


# ------------------------------------------------------------------ the campaigns


def _reviewed_campaign(
    ctx: DemoContext,
    rng: random.Random,
    experts: list[User],
    spec: tuple[str, int, str, str],
    places: tuple[int, int],
    units: list[tuple[User, Organization]],
) -> Campaign:
    """A campaign (name, year, award kind, expert template) with ``places`` (quota, alternates)
    whose ``units`` hold one place each and put two forward; reviewed and finalized."""
    name, year, kind, template = spec
    campaign, award = _campaign(ctx, name, year, kind, *places)
    _hand_down(ctx, campaign, award, [org for _user, org in units], 1)
    campaigns.change_status(ctx.users["organizer"], campaign, CampaignStatus.OPEN)
    entries = _collect(ctx, campaign, award, units, 2, rng)
    _to_review(ctx, campaign)
    _review_and_finalize(ctx, campaign, entries, experts, template, rng)
    return campaign


def _model_worker_campaign(
    ctx: DemoContext, rng: random.Random, experts: list[User], calendar_ok: bool
) -> Campaign:
    organizer = ctx.users["organizer"]
    campaign = _reviewed_campaign(
        ctx,
        rng,
        experts,
        (MODEL_WORKER, 2026, "model_worker", "model_worker"),
        (6, 2),
        _units(ctx, 1, 5),
    )
    if not calendar_ok:
        return campaign
    notice = publicity.start(organizer, campaign, today(), CONTACT)
    # Moved back to a finished period (see the module docstring): four weeks ago, a Monday.
    starts = today() - timedelta(days=28 + today().weekday())
    while not calendar.is_workday(starts):
        starts += timedelta(days=1)
    notice.starts_on = starts
    notice.ends_on = publicity.period_end(starts, int(campaign.publicity_days or 5))
    notice.hidden_after = notice.ends_on + timedelta(days=int(campaign.publicity_grace_days or 0))
    db.session.flush()
    conferral.confer(organizer, campaign, DOCUMENT_NUMBER, notice.ends_on + timedelta(days=7))
    return campaign


def _medal_campaign(
    ctx: DemoContext, rng: random.Random, experts: list[User], calendar_ok: bool
) -> Campaign:
    campaign = _reviewed_campaign(
        ctx, rng, experts, (MEDAL, 2027, "may_day_medal", "may_day"), (4, 2), _units(ctx, 6, 4)
    )
    if not calendar_ok:
        return campaign
    publicity.start(ctx.users["organizer"], campaign, today(), CONTACT)
    listed = objections.objectable(campaign)
    target = listed[-1]
    objections.submit(
        campaign,
        objections.Submission(
            nomination_id=target.id,
            by_unit=False,
            name="李群",
            contact="13800000000",
            content=(
                f"反映{target.name}所在班组去年发生过一起未上报的轻伤事故，请核实其安全生产情况。"
            ),
        ),
        "192.0.2.13",
    )
    return campaign


def _pioneer_campaign(ctx: DemoContext) -> Campaign:
    """工人先锋号 in review: 初审 open for ``reviewer``; ``recommender``'s entry returned."""
    organizer = ctx.users["organizer"]
    rng = random.Random(20261206)
    campaign, award = _campaign(ctx, PIONEER, 2026, "pioneer", 4, 1)
    recommender = ctx.users["recommender"]
    units = [_unit(recommender), *_units(ctx, 10, 3)]
    _hand_down(ctx, campaign, award, [org for _user, org in units], 1)
    campaigns.change_status(organizer, campaign, CampaignStatus.OPEN)
    teams = ("数控加工班", "焊接一班", "设备维修班", "总装二班")
    entries = [
        _nominate(user, campaign, award, org, rng, team=team)
        for (user, org), team in zip(units, teams, strict=True)
    ]
    _to_review(ctx, campaign)
    first = _stage(ctx, campaign, "初审", StageMode.REVIEW, [ctx.users["reviewer"]])
    review.open_stage(organizer, first)
    review.decide(
        ctx.users["reviewer"],
        first,
        entries[0],
        Outcome.RETURN,
        "主要事迹缺少近三年班组安全生产和创新成果的具体数据，请补充后重新报送。",
    )
    return campaign


__all__ = ["MEDAL", "MODEL_WORKER", "PIONEER", "add_nominations"]
