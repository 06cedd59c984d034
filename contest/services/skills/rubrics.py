"""An event's rubric: the ``scoring`` view of it, its validation, and the builder's writes.

The rubric lives in the database as components → criteria (headings, 评分项) → aspects (the
lines judges mark, 评分要素).  ``scoring`` knows only flat criteria with a component each;
:func:`scoring_rubric` is the one place that translation happens, so sheets, rankings and exports
agree on keys and maxima.

A rubric may change only while the contest is in preparation or registration: once judging has
begun a changed maximum or scale would silently re-weigh marks already given.  Every write here
checks that first (:func:`ensure_editable`), is audited, and flushes; the view commits.

A component's rubric also travels as plain data (:func:`component_data`), the form used by the
built-in and saved templates (``contest.services.skills.rubric_templates``) and by the .xlsx round
trip.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

import scoring
from contest.extensions import db
from contest.models import User
from contest.models.contest import (
    Aspect,
    AspectKind,
    Component,
    ContestStatus,
    Event,
    RubricCriterion,
)
from contest.services.core import audit

EDITABLE_STATUSES = (ContestStatus.DRAFT, ContestStatus.REGISTRATION)
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
MAX_SCALE = 10
KIND_NAMES: dict[str, AspectKind] = {
    "测量": AspectKind.MEASUREMENT,
    "客观": AspectKind.MEASUREMENT,
    "measurement": AspectKind.MEASUREMENT,
    "m": AspectKind.MEASUREMENT,
    "评价": AspectKind.JUDGEMENT,
    "主观": AspectKind.JUDGEMENT,
    "judgement": AspectKind.JUDGEMENT,
    "j": AspectKind.JUDGEMENT,
    "扣分": AspectKind.DEDUCTION,
    "扣分项": AspectKind.DEDUCTION,
    "deduction": AspectKind.DEDUCTION,
    "d": AspectKind.DEDUCTION,
}
KIND_CANONICAL = {
    AspectKind.MEASUREMENT: "测量",
    AspectKind.JUDGEMENT: "评价",
    AspectKind.DEDUCTION: "扣分",
}


class RubricError(ValueError):
    """A rubric change refused; ``field`` names the form field, ``problems`` one per field."""

    def __init__(
        self, message: str, field: str | None = None, problems: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = dict(problems or {})


# ------------------------------------------------------------------ reading


def event_aspects(event: Event | int) -> list[Aspect]:
    """The event's aspects in rubric order (component, criterion, aspect position), with their
    criterion and component filled from the same joined query (score sheets group by them;
    the save of a sheet reads them under SQLite's write lock, so one statement, not three)."""
    event_id = event if isinstance(event, int) else event.id
    return list(
        db.session.scalars(
            select(Aspect)
            .join(RubricCriterion, Aspect.criterion_id == RubricCriterion.id)
            .join(Component, RubricCriterion.component_id == Component.id)
            .where(Aspect.event_id == event_id)
            .options(contains_eager(Aspect.criterion).contains_eager(RubricCriterion.component))
            .order_by(
                Component.position,
                Component.id,
                RubricCriterion.position,
                RubricCriterion.id,
                Aspect.position,
                Aspect.id,
            )
        )
    )


def load_rubrics(events: Iterable[Event]) -> None:
    """Load the rubric trees (components → criteria → aspects) of ``events`` in four queries.

    The contest page, the builder and the policy page walk every aspect of every event; left
    to lazy loading, that walk asks once per component and once more per criterion.
    """
    ids = [event.id for event in events]
    if ids:
        db.session.scalars(
            select(Event)
            .where(Event.id.in_(ids))
            .options(
                selectinload(Event.components)
                .selectinload(Component.criteria)
                .selectinload(RubricCriterion.aspects)
            )
        ).all()


def scoring_rubric(event: Event) -> scoring.Rubric:
    """The event's rubric for ``scoring``: one Criterion per aspect, one Component per component.

    Judgement aspects are marked on their level scale and worth ``max_points``; measurement and
    deduction aspects are marked in points (a deduction is converted to ``max − deduction`` by
    ``marks_frame`` before it reaches ``scoring``).  Raises ``scoring.PolicyError`` when the
    rubric is unusable (no aspects, a judgement aspect without a scale).
    """
    components = []
    criteria = []
    by_component: dict[int, list[Aspect]] = {}
    for aspect in event_aspects(event):  # one query, not one per component and criterion
        by_component.setdefault(aspect.criterion.component_id, []).append(aspect)
    for component in event.components:
        components.append(
            scoring.Component(
                key=component.key,
                weight=float(component.weight),
                max=float(component.max_score),
                name=component.name,
                pass_mark=None if component.pass_mark is None else float(component.pass_mark),
            )
        )
        for aspect in by_component.get(component.id, []):
            judgement = aspect.kind is AspectKind.JUDGEMENT
            criteria.append(
                scoring.Criterion(
                    key=aspect.key,
                    max=float(aspect.max_points),
                    kind="judgement" if judgement else "measurement",
                    scale=aspect.scale if judgement else None,
                    component=component.key,
                    name=aspect.name,
                )
            )
    return scoring.Rubric(criteria=tuple(criteria), components=tuple(components))


def component_total(component: Component) -> Decimal:
    """Sum of the component's aspects' points (what must equal its ``max_score``)."""
    return sum((Decimal(a.max_points) for c in component.criteria for a in c.aspects), Decimal(0))


def format_points(value: object) -> str:
    """A mark, weight or total as people write it: 100, 0.5, 12.25 (no trailing zeros, no
    exponent, never 100.00 or 1E+2); empty for no value.  Also the ``points`` template filter."""
    if value is None or value == "":
        return ""
    return format(Decimal(str(value)).normalize(), "f")


def component_problems(component: Component) -> list[str]:
    """What keeps a component's rubric from being used, each a whole Chinese sentence."""
    problems: list[str] = []
    aspects = [a for c in component.criteria for a in c.aspects]
    if not aspects:
        return [_("「%(name)s」模块还没有评分要素", name=component.name)]
    for criterion in component.criteria:
        if not criterion.aspects:
            problems.append(
                _(
                    "「%(component)s」模块的评分项「%(name)s」下没有评分要素",
                    component=component.name,
                    name=criterion.name,
                )
            )
    for aspect in aspects:
        for message in aspect_problems(aspect_data(aspect)).values():
            problems.append(_("评分要素 %(key)s:%(message)s", key=aspect.key, message=message))
    total = component_total(component)
    if total != Decimal(component.max_score):
        problems.append(
            _(
                "「%(name)s」模块各评分要素分值合计 %(total)s 分,应等于模块满分 %(max)s 分",
                name=component.name,
                total=format_points(total),
                max=format_points(component.max_score),
            )
        )
    return problems


def rubric_problems(event: Event) -> list[str]:
    """Every problem with the event's rubric (empty when judges could mark with it)."""
    problems: list[str] = []
    if not event.components:
        return [_("赛项 %(code)s 还没有设置考核模块", code=event.code)]
    for component in event.components:
        problems.extend(component_problems(component))
    return problems


# ------------------------------------------------------------------ aspect data and validation


@dataclass
class AspectData:
    """One aspect as entered in the builder, a template or a spreadsheet row."""

    key: str
    name: str
    kind: AspectKind
    max_points: Decimal
    scale: int | None = None
    step: Decimal = Decimal("0.5")
    descriptors: list[str] = field(default_factory=list)
    standard: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind.value,
            "max_points": format_points(self.max_points),
            "scale": self.scale,
            "step": format_points(self.step),
            "descriptors": list(self.descriptors),
            "standard": self.standard,
        }


