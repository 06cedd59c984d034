"""The review chain's pages (issue 13 item 6): the reviewer's and expert's task list (评审任务),
the organizer's 评审流程 of a campaign (stages, members, open and close), a stage's page
(progress, the nominations with their decisions), and a nomination's decision page (materials,
earlier decisions, 征求意见, the decision form with its confirmation).

Thin views over ``contest.services.nominations.review`` and ``consultations``: load (404),
authorize (the campaign's organizers, or the stage's members; others get 404 for a stage, 403
for an action), check the form, call the service, commit once, flash, redirect. GET handlers
never write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.models import Nomination, Outcome, StageMode, User
from contest.models.nomination import Campaign, ReviewStage, StageMember, StageStatus
from contest.nominations import campaign_base, review_confirm
from contest.nominations.blueprint import bp
from contest.nominations.review_forms import (
    CloseForm,
    ConsultationForm,
    DecisionForm,
    LimitedDecisionForm,
    MemberForm,
    ReasonForm,
    StageForm,
)
from contest.security.guards import roles_required
from contest.services.nominations import consultations, expert, review
from contest.services.nominations.review import NotPermitted, ReviewError
from contest.ui import confirm
from contest.ui.confirm import Consequence
from contest.ui.errors import render_error
from contest.ui.forms import ActionForm

signed_in = roles_required()


# ---------------------------------------------------------------- loading


def load_campaign(campaign_id: int) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


def managed_campaign(campaign_id: int) -> Campaign:
    """The campaign (404), for its organizers only (403)."""
    campaign = load_campaign(campaign_id)
    if not campaign.can_manage(current_user):
        abort(403)
    return campaign


def load_stage(campaign: Campaign, stage_id: int) -> ReviewStage:
    stage = db.session.get(ReviewStage, stage_id)
    if stage is None or stage.campaign_id != campaign.id:
        abort(404)
    return stage


def viewable_stage(campaign_id: int, stage_id: int) -> tuple[Campaign, ReviewStage]:
    """A stage for its campaign's organizers and its members; 404 for everyone else (a
    reviewer never learns of stages they do not sit on)."""
    campaign = load_campaign(campaign_id)
    stage = load_stage(campaign, stage_id)
    if not review.can_view(current_user, stage):
        abort(404)
    return campaign, stage


def load_nomination(campaign: Campaign, nomination_id: int) -> Nomination:
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or nomination.campaign_id != campaign.id:
        abort(404)
    return nomination


def _button() -> None:
    """A one-button POST: 400 unless its CSRF token is valid."""
    if not ActionForm().validate_on_submit():
        abort(400)


def _chain_url(campaign: Campaign) -> str:
    return url_for("nominations.review_chain", campaign_id=campaign.id)


def _stage_url(stage: ReviewStage) -> str:
    return url_for("nominations.review_stage", campaign_id=stage.campaign_id, stage_id=stage.id)


def _put_error(form: Any, error: ReviewError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def _refused(error: ReviewError, back: str) -> Response | tuple[str, int]:
    db.session.rollback()
    if isinstance(error, NotPermitted):
        return render_error(403, error.message)  # type: ignore[no-any-return]
    flash(error.message, "danger")
    return redirect(back)


# ---------------------------------------------------------------- the task list


@bp.route("/review")
@signed_in
def review_index() -> str:
    groups = review.stage_tasks(current_user)
    codes = {g.campaign.id: expert.codes(g.campaign) for g in groups}
    return render_template("nominations/review_index.html", groups=groups, codes=codes)


# ---------------------------------------------------------------- the chain


def _chain_page(campaign: Campaign, form: StageForm, status: int = 200) -> tuple[str, int]:
    stages = list(campaign.stages)
    return (
        render_template(
            "nominations/review_chain.html",
            **campaign_base.header(campaign, "review"),
            stages=stages,
            counts={s.id: len(review.members(s)) for s in stages},
            problems={s.id: review.open_problems(s) for s in stages},
            form=form,
            action_form=ActionForm(),
            editable=campaign.status.value in ("draft", "open", "review"),
            finalize_problems=expert.finalize_problems(campaign),
            confirmations=review_confirm,
        ),
        status,
    )


@bp.route("/<int:campaign_id>/review")
@signed_in
def review_chain(campaign_id: int) -> tuple[str, int]:
    campaign = managed_campaign(campaign_id)
    return _chain_page(campaign, StageForm(formdata=None, mode="review", aggregation="mean"))


@bp.route("/<int:campaign_id>/review/default", methods=["POST"])
@signed_in
def review_default(campaign_id: int) -> Any:
    campaign = managed_campaign(campaign_id)
    _button()
    return _act(
        _chain_url(campaign),
        lambda: review.install_default_chain(current_user, campaign),
        _("已按默认流程设置：初审 → 征求意见 → 复审 → 专家评审 → 终审。"),
    )


@bp.route("/<int:campaign_id>/review/stages", methods=["POST"])
@signed_in
def review_stage_add(campaign_id: int) -> Response | tuple[str, int]:
    campaign = managed_campaign(campaign_id)
    form = StageForm()
    if form.validate_on_submit():
        try:
            stage = review.add_stage(current_user, campaign, form.data_for_service())
        except NotPermitted as error:
            db.session.rollback()
            return render_error(403, error.message)  # type: ignore[no-any-return]
        except ReviewError as error:
            db.session.rollback()
            _put_error(form, error)
        else:
            db.session.commit()
            flash(_("已添加环节「%(name)s」。", name=stage.name), "success")
            return redirect(_stage_url(stage))
    return _chain_page(campaign, form, 422)


# ---------------------------------------------------------------- a stage


def _stage_page(
    campaign: Campaign,
    stage: ReviewStage,
    *,
    form: StageForm | None = None,
    member_form: MemberForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    manager = campaign.can_manage(current_user)
    progress = review.progress(stage)
    panel = review.members(stage)
    if form is None:
        form = StageForm(
            formdata=None,
            name=stage.name,
            mode=stage.mode.value,
            opens_on=stage.opens_on,
            closes_on=stage.closes_on,
            blind=stage.blind,
            aggregation=stage.aggregation,
            trim=stage.trim or 1,
        )
    if member_form is None:
        member_form = MemberForm(review.candidate_members(stage), formdata=None)
    check = review.close_problems(stage) if stage.status is StageStatus.OPEN else None
    scoring = stage.mode in review.SCORING_MODES
    return (
        render_template(
            "nominations/review_stage.html",
            campaign=campaign,
            stage=stage,
            manager=manager,
            member=review.member_of(current_user, stage),
            progress=progress,
            panel=panel,
            form=form,
            member_form=member_form,
            action_form=ActionForm(),
            close_form=CloseForm(
                formdata=None, accept_missing=check.missing_sheets if check else None
            ),
            reopen_form=ReasonForm(formdata=None),
            open_problems=review.open_problems(stage) if manager else [],
            check=check,
            scoring=scoring,
            # Names are hidden from the experts of a blind stage, never from its organizers.
            blind=scoring and stage.blind and not manager,
            codes=expert.codes(campaign),
            items=expert.items_of(stage) if scoring else [],
            previous=review.previous_stage(stage),
            following=review.next_stage(stage),
            confirmations=review_confirm,
            decision_url=_decision_target,
        ),
        status,
    )


def _decision_target(stage: ReviewStage, nomination: Nomination) -> str:
    """Where a stage's row leads: the expert sheet in a scoring stage for its experts, else
    the decision page."""
    if stage.mode in review.SCORING_MODES and review.is_member(current_user, stage):
        return url_for(
            "nominations.expert_sheet",
            campaign_id=stage.campaign_id,
            stage_id=stage.id,
            nomination_id=nomination.id,
        )
    return url_for(
        "nominations.review_decision",
        campaign_id=stage.campaign_id,
        stage_id=stage.id,
        nomination_id=nomination.id,
    )


@bp.route("/<int:campaign_id>/review/<int:stage_id>")
@signed_in
def review_stage(campaign_id: int, stage_id: int) -> tuple[str, int]:
    campaign, stage = viewable_stage(campaign_id, stage_id)
    return _stage_page(campaign, stage)


@bp.route("/<int:campaign_id>/review/<int:stage_id>", methods=["POST"])
@signed_in
def review_stage_edit(campaign_id: int, stage_id: int) -> Response | tuple[str, int]:
    campaign = managed_campaign(campaign_id)
    stage = load_stage(campaign, stage_id)
    form = StageForm()
    if form.validate_on_submit():
        try:
            review.update_stage(current_user, stage, form.data_for_service())
        except NotPermitted as error:
            db.session.rollback()
            return render_error(403, error.message)  # type: ignore[no-any-return]
        except ReviewError as error:
            db.session.rollback()
            _put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存环节「%(name)s」的设置。", name=stage.name), "success")
            return redirect(_stage_url(stage))
    return _stage_page(campaign, stage, form=form, status=422)


@bp.route("/<int:campaign_id>/review/<int:stage_id>/members", methods=["POST"])
@signed_in
def review_member_add(campaign_id: int, stage_id: int) -> Response | tuple[str, int]:
    campaign = managed_campaign(campaign_id)
    stage = load_stage(campaign, stage_id)
    form = MemberForm(review.candidate_members(stage))
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data) if form.user_id.data else None
        if user is None:
            form.user_id.errors = [*form.user_id.errors, _("请选择账号")]
        else:
            try:
                review.add_member(current_user, stage, user, is_chair=bool(form.is_chair.data))
            except ReviewError as error:
                db.session.rollback()
                _put_error(form, error)
            else:
                db.session.commit()
                flash(_("已将 %(name)s 加入「%(stage)s」。", name=user.name, stage=stage.name))
                return redirect(_stage_url(stage) + "#members")
    return _stage_page(campaign, stage, member_form=form, status=422)


def _member(stage: ReviewStage, member_id: int) -> StageMember:
    member = db.session.get(StageMember, member_id)
    if member is None or member.stage_id != stage.id:
        abort(404)
    return member


def _act(
    back: str, do: Callable[[], object], done: str, consequence: Consequence | None = None
) -> Any:
    """A one-step action of the organizer: asked first when it has a ``consequence`` (the
    dialog, or the page that asks without JavaScript), then ``do``; committed with ``done``
    flashed, or refused with the service's reason and nothing changed."""
    if consequence is not None and not confirm.confirmed():
        return confirm.ask(consequence, back)
    try:
        do()
    except ReviewError as error:
        return _refused(error, back)
    db.session.commit()
    flash(done, "success")
    return redirect(back)


