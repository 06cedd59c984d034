"""The arbitration panel's pages (仲裁组, DOMAIN §1.8): the appeals its members decide.

An arbitrator is a judge account named to a contest's arbitration panel; they are not the
event's overseers, so these pages do not use the review pages' ``can_oversee`` guard but
``arbitration.refusal``: a member of the contest's panel who does not sit on the event's
judging panel. The rules live in ``contest.services.skills.arbitration`` and ``appeals``.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.extensions import db
from contest.models import Appeal, AppealStatus, Entry, User
from contest.review.blueprint import bp
from contest.review.forms import DecideForm
from contest.review.views import _fail, _form_errors
from contest.services.skills import appeals as appeal_service
from contest.services.skills import arbitration, judging
from contest.services.skills.review import ReviewError


def home_section(user: User) -> dict[str, Any] | None:
    """An arbitrator's home gets a "仲裁组" section: their contests and the appeals waiting."""
    docket = arbitration.docket(user)
    return {"contests": docket} if docket else None


@bp.route("/arbitration")
def arbitration_index():  # type: ignore[no-untyped-def]
    """Every appeal of the contests the user arbitrates, to decide where they may."""
    docket = arbitration.docket(current_user)
    if not docket:
        abort(403)
    return render_template(
        "review/arbitration.html", docket=docket, decide=DecideForm(formdata=None)
    )


@bp.route("/arbitration/entries/<int:entry_id>")
def appealed_marks(entry_id: int):  # type: ignore[no-untyped-def]
    """An appealed entry's score sheets, read-only, for an arbitrator who may decide the appeal
    (the rule: ``access.can_read_appealed_marks``); 403 for anyone else. The entry is shown by
    code, its name only after sign-off, as on the chief judge's entry page."""
    entry = db.session.get(Entry, entry_id) or abort(404)
    try:
        marks = arbitration.appealed_marks(current_user, entry)
    except ReviewError:
        abort(403)
    event = entry.event
    return render_template(
        "review/arbitration_marks.html",
        marks=marks,
        entry=entry,
        event=event,
        view=marks.view,
        row=marks.row,
        item=marks.recheck,
        total=marks.total,
        appeals=[a for a in appeal_service.appeals_of(event) if a.entry_id == entry.id],
        names_visible=marks.view.names_visible,
        num=judging.number,
    )


@bp.route("/arbitration/appeals/<int:appeal_id>", methods=["POST"])
def arbitrate(appeal_id: int):  # type: ignore[no-untyped-def]
    """Decide one appeal (final), with a reason; refused (403) to anyone but an arbitrator of
    the contest who is not on the event's judging panel."""
    appeal = db.session.get(Appeal, appeal_id) or abort(404)
    back = redirect(url_for("review.arbitration_index") + f"#appeal-{appeal.id}")
    form = DecideForm()
    if not form.validate():
        _form_errors(form)
        return back
    try:
        appeal_service.decide_appeal(
            current_user,
            appeal,
            upheld=form.decision.data == "upheld",
            reason=form.reason.data or "",
        )
    except ReviewError as error:
        _fail(error)
        return back
    db.session.commit()
    if appeal.status is AppealStatus.UPHELD:
        flash(_("申诉成立。更正分数由裁判长在该选手的评分页中进行。"), "success")
    else:
        flash(_("已驳回申诉。"), "success")
    return back
