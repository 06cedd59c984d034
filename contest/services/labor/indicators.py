"""A competition's indicator sheet (考核指标): one component of the shared rubric engine, owned
by the competition, that every round is assessed on.

The sheet is the component ``indicators`` (考核指标, weight 100) whose criteria are the 考评项目
and whose items are the lines assessors mark, of every labor kind: points given (测量), points
taken off (扣分), bonus (加分, capped by ``Competition.bonus_cap``), 一票否决, 必备项 and rate
items (a percentage against a threshold). Its ``max_score`` is what the scored items add up to
(bonus items count on top, flags count nothing), kept in step on every write.

Items are checked by ``contest.services.assessment.items``, the same rules as a skills rubric
with the labor kinds allowed. The sheet may change while no round has been assessed: once a
round has left 自评中 and sheets exist, a changed maximum would re-weigh marks already given,
so every write here checks :func:`ensure_editable` first. Writes are audited against the
competition and flush; the view commits.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import scoring
from contest.extensions import db
from contest.models import (
    Aspect,
    AspectKind,
    Competition,
    CompetitionStatus,
    Component,
    Round,
    RoundStatus,
    RubricCriterion,
    ScoreSheet,
    User,
)
from contest.services.assessment.items import (
    AspectData,
    CriterionPlan,
    RubricError,
    aspect_data,
    aspect_problems,
    assign,
    check_criterion_name,
    clean_aspect,
    component_data,
    format_points,
    plan_from_data,
    write_criteria,
)
from contest.services.assessment.sheets import scoring_item
from contest.services.core import audit
from contest.services.labor.templates import builtin_templates
from contest.validation import parse_decimal, text_problem

SHEET_KEY = "indicators"
SHEET_NAME = "考核指标"
# The kinds an indicator sheet uses (a judgement scale is a skills judge's tool).
LABOR_KINDS: tuple[AspectKind, ...] = (
    AspectKind.MEASUREMENT,
    AspectKind.DEDUCTION,
    AspectKind.BONUS,
    AspectKind.VETO,
    AspectKind.MANDATORY,
    AspectKind.RATE,
)
# Kinds whose points make up the sheet's total (bonus adds on top; flags are worth nothing).
SCORED_KINDS = (AspectKind.MEASUREMENT, AspectKind.DEDUCTION, AspectKind.RATE)
GRADE_NAME_MAX = 40
MAX_GRADES = 10


# ------------------------------------------------------------------ reading


def sheet_of(competition: Competition) -> Component | None:
    """The competition's indicator sheet with its criteria and items loaded, or None."""
    return db.session.scalar(
        select(Component)
        .where(Component.competition_id == competition.id, Component.key == SHEET_KEY)
        .options(selectinload(Component.criteria).selectinload(RubricCriterion.aspects))
    )


def items_of(component: Component | None) -> list[Aspect]:
    if component is None:
        return []
    return [aspect for criterion in component.criteria for aspect in criterion.aspects]


def base_total(component: Component | None) -> Decimal:
    """What the scored items add up to: the sheet's full marks, bonus not counted."""
    return sum(
        (Decimal(a.max_points) for a in items_of(component) if a.kind in SCORED_KINDS),
        Decimal(0),
    )


def bonus_total(component: Component | None) -> Decimal:
    return sum(
        (Decimal(a.max_points) for a in items_of(component) if a.kind is AspectKind.BONUS),
        Decimal(0),
    )


def criterion_points(criterion: RubricCriterion) -> Decimal:
    """A 考评项目's points (its scored items; bonus not counted)."""
    return sum(
        (Decimal(a.max_points) for a in criterion.aspects if a.kind in SCORED_KINDS), Decimal(0)
    )


