"""The demo's labor competitions and union rating, run through the real services (issue #12).

Three things a city federation runs beside its skills contests:

- **江州地铁2号线一期工程劳动竞赛** (重大工程, 六比一创): 17 标段 in two tracks, monthly
  rounds; four rounds published (one with a round veto), the fifth being assessed, the sixth in
  self-assessment; the 流动红旗 has a holder in each track;
- **2026年江州市“安康杯”竞赛**: one annual assessment, published, with its title rule and the
  proposed list waiting for the 文号;
- **临江区基层工会“六好”评定**: the district union rates its enterprise unions on seed 001's
  grassroots 六好 sheet, with 入会率 from the union tree and 会员评家 surveys answered on phones;
  conferred, so the grades are on the wall with their validity.

Every mark goes through the assessment engine (self-assessment, assessors, chief's confirmation,
publication), so the demo is also an end-to-end check of the journey.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from contest.demo.catalogue import CITY_NAME
from contest.demo.context import DemoContext
from contest.extensions import db
from contest.models import (
    Aspect,
    AspectKind,
    Competition,
    CompetitionKind,
    CompetitionStatus,
    HonorLevel,
    Organization,
    Participant,
    ParticipantKind,
    Role,
    Round,
    RoundStatus,
    Track,
    User,
    VetoEffect,
)
from contest.services.core.users import create_user
from contest.services.labor import (
    assessors,
    competitions,
    indicators,
    participants,
    round_results,
    rounds,
    scoring,
    surveys,
    titles,
)
from contest.services.labor.competitions import CompetitionData
from contest.services.labor.participants import ParticipantData
from contest.services.labor.rounds import RoundData

ASSESSOR_PASSWORD = "demo-judge-2026"
CONTACT_PASSWORD = "demo-recommender-2026"
LINJIANG = "江州市临江区总工会"
# (username, display name, chief of the team)
ASSESSORS = (
    ("assessor_zhou", "周立新", True),
    ("assessor_wu", "吴海燕", False),
    ("assessor_he", "何建军", False),
)
LINES = ("土建", "机电安装")
PROJECT_PUBLISHED = 4  # rounds published; the next is being assessed, the one after self-assessed


def add_labor(ctx: DemoContext) -> None:
    """The demo step (after the accounts exist)."""
    rng = random.Random(20261204)
    team = _assessor_accounts(ctx)
    project = _project_competition(ctx, rng, team)
    ankang = _ankang_cup(ctx, rng, team)
    rating = _six_good_rating(ctx, rng, team)
    ctx.summary.count("劳动竞赛与评定 labor competitions and ratings", 3)
    ctx.summary.count(
        "参赛单位 participants",
        sum(len(participants.roster(c)) for c in (project, ankang, rating)),
    )
    ctx.summary.notes.append(
        "劳动竞赛：/labor/（组织者）、/labor/public/（公众）；考评员 assessor_zhou（组长）/"
        "assessor_wu/assessor_he 密码 demo-judge-2026，标段自评 site01 密码 demo-recommender-2026"
    )


# ------------------------------------------------------------------ people


def _assessor_accounts(ctx: DemoContext) -> list[tuple[User, bool]]:
    city = ctx.org(CITY_NAME)
    team = []
    for username, name, chief in ASSESSORS:
        user = create_user(None, username, ASSESSOR_PASSWORD, Role.JUDGE, city, name)
        ctx.users[username] = user
        team.append((user, chief))
    return team


def _contact(ctx: DemoContext, index: int, org: Organization, name: str) -> User:
    username = f"site{index:02d}"
    user = create_user(None, username, CONTACT_PASSWORD, Role.RECOMMENDER, org, name)
    ctx.users[username] = user
    return user


# ------------------------------------------------------------------ marks


def _mark(aspect: Aspect, strength: float, rng: random.Random) -> str:
    """A plausible mark for ``aspect`` from a participant of ``strength`` (0..1)."""
    kind = aspect.kind
    top = float(aspect.max_points)
    step = float(aspect.mark_step)
    if kind is AspectKind.VETO:
        return "0"
    if kind is AspectKind.MANDATORY:
        return "1" if rng.random() < 0.97 else "0"
    if kind is AspectKind.RATE:
        return f"{min(100.0, 88 + 12 * strength + rng.uniform(-2, 2)):.1f}"
    if kind is AspectKind.BONUS:
        return _on_step(top * rng.choice((0, 0, 0.4, 0.7)) * strength, step)
    share = min(1.0, max(0.3, strength + rng.uniform(-0.06, 0.06)))
    if kind is AspectKind.DEDUCTION:
        return _on_step(top * (1 - share), step)
    if kind is AspectKind.JUDGEMENT:
        return str(round(share * (aspect.scale or 3)))
    return _on_step(top * share, step)


def _on_step(value: float, step: float) -> str:
    steps = round(value / step)
    return format(Decimal(str(steps)) * Decimal(str(step)), "f")


def _assess_round(
    round_: Round,
    field: list[tuple[Participant, float]],
    team: list[tuple[User, bool]],
    rng: random.Random,
    *,
    submit_share: float = 1.0,
    vetoed: Participant | None = None,
) -> None:
    """Assessors mark every participant of their tracks (``submit_share`` of them submitted,
    the rest left as drafts); ``vetoed`` gets the sheet's round veto from every assessor."""
    items = scoring.typed_items(scoring.round_items(round_.competition))
    veto_keys = [
        a.key for a in items if a.kind is AspectKind.VETO and a.veto_effect is VetoEffect.ROUND
    ]
    for user, _chief in team:
        for participant, strength in field:
            values = {a.key: _mark(a, strength, rng) for a in items}
            if participant is vetoed and veto_keys:
                values[veto_keys[0]] = "1"
            scoring.save_assessment(
                user,
                round_,
                participant,
                values,
                submit=rng.random() < submit_share,
                expected_version=None,
            )


