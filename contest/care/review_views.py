"""动态管理复核: the review rounds a union starts over its living honorees, each file's verdict
and closing (issue #14 item 4).

Thin views over :mod:`contest.services.care.reviews`: load (404 for a round the user does not
see, whose existence is not confirmed), call the service, commit once, flash, redirect. A round
lists only the files of the user's scope; a 建议撤销 leads to a new revocation case.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from contest.care.blueprint import bp
from contest.care.review_forms import OutcomeForm, StartRoundForm, put_error
from contest.extensions import db
from contest.models import Organization, ReviewOutcome, ReviewRound, ReviewStatus, ReviewVerdict
from contest.services.care import due, reviews, settings
from contest.services.care.reviews import ReviewError
from contest.services.care.revocations import valid_honors_of
from contest.services.honors.validity import today
from contest.ui import confirm
from contest.ui.confirm import Consequence
from contest.ui.forms import ActionForm
from contest.ui.params import page_number
from contest.validation import db_int


def _round(round_id: int) -> ReviewRound:
    found = db.session.get(ReviewRound, round_id)
    if found is None or not reviews.may_view(current_user, found):
        abort(404)
    return found


def close_consequence(round_: ReviewRound) -> Consequence:
    counts = reviews.progress([round_])[round_.id]
    return Consequence(
        title=_("结束“%(name)s”？", name=round_.name),
        text=_(
            "共 %(n)d 份档案：合格 %(ok)d，需关注 %(attention)d，建议撤销 %(revoke)d。"
            "结束后不能再登记或修改结论。",
            n=counts.total,
            ok=counts.ok,
            attention=counts.attention,
            revoke=counts.revoke,
        ),
        action=_("结束复核"),
    )


def _start_form() -> StartRoundForm:
    form = StartRoundForm()
    form.organization_id.choices = [
        SelectChoice(org.id, "　" * org.depth + org.name) for org in due.org_choices(current_user)
    ]
    if request.method == "GET":
        form.year.data = today().year
    return form


def _index(form: StartRoundForm, status: int = 200) -> tuple[str, int]:
    rounds = reviews.rounds_for(current_user)
    return render_template(
        "care/reviews.html",
        rounds=rounds,
        progress=reviews.progress(rounds, current_user),
        form=form,
        review_years=settings.review_years(),
    ), status


@bp.route("/reviews", endpoint="reviews")
def reviews_index() -> tuple[str, int]:
    return _index(_start_form())


@bp.route("/reviews", methods=["POST"])
def reviews_start() -> Response | tuple[str, int]:
    form = _start_form()
    if not form.validate_on_submit():
        return _index(form, 400)
    org = db.session.get(Organization, form.organization_id.data or 0)
    try:
        started = reviews.start_round(
            current_user, org, form.year.data, form.name.data, form.due_on.data
        )
    except ReviewError as error:
        db.session.rollback()
        put_error(form, error)
        return _index(form, 400)
    db.session.commit()
    flash(
        _("已发起“%(name)s”，共 %(n)d 份档案待复核。", name=started.round.name, n=started.files),
        "success",
    )
    flash(started.timing, "warning" if started.early else "info")
    return redirect(url_for("care.review", round_id=started.round.id))


def _round_page(
    round_: ReviewRound, forms: dict[int, OutcomeForm] | None = None, status: int = 200
) -> tuple[str, int]:
    show = "all" if request.args.get("show") == "all" else "pending"
    page = page_number()
    rows, total = reviews.outcomes(round_, current_user, pending_only=show == "pending", page=page)
    forms = dict(forms or {})
    for outcome in rows:
        if outcome.id not in forms:
            form = OutcomeForm(prefix=f"o{outcome.id}", formdata=None)
            form.verdict.data = outcome.verdict.value if outcome.verdict else None
            form.note.data = outcome.note or ""
            forms[outcome.id] = form
    suggested = {o.id: valid_honors_of(o.file) for o in rows if o.verdict is ReviewVerdict.REVOKE}
    return render_template(
        "care/review.html",
        round=round_,
        rows=rows,
        total=total,
        page=page,
        per_page=reviews.PER_PAGE,
        show=show,
        forms=forms,
        suggested=suggested,
        progress=reviews.progress([round_], current_user)[round_.id],
        is_open=round_.status is ReviewStatus.OPEN,
        may_close=reviews.may_close(current_user, round_),
        consequence=close_consequence(round_),
        action_form=ActionForm(),
    ), status


@bp.route("/reviews/<int:round_id>")
def review(round_id: int) -> tuple[str, int]:
    return _round_page(_round(round_id))


@bp.route("/reviews/<int:round_id>/outcomes/<int:outcome_id>", methods=["POST"])
def review_outcome(round_id: int, outcome_id: int) -> Response | tuple[str, int]:
    round_ = _round(round_id)
    outcome = db.session.get(ReviewOutcome, outcome_id)
    if outcome is None or outcome.round_id != round_.id:
        abort(404)
    form = OutcomeForm(prefix=f"o{outcome.id}")
    show = "all" if request.form.get("show") == "all" else None
    page = request.form.get("page", type=db_int) or None
    if not form.validate_on_submit():
        return _round_page(round_, {outcome.id: form}, 400)
    try:
        reviews.record_outcome(current_user, outcome, form.verdict.data, form.note.data)
    except ReviewError as error:
        db.session.rollback()
        put_error(form, error)
        return _round_page(round_, {outcome.id: form}, 400)
    db.session.commit()
    name = outcome.file.person.name
    flash(
        _("已登记%(name)s的复核结论：%(verdict)s。", name=name, verdict=outcome.verdict.label),
        "success",
    )
    return redirect(url_for("care.review", round_id=round_.id, show=show, page=page))


@bp.route("/reviews/<int:round_id>/close", methods=["POST"])
def review_close(round_id: int) -> Any:
    round_ = _round(round_id)
    back = url_for("care.review", round_id=round_.id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not confirm.confirmed():
        return confirm.ask(close_consequence(round_), back)
    try:
        reviews.close_round(current_user, round_)
    except ReviewError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back)
    db.session.commit()
    flash(_("“%(name)s”已结束。", name=round_.name), "success")
    return redirect(back)
