"""What the self-assessment page and the assessor's sheet share: loading a round's participant
(404 for another competition's), the items as the sheet shows them — grouped under their
考评项目, each with the value to show (stored, or what was just typed), its message, and for a
rate filled from data the figure and its points — and handling a sheet's post: a save, the
page of its refusal (stale, wrong values, not allowed), and the confirmation step without
JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, request
from flask_babel import gettext as _

from contest.extensions import db
from contest.labor.base import load_participant, load_round
from contest.labor.round_forms import SheetPostForm, posted_marks
from contest.models import Aspect, Competition, Participant, Round, RubricCriterion
from contest.services.assessment.sheets import (
    MarkErrors,
    NotAllowed,
    SheetError,
    StaleSheet,
    number,
    parse_value,
    points_of,
)
from contest.services.labor.indicators import SCORED_KINDS, sheet_total
from contest.services.labor.rates import RateFigure
from contest.services.labor.scoring import EvidenceFile, data_figure
from contest.ui.errors import render_error


def load_subject(
    competition_id: int, round_id: int, participant_id: int
) -> tuple[Round, Participant]:
    """The round and participant of the URL; 404 when either is not the competition's."""
    competition = db.session.get(Competition, competition_id) or abort(404)
    return load_round(competition, round_id), load_participant(competition, participant_id)


@dataclass
class ItemRow:
    aspect: Aspect
    value: str | None = None
    error: str | None = None
    attempted: object = None
    figure: RateFigure | None = None
    # the participant's own column (the assessor's sheet)
    self_mark: Decimal | None = None
    self_points: Decimal | None = None
    note: str = ""
    evidence: list[EvidenceFile] = field(default_factory=list)

    @property
    def typed(self) -> bool:
        return not self.aspect.source

    @property
    def figure_points(self) -> Decimal | None:
        if self.figure is None or self.figure.value is None:
            return None
        return points_of(self.aspect, self.figure.value)

    @property
    def field_name(self) -> str:
        return f"m_{self.aspect.id}"

    def shows_attempt(self) -> bool:
        """A value typed in a refused (stale) save that differs from what is stored."""
        return self.attempted not in (None, "") and str(self.attempted) != (self.value or "")


@dataclass
class Group:
    criterion: RubricCriterion
    rows: list[ItemRow] = field(default_factory=list)

    @property
    def max_points(self) -> Decimal:
        return sum(
            (Decimal(r.aspect.max_points) for r in self.rows if r.aspect.kind in SCORED_KINDS),
            Decimal(0),
        )

    @property
    def subtotal(self) -> Decimal:
        return running_total([self], None)[1]


def shown(value: Decimal | None) -> str | None:
    return None if value is None else str(number(value))


def item_groups(
    items: Sequence[Aspect],
    participant: Participant,
    *,
    values: Mapping[str, Any],
    problems: Mapping[str, str] | None = None,
    attempted: Mapping[str, object] | None = None,
    notes: Mapping[int, str] | None = None,
    evidence: Mapping[int, list[EvidenceFile]] | None = None,
) -> list[Group]:
    """The sheet's items under their 考评项目, in sheet order. ``values`` by item key (stored
    Decimals or posted text), notes and evidence by item id."""
    groups: list[Group] = []
    for aspect in items:
        if not groups or groups[-1].criterion.id != aspect.criterion_id:
            groups.append(Group(aspect.criterion))
        raw = values.get(aspect.key)
        row = ItemRow(
            aspect,
            value=shown(raw)
            if isinstance(raw, Decimal)
            else (None if raw in (None, "") else str(raw)),
            error=(problems or {}).get(aspect.key),
            attempted=(attempted or {}).get(aspect.key),
            note=(notes or {}).get(aspect.id, ""),
            evidence=list((evidence or {}).get(aspect.id, [])),
        )
        if aspect.source:
            row.figure = data_figure(aspect, participant)
        groups[-1].rows.append(row)
    return groups


