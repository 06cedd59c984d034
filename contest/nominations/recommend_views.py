"""The recommending unit's pages (推荐申报): its campaigns with live headroom, a nomination
from the nominee to the 推荐表, attachments, submission, the review's progress, withdrawal,
and the printable 推荐审批表.

Thin views over ``contest.services.nominations.nominations`` and ``attachments``: load (404
— also for a nomination or file of another union, whose existence is not confirmed), call the
service, commit once, flash, redirect. Who acts for which union is the service's question
(:func:`nominations.may_edit`).
"""

from __future__ import annotations

import io
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.models import (
    Campaign,
    Nomination,
    NominationAttachment,
    NominationStatus,
    Organization,
    RecipientKind,
    Role,
)
from contest.nominations.blueprint import bp
from contest.nominations.recommend_forms import (
    AttachmentForm,
    ReasonForm,
    StartForm,
    nomination_form,
)
from contest.nominations.recommend_pages import (
    campaign_page,
    derived_categories,
    headroom_text,
    nomination_page,
    submit_consequence,
    withdraw_consequence,
)
from contest.security.guards import roles_required
from contest.services.core.uploads import Upload
from contest.services.nominations import attachments, nominations
from contest.services.nominations.approval_form import approval_form_pdf, filename
from contest.services.nominations.awards import award_of
from contest.services.nominations.nominations import NominationError
from contest.ui import confirm
from contest.ui.forms import ActionForm

recommender_view = roles_required(Role.RECOMMENDER, Role.ORGANIZER)
signed_in = roles_required()

ORG_CHOICES_MAX = 2000


def _campaign(campaign_id: int) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


def _viewable(nomination_id: int) -> Nomination:
    """The nomination, 404 unless ``current_user`` may see it."""
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or not nominations.may_view(current_user, nomination):
        abort(404)
    return nomination


def _editable(nomination_id: int) -> Nomination:
    """The nomination, 404 unless ``current_user`` acts for its unit."""
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or not nominations.may_edit(current_user, nomination):
        abort(404)
    return nomination


def _show_url(nomination: Nomination, anchor: str | None = None) -> str:
    return url_for("nominations.recommend_show", nomination_id=nomination.id, _anchor=anchor)