def _self_assess(
    round_: Round, field: list[tuple[Participant, float]], rng: random.Random, share: float = 1.0
) -> None:
    items = scoring.typed_items(scoring.round_items(round_.competition))
    for participant, strength in field:
        if rng.random() >= share or participant.contact_user is None:
            continue
        values = {a.key: _mark(a, min(1.0, strength + 0.04), rng) for a in items}
        scoring.save_self(
            participant.contact_user,
            round_,
            participant,
            values,
            submit=True,
            expected_version=None,
        )


def _run_round(
    organizer: User,
    chief: User,
    round_: Round,
    field: list[tuple[Participant, float]],
    team: list[tuple[User, bool]],
    rng: random.Random,
    *,
    vetoed: Participant | None = None,
) -> None:
    """Self-assessment → assessors → the chief confirms → the organizer publishes."""
    _self_assess(round_, field, rng)
    round_results.open_scoring(organizer, round_)
    _assess_round(round_, field, team, rng, vetoed=vetoed)
    round_results.confirm_round(chief, round_)
    round_results.publish_round(organizer, round_)


def _chief(team: list[tuple[User, bool]]) -> User:
    return next(user for user, chief in team if chief)


def _setup_team(organizer: User, competition: Competition, team: list[tuple[User, bool]]) -> None:
    for user, chief in team:
        assessors.add_assessor(organizer, competition, user, is_chief=chief)


# ------------------------------------------------------------------ the competitions


def _project_competition(
    ctx: DemoContext, rng: random.Random, team: list[tuple[User, bool]]
) -> Competition:
    organizer = ctx.users["organizer"]
    competition = competitions.create_competition(
        organizer,
        CompetitionData(
            name="江州地铁2号线一期工程“六比一创”劳动竞赛",
            kind=CompetitionKind.PROJECT,
            organization=ctx.org(CITY_NAME),
            level=HonorLevel.CITY,
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 12, 31),
            description=(
                "比质量、比安全、比进度、比技术创新、比科学管理、比文明施工，创和谐团队。"
                "每月考评一次，各标段自评、考评组考评，每月流动红旗授予各赛区第一名。"
            ),
            conferring_body=CITY_NAME,
            cumulation="sum",
            flag_count=1,
            flag_keep_after=3,
        ),
    )
    competition.tie_break = ["latest_round", "rounds_won"]
    indicators.apply_template(organizer, competition, "project_six_compare")
    tracks = [competitions.add_track(organizer, competition, f"{line}标段") for line in LINES]
    field = _project_field(ctx, organizer, competition, tracks, rng)
    rounds.generate_schedule(
        organizer, competition, rounds.plan_schedule(competition, "monthly")[:6]
    )
    _setup_team(organizer, competition, team)
    titles.save_rule(
        organizer,
        competition,
        {
            "title": "江州市重点工程劳动竞赛先进集体",
            "recipient": "project",
            "by": "rank",
            "top": 2,
            "every_round": True,
        },
    )
    competitions.change_status(organizer, competition, CompetitionStatus.RUNNING)
    chief = _chief(team)
    vetoed = field[5][0]  # a strong 标段 with an accident in round 3
    for position, round_ in enumerate(competition.rounds[:PROJECT_PUBLISHED]):
        _run_round(
            organizer, chief, round_, field, team, rng, vetoed=vetoed if position == 2 else None
        )
    assessing, self_assessing = competition.rounds[PROJECT_PUBLISHED : PROJECT_PUBLISHED + 2]
    _self_assess(assessing, field, rng)
    round_results.open_scoring(organizer, assessing)
    _assess_round(assessing, field, team, rng, submit_share=0.6)
    _self_assess(self_assessing, field, rng, share=0.5)
    return competition


def _project_field(
    ctx: DemoContext,
    organizer: User,
    competition: Competition,
    tracks: list[Track],
    rng: random.Random,
) -> list[tuple[Participant, float]]:
    """17 标段: nine civil, eight electromechanical, each built by one enterprise of the tree."""
    units = ctx.grassroots[:17]
    field = []
    for index, org in enumerate(units, 1):
        civil = index <= 9
        number = index if civil else index - 9
        track = tracks[0] if civil else tracks[1]
        name = f"{LINES[0 if civil else 1]}{number:02d}标（{org.short_name or org.name}）"
        contact = _contact(ctx, index, org, f"{org.short_name or org.name}联络员")
        participant = participants.add_participant(
            organizer,
            competition,
            ParticipantData(
                name=name,
                kind=ParticipantKind.PROJECT,
                track=track,
                organization=org,
                registered_on=date(2026, 3, 1),
                contact=contact,
            ),
        )
        field.append((participant, rng.uniform(0.72, 0.95)))
    return field


