"""Recusal on a labor competition's assessment team (issue 12 review, item 7; DOMAIN rule 6):
an assessor whose organisation is the participant's own, lies below it, or is its line above
it under the host stands aside — refused when marking, left out of task lists and expected
sheets, and named on the 考评组 page — while the host's people and other branches assess.

The world is the round tests' (``labor_rounds_support``): 江州市总工会 hosts, the units of
P1–P4 are grassroots unions right below it; a district union (江州市轨道交通工会) is added
between the host and a fifth participant P5.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from flask.testing import FlaskClient

from contest.models import Assessor, OrgKind, Participant, ParticipantKind
from contest.services.assessment.sheets import NotAllowed
from contest.services.labor import round_results, scoring
from contest.services.labor.recusal import recusal_reason
from tests.contest.labor_rounds_support import build_round_world, full_marks

SAME_UNIT = "考评人员与该参赛单位同属一个单位（或其下属单位），自动回避"
LINE_ABOVE = "考评人员所在单位是该参赛单位的上级工会，自动回避"


@pytest.fixture
def world(db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> SimpleNamespace:
    w = build_round_world(db, make_org, make_user)
    district = make_org(name="江州市轨道交通工会", kind=OrgKind.DISTRICT, parent=w.host)
    unit5 = make_org(name="轨道运营公司工会", kind=OrgKind.GRASSROOTS, parent=district)
    branch1 = make_org(name="中铁P1标段一工区分会", kind=OrgKind.GRASSROOTS, parent=w.units["P1"])
    p5 = Participant(
        competition_id=w.competition.id,
        track_id=w.tracks["土建"].id,
        kind=ParticipantKind.UNIT,
        name="轨道运营公司",
        organization_id=unit5.id,
        registered_on=date(2026, 3, 1),
    )
    db.session.add(p5)
    w.participants["P5"] = p5
    w.people = {
        "unit_judge": make_user("judge", username="judge_p1", organization=w.units["P1"]),
        "branch_reviewer": make_user("reviewer", username="reviewer_p1", organization=branch1),
        "district_judge": make_user("judge", username="judge_district", organization=district),
        "host_reviewer": make_user("reviewer", username="reviewer_host", organization=w.host),
    }
    for user in w.people.values():
        db.session.add(Assessor(competition_id=w.competition.id, user_id=user.id))
    db.session.commit()
    round_results.open_scoring(w.organizer, w.round)
    db.session.commit()
    return w


def _assess(db: Any, w: SimpleNamespace, who: str, label: str) -> None:
    scoring.save_assessment(
        w.people[who],
        w.round,
        w.participants[label],
        full_marks(),
        submit=True,
        expected_version=None,
    )
    db.session.commit()


def test_the_unit_rule_in_words(world: SimpleNamespace) -> None:
    p1, p5 = world.participants["P1"], world.participants["P5"]
    people = world.people
    assert recusal_reason(people["unit_judge"], p1) == SAME_UNIT
    assert recusal_reason(people["branch_reviewer"], p1) == SAME_UNIT
    assert recusal_reason(people["district_judge"], p5) == LINE_ABOVE
    assert recusal_reason(people["district_judge"], p1) is None  # another branch
    assert recusal_reason(people["unit_judge"], p5) is None
    assert recusal_reason(people["host_reviewer"], p1) is None  # the host assesses everyone
    assert recusal_reason(people["host_reviewer"], p5) is None


@pytest.mark.parametrize(
    ("who", "label", "reason"),
    [
        ("unit_judge", "P1", SAME_UNIT),
        ("branch_reviewer", "P1", SAME_UNIT),
        ("district_judge", "P5", LINE_ABOVE),
    ],
)
def test_an_assessor_of_the_participants_own_line_is_refused(
    db: Any, world: SimpleNamespace, who: str, label: str, reason: str
) -> None:
    with pytest.raises(NotAllowed) as refused:
        _assess(db, world, who, label)
    assert refused.value.message == f"您不能考评该单位：{reason}。"
    db.session.rollback()
    refusal = scoring.assess_refusal(world.people[who], world.round, world.participants[label])
    assert refusal is not None and reason in refusal.message


def test_others_assess_and_the_lists_leave_the_recused_out(db: Any, world: SimpleNamespace) -> None:
    _assess(db, world, "unit_judge", "P2")
    _assess(db, world, "district_judge", "P1")
    _assess(db, world, "host_reviewer", "P1")
    _assess(db, world, "host_reviewer", "P5")

    def tasks(who: str) -> set[str]:
        groups = scoring.assessor_tasks(world.people[who])
        return {t.participant.name for g in groups for t in g.tasks}

    assert "三号线P1标段" not in tasks("unit_judge") | tasks("branch_reviewer")
    assert "轨道运营公司" not in tasks("district_judge")
    assert {"三号线P1标段", "轨道运营公司"} <= tasks("host_reviewer")
    state = round_results.progress(world.round)
    expected = {row.participant.name: {c.assessor.user_id for c in row.cells} for row in state.rows}
    people = world.people
    assert people["unit_judge"].id not in expected["三号线P1标段"]
    assert people["branch_reviewer"].id not in expected["三号线P1标段"]
    assert people["district_judge"].id not in expected["轨道运营公司"]
    assert people["district_judge"].id in expected["三号线P1标段"]
    assert people["host_reviewer"].id in expected["轨道运营公司"]


def test_the_team_page_names_who_stands_aside_for_whom(
    client: FlaskClient, world: SimpleNamespace, login_as: Callable[..., Any]
) -> None:
    login_as(user=world.organizer)
    page = client.get(f"/labor/{world.competition.id}/assessors").get_data(as_text=True)
    assert "回避规则" in page
    assert f"回避三号线P1标段：{SAME_UNIT}" in page
    assert f"回避轨道运营公司：{LINE_ABOVE}" in page
    assert page.count(f"回避三号线P1标段：{SAME_UNIT}") == 2  # the unit's judge and reviewer
