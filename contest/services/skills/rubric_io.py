"""An event's rubric as an .xlsx sheet: export, a pre-filled template, and an all-or-nothing import.

One row per aspect (模块, 评分项, 编号, 评分要素, 类型, 分值, 评价等级, 步长, 描述). The import
reads and checks every row first and reports every problem by row and column
(:class:`RubricImportRefused`) before anything is written; a clean file replaces each listed
component's rubric through ``rubrics.replace_component_rubric``, so the builder's own rules
(editable status, keys, totals) apply to a file exactly as to the form. The workbook is read
and written by ``core.spreadsheets``, with the bounds every uploaded sheet has and the
formula-like text of a name neutralised on the way out and restored on the way in.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from contest.extensions import db
from contest.models import User
from contest.models.contest import SKILLS_ASPECT_KINDS, AspectKind, Component, Event
from contest.services.assessment.items import (
    KIND_CANONICAL,
    KIND_NAMES,
    AspectData,
    CriterionPlan,
    RubricError,
    aspect_problems,
    clean_aspect,
    component_data,
    format_points,
    join_descriptors,
    kinds_text,
    parse_decimal,
    split_descriptors,
)
from contest.services.core.spreadsheets import (
    SheetRefused,
    SheetSpec,
    read_sheet,
    row_cells,
    write_workbook,
)
from contest.services.skills.rubrics import ensure_editable, replace_component_rubric

COL_COMPONENT, COL_CRITERION, COL_KEY, COL_NAME = "模块", "评分项", "评分要素编号", "评分要素"


COL_KIND, COL_POINTS, COL_SCALE, COL_STEP = "类型（测量/评价/扣分）", "分值", "评价等级", "步长"


COL_TEXT = "评价描述/评分标准"


HEADERS = (
    COL_COMPONENT,
    COL_CRITERION,
    COL_KEY,
    COL_NAME,
    COL_KIND,
    COL_POINTS,
    COL_SCALE,
    COL_STEP,
    COL_TEXT,
)


SHEET_TITLE = "评分细则"


@dataclass(frozen=True)
class RowProblem:
    row: int  # as Excel shows it (header is row 1)
    column: str | None
    message: str

    def describe(self) -> str:
        if self.row <= 0:
            return self.message
        if self.column:
            return _(
                "第 %(row)s 行「%(column)s」：%(message)s",
                row=self.row,
                column=self.column,
                message=self.message,
            )
        return _("第 %(row)s 行：%(message)s", row=self.row, message=self.message)


class RubricImportRefused(ValueError):
    """The file was refused as a whole; ``problems`` lists every row's problems."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(_("评分细则未导入，共 %(n)s 处问题", n=len(problems)))
        self.problems = problems


def _workbook_bytes(rows: Iterable[Sequence[Any]], notes: list[str]) -> bytes:
    widths = (8, 18, 12, 28, 18, 8, 10, 8, 48)
    buffer = io.BytesIO()
    write_workbook(
        [
            SheetSpec(
                SHEET_TITLE,
                rows,
                headers=HEADERS,
                widths=widths,
                freeze_header=True,
                wrap={len(HEADERS) - 1},
            ),
            SheetSpec("说明", [[line] for line in notes], widths=(100,)),
        ],
        buffer,
    )
    return buffer.getvalue()


def _notes(event: Event | None) -> list[str]:
    notes = [
        _("每行一个评分要素；同一模块、同一评分项的连续行归为一个评分项。"),
        _(
            "模块：填写模块名称或编号（如 理论/theory、实操/practical、答辩/oral），"
            "须是本赛项已设置的模块。"
        ),
        _(
            "类型：测量、评价 或 扣分。评价类须填「评价等级」（如 3，即 0–3 级），"
            "并在最后一列每行写一个等级的描述（如 0：不合格）。"
        ),
        _("测量与扣分类须填「步长」（如 0.5），最后一列写评分标准；分值须是步长的整数倍。"),
        _("每个模块各评分要素分值合计须等于模块满分（100 分）。"),
        _("导入时文件中出现的模块的评分细则整体替换；有任何错误则全部不导入。"),
    ]
    if event is not None:
        names = "、".join(f"{c.name}（{c.key}）" for c in event.components)
        notes.append(_("本赛项的模块：%(names)s", names=names or "-"))
    return notes


