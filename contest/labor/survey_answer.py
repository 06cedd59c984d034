"""The 会员评家 phone page: ``/s/<code>`` (the QR code on a slip) and ``/s`` (type the code).

Public and without login — a member has a slip, not an account — so it lives on a blueprint of
its own outside ``/labor`` with the short address a slip can print. It is still a form of this
site: the answer POST carries the CSRF token of the visitor's session like every other form.

What the page never does: show who answered or what anyone answered, write an audit entry, log
a code, or let a cache keep a copy (every answer is ``no-store``). A refused code (unknown, used,
of a closed survey) gets the code box again with a plain Chinese reason; unknown codes count
against the visitor's address (``contest.services.labor.surveys``).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.models import Survey
from contest.services.labor import surveys
from contest.services.labor.surveys import CHOICE_LABELS, CHOICES, AnswerRefused

bp = Blueprint("survey", __name__, url_prefix="/s")

# The HTTP status of each refusal (the page is the same: the reason and the code box).
STATUS = {
    "format": 400,
    "unknown": 404,
    "used": 409,
    "closed": 410,
    "locked": 429,
    "incomplete": 400,
    "changed": 409,
}


@bp.after_request
def _no_store(response: Response) -> Response:
    """A phone shared in a family, a proxy at work: nothing of a survey page is kept."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused(error: AnswerRefused, typed: str = "") -> tuple[str, int]:
    return (
        render_template("labor/survey_start.html", error=error.message, typed=typed[:40]),
        STATUS.get(error.reason, 400),
    )


@bp.route("", methods=["GET"])
def start() -> Response | str | tuple[str, int]:
    """The code box; a typed code goes to its answer page."""
    typed = request.args.get("code")
    if typed is None:
        return render_template("labor/survey_start.html", error=None, typed="")
    code = surveys.normalise_code(typed)
    if code is None:
        return _refused(surveys.format_refusal(), typed)
    return redirect(url_for("survey.answer", code=code))


@bp.route("/thanks")
def thanks() -> str:
    return render_template("labor/survey_thanks.html")


def _answers(count: int) -> dict[int, str]:
    """Question index → choice from the posted ``q1``…``qN`` (anything else is ignored)."""
    found = {}
    for index in range(count):
        value = request.form.get(f"q{index + 1}")
        if value in CHOICES:
            found[index] = value
    return found


def _page(survey: Survey, code: str, chosen: dict[int, str], error: str | None) -> str:
    competition = survey.participant.competition
    return render_template(
        "labor/survey_answer.html",
        survey=survey,
        competition=competition,
        union=survey.participant.name,
        code=code,
        shown_code=surveys.format_code(code),
        version=surveys.questions_version(survey.questions),
        choices=[(value, CHOICE_LABELS[value]) for value in CHOICES],
        chosen=chosen,
        error=error,
    )


@bp.route("/<code>", methods=["GET", "POST"])
def answer(code: str) -> Response | str | tuple[str, int]:
    canonical = surveys.normalise_code(code)
    if canonical is not None and canonical != code:
        return redirect(url_for("survey.answer", code=canonical))
    address = request.remote_addr
    try:
        found, survey = surveys.find_open(code, address)
    except AnswerRefused as error:
        return _refused(error, code)
    if request.method == "GET":
        return _page(survey, found, {}, None)
    chosen = _answers(len(survey.questions))
    try:
        surveys.submit(found, chosen, request.form.get("version", ""), address)
    except AnswerRefused as error:
        db.session.rollback()
        if error.reason == "incomplete":
            return _page(survey, found, chosen, error.message), 400
        if error.reason == "changed":
            fresh = db.session.get(Survey, survey.id) or abort(404)
            return _page(fresh, found, {}, error.message), 409
        return _refused(error, code)
    db.session.commit()
    return redirect(url_for("survey.thanks"))


__all__ = ["bp"]
