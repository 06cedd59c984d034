"""A round's own page for its chief assessor and the competition's organizers: who has filled
in what, the steps (开始考评, 确认成绩, 公布, 重新开放 — a published round too, by an
organizer), sheets handed back (an assessor's while 考评中, a self-assessment while 自评中),
the results with veto flags and 必备项 problems, the red-flag holders, and round scores from
Excel.

Thin views over ``contest.services.labor.round_results`` (and ``round_import``): load (404),
allow the chief and the organizers (403 for anyone else), ask before every step that cannot be
taken back (``contest.ui.confirm``; the sentence names the real numbers), call the service,
commit once, report in Chinese.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.labor.base import IMPORT_MAX_BYTES, XLSX_MIME, load_round
from contest.labor.blueprint import bp
from contest.labor.forms import ImportForm
from contest.labor.round_forms import ConfirmRoundForm, ReasonForm, ReturnSheetForm
from contest.models import (
    Competition,
    Round,
    RoundStatus,
    ScoreSheet,
    SheetRole,
    SheetStatus,
)
from contest.security.guards import roles_required
from contest.services.core.spreadsheets import RowError, SheetRefused, read_upload
from contest.services.labor import assessors as team
from contest.services.labor import round_import, round_results, scoring, seals
from contest.services.labor.base import LaborError
from contest.ui import confirm
from contest.ui.confirm import Consequence
from contest.ui.errors import render_error
from contest.ui.forms import ActionForm
from contest.ui.imports import ERRORS_SHOWN
from contest.validation import db_int

signed_in = roles_required()
RETURNABLE = (SheetRole.ASSESSOR, SheetRole.SELF)


# ---------------------------------------------------------------- what each step will do


def open_consequence(round_: Round, missing: int, total: int) -> Consequence:
    if missing:
        text = _(
            "自评随即截止：%(total)d 个参赛单位中还有 %(n)d 个未提交自评，这些单位本轮没有自评分。"
            "开始考评后不能再回到自评。",
            total=total,
            n=missing,
        )
    else:
        text = _(
            "%(total)d 个参赛单位均已提交自评。开始考评后自评截止，不能再回到自评。", total=total
        )
    return Consequence(
        title=_("开始「%(name)s」的考评？", name=round_.name), text=text, action=_("开始考评")
    )


def confirm_consequence(round_: Round, missing: int, gaps: int) -> Consequence:
    parts = []
    if missing:
        parts.append(_("还有 %(n)d 份评分表未提交，确认后这些评分表不计入本轮成绩", n=missing))
    if gaps:
        parts.append(_("另有 %(n)d 项数据缺失，按未评分计", n=gaps))
    parts.append(_("成绩按已提交的评分表计算，评分表随即锁定；如需更改须重新开放本轮"))
    return Consequence(
        title=_("确认「%(name)s」的成绩？", name=round_.name),
        text="；".join(parts) + "。",
        action=_("确认成绩"),
    )


def publish_consequence(round_: Round) -> Consequence:
    if round_.is_public and round_.competition.is_public:
        text = _("公布后本轮排名、一票否决和流动红旗对公众可见，不能撤回。")
    else:
        text = _(
            "本轮为内部轮次：公布后排名和流动红旗计入累计排名，但不对公众显示；公布后不能撤回。"
        )
    return Consequence(
        title=_("公布「%(name)s」的成绩？", name=round_.name), text=text, action=_("公布成绩")
    )


def reopen_consequence(round_: Round) -> Consequence:
    if round_.status is RoundStatus.PUBLISHED:
        text = _(
            "本轮已公布的成绩将从公开页面撤下并作废，流动红旗按其余已公布的轮次重新计算；"
            "组长可退回评分表供考评人修改，之后须重新确认并公布。"
        )
    else:
        text = _("本轮已确认的成绩将作废；组长可退回评分表供考评人修改，之后须重新确认。")
    return Consequence(
        title=_("重新开放「%(name)s」？", name=round_.name), text=text, action=_("重新开放")
    )


# ---------------------------------------------------------------- the page


def _load(competition_id: int, round_id: int) -> tuple[Round, bool, bool]:
    """The round, and whether the user manages the competition / is its chief assessor; 403
    for anyone who is neither."""
    competition = db.session.get(Competition, competition_id) or abort(404)
    round_ = load_round(competition, round_id)
    manager = competition.can_manage(current_user)
    chief = scoring.is_chief(current_user, competition.id)
    if not (manager or chief):
        abort(403)
    return round_, manager, chief


def _page_url(round_: Round) -> str:
    return url_for("labor.round_progress", competition_id=round_.competition_id, round_id=round_.id)


def _names(round_: Round) -> dict[str, str]:
    return {a.key: a.name for a in scoring.round_items(round_.competition)}


def _render(round_: Round, manager: bool, chief: bool, **forms: Any) -> str:
    state = round_results.progress(round_)
    results = (
        round_results.results_of(round_)
        if round_.status in (RoundStatus.CONFIRMED, RoundStatus.PUBLISHED)
        else []
    )
    flags = {f.participant_id: f for f in round_results.flags_of(round_)}
    gaps = round_results.data_gaps(round_) if round_.status is RoundStatus.SCORING else []
    returnable = _returnable(round_, state, manager, chief)
    sealed = seals.check(round_) if round_.status is RoundStatus.PUBLISHED else None
    return render_template(
        "labor/round_progress.html",
        competition=round_.competition,
        round=round_,
        state=state,
        manager=manager,
        chief=chief,
        results=results,
        unscored=[row.participant for row in state.rows if row.result is None] if results else [],
        flags=flags,
        gaps=gaps,
        names=_names(round_),
        returnable=returnable,
        seal_warning=seals.warning(sealed) if sealed is not None else "",
        action_form=ActionForm(),
        confirm_round_form=ConfirmRoundForm(
            formdata=None, accept_missing=len(state.missing_sheets)
        ),
        reopen_form=forms.get("reopen_form") or ReasonForm(prefix="reopen", formdata=None),
        return_form=forms.get("return_form") or ReturnSheetForm(prefix="ret", formdata=None),
        open_text=open_consequence(round_, len(state.missing_self), len(state.rows)),
        confirm_text=confirm_consequence(round_, len(state.missing_sheets), len(gaps)),
        publish_text=publish_consequence(round_),
        reopen_text=reopen_consequence(round_),
    )


def _returnable(
    round_: Round, state: round_results.Progress, manager: bool, chief: bool
) -> list[tuple[int, str]]:
    """(sheet id, label) of the submitted sheets the user may hand back now: assessors' sheets
    for the chief while 考评中, self-assessments for the chief or an organizer while 自评中."""
    if round_.status is RoundStatus.SCORING and chief:
        return [
            (cell.sheet.id, f"{row.participant.name} · {cell.assessor.user.name}")
            for row in state.rows
            for cell in row.cells
            if cell.sheet is not None and cell.sheet.status is SheetStatus.SUBMITTED
        ]
    if round_.status is RoundStatus.SELF and (chief or manager):
        return [
            (row.self_sheet.id, row.participant.name)
            for row in state.rows
            if row.self_sheet is not None and row.self_sheet.status is SheetStatus.SUBMITTED
        ]
    return []


@bp.route("/<int:competition_id>/rounds/<int:round_id>/progress")
@signed_in
def round_progress(competition_id: int, round_id: int) -> str:
    return _render(*_load(competition_id, round_id))


def _step(round_: Round, step: Callable[[], object], done: str) -> Response | str:
    try:
        step()
    except LaborError as error:
        db.session.rollback()
        flash(error.message, "danger")
        for problem in error.problems[:20]:
            flash(problem, "warning")
        return redirect(_page_url(round_))
    db.session.commit()
    flash(done, "success")
    return redirect(_page_url(round_))


def _confirmed_step(
    round_: Round,
    allowed: bool,
    refusal: str,
    consequence: Callable[[], Consequence],
    run: Callable[[], object],
    done: str,
) -> Response | str:
    """A step that cannot be taken back: 403 with ``refusal`` for someone else, the
    confirmation page when the post was not confirmed, else the step."""
    if not allowed:
        return render_error(403, refusal)
    if not confirm.confirmed():
        return confirm.ask(consequence(), _page_url(round_))
    return _step(round_, run, done)


def _open_text(round_: Round) -> Consequence:
    state = round_results.progress(round_)
    return open_consequence(round_, len(state.missing_self), len(state.rows))


def _confirm_text(round_: Round) -> Consequence:
    state = round_results.progress(round_)
    return confirm_consequence(
        round_, len(state.missing_sheets), len(round_results.data_gaps(round_))
    )


@bp.route("/<int:competition_id>/rounds/<int:round_id>/open", methods=["POST"])
@signed_in
def round_open(competition_id: int, round_id: int) -> Response | str:
    round_, manager, _chief = _load(competition_id, round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _confirmed_step(
        round_,
        manager,
        _("只有竞赛的组织者可以开始考评。"),
        lambda: _open_text(round_),
        lambda: round_results.open_scoring(current_user, round_),
        _("「%(name)s」已开始考评。", name=round_.name),
    )


@bp.route("/<int:competition_id>/rounds/<int:round_id>/confirm", methods=["POST"])
@signed_in
def round_confirm(competition_id: int, round_id: int) -> Response | str:
    round_, _manager, chief = _load(competition_id, round_id)
    form = ConfirmRoundForm()
    if not form.validate_on_submit():
        abort(400)
    return _confirmed_step(
        round_,
        chief,
        _("只有考评组组长可以确认本轮成绩。"),
        lambda: _confirm_text(round_),
        lambda: round_results.confirm_round(
            current_user, round_, accept_missing=form.accept_missing.data
        ),
        _("「%(name)s」的成绩已确认。", name=round_.name),
    )


@bp.route("/<int:competition_id>/rounds/<int:round_id>/publish", methods=["POST"])
@signed_in
def round_publish(competition_id: int, round_id: int) -> Response | str:
    round_, manager, _chief = _load(competition_id, round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _confirmed_step(
        round_,
        manager,
        _("只有竞赛的组织者可以公布成绩。"),
        lambda: publish_consequence(round_),
        lambda: round_results.publish_round(current_user, round_),
        _("「%(name)s」的成绩已公布。", name=round_.name),
    )


@bp.route("/<int:competition_id>/rounds/<int:round_id>/reopen", methods=["POST"])
@signed_in
def round_reopen(competition_id: int, round_id: int) -> Response | str:
    round_, manager, chief = _load(competition_id, round_id)
    form = ReasonForm(prefix="reopen")
    if not form.validate_on_submit():
        for message in form.reason.errors:
            flash(_("重新开放的原因：%(problem)s", problem=message), "danger")
        return redirect(_page_url(round_) + "#reopen")
    published = round_.status is RoundStatus.PUBLISHED
    return _confirmed_step(
        round_,
        manager or (chief and not published),
        _("只有竞赛的组织者可以重新开放已公布的轮次。")
        if published
        else _("只有组织者或考评组组长可以重新开放本轮。"),
        lambda: reopen_consequence(round_),
        lambda: round_results.reopen_round(current_user, round_, form.reason.data or ""),
        _("「%(name)s」已重新开放，原成绩已作废。", name=round_.name),
    )


@bp.route("/<int:competition_id>/rounds/<int:round_id>/return", methods=["POST"])
@signed_in
def sheet_return(competition_id: int, round_id: int) -> Response | str:
    round_, _manager, _chief = _load(competition_id, round_id)
    form = ReturnSheetForm(prefix="ret")
    if not form.validate_on_submit():
        for field in (form.sheet_id, form.reason):
            for message in field.errors:
                flash(message, "danger")
        return redirect(_page_url(round_) + "#return")
    sheet = db.session.get(ScoreSheet, form.sheet_id.data)
    if sheet is None or sheet.round_id != round_.id or sheet.role not in RETURNABLE:
        flash(_("没有这份评分表，请重新选择。"), "danger")
        return redirect(_page_url(round_) + "#return")
    done = (
        _("已退回自评表，参赛单位可修改后重新提交。")
        if sheet.role is SheetRole.SELF
        else _("已退回评分表，考评人可修改后重新提交。")
    )
    return _step(
        round_, lambda: scoring.return_sheet(current_user, sheet, form.reason.data or ""), done
    )


# ---------------------------------------------------------------- Excel


def _manager_only(competition_id: int, round_id: int) -> Round:
    round_, manager, _chief = _load(competition_id, round_id)
    if not manager:
        abort(403)
    return round_


@bp.route("/<int:competition_id>/rounds/<int:round_id>/scores.xlsx")
@signed_in
def round_template(competition_id: int, round_id: int) -> Response:
    """The sheet to fill in for one assessor (``?who=<assessor id>``) or the team (``team``)."""
    round_ = _manager_only(competition_id, round_id)
    who = request.args.get("who", "team")
    member = None
    if who != "team":
        try:
            member_id = db_int(who)
        except ValueError:
            abort(404)
        member = next((a for a in team.team(round_.competition) if a.id == member_id), None)
        if member is None:
            abort(404)
    name = _("考评组") if member is None else member.user.name
    return send_file(
        io.BytesIO(round_import.template(round_, member)),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=f"{round_.name}-{name}-考评分.xlsx",
    )


@bp.route("/<int:competition_id>/rounds/<int:round_id>/import", methods=["GET", "POST"])
@signed_in
def round_import_page(competition_id: int, round_id: int) -> str:
    round_ = _manager_only(competition_id, round_id)
    form = ImportForm()
    errors: list[RowError] = []
    report = None
    if form.validate_on_submit():
        try:
            data, filename = read_upload(form.file.data, IMPORT_MAX_BYTES)
            report = round_import.import_scores(current_user, round_, data, filename)
        except SheetRefused as refusal:
            db.session.rollback()
            errors = refusal.errors
        except LaborError as error:
            db.session.rollback()
            errors = [RowError(0, "", error.message)]
        else:
            db.session.commit()
            flash(
                _(
                    "导入完成：%(n)d 份考评表（%(p)d 个参赛单位）已保存并提交。",
                    n=report.sheets,
                    p=report.participants,
                ),
                "success",
            )
    return render_template(
        "labor/round_import.html",
        competition=round_.competition,
        round=round_,
        members=team.team(round_.competition),
        form=form,
        errors=errors[:ERRORS_SHOWN],
        error_count=len(errors),
        report=report,
    )
