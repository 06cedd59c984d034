"""A competition's indicator sheet as .xlsx, with the columns unions use: 考评项目, 考核内容,
分值, 评分细则 — plus 编号, 类型 and the columns of rate and veto items.

A union's own sheet usually has only the four: every line is then a points item (测量), keys
are given in order (A1, A2 … B1), and a 考评项目 cell left blank (merged cells read that way)
continues the one above. The import reads and checks every row, reports every problem by
row and column (``SheetRefused``) and only then replaces the sheet through
``indicators.replace_sheet``, so the builder's rules (lock, keys, kinds) hold for a file as
for the form.
"""

from __future__ import annotations

import io
import string
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from contest.models import AspectKind, Competition, User, VetoEffect
from contest.services.assessment.items import (
    KIND_CANONICAL,
    AspectData,
    CriterionPlan,
    RubricError,
    aspect_from_mapping,
    aspect_problems,
    check_criterion_name,
    clean_aspect,
    format_points,
)
from contest.services.core.spreadsheets import (
    RowError,
    SheetRefused,
    SheetSpec,
    header_problems,
    read_sheet,
    row_cells,
    write_workbook,
)
from contest.services.labor import indicators
from contest.services.labor.indicators import LABOR_KINDS

COL_CRITERION, COL_KEY, COL_NAME, COL_KIND = "考评项目", "编号", "考核内容", "类型"
COL_POINTS, COL_STANDARD = "分值", "评分细则"
COL_THRESHOLD, COL_PER_STEP, COL_DEDUCTION = "达标值（%）", "扣分步长（%）", "每步扣分"
COL_EFFECT, COL_SOURCE = "否决范围", "数据来源"
HEADERS = (
    COL_CRITERION,
    COL_KEY,
    COL_NAME,
    COL_KIND,
    COL_POINTS,
    COL_STANDARD,
    COL_THRESHOLD,
    COL_PER_STEP,
    COL_DEDUCTION,
    COL_EFFECT,
    COL_SOURCE,
)
REQUIRED = (COL_CRITERION, COL_NAME, COL_POINTS)
ALIASES = {
    "考核项目": COL_CRITERION,
    "评分项目": COL_CRITERION,
    "项目": COL_CRITERION,
    "考核指标": COL_NAME,
    "考评内容": COL_NAME,
    "标准分": COL_POINTS,
    "分数": COL_POINTS,
    "考核标准": COL_STANDARD,
    "评分标准": COL_STANDARD,
    "扣分标准": COL_STANDARD,
    "达标值": COL_THRESHOLD,
    "扣分步长": COL_PER_STEP,
}
FIELD_COLUMNS = {
    "key": COL_KEY,
    "name": COL_NAME,
    "kind": COL_KIND,
    "max_points": COL_POINTS,
    "step": COL_POINTS,
    "standard": COL_STANDARD,
    "threshold": COL_THRESHOLD,
    "per_step": COL_PER_STEP,
    "step_deduction": COL_DEDUCTION,
    "veto_effect": COL_EFFECT,
    "source": COL_SOURCE,
}
SOURCE_NAMES = {
    "入会率": "membership_rate",
    "membership_rate": "membership_rate",
    "会员评家满意率": "satisfaction",
    "满意率": "satisfaction",
    "会员评家": "satisfaction",
    "satisfaction": "satisfaction",
}
SOURCE_LABELS = {"membership_rate": "入会率", "satisfaction": "会员评家满意率"}
EFFECT_LABELS = {VetoEffect.ROUND: "本轮", VetoEffect.COMPETITION: "全程"}
SHEET_TITLE = "考核指标"


