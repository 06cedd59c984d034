"""The organizer's competition pages: the list, create/edit, and the overview (基本信息) with
its status moves and tracks; the other set-up tabs have their own modules.

Thin views: load (404), authorize (403), validate the form, call
``contest.services.labor.competitions``, commit once, flash, redirect. GET handlers never
write.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.labor import confirmations
from contest.labor.base import (
    load_competition,
    load_track,
    organizer_view,
    put_error,
    require_button,
)
from contest.labor.blueprint import bp
from contest.labor.forms import CompetitionForm, StatusForm, TrackForm
from contest.models import (
    Assessor,
    Competition,
    CompetitionKind,
    CompetitionStatus,
    HonorLevel,
    Organization,
    Participant,
    User,
)
from contest.services.labor import competitions as service
from contest.services.labor import indicators, participants
from contest.services.labor.base import LaborError
from contest.services.labor.competitions import CompetitionData
from contest.ui import confirm
from contest.ui.forms import ActionForm


@bp.context_processor
def _confirmations() -> dict[str, Any]:
    return {"labor_confirm": confirmations}


def home_section(user: User) -> dict[str, Any]:
    """An organizer's home lists the competitions they manage, newest first."""
    rows = db.session.scalars(service.managed_query(user).limit(10)).all()
    return {"competitions": rows}


# ------------------------------------------------------------------ list and create


@bp.route("/")
@organizer_view
def index() -> str:
    rows = db.session.scalars(
        service.managed_query(current_user)
        .options(selectinload(Competition.organization))
        .limit(500)
    ).all()
    ids = [c.id for c in rows]
    counts = dict(
        db.session.execute(
            select(Participant.competition_id, func.count(Participant.id))
            .where(Participant.competition_id.in_(ids), Participant.withdrawn_at.is_(None))
            .group_by(Participant.competition_id)
        ).all()
    )
    return render_template("labor/index.html", competitions=rows, counts=counts)


def _data(form: CompetitionForm) -> CompetitionData:
    return CompetitionData(
        name=form.name.data or "",
        kind=CompetitionKind(form.kind.data),
        organization=db.session.get(Organization, form.organization_id.data),
        level=HonorLevel(form.level.data),
        year=form.year.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        is_public=bool(form.is_public.data),
        description=form.description.data,
        conferring_body=form.conferring_body.data,
        aggregation=form.aggregation.data or "mean",
        trim=form.trim.data or 0,
        cumulation=form.cumulation.data or "sum",
        flag_count=1 if form.flag_count.data is None else form.flag_count.data,
        flag_keep_after=form.flag_keep_after.data,
        valid_months=form.valid_months.data,
        tie_break=tuple(
            link.data or "" for link in (form.tie_break_1, form.tie_break_2, form.tie_break_3)
        ),
    )


@bp.route("/new", methods=["GET", "POST"])
@organizer_view
def create() -> str | Response:
    hosts = service.host_choices(current_user)
    if not hosts:
        flash(_("您的账号没有所属工会，不能创建竞赛。请联系系统管理员。"), "warning")
        return redirect(url_for("labor.index"))
    form = CompetitionForm(hosts)
    if request.method == "GET":
        form.level.data = HonorLevel.CITY.value
        kind = request.args.get("kind", "")
        form.kind.data = kind if kind in {k.value for k in CompetitionKind} else "project"
    if form.validate_on_submit():
        try:
            competition = service.create_competition(current_user, _data(form))
        except LaborError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已创建“%(name)s”。下一步：设置考核指标。", name=competition.name), "success")
            return redirect(url_for("labor.indicators", competition_id=competition.id))
    return render_template("labor/form.html", form=form, competition=None)