def sheet_total(marks: Mapping[Aspect, Decimal], bonus_cap: Decimal | None) -> tuple[int, Decimal]:
    """What one sheet's marks add up to: (items marked, points with the bonus capped).

    ``marks`` are checked values (``sheets.parse_value``) and the figures of items filled from
    data. The points come from ``scoring.round_scores`` over this one sheet — the maths that
    confirms a round — so the total a sheet page shows is the one its round result will have
    with this sheet alone, never a second reckoning of caps and rate steps.
    """
    if not marks:
        return 0, Decimal(0)
    frame = pd.DataFrame(
        [("sheet", "sheet", aspect.key, float(value)) for aspect, value in marks.items()],
        columns=["participant", "assessor", "item", "mark"],
    )
    scores = scoring.round_scores(
        frame,
        [scoring_item(aspect) for aspect in marks],
        bonus_cap=None if bonus_cap is None else float(bonus_cap),
    )
    line = scores.table.iloc[0]
    return int(line["marked"]), Decimal(str(float(line["total"])))


def sheet_problems(competition: Competition) -> list[str]:
    """What keeps the sheet from being assessed on, each a whole sentence (empty: usable)."""
    component = sheet_of(competition)
    items = items_of(component)
    if component is None or not items:
        return [_("还没有考核指标：请套用模板、逐项添加或从 Excel 导入")]
    problems: list[str] = []
    for criterion in component.criteria:
        if not criterion.aspects:
            problems.append(_("考评项目「%(name)s」下还没有考核内容", name=criterion.name))
    for aspect in items:
        for message in aspect_problems(aspect_data(aspect), LABOR_KINDS).values():
            problems.append(_("考核内容 %(key)s：%(message)s", key=aspect.key, message=message))
    total = base_total(component)
    if total <= 0:
        problems.append(_("考核指标没有计分项（加分项、否决项和必备项之外至少要有一项）"))
    for line, name in competition.grades or []:
        if Decimal(str(line)) > total:
            problems.append(
                _(
                    "等级「%(name)s」的分数线 %(line)s 高于考核指标满分 %(total)s",
                    name=name,
                    line=line,
                    total=format_points(total),
                )
            )
    return problems


def sheets_exist(competition: Competition) -> bool:
    """Whether a round that has left 自评中 holds score sheets (its marks fix the sheet)."""
    found = db.session.scalar(
        select(func.count(ScoreSheet.id))
        .join(Round, ScoreSheet.round_id == Round.id)
        .where(Round.competition_id == competition.id, Round.status != RoundStatus.SELF)
    )
    return bool(found)


def is_editable(competition: Competition) -> bool:
    return competition.status is not CompetitionStatus.FINISHED and not sheets_exist(competition)


def ensure_editable(competition: Competition) -> None:
    """Refuse a change of the sheet once a round has been assessed on it, or the competition
    has finished."""
    if competition.status is CompetitionStatus.FINISHED:
        raise RubricError(_("竞赛已结束，考核指标不能再修改"))
    if sheets_exist(competition):
        raise RubricError(_("已有轮次按现有考核指标考评打分，考核指标已锁定，不能再修改。"))


# ------------------------------------------------------------------ writes


def _ensure_sheet(competition: Competition) -> Component:
    component = sheet_of(competition)
    if component is None:
        component = Component(
            competition_id=competition.id,
            key=SHEET_KEY,
            name=SHEET_NAME,
            weight=Decimal(100),
            max_score=Decimal(0),
            position=0,
        )
        db.session.add(component)
        db.session.flush()
    return component


def _sync_total(component: Component) -> None:
    """Keep the sheet's full marks equal to its scored items."""
    db.session.flush()
    db.session.refresh(component)
    component.max_score = base_total(component)
    db.session.flush()


def _record(actor: User, competition: Competition, action: str, **values: Any) -> None:
    audit.record(actor, action, "competition", competition.id, **values)


def _keys(competition: Competition, excluding: Aspect | None = None) -> set[str]:
    return {
        key
        for key, aspect_id in db.session.execute(
            select(Aspect.key, Aspect.id).where(Aspect.competition_id == competition.id)
        )
        if excluding is None or aspect_id != excluding.id
    }


def _checked(
    competition: Competition, data: AspectData, excluding: Aspect | None = None
) -> AspectData:
    data = clean_aspect(data)
    problems = aspect_problems(data, LABOR_KINDS)
    if "key" not in problems and data.key in _keys(competition, excluding):
        problems["key"] = _("编号 %(key)s 已被使用", key=data.key)
    if problems:
        raise RubricError(next(iter(problems.values())), next(iter(problems)), problems)
    return data