def export_xlsx(event: Event) -> bytes:
    """The event's rubric as a workbook with the Chinese headers import reads back."""
    rows = []
    for component in event.components:
        for criterion in component.criteria:
            for aspect in criterion.aspects:
                judgement = aspect.kind is AspectKind.JUDGEMENT
                rows.append(
                    [
                        component.name,
                        criterion.name,
                        aspect.key,
                        aspect.name,
                        KIND_CANONICAL[aspect.kind],
                        float(aspect.max_points),
                        aspect.scale if judgement else None,
                        None if judgement else float(aspect.step),
                        join_descriptors(aspect.descriptors or [])
                        if judgement
                        else (aspect.standard or ""),
                    ]
                )
    return _workbook_bytes(rows, _notes(event))


def template_xlsx(event: Event | None = None) -> bytes:
    """An example workbook to fill in (two example rows show each kind)."""
    rows = [
        ["实操", "零件加工", "P1", "外圆尺寸 Φ40±0.02", "测量", 40, None, 0.5, "超差 0.01 扣 2 分"],
        [
            "实操",
            "零件加工",
            "P2",
            "表面质量",
            "评价",
            30,
            3,
            None,
            "0：不合格\n1：基本符合\n2：良好\n3：优秀",
        ],
        ["实操", "安全文明生产", "P3", "违规操作", "扣分", 30, None, 1, "每次违规扣 5 分"],
    ]
    return _workbook_bytes(rows, _notes(event))


