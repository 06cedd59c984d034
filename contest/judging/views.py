"""Judges' pages: the task list by code and the score sheet (phone, tablet or PC).

Judges only ever see codes here (seat code once drawn, else entry code): never a name, a unit
or any personal data. The rules (who may mark what, ranges, versions) live in
``contest.services.skills.judging``; these views load, authorize, call the service and report.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.extensions import db
from contest.judging.blueprint import bp
from contest.judging.forms import ConfirmLabels, SheetForm, sheet_form_class
from contest.models import Entry, ScoreSheet, SheetStatus, User
from contest.services.skills import codes, judging
from contest.services.skills.judging import (
    MarkErrors,
    NotAllowed,
    SheetError,
    SheetLocked,
    StaleSheet,
)
from contest.ui.bodies import SMALL_BODY_BYTES, body_limit
from contest.ui.errors import render_error


def home_section(user: User) -> dict[str, Any] | None:
    """The judge's home lists their events with progress (codes only, like the task list)."""
    tasks = judging.tasks_by_event(judging.assignments_for(user))
    return {"events": tasks} if tasks else None


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    tasks = judging.tasks_by_event(judging.assignments_for(current_user))
    return render_template("judging/index.html", tasks=tasks)


def _load(contest_id: int, code: str) -> Entry:
    """The caller's assigned entry under ``code`` in the contest; 403 when there is none (a
    code that is not theirs is not confirmed to exist)."""
    try:
        found = judging.find_assigned(current_user, code, contest_id)
    except codes.CodeError as error:
        # Not a code, or a 参赛号 where the judge scores seats: say which, confirm nothing else.
        abort(make_response(render_error(403, str(error))))
    if len(found) != 1:
        abort(403)
    return found[0]


def _render(
    entry: Entry,
    form: SheetForm,
    sheet: ScoreSheet | None,
    *,
    status: int = 200,
    attempted: dict[str, object] | None = None,
    confirm: bool = False,
) -> Any:
    """The sheet page for ``form`` over the stored ``sheet`` (its status, whether it is
    editable)."""
    refusal = judging.refusal(current_user, entry)
    if refusal is not None and not isinstance(refusal, SheetLocked):
        abort(403)
    editable = refusal is None and (sheet is None or sheet.status is SheetStatus.DRAFT)
    tasks = judging.tasks_by_event(
        judging.assignments_for(current_user, contest_id=entry.contest_id)
    )
    event_tasks = next((t for t in tasks if t.event.id == entry.event_id), None)
    return (
        render_template(
            "judging/sheet.html",
            entry=entry,
            code=entry.code,
            event=entry.event,
            contest=entry.contest,
            sheet=sheet,
            status=judging.sheet_status(sheet, entry.event),
            form=form,
            editable=editable,
            attempted=attempted or {},
            confirm=confirm,
            tasks=event_tasks,
            next_item=judging.next_unscored(event_tasks, entry.code) if event_tasks else None,
            labels=ConfirmLabels,
            num=judging.number,
        ),
        status,
    )


def _stored(entry: Entry, form_class: type[SheetForm]) -> tuple[SheetForm, ScoreSheet | None]:
    """A form showing exactly what is stored (values and version), ignoring any post, and the
    stored sheet it shows."""
    sheet = judging.sheet_for(current_user, entry)
    form = form_class(formdata=None)
    form.fill(judging.marks_of(sheet))
    form.version.data = sheet.version if sheet is not None else 0
    return form, sheet


@bp.route("/<int:contest_id>/<code>")
def sheet(contest_id: int, code: str):  # type: ignore[no-untyped-def]
    entry = _load(contest_id, code)
    form_class = sheet_form_class(judging.responsible_aspects(current_user, entry.event_id))
    return _render(entry, *_stored(entry, form_class))


@bp.route("/<int:contest_id>/<code>", methods=["POST"])
@body_limit(SMALL_BODY_BYTES)
def save_sheet(contest_id: int, code: str):  # type: ignore[no-untyped-def]
    entry = _load(contest_id, code)
    form_class = sheet_form_class(judging.responsible_aspects(current_user, entry.event_id))
    form = form_class()
    if not form.validate_on_submit():
        # Only the CSRF token and the hidden version are checked by the form itself.
        flash(_("页面已过期，请刷新后重新填写。"), "danger")
        return redirect(url_for(".sheet", contest_id=contest_id, code=code))
    action = request.form.get("action")
    wants_submit = action in ("submit", "submit-confirmed")
    # sheet.js asks in the browser and sets ``confirmed``; without it, the confirmation step.
    confirmed = action == "submit-confirmed" or form.confirmed.data == "1"
    values = form.values()
    try:
        judging.save_sheet(
            current_user,
            entry,
            values,
            submit=wants_submit and confirmed,
            expected_version=form.version.data,
        )
    except StaleSheet as error:
        db.session.rollback()
        flash(error.message, "warning")
        return _render(entry, *_stored(entry, form_class), status=409, attempted=values)
    except MarkErrors as error:
        db.session.rollback()
        form.add_errors(error.problems)
        flash(error.message, "danger")
        return _render(entry, form, judging.sheet_for(current_user, entry), status=422)
    except NotAllowed as error:
        db.session.rollback()
        return render_error(403, error.message)
    except SheetError as error:  # locked: submitted meanwhile, or the event was signed off
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url_for(".sheet", contest_id=contest_id, code=code))
    db.session.commit()
    if wants_submit and confirmed:
        flash(_("评分表 %(code)s 已提交。", code=codes.shown(entry)), "success")
        return redirect(url_for(".sheet", contest_id=contest_id, code=code))
    if wants_submit:
        return _confirm_step(entry, form_class)
    flash(_("草稿已保存。"), "success")
    return redirect(url_for(".sheet", contest_id=contest_id, code=code))


def _confirm_step(entry: Entry, form_class: type[SheetForm]) -> Any:
    """Without JavaScript, 提交 saves a draft first and asks again: a complete sheet gets a
    confirmation box, an incomplete one the missing fields."""
    form, sheet = _stored(entry, form_class)
    missing = {key: _("提交前请填写此项") for key, value in form.values().items() if value is None}
    if missing:
        form.add_errors(missing)
        flash(_("草稿已保存。还有未填写的项目，填写完整后才能提交。"), "warning")
        return _render(entry, form, sheet, status=422)
    flash(_("草稿已保存。请核对分数后确认提交。"), "info")
    return _render(entry, form, sheet, confirm=True)