def suggested_key(competition: Competition, criterion: RubricCriterion) -> str:
    """A free key for a new item of ``criterion``: its letter and the next number (B3)."""
    component = criterion.component
    index = next((i for i, c in enumerate(component.criteria) if c.id == criterion.id), 0)
    letter = string.ascii_uppercase[index % 26]
    used = _keys(competition)
    number = len(criterion.aspects) + 1
    while f"{letter}{number}" in used:
        number += 1
    return f"{letter}{number}"


def add_criterion(actor: User, competition: Competition, name: str) -> RubricCriterion:
    """A new 考评项目 at the end of the sheet (the sheet is created with the first one)."""
    ensure_editable(competition)
    name = check_criterion_name(name)
    component = _ensure_sheet(competition)
    position = max((c.position for c in component.criteria), default=-1) + 1
    criterion = RubricCriterion(component=component, name=name, position=position)
    db.session.add(criterion)
    db.session.flush()
    _record(
        actor, competition, "competition.indicators.criterion.create", after={"criterion": name}
    )
    return criterion


def rename_criterion(
    actor: User, competition: Competition, criterion: RubricCriterion, name: str
) -> None:
    ensure_editable(competition)
    name = check_criterion_name(name)
    before = {"criterion": criterion.name}
    criterion.name = name
    db.session.flush()
    _record(
        actor,
        competition,
        "competition.indicators.criterion.update",
        before=before,
        after={"criterion": name},
    )


def delete_criterion(actor: User, competition: Competition, criterion: RubricCriterion) -> None:
    """Remove a 考评项目 with its items."""
    ensure_editable(competition)
    component = criterion.component
    before = {
        "criterion": criterion.name,
        "aspects": [aspect_data(a).as_dict() for a in criterion.aspects],
    }
    component.criteria.remove(criterion)
    db.session.delete(criterion)
    _sync_total(component)
    _record(actor, competition, "competition.indicators.criterion.delete", before=before)


def add_item(
    actor: User, competition: Competition, criterion: RubricCriterion, data: AspectData
) -> Aspect:
    ensure_editable(competition)
    data = _checked(competition, data)
    position = max((a.position for a in criterion.aspects), default=-1) + 1
    aspect = Aspect(criterion=criterion, competition_id=competition.id, position=position)
    assign(aspect, data)
    db.session.add(aspect)
    _sync_total(criterion.component)
    _record(actor, competition, "competition.indicators.item.create", after=data.as_dict())
    return aspect


def update_item(actor: User, competition: Competition, aspect: Aspect, data: AspectData) -> None:
    ensure_editable(competition)
    data = _checked(competition, data, excluding=aspect)
    before = aspect_data(aspect).as_dict()
    assign(aspect, data)
    _sync_total(aspect.criterion.component)
    _record(
        actor,
        competition,
        "competition.indicators.item.update",
        before=before,
        after=data.as_dict(),
    )


def delete_item(actor: User, competition: Competition, aspect: Aspect) -> None:
    ensure_editable(competition)
    criterion = aspect.criterion
    before = aspect_data(aspect).as_dict()
    criterion.aspects.remove(aspect)
    db.session.delete(aspect)
    _sync_total(criterion.component)
    _record(actor, competition, "competition.indicators.item.delete", before=before)


def replace_sheet(
    actor: User,
    competition: Competition,
    plans: list[CriterionPlan],
    *,
    action: str,
    extra: dict[str, Any] | None = None,
) -> Component:
    """Replace the whole sheet with ``plans`` (a template, an import), keys checked unique."""
    ensure_editable(competition)
    seen: set[str] = set()
    for plan in plans:
        for item in plan.aspects:
            if item.key in seen:
                raise RubricError(_("编号 %(key)s 重复", key=item.key), "key")
            seen.add(item.key)
    component = _ensure_sheet(competition)
    before = component_data(component)
    write_criteria(component, plans)
    _sync_total(component)
    audit.record(
        actor,
        action,
        "competition",
        competition.id,
        before=before,
        after={**component_data(component), **(extra or {})},
    )
    return component


