"""What the organizers' view modules share: loading a contest or event with its permission
check, showing a service's refusal on the form, the one-button POST check, and the header of
the registration, draw and panel pages.

Every page of the area starts the same way — load (404), authorize with ``Contest.can_manage``
(403) — so the loaders here are the only place that check is written.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from flask_wtf import FlaskForm

from contest.extensions import db
from contest.models import Contest, Event
from contest.services.skills.contests import ContestError
from contest.services.skills.registration import entry_counts
from contest.services.skills.rubrics import RubricError
from contest.ui.forms import ActionForm

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def load_contest(contest_id: int) -> Contest:
    """The contest, 404 when unknown, 403 when the user does not manage it."""
    contest = db.session.get(Contest, contest_id) or abort(404)
    if not contest.can_manage(current_user):
        abort(403)
    return contest


def load_event(contest_id: int, event_id: int) -> tuple[Contest, Event]:
    """The contest and one of its events; 404 for an event of another contest."""
    contest = load_contest(contest_id)
    event = db.session.get(Event, event_id)
    if event is None or event.contest_id != contest.id:
        abort(404)
    return contest, event


def require_button() -> None:
    """A one-button POST (delete, check in, remove): 400 unless its CSRF token is valid."""
    if not ActionForm().validate_on_submit():
        abort(400)


def put_error(form: FlaskForm, error: ContestError | RubricError) -> None:
    """Show a service error on the fields it names (a RubricError may name several; the
    services' "theory-weight" is the form's ``theory_weight``), else at the top of the form."""
    problems = error.problems if isinstance(error, RubricError) else {}
    for name, message in (problems or {error.field or "": error.message}).items():
        field = getattr(form, name.replace("-", "_"), None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def page_context(contest: Contest, event: Event | None, tab: str) -> dict[str, object]:
    """What the shared header of the registration, draw and panel pages shows."""
    return {
        "contest": contest,
        "event": event,
        "tab": tab,
        "counts": entry_counts(contest),
    }
