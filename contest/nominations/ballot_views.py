"""Pages of the secret ballots (无记名投票) of a review stage (issue 15).

- ``/nominations/ballots``: the signed-in user's ballots — open papers to vote on, stages they
  chair or organize.
- ``/nominations/stages/<id>/ballots``: a ballot stage's rules and its ballots, per award.
- ``/nominations/ballots/<id>``: the chair's console — open, watch the turnout (n / m, polled
  from ``…/turnout``), close (refused below the quorum), void with a reason, the tally once
  closed, the run-off or the chair's decision on a tie, the 票数统计表 PDF; on paper, the
  attendance and the tellers' state.
- ``/nominations/ballots/<id>/vote``: the member's phone page — big 赞成 / 反对 / 弃权 per
  nominee, a summary to confirm, then only "已投票" (never what was chosen).
- ``/nominations/ballots/<id>/count``: a teller's counts of a paper ballot.

Thin views: load (404) and authorize (403), call ``contest.services.nominations.ballots``,
commit once, flash, redirect; a refusal is shown in Chinese and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.models import Ballot, BallotStatus, ReviewStage, StageMember, StageMode, StageStatus
from contest.nominations.ballot_forms import (
    BallotRulesForm,
    PrepareBallotForm,
    PresentForm,
    ReasonForm,
    ResolveForm,
    posted_choices,
    posted_counts,
)
from contest.nominations.blueprint import bp
from contest.security.guards import roles_required
from contest.services.nominations import ballot_sheet, ballots, expert, review
from contest.services.nominations.ballots import CHOICE_LABELS, CHOICES, BallotError
from contest.ui import confirm
from contest.ui.confirm import Consequence
from contest.ui.forms import ActionForm
from contest.validation import db_int

signed_in: Callable[[Any], Any] = roles_required()


# ---------------------------------------------------------------- loading


def load_stage(stage_id: int) -> ReviewStage:
    """A ballot stage the user may see (404 for another mode, 403 for someone else's)."""
    stage = db.session.get(ReviewStage, stage_id)
    if stage is None or stage.mode not in ballots.BALLOT_MODES:
        abort(404)
    if not ballots.can_see(stage, current_user):
        abort(403)
    return stage


def load_ballot(ballot_id: int) -> tuple[Ballot, ReviewStage]:
    ballot = db.session.get(Ballot, ballot_id) or abort(404)
    return ballot, load_stage(ballot.stage_id)


def _awards(stage: ReviewStage) -> list[tuple[str, str]]:
    return [
        (str(a.get("key")), ballots.award_title(stage.campaign, str(a.get("key"))))
        for a in stage.campaign.awards or []
        if a.get("key")
    ]


def _ranking(stage: ReviewStage, award: str) -> list[tuple[int, Any]] | None:
    """The expert stage's ranked list for a SCORING_BALLOT stage (best first)."""
    if stage.mode is not StageMode.SCORING_BALLOT:
        return None
    return [(row.nomination.id, row.score) for row in expert.ranked(stage.campaign, award)]


def _refused(error: BallotError) -> None:
    db.session.rollback()
    flash(error.message, "danger")


def _to_ballot(ballot: Ballot) -> Response:
    return redirect(url_for("nominations.ballot_show", ballot_id=ballot.id))


def _require_button() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


# ---------------------------------------------------------------- the user's ballots


@bp.route("/ballots")
@signed_in
def ballots_index() -> str:
    """Open papers to vote on; the ballot stages the user sits on or organizes."""
    mine = ballots.open_ballots_for(current_user)
    seats = {
        m.stage_id: m
        for m in db.session.scalars(
            select(StageMember).where(StageMember.user_id == current_user.id)
        )
    }
    stages = [
        s
        for s in db.session.scalars(
            select(ReviewStage)
            .where(ReviewStage.mode.in_(list(ballots.BALLOT_MODES)))
            .where(ReviewStage.status != StageStatus.PENDING)
            .order_by(ReviewStage.id.desc())
            .limit(200)
        )
        if s.id in seats or s.campaign.can_manage(current_user)
    ]
    entries = []
    for ballot in mine:
        stage = db.session.get(ReviewStage, ballot.stage_id)
        assert stage is not None
        award = ballots.award_title(stage.campaign, ballots.ballot_award(ballot) or "")
        entries.append((ballot, stage, award, ballots.has_voted(ballot, current_user)))
    return render_template(
        "nominations/ballots_index.html", open_ballots=entries, stages=stages, seats=seats
    )


# ---------------------------------------------------------------- a stage's ballots


def _stage_page(
    stage: ReviewStage,
    rules_form: BallotRulesForm | None = None,
    prepare_form: PrepareBallotForm | None = None,
) -> str:
    if rules_form is None:
        rules_form = BallotRulesForm(
            data={
                "pass_rule": ballots.pass_rule_key(stage) or "half_members",
                "quorum_rule": ballots.quorum_rule_key(stage) or "two_thirds",
                "ballot_top": stage.ballot_top,
                "runoff": stage.runoff,
            }
        )
    awards = _awards(stage)
    if prepare_form is None:
        first = awards[0][0] if awards else None
        prepare_form = PrepareBallotForm(
            awards,
            data={
                "award": first,
                "places": (ballots.places_left(stage, first) or None) if first else None,
            },
        )
    listed = ballots.stage_ballots(stage)
    members = ballots.members_of(stage)
    return render_template(
        "nominations/ballot_stage.html",
        stage=stage,
        campaign=stage.campaign,
        rows=[
            (
                b,
                ballots.award_title(stage.campaign, ballots.ballot_award(b) or ""),
                ballots.turnout(b),
            )
            for b in listed
        ],
        members=members,
        chair=next((m for m in members if m.is_chair), None),
        can_prepare=ballots.can_prepare(stage, current_user),
        can_run=ballots.can_run(stage, current_user),
        rules_locked=any(b.status is not BallotStatus.DRAFT for b in listed),
        rules_form=rules_form,
        prepare_form=prepare_form,
        places=[(title, ballots.places_left(stage, key)) for key, title in awards],
        rule_text=ballots.rule_text(stage, len(members)),
        quorum_text=ballots.quorum_text(stage, len(members)),
        action_form=ActionForm(),
    )


@bp.route("/stages/<int:stage_id>/ballots")
@signed_in
def ballot_stage(stage_id: int) -> str:
    return _stage_page(load_stage(stage_id))


@bp.route("/stages/<int:stage_id>/ballots/rules", methods=["POST"])
@signed_in
def ballot_rules(stage_id: int) -> Response | tuple[str, int]:
    stage = load_stage(stage_id)
    if not ballots.can_prepare(stage, current_user):
        abort(403)
    form = BallotRulesForm()
    if form.validate_on_submit():
        try:
            ballots.set_rules(
                current_user,
                stage,
                pass_rule=form.pass_rule.data or "",
                quorum_rule=form.quorum_rule.data or "",
                ballot_top=form.ballot_top.data,
                runoff=bool(form.runoff.data),
            )
        except BallotError as error:
            db.session.rollback()
            _put(form, error)
        else:
            db.session.commit()
            flash(_("投票规则已保存。"), "success")
            return redirect(url_for("nominations.ballot_stage", stage_id=stage.id))
    return _stage_page(stage, rules_form=form), 400


def _put(form: Any, error: BallotError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@bp.route("/stages/<int:stage_id>/ballots/prepare", methods=["POST"])
@signed_in
def ballot_prepare(stage_id: int) -> Response | tuple[str, int]:
    stage = load_stage(stage_id)
    if not ballots.can_prepare(stage, current_user):
        abort(403)
    form = PrepareBallotForm(_awards(stage))
    if form.validate_on_submit():
        award = form.award.data or ""
        try:
            ballot = ballots.prepare(
                current_user,
                stage,
                award,
                places=form.places.data,
                paper=bool(form.paper.data),
                ranking=_ranking(stage, award),
            )
        except (BallotError, review.ReviewError) as error:
            db.session.rollback()
            _put(form, error if isinstance(error, BallotError) else BallotError(error.message))
        else:
            db.session.commit()
            flash(_("已安排投票，共 %(n)d 名被推荐人。", n=len(ballot.nomination_ids)), "success")
            return _to_ballot(ballot)
    return _stage_page(stage, prepare_form=form), 400


# ---------------------------------------------------------------- the chair's console


def open_consequence(ballot: Ballot, stage: ReviewStage) -> Consequence:
    members = len(ballots.members_of(stage))
    return Consequence(
        title=_("开始投票？"),
        text=_(
            "共 %(n)d 名被推荐人，评审委员会 %(m)d 名委员。开始后委员即可在手机上投票，"
            "被推荐人名单不能再改。",
            n=len(ballot.nomination_ids),
            m=members,
        )
        if not ballot.paper
        else _(
            "纸质投票：共 %(n)d 名被推荐人，评审委员会 %(m)d 名委员。开始后请发放选票，"
            "收回后录入到会人数，由两名计票人分别录入计票结果。",
            n=len(ballot.nomination_ids),
            m=members,
        ),
        action=_("开始投票"),
    )


def close_consequence(ballot: Ballot, stage: ReviewStage) -> Consequence:
    voted, members = ballots.turnout(ballot)
    return Consequence(
        title=_("结束投票并计票？"),
        text=_(
            "已投票 %(v)d / %(m)d 人；%(quorum)s。"
            "结束后不能再投票，计票结果随即显示并记入审计日志。",
            v=voted,
            m=members,
            quorum=ballots.quorum_text(stage, members),
        ),
        action=_("结束投票"),
    )


@bp.route("/ballots/<int:ballot_id>")
@signed_in
def ballot_show(ballot_id: int) -> str:
    ballot, stage = load_ballot(ballot_id)
    members = ballots.members_of(stage)
    outcome = ballots.result(ballot) if ballot.status is BallotStatus.CLOSED else None
    child = db.session.scalar(select(Ballot).where(Ballot.parent_id == ballot.id))
    voted, size = ballots.turnout(ballot)
    tellers = ballots.teller_state(ballot) if ballot.paper else None
    return render_template(
        "nominations/ballot_show.html",
        ballot=ballot,
        stage=stage,
        campaign=stage.campaign,
        award=ballots.award_title(stage.campaign, ballots.ballot_award(ballot) or ""),
        nominees=ballots.nominations_of(ballot),
        outcome=outcome,
        child=child,
        parent=db.session.get(Ballot, ballot.parent_id) if ballot.parent_id else None,
        voted=voted,
        size=size if ballot.status is not BallotStatus.DRAFT else len(members),
        quorum_text=ballots.quorum_text(stage, size or len(members)),
        rule_text=ballots.rule_text(stage, size or len(members), ballot.present),
        can_run=ballots.can_run(stage, current_user),
        can_prepare=ballots.can_prepare(stage, current_user),
        can_vote=ballots.can_vote(ballot, current_user),
        can_count=ballots.can_count(ballot, current_user),
        has_voted=ballots.has_voted(ballot, current_user),
        tellers=tellers,
        place_label=ballot_sheet.place_label,
        open_text=open_consequence(ballot, stage),
        close_text=close_consequence(ballot, stage),
        action_form=ActionForm(),
        present_form=PresentForm(data={"present": ballot.present}),
        void_form=ReasonForm(),
        resolve_form=ResolveForm(),
    )


@bp.route("/ballots/<int:ballot_id>/turnout")
@signed_in
def ballot_turnout(ballot_id: int) -> Response:
    """How many have voted, for the chair's page to poll: counts only, never who or how."""
    ballot, stage = load_ballot(ballot_id)
    voted, members = ballots.turnout(ballot)
    response = jsonify(
        {
            "status": ballot.status.value,
            "voted": voted,
            "members": members,
            "quorum": ballots.quorum_of(stage, members),
            "close_text": close_consequence(ballot, stage).text,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _step(ballot_id: int, step: Callable[[Ballot, ReviewStage], str]) -> Response:
    """One chair's button: CSRF, the service, one commit, a flash, back to the console."""
    ballot, stage = load_ballot(ballot_id)
    _require_button()
    try:
        message = step(ballot, stage)
    except BallotError as error:
        _refused(error)
    else:
        db.session.commit()
        flash(message, "success")
    return _to_ballot(ballot)


@bp.route("/ballots/<int:ballot_id>/open", methods=["POST"])
@signed_in
def ballot_open(ballot_id: int) -> Response | str:
    ballot, stage = load_ballot(ballot_id)
    if not confirm.confirmed():
        _require_button()
        return confirm.ask(
            open_consequence(ballot, stage), url_for("nominations.ballot_show", ballot_id=ballot.id)
        )

    def step(ballot: Ballot, stage: ReviewStage) -> str:
        ballots.open_ballot(current_user, ballot)
        return str(_("投票已开始。"))

    return _step(ballot_id, step)


@bp.route("/ballots/<int:ballot_id>/close", methods=["POST"])
@signed_in
def ballot_close(ballot_id: int) -> Response | str:
    ballot, stage = load_ballot(ballot_id)
    if not confirm.confirmed():
        _require_button()
        return confirm.ask(
            close_consequence(ballot, stage),
            url_for("nominations.ballot_show", ballot_id=ballot.id),
        )

    def step(ballot: Ballot, stage: ReviewStage) -> str:
        outcome = ballots.close_ballot(current_user, ballot)
        if outcome.tied:
            return str(_("投票已结束并计票；名额边界上有得票并列，见下方。"))
        return str(_("投票已结束并计票，结果见下方。"))

    return _step(ballot_id, step)


@bp.route("/ballots/<int:ballot_id>/discard", methods=["POST"])
@signed_in
def ballot_discard(ballot_id: int) -> Response:
    ballot, stage = load_ballot(ballot_id)
    _require_button()
    try:
        ballots.discard(current_user, ballot)
    except BallotError as error:
        _refused(error)
        return _to_ballot(ballot)
    db.session.commit()
    flash(_("已删除这次未开始的投票。"), "success")
    return redirect(url_for("nominations.ballot_stage", stage_id=stage.id))


@bp.route("/ballots/<int:ballot_id>/runoff", methods=["POST"])
@signed_in
def ballot_runoff(ballot_id: int) -> Response:
    def step(ballot: Ballot, stage: ReviewStage) -> str:
        child = ballots.runoff(current_user, ballot)
        return str(_("已安排再次投票，共 %(n)d 名并列者。", n=len(child.nomination_ids)))

    return _step(ballot_id, step)


@bp.route("/ballots/<int:ballot_id>/present", methods=["POST"])
@signed_in
def ballot_present(ballot_id: int) -> Response:
    ballot, _stage = load_ballot(ballot_id)
    form = PresentForm()
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors), "danger")
        return _to_ballot(ballot)
    try:
        ballots.set_present(current_user, ballot, form.present.data)
    except BallotError as error:
        _refused(error)
    else:
        db.session.commit()
        flash(_("到会人数已录入。"), "success")
    return _to_ballot(ballot)


@bp.route("/ballots/<int:ballot_id>/void", methods=["POST"])
@signed_in
def ballot_void(ballot_id: int) -> Response:
    ballot, _stage = load_ballot(ballot_id)
    _require_button()
    form = ReasonForm()
    try:
        ballots.void_ballot(current_user, ballot, form.reason.data or "")
    except BallotError as error:
        _refused(error)
    else:
        db.session.commit()
        flash(_("本次投票已作废，投票记录已清除，可以重新开始投票。"), "success")
    return _to_ballot(ballot)


@bp.route("/ballots/<int:ballot_id>/resolve", methods=["POST"])
@signed_in
def ballot_resolve(ballot_id: int) -> Response:
    ballot, _stage = load_ballot(ballot_id)
    _require_button()
    form = ResolveForm()
    chosen = []
    for raw in request.form.getlist("chosen"):
        try:
            chosen.append(db_int(raw))
        except ValueError:
            continue
    try:
        ballots.resolve_tie(current_user, ballot, chosen, form.reason.data or "")
    except BallotError as error:
        _refused(error)
    else:
        db.session.commit()
        flash(_("主持人的决定已记录。"), "success")
    return _to_ballot(ballot)


@bp.route("/ballots/<int:ballot_id>/sheet.pdf")
@signed_in
def ballot_sheet_pdf(ballot_id: int) -> Response:
    """The 票数统计表 for the committee's signatures, once the ballot is closed."""
    ballot, stage = load_ballot(ballot_id)
    if ballot.status is not BallotStatus.CLOSED:
        abort(404)
    outcome = ballots.result(ballot)
    child = db.session.scalar(select(Ballot).where(Ballot.parent_id == ballot.id))
    members = [m.user for m in review.members(stage)]
    data = ballot_sheet.sheet_pdf(ballot, stage, outcome, members, runoff_pending=child is not None)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"attachment; filename=ballot-{ballot.id}.pdf"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- the member's paper


def _vote_page(
    ballot: Ballot,
    stage: ReviewStage,
    *,
    chosen: dict[int, str],
    error: str | None = None,
    review_step: bool = False,
) -> str:
    nominees = ballots.nominations_of(ballot)
    return render_template(
        "nominations/ballot_vote.html",
        ballot=ballot,
        stage=stage,
        campaign=stage.campaign,
        award=ballots.award_title(stage.campaign, ballots.ballot_award(ballot) or ""),
        nominees=nominees,
        choices=[(value, CHOICE_LABELS[value]) for value in CHOICES],
        labels=CHOICE_LABELS,
        chosen=chosen,
        error=error,
        review_step=review_step,
        has_voted=ballots.has_voted(ballot, current_user),
        rule_text=ballots.rule_text(stage, ballot.members),
        action_form=ActionForm(),
    )


@bp.route("/ballots/<int:ballot_id>/vote", methods=["GET", "POST"])
@signed_in
def ballot_vote(ballot_id: int) -> Response | str | tuple[str, int]:
    """The paper on a phone. A POST with ``step=review`` shows the summary to confirm, with
    ``step=edit`` the paper again, with ``step=confirm`` casts it; afterwards the page only
    says the member has voted."""
    ballot, stage = load_ballot(ballot_id)
    if not ballots.can_vote(ballot, current_user):
        abort(403)
    if request.method == "GET" or ballot.status is not BallotStatus.OPEN:
        return _vote_page(ballot, stage, chosen={})
    _require_button()
    chosen = posted_choices(request.form, ballot.nomination_ids)
    step = request.form.get("step")
    if step == "edit":
        return _vote_page(ballot, stage, chosen=chosen)
    try:
        ballots.check_choices(ballot, chosen)
    except BallotError as error:
        return _vote_page(ballot, stage, chosen=chosen, error=error.message), 400
    if step != "confirm":
        return _vote_page(ballot, stage, chosen=chosen, review_step=True)
    try:
        ballots.cast(current_user, ballot, chosen)
    except BallotError as error:
        db.session.rollback()
        return _vote_page(ballot, stage, chosen={}, error=error.message), 409
    db.session.commit()
    flash(_("您的选票已提交。"), "success")
    return redirect(url_for("nominations.ballot_vote", ballot_id=ballot.id))


# ---------------------------------------------------------------- the tellers


@bp.route("/ballots/<int:ballot_id>/count", methods=["GET", "POST"])
@signed_in
def ballot_count(ballot_id: int) -> Response | str | tuple[str, int]:
    """A teller's counts per nominee; both tellers see where they differ and enter again."""
    ballot, stage = load_ballot(ballot_id)
    if not ballots.can_count(ballot, current_user):
        abort(403)
    error = None
    typed: dict[str, str] = {}
    if request.method == "POST":
        _require_button()
        counts, bad = posted_counts(request.form, ballot.nomination_ids)
        typed = {key: value[:6] for key, value in request.form.items()}
        try:
            if bad:
                names = {n.id: n.name for n in ballots.nominations_of(ballot)}
                raise BallotError(
                    _(
                        "请填写以下被推荐人的赞成、反对、弃权票数（非负整数）：%(names)s",
                        names="、".join(names.get(nid, str(nid)) for nid in bad),
                    )
                )
            state = ballots.enter_count(current_user, ballot, counts)
        except BallotError as caught:
            db.session.rollback()
            error = caught.message
        else:
            db.session.commit()
            if state.agreed:
                flash(_("两名计票人的计数一致，已作为计票结果。主持人可以结束投票。"), "success")
            elif state.differences:
                flash(_("与另一名计票人的计数不一致，请共同核对选票后重新录入。"), "danger")
            else:
                flash(_("计数已保存，等待另一名计票人录入。"), "success")
            return redirect(url_for("nominations.ballot_count", ballot_id=ballot.id))
    state = ballots.teller_state(ballot, current_user)
    return render_template(
        "nominations/ballot_count.html",
        ballot=ballot,
        stage=stage,
        campaign=stage.campaign,
        award=ballots.award_title(stage.campaign, ballots.ballot_award(ballot) or ""),
        nominees=ballots.nominations_of(ballot),
        state=state,
        typed=typed,
        error=error,
        choices=[(value, CHOICE_LABELS[value]) for value in CHOICES],
        action_form=ActionForm(),
    ), (400 if error else 200)
