"""荣誉撤销: revocation cases along the chain that conferred the honor (issue #14 item 5) — the
list (cases awaiting the user first), a new case for an honor (from a file or a 建议撤销
outcome), and a case's page: the honor, ground and facts, the evidence, the chain step by step
with each act, and the form of the step the user acts at.

Thin views over :mod:`contest.services.care.revocations`, which says who acts where; a case the
user does not see is a 404. Rejecting and deciding are confirmed in a dialog.
"""

from __future__ import annotations

import io
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from contest.care.blueprint import bp
from contest.care.review_forms import (
    CaseForm,
    DecideForm,
    EvidenceForm,
    NoteForm,
    RecoveryForm,
    put_error,
)
from contest.extensions import db
from contest.models import Honor, ReviewOutcome, Revocation
from contest.services.care import revocations, scope
from contest.services.care.revocations import RevocationError
from contest.services.core.uploads import Upload
from contest.services.honors.validity import today
from contest.services.nominations.conferral import GROUNDS
from contest.ui import confirm
from contest.ui.confirm import Consequence
from contest.ui.forms import ActionForm
from contest.validation import db_int

# The acts that take a note: 上报, 审核通过, 退回, 不予撤销.
ACTS = {
    "submit": revocations.submit,
    "forward": revocations.forward,
    "return": revocations.send_back,
    "reject": revocations.reject,
}

# What each act is called in the case's chain.
ENTRY_LABELS = {
    "create": _l("提出撤销"),
    "update": _l("修改撤销事由"),
    "submit": _l("上报"),
    "forward": _l("审核通过并转报"),
    "return": _l("退回"),
    "reject": _l("不予撤销"),
    "decide": _l("决定撤销"),
    "recovery": _l("登记收回情况"),
}


def _done(act: str, case: Revocation) -> str:
    """What an act did, naming the union that has the case now."""
    union = revocations.step_union(case)
    org = union.name if union else ""
    if act == "submit":
        return _("已上报，等待%(org)s审核。", org=org)
    if act == "forward":
        return _("已审核通过并转报%(org)s。", org=org)
    if act == "return":
        return _("已退回%(org)s。", org=org)
    return _("已决定不予撤销，该荣誉保留。")


def _case(case_id: int) -> Revocation:
    found = db.session.get(Revocation, case_id)
    if found is None or not revocations.may_view(current_user, found):
        abort(404)
    return found


def reject_consequence(case: Revocation) -> Consequence:
    return Consequence(
        title=_("确认不予撤销？"),
        text=_(
            "撤销案就此办结，%(name)s的“%(title)s”保留；如有新的事实，须重新提出撤销。",
            name=case.honor.recipient_name,
            title=case.honor.display_title,
        ),
        action=_("不予撤销"),
    )


def decide_consequence(case: Revocation) -> Consequence:
    return Consequence(
        title=_("确认撤销荣誉？"),
        text=_(
            "将撤销%(name)s的“%(title)s”：该荣誉从劳模墙撤下，证书查验只显示已撤销，"
            "撤销案和荣誉记录保留。此操作不能撤回。",
            name=case.honor.recipient_name,
            title=case.honor.display_title,
        ),
        action=_("确认撤销"),
    )


# ---------------------------------------------------------------- the list


@bp.route("/revocations", endpoint="revocations")
def revocations_index() -> str:
    cases = revocations.cases_for(current_user)
    awaiting = [c for c in cases if revocations.may_act(current_user, c)]
    return render_template(
        "care/revocations.html",
        awaiting=awaiting,
        others=[c for c in cases if c not in awaiting],
        grounds=GROUNDS,
        step_union=revocations.step_union,
    )


# ---------------------------------------------------------------- a new case


def _outcome_arg() -> ReviewOutcome | None:
    raw = request.values.get("outcome", type=db_int)
    if not raw:
        return None
    outcome = db.session.get(ReviewOutcome, raw)
    if outcome is None or not scope.may_see(current_user, outcome.file):
        abort(404)
    return outcome