def running_total(groups: Sequence[Group], bonus_cap: Decimal | None) -> tuple[int, Decimal]:
    """What the page shows before sheet.js takes over: the items with a valid value (or a
    figure from data) and their points with the bonus capped (``indicators.sheet_total``)."""
    marks: dict[Aspect, Decimal] = {}
    for group in groups:
        for row in group.rows:
            if not row.typed:
                value = row.figure.value if row.figure is not None else None
            else:
                value, problem = parse_value(row.aspect, row.value)
                value = None if problem else value
            if value is not None:
                marks[row.aspect] = Decimal(value)
    return sheet_total(marks, bonus_cap)


def totals_context(groups: Sequence[Group], competition: Competition) -> dict[str, Any]:
    """The counts the sheet's progress bar starts from (sheet.js keeps them up to date)."""
    rows = [row for group in groups for row in group.rows]
    return {
        "running": running_total(groups, competition.bonus_cap),
        "item_count": sum(1 for r in rows if r.typed or r.figure_points is not None),
        "base_total": sum(
            (Decimal(r.aspect.max_points) for r in rows if r.aspect.kind in SCORED_KINDS),
            Decimal(0),
        ),
    }


def other_problems(problems: Mapping[str, str], items: Sequence[Aspect]) -> list[str]:
    """The messages that belong to no item (a removed file that was not there …)."""
    keys = {a.key for a in items}
    return [message for key, message in problems.items() if key not in keys]


class Labels:
    """Texts sheet.js shows (translated with the rest)."""

    @staticmethod
    def config(confirm_text: str) -> dict[str, str]:
        return {
            "confirm": confirm_text,
            "leave": _("评分表有未保存的修改，确定离开吗？"),
            "errors": _("有 %(n)s 处需要更正", n="__N__"),
            "incomplete": _(
                "还有 %(n)s 项未填写，填写完整后才能提交：%(keys)s", n="__N__", keys="__KEYS__"
            ),
        }


# ---------------------------------------------------------------- a sheet's post


@dataclass
class SheetPost:
    """What a sheet page posted: the values by item key, and which button."""

    form: Any
    values: dict[str, object]
    wants_submit: bool
    confirmed: bool

    @property
    def submit(self) -> bool:
        """Submit now: asked in the browser (sheet.js) or on the page's confirmation box."""
        return self.wants_submit and self.confirmed


def read_post(items: Sequence[Aspect]) -> SheetPost | None:
    """The post of a sheet page, or None when its form expired (the CSRF token, a version
    that is not a number)."""
    form = SheetPostForm()
    if not form.validate_on_submit():
        return None
    action = request.form.get("action", "save")
    return SheetPost(
        form,
        posted_marks(items),
        wants_submit=action in ("submit", "submit-confirmed"),
        confirmed=action == "submit-confirmed" or form.confirmed.data == "1",
    )


def save_or_page(
    save: Callable[[], object],
    render: Callable[..., Any],
    url: str,
    post: SheetPost,
    **kept: Any,
) -> Any | None:
    """Run ``save`` and commit; None when it saved, else the page that says why (a stale form
    shows what is stored beside what was typed, wrong values their messages; ``kept`` is
    passed to ``render`` with the typed values). Nothing is stored when it is refused."""
    try:
        save()
    except StaleSheet as error:
        db.session.rollback()
        flash(error.message, "warning")
        return render(attempted=post.values, status=409)
    except MarkErrors as error:
        db.session.rollback()
        flash(kept.pop("message", None) or error.message, "danger")
        return render(values=post.values, problems=error.problems, status=422, **kept)
    except NotAllowed as error:
        db.session.rollback()
        return render_error(403, error.message)
    except SheetError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url)
    db.session.commit()
    return None


def confirm_step(
    items: Sequence[Aspect], stored: Mapping[str, Decimal], render: Callable[..., Any]
) -> Any:
    """Without JavaScript, 提交 saves a draft first and asks again: a complete sheet gets a
    confirmation box, an incomplete one the missing items."""
    missing = {a.key: _("提交前请填写此项") for a in items if stored.get(a.key) is None}
    if missing:
        flash(_("草稿已保存。还有未填写的项目，填写完整后才能提交。"), "warning")
        return render(problems=missing, status=422)
    flash(_("草稿已保存。请核对后确认提交。"), "info")
    return render(confirm=True)