def aspect_data(aspect: Aspect) -> AspectData:
    return AspectData(
        key=aspect.key,
        name=aspect.name,
        kind=aspect.kind,
        max_points=Decimal(aspect.max_points),
        scale=aspect.scale,
        step=Decimal(aspect.step),
        descriptors=list(aspect.descriptors or []),
        standard=aspect.standard,
    )


def aspect_problems(data: AspectData) -> dict[str, str]:
    """Field → message for everything wrong with one aspect (empty when it is fine)."""
    problems: dict[str, str] = {}
    if not data.key:
        problems["key"] = _("请填写评分要素编号")
    elif not KEY_RE.match(data.key):
        problems["key"] = _("编号只能由字母、数字、点、横线组成,最长 20 个字符(如 M1、2.3)")
    if not data.name.strip():
        problems["name"] = _("请填写评分要素名称")
    elif len(data.name) > 300:
        problems["name"] = _("评分要素名称最长 300 个字")
    if not data.max_points > 0:
        problems["max_points"] = _("分值必须大于 0")
    elif data.max_points > 1000:
        problems["max_points"] = _("分值不能超过 1000")
    if data.kind is AspectKind.JUDGEMENT:
        if data.scale is None or not 1 <= data.scale <= MAX_SCALE:
            problems["scale"] = _("评价类要素需要最高等级(1–10,世赛通常为 3)")
        elif len(data.descriptors) != data.scale + 1 or not all(
            d.strip() for d in data.descriptors
        ):
            problems["descriptors"] = _(
                "请为每个评价等级 0–%(scale)s 各写一条描述(共 %(n)s 条)",
                scale=data.scale,
                n=data.scale + 1,
            )
    else:
        if not data.step > 0:
            problems["step"] = _("步长必须大于 0")
        elif "max_points" not in problems and (data.max_points / data.step) % 1 != 0:
            problems["step"] = _("分值必须是步长的整数倍")
    return problems


