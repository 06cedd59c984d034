"""Organizers' contest pages: the list, create/edit, the contest dashboard with its status
buttons, events, components and the ranking policy of each event.

Thin views: load (404), authorize with ``Contest.can_manage`` (403), validate the form, call
``contest.services.skills.contests`` / ``policies``, commit once, flash, redirect.  The blueprint
guard already admits only admins and organizers.  GET handlers never write.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from contest.contests.base import load_contest, load_event, put_error, require_button
from contest.contests.blueprint import bp
from contest.contests.forms import (
    COMPONENT_LABELS,
    MAX_AWARDS,
    MAX_TIE_BREAKS,
    MAX_TITLES,
    ComponentsForm,
    ContestForm,
    EventForm,
    PolicyForm,
    PolicyFormError,
    StatusForm,
    fill_policy_form,
    local_to_utc,
    policy_from_form,
    policy_rows,
    tie_break_choices,
    utc_to_local,
)
from contest.extensions import db
from contest.models import (
    Contest,
    ContestStatus,
    Entry,
    Event,
    Organization,
    User,
)
from contest.models.contest import NOT_COMPETING, EventGroup
from contest.models.honor import HonorLevel
from contest.services.skills import arbitration, policies, rubrics, turnout
from contest.services.skills import contests as contest_service
from contest.services.skills import status as status_service
from contest.services.skills.contests import (
    ComponentRow,
    ContestData,
    ContestError,
    EventData,
)
from contest.services.skills.rubrics import RubricError, rubric_problems
from contest.ui.forms import ActionForm


def home_section(user: User) -> dict[str, Any]:
    """An organizer's home lists the contests they manage, newest first, with their status."""
    rows = db.session.scalars(contest_service.managed_contests_query(user).limit(10)).all()
    return {"contests": rows}


# ------------------------------------------------------------------ list and create


@bp.route("/")
def index() -> str:
    contests = db.session.scalars(
        contest_service.managed_contests_query(current_user)
        .options(selectinload(Contest.organization))
        .limit(500)
    ).all()
    ids = [c.id for c in contests]
    counts = dict(
        db.session.execute(
            select(Entry.contest_id, func.count(Entry.id))
            .where(Entry.contest_id.in_(ids), Entry.status.not_in(NOT_COMPETING))
            .group_by(Entry.contest_id)
        ).all()
    )
    event_counts = dict(
        db.session.execute(
            select(Event.contest_id, func.count(Event.id))
            .where(Event.contest_id.in_(ids))
            .group_by(Event.contest_id)
        ).all()
    )
    return render_template(
        "contests/index.html", contests=contests, counts=counts, event_counts=event_counts
    )


def _contest_data(form: ContestForm) -> ContestData:
    return ContestData(
        name=form.name.data or "",
        level=HonorLevel(form.level.data),
        year=form.year.data,
        year_confirmed=form.year_confirmed.data,
        organization=db.session.get(Organization, form.organization_id.data),
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        appeal_window_hours=form.appeal_window_hours.data or 0,
        conferring_body=form.conferring_body.data,
        description=form.description.data,
    )


@bp.route("/new", methods=["GET", "POST"])
def create() -> str | Response:
    hosts = contest_service.host_choices(current_user)
    if not hosts:
        flash(_("您的账号没有所属工会，不能创建大赛。请联系系统管理员。"), "warning")
        return redirect(url_for("contests.index"))
    form = ContestForm(hosts)
    if request.method == "GET":
        form.level.data = HonorLevel.CITY.value
    if form.validate_on_submit():
        try:
            contest = contest_service.create_contest(current_user, _contest_data(form))
        except ContestError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已创建大赛“%(name)s”。下一步：添加赛项。", name=contest.name), "success")
            return redirect(url_for("contests.show", contest_id=contest.id))
    return render_template("contests/form.html", form=form, contest=None)


@bp.route("/<int:contest_id>/edit", methods=["GET", "POST"])
def edit(contest_id: int) -> str | Response:
    contest = load_contest(contest_id)
    hosts = contest_service.host_choices(current_user)
    if contest.organization not in hosts:
        hosts.insert(0, contest.organization)
    form = ContestForm(hosts, obj=contest if request.method == "GET" else None)
    if request.method == "GET":
        form.level.data = contest.level.value
        form.organization_id.data = contest.organization_id
    if form.validate_on_submit():
        try:
            contest_service.update_contest(current_user, contest, _contest_data(form))
        except ContestError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存大赛信息。"), "success")
            return redirect(url_for("contests.show", contest_id=contest.id))
    return render_template("contests/form.html", form=form, contest=contest)


# ------------------------------------------------------------------ dashboard and status


