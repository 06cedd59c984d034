"""Rubric items: their kinds, what one is worth, and how one is entered and checked.

The pieces of a rubric that do not depend on what owns it — a skills event's component or a
labor competition's indicator sheet: an item (``Aspect``) as plain data (:class:`AspectData`,
used by builders, templates and spreadsheets alike), its validation per kind, the criteria plan a
template or import produces, and the translation of an item to ``scoring.Item``.

Kinds (DOMAIN §1.5 and §2): measurement, judgement and deduction are the skills kinds; bonus
(加分, capped), veto (一票否决, effect on the round or the competition), mandatory (必备项) and rate
(a percentage against a threshold with a deduction per started step short) belong to labor
competitions and ratings.  An owner says which kinds it accepts (``kinds``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from contest import validation
from contest.extensions import db
from contest.models.contest import Aspect, AspectKind, Component, RubricCriterion, VetoEffect

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
    "加分": AspectKind.BONUS,
    "加分项": AspectKind.BONUS,
    "bonus": AspectKind.BONUS,
    "否决": AspectKind.VETO,
    "一票否决": AspectKind.VETO,
    "否决项": AspectKind.VETO,
    "veto": AspectKind.VETO,
    "必备": AspectKind.MANDATORY,
    "必备项": AspectKind.MANDATORY,
    "mandatory": AspectKind.MANDATORY,
    "比率": AspectKind.RATE,
    "达标率": AspectKind.RATE,
    "rate": AspectKind.RATE,
}
KIND_CANONICAL = {
    AspectKind.MEASUREMENT: "测量",
    AspectKind.JUDGEMENT: "评价",
    AspectKind.DEDUCTION: "扣分",
    AspectKind.BONUS: "加分",
    AspectKind.VETO: "一票否决",
    AspectKind.MANDATORY: "必备项",
    AspectKind.RATE: "比率",
}
EFFECT_NAMES: dict[str, VetoEffect] = {
    "round": VetoEffect.ROUND,
    "本轮": VetoEffect.ROUND,
    "本轮否决": VetoEffect.ROUND,
    "competition": VetoEffect.COMPETITION,
    "全程": VetoEffect.COMPETITION,
    "全程否决": VetoEffect.COMPETITION,
}
# Where a rate item's figure may come from instead of being typed.
SOURCES = ("membership_rate", "satisfaction")
ALL_KINDS: tuple[AspectKind, ...] = tuple(AspectKind)


class RubricError(ValueError):
    """A rubric change refused; ``field`` names the form field, ``problems`` one per field."""

    def __init__(
        self, message: str, field: str | None = None, problems: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = dict(problems or {})


def format_points(value: object) -> str:
    """A mark, weight or total as people write it: 100, 0.5, 12.25 (no trailing zeros, no
    exponent, never 100.00 or 1E+2); empty for no value.  Also the ``points`` template filter."""
    if value is None or value == "":
        return ""
    return format(Decimal(str(value)).normalize(), "f")


@dataclass
class AspectData:
    """One item as entered in a builder, a template or a spreadsheet row."""

    key: str
    name: str
    kind: AspectKind
    max_points: Decimal
    scale: int | None = None
    step: Decimal = Decimal("0.5")
    descriptors: list[str] = field(default_factory=list)
    standard: str | None = None
    threshold: Decimal | None = None
    per_step: Decimal | None = None
    step_deduction: Decimal | None = None
    veto_effect: VetoEffect | None = None
    source: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "name": self.name,
            "kind": self.kind.value,
            "max_points": format_points(self.max_points),
            "scale": self.scale,
            "step": format_points(self.step),
            "descriptors": list(self.descriptors),
            "standard": self.standard,
        }
        # The labor fields only when used, so a skills rubric's data keeps its old shape.
        for name in ("threshold", "per_step", "step_deduction"):
            value = getattr(self, name)
            if value is not None:
                data[name] = format_points(value)
        if self.veto_effect is not None:
            data["veto_effect"] = self.veto_effect.value
        if self.source is not None:
            data["source"] = self.source
        return data


def aspect_data(aspect: Aspect) -> AspectData:
    def dec(value: Decimal | None) -> Decimal | None:
        return None if value is None else Decimal(value)

    return AspectData(
        key=aspect.key,
        name=aspect.name,
        kind=aspect.kind,
        max_points=Decimal(aspect.max_points),
        scale=aspect.scale,
        step=Decimal(aspect.step),
        descriptors=list(aspect.descriptors or []),
        standard=aspect.standard,
        threshold=dec(aspect.threshold),
        per_step=dec(aspect.per_step),
        step_deduction=dec(aspect.step_deduction),
        veto_effect=aspect.veto_effect,
        source=aspect.source,
    )


def kinds_text(kinds: Sequence[AspectKind]) -> str:
    """「测量、评价 或 扣分」: the allowed kinds as a message names them."""
    names = [KIND_CANONICAL[kind] for kind in kinds]
    if len(names) == 1:
        return names[0]
    return _("%(names)s 或 %(last)s", names="、".join(names[:-1]), last=names[-1])


def aspect_problems(data: AspectData, kinds: Sequence[AspectKind] = ALL_KINDS) -> dict[str, str]:
    """Field → message for everything wrong with one item (empty when it is fine).

    ``kinds`` are the kinds its owner accepts: a skills event only measurement, judgement and
    deduction; a competition or rating every kind.
    """
    problems: dict[str, str] = {}
    if data.kind not in kinds:
        problems["kind"] = _("类型应为 %(kinds)s", kinds=kinds_text(kinds))
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
    if data.kind.is_flag:
        if data.kind is AspectKind.VETO and data.veto_effect is None:
            problems["veto_effect"] = _("一票否决项需要说明否决范围：本轮或全程")
        return problems
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
    elif data.kind is AspectKind.RATE:
        problems.update(_rate_problems(data))
    else:
        if not data.step > 0:
            problems["step"] = _("步长必须大于 0")
        elif "max_points" not in problems and (data.max_points / data.step) % 1 != 0:
            problems["step"] = _("分值必须是步长的整数倍")
    return problems


def _rate_problems(data: AspectData) -> dict[str, str]:
    """A rate item needs its threshold, step and deduction (入会率 ≥ 95%, −0.5 per 2% short)."""
    problems: dict[str, str] = {}
    if data.threshold is None or not 0 < data.threshold <= 100:
        problems["threshold"] = _("比率项需要达标值（大于 0、不超过 100 的百分数）")
    if data.per_step is None or not 0 < data.per_step <= 100:
        problems["per_step"] = _("比率项需要扣分步长（每低多少个百分点扣一次分）")
    if data.step_deduction is None or not data.step_deduction > 0:
        problems["step_deduction"] = _("比率项需要每步扣分（大于 0）")
    elif data.step_deduction > data.max_points:
        problems["step_deduction"] = _("每步扣分不能超过该项分值")
    if data.source is not None and data.source not in SOURCES:
        problems["source"] = _("数据来源应为 入会率 或 会员评家满意率")
    return problems


def clean_aspect(data: AspectData) -> AspectData:
    """Normalise what an item's kind does not use (kept out of the database)."""
    data.key = data.key.strip()
    data.name = data.name.strip()
    data.standard = (data.standard or "").strip() or None
    if data.kind is AspectKind.JUDGEMENT:
        data.step = Decimal(1)
        data.descriptors = [d.strip() for d in data.descriptors]
    else:
        data.scale = None
        data.descriptors = []
    if data.kind.is_flag:
        data.max_points = Decimal(0)
        data.step = Decimal(1)
    if data.kind is not AspectKind.RATE:
        data.threshold = data.per_step = data.step_deduction = None
        data.source = None
    else:
        data.step = Decimal("0.01")
    if data.kind is not AspectKind.VETO:
        data.veto_effect = None
    return data