def _require_button() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _put_error(form: Any, error: NominationError) -> None:
    """Show a service's refusal on the field it names, else at the top of the form."""
    field = getattr(form, error.field or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def _flash_error(error: NominationError) -> None:
    flash(error.message, "danger")
    for problem in error.problems:
        flash(problem, "danger")


# ---------------------------------------------------------------- campaigns


def home_section(user: Any) -> dict[str, Any] | None:
    """The recommender's home: the campaigns open to the union with their headroom (nothing
    when there are none; the home page then says what will appear)."""
    views = nominations.campaigns_for(user)
    return {"views": views, "headroom_text": headroom_text} if views else None


@bp.route("/recommend")
@recommender_view
def recommend_index() -> str:
    return render_template(
        "nominations/recommend_index.html",
        views=nominations.campaigns_for(current_user),
        headroom_text=headroom_text,
    )


@bp.route("/recommend/<int:campaign_id>")
@recommender_view
def recommend_campaign(campaign_id: int) -> str:
    campaign = _campaign(campaign_id)
    view = nominations.unit_campaign(current_user, campaign)
    if view is None:
        abort(404)
    return render_template(
        "nominations/recommend_campaign.html", **campaign_page(view, request.args)
    )


def _unit_orgs(unit: Organization) -> list[Organization]:
    return list(
        db.session.scalars(
            select(Organization)
            .where(Organization.path.startswith(unit.path), Organization.closed_at.is_(None))
            .order_by(Organization.path)
            .limit(ORG_CHOICES_MAX)
        )
    )


@bp.route("/recommend/<int:campaign_id>/new/<int:quota_id>", methods=["GET", "POST"])
@recommender_view
def recommend_start(campaign_id: int, quota_id: int) -> Any:
    campaign = _campaign(campaign_id)
    view = nominations.unit_campaign(current_user, campaign)
    line = next((ln for ln in view.lines if ln.quota.id == quota_id), None) if view else None
    if view is None or line is None:
        abort(404)
    back = url_for("nominations.recommend_campaign", campaign_id=campaign.id)
    if not view.accepting:
        flash(_("本次评选现在不接受新的推荐。"), "warning")
        return redirect(back)
    form = StartForm(line.award.recipient, _unit_orgs(line.unit))
    if form.validate_on_submit():
        try:
            nomination = nominations.start(
                current_user, campaign, line.award.key, line.unit.id, form.nominee()
            )
        except NominationError as error:
            db.session.rollback()
            _put_error(form, error)
        else:
            db.session.commit()
            flash(_("已建立 %(name)s 的推荐草稿，请填写推荐表。", name=nomination.name), "success")
            return redirect(_show_url(nomination))
    return render_template(
        "nominations/recommend_start.html",
        campaign=campaign,
        line=line,
        form=form,
        person=line.award.recipient is RecipientKind.PERSON,
        team=line.award.recipient is RecipientKind.TEAM,
        back=back,
    )


# ---------------------------------------------------------------- one nomination


def _render(nomination: Nomination, form: Any = None, status: int = 200) -> Any:
    page = nomination_page(current_user, nomination, form)
    return render_template("nominations/recommend_show.html", **page), status


@bp.route("/recommend/nomination/<int:nomination_id>")
@signed_in
def recommend_show(nomination_id: int) -> Any:
    return _render(_viewable(nomination_id))


@bp.route("/recommend/nomination/<int:nomination_id>", methods=["POST"])
@recommender_view
def recommend_save(nomination_id: int) -> Any:
    nomination = _editable(nomination_id)
    form = nomination_form(nomination, derived_categories(nomination))
    if not form.validate_on_submit():
        return _render(nomination, form, 422)
    try:
        nominations.save(current_user, nomination, form.data_for_service())
    except NominationError as error:
        db.session.rollback()
        _put_error(form, error)
        return _render(db.session.get(Nomination, nomination_id) or abort(404), form, 422)
    db.session.commit()
    flash(_("推荐表已保存。"), "success")
    return redirect(_show_url(nomination))


@bp.route("/recommend/nomination/<int:nomination_id>/submit", methods=["POST"])
@recommender_view
def recommend_submit(nomination_id: int) -> Any:
    nomination = _editable(nomination_id)
    _require_button()
    if not confirm.confirmed():
        return confirm.ask(submit_consequence(nomination), _show_url(nomination))
    again = nomination.status is NominationStatus.RETURNED
    try:
        nominations.submit(current_user, nomination)
    except NominationError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(_show_url(nomination, "submit"))
    db.session.commit()
    if again:
        flash(_("%(name)s 的推荐已修改并重新报送。", name=nomination.name), "success")
    else:
        flash(_("%(name)s 的推荐已报送。", name=nomination.name), "success")
    return redirect(_show_url(nomination))


@bp.route("/recommend/nomination/<int:nomination_id>/withdraw", methods=["POST"])
@recommender_view
def recommend_withdraw(nomination_id: int) -> Any:
    nomination = _editable(nomination_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "danger")
        return redirect(_show_url(nomination, "withdraw"))
    if not confirm.confirmed():
        return confirm.ask(withdraw_consequence(nomination), _show_url(nomination))
    try:
        nominations.withdraw(current_user, nomination, form.reason.data)
    except NominationError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(_show_url(nomination, "withdraw"))
    db.session.commit()
    flash(_("%(name)s 的推荐已撤回。", name=nomination.name), "success")
    return redirect(_show_url(nomination))


# ---------------------------------------------------------------- attachments


@bp.route("/recommend/nomination/<int:nomination_id>/attachments", methods=["POST"])
@recommender_view
def recommend_attach(nomination_id: int) -> Any:
    nomination = _editable(nomination_id)
    form = AttachmentForm()
    back = _show_url(nomination, "attachments")
    if not form.validate_on_submit():
        abort(400)
    storage = form.file.data
    if storage is None or not getattr(storage, "filename", ""):
        flash(_("请选择要上传的文件。"), "danger")
        return redirect(back)
    upload = Upload(storage.filename, storage.stream.read(attachments.MAX_ATTACHMENT_BYTES + 1))
    try:
        added = attachments.add(current_user, nomination, form.slot.data or "", upload)
    except NominationError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(back)
    db.session.commit()
    flash(_("已上传 %(name)s。", name=added.filename), "success")
    return redirect(back)


@bp.route(
    "/recommend/nomination/<int:nomination_id>/attachments/<int:attachment_id>/delete",
    methods=["POST"],
)
@recommender_view
def recommend_detach(nomination_id: int, attachment_id: int) -> Any:
    nomination = _editable(nomination_id)
    attachment = attachments.in_nomination(nomination, attachment_id) or abort(404)
    _require_button()
    back = _show_url(nomination, "attachments")
    name = attachment.filename
    try:
        attachments.remove(current_user, attachment)
    except NominationError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(back)
    db.session.commit()
    flash(_("已删除 %(name)s。", name=name), "success")
    return redirect(back)


@bp.route("/attachments/<int:attachment_id>")
@signed_in
def attachment_file(attachment_id: int) -> Response:
    """An attachment, for those who may see its nomination (404 for anyone else: its
    existence is not confirmed)."""
    attachment = db.session.get(NominationAttachment, attachment_id)
    if attachment is None or not attachments.may_read(current_user, attachment):
        abort(404)
    response = send_file(
        io.BytesIO(bytes(attachment.data)),
        mimetype=attachment.content_type,
        download_name=attachment.filename,
        as_attachment=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- the printable form


@bp.route("/recommend/nomination/<int:nomination_id>/approval-form.pdf")
@signed_in
def approval_form(nomination_id: int) -> Response:
    nomination = _viewable(nomination_id)
    if award_of(nomination.campaign, nomination.award) is None:
        abort(404)
    response = send_file(
        io.BytesIO(approval_form_pdf(nomination)),
        mimetype="application/pdf",
        download_name=filename(nomination),
        as_attachment=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
