"""The 考评组 tab: members, the chief, a member's track limit, removal, and who stands aside
for which participants (``contest.services.labor.recusal``).

Thin views over ``contest.services.labor.assessors``.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.labor import confirmations
from contest.labor.base import (
    load_assessor,
    load_competition,
    load_track,
    organizer_view,
    put_error,
    require_button,
)
from contest.labor.blueprint import bp
from contest.labor.forms import AssessorEditForm, AssessorForm
from contest.labor.views import header_counts
from contest.models import Competition, Track, User
from contest.services.labor import assessors as service
from contest.services.labor.base import LaborError
from contest.services.labor.participants import roster
from contest.services.labor.recusal import stand_asides
from contest.ui import confirm
from contest.ui.forms import ActionForm


def _url(competition: Competition) -> str:
    return url_for("labor.assessors", competition_id=competition.id)


def _track(competition: Competition, track_id: int | None) -> Track | None:
    return load_track(competition, track_id) if track_id else None


def _page(competition: Competition, form: AssessorForm) -> str:
    team = service.team(competition)
    tracks = list(competition.tracks)
    edit_forms = {
        a.id: AssessorEditForm(
            tracks, prefix=f"a{a.id}", formdata=None, is_chief=a.is_chief, track_id=a.track_id or 0
        )
        for a in team
    }
    return render_template(
        "labor/assessors.html",
        competition=competition,
        tab="assessors",
        counts=header_counts(competition),
        team=team,
        form=form,
        edit_forms=edit_forms,
        stand_asides=stand_asides(competition, team, roster(competition)),
        action_form=ActionForm(),
        open=competition.status.value != "finished",
    )


@bp.route("/<int:competition_id>/assessors", endpoint="assessors")
@organizer_view
def assessor_list(competition_id: int) -> str:
    competition = load_competition(competition_id)
    form = AssessorForm(service.candidates(competition), list(competition.tracks))
    return _page(competition, form)


@bp.route("/<int:competition_id>/assessors", methods=["POST"])
@organizer_view
def assessor_add(competition_id: int) -> str | Response:
    competition = load_competition(competition_id)
    form = AssessorForm(service.candidates(competition), list(competition.tracks))
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data) if form.user_id.data else None
        if user is None:
            form.user_id.errors = [*form.user_id.errors, _("请选择账号")]
        else:
            try:
                service.add_assessor(
                    current_user,
                    competition,
                    user,
                    is_chief=bool(form.is_chief.data),
                    track=_track(competition, form.track_id.data),
                )
            except LaborError as error:
                db.session.rollback()
                put_error(form, error)
            else:
                db.session.commit()
                flash(_("已将 %(name)s 加入考评组。", name=user.name), "success")
                return redirect(_url(competition))
    return _page(competition, form)


@bp.route("/<int:competition_id>/assessors/<int:assessor_id>", methods=["POST"])
@organizer_view
def assessor_edit(competition_id: int, assessor_id: int) -> Response:
    competition = load_competition(competition_id)
    assessor = load_assessor(competition, assessor_id)
    form = AssessorEditForm(list(competition.tracks), prefix=f"a{assessor.id}")
    if not form.validate_on_submit():
        flash(_("表单已过期，请重试。"), "danger")
        return redirect(_url(competition))
    try:
        service.update_assessor(
            current_user,
            assessor,
            is_chief=bool(form.is_chief.data),
            track=_track(competition, form.track_id.data),
        )
    except LaborError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(_url(competition))
    db.session.commit()
    flash(_("已保存 %(name)s 的考评设置。", name=assessor.user.name), "success")
    return redirect(_url(competition))


@bp.route("/<int:competition_id>/assessors/<int:assessor_id>/delete", methods=["POST"])
@organizer_view
def assessor_remove(competition_id: int, assessor_id: int) -> str | Response:
    competition = load_competition(competition_id)
    assessor = load_assessor(competition, assessor_id)
    require_button()
    if not confirm.confirmed():
        return confirm.ask(confirmations.remove_assessor(assessor), _url(competition))
    name = assessor.user.name
    try:
        service.remove_assessor(current_user, assessor)
    except LaborError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(_url(competition))
    db.session.commit()
    flash(_("已将 %(name)s 移出考评组。", name=name), "success")
    return redirect(_url(competition))
