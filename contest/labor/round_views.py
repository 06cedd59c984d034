"""The 轮次 tab: the rounds, a schedule generated between the competition's dates (monthly,
half-monthly, quarterly, one round, or milestones typed by hand), and add/edit/delete.

Thin views over ``contest.services.labor.rounds``.
"""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.labor import confirmations
from contest.labor.base import (
    load_competition,
    load_round,
    organizer_view,
    plain,
    put_error,
    require_button,
)
from contest.labor.blueprint import bp
from contest.labor.forms import RoundForm, ScheduleForm
from contest.labor.views import header_counts
from contest.models import Competition, Round
from contest.services.labor import rounds as service
from contest.services.labor.base import LaborError
from contest.services.labor.rounds import RoundData
from contest.ui import confirm
from contest.ui.forms import ActionForm


def _rounds_url(competition: Competition) -> str:
    return url_for("labor.rounds", competition_id=competition.id)


def _page(competition: Competition, schedule_form: ScheduleForm, round_form: RoundForm) -> str:
    return render_template(
        "labor/rounds.html",
        competition=competition,
        tab="rounds",
        counts=header_counts(competition),
        schedule_form=schedule_form,
        round_form=round_form,
        sheets=service.sheet_counts(competition),
        action_form=ActionForm(),
        open=competition.status.value != "finished",
    )


@bp.route("/<int:competition_id>/rounds", endpoint="rounds")
@organizer_view
def round_list(competition_id: int) -> str:
    competition = load_competition(competition_id)
    return _page(competition, ScheduleForm(prefix="s"), RoundForm(prefix="r"))


@bp.route("/<int:competition_id>/rounds/schedule", methods=["POST"])
@organizer_view
def round_schedule(competition_id: int) -> str | Response:
    """Generate rounds; replacing existing ones asks first (the form posts again confirmed)."""
    competition = load_competition(competition_id)
    form = ScheduleForm(prefix="s")
    if form.validate_on_submit():
        try:
            if form.pattern.data == "milestones":
                plans = service.parse_milestones(form.milestones.data or "")
            else:
                plans = service.plan_schedule(competition, form.pattern.data or "")
            if form.replace.data and competition.rounds and not confirm.confirmed():
                db.session.rollback()
                return confirm.ask(
                    confirmations.replace_schedule(competition), _rounds_url(competition)
                )
            created = service.generate_schedule(
                current_user,
                competition,
                plans,
                weight=form.weight.data if form.weight.data is not None else Decimal(1),
                is_public=bool(form.is_public.data),
                replace=bool(form.replace.data),
            )
        except LaborError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已生成 %(n)d 个轮次。", n=len(created)), "success")
            return redirect(_rounds_url(competition))
    return _page(competition, form, RoundForm(prefix="r"))


def _data(form: RoundForm) -> RoundData:
    return RoundData(
        name=form.name.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        weight=form.weight.data if form.weight.data is not None else Decimal(1),
        is_public=bool(form.is_public.data),
    )


@bp.route("/<int:competition_id>/rounds/new", methods=["POST"])
@organizer_view
def round_add(competition_id: int) -> str | Response:
    competition = load_competition(competition_id)
    form = RoundForm(prefix="r")
    if form.validate_on_submit():
        try:
            round_ = service.add_round(current_user, competition, _data(form))
        except LaborError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已添加轮次“%(name)s”。", name=round_.name), "success")
            return redirect(_rounds_url(competition))
    return _page(competition, ScheduleForm(prefix="s"), form)


@bp.route("/<int:competition_id>/rounds/<int:round_id>", methods=["GET", "POST"])
@organizer_view
def round_edit(competition_id: int, round_id: int) -> str | Response:
    competition = load_competition(competition_id)
    round_ = load_round(competition, round_id)
    form = RoundForm(obj=round_ if request.method == "GET" else None)
    if request.method == "GET":
        form.weight.data = plain(round_.weight)
    if form.validate_on_submit():
        try:
            service.update_round(current_user, round_, _data(form))
        except LaborError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存轮次“%(name)s”。", name=round_.name), "success")
            return redirect(_rounds_url(competition))
    return render_template(
        "labor/round_form.html",
        competition=competition,
        tab="rounds",
        counts=header_counts(competition),
        form=form,
        round=round_,
        fixed=service.is_fixed(round_),
        action_form=ActionForm(),
    )


@bp.route("/<int:competition_id>/rounds/<int:round_id>/delete", methods=["POST"])
@organizer_view
def round_delete(competition_id: int, round_id: int) -> str | Response:
    competition = load_competition(competition_id)
    round_: Round = load_round(competition, round_id)
    require_button()
    if not confirm.confirmed():
        return confirm.ask(confirmations.delete_round(round_), _rounds_url(competition))
    name = round_.name
    try:
        service.delete_round(current_user, round_)
    except LaborError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(_rounds_url(competition))
    db.session.commit()
    flash(_("已删除轮次“%(name)s”。", name=name), "success")
    return redirect(_rounds_url(competition))