@bp.route("/<int:contest_id>")
def show(contest_id: int) -> str:
    contest = load_contest(contest_id)
    rubrics.load_rubrics(contest.events)
    moves = status_service.allowed_moves(contest)
    # Closing registration asks about no-shows and short fields (answered in the status form).
    closing = turnout.questions(contest) if contest.status is ContestStatus.REGISTRATION else None
    entry_counts = dict(
        db.session.execute(
            select(Entry.event_id, func.count(Entry.id))
            .where(Entry.contest_id == contest.id, Entry.status.not_in(NOT_COMPETING))
            .group_by(Entry.event_id)
        ).all()
    )
    events = [
        {
            "event": event,
            "entries": entry_counts.get(event.id, 0),
            "problems": contest_service.weight_problems(event) + rubric_problems(event),
            "weights": " · ".join(
                f"{c.name} {rubrics.format_points(c.weight)}%" for c in event.components
            ),
        }
        for event in contest.events
    ]
    return render_template(
        "contests/show.html",
        contest=contest,
        moves=moves,
        backward=status_service.BACKWARD,
        status_labels={s.value: s.label for s in ContestStatus},
        events=events,
        status_form=StatusForm(),
        action_form=ActionForm(),
        closing=closing,
        closing_key=turnout.answer_key(closing) if closing else None,
        field_decisions={e.id: policies.field_decision(e) for e in contest.events},
        setup=contest.status in contest_service.SETUP_STATUSES,
        arbitrators=arbitration.arbitrators_of(contest),
    )


@bp.route("/<int:contest_id>/status", methods=["POST"])
def change_status(contest_id: int) -> Response:
    contest = load_contest(contest_id)
    form = StatusForm()
    back = redirect(url_for("contests.show", contest_id=contest.id))
    if not form.validate_on_submit():
        flash(_("表单已过期，请重试。"), "danger")
        return back
    try:
        target = ContestStatus(form.to.data)
    except ValueError:
        flash(_("未知的大赛状态。"), "danger")
        return back
    if target is ContestStatus.PUBLISHED:
        return redirect(url_for("results.publish", contest_id=contest.id))
    reason = (form.reason.data or "").strip() or None
    if (contest.status, target) in status_service.BACKWARD and not reason:
        flash(_("退回上一阶段须填写原因。"), "danger")
        return back
    try:
        status_service.transition(
            current_user, contest, target, reason=reason, answers=_turnout_answers()
        )
    except ContestError as error:
        db.session.rollback()
        if error.problems:
            flash(_("不能转为「%(to)s」：", to=target.label), "danger")
            for problem in error.problems:
                flash(problem, "danger")
        else:
            flash(error.message, "danger")
        return back
    db.session.commit()
    flash(_("大赛状态已改为「%(status)s」。", status=target.label), "success")
    return back


# ASCII digits only and at most 9 of them: str.isdigit() also takes "²" and 5000-digit runs,
# which int() refuses with a 500.
_FIELD_ANSWER = re.compile(r"field-([0-9]{1,9})")


def _turnout_answers() -> turnout.Answers:
    """The no-show and short-field answers of the status form, as posted (checked by the
    service; an unreadable event number is simply not an answer)."""
    fields = {
        int(match.group(1)): value
        for name, value in request.form.items()
        if (match := _FIELD_ANSWER.fullmatch(name))
    }
    return turnout.Answers(
        key=request.form.get("turnout_key") or None,
        no_show=request.form.get("no_show") or None,
        fields=fields,
    )


# ------------------------------------------------------------------ events


def _event_data(form: EventForm) -> EventData:
    return EventData(
        code=form.code.data or "",
        occupation=form.occupation.data or "",
        group=EventGroup(form.group.data),
        quota_per_unit=form.quota_per_unit.data,
        min_age=form.min_age.data,
        max_age=form.max_age.data,
        ended_at=local_to_utc(form.ended_at.data),
        team_min=form.team_min.data,
        team_max=form.team_max.data,
    )


@bp.route("/<int:contest_id>/events/new", methods=["GET", "POST"])
def event_create(contest_id: int) -> str | Response:
    contest = load_contest(contest_id)
    form = EventForm()
    if request.method == "GET":
        used = {e.code for e in contest.events}
        form.code.data = next((c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in used), "")
    if form.validate_on_submit():
        try:
            event = contest_service.create_event(current_user, contest, _event_data(form))
            contest_service.save_components(
                current_user,
                event,
                [ComponentRow("theory", Decimal(30)), ComponentRow("practical", Decimal(70))],
            )
        except (ContestError, RubricError) as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "已添加赛项 %(code)s %(name)s（默认理论 30%%、"
                    "实操 70%%，可在“考核模块”中修改）。",
                    code=event.code,
                    name=event.label,
                ),
                "success",
            )
            return redirect(url_for("contests.show", contest_id=contest.id))
    return render_template("contests/event_form.html", form=form, contest=contest, event=None)


