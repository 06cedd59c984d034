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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

import scoring
from contest import validation
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
            problems.append(_("评分要素 %(key)s：%(message)s", key=aspect.key, message=message))
    total = component_total(component)
    if total != Decimal(component.max_score):
        problems.append(
            _(
                "「%(name)s」模块各评分要素分值合计 %(total)s 分，应等于模块满分 %(max)s 分",
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
        problems["key"] = _("编号只能由字母、数字、点、横线组成，最长 20 个字符（如 M1、2.3）")
    if not data.name.strip():
        problems["name"] = _("请填写评分要素名称")
    elif len(data.name) > 300:
        problems["name"] = _("评分要素名称最长 300 个字")
    texts = [("name", data.name), ("standard", data.standard)]
    for key, text in [*texts, *(("descriptors", d) for d in data.descriptors)]:
        problem = validation.text_problem(text, multiline=key == "standard")
        if problem:
            problems.setdefault(key, problem)
    if not data.max_points > 0:
        problems["max_points"] = _("分值必须大于 0")
    elif data.max_points > 1000:
        problems["max_points"] = _("分值不能超过 1000")
    if data.kind is AspectKind.JUDGEMENT:
        if data.scale is None or not 1 <= data.scale <= MAX_SCALE:
            problems["scale"] = _("评价类要素需要最高等级（1–10，世赛通常为 3）")
        elif len(data.descriptors) != data.scale + 1 or not all(
            d.strip() for d in data.descriptors
        ):
            problems["descriptors"] = _(
                "请为每个评价等级 0–%(scale)s 各写一条描述（共 %(n)s 条）",
                scale=data.scale,
                n=data.scale + 1,
            )
    else:
        if not data.step > 0:
            problems["step"] = _("步长必须大于 0")
        elif "max_points" not in problems and (data.max_points / data.step) % 1 != 0:
            problems["step"] = _("分值必须是步长的整数倍")
    return problems


def clean_aspect(data: AspectData) -> AspectData:
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
    max_points = parse_decimal(raw.get("max_points"), "max_points", _("分值"))
    step = parse_decimal(
        raw.get("step") or ("1" if kind is AspectKind.JUDGEMENT else "0.5"), "step", _("步长")
    )
    scale_raw = raw.get("scale")
    scale = None
    if kind is AspectKind.JUDGEMENT:
        try:
            scale = validation.db_int(scale_raw) if scale_raw not in (None, "") else None
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


def parse_decimal(value: Any, field_name: str, label: str) -> Decimal:
    """A plain decimal (``contest.validation.parse_decimal``), else a RubricError naming it."""
    try:
        return validation.parse_decimal(value if isinstance(value, Decimal) else str(value))
    except ValueError:
        raise RubricError(_("%(label)s必须是数字", label=label), field_name) from None


_LEVEL_PREFIX = re.compile(r"^\s*(\d+)\s*[:：、.．)）]\s*")


def split_descriptors(text: str) -> list[str]:
    """Descriptor lines of a spreadsheet cell, one per line: "0：不合格", "0: 不合格" or
    just "不合格"."""
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    return [_LEVEL_PREFIX.sub("", line, count=1).strip() for line in lines]


def join_descriptors(descriptors: Iterable[str]) -> str:
    return "\n".join(f"{level}：{text}" for level, text in enumerate(descriptors))


# ------------------------------------------------------------------ writes


def ensure_editable(event: Event) -> None:
    """Refuse rubric and component changes once the contest has left registration."""
    if event.contest.status not in EDITABLE_STATUSES:
        raise RubricError(
            _(
                "大赛当前状态为「%(status)s」，评分可能已经开始，评分细则已锁定，不能再修改。"
                "如确需修改，请先将大赛退回「报名中」（须尚无评分表）。",
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
    data = clean_aspect(data)
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
    problem = validation.text_problem(name)
    if problem:
        raise RubricError(problem, "name")
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
            aspect = clean_aspect(aspect_from_mapping(raw))
            problems = aspect_problems(aspect)
            if problems:
                raise RubricError(
                    _(
                        "评分要素 %(key)s：%(message)s",
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