def _clean(data: AspectData) -> AspectData:
    """Normalise what a judgement/measurement aspect does not use (kept out of the database)."""
    data.key = data.key.strip()
    data.name = data.name.strip()
    data.standard = (data.standard or "").strip() or None
    if data.kind is AspectKind.JUDGEMENT:
        data.step = Decimal(1)
        data.descriptors = [d.strip() for d in data.descriptors]
    else:
        data.scale = None
        data.descriptors = []
    return data


def aspect_from_mapping(raw: Mapping[str, Any]) -> AspectData:
    """Build AspectData from template/JSON data; raises RubricError naming the field."""
    kind_raw = str(raw.get("kind") or "").strip()
    kind = KIND_NAMES.get(kind_raw.lower()) or KIND_NAMES.get(kind_raw)
    if kind is None:
        raise RubricError(_("类型应为 测量、评价 或 扣分"), "kind")
    max_points = _decimal(raw.get("max_points"), "max_points", _("分值"))
    step = _decimal(
        raw.get("step") or ("1" if kind is AspectKind.JUDGEMENT else "0.5"), "step", _("步长")
    )
    scale_raw = raw.get("scale")
    scale = None
    if kind is AspectKind.JUDGEMENT:
        try:
            scale = int(str(scale_raw).strip()) if scale_raw not in (None, "") else None
        except ValueError:
            raise RubricError(_("评价等级必须是整数"), "scale") from None
    descriptors = raw.get("descriptors") or []
    if isinstance(descriptors, str):
        descriptors = split_descriptors(descriptors)
    return AspectData(
        key=str(raw.get("key") or "").strip(),
        name=str(raw.get("name") or "").strip(),
        kind=kind,
        max_points=max_points,
        scale=scale,
        step=step,
        descriptors=[str(d) for d in descriptors],
        standard=(str(raw.get("standard") or "").strip() or None),
    )


