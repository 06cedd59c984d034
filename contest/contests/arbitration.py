"""The contest's arbitration panel page (仲裁组): the organizer names the judges who decide
appeals, and sees whose appeals each must stand aside from (the events they judge).
Writes go through ``contest.services.skills.arbitration``."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField

from contest.contests.base import load_contest, require_button
from contest.contests.blueprint import bp
from contest.extensions import db
from contest.models import Contest, User
from contest.services.skills import arbitration as arbitration_service
from contest.services.skills.review import ReviewError
from contest.ui.forms import ActionForm, CheckedForm


class ArbitratorForm(CheckedForm):
    user_id = SelectField(_l("评委账号"), coerce=int)

    def __init__(self, users: list[User], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user_id.choices = [
            (u.id, f"{u.name}（{u.organization.name if u.organization else '—'}）") for u in users
        ]


def _form(contest: Contest) -> ArbitratorForm:
    return ArbitratorForm(arbitration_service.candidates(contest), prefix="arb")


def _run(action: Callable[[], object], success: str) -> None:
    """Call the service, commit and say so, or roll back and say why."""
    try:
        action()
    except ReviewError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return
    db.session.commit()
    flash(success, "success")


def _back(contest: Contest):  # type: ignore[no-untyped-def]
    return redirect(url_for("contests.arbitration", contest_id=contest.id))


@bp.route("/<int:contest_id>/arbitration")
def arbitration(contest_id: int):  # type: ignore[no-untyped-def]
    contest = load_contest(contest_id)
    return render_template(
        "contests/arbitration.html",
        contest=contest,
        members=arbitration_service.arbitrators_of(contest),
        seats=arbitration_service.sits_on(contest),
        form=_form(contest),
        action_form=ActionForm(),
    )


@bp.route("/<int:contest_id>/arbitration", methods=["POST"])
def arbitration_add(contest_id: int):  # type: ignore[no-untyped-def]
    contest = load_contest(contest_id)
    form = _form(contest)
    if not form.validate_on_submit():
        flash(_("请选择要加入仲裁组的评委账号。"), "danger")
        return _back(contest)
    user = db.session.get(User, form.user_id.data) or abort(404)
    _run(
        lambda: arbitration_service.add_arbitrator(current_user, contest, user),
        _("已将 %(name)s 加入仲裁组。", name=user.name),
    )
    return _back(contest)


@bp.route("/<int:contest_id>/arbitration/<int:user_id>/remove", methods=["POST"])
def arbitration_remove(contest_id: int, user_id: int):  # type: ignore[no-untyped-def]
    contest = load_contest(contest_id)
    require_button()
    user = db.session.get(User, user_id) or abort(404)
    _run(
        lambda: arbitration_service.remove_arbitrator(current_user, contest, user),
        _("已将 %(name)s 移出仲裁组。", name=user.name),
    )
    return _back(contest)
