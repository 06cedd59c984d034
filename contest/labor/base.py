"""What the organizers' set-up pages share: the role guard, loading a competition (404) with
its permission check (403) and its parts (404 for another competition's), showing a
service's refusal on the form, the one-button POST check, and the tabs of the header.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from flask_wtf import FlaskForm

from contest.extensions import db
from contest.models import (
    Aspect,
    Assessor,
    Competition,
    Participant,
    ParticipantMember,
    Role,
    Round,
    RubricCriterion,
    Track,
)
from contest.security.guards import roles_required
from contest.services.assessment.items import RubricError, format_points
from contest.services.labor.base import LaborError
from contest.ui.forms import ActionForm

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_MAX_BYTES = 5 * 1024 * 1024

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

# Every set-up view: signed in as an admin or an organizer (scope is checked per competition).
organizer_view: Callable[[F], F] = roles_required(Role.ADMIN, Role.ORGANIZER)


def load_competition(competition_id: int) -> Competition:
    """The competition, 404 when unknown, 403 when the user does not manage it."""
    competition = db.session.get(Competition, competition_id) or abort(404)
    if not competition.can_manage(current_user):
        abort(403)
    return competition


def _owned(model: type[T], item_id: int, competition: Competition) -> T:
    item = db.session.get(model, item_id)
    if item is None or getattr(item, "competition_id", None) != competition.id:
        abort(404)
    return item


def load_track(competition: Competition, track_id: int) -> Track:
    return _owned(Track, track_id, competition)


def load_participant(competition: Competition, participant_id: int) -> Participant:
    return _owned(Participant, participant_id, competition)


def load_round(competition: Competition, round_id: int) -> Round:
    return _owned(Round, round_id, competition)


def load_assessor(competition: Competition, assessor_id: int) -> Assessor:
    return _owned(Assessor, assessor_id, competition)


def load_item(competition: Competition, aspect_id: int) -> Aspect:
    return _owned(Aspect, aspect_id, competition)


def load_member(participant: Participant, member_id: int) -> ParticipantMember:
    member = db.session.get(ParticipantMember, member_id)
    if member is None or member.participant_id != participant.id:
        abort(404)
    return member


def load_criterion(competition: Competition, criterion_id: int) -> RubricCriterion:
    criterion = db.session.get(RubricCriterion, criterion_id)
    if criterion is None or criterion.component.competition_id != competition.id:
        abort(404)
    return criterion


def plain(value: Decimal | None) -> Decimal | None:
    """A stored number as a form shows it: 5, not 5.00 (the column's scale)."""
    return None if value is None else Decimal(format_points(value))


def require_button() -> None:
    """A one-button POST (delete, withdraw, remove): 400 unless its CSRF token is valid."""
    if not ActionForm().validate_on_submit():
        abort(400)


def put_error(form: FlaskForm, error: LaborError | RubricError) -> None:
    """Show a service's refusal on the fields it names, else at the top of the form."""
    problems = error.problems if isinstance(error, RubricError) else {}
    for name, message in (problems or {error.field or "": error.message}).items():
        field = getattr(form, name, None) if name else None
        if field is None and name:
            field = getattr(form, f"{name}_id", None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
    if isinstance(error, LaborError):
        form.form_errors.extend(error.problems)