@bp.route(
    "/<int:campaign_id>/review/<int:stage_id>/members/<int:member_id>/chair", methods=["POST"]
)
@signed_in
def review_member_chair(campaign_id: int, stage_id: int, member_id: int) -> Any:
    campaign = managed_campaign(campaign_id)
    stage = load_stage(campaign, stage_id)
    member = _member(stage, member_id)
    _button()
    return _act(
        _stage_url(stage) + "#members",
        lambda: review.set_chair(current_user, stage, member),
        _("%(name)s 为本环节组长。", name=member.user.name),
    )


@bp.route(
    "/<int:campaign_id>/review/<int:stage_id>/members/<int:member_id>/delete", methods=["POST"]
)
@signed_in
def review_member_remove(campaign_id: int, stage_id: int, member_id: int) -> Any:
    campaign = managed_campaign(campaign_id)
    stage = load_stage(campaign, stage_id)
    member = _member(stage, member_id)
    _button()
    return _act(
        _stage_url(stage) + "#members",
        lambda: review.remove_member(current_user, stage, member),
        _("已将 %(name)s 移出本环节。", name=member.user.name),
        review_confirm.remove_member(stage, member),
    )


@bp.route("/<int:campaign_id>/review/<int:stage_id>/open", methods=["POST"])
@signed_in
def review_stage_open(campaign_id: int, stage_id: int) -> Any:
    campaign = managed_campaign(campaign_id)
    stage = load_stage(campaign, stage_id)
    _button()
    return _act(
        _stage_url(stage),
        lambda: review.open_stage(current_user, stage),
        _("「%(name)s」已开始。", name=stage.name),
        review_confirm.open_stage(stage),
    )


