"""A running labor competition with one round open for self-assessment, built from model rows,
for the round tests (tests/contest/test_labor_rounds.py) and the browser journey.

江州市总工会 hosts 「江州地铁三号线劳动竞赛」 (running, mean of assessors, bonus cap 5, one red
flag per track) with two tracks: 土建 (三个标段 P1–P3) and 机电 (P4). The indicator sheet
(考核指标) has one item of every kind:

- Q1 工程质量 measurement /40 (step 0.5), S1 安全管理 deduction /30 (step 0.5),
- R1 验收一次合格率 rate /10 (≥ 95%, −1 per started 2%), R2 职工入会率 rate /20 from data
  (membership_rate: each unit's organisation has 100 employees, P1 96 members, P2 90, P3 and
  P4 100),
- B1 技术创新 bonus /10, V1 较大安全事故 veto (round), V2 重大质量事故 veto (competition),
  M1 农民工工资专户 mandatory.

Every participant has its own contact account (推荐单位 role); the team is a chief (组长) and a
member for every track, and a third member limited to 机电.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from contest.models import (
    Aspect,
    AspectKind,
    Assessor,
    Competition,
    CompetitionKind,
    CompetitionStatus,
    Component,
    HonorLevel,
    OrgKind,
    Participant,
    ParticipantKind,
    Round,
    RoundStatus,
    RubricCriterion,
    Track,
    VetoEffect,
)

ITEMS: list[dict[str, Any]] = [
    {"key": "Q1", "name": "工程质量", "kind": AspectKind.MEASUREMENT, "max_points": 40},
    {"key": "S1", "name": "安全管理", "kind": AspectKind.DEDUCTION, "max_points": 30},
    {
        "key": "R1",
        "name": "验收一次合格率",
        "kind": AspectKind.RATE,
        "max_points": 10,
        "threshold": 95,
        "per_step": 2,
        "step_deduction": 1,
    },
    {
        "key": "R2",
        "name": "职工入会率",
        "kind": AspectKind.RATE,
        "max_points": 20,
        "threshold": 95,
        "per_step": 2,
        "step_deduction": "0.5",
        "source": "membership_rate",
    },
    {"key": "B1", "name": "技术创新", "kind": AspectKind.BONUS, "max_points": 10},
    {
        "key": "V1",
        "name": "较大安全事故",
        "kind": AspectKind.VETO,
        "max_points": 0,
        "veto_effect": VetoEffect.ROUND,
    },
    {
        "key": "V2",
        "name": "重大质量事故",
        "kind": AspectKind.VETO,
        "max_points": 0,
        "veto_effect": VetoEffect.COMPETITION,
    },
    {"key": "M1", "name": "农民工工资专户", "kind": AspectKind.MANDATORY, "max_points": 0},
]
MEMBERS = {"P1": 96, "P2": 90, "P3": 100, "P4": 100}


def full_marks(**overrides: object) -> dict[str, object]:
    """A complete sheet: 40 + 30 + 10 (+ R2 from data) + bonus 0, no veto, mandatory met."""
    marks: dict[str, object] = {
        "Q1": "40",
        "S1": "0",
        "R1": "100",
        "B1": "0",
        "V1": "0",
        "V2": "0",
        "M1": "1",
    }
    marks.update({k: str(v) for k, v in overrides.items()})
    return marks


def build_round_world(
    db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any], *, rating: bool = False
) -> SimpleNamespace:
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    organizer = make_user("organizer", username="org_jz", organization=host)
    units = {}
    for label, members in MEMBERS.items():
        units[label] = make_org(
            name=f"中铁{label}标段工会",
            kind=OrgKind.GRASSROOTS,
            parent=host,
            headcount=100,
            member_count=members,
            counted_on=date(2026, 3, 1),
        )
    assessor_org = make_org(name="江州市建设工会", kind=OrgKind.GRASSROOTS, parent=host)
    competition = Competition(
        name="江州地铁三号线劳动竞赛",
        kind=CompetitionKind.STAR if rating else CompetitionKind.PROJECT,
        organization=host,
        year=2026,
        level=HonorLevel.CITY,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 12, 31),
        status=CompetitionStatus.RUNNING,
        aggregation="mean",
        trim=0,
        cumulation="sum",
        tie_break=["latest_round"],
        bonus_cap=Decimal(5),
        flag_count=1,
        flag_keep_after=None,
        grades=[["90", "五星"], ["80", "四星"]] if rating else [],
        title_rules=[],
        is_public=True,
    )
    db.session.add(competition)
    db.session.flush()
    civil = Track(competition_id=competition.id, name="土建", position=0)
    electric = Track(competition_id=competition.id, name="机电", position=1)
    db.session.add_all([civil, electric])
    sheet = Component(
        competition_id=competition.id,
        key="indicators",
        name="考核指标",
        weight=Decimal(100),
        max_score=Decimal(100),
        position=0,
    )
    db.session.add(sheet)
    db.session.flush()
    criterion = RubricCriterion(component_id=sheet.id, name="六比一创", position=0)
    db.session.add(criterion)
    db.session.flush()
    aspects = {}
    for position, spec in enumerate(ITEMS):
        data = dict(spec)
        aspect = Aspect(
            criterion_id=criterion.id,
            competition_id=competition.id,
            key=data.pop("key"),
            name=data.pop("name"),
            kind=data.pop("kind"),
            max_points=Decimal(str(data.pop("max_points"))),
            step=Decimal("0.5"),
            position=position,
            standard="按考核细则评分",
            **{
                k: (Decimal(str(v)) if k in ("threshold", "per_step", "step_deduction") else v)
                for k, v in data.items()
            },
        )
        aspects[aspect.key] = aspect
    db.session.add_all(aspects.values())
    contacts = {}
    participants = {}
    for label, unit in units.items():
        contact = make_user("recommender", username=f"contact_{label.lower()}", organization=unit)
        contacts[label] = contact
        participants[label] = Participant(
            competition_id=competition.id,
            track_id=(electric if label == "P4" else civil).id,
            kind=ParticipantKind.PROJECT,
            name=f"三号线{label}标段",
            organization_id=unit.id,
            registered_on=date(2026, 3, 1),
            contact_user_id=contact.id,
        )
    db.session.add_all(participants.values())
    chief = make_user("judge", username="chief_wang", organization=assessor_org)
    member = make_user("judge", username="assessor_li", organization=assessor_org)
    electric_only = make_user("judge", username="assessor_zhao", organization=assessor_org)
    db.session.add_all(
        [
            Assessor(competition_id=competition.id, user_id=chief.id, is_chief=True),
            Assessor(competition_id=competition.id, user_id=member.id, is_chief=False),
            Assessor(
                competition_id=competition.id,
                user_id=electric_only.id,
                is_chief=False,
                track_id=electric.id,
            ),
        ]
    )
    round_ = Round(
        competition_id=competition.id,
        name="2026 年 3 月",
        position=0,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
        weight=Decimal(1),
        status=RoundStatus.SELF,
        is_public=True,
    )
    db.session.add(round_)
    db.session.commit()
    return SimpleNamespace(
        host=host,
        organizer=organizer,
        units=units,
        competition=competition,
        tracks={"土建": civil, "机电": electric},
        aspects=aspects,
        participants=participants,
        contacts=contacts,
        chief=chief,
        member=member,
        electric_only=electric_only,
        round=round_,
    )


def add_round(db: Any, world: SimpleNamespace, name: str, position: int) -> Round:
    round_ = Round(
        competition_id=world.competition.id,
        name=name,
        position=position,
        weight=Decimal(1),
        status=RoundStatus.SELF,
        is_public=True,
    )
    db.session.add(round_)
    db.session.commit()
    return round_
