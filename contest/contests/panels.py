"""The judge panel page of an event: members, chief judge, declared conflicts, assignment, and
the "who may score what" matrix. Writes go through ``contest.services.skills.panels``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.contests.base import load_event, page_context, require_button
from contest.contests.blueprint import bp
from contest.contests.registration_forms import AddJudgeForm, AssignForm, ConflictForm
from contest.extensions import db
from contest.models import Component, Conflict, Entry, Event, PanelMember, User
from contest.services.skills import panels as panel_service
from contest.ui import confirm
from contest.ui.forms import ActionForm

T = TypeVar("T")


def _back(contest_id: int, event_id: int):  # type: ignore[no-untyped-def]
    return redirect(url_for("contests.panels", contest_id=contest_id, event_id=event_id))


def _add_form(event: Event) -> AddJudgeForm:
    return AddJudgeForm(panel_service.candidate_judges(event), list(event.components), prefix="add")


def _conflict_form(members: list[PanelMember], entries: list[Entry]) -> ConflictForm:
    return ConflictForm(members, entries, prefix="conflict")


def _judge(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _button(contest_id: int, event_id: int) -> Event:
    """The event of a one-button POST (remove, make chief, withdraw a declaration)."""
    _contest, event = load_event(contest_id, event_id)
    require_button()
    return event


@bp.route("/<int:contest_id>/events/<int:event_id>/panels")
def panels(contest_id: int, event_id: int):  # type: ignore[no-untyped-def]
    contest, event = load_event(contest_id, event_id)
    matrix = panel_service.matrix(event)
    return render_template(
        "contests/panels.html",
        matrix=matrix,
        add_form=_add_form(event),
        # Recusal is declared before the day too: every entrant still in the event, not only
        # those checked in so far (the matrix lists who competes).
        conflict_form=_conflict_form(matrix.members, panel_service.recusable_entries(event)),
        assign_form=AssignForm(prefix="assign"),
        action_form=ActionForm(),
        locked=panel_service.editing_problem(event),
        **page_context(contest, event, "panels"),
    )


def _run(action: Callable[[], T], success: str) -> T | None:
    """Call a panel service, commit or roll back, flash the outcome."""
    try:
        outcome = action()
    except panel_service.PanelError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return None
    db.session.commit()
    if success:
        flash(success, "success")
    return outcome


def _form_problem(form: object) -> None:
    errors = [str(m) for messages in getattr(form, "errors", {}).values() for m in messages]
    flash("；".join(errors) or _("表单已过期，请刷新页面后重试。"), "danger")


@bp.route("/<int:contest_id>/events/<int:event_id>/panels/add", methods=["POST"])
def panel_add(contest_id: int, event_id: int):  # type: ignore[no-untyped-def]
    _contest, event = load_event(contest_id, event_id)
    form = _add_form(event)
    if not form.validate_on_submit():
        _form_problem(form)
        return _back(contest_id, event_id)
    user = _judge(form.user_id.data or 0)
    component = (
        db.session.get(Component, form.component_id.data) if form.component_id.data else None
    )
    _run(
        lambda: panel_service.add_judge(
            current_user, event, user, component=component, chief=bool(form.chief.data)
        ),
        _("已将 %(name)s 加入评委组。", name=user.name),
    )
    return _back(contest_id, event_id)


@bp.route("/<int:contest_id>/events/<int:event_id>/panels/<int:user_id>/remove", methods=["POST"])
def panel_remove(contest_id: int, event_id: int, user_id: int):  # type: ignore[no-untyped-def]
    event = _button(contest_id, event_id)
    user = _judge(user_id)
    if not confirm.confirmed():
        return confirm.ask(
            confirm.remove_judge(event, user),
            url_for("contests.panels", contest_id=contest_id, event_id=event_id),
        )
    _run(
        lambda: panel_service.remove_judge(current_user, event, user),
        _("已将 %(name)s 移出评委组。", name=user.name),
    )
    return _back(contest_id, event_id)


@bp.route("/<int:contest_id>/events/<int:event_id>/panels/<int:user_id>/chief", methods=["POST"])
def panel_chief(contest_id: int, event_id: int, user_id: int):  # type: ignore[no-untyped-def]
    event = _button(contest_id, event_id)
    user = _judge(user_id)
    _run(
        lambda: panel_service.set_chief(current_user, event, user),
        _("%(name)s 现为本赛项裁判长。", name=user.name),
    )
    return _back(contest_id, event_id)


@bp.route("/<int:contest_id>/events/<int:event_id>/panels/conflicts", methods=["POST"])
def panel_conflict(contest_id: int, event_id: int):  # type: ignore[no-untyped-def]
    _contest, event = load_event(contest_id, event_id)
    form = _conflict_form(panel_service.members(event), panel_service.recusable_entries(event))
    if not form.validate_on_submit():
        _form_problem(form)
        return _back(contest_id, event_id)
    user = _judge(form.user_id.data or 0)
    entry = db.session.get(Entry, form.entry_id.data or 0) or abort(404)
    _run(
        lambda: panel_service.declare_conflict(
            current_user, event, user, entry, form.reason.data or ""
        ),
        _("已登记回避：%(name)s 不评选手 %(code)s。", name=user.name, code=entry.code or ""),
    )
    return _back(contest_id, event_id)


@bp.route(
    "/<int:contest_id>/events/<int:event_id>/panels/conflicts/<int:conflict_id>/remove",
    methods=["POST"],
)
def panel_conflict_remove(contest_id: int, event_id: int, conflict_id: int):  # type: ignore[no-untyped-def]
    event = _button(contest_id, event_id)
    conflict = db.session.get(Conflict, conflict_id)
    if conflict is None or conflict.event_id != event.id:
        abort(404)
    _run(
        lambda: panel_service.remove_conflict(current_user, conflict),
        _("已撤销该回避申报（如需评分，请重新分配）。"),
    )
    return _back(contest_id, event_id)


@bp.route("/<int:contest_id>/events/<int:event_id>/panels/assign", methods=["POST"])
def panel_assign(contest_id: int, event_id: int):  # type: ignore[no-untyped-def]
    _contest, event = load_event(contest_id, event_id)
    form = AssignForm(prefix="assign")
    if not form.validate_on_submit():
        _form_problem(form)
        return _back(contest_id, event_id)
    report = _run(
        lambda: panel_service.assign(current_user, event, form.mode.data or "all", form.k.data),
        "",
    )
    if report is not None:
        flash(
            _(
                "已分配评分任务：新增 %(created)d，撤销 %(removed)d，保留已有评分表 %(kept)d；"
                "因回避跳过 %(skipped)d 个评委—选手组合。",
                created=report.created,
                removed=report.removed,
                kept=report.kept,
                skipped=report.skipped_recused,
            ),
            "success",
        )
        if report.short:
            flash(
                _(
                    "以下选手可评的评委不足 k 人：%(codes)s。请增加评委或调整回避。",
                    codes="、".join(report.short),
                ),
                "warning",
            )
    return _back(contest_id, event_id)