@bp.route("/<int:campaign_id>/review/<int:stage_id>/close", methods=["POST"])
@signed_in
def review_stage_close(campaign_id: int, stage_id: int) -> Any:
    campaign = managed_campaign(campaign_id)
    stage = load_stage(campaign, stage_id)
    form = CloseForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(
        _stage_url(stage),
        lambda: review.close_stage(current_user, stage, accept_missing=form.accept_missing.data),
        _("「%(name)s」已结束。", name=stage.name),
        review_confirm.close_stage(stage),
    )


@bp.route("/<int:campaign_id>/review/<int:stage_id>/reopen", methods=["POST"])
@signed_in
def review_stage_reopen(campaign_id: int, stage_id: int) -> Any:
    campaign = managed_campaign(campaign_id)
    stage = load_stage(campaign, stage_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(form.reason.errors[0] if form.reason.errors else _("表单已过期，请重试。"), "danger")
        return redirect(_stage_url(stage))
    return _act(
        _stage_url(stage),
        lambda: review.reopen_stage(current_user, stage, form.reason.data or ""),
        _("「%(name)s」已重新开放。", name=stage.name),
        review_confirm.reopen_stage(stage),
    )


@bp.route("/<int:campaign_id>/review/<int:stage_id>/delete", methods=["POST"])
@signed_in
def review_stage_delete(campaign_id: int, stage_id: int) -> Any:
    campaign = managed_campaign(campaign_id)
    stage = load_stage(campaign, stage_id)
    _button()
    return _act(
        _chain_url(campaign),
        lambda: review.delete_stage(current_user, stage),
        _("已删除环节「%(name)s」。", name=stage.name),
        review_confirm.delete_stage(stage),
    )


@bp.route("/<int:campaign_id>/review/<int:stage_id>/move", methods=["POST"])
@signed_in
def review_stage_move(campaign_id: int, stage_id: int) -> Any:
    campaign = managed_campaign(campaign_id)
    stage = load_stage(campaign, stage_id)
    _button()
    try:
        review.move_stage(current_user, stage, -1 if request.form.get("step") == "up" else 1)
    except ReviewError as error:
        return _refused(error, _chain_url(campaign))
    db.session.commit()
    return redirect(_chain_url(campaign))


# ---------------------------------------------------------------- a nomination's decision


def _may_decide(stage: ReviewStage) -> bool:
    if stage.mode is StageMode.REVIEW:
        return review.is_member(current_user, stage)
    return review.is_chair(current_user, stage) or stage.campaign.can_manage(current_user)


def _hidden_names(stage: ReviewStage) -> bool:
    """A blind stage's members see codes only, so its returns and rejections are the
    organizer's (the decision page names the nominee)."""
    return (
        stage.blind
        and stage.mode in review.SCORING_MODES
        and not stage.campaign.can_manage(current_user)
    )


def _decision_page(
    campaign: Campaign,
    stage: ReviewStage,
    nomination: Nomination,
    *,
    form: DecisionForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    manager = campaign.can_manage(current_user)
    recused = review.recusal_reason(current_user, nomination)
    if recused and not manager:
        return render_error(403, recused)  # type: ignore[no-any-return]
    if _hidden_names(stage):
        return render_error(403, _("匿名评审环节中，退回或不通过由评选组织者办理。"))  # type: ignore[no-any-return]
    if not review.entered(stage, nomination):
        abort(404)
    decision = review.decision_of(stage, nomination)
    state = review.state_of(nomination, decision)
    form_class = DecisionForm if stage.mode is StageMode.REVIEW else LimitedDecisionForm
    if form is None:
        form = form_class(
            formdata=None,
            outcome=decision.outcome.value if decision else None,
            reason=decision.reason if decision else "",
            veto=decision.veto if decision else False,
        )
    earlier = []
    for other in campaign.stages:
        if other.id == stage.id:
            break
        earlier.append((other, review.decision_of(other, nomination)))
    answers = consultations.answers(nomination)
    listed = [r for r in review.rows(stage) if r.state == review.PENDING]
    ids = [r.nomination.id for r in listed if r.nomination.id != nomination.id]
    can_decide = (
        _may_decide(stage)
        and not recused
        and stage.status is StageStatus.OPEN
        and state != review.RETURNED
    )
    return (
        render_template(
            "nominations/review_decision.html",
            campaign=campaign,
            stage=stage,
            nomination=nomination,
            code=expert.code_of(nomination),
            manager=manager,
            decision=decision,
            state=state,
            state_label=review.STATE_LABELS[state],
            earlier=earlier,
            answers=answers,
            consult_forms={
                a.department: (
                    f"c{i}",
                    ConsultationForm(
                        formdata=None,
                        prefix=f"c{i}",
                        department=a.department,
                        answer={True: "cleared", False: "issue"}.get(a.cleared, "none"),  # type: ignore[arg-type]
                        note=a.note,
                    ),
                )
                for i, a in enumerate(answers)
            },
            form=form,
            can_decide=can_decide,
            recused=recused,
            next_id=ids[0] if ids else None,
            consequence=review_confirm.decide(stage, nomination, nomination.name),
        ),
        status,
    )


@bp.route("/<int:campaign_id>/review/<int:stage_id>/n/<int:nomination_id>")
@signed_in
def review_decision(campaign_id: int, stage_id: int, nomination_id: int) -> tuple[str, int]:
    campaign, stage = viewable_stage(campaign_id, stage_id)
    nomination = load_nomination(campaign, nomination_id)
    return _decision_page(campaign, stage, nomination)


def _decision_url(stage: ReviewStage, nomination: Nomination) -> str:
    return url_for(
        "nominations.review_decision",
        campaign_id=stage.campaign_id,
        stage_id=stage.id,
        nomination_id=nomination.id,
    )


@bp.route("/<int:campaign_id>/review/<int:stage_id>/n/<int:nomination_id>", methods=["POST"])
@signed_in
def review_decide(campaign_id: int, stage_id: int, nomination_id: int) -> Any:
    campaign, stage = viewable_stage(campaign_id, stage_id)
    nomination = load_nomination(campaign, nomination_id)
    if _hidden_names(stage):
        return render_error(403, _("匿名评审环节中，退回或不通过由评选组织者办理。"))
    form = (DecisionForm if stage.mode is StageMode.REVIEW else LimitedDecisionForm)()
    if not form.validate_on_submit():
        return _decision_page(campaign, stage, nomination, form=form, status=422)
    if not confirm.confirmed():
        return confirm.ask(
            review_confirm.decide(stage, nomination, nomination.name),
            _decision_url(stage, nomination),
        )
    try:
        review.decide(
            current_user,
            stage,
            nomination,
            Outcome(form.outcome.data),
            form.reason.data,
            veto=bool(form.veto.data),
        )
    except NotPermitted as error:
        db.session.rollback()
        return render_error(403, error.message)
    except ReviewError as error:
        db.session.rollback()
        _put_error(form, error)
        return _decision_page(campaign, stage, nomination, form=form, status=422)
    db.session.commit()
    flash(_("已记录对 %(name)s 的审核结论。", name=nomination.name), "success")
    following = request.form.get("next", type=int)
    if following:
        target = db.session.get(Nomination, following)
        if target is not None and target.campaign_id == campaign.id:
            return redirect(_decision_url(stage, target))
    return redirect(_stage_url(stage))


@bp.route(
    "/<int:campaign_id>/review/<int:stage_id>/n/<int:nomination_id>/consultation",
    methods=["POST"],
)
@signed_in
def review_consult(campaign_id: int, stage_id: int, nomination_id: int) -> Any:
    campaign = managed_campaign(campaign_id)
    stage = load_stage(campaign, stage_id)
    nomination = load_nomination(campaign, nomination_id)
    back = _decision_url(stage, nomination) + "#consultations"
    prefix = request.form.get("prefix", "")
    form = ConsultationForm(prefix=prefix if prefix.startswith("c") else "")
    if not form.validate_on_submit():
        flash(_("请选择该部门的回复。"), "danger")
        return redirect(back)
    try:
        consultations.record(
            current_user, nomination, form.department.data or "", form.cleared, form.note.data
        )
    except ReviewError as error:
        return _refused(error, back)
    db.session.commit()
    flash(_("已记录%(department)s的意见。", department=form.department.data), "success")
    return redirect(back)