def _decimal(value: Any, field_name: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise RubricError(_("%(label)s必须是数字", label=label), field_name) from None
    if not number.is_finite():
        raise RubricError(_("%(label)s必须是数字", label=label), field_name)
    return number


_LEVEL_PREFIX = re.compile(r"^\s*(\d+)\s*[::、.．)）]\s*")


def split_descriptors(text: str) -> list[str]:
    """Descriptor lines of a spreadsheet cell: one per line, "0: 不合格" or just "不合格"."""
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    return [_LEVEL_PREFIX.sub("", line, count=1).strip() for line in lines]


def join_descriptors(descriptors: Iterable[str]) -> str:
    return "\n".join(f"{level}: {text}" for level, text in enumerate(descriptors))


# ------------------------------------------------------------------ writes


def ensure_editable(event: Event) -> None:
    """Refuse rubric and component changes once the contest has left registration."""
    if event.contest.status not in EDITABLE_STATUSES:
        raise RubricError(
            _(
                "大赛当前状态为「%(status)s」,评分可能已经开始,评分细则已锁定,不能再修改。"
                "如确需修改,请先将大赛退回「报名中」(须尚无评分表)。",
                status=event.contest.status.label,
            )
        )


def _event_keys(event: Event, excluding: Aspect | None = None) -> set[str]:
    return {
        a.key
        for c in event.components
        for cr in c.criteria
        for a in cr.aspects
        if excluding is None or a.id != excluding.id
    }


def _check_aspect(event: Event, data: AspectData, excluding: Aspect | None = None) -> AspectData:
    data = _clean(data)
    problems = aspect_problems(data)
    if "key" not in problems and data.key in _event_keys(event, excluding):
        problems["key"] = _("编号 %(key)s 在本赛项中已被使用", key=data.key)
    if problems:
        raise RubricError(next(iter(problems.values())), next(iter(problems)), problems)
    return data


def _check_criterion_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise RubricError(_("请填写评分项名称"), "name")
    if len(name) > 200:
        raise RubricError(_("评分项名称最长 200 个字"), "name")
    return name


def add_criterion(actor: User, component: Component, name: str) -> RubricCriterion:
    event = component.event
    ensure_editable(event)
    name = _check_criterion_name(name)
    position = max((c.position for c in component.criteria), default=-1) + 1
    criterion = RubricCriterion(component=component, name=name, position=position)
    db.session.add(criterion)
    db.session.flush()
    audit.record(
        actor,
        "rubric.criterion.create",
        "event",
        event.id,
        after={"component": component.key, "criterion": name},
    )
    return criterion


def update_criterion(actor: User, criterion: RubricCriterion, name: str) -> RubricCriterion:
    """Rename a criterion (评分项)."""
    event = criterion.component.event
    ensure_editable(event)
    name = _check_criterion_name(name)
    before = {"criterion": criterion.name}
    criterion.name = name
    db.session.flush()
    audit.record(
        actor,
        "rubric.criterion.update",
        "event",
        event.id,
        before=before,
        after={"criterion": criterion.name},
    )
    return criterion


def delete_criterion(actor: User, criterion: RubricCriterion) -> None:
    component = criterion.component
    event = component.event
    ensure_editable(event)
    before = {
        "component": component.key,
        "criterion": criterion.name,
        "aspects": [aspect_data(a).as_dict() for a in criterion.aspects],
    }
    component.criteria.remove(criterion)
    db.session.delete(criterion)
    db.session.flush()
    audit.record(actor, "rubric.criterion.delete", "event", event.id, before=before)


def add_aspect(actor: User, criterion: RubricCriterion, data: AspectData) -> Aspect:
    event = criterion.component.event
    ensure_editable(event)
    data = _check_aspect(event, data)
    position = max((a.position for a in criterion.aspects), default=-1) + 1
    aspect = Aspect(criterion=criterion, event_id=event.id, position=position)
    _assign(aspect, data)
    db.session.add(aspect)
    db.session.flush()
    audit.record(actor, "rubric.aspect.create", "event", event.id, after=data.as_dict())
    return aspect


def update_aspect(actor: User, aspect: Aspect, data: AspectData) -> Aspect:
    event = aspect.criterion.component.event
    ensure_editable(event)
    data = _check_aspect(event, data, excluding=aspect)
    before = aspect_data(aspect).as_dict()
    _assign(aspect, data)
    db.session.flush()
    audit.record(
        actor, "rubric.aspect.update", "event", event.id, before=before, after=data.as_dict()
    )
    return aspect


def delete_aspect(actor: User, aspect: Aspect) -> None:
    criterion = aspect.criterion
    event = criterion.component.event
    ensure_editable(event)
    before = aspect_data(aspect).as_dict()
    criterion.aspects.remove(aspect)
    db.session.delete(aspect)
    db.session.flush()
    audit.record(actor, "rubric.aspect.delete", "event", event.id, before=before)


def _assign(aspect: Aspect, data: AspectData) -> None:
    aspect.key = data.key
    aspect.name = data.name
    aspect.kind = data.kind
    aspect.max_points = data.max_points
    aspect.scale = data.scale
    aspect.step = data.step
    aspect.descriptors = list(data.descriptors)
    aspect.standard = data.standard


# ------------------------------------------------------------------ whole-component data


def component_data(component: Component) -> dict[str, Any]:
    """A component's rubric as plain data (templates, saved templates, audit)."""
    return {
        "criteria": [
            {
                "name": criterion.name,
                "aspects": [aspect_data(a).as_dict() for a in criterion.aspects],
            }
            for criterion in component.criteria
        ]
    }


@dataclass
class CriterionPlan:
    name: str
    aspects: list[AspectData]


def plan_from_data(data: Mapping[str, Any]) -> list[CriterionPlan]:
    """Parse template data into criteria and aspects; raises RubricError on the first problem."""
    plans: list[CriterionPlan] = []
    for criterion in data.get("criteria") or []:
        name = _check_criterion_name(str(criterion.get("name") or ""))
        aspects = []
        for raw in criterion.get("aspects") or []:
            aspect = _clean(aspect_from_mapping(raw))
            problems = aspect_problems(aspect)
            if problems:
                raise RubricError(
                    _(
                        "评分要素 %(key)s:%(message)s",
                        key=aspect.key or "?",
                        message=next(iter(problems.values())),
                    )
                )
            aspects.append(aspect)
        plans.append(CriterionPlan(name, aspects))
    if not plans:
        raise RubricError(_("模板中没有评分项"))
    return plans


def replace_component_rubric(
    actor: User,
    component: Component,
    plans: list[CriterionPlan],
    *,
    action: str = "rubric.replace",
    reason: str | None = None,
    before: dict[str, Any] | None = None,
) -> None:
    """Replace a component's criteria and aspects with ``plans`` (template apply, import).

    Keys that another component of the event already uses are prefixed with this component's
    letter (T/P/D…) so a template can be applied to two components without a clash.
    """
    event = component.event
    ensure_editable(event)
    other_keys = {
        a.key
        for c in event.components
        if c.id != component.id
        for cr in c.criteria
        for a in cr.aspects
    }
    prefix = component.key[:1].upper()
    seen: set[str] = set()
    for plan in plans:
        for aspect in plan.aspects:
            if aspect.key in other_keys:
                aspect.key = f"{prefix}{aspect.key}"[:20]
            if aspect.key in other_keys or aspect.key in seen:
                raise RubricError(_("评分要素编号 %(key)s 重复", key=aspect.key), "key")
            seen.add(aspect.key)
    if before is None:
        before = component_data(component)
    for criterion in list(component.criteria):
        component.criteria.remove(criterion)
        db.session.delete(criterion)
    db.session.flush()
    for c_pos, plan in enumerate(plans):
        criterion = RubricCriterion(component=component, name=plan.name, position=c_pos)
        db.session.add(criterion)
        for a_pos, data in enumerate(plan.aspects):
            aspect = Aspect(criterion=criterion, event_id=event.id, position=a_pos)
            _assign(aspect, data)
            db.session.add(aspect)
    db.session.flush()
    db.session.refresh(component)
    audit.record(
        actor,
        action,
        "event",
        event.id,
        before={"component": component.key, **before},
        after={"component": component.key, **component_data(component)},
        reason=reason,
    )


# ------------------------------------------------------------------ .xlsx export and import

COL_COMPONENT, COL_CRITERION, COL_KEY, COL_NAME = "模块", "评分项", "评分要素编号", "评分要素"
COL_KIND, COL_POINTS, COL_SCALE, COL_STEP = "类型(测量/评价/扣分)", "分值", "评价等级", "步长"
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
                "第 %(row)s 行「%(column)s」:%(message)s",
                row=self.row,
                column=self.column,
                message=self.message,
            )
        return _("第 %(row)s 行:%(message)s", row=self.row, message=self.message)


