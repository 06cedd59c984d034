"""The assessor's pages (考评): the task list of rounds being assessed, and the sheet of one
participant — tablet-first, each item with its 标准分, the participant's submitted 自评分 with
its note and evidence, and the 考评分 input; draft save, a confirmed submission, and the next
participant still to do.

Thin views over ``contest.services.labor.scoring``; a chief assessor also finds the rounds they
confirm here (``round_results.chief_rounds``).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.labor.blueprint import bp
from contest.labor.round_forms import SheetPostForm
from contest.labor.sheet_pages import (
    Labels,
    confirm_step,
    item_groups,
    load_subject,
    read_post,
    save_or_page,
    totals_context,
)
from contest.models import Participant, Round, SheetStatus
from contest.security.guards import roles_required
from contest.services.assessment.sheets import marks_of
from contest.services.labor import round_results, scoring
from contest.services.labor.scoring import (
    RoundTasks,
    SheetLocked,
)
from contest.ui.errors import render_error

signed_in = roles_required()


@bp.route("/assess")
@signed_in
def assess_index() -> str:
    return render_template(
        "labor/assess_index.html",
        groups=scoring.assessor_tasks(current_user),
        chief_rounds=round_results.chief_rounds(current_user),
    )


def _url(round_: Round, participant: Participant) -> str:
    return url_for(
        "labor.assess_sheet",
        competition_id=round_.competition_id,
        round_id=round_.id,
        participant_id=participant.id,
    )


def _tasks(round_: Round) -> RoundTasks | None:
    return next((g for g in scoring.assessor_tasks(current_user) if g.round.id == round_.id), None)


def _render(
    round_: Round,
    participant: Participant,
    *,
    values: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
    attempted: dict[str, object] | None = None,
    confirm: bool = False,
    status: int = 200,
) -> Any:
    refused = scoring.assess_refusal(current_user, round_, participant)
    if refused is not None and not isinstance(refused, SheetLocked):
        return render_error(403, refused.message)
    competition = round_.competition
    sheet = scoring.assessor_sheet(round_, participant, current_user.id)
    items = scoring.round_items(competition)
    own = scoring.self_column(round_, participant, items)
    groups = item_groups(
        items,
        participant,
        values=marks_of(sheet) if values is None else values,
        problems=problems,
        attempted=attempted,
        notes=own.notes,
        evidence=own.evidence,
    )
    for group in groups:
        for row in group.rows:
            row.self_mark = own.marks.get(row.aspect.key)
            row.self_points = own.points.get(row.aspect.key)
    tasks = _tasks(round_)
    ids = [t.participant.id for t in tasks.tasks] if tasks else []
    position = ids.index(participant.id) if participant.id in ids else -1
    following = None
    if tasks:
        ordered = tasks.tasks[position + 1 :] + tasks.tasks[: max(position, 0)]
        following = next((t for t in ordered if not t.is_done), None)
    return (
        render_template(
            "labor/assess_sheet.html",
            competition=competition,
            round=round_,
            participant=participant,
            sheet=sheet,
            status=sheet.status.value if sheet is not None else "empty",
            own=own,
            groups=groups,
            form=SheetPostForm(formdata=None, version=sheet.version if sheet is not None else 0),
            editable=refused is None and (sheet is None or sheet.status is SheetStatus.DRAFT),
            locked_reason=refused.message if refused is not None else None,
            confirm=confirm,
            tasks=tasks,
            previous=tasks.tasks[position - 1] if tasks and position > 0 else None,
            next=tasks.tasks[position + 1] if tasks and 0 <= position < len(ids) - 1 else None,
            following=following,
            **totals_context(groups, competition),
            config=Labels.config(_("提交后评分表不能再修改（需考评组组长退回）。确定提交吗？")),
        ),
        status,
    )


@bp.route("/<int:competition_id>/rounds/<int:round_id>/assess/<int:participant_id>")
@signed_in
def assess_sheet(competition_id: int, round_id: int, participant_id: int) -> Any:
    round_, participant = load_subject(competition_id, round_id, participant_id)
    return _render(round_, participant)


@bp.route(
    "/<int:competition_id>/rounds/<int:round_id>/assess/<int:participant_id>", methods=["POST"]
)
@signed_in
def assess_save(competition_id: int, round_id: int, participant_id: int) -> Any:
    round_, participant = load_subject(competition_id, round_id, participant_id)
    url = _url(round_, participant)
    items = scoring.typed_items(scoring.round_items(round_.competition))
    post = read_post(items)
    if post is None:
        flash(_("页面已过期，请刷新后重新填写。"), "danger")
        return redirect(url)

    def save() -> object:
        return scoring.save_assessment(
            current_user,
            round_,
            participant,
            post.values,
            submit=post.submit,
            expected_version=post.form.version.data,
        )

    def render(**context: Any) -> Any:
        return _render(round_, participant, **context)

    refused = save_or_page(save, render, url, post)
    if refused is not None:
        return refused
    if post.submit:
        flash(_("%(name)s 的考评表已提交。", name=participant.name), "success")
    elif post.wants_submit:
        stored = marks_of(scoring.assessor_sheet(round_, participant, current_user.id))
        return confirm_step(items, stored, render)
    else:
        flash(_("草稿已保存。"), "success")
    return redirect(url)