def _new_page(
    honor: Honor, outcome: ReviewOutcome | None, form: CaseForm, status: int = 200
) -> tuple[str, int]:
    file = outcome.file if outcome else revocations.file_of(honor)
    return render_template(
        "care/revocation_new.html",
        honor=honor,
        outcome=outcome,
        form=form,
        chain=revocations.chain_of(current_user, honor, file),
        open_case=revocations.open_case_of(honor),
    ), status


@bp.route("/revocations/new", methods=["GET", "POST"])
def revocation_new() -> Response | tuple[str, int]:
    """``?honor=<id>[&outcome=<id>]``; with an outcome only, its honoree's honors to choose from."""
    outcome = _outcome_arg()
    honor_id = request.values.get("honor", type=db_int)
    if not honor_id:
        if outcome is None:
            abort(404)
        return render_template(
            "care/revocation_pick.html",
            outcome=outcome,
            honors=revocations.valid_honors_of(outcome.file),
        ), 200
    honor = db.session.get(Honor, honor_id)
    file = outcome.file if outcome else None
    if honor is None or not revocations.may_open(current_user, honor, file):
        abort(404)
    form = CaseForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _new_page(honor, outcome, form, 200 if request.method == "GET" else 400)
    try:
        case = revocations.open_case(
            current_user, honor, form.ground.data, form.facts.data, file, outcome
        )
    except RevocationError as error:
        _refused(form, error)
        return _new_page(honor, outcome, form, 400)
    db.session.commit()
    flash(_("已提出撤销案，请上传证据材料后上报。"), "success")
    return redirect(url_for("care.revocation", case_id=case.id))


# ---------------------------------------------------------------- a case


def _case_page(case: Revocation, status: int = 200, **forms: Any) -> tuple[str, int]:
    case_form = forms.get("case_form") or CaseForm(formdata=None, obj=case)
    decide_form = forms.get("decide_form") or DecideForm(formdata=None)
    if decide_form.decided_on.data is None and not decide_form.errors:
        decide_form.decided_on.data = today()
    return render_template(
        "care/revocation.html",
        case=case,
        ground=GROUNDS.get(case.ground, case.ground),
        steps=revocations.steps_of(case),
        evidence=revocations.evidence_of(case),
        union=revocations.step_union(case),
        may_act=revocations.may_act(current_user, case),
        may_record=revocations.may_record_recovery(current_user, case),
        entry_labels=ENTRY_LABELS,
        case_form=case_form,
        note_form=forms.get("note_form") or NoteForm(formdata=None),
        decide_form=decide_form,
        recovery_form=forms.get("recovery_form") or RecoveryForm(formdata=None, obj=case),
        evidence_form=EvidenceForm(formdata=None),
        action_form=ActionForm(),
        reject_consequence=reject_consequence(case),
        decide_consequence=decide_consequence(case),
        max_mb=revocations.MAX_EVIDENCE_BYTES // (1024 * 1024),
    ), status


@bp.route("/revocations/<int:case_id>")
def revocation(case_id: int) -> tuple[str, int]:
    return _case_page(_case(case_id))


def _refused(form: Any, error: RevocationError) -> None:
    """Undo, and say why: on the field it concerns, else at the top of the page (the form of
    a step the user does not act at is not on it)."""
    db.session.rollback()
    if error.field:
        put_error(form, error)
    else:
        flash(error.message, "danger")


def _back(case: Revocation, anchor: str | None = None) -> Response:
    return redirect(url_for("care.revocation", case_id=case.id, _anchor=anchor))


@bp.route("/revocations/<int:case_id>/update", methods=["POST"])
def revocation_update(case_id: int) -> Response | tuple[str, int]:
    case = _case(case_id)
    form = CaseForm()
    if not form.validate_on_submit():
        return _case_page(case, 400, case_form=form)
    try:
        revocations.update_case(current_user, case, form.ground.data, form.facts.data)
    except RevocationError as error:
        _refused(form, error)
        return _case_page(case, 400, case_form=form)
    db.session.commit()
    flash(_("已保存。"), "success")
    return _back(case)


