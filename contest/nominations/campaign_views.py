"""The organizer's campaign pages: the list, create/edit, and the overview (基本信息) with its
status moves; the other set-up tabs have their own modules.

Thin views: load (404), authorize (403), validate the form, call
``contest.services.nominations.campaigns``, commit once, flash, redirect. GET handlers never
write.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.models import (
    Campaign,
    CampaignStatus,
    HonorLevel,
    Nomination,
    NominationStatus,
    Organization,
    User,
)
from contest.models.base import local_time, utcnow
from contest.nominations.blueprint import bp
from contest.nominations.campaign_base import (
    as_utc,
    header,
    load_campaign,
    organizer_view,
    put_error,
    write_then_back,
)
from contest.nominations.campaign_forms import CampaignForm, StatusForm
from contest.services.nominations import awards, quotas
from contest.services.nominations import campaigns as service
from contest.services.nominations.campaigns import CampaignData, CampaignError


def home_section(user: User) -> dict[str, Any] | None:
    """An organizer's home lists the campaigns they run, newest first."""
    rows = db.session.scalars(service.managed_query(user).limit(10)).all()
    return {"campaigns": rows}


def _submitted_counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(
        db.session.execute(  # type: ignore[arg-type]
            select(Nomination.campaign_id, func.count(Nomination.id))
            .where(Nomination.campaign_id.in_(ids), Nomination.status != NominationStatus.DRAFT)
            .group_by(Nomination.campaign_id)
        ).all()
    )


@bp.route("/")
@organizer_view
def index() -> str:
    managed = db.session.scalars(
        service.managed_query(current_user).options(selectinload(Campaign.organization)).limit(500)
    ).all()
    ids = {c.id for c in managed}
    shared = [
        c
        for c in db.session.scalars(quotas.quota_campaigns_query(current_user).limit(500))
        if c.id not in ids and c.status is not CampaignStatus.DRAFT
    ]
    return render_template(
        "nominations/campaign/index.html",
        campaigns=managed,
        shared=shared,
        counts=_submitted_counts([c.id for c in managed]),
    )


def _data(form: CampaignForm) -> CampaignData:
    return CampaignData(
        name=form.name.data or "",
        organization=db.session.get(Organization, form.organization_id.data),
        level=HonorLevel(form.level.data),
        year=form.year.data or 0,
        conferring_body=form.conferring_body.data,
        submission_deadline=as_utc(form.submission_deadline.data),
        description=form.description.data,
        surplus_percent=form.surplus_percent.data or 0,
    )


@bp.route("/new", methods=["GET", "POST"])
@organizer_view
def create() -> str | Response:
    hosts = service.host_choices(current_user)
    if not hosts:
        flash(_("您的账号没有所属工会，不能创建评选。请联系系统管理员。"), "warning")
        return redirect(url_for("nominations.index"))
    form = CampaignForm(hosts)
    if request.method == "GET":
        form.level.data = HonorLevel.CITY.value
        form.year.data = local_time(utcnow()).year
        form.surplus_percent.data = 100
    if form.validate_on_submit():
        try:
            campaign = service.create_campaign(current_user, _data(form))
        except (CampaignError, ValueError) as error:
            db.session.rollback()
            put_error(form, _refusal(error))
        else:
            db.session.commit()
            flash(_("已创建“%(name)s”。下一步：设置奖项与材料。", name=campaign.name), "success")
            return redirect(url_for("nominations.awards", campaign_id=campaign.id))
    return render_template("nominations/campaign/form.html", form=form, campaign=None)


def _refusal(error: Exception) -> CampaignError:
    if isinstance(error, CampaignError):
        return error
    return CampaignError(_("请选择级别"), "level")  # HonorLevel("…") of a forged value


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@organizer_view
def edit(campaign_id: int) -> str | Response:
    campaign = load_campaign(campaign_id)
    hosts = service.host_choices(current_user)
    if campaign.organization not in hosts:
        hosts.insert(0, campaign.organization)
    form = CampaignForm(hosts, obj=campaign if request.method == "GET" else None)
    if request.method == "GET":
        form.level.data = campaign.level.value
        form.organization_id.data = campaign.organization_id
        if campaign.submission_deadline is not None:
            form.submission_deadline.data = local_time(campaign.submission_deadline).replace(
                tzinfo=None
            )
    if form.validate_on_submit():
        try:
            service.update_campaign(current_user, campaign, _data(form))
        except (CampaignError, ValueError) as error:
            db.session.rollback()
            put_error(form, _refusal(error))
        else:
            db.session.commit()
            flash(_("已保存基本信息。"), "success")
            return redirect(url_for("nominations.show", campaign_id=campaign.id))
    return render_template("nominations/campaign/form.html", form=form, campaign=campaign)


@bp.route("/<int:campaign_id>")
@organizer_view
def show(campaign_id: int) -> str:
    campaign = load_campaign(campaign_id)
    moves = service.allowed_moves(campaign)
    return render_template(
        "nominations/campaign/show.html",
        **header(campaign, "show"),
        awards=awards.awards_of(campaign),
        moves=moves,
        needs_reason={target: service.needs_reason(campaign, target) for target, _p in moves},
        backward=service.BACKWARD,
        statuses=list(CampaignStatus),
        status_form=StatusForm(),
        past_deadline=service.past_deadline(campaign),
    )


@bp.route("/<int:campaign_id>/status", methods=["POST"])
@organizer_view
def change_status(campaign_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    form = StatusForm()
    back = redirect(url_for("nominations.show", campaign_id=campaign.id) + "#status")
    if not form.validate_on_submit():
        flash(_("表单已过期，请重试。"), "danger")
        return back
    try:
        target = CampaignStatus(form.to.data)
    except ValueError:
        flash(_("未知的评选状态。"), "danger")
        return back
    return write_then_back(
        lambda: service.change_status(current_user, campaign, target, form.reason.data),
        url_for("nominations.show", campaign_id=campaign.id) + "#status",
        _("评选状态已改为「%(status)s」。", status=target.label),
    )
