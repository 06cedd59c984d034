"""A labor competition with published rounds, built straight from model rows (RoundResult and
RoundFlag written as a confirmed and published round leaves them), for the standings, public
pages and API tests (tests/contest/test_labor_standings.py) and the browser test.

江州市总工会 hosts 「江州地铁二号线劳动竞赛」 (running, public, cumulation sum, tie-break
latest round) with two tracks:

- 土建: A 中铁一局二标段 (project), B 中铁二局三标段 (project), C 江州建工一公司 (unit),
  D 建工钢筋班组 (team of C), and W 江州路桥公司 (withdrawn, with results in 1月 and 2月:
  shown in those rounds as 已退出, never ranked);
- 机电: E 中铁电气化局 (unit), F 江州安装公司 (unit).

Rounds 1月, 2月 (weight 1) and 3月 (weight 2) are published and public; 4月 is published but
internal; 5月 is still being scored. Totals (v = vetoed for the round, V = for the competition):

====  ====  ====  ====  ====  ===========================
      1月   2月   3月   4月   sum over public rounds
====  ====  ====  ====  ====  ===========================
A      90    85    95    50    270 (rank 1: latest 95)
B      88    92    90    99    270 (rank 2: latest 90)
C      95   93v    80     —    175 (rank 3)
D      70    75   88V    60    excluded, listed last
E      80    80    80    70    240 (rank 1 of 机电)
F      85     —    82    90    167 (rank 2 of 机电)
====  ====  ====  ====  ====  ===========================

Red flags: 1月 C and F, 2月 B and E, 3月 A and F (the latest holders), 4月 B and E. A and B
have members with 身份证号 and phone numbers that no public page may show.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from contest.models import (
    Aspect,
    AspectKind,
    Competition,
    CompetitionKind,
    CompetitionStatus,
    Component,
    HonorLevel,
    OrgKind,
    Participant,
    ParticipantKind,
    ParticipantMember,
    Round,
    RoundFlag,
    RoundResult,
    RoundStatus,
    RubricCriterion,
    Track,
    VetoEffect,
)

NAMES = {
    "A": ("中铁一局二标段", ParticipantKind.PROJECT, "civil"),
    "B": ("中铁二局三标段", ParticipantKind.PROJECT, "civil"),
    "C": ("江州建工一公司", ParticipantKind.UNIT, "civil"),
    "D": ("建工钢筋班组", ParticipantKind.TEAM, "civil"),
    "W": ("江州路桥公司", ParticipantKind.UNIT, "civil"),
    "E": ("中铁电气化局", ParticipantKind.UNIT, "electric"),
    "F": ("江州安装公司", ParticipantKind.UNIT, "electric"),
}
# round → participant → (total, veto effect or None); absent = not scored
TOTALS: dict[str, dict[str, tuple[str, VetoEffect | None]]] = {
    "1月": {
        "A": ("90", None),
        "B": ("88", None),
        "C": ("95", None),
        "D": ("70", None),
        "W": ("99", None),
        "E": ("80", None),
        "F": ("85", None),
    },
    "2月": {
        "A": ("85", None),
        "B": ("92", None),
        "C": ("93", VetoEffect.ROUND),
        "D": ("75", None),
        "W": ("99", None),
        "E": ("80", None),
    },
    "3月": {
        "A": ("95", None),
        "B": ("90", None),
        "C": ("80", None),
        "D": ("88", VetoEffect.COMPETITION),
        "E": ("80", None),
        "F": ("82", None),
    },
    "4月": {
        "A": ("50", None),
        "B": ("99", None),
        "D": ("60", None),
        "E": ("70", None),
        "F": ("90", None),
    },
}
RANKS: dict[str, dict[str, int]] = {
    "1月": {"C": 1, "A": 2, "B": 3, "D": 4, "F": 1, "E": 2},
    "2月": {"B": 1, "A": 2, "D": 3, "E": 1},
    "3月": {"A": 1, "B": 2, "C": 3, "F": 1, "E": 2},
    "4月": {"B": 1, "A": 2, "D": 3, "F": 1, "E": 2},
}
FLAGS = {"1月": ("C", "F"), "2月": ("B", "E"), "3月": ("A", "F"), "4月": ("B", "E")}
# A's points per item in 3月: 工程质量 38 + 19, 安全生产 30 − 2, 技术创新 +10 → 95
ITEMS_A_MARCH = {"Q1": 38.0, "Q2": 19.0, "S1": 28.0, "B1": 10.0, "V1": 0.0, "M1": 0.0}
ITEMS_A_JANUARY = {"Q1": 36.0, "Q2": 18.0, "S1": 30.0, "B1": 6.0, "V1": 0.0, "M1": 0.0}

# personal numbers of members (valid 身份证号 with check digits, made by the test)
PHONES = ("13912345678", "13887654321")


def build_competition(
    db: Any,
    make_org: Callable[..., Any],
    make_person: Callable[..., Any],
    id_numbers: tuple[str, str],
    *,
    name: str = "江州地铁二号线劳动竞赛",
) -> SimpleNamespace:
    host = make_org(name=f"{name}主办工会", kind=OrgKind.CITY)
    competition = Competition(
        name=name,
        kind=CompetitionKind.PROJECT,
        organization=host,
        year=2026,
        level=HonorLevel.CITY,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        status=CompetitionStatus.RUNNING,
        is_public=True,
        description="六比一创，每月考评。",
        aggregation="mean",
        trim=0,
        cumulation="sum",
        tie_break=["latest_round"],
        flag_count=1,
        grades=[],
        title_rules=[],
    )
    db.session.add(competition)
    db.session.flush()
    tracks = {
        "civil": Track(competition_id=competition.id, name="土建", position=0),
        "electric": Track(competition_id=competition.id, name="机电", position=1),
    }
    db.session.add_all(tracks.values())
    sheet = Component(
        competition_id=competition.id,
        key="indicators",
        name="考核指标",
        weight=Decimal(100),
        max_score=Decimal(90),
        position=0,
    )
    db.session.add(sheet)
    db.session.flush()
    criteria = [
        (
            "工程质量",
            [
                ("Q1", "质量验收", AspectKind.MEASUREMENT, 40),
                ("Q2", "质量管理", AspectKind.MEASUREMENT, 20),
            ],
        ),
        (
            "安全生产",
            [
                ("S1", "安全检查扣分", AspectKind.DEDUCTION, 30),
                ("V1", "较大安全事故", AspectKind.VETO, 0),
            ],
        ),
        ("技术创新", [("B1", "创新成果", AspectKind.BONUS, 10)]),
        ("必备条件", [("M1", "农民工工资专户", AspectKind.MANDATORY, 0)]),
    ]
    for position, (title, items) in enumerate(criteria):
        criterion = RubricCriterion(component_id=sheet.id, name=title, position=position)
        db.session.add(criterion)
        db.session.flush()
        for index, (key, label, kind, points) in enumerate(items):
            db.session.add(
                Aspect(
                    criterion_id=criterion.id,
                    competition_id=competition.id,
                    key=key,
                    name=label,
                    kind=kind,
                    max_points=Decimal(points),
                    position=index,
                    veto_effect=VetoEffect.ROUND if kind is AspectKind.VETO else None,
                )
            )
    people: dict[str, Participant] = {}
    for label, (title, kind, track) in NAMES.items():
        org = make_org(name=f"{title}工会", kind=OrgKind.GRASSROOTS, parent=host)
        participant = Participant(
            competition_id=competition.id,
            track_id=tracks[track].id,
            kind=kind,
            name=title,
            organization_id=org.id,
            registered_on=date(2026, 1, 5),
            withdrawn_at=datetime(2026, 4, 1, tzinfo=UTC) if label == "W" else None,
        )
        db.session.add(participant)
        db.session.flush()
        people[label] = participant
    people["D"].parent_id = people["C"].id
    for label, id_number, phone, worker in (
        ("A", id_numbers[0], PHONES[0], "王建国"),
        ("B", id_numbers[1], PHONES[1], "李秀英"),
    ):
        person = make_person(
            worker, organization=people[label].organization, id_number=id_number, phone=phone
        )
        db.session.add(
            ParticipantMember(
                participant_id=people[label].id,
                person_id=person.id,
                post="项目经理",
                on_site_since=date(2024, 3, 1),
            )
        )
    rounds: dict[str, Round] = {}
    specs = [
        ("1月", 1, True, RoundStatus.PUBLISHED),
        ("2月", 1, True, RoundStatus.PUBLISHED),
        ("3月", 2, True, RoundStatus.PUBLISHED),
        ("4月", 1, False, RoundStatus.PUBLISHED),
        ("5月", 1, True, RoundStatus.SCORING),
    ]
    for position, (title, weight, public, status) in enumerate(specs):
        month = position + 1
        round_ = Round(
            competition_id=competition.id,
            name=title,
            position=position,
            starts_on=date(2026, month, 1),
            ends_on=date(2026, month, 28),
            weight=Decimal(weight),
            status=status,
            is_public=public,
            published_at=datetime(2026, month + 1, 3, tzinfo=UTC)
            if status is RoundStatus.PUBLISHED
            else None,
        )
        db.session.add(round_)
        db.session.flush()
        rounds[title] = round_
    for title, totals in TOTALS.items():
        write_results(db, rounds[title], people, totals, RANKS.get(title, {}))
        for label in FLAGS[title]:
            db.session.add(
                RoundFlag(
                    round_id=rounds[title].id,
                    track_id=people[label].track_id,
                    participant_id=people[label].id,
                )
            )
    set_items(db, rounds["3月"], people["A"], ITEMS_A_MARCH)
    set_items(db, rounds["1月"], people["A"], ITEMS_A_JANUARY)
    db.session.commit()
    return SimpleNamespace(
        competition=competition,
        tracks=tracks,
        people=people,
        rounds=rounds,
        host=host,
        sheet=sheet,
    )


def write_results(
    db: Any,
    round_: Round,
    people: dict[str, Participant],
    totals: dict[str, tuple[str, VetoEffect | None]],
    ranks: dict[str, int],
) -> None:
    """One RoundResult per scored participant, as confirming the round stores it."""
    for label, (total, effect) in totals.items():
        db.session.add(
            RoundResult(
                round_id=round_.id,
                participant_id=people[label].id,
                self_total=Decimal(total),
                base=Decimal(total),
                bonus=Decimal(0),
                total=Decimal(total),
                vetoed=effect is not None,
                veto_effect=effect,
                vetoed_by="V1" if effect is not None else "",
                missing_mandatory="",
                rank=ranks.get(label),
                assessors=3,
                items={},
            )
        )
    db.session.flush()


def set_items(db: Any, round_: Round, participant: Participant, items: dict[str, float]) -> None:
    result = (
        db.session.query(RoundResult)
        .filter_by(round_id=round_.id, participant_id=participant.id)
        .one()
    )
    result.items = dict(items)
    result.base = Decimal(str(sum(v for k, v in items.items() if k != "B1")))
    result.bonus = Decimal(str(items.get("B1", 0)))
    db.session.flush()
