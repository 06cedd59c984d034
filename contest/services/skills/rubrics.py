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

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import scoring
from contest.extensions import db
from contest.models import User
from contest.models.contest import (
    SKILLS_ASPECT_KINDS,
    Aspect,
    AspectKind,
    Component,
    ContestStatus,
    Event,
    RubricCriterion,
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
    owned_aspects,
    write_criteria,
)
from contest.services.core import audit

EDITABLE_STATUSES = (ContestStatus.DRAFT, ContestStatus.REGISTRATION)
# ------------------------------------------------------------------ reading


def event_aspects(event: Event | int) -> list[Aspect]:
    """The event's aspects in rubric order (see ``assessment.items.owned_aspects``)."""
    return owned_aspects(Aspect.event_id, event if isinstance(event, int) else event.id)


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
        for message in aspect_problems(aspect_data(aspect), SKILLS_ASPECT_KINDS).values():
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
    problems = aspect_problems(data, SKILLS_ASPECT_KINDS)
    if "key" not in problems and data.key in _event_keys(event, excluding):
        problems["key"] = _("编号 %(key)s 在本赛项中已被使用", key=data.key)
    if problems:
        raise RubricError(next(iter(problems.values())), next(iter(problems)), problems)
    return data


def add_criterion(actor: User, component: Component, name: str) -> RubricCriterion:
    event = component.event
    ensure_editable(event)
    name = check_criterion_name(name)
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
    name = check_criterion_name(name)
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
    assign(aspect, data)
    db.session.add(aspect)
    db.session.flush()
    audit.record(actor, "rubric.aspect.create", "event", event.id, after=data.as_dict())
    return aspect


def update_aspect(actor: User, aspect: Aspect, data: AspectData) -> Aspect:
    event = aspect.criterion.component.event
    ensure_editable(event)
    data = _check_aspect(event, data, excluding=aspect)
    before = aspect_data(aspect).as_dict()
    assign(aspect, data)
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


# ------------------------------------------------------------------ whole-component data


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
    write_criteria(component, plans)
    audit.record(
        actor,
        action,
        "event",
        event.id,
        before={"component": component.key, **before},
        after={"component": component.key, **component_data(component)},
        reason=reason,
    )