def _notes(competition: Competition) -> list[list[Any]]:
    cap = format_points(competition.bonus_cap) or _("不设（按各加分项分值）")
    notes = [
        [_("每行一项考核内容；「考评项目」留空时沿用上一行的考评项目（合并单元格即如此）。")],
        [_("类型：测量（按标准给分）、扣分、加分、一票否决、必备项、比率；留空按测量。")],
        [_("编号留空时按顺序自动编为 A1、A2…B1；一票否决和必备项不计分，分值填 0 或留空。")],
        [_("比率项填写达标值、扣分步长和每步扣分，如入会率达标值 95、步长 2、每步扣 0.5。")],
        [_("否决范围：本轮（当期不得分）或 全程（取消本次竞赛评先资格）。")],
        [_("导入将整体替换现有考核指标；有任何错误则全部不导入。")],
        [_("加分上限：%(cap)s", cap=cap)],
    ]
    if competition.grades:
        grades = "；".join(f"{line} {name}" for line, name in competition.grades)
        notes.append([_("等级：%(grades)s", grades=grades)])
    return notes


def export_workbook(competition: Competition) -> bytes:
    """The sheet with the columns the import reads back, and a 说明 sheet."""
    component = indicators.sheet_of(competition)
    rows = []
    for criterion in component.criteria if component else []:
        for a in criterion.aspects:
            rate = a.kind is AspectKind.RATE
            rows.append(
                [
                    criterion.name,
                    a.key,
                    a.name,
                    KIND_CANONICAL[a.kind],
                    float(a.max_points),
                    a.standard or "",
                    float(a.threshold) if rate and a.threshold is not None else None,
                    float(a.per_step) if rate and a.per_step is not None else None,
                    float(a.step_deduction) if rate and a.step_deduction is not None else None,
                    EFFECT_LABELS.get(a.veto_effect) if a.veto_effect else "",
                    SOURCE_LABELS.get(a.source or "", ""),
                ]
            )
    return _workbook(rows, _notes(competition))


def template_workbook(competition: Competition) -> bytes:
    """An example sheet with a line of each kind, to overwrite."""
    rows = [
        [
            "比安全",
            "",
            "安全生产责任制健全",
            "测量",
            10,
            "缺一项制度扣 2 分",
            None,
            None,
            None,
            "",
            "",
        ],
        ["比安全", "", "违章作业", "扣分", 10, "每起扣 1 分，扣完为止", None, None, None, "", ""],
        [
            "比安全",
            "",
            "发生较大及以上生产安全事故",
            "一票否决",
            0,
            "",
            None,
            None,
            None,
            "全程",
            "",
        ],
        ["比质量", "", "分部分项工程验收一次合格率", "比率", 10, "", 100, 1, 1, "", ""],
        ["加分项", "", "获得省级及以上质量奖", "加分", 3, "每项加 1 分", None, None, None, "", ""],
    ]
    return _workbook(rows, _notes(competition))


def _workbook(rows: list[list[Any]], notes: list[list[Any]]) -> bytes:
    buffer = io.BytesIO()
    write_workbook(
        [
            SheetSpec(
                SHEET_TITLE,
                rows,
                headers=HEADERS,
                widths=(16, 8, 40, 10, 8, 48, 10, 12, 10, 10, 14),
                freeze_header=True,
                wrap={2, 5},
            ),
            SheetSpec("说明", notes, widths=(100,)),
        ],
        buffer,
    )
    return buffer.getvalue()


def _mapping(cells: dict[str, str]) -> dict[str, Any]:
    kind = cells.get(COL_KIND, "") or "测量"
    source = cells.get(COL_SOURCE, "")
    return {
        "key": cells.get(COL_KEY, ""),
        "name": cells.get(COL_NAME, ""),
        "kind": kind,
        "max_points": cells.get(COL_POINTS, "") or None,
        "step": None,
        "standard": cells.get(COL_STANDARD, ""),
        "threshold": cells.get(COL_THRESHOLD, "").rstrip("%％"),
        "per_step": cells.get(COL_PER_STEP, "").rstrip("%％"),
        "step_deduction": cells.get(COL_DEDUCTION, ""),
        "veto_effect": cells.get(COL_EFFECT, ""),
        "source": SOURCE_NAMES.get(source, source) or None,
    }