class RubricImportRefused(ValueError):
    """The file was refused as a whole; ``problems`` lists every row's problems."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(_("评分细则未导入,共 %(n)s 处问题", n=len(problems)))
        self.problems = problems


def _workbook_bytes(rows: Iterable[Iterable[Any]], notes: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    widths = (8, 18, 12, 28, 18, 8, 10, 8, 48)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for row in sheet.iter_rows(min_row=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    help_sheet = book.create_sheet("说明")
    for line in notes:
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _notes(event: Event | None) -> list[str]:
    notes = [
        _("每行一个评分要素;同一模块、同一评分项的连续行归为一个评分项。"),
        _(
            "模块:填写模块名称或编号(如 理论/theory、实操/practical、答辩/oral),"
            "须是本赛项已设置的模块。"
        ),
        _(
            "类型:测量、评价 或 扣分。评价类须填「评价等级」(如 3,即 0–3 级),"
            "并在最后一列每行写一个等级的描述(如 0: 不合格)。"
        ),
        _("测量与扣分类须填「步长」(如 0.5),最后一列写评分标准;分值须是步长的整数倍。"),
        _("每个模块各评分要素分值合计须等于模块满分(100 分)。"),
        _("导入时文件中出现的模块的评分细则整体替换;有任何错误则全部不导入。"),
    ]
    if event is not None:
        names = "、".join(f"{c.name}({c.key})" for c in event.components)
        notes.append(_("本赛项的模块:%(names)s", names=names or "-"))
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
            "0: 不合格\n1: 基本符合\n2: 良好\n3: 优秀",
        ],
        ["实操", "安全文明生产", "P3", "违规操作", "扣分", 30, None, 1, "每次违规扣 5 分"],
    ]
    return _workbook_bytes(rows, _notes(event))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rubric_xlsx(event: Event, data: bytes) -> dict[Component, list[CriterionPlan]]:
    """Parse and fully validate a rubric workbook; raises RubricImportRefused with every problem."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # zipfile/openpyxl raise many kinds for a damaged or foreign file
        raise RubricImportRefused(
            [RowProblem(0, None, _("无法读取文件:请上传 .xlsx 格式的 Excel 文件"))]
        ) from None
    sheet = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    problems: list[RowProblem] = []
    if not rows:
        raise RubricImportRefused([RowProblem(0, None, _("文件是空的"))])
    header = [_cell(h) for h in rows[0]]
    index: dict[str, int] = {}
    for name in HEADERS:
        if name in header:
            index[name] = header.index(name)
        else:
            problems.append(RowProblem(1, None, _("缺少列「%(column)s」", column=name)))
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
    for number, row in enumerate(rows[1:], start=2):
        values = {name: _cell(row[i]) if i < len(row) else "" for name, i in index.items()}
        if not any(values.values()):
            continue

        def bad(column: str | None, message: str, number: int = number) -> None:
            problems.append(RowProblem(number, column, message))

        component = by_name.get(values[COL_COMPONENT]) or by_name.get(values[COL_COMPONENT].lower())
        if component is None:
            bad(
                COL_COMPONENT,
                _("模块「%(name)s」不是本赛项的模块", name=values[COL_COMPONENT] or "(空)"),
            )
            continue
        criterion_name = values[COL_CRITERION]
        if not criterion_name:
            bad(COL_CRITERION, _("请填写评分项"))
            continue
        kind_text = values[COL_KIND]
        kind = KIND_NAMES.get(kind_text) or KIND_NAMES.get(kind_text.lower())
        if kind is None:
            bad(COL_KIND, _("类型应为 测量、评价 或 扣分"))
            continue
        try:
            points = _decimal(values[COL_POINTS], "max_points", _("分值"))
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
                step = _decimal(values[COL_STEP] or "0.5", "step", _("步长"))
            except RubricError as exc:
                bad(COL_STEP, exc.message)
                continue
        text = values[COL_TEXT]
        aspect = _clean(
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
                        "「%(name)s」模块各评分要素分值合计 %(total)s 分,应等于模块满分 %(max)s 分",
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
