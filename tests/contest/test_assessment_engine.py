"""The one rubric and score-sheet engine: the labor item kinds, their marks and points, and the
skills contest refusing them (its rubric keeps its three kinds and its behaviour)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import inspect

from contest.models import Aspect, AspectKind, ContestStatus, VetoEffect
from contest.services.assessment import items, sheets
from contest.services.skills import rubrics


def _item(kind: AspectKind, **fields: Any) -> items.AspectData:
    values: dict[str, Any] = {"key": "X1", "name": "入会率", "kind": kind, "max_points": Decimal(5)}
    values.update(fields)
    return items.clean_aspect(items.AspectData(**values))


def test_rate_item_needs_its_figures(app: Any) -> None:
    with app.test_request_context():
        problems = items.aspect_problems(_item(AspectKind.RATE))
        assert set(problems) == {"threshold", "per_step", "step_deduction"}
        ok = _item(
            AspectKind.RATE,
            threshold=Decimal(95),
            per_step=Decimal(2),
            step_deduction=Decimal("0.5"),
            source="membership_rate",
        )
        assert items.aspect_problems(ok) == {}
        too_much = _item(
            AspectKind.RATE, threshold=Decimal(95), per_step=Decimal(2), step_deduction=Decimal(6)
        )
        assert "step_deduction" in items.aspect_problems(too_much)
        bad_source = _item(
            AspectKind.RATE,
            threshold=Decimal(95),
            per_step=Decimal(2),
            step_deduction=Decimal(1),
            source="guess",
        )
        assert "source" in items.aspect_problems(bad_source)


def test_flags_are_worth_nothing_and_veto_needs_an_effect(app: Any) -> None:
    with app.test_request_context():
        veto = _item(AspectKind.VETO, name="发生较大及以上生产安全事故")
        assert veto.max_points == 0
        assert items.aspect_problems(veto) == {
            "veto_effect": "一票否决项需要说明否决范围：本轮或全程"
        }
        veto.veto_effect = VetoEffect.COMPETITION
        assert items.aspect_problems(veto) == {}
        mandatory = _item(AspectKind.MANDATORY, veto_effect=VetoEffect.ROUND)
        assert mandatory.veto_effect is None  # cleaned away: only a veto has an effect
        assert items.aspect_problems(mandatory) == {}


def test_template_data_round_trips_every_kind(app: Any) -> None:
    data = {
        "criteria": [
            {
                "name": "安全",
                "aspects": [
                    {"key": "S1", "name": "安全管理", "kind": "measurement", "max_points": "10"},
                    {"key": "S2", "name": "重大事故", "kind": "一票否决", "veto_effect": "全程"},
                    {"key": "S3", "name": "职代会", "kind": "必备项"},
                    {"key": "S4", "name": "创新", "kind": "加分", "max_points": "3", "step": "1"},
                    {
                        "key": "S5",
                        "name": "入会率",
                        "kind": "rate",
                        "max_points": "5",
                        "threshold": "95",
                        "per_step": "2",
                        "step_deduction": "0.5",
                        "source": "membership_rate",
                    },
                ],
            }
        ]
    }
    with app.test_request_context():
        plans = items.plan_from_data(data)
    kinds = [a.kind for a in plans[0].aspects]
    assert kinds == [
        AspectKind.MEASUREMENT,
        AspectKind.VETO,
        AspectKind.MANDATORY,
        AspectKind.BONUS,
        AspectKind.RATE,
    ]
    assert plans[0].aspects[1].veto_effect is VetoEffect.COMPETITION
    again = [a.as_dict() for a in plans[0].aspects]
    assert again[4]["threshold"] == "95" and again[4]["source"] == "membership_rate"
    assert "threshold" not in again[0]  # a skills-shaped item keeps its old shape


def test_skills_rubric_refuses_the_labor_kinds(app: Any, db: Any, make_contest: Any) -> None:
    made = make_contest(status=ContestStatus.DRAFT)
    criterion = made.event.components[0].criteria[0]
    bonus = _item(AspectKind.BONUS, key="B1", name="加分", step=Decimal(1))
    with pytest.raises(rubrics.RubricError) as refused:
        rubrics.add_aspect(made.organizer, criterion, bonus)
    assert refused.value.field == "kind"
    assert refused.value.message == "类型应为 测量、评价 或 扣分"
    data = {
        "criteria": [{"name": "安全", "aspects": [{"key": "V", "name": "否决", "kind": "veto"}]}]
    }
    with pytest.raises(rubrics.RubricError):
        items.plan_from_data(data, (AspectKind.MEASUREMENT, AspectKind.JUDGEMENT))


def _aspect(kind: AspectKind, **fields: Any) -> Aspect:
    return Aspect(key="X1", name="x", kind=kind, max_points=Decimal(5), step=Decimal(1), **fields)


@pytest.mark.parametrize(
    ("raw", "points"),
    [
        ("95", "5.00"),
        ("100", "5.00"),
        ("94.99", "4.50"),
        ("93", "4.50"),
        ("92.99", "4.00"),
        ("0", "0.00"),
    ],
)
def test_rate_marks_are_worth_what_scoring_says(app: Any, raw: str, points: str) -> None:
    aspect = _aspect(
        AspectKind.RATE,
        threshold=Decimal(95),
        per_step=Decimal(2),
        step_deduction=Decimal("0.5"),
    )
    with app.test_request_context():
        value, problem = sheets.parse_value(aspect, raw)
    assert problem is None and value is not None
    assert sheets.points_of(aspect, value) == Decimal(points)


def test_flag_marks_are_yes_or_no(app: Any) -> None:
    veto = _aspect(AspectKind.VETO, veto_effect=VetoEffect.ROUND)
    with app.test_request_context():
        assert sheets.parse_value(veto, "1") == (Decimal(1), None)
        assert sheets.parse_value(veto, "2") == (None, "请选择 是 或 否")
        assert sheets.parse_value(veto, "0.5")[1] == "请选择 是 或 否"
    assert sheets.points_of(veto, Decimal(1)) == 0
    bonus = _aspect(AspectKind.BONUS)
    assert sheets.points_of(bonus, Decimal(3)) == Decimal(3)


def test_one_subject_per_sheet_is_kept_by_the_database(db: Any) -> None:
    """The schema itself says a sheet is about an entry of an event or a participant in a
    round, never both or neither (a check constraint on both engines)."""
    checks = {c["name"] for c in inspect(db.engine).get_check_constraints("score_sheets")}
    assert "ck_score_sheets_one_subject" in checks
    owners = {c["name"] for c in inspect(db.engine).get_check_constraints("aspects")}
    assert "ck_aspects_one_owner" in owners