def _step_for(points: Decimal) -> Decimal:
    """The finest of 1, 0.5, 0.1, 0.01 that divides the points (an imported item's step)."""
    for step in (Decimal(1), Decimal("0.5"), Decimal("0.1")):
        if points % step == 0:
            return step
    return Decimal("0.01")


def read_workbook(competition: Competition, data: bytes, filename: str) -> list[CriterionPlan]:
    """The file's criteria and items, fully checked; SheetRefused with every problem."""
    sheet = read_sheet(data, filename, id_columns=(), sheet_name=SHEET_TITLE)
    headers = [ALIASES.get(h, h) for h in sheet.headers]
    errors = header_problems(headers, REQUIRED, HEADERS)
    if errors:
        raise SheetRefused(errors)
    plans: list[CriterionPlan] = []
    keys: dict[str, int] = {}
    pending: list[tuple[int, AspectData, bool]] = []  # row, item, key typed
    for number, raw in row_cells(sheet):
        cells = {ALIASES.get(k, k): v for k, v in raw.items()}
        if not any(cells.values()):
            continue
        criterion_name = cells.get(COL_CRITERION, "")
        if criterion_name:
            try:
                criterion_name = check_criterion_name(criterion_name)
            except RubricError as error:
                errors.append(RowError(number, COL_CRITERION, error.message))
                continue
            if not plans or plans[-1].name != criterion_name:
                plans.append(CriterionPlan(criterion_name, []))
        elif not plans:
            errors.append(RowError(number, COL_CRITERION, _("第一行须填写考评项目")))
            continue
        typed_key = cells.get(COL_KEY, "").strip()
        if typed_key in keys:
            errors.append(
                RowError(
                    number,
                    COL_KEY,
                    _("编号 %(key)s 与第 %(row)d 行重复", key=typed_key, row=keys[typed_key]),
                )
            )
        elif typed_key:
            keys[typed_key] = number
        try:
            item = aspect_from_mapping(_mapping(cells), LABOR_KINDS)
        except RubricError as error:
            errors.append(RowError(number, FIELD_COLUMNS.get(error.field or "", ""), error.message))
            continue
        if item.kind in (AspectKind.MEASUREMENT, AspectKind.DEDUCTION, AspectKind.BONUS):
            item.step = _step_for(item.max_points)
        typed = bool(item.key)
        if not typed:
            item.key = "X"  # a placeholder the numbering below replaces
        item = clean_aspect(item)
        problems = aspect_problems(item, LABOR_KINDS)
        for field_name, message in problems.items():
            errors.append(RowError(number, FIELD_COLUMNS.get(field_name, ""), message))
        plans[-1].aspects.append(item)
        pending.append((number, item, typed))
    if not errors and not pending:
        errors.append(RowError(0, "", _("文件中没有考核内容")))
    if errors:
        raise SheetRefused(errors)
    _number_keys(plans, {id(item) for _row, item, typed in pending if not typed}, set(keys))
    return plans


def _number_keys(plans: list[CriterionPlan], untyped: set[int], taken: set[str]) -> None:
    """Give each item without a key its criterion's letter and the next free number."""
    for index, plan in enumerate(plans):
        letter = string.ascii_uppercase[index % 26]
        number = 0
        for item in plan.aspects:
            if id(item) not in untyped:
                continue
            number += 1
            while f"{letter}{number}" in taken:
                number += 1
            item.key = f"{letter}{number}"
            taken.add(item.key)


def import_workbook(actor: User, competition: Competition, data: bytes, filename: str) -> int:
    """Replace the sheet with the file's; returns the number of items. Raises SheetRefused
    (nothing written) or RubricError when the sheet is locked."""
    indicators.ensure_editable(competition)
    plans = read_workbook(competition, data, filename)
    indicators.replace_sheet(actor, competition, plans, action="competition.indicators.import")
    return sum(len(p.aspects) for p in plans)