def _ankang_cup(ctx: DemoContext, rng: random.Random, team: list[tuple[User, bool]]) -> Competition:
    organizer = ctx.users["organizer"]
    competition = competitions.create_competition(
        organizer,
        CompetitionData(
            name="2026年江州市“安康杯”竞赛",
            kind=CompetitionKind.ANKANG,
            organization=ctx.org(CITY_NAME),
            level=HonorLevel.CITY,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 11, 30),
            description="以班组安全建设为重点，年终按《安康杯竞赛考核表》考评。",
            conferring_body=CITY_NAME,
        ),
    )
    indicators.apply_template(organizer, competition, "ankang_cup")
    field = []
    for org in ctx.grassroots[20:28]:
        participant = participants.add_participant(
            organizer,
            competition,
            ParticipantData(
                name=org.short_name or org.name,
                kind=ParticipantKind.UNIT,
                organization=org,
                registered_on=date(2026, 1, 15),
            ),
        )
        field.append((participant, rng.uniform(0.82, 0.99)))
    rounds.add_round(
        organizer,
        competition,
        RoundData(name="2026年度考核", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30)),
    )
    _setup_team(organizer, competition, team)
    titles.save_rule(
        organizer,
        competition,
        {
            "title": "江州市“安康杯”竞赛优胜单位",
            "recipient": "unit",
            "by": "threshold",
            "min_total": 90,
        },
    )
    competitions.change_status(organizer, competition, CompetitionStatus.RUNNING)
    _run_round(organizer, _chief(team), competition.rounds[0], field, team, rng)
    titles.propose(organizer, competition)
    return competition


def _six_good_rating(
    ctx: DemoContext, rng: random.Random, team: list[tuple[User, bool]]
) -> Competition:
    organizer = ctx.users["organizer_linjiang"]
    district = ctx.org(LINJIANG)
    competition = competitions.create_competition(
        organizer,
        CompetitionData(
            name="临江区2026年度基层工会“六好”评定",
            kind=CompetitionKind.SIX_GOOD,
            organization=district,
            level=HonorLevel.DISTRICT,
            starts_on=date(2026, 10, 1),
            ends_on=date(2026, 11, 30),
            description="按《六好基层工会》标准评定，入会率取自组织档案，会员满意率取自会员评家。",
            conferring_body=LINJIANG,
            valid_months=12,
        ),
    )
    indicators.apply_template(organizer, competition, "six_good_grassroots")
    unions = [o for o in ctx.grassroots if o.path.startswith(district.path)][:8]
    field = []
    for org in unions:
        participant = participants.add_participant(
            organizer,
            competition,
            ParticipantData(
                name=org.name,
                organization=org,
                registered_on=date(2026, 10, 8),
            ),
        )
        field.append((participant, rng.uniform(0.8, 0.99)))
    rounds.add_round(
        organizer,
        competition,
        RoundData(name="2026年度评定", starts_on=date(2026, 10, 1), ends_on=date(2026, 11, 30)),
    )
    _setup_team(organizer, competition, [(organizer, True)])
    competitions.change_status(organizer, competition, CompetitionStatus.RUNNING)
    for participant, strength in field:
        _member_survey(organizer, participant, strength, rng)
    round_ = competition.rounds[0]
    round_results.open_scoring(organizer, round_)
    _assess_round(round_, field, [(organizer, True)], rng)
    round_results.confirm_round(organizer, round_)
    round_results.publish_round(organizer, round_)
    titles.propose(organizer, competition)
    titles.confer(organizer, competition, "临工发〔2026〕18号", date(2026, 12, 1))
    return competition


def _member_survey(
    actor: User, participant: Participant, strength: float, rng: random.Random
) -> None:
    """会员评家: 30 slips handed out, most answered on a phone, then closed."""
    survey = surveys.open_survey(actor, participant, codes=30)
    version = surveys.questions_version(survey.questions)
    answered = rng.randint(22, 29)
    for code in surveys.all_codes(survey)[:answered]:
        answers = {
            index: rng.choices(
                ("satisfied", "basic", "unsatisfied"),
                weights=(strength, (1 - strength) * 0.8, (1 - strength) * 0.2),
            )[0]
            for index in range(len(survey.questions))
        }
        surveys.submit(code, answers, version, None)
    surveys.close_survey(actor, survey)
    db.session.flush()


__all__ = ["add_labor"]

# The rounds' statuses the demo leaves, for the tests and the README.
PROJECT_ROUND_STATES = (
    *([RoundStatus.PUBLISHED] * PROJECT_PUBLISHED),
    RoundStatus.SCORING,
    RoundStatus.SELF,
)