@bp.route("/revocations/<int:case_id>/act/<act>", methods=["POST"])
def revocation_act(case_id: int, act: str) -> Any:
    case = _case(case_id)
    if act not in ACTS:
        abort(404)
    form = NoteForm()
    if not form.validate_on_submit():
        return _case_page(case, 400, note_form=form)
    if act == "reject" and not confirm.confirmed():
        return confirm.ask(reject_consequence(case), url_for("care.revocation", case_id=case.id))
    try:
        case = ACTS[act](current_user, case, form.note.data)
    except RevocationError as error:
        _refused(form, error)
        return _case_page(case, 400, note_form=form)
    db.session.commit()
    flash(_done(act, case), "success")
    return _back(case)


@bp.route("/revocations/<int:case_id>/decide", methods=["POST"])
def revocation_decide(case_id: int) -> Any:
    case = _case(case_id)
    form = DecideForm()
    if not form.validate_on_submit():
        return _case_page(case, 400, decide_form=form)
    if not confirm.confirmed():
        return confirm.ask(decide_consequence(case), url_for("care.revocation", case_id=case.id))
    try:
        revocations.decide(
            current_user, case, form.document_number.data, form.decided_on.data, form.note.data
        )
    except RevocationError as error:
        _refused(form, error)
        return _case_page(case, 400, decide_form=form)
    db.session.commit()
    flash(
        _(
            "已撤销%(name)s的荣誉，劳模墙不再展示。请登记奖章、证书收回和待遇停止情况。",
            name=case.honor.recipient_name,
        ),
        "success",
    )
    return _back(case, "recovery")


@bp.route("/revocations/<int:case_id>/recovery", methods=["POST"])
def revocation_recovery(case_id: int) -> Response | tuple[str, int]:
    case = _case(case_id)
    form = RecoveryForm()
    if not form.validate_on_submit():
        return _case_page(case, 400, recovery_form=form)
    try:
        revocations.record_recovery(
            current_user,
            case,
            form.medal_recovered_on.data,
            form.certificate_recovered_on.data,
            form.benefits_stop_on.data,
        )
    except RevocationError as error:
        _refused(form, error)
        return _case_page(case, 400, recovery_form=form)
    db.session.commit()
    flash(_("已登记收回和待遇停止情况。"), "success")
    return _back(case, "recovery")


# ---------------------------------------------------------------- evidence


@bp.route("/revocations/<int:case_id>/evidence", methods=["POST"])
def revocation_evidence_add(case_id: int) -> Response:
    case = _case(case_id)
    form = EvidenceForm()
    if not form.validate_on_submit():
        abort(400)
    storage = form.file.data
    if storage is None or not getattr(storage, "filename", ""):
        flash(_("请选择要上传的文件。"), "danger")
        return _back(case, "evidence")
    upload = Upload(storage.filename, storage.stream.read(revocations.MAX_EVIDENCE_BYTES + 1))
    try:
        added = revocations.add_evidence(current_user, case, upload)
    except RevocationError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _back(case, "evidence")
    db.session.commit()
    flash(_("已上传 %(name)s。", name=added.filename), "success")
    return _back(case, "evidence")


@bp.route("/revocations/<int:case_id>/evidence/<int:evidence_id>/delete", methods=["POST"])
def revocation_evidence_remove(case_id: int, evidence_id: int) -> Response:
    case = _case(case_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        revocations.remove_evidence(current_user, case, evidence_id)
    except RevocationError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _back(case, "evidence")
    db.session.commit()
    flash(_("已删除证据材料。"), "success")
    return _back(case, "evidence")


@bp.route("/revocations/<int:case_id>/evidence/<int:evidence_id>")
def revocation_evidence(case_id: int, evidence_id: int) -> Response:
    """A piece of evidence, served with its checked type; each opening is audited."""
    case = _case(case_id)
    try:
        evidence = revocations.open_evidence(current_user, case, evidence_id)
    except RevocationError:
        abort(404)
    db.session.commit()
    response = send_file(
        io.BytesIO(bytes(evidence.data)),
        mimetype=evidence.content_type,
        download_name=evidence.filename,
        as_attachment=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