@bp.route("/<int:contest_id>/events/<int:event_id>/edit", methods=["GET", "POST"])
def event_edit(contest_id: int, event_id: int) -> str | Response:
    contest, event = load_event(contest_id, event_id)
    form = EventForm(obj=event if request.method == "GET" else None)
    if request.method == "GET":
        form.group.data = event.group.value
        form.ended_at.data = utc_to_local(event.ended_at)
    if form.validate_on_submit():
        try:
            contest_service.update_event(current_user, event, _event_data(form))
        except ContestError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存赛项 %(code)s。", code=event.code), "success")
            return redirect(url_for("contests.show", contest_id=contest.id))
    return render_template(
        "contests/event_form.html",
        form=form,
        contest=contest,
        event=event,
        delete_form=ActionForm(),
    )


@bp.route("/<int:contest_id>/events/<int:event_id>/delete", methods=["POST"])
def event_delete(contest_id: int, event_id: int) -> Response:
    contest, event = load_event(contest_id, event_id)
    require_button()
    code = event.code
    try:
        contest_service.delete_event(current_user, event)
    except ContestError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("contests.event_edit", contest_id=contest.id, event_id=event_id))
    db.session.commit()
    flash(_("已删除赛项 %(code)s。", code=code), "success")
    return redirect(url_for("contests.show", contest_id=contest.id))


# ------------------------------------------------------------------ components


@bp.route("/<int:contest_id>/events/<int:event_id>/components", methods=["GET", "POST"])
def components(contest_id: int, event_id: int) -> str | Response:
    contest, event = load_event(contest_id, event_id)
    form = ComponentsForm()
    if request.method == "GET":
        form.fill(event)
    if form.validate_on_submit():
        rows = [
            ComponentRow(key, weight.data, pass_mark.data) for key, weight, pass_mark in form.rows()
        ]
        try:
            contest_service.save_components(current_user, event, rows)
        except (ContestError, RubricError) as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存赛项 %(code)s 的考核模块与权重。", code=event.code), "success")
            return redirect(url_for("contests.show", contest_id=contest.id))
    return render_template(
        "contests/components.html",
        form=form,
        contest=contest,
        event=event,
        kinds=COMPONENT_LABELS,
        locked=contest.status not in contest_service.SETUP_STATUSES,
    )


# ------------------------------------------------------------------ ranking policy


@bp.route("/<int:contest_id>/events/<int:event_id>/policy", methods=["GET", "POST"])
def policy(contest_id: int, event_id: int) -> str | Response:
    contest, event = load_event(contest_id, event_id)
    rubrics.load_rubrics([event])
    form = PolicyForm()
    stored = event.policy or {}
    # An event whose titles were never set is offered DOMAIN's linked titles (saved only when
    # the organizer saves the form).
    suggested = "titles" not in stored
    rows = policy_rows({**stored, "titles": policies.SUGGESTED_TITLES} if suggested else stored)
    row_errors: dict[str, str] = {}
    if request.method == "GET":
        fill_policy_form(form, policies.event_policy(event))
    elif form.validate_on_submit():
        try:
            raw = policy_from_form(form, request.form)
            policies.save_policy(current_user, event, raw)
        except PolicyFormError as error:
            row_errors[error.field] = error.message
        except policies.PolicyInvalid as error:
            db.session.rollback()
            field = getattr(form, error.field or "", None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, error.message]
            else:
                row_errors[error.field or "_"] = error.message
        else:
            db.session.commit()
            flash(_("已保存赛项 %(code)s 的排名与奖项规则。", code=event.code), "success")
            return redirect(url_for("contests.show", contest_id=contest.id))
    if request.method == "POST":
        rows = _posted_rows(request.form)
    return render_template(
        "contests/policy.html",
        form=form,
        contest=contest,
        event=event,
        rows=rows,
        row_errors=row_errors,
        tie_choices=tie_break_choices(event),
        suggested=suggested and request.method == "GET",
        locked=contest.is_published or event.is_signed_off,
    )


def _posted_rows(posted: Any) -> dict[str, Any]:
    """The list rows as submitted, so a refused form shows what was typed."""
    return {
        "tie_breaks": [posted.get(f"tie-{i}", "") for i in range(MAX_TIE_BREAKS)],
        "award_mode": posted.get("award_mode", "share"),
        "awards": [
            {"name": posted.get(f"award-{i}-name", ""), "value": posted.get(f"award-{i}-value", "")}
            for i in range(MAX_AWARDS)
        ],
        "titles": [
            {
                "name": posted.get(f"title-{i}-name", ""),
                "best": posted.get(f"title-{i}-best", ""),
                "worst": posted.get(f"title-{i}-worst", ""),
                "recommend": bool(posted.get(f"title-{i}-recommend")),
            }
            for i in range(MAX_TITLES)
        ],
    }
