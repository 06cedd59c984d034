"""The score sheet: a form class built from the rubric (one field per aspect the judge marks).

Judgement aspects are radio buttons 0..scale with their descriptors; measurement and deduction
aspects are number inputs carrying min/max/step, so the browser checks ranges before sending.
The server checks everything again in ``contest.services.skills.judging`` (the single source of the
rules); the form only carries the values, the version the page was built from and the action.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import Field, HiddenField, IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput, NumberInput

from contest.models import Aspect, AspectKind, Component, RubricCriterion
from contest.services.skills.judging import number, points_of, validate_values
from contest.ui.forms import CheckedForm


def field_name(aspect: Aspect) -> str:
    # Aspect keys are free text ("A1", "1.2"); field names must be safe HTML and Python names.
    return f"m_{aspect.id}"


@dataclass
class CriterionGroup:
    criterion: RubricCriterion
    rows: list[tuple[Aspect, Field]] = field(default_factory=list)

    @property
    def max_points(self) -> Decimal:
        return sum((Decimal(a.max_points) for a, _f in self.rows), Decimal(0))


@dataclass
class ComponentGroup:
    component: Component
    criteria: list[CriterionGroup] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[Aspect, Field]]:
        return [row for criterion in self.criteria for row in criterion.rows]

    @property
    def max_points(self) -> Decimal:
        return sum((c.max_points for c in self.criteria), Decimal(0))

    @property
    def points(self) -> Decimal:
        """The subtotal of what is entered (empty or invalid values count 0)."""
        return sum((entered_points(a, f) or Decimal(0) for a, f in self.rows), Decimal(0))


def entered_points(aspect: Aspect, mark_field: Field) -> Decimal | None:
    """What the value in ``mark_field`` is worth, None when it is empty or not a valid mark."""
    parsed, problems = validate_values([aspect], {aspect.key: mark_field.data})
    value = parsed.get(aspect.key)
    return None if problems or value is None else points_of(aspect, value)


class SheetForm(CheckedForm):
    """Base of the generated sheet forms; ``aspects`` is set on each generated class."""

    aspects: ClassVar[list[Aspect]] = []
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    # Set by sheet.js once the judge confirmed the submission in the browser.
    confirmed = HiddenField()

    def field_for(self, aspect: Aspect) -> Field:
        return self[field_name(aspect)]

    def values(self) -> dict[str, object]:
        """The entered values keyed by aspect key (None/"" clears a mark)."""
        return {a.key: self.field_for(a).data for a in self.aspects}

    def fill(self, marks: Mapping[str, Decimal]) -> None:
        """Show stored marks (after a refused stale save: what is stored, not what was sent)."""
        for aspect in self.aspects:
            value = marks.get(aspect.key)
            self.field_for(aspect).data = None if value is None else str(number(value))

    def add_errors(self, problems: Mapping[str, str]) -> None:
        by_key = {a.key: a for a in self.aspects}
        for key, message in problems.items():
            if key in by_key:
                self.field_for(by_key[key]).errors = [message]
            else:
                self.form_errors.append(message)

    def level_points(self, aspect: Aspect, level: object) -> int | float:
        """Points a judgement level is worth (sheet.js sums these, so it never re-derives the
        server's formula)."""
        return number(points_of(aspect, Decimal(str(level))))

    def filled(self) -> int:
        return sum(1 for a in self.aspects if entered_points(a, self.field_for(a)) is not None)

    def errored(self) -> list[Aspect]:
        """The aspects with a message (the summary at the top links to each), in rubric order."""
        return [a for a in self.aspects if self.field_for(a).errors]

    def groups(self) -> list[ComponentGroup]:
        """The fields under their component and criterion headings, in rubric order."""
        components: list[ComponentGroup] = []
        for aspect in self.aspects:
            criterion = aspect.criterion
            if not components or components[-1].component.id != criterion.component_id:
                components.append(ComponentGroup(criterion.component))
            criteria = components[-1].criteria
            if not criteria or criteria[-1].criterion.id != criterion.id:
                criteria.append(CriterionGroup(criterion))
            criteria[-1].rows.append((aspect, self.field_for(aspect)))
        return components


def _field(aspect: Aspect) -> Field:
    if aspect.kind is AspectKind.JUDGEMENT:
        scale = int(aspect.scale or 0)
        descriptors = list(aspect.descriptors or [])
        choices = [
            SelectChoice(str(level), descriptors[level] if level < len(descriptors) else "")
            for level in range(scale + 1)
        ]
        # Choices are checked by the service (one message catalogue for pages and the API).
        return RadioField(aspect.name, choices=choices, validate_choice=False)
    return StringField(
        aspect.name,
        widget=NumberInput(
            step=str(number(aspect.mark_step)), min=0, max=str(number(aspect.mark_max))
        ),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


def sheet_form_class(aspects: list[Aspect]) -> type[SheetForm]:
    """A SheetForm subclass with one field per aspect (in rubric order)."""
    attrs: dict[str, Any] = {"aspects": list(aspects)}
    for aspect in aspects:
        attrs[field_name(aspect)] = _field(aspect)
    return type("ScoreSheetForm", (SheetForm,), attrs)


class ConfirmLabels:
    """Texts sheet.js shows (kept here so they are translated with the rest)."""

    submit = _l("提交后评分表将锁定，不能再修改（需裁判长重新开放）。确定提交吗？")
    leave = _l("评分表有未保存的修改，确定离开吗？")