# ------------------------------------------------------------------ templates


def template_choices(competition: Competition) -> list[tuple[str, dict[str, Any]]]:
    """The built-in templates that suit the competition's kind, in their listed order."""
    return [
        (key, template)
        for key, template in builtin_templates().items()
        if competition.kind.value in template["kinds"]
    ]


def apply_template(actor: User, competition: Competition, key: str) -> Component:
    """Replace the sheet with a built-in template, with the template's bonus cap and, for a
    rating, its grades."""
    template = dict(template_choices(competition)).get(key)
    if template is None:
        raise RubricError(_("请选择适用于本竞赛类型的模板"), "template")
    data = template["data"]
    plans = plan_from_data(data, LABOR_KINDS)
    cap = data.get("bonus_cap")
    grades = [[str(line), str(name)] for line, name in data.get("grades") or []]
    component = replace_sheet(
        actor,
        competition,
        plans,
        action="competition.indicators.template",
        extra={"template": key, "bonus_cap": cap, "grades": grades},
    )
    competition.bonus_cap = None if cap in (None, "") else Decimal(str(cap))
    if grades or competition.is_rating:
        competition.grades = grades
    db.session.flush()
    return component


# ------------------------------------------------------------------ bonus cap and grades


def parse_grades(text: str) -> list[list[str]]:
    """Grades as typed, one a line, "90 五星" (a line and a name, highest first after sorting);
    raises RubricError on the ``grades`` field."""
    grades: list[tuple[Decimal, str]] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        line = line.replace("\u3000", " ").strip()
        if not line:
            continue
        parts = line.replace("：", " ").replace(":", " ").split(None, 1)
        if len(parts) != 2:
            raise RubricError(
                _("第 %(n)d 行应为分数线和等级名称，如「90 五星」", n=number), "grades"
            )
        raw, name = parts
        try:
            value = parse_decimal(
                raw.removesuffix("分"), minimum=Decimal(0), maximum=Decimal(10000)
            )
        except ValueError:
            raise RubricError(_("第 %(n)d 行的分数线应是数字", n=number), "grades") from None
        name = name.strip()
        if len(name) > GRADE_NAME_MAX or text_problem(name):
            raise RubricError(
                _("第 %(n)d 行的等级名称应为 1–%(max)d 个字", n=number, max=GRADE_NAME_MAX),
                "grades",
            )
        if any(value == other for other, _name in grades):
            raise RubricError(_("第 %(n)d 行的分数线与前面的等级相同", n=number), "grades")
        grades.append((value, name))
    if len(grades) > MAX_GRADES:
        raise RubricError(_("最多设置 %(n)d 个等级", n=MAX_GRADES), "grades")
    grades.sort(key=lambda grade: grade[0], reverse=True)
    return [[format_points(value), name] for value, name in grades]


def grades_text(competition: Competition) -> str:
    return "\n".join(f"{line} {name}" for line, name in competition.grades or [])


def set_rules(
    actor: User, competition: Competition, bonus_cap: Decimal | None, grades: list[list[str]]
) -> None:
    """The sheet's bonus cap (None: only each bonus item's own maximum) and a rating's grades.
    Locked with the sheet: a changed cap or line would change results already confirmed."""
    ensure_editable(competition)
    if bonus_cap is not None and not Decimal(0) <= bonus_cap <= Decimal(1000):
        raise RubricError(_("加分上限应在 0 到 1000 之间，不设请留空"), "bonus_cap")
    before = {
        "bonus_cap": format_points(competition.bonus_cap) or None,
        "grades": competition.grades or [],
    }
    competition.bonus_cap = bonus_cap
    competition.grades = grades
    db.session.flush()
    _record(
        actor,
        competition,
        "competition.indicators.rules",
        before=before,
        after={"bonus_cap": format_points(bonus_cap) or None, "grades": grades},
    )
