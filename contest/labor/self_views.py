"""The participant's self-assessment (自评): the rounds open for it, and the sheet item by item
with 标准分, a note and evidence files per item, draft save and a confirmed submission; the
evidence files themselves, for those who may read them.

Thin views over ``contest.services.labor.scoring``: load (404), ask the service who may fill
in what (403 with its reason; a closed round shows read-only), save, commit once, report.
"""

from __future__ import annotations

import io
from typing import Any

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.labor.blueprint import bp
from contest.labor.round_forms import (
    SheetPostForm,
    posted_files,
    posted_notes,
    posted_removals,
)
from contest.labor.sheet_pages import (
    Labels,
    confirm_step,
    item_groups,
    load_subject,
    other_problems,
    read_post,
    save_or_page,
    totals_context,
)
from contest.models import MarkEvidence, Participant, Round, SheetStatus
from contest.security.guards import roles_required
from contest.services.assessment.sheets import marks_of
from contest.services.labor import scoring
from contest.services.labor.scoring import (
    MAX_EVIDENCE_BYTES,
    MAX_EVIDENCE_PER_ITEM,
    NOTE_MAX,
    SheetLocked,
)
from contest.ui.errors import render_error

signed_in = roles_required()


@bp.route("/self")
@signed_in
def self_index() -> str:
    return render_template("labor/self_index.html", groups=scoring.self_tasks(current_user))


def _url(round_: Round, participant: Participant) -> str:
    return url_for(
        "labor.self_sheet",
        competition_id=round_.competition_id,
        round_id=round_.id,
        participant_id=participant.id,
    )


def _render(
    round_: Round,
    participant: Participant,
    *,
    values: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
    attempted: dict[str, object] | None = None,
    notes: dict[int, str] | None = None,
    confirm: bool = False,
    status: int = 200,
) -> Any:
    refused = scoring.self_refusal(current_user, round_, participant)
    if refused is not None and not isinstance(refused, SheetLocked):
        return render_error(403, refused.message)
    sheet = scoring.self_sheet(round_, participant)
    items = scoring.round_items(round_.competition)
    editable = refused is None and (sheet is None or sheet.status is SheetStatus.DRAFT)
    stored = marks_of(sheet)
    form = SheetPostForm(formdata=None, version=sheet.version if sheet is not None else 0)
    groups = item_groups(
        items,
        participant,
        values=stored if values is None else values,
        problems=problems,
        attempted=attempted,
        notes={**scoring.notes_of(sheet), **(notes or {})},
        evidence=scoring.evidence_of(sheet),
    )
    return (
        render_template(
            "labor/self_sheet.html",
            competition=round_.competition,
            round=round_,
            participant=participant,
            sheet=sheet,
            status=sheet.status.value if sheet is not None else "empty",
            groups=groups,
            form=form,
            editable=editable,
            locked_reason=refused.message if refused is not None else None,
            confirm=confirm,
            general=other_problems(problems or {}, items),
            max_files=MAX_EVIDENCE_PER_ITEM,
            max_mb=MAX_EVIDENCE_BYTES // (1024 * 1024),
            note_max=NOTE_MAX,
            **totals_context(groups, round_.competition),
            config=Labels.config(_("提交后自评表不能再修改，本轮以此为准。确定提交吗？")),
        ),
        status,
    )


@bp.route("/<int:competition_id>/rounds/<int:round_id>/self/<int:participant_id>")
@signed_in
def self_sheet(competition_id: int, round_id: int, participant_id: int) -> Any:
    round_, participant = load_subject(competition_id, round_id, participant_id)
    return _render(round_, participant)


@bp.route("/<int:competition_id>/rounds/<int:round_id>/self/<int:participant_id>", methods=["POST"])
@signed_in
def self_save(competition_id: int, round_id: int, participant_id: int) -> Any:
    round_, participant = load_subject(competition_id, round_id, participant_id)
    url = _url(round_, participant)
    items = scoring.typed_items(scoring.round_items(round_.competition))
    post = read_post(items)
    if post is None:
        flash(_("页面已过期，请刷新后重新填写。"), "danger")
        return redirect(url)
    notes = posted_notes(items)
    files = posted_files(items)
    removals = posted_removals()

    def save() -> object:
        return scoring.save_self(
            current_user,
            round_,
            participant,
            post.values,
            notes=notes,
            uploads=files,
            remove=removals,
            submit=post.submit,
            expected_version=post.form.version.data,
        )

    def render(**context: Any) -> Any:
        return _render(round_, participant, **context)

    message = _("评分内容有误，未保存，所选文件也未上传；请改正后重新选择文件。") if files else None
    refused = save_or_page(save, render, url, post, notes=notes, message=message)
    if refused is not None:
        return refused
    if post.submit:
        flash(_("%(name)s 的自评表已提交。", name=participant.name), "success")
    elif post.wants_submit:
        return confirm_step(items, marks_of(scoring.self_sheet(round_, participant)), render)
    elif removals:
        flash(_("已删除佐证材料，草稿已保存。"), "success")
    elif files:
        count = sum(len(f) for f in files.values())
        flash(_("已上传 %(n)d 个佐证材料，草稿已保存。", n=count), "success")
    else:
        flash(_("草稿已保存。"), "success")
    return redirect(url)


# ---------------------------------------------------------------- evidence files


@bp.route("/evidence/<int:evidence_id>")
@signed_in
def evidence_file(evidence_id: int) -> Response:
    """An evidence file, for those who may read it (404 for anyone else: its existence is not
    confirmed)."""
    evidence = db.session.get(MarkEvidence, evidence_id)
    if evidence is None or not scoring.may_read_evidence(current_user, evidence):
        abort(404)
    response = send_file(
        io.BytesIO(bytes(evidence.data)),
        mimetype=evidence.content_type,
        download_name=evidence.filename,
        as_attachment=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
