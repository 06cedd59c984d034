"""An event's rubric: the ``scoring`` view of it, its validation, and the builder's writes.

The rubric lives in the database as components → criteria (headings) → aspects (the lines judges
mark).  ``scoring`` knows only flat criteria with a component each; :func:`scoring_rubric` is the
one place that translation happens, so sheets, rankings and exports agree on keys and maxima.
"""

from __future__ import annotations

from sqlalchemy import select

import scoring
from contest.extensions import db
from contest.models.contest import Aspect, AspectKind, Component, Event, RubricCriterion


def event_aspects(event: Event) -> list[Aspect]:
    """The event's aspects in rubric order (component, criterion, aspect position)."""
    return list(
        db.session.scalars(
            select(Aspect)
            .join(RubricCriterion, Aspect.criterion_id == RubricCriterion.id)
            .join(Component, RubricCriterion.component_id == Component.id)
            .where(Aspect.event_id == event.id)
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


def scoring_rubric(event: Event) -> scoring.Rubric:
    """The event's rubric for ``scoring``: one Criterion per aspect, one Component per component.

    Judgement aspects are marked on their level scale and worth ``max_points``; measurement and
    deduction aspects are marked in points (a deduction is converted to ``max − deduction`` by
    ``marks_frame`` before it reaches ``scoring``).  Raises ``scoring.PolicyError`` when the
    rubric is unusable (no aspects, a judgement aspect without a scale).
    """
    components = []
    criteria = []
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
        for criterion in component.criteria:
            for aspect in criterion.aspects:
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