def aspect_from_mapping(
    raw: Mapping[str, Any], kinds: Sequence[AspectKind] = ALL_KINDS
) -> AspectData:
    """Build AspectData from template/JSON data; raises RubricError naming the field."""
    kind_raw = str(raw.get("kind") or "").strip()
    kind = KIND_NAMES.get(kind_raw.lower()) or KIND_NAMES.get(kind_raw)
    if kind is None or kind not in kinds:
        raise RubricError(_("类型应为 %(kinds)s", kinds=kinds_text(kinds)), "kind")
    default_points = "0" if kind.is_flag else None
    max_points = parse_decimal(raw.get("max_points") or default_points, "max_points", _("分值"))
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
    effect = None
    effect_raw = str(raw.get("veto_effect") or "").strip()
    if kind is AspectKind.VETO and effect_raw:
        effect = EFFECT_NAMES.get(effect_raw.lower()) or EFFECT_NAMES.get(effect_raw)
        if effect is None:
            raise RubricError(_("否决范围应为 本轮 或 全程"), "veto_effect")

    def optional(name: str, label: str) -> Decimal | None:
        value = raw.get(name)
        if kind is not AspectKind.RATE or value in (None, ""):
            return None
        return parse_decimal(value, name, label)

    return AspectData(
        key=str(raw.get("key") or "").strip(),
        name=str(raw.get("name") or "").strip(),
        kind=kind,
        max_points=max_points,
        scale=scale,
        step=step,
        descriptors=[str(d) for d in descriptors],
        standard=(str(raw.get("standard") or "").strip() or None),
        threshold=optional("threshold", _("达标值")),
        per_step=optional("per_step", _("扣分步长")),
        step_deduction=optional("step_deduction", _("每步扣分")),
        veto_effect=effect,
        source=(str(raw.get("source") or "").strip() or None) if kind is AspectKind.RATE else None,
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


def check_criterion_name(name: str) -> str:
    """A criterion (评分项 / 考评项目) name, trimmed, or a RubricError."""
    name = (name or "").strip()
    if not name:
        raise RubricError(_("请填写评分项名称"), "name")
    if len(name) > 200:
        raise RubricError(_("评分项名称最长 200 个字"), "name")
    problem = validation.text_problem(name)
    if problem:
        raise RubricError(problem, "name")
    return name


def assign(aspect: Aspect, data: AspectData) -> None:
    """Copy checked item data onto a row."""
    aspect.key = data.key
    aspect.name = data.name
    aspect.kind = data.kind
    aspect.max_points = data.max_points
    aspect.scale = data.scale
    aspect.step = data.step
    aspect.descriptors = list(data.descriptors)
    aspect.standard = data.standard
    aspect.threshold = data.threshold
    aspect.per_step = data.per_step
    aspect.step_deduction = data.step_deduction
    aspect.veto_effect = data.veto_effect
    aspect.source = data.source


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


def plan_from_data(
    data: Mapping[str, Any], kinds: Sequence[AspectKind] = ALL_KINDS
) -> list[CriterionPlan]:
    """Parse template data into criteria and aspects; raises RubricError on the first problem."""
    plans: list[CriterionPlan] = []
    for criterion in data.get("criteria") or []:
        name = check_criterion_name(str(criterion.get("name") or ""))
        aspects = []
        for raw in criterion.get("aspects") or []:
            aspect = clean_aspect(aspect_from_mapping(raw, kinds))
            problems = aspect_problems(aspect, kinds)
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


def owned_aspects(owner: Any, owner_id: int) -> list[Aspect]:
    """An owner's items in rubric order (component, criterion, item position), with their
    criterion and component filled from the same joined query (sheets group by them; saving a
    sheet reads them under SQLite's write lock, so one statement, not three).

    ``owner`` is the owning column: ``Aspect.event_id``, ``Aspect.competition_id`` or
    ``Aspect.stage_id``.
    """
    return list(
        db.session.scalars(
            select(Aspect)
            .join(RubricCriterion, Aspect.criterion_id == RubricCriterion.id)
            .join(Component, RubricCriterion.component_id == Component.id)
            .where(owner == owner_id)
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


def write_criteria(component: Component, plans: Sequence[CriterionPlan]) -> None:
    """Replace a component's criteria and items with ``plans`` (template, import).

    The items take the component's owner (an event, a competition or a review stage); the
    caller has checked that the rubric may change and that keys do not clash, and audits the
    change.
    """
    for criterion in list(component.criteria):
        component.criteria.remove(criterion)
        db.session.delete(criterion)
    db.session.flush()
    for c_pos, plan in enumerate(plans):
        criterion = RubricCriterion(component=component, name=plan.name, position=c_pos)
        db.session.add(criterion)
        for a_pos, data in enumerate(plan.aspects):
            aspect = Aspect(
                criterion=criterion,
                event_id=component.event_id,
                competition_id=component.competition_id,
                stage_id=component.stage_id,
                position=a_pos,
            )
            assign(aspect, data)
            db.session.add(aspect)
    db.session.flush()
    db.session.refresh(component)