def read_rubric_xlsx(event: Event, data: bytes) -> dict[Component, list[CriterionPlan]]:
    """Parse and fully validate a rubric workbook; raises RubricImportRefused with every problem."""
    try:
        sheet = read_sheet(data, "rubric.xlsx", id_columns=(), sheet_name=SHEET_TITLE)
    except SheetRefused as refused:
        raise RubricImportRefused(
            [RowProblem(e.row, e.column or None, e.message) for e in refused.errors]
        ) from None
    if not sheet.headers:
        raise RubricImportRefused([RowProblem(0, None, _("文件是空的"))])
    problems = [
        RowProblem(1, None, _("缺少列「%(column)s」", column=name))
        for name in HEADERS
        if name not in sheet.headers
    ]
    if problems:
        raise RubricImportRefused(problems)

    by_name: dict[str, Component] = {}
    for component in event.components:
        by_name[component.name] = component
        by_name[component.key] = component
        by_name[component.key.lower()] = component

    plans: dict[Component, list[CriterionPlan]] = {}
    last: dict[Component, CriterionPlan] = {}
    keys: dict[str, int] = {}
    for number, cells in row_cells(sheet):
        values = {name: cells.get(name, "") for name in HEADERS}
        if not any(values.values()):
            continue

        def bad(column: str | None, message: str, number: int = number) -> None:
            problems.append(RowProblem(number, column, message))

        component = by_name.get(values[COL_COMPONENT]) or by_name.get(values[COL_COMPONENT].lower())
        if component is None:
            bad(
                COL_COMPONENT,
                _("模块「%(name)s」不是本赛项的模块", name=values[COL_COMPONENT] or "（空）"),
            )
            continue
        criterion_name = values[COL_CRITERION]
        if not criterion_name:
            bad(COL_CRITERION, _("请填写评分项"))
            continue
        kind_text = values[COL_KIND]
        kind = KIND_NAMES.get(kind_text) or KIND_NAMES.get(kind_text.lower())
        if kind not in SKILLS_ASPECT_KINDS:
            bad(COL_KIND, _("类型应为 %(kinds)s", kinds=kinds_text(SKILLS_ASPECT_KINDS)))
            continue
        try:
            points = parse_decimal(values[COL_POINTS], "max_points", _("分值"))
        except RubricError as exc:
            bad(COL_POINTS, exc.message)
            continue
        scale: int | None = None
        step = Decimal(1)
        if kind is AspectKind.JUDGEMENT:
            try:
                scale = int(values[COL_SCALE]) if values[COL_SCALE] else None
            except ValueError:
                bad(COL_SCALE, _("评价等级必须是整数"))
                continue
        else:
            try:
                step = parse_decimal(values[COL_STEP] or "0.5", "step", _("步长"))
            except RubricError as exc:
                bad(COL_STEP, exc.message)
                continue
        text = values[COL_TEXT]
        aspect = clean_aspect(
            AspectData(
                key=values[COL_KEY],
                name=values[COL_NAME],
                kind=kind,
                max_points=points,
                scale=scale,
                step=step,
                descriptors=split_descriptors(text) if kind is AspectKind.JUDGEMENT else [],
                standard=None if kind is AspectKind.JUDGEMENT else text,
            )
        )
        columns = {
            "key": COL_KEY,
            "name": COL_NAME,
            "max_points": COL_POINTS,
            "scale": COL_SCALE,
            "step": COL_STEP,
            "descriptors": COL_TEXT,
        }
        field_problems = aspect_problems(aspect)
        for field_name, message in field_problems.items():
            bad(columns.get(field_name), message)
        if "key" not in field_problems:
            if aspect.key in keys:
                bad(
                    COL_KEY,
                    _("编号 %(key)s 与第 %(row)s 行重复", key=aspect.key, row=keys[aspect.key]),
                )
            keys.setdefault(aspect.key, number)
        if field_problems:
            continue
        current = last.get(component)
        if current is None or current.name != criterion_name:
            current = CriterionPlan(criterion_name, [])
            plans.setdefault(component, []).append(current)
            last[component] = current
        current.aspects.append(aspect)

    if not problems and not plans:
        problems.append(RowProblem(0, None, _("文件中没有评分要素")))
    # Keys of components the file leaves alone must not clash with the imported ones.
    untouched = {
        a.key: c.name
        for c in event.components
        if c not in plans
        for cr in c.criteria
        for a in cr.aspects
    }
    for key, row in keys.items():
        if key in untouched:
            problems.append(
                RowProblem(
                    row,
                    COL_KEY,
                    _("编号 %(key)s 已被「%(name)s」模块使用", key=key, name=untouched[key]),
                )
            )
    for component, component_plans in plans.items():
        total = sum((a.max_points for p in component_plans for a in p.aspects), Decimal(0))
        if total != Decimal(component.max_score):
            problems.append(
                RowProblem(
                    0,
                    None,
                    _(
                        "「%(name)s」模块各评分要素分值合计 %(total)s 分，"
                        "应等于模块满分 %(max)s 分",
                        name=component.name,
                        total=format_points(total),
                        max=format_points(component.max_score),
                    ),
                )
            )
    if problems:
        raise RubricImportRefused(problems)
    return plans


def import_xlsx(actor: User, event: Event, data: bytes) -> int:
    """Replace the rubric of every component named in the workbook; all or nothing.

    Returns the number of aspects imported.  Raises :class:`RubricImportRefused` (nothing
    written) or :class:`RubricError` when the rubric is locked.
    """
    ensure_editable(event)
    plans = read_rubric_xlsx(event, data)
    count = 0
    before = {component.id: component_data(component) for component in plans}
    for component in plans:
        # Clear first so keys may move between the imported components.
        for criterion in list(component.criteria):
            component.criteria.remove(criterion)
            db.session.delete(criterion)
    db.session.flush()
    for component, component_plans in plans.items():
        replace_component_rubric(
            actor, component, component_plans, action="rubric.import", before=before[component.id]
        )
        count += sum(len(p.aspects) for p in component_plans)
    return count