@bp.route("/<int:competition_id>/edit", methods=["GET", "POST"])
@organizer_view
def edit(competition_id: int) -> str | Response:
    competition = load_competition(competition_id)
    hosts = service.host_choices(current_user)
    if competition.organization not in hosts:
        hosts.insert(0, competition.organization)
    form = CompetitionForm(hosts, obj=competition if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = competition.kind.value
        form.level.data = competition.level.value
        form.organization_id.data = competition.organization_id
        chain = [*(competition.tie_break or []), "", "", ""]
        form.tie_break_1.data, form.tie_break_2.data, form.tie_break_3.data = chain[:3]
    if form.validate_on_submit():
        try:
            service.update_competition(current_user, competition, _data(form))
        except LaborError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存基本信息。"), "success")
            return redirect(url_for("labor.show", competition_id=competition.id))
    return render_template("labor/form.html", form=form, competition=competition)


# ------------------------------------------------------------------ overview


def header_counts(competition: Competition) -> dict[str, Any]:
    """The figures every tab's header shows (one query each)."""
    component = indicators.sheet_of(competition)
    return {
        "items": len(indicators.items_of(component)),
        "participants": participants.counts(competition),
        "assessors": int(
            db.session.scalar(
                select(func.count(Assessor.id)).where(Assessor.competition_id == competition.id)
            )
            or 0
        ),
        "rounds": len(competition.rounds),
    }


@bp.route("/<int:competition_id>")
@organizer_view
def show(competition_id: int) -> str:
    competition = load_competition(competition_id)
    track_forms = {t.id: TrackForm(prefix=f"t{t.id}", name=t.name) for t in competition.tracks}
    return render_template(
        "labor/show.html",
        competition=competition,
        tab="show",
        counts=header_counts(competition),
        moves=service.allowed_moves(competition),
        backward=service.BACKWARD,
        statuses=list(CompetitionStatus),
        status_form=StatusForm(),
        track_form=TrackForm(),
        track_forms=track_forms,
        action_form=ActionForm(),
        tie_break_labels=service.tie_break_labels(),
    )


@bp.route("/<int:competition_id>/status", methods=["POST"])
@organizer_view
def change_status(competition_id: int) -> Response:
    competition = load_competition(competition_id)
    form = StatusForm()
    back = redirect(url_for("labor.show", competition_id=competition.id))
    if not form.validate_on_submit():
        flash(_("表单已过期，请重试。"), "danger")
        return back
    try:
        target = CompetitionStatus(form.to.data)
    except ValueError:
        flash(_("未知的竞赛状态。"), "danger")
        return back
    try:
        service.change_status(current_user, competition, target, form.reason.data)
    except LaborError as error:
        db.session.rollback()
        flash(error.message, "danger")
        for problem in error.problems:
            flash(problem, "danger")
        return back
    db.session.commit()
    flash(_("竞赛状态已改为「%(status)s」。", status=target.label), "success")
    return back


# ------------------------------------------------------------------ tracks


def _tracks_url(competition: Competition) -> str:
    return url_for("labor.show", competition_id=competition.id) + "#tracks"


@bp.route("/<int:competition_id>/tracks", methods=["POST"])
@organizer_view
def track_add(competition_id: int) -> Response:
    competition = load_competition(competition_id)
    form = TrackForm()
    if not form.validate_on_submit():
        flash(str(next(iter(form.name.errors), _("请填写赛道（分组）名称"))), "danger")
        return redirect(_tracks_url(competition))
    try:
        track = service.add_track(current_user, competition, form.name.data or "")
    except LaborError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(_tracks_url(competition))
    db.session.commit()
    flash(_("已添加赛道（分组）“%(name)s”。", name=track.name), "success")
    return redirect(_tracks_url(competition))


@bp.route("/<int:competition_id>/tracks/<int:track_id>", methods=["POST"])
@organizer_view
def track_rename(competition_id: int, track_id: int) -> Response:
    competition = load_competition(competition_id)
    track = load_track(competition, track_id)
    form = TrackForm(prefix=f"t{track.id}")
    if not form.validate_on_submit():
        flash(str(next(iter(form.name.errors), _("请填写赛道（分组）名称"))), "danger")
        return redirect(_tracks_url(competition))
    try:
        service.rename_track(current_user, track, form.name.data or "")
    except LaborError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(_tracks_url(competition))
    db.session.commit()
    flash(_("已重命名赛道（分组）。"), "success")
    return redirect(_tracks_url(competition))


@bp.route("/<int:competition_id>/tracks/<int:track_id>/delete", methods=["POST"])
@organizer_view
def track_delete(competition_id: int, track_id: int) -> str | Response:
    competition = load_competition(competition_id)
    track = load_track(competition, track_id)
    require_button()
    if not confirm.confirmed():
        return confirm.ask(confirmations.delete_track(track), _tracks_url(competition))
    name = track.name
    try:
        service.delete_track(current_user, track)
    except LaborError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(_tracks_url(competition))
    db.session.commit()
    flash(_("已删除赛道（分组）“%(name)s”。", name=name), "success")
    return redirect(_tracks_url(competition))
