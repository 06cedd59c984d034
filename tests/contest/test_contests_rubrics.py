"""Rubric builder: validation, totals, templates, locking, .xlsx round trip and import errors."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from contest.models import AspectKind, AuditEntry, ContestStatus, OrgKind, RubricTemplate
from contest.services.skills import rubric_io, rubric_templates, rubrics
from contest.services.skills.contests import ComponentRow, save_components
from contest.services.skills.rubric_io import RubricImportRefused
from contest.services.skills.rubrics import (
    AspectData,
    RubricError,
    component_problems,
    rubric_problems,
)


def _aspect(**fields: Any) -> AspectData:
    values: dict[str, Any] = {
        "key": "P9",
        "name": "倒角",
        "kind": AspectKind.MEASUREMENT,
        "max_points": Decimal(5),
        "step": Decimal("0.5"),
    }
    values.update(fields)
    return AspectData(**values)


def test_make_contest_rubric_is_valid(db: Any, make_contest: Any) -> None:
    made = make_contest(status=ContestStatus.DRAFT)
    assert rubric_problems(made.event) == []


@pytest.mark.parametrize(
    ("fields", "field", "needle"),
    [
        ({"key": ""}, "key", "编号"),
        ({"key": "P 9"}, "key", "字母、数字"),
        ({"key": "P1"}, "key", "已被使用"),
        ({"name": " "}, "name", "名称"),
        ({"max_points": Decimal(0)}, "max_points", "大于 0"),
        ({"step": Decimal(0)}, "step", "步长必须大于 0"),
        ({"max_points": Decimal(5), "step": Decimal(2)}, "step", "整数倍"),
        ({"kind": AspectKind.JUDGEMENT, "scale": None}, "scale", "最高等级"),
        (
            {"kind": AspectKind.JUDGEMENT, "scale": 3, "descriptors": ["差", "中", "好"]},
            "descriptors",
            "0–3",
        ),
    ],
)
def test_aspect_validation(
    db: Any, make_contest: Any, fields: dict[str, Any], field: str, needle: str
) -> None:
    made = make_contest(status=ContestStatus.DRAFT)
    criterion = made.components["practical"].criteria[0]
    with pytest.raises(RubricError) as info:
        rubrics.add_aspect(made.organizer, criterion, _aspect(**fields))
    assert info.value.field == field
    assert needle in info.value.problems[field]


def test_builder_add_edit_delete_and_totals(db: Any, make_contest: Any) -> None:
    made = make_contest(status=ContestStatus.DRAFT)
    practical = made.components["practical"]
    criterion = rubrics.add_criterion(made.organizer, practical, "外观")
    aspect = rubrics.add_aspect(
        made.organizer,
        criterion,
        _aspect(
            key="P4",
            kind=AspectKind.JUDGEMENT,
            scale=2,
            descriptors=["差", "中", "好"],
            max_points=Decimal(10),
        ),
    )
    assert aspect.step == 1 and aspect.scale == 2 and aspect.event_id == made.event.id
    assert component_problems(practical) == [
        "「实操」模块各评分要素分值合计 110 分，应等于模块满分 100 分"
    ]
    rubrics.update_aspect(
        made.organizer, made.aspects["P1"], rubrics.aspect_data(made.aspects["P1"])
    )
    data = rubrics.aspect_data(made.aspects["P1"])
    data.max_points = Decimal(30)
    rubrics.update_aspect(made.organizer, made.aspects["P1"], data)
    assert component_problems(practical) == []
    rubrics.update_criterion(made.organizer, criterion, "外观质量")
    empty = rubrics.add_criterion(made.organizer, practical, "空评分项")
    assert any("下没有评分要素" in p for p in component_problems(practical))
    rubrics.delete_criterion(made.organizer, empty)
    rubrics.delete_aspect(made.organizer, aspect)
    assert "「实操」模块各评分要素分值合计 90 分，应等于模块满分 100 分" in (
        component_problems(practical)
    )
    with pytest.raises(RubricError, match="评分项名称"):
        rubrics.add_criterion(made.organizer, practical, "")
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {
        "rubric.criterion.create",
        "rubric.aspect.create",
        "rubric.aspect.update",
        "rubric.aspect.delete",
        "rubric.criterion.delete",
    } <= actions


@pytest.mark.parametrize("status", [ContestStatus.JUDGING, ContestStatus.PUBLISHED])
def test_rubric_locked_after_registration(
    db: Any, make_contest: Any, status: ContestStatus
) -> None:
    made = make_contest(status=status)
    practical = made.components["practical"]
    with pytest.raises(RubricError, match="评分可能已经开始，评分细则已锁定"):
        rubrics.add_criterion(made.organizer, practical, "新评分项")
    with pytest.raises(RubricError, match="已锁定"):
        rubrics.delete_aspect(made.organizer, made.aspects["P1"])
    with pytest.raises(RubricError, match="已锁定"):
        rubric_templates.apply_template(made.organizer, practical, "builtin:cn100")
    with pytest.raises(RubricError, match="已锁定"):
        rubric_io.import_xlsx(made.organizer, made.event, rubric_io.export_xlsx(made.event))


@pytest.mark.parametrize("ref", ["builtin:worldskills", "builtin:cn100"])
def test_builtin_templates_apply_and_total_100(db: Any, make_contest: Any, ref: str) -> None:
    made = make_contest(status=ContestStatus.DRAFT)
    practical = made.components["practical"]
    rubric_templates.apply_template(made.organizer, practical, ref)
    db.session.expire_all()
    assert component_problems(practical) == []
    kinds = {a.kind for c in practical.criteria for a in c.aspects}
    assert AspectKind.JUDGEMENT in kinds
    if ref == "builtin:cn100":
        assert AspectKind.DEDUCTION in kinds
    assert rubrics.scoring_rubric(made.event).criteria


def test_template_applied_twice_gets_prefixed_keys(db: Any, make_contest: Any) -> None:
    made = make_contest(status=ContestStatus.DRAFT)
    save_components(
        made.organizer,
        made.event,
        [
            ComponentRow("theory", Decimal(20)),
            ComponentRow("practical", Decimal(60)),
            ComponentRow("oral", Decimal(20)),
        ],
    )
    oral = made.event.components[2]
    rubric_templates.apply_template(made.organizer, made.components["practical"], "builtin:cn100")
    rubric_templates.apply_template(made.organizer, oral, "builtin:cn100")
    db.session.expire_all()
    keys = [a.key for c in oral.criteria for a in c.aspects]
    assert keys[0] == "O1"
    assert rubric_problems(made.event) == []


def test_save_as_template_offered_to_lower_unions(
    db: Any, make_contest: Any, make_org: Any
) -> None:
    made = make_contest(status=ContestStatus.DRAFT)
    practical = made.components["practical"]
    template = rubric_templates.save_as_template(made.organizer, practical, "数控车工实操细则")
    assert template.organization_id == made.host.id
    child = make_org(name="江州区总工会", kind=OrgKind.DISTRICT, parent=made.host)
    other = make_contest(status=ContestStatus.DRAFT, host=child)
    refs = [c.ref for c in rubric_templates.choices(other.contest)]
    assert f"saved:{template.id}" in refs
    stranger = make_contest(status=ContestStatus.DRAFT)
    assert f"saved:{template.id}" not in [c.ref for c in rubric_templates.choices(stranger.contest)]
    rubric_templates.apply_template(
        other.organizer, other.components["practical"], f"saved:{template.id}"
    )
    db.session.expire_all()
    assert [a.key for c in other.components["practical"].criteria for a in c.aspects] == [
        "P1",
        "P2",
        "P3",
    ]
    with pytest.raises(RubricError, match="模板名称"):
        rubric_templates.save_as_template(made.organizer, practical, " ")
    with pytest.raises(RubricError, match="找不到"):
        rubric_templates.apply_template(made.organizer, practical, "saved:999999")
    rubric_templates.delete_template(made.organizer, template)
    assert db.session.scalar(select(RubricTemplate)) is None


def test_xlsx_round_trip(db: Any, make_contest: Any) -> None:
    made = make_contest(status=ContestStatus.DRAFT)
    before = {c.key: rubrics.component_data(c) for c in made.event.components}
    data = rubric_io.export_xlsx(made.event)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]] == list(rubric_io.HEADERS)
    assert rubric_io.import_xlsx(made.organizer, made.event, data) == 4
    db.session.expire_all()
    assert {c.key: rubrics.component_data(c) for c in made.event.components} == before
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "rubric.import"))


def test_template_xlsx_imports(db: Any, make_contest: Any) -> None:
    made = make_contest(status=ContestStatus.DRAFT)
    rubric_io.import_xlsx(made.organizer, made.event, rubric_io.template_xlsx(made.event))
    db.session.expire_all()
    practical = made.components["practical"]
    assert [cr.name for cr in practical.criteria] == ["零件加工", "安全文明生产"]
    assert practical.criteria[0].aspects[1].descriptors == ["不合格", "基本符合", "良好", "优秀"]


def _book(rows: list[list[Any]], headers: tuple[str, ...] = rubric_io.HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_import_errors_all_or_nothing(db: Any, make_contest: Any) -> None:
    made = make_contest(status=ContestStatus.DRAFT)
    before = rubrics.component_data(made.components["practical"])
    data = _book(
        [
            ["实操", "零件加工", "P1", "尺寸", "测量", 60, None, 0.5, ""],
            ["答辩", "表达", "D1", "表达", "测量", 10, None, 1, ""],
            ["实操", "零件加工", "P1", "尺寸二", "测量", 10, None, 1, ""],
            ["实操", "零件加工", "P5", "外观", "打分", 10, None, 1, ""],
            ["实操", "零件加工", "P6", "外观", "评价", 10, 3, None, "0: 差\n1: 中"],
            ["实操", "零件加工", "P7", "粗糙度", "测量", "十", None, 1, ""],
            ["实操", "零件加工", "T1", "重复理论", "扣分", 5, None, 1, ""],
        ]
    )
    with pytest.raises(RubricImportRefused) as info:
        rubric_io.import_xlsx(made.organizer, made.event, data)
    lines = [p.describe() for p in info.value.problems]
    assert "第 3 行「模块」：模块「答辩」不是本赛项的模块" in lines
    assert any(
        line.startswith("第 4 行「评分要素编号」") and "第 2 行重复" in line for line in lines
    )
    assert "第 5 行「类型（测量/评价/扣分）」：类型应为 测量、评价 或 扣分" in lines
    assert any(line.startswith("第 6 行「评价描述/评分标准」") for line in lines)
    assert "第 7 行「分值」：分值必须是数字" in lines
    assert any(line.startswith("第 8 行") and "「理论」模块使用" in line for line in lines)
    assert any("合计" in line for line in lines)
    db.session.expire_all()
    assert rubrics.component_data(made.components["practical"]) == before


def test_xlsx_import_bad_files(db: Any, make_contest: Any) -> None:
    made = make_contest(status=ContestStatus.DRAFT)
    with pytest.raises(RubricImportRefused) as info:
        rubric_io.import_xlsx(made.organizer, made.event, b"not a workbook")
    assert ".xlsx" in info.value.problems[0].message
    with pytest.raises(RubricImportRefused) as info:
        rubric_io.import_xlsx(made.organizer, made.event, _book([], headers=("模块", "评分项")))
    assert "缺少列「评分要素编号」" in [p.message for p in info.value.problems]
    with pytest.raises(RubricImportRefused) as info:
        rubric_io.import_xlsx(made.organizer, made.event, _book([]))
    assert "没有评分要素" in info.value.problems[0].message


def test_template_of_a_higher_union_is_not_deleted_from_below(
    db: Any, make_contest: Any, make_org: Any
) -> None:
    made = make_contest(status=ContestStatus.DRAFT)
    template = rubric_templates.save_as_template(
        made.organizer, made.components["practical"], "数控车工实操细则"
    )
    child = make_org(name="江州区总工会", kind=OrgKind.DISTRICT, parent=made.host)
    below = make_contest(status=ContestStatus.DRAFT, host=child)
    assert not rubric_templates.can_delete(below.organizer, template)
    with pytest.raises(RubricError, match="只能删除"):
        rubric_templates.delete_template(below.organizer, template)
    assert db.session.get(RubricTemplate, template.id) is not None
