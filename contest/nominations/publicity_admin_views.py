"""The organizer's 公示 page of a campaign: who would be published (with their consent to 公示),
the start (day, contact for objections) and the notices with their periods.

Thin views over ``contest.services.nominations.publicity``: load (404), authorize (the
campaign's managers, ``Campaign.can_manage``; 403), check the form, call the service, commit
once, flash, redirect. GET handlers never write. The 异议 and 表彰 pages share the tabs and
:func:`managed_campaign`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, TextAreaField
from wtforms.validators import Optional

from contest.extensions import db
from contest.models.nomination import Campaign, CampaignStatus
from contest.nominations.blueprint import bp
from contest.services.nominations import objections
from contest.services.nominations import publicity as service
from contest.ui.forms import CheckedForm


class StartForm(CheckedForm):
    starts_on = DateField(
        _l("公示开始日期"),
        validators=[Optional()],
        description=_l("开始当天算第 1 个工作日（遇节假日、周末从下一个工作日算起）"),
    )
    contact = TextAreaField(
        _l("受理异议的单位和联系方式"),
        description=_l("如：江州市总工会组织部，电话 0000-00000000，地址……；将在公示页面上公开"),
        render_kw={"rows": 3, "maxlength": 500},
    )


def managed_campaign(campaign_id: int) -> Campaign:
    """The campaign (404), for its managers only (403)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    if not campaign.can_manage(current_user):
        abort(403)
    return campaign


def put_error(form: FlaskForm, error: Any) -> None:
    """Show a service's refusal (``message``, ``field``, optional ``problems``) on the field it
    names, else at the top of the form; its further sentences at the top too."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
    form.form_errors.extend(getattr(error, "problems", []))


def tabs_context(campaign: Campaign, tab: str) -> dict[str, object]:
    """What ``nominations/_publicity_tabs.html`` needs."""
    return {
        "campaign": campaign,
        "tab": tab,
        "handler": objections.can_handle(current_user, campaign),
        "undecided": objections.undecided(campaign),
    }


def _preview_end(campaign: Campaign) -> tuple[str | None, str | None]:
    """(the last day if the 公示 started today, or the calendar's refusal)."""
    try:
        end = service.period_end(service.today(), int(campaign.publicity_days or 5))
    except service.PublicityError as error:
        return None, error.message
    return end.isoformat(), None


@bp.route("/<int:campaign_id>/publicity", methods=["GET"])
@login_required
def publicity_manage(campaign_id: int) -> tuple[str, int]:
    campaign = managed_campaign(campaign_id)
    form = StartForm()
    if form.starts_on.data is None:
        form.starts_on.data = service.today()
    if not form.contact.data:
        form.contact.data = campaign.conferring_body or campaign.organization.name
    return _page(campaign, form)


def _page(campaign: Campaign, form: StartForm, status: int = 200) -> tuple[str, int]:
    listed = service.publishable(campaign) if campaign.status is CampaignStatus.REVIEW else []
    notices = [
        (notice, service.published_nominees(campaign, notice), service.is_running(notice))
        for notice in service.notices_of(campaign)
    ]
    end, calendar_problem = _preview_end(campaign)
    return render_template(
        "nominations/publicity_manage.html",
        form=form,
        listed=[(n, service.public_nominee(campaign, n)) for n in listed],
        missing=service.unconsented(listed),
        notices=notices,
        preview_end=end,
        calendar_problem=calendar_problem,
        can_start=campaign.status is CampaignStatus.REVIEW,
        **tabs_context(campaign, "publicity"),
    ), status


@bp.route("/<int:campaign_id>/publicity", methods=["POST"])
@login_required
def publicity_start(campaign_id: int) -> Response | tuple[str, int]:
    campaign = managed_campaign(campaign_id)
    form = StartForm()
    if not form.validate_on_submit():
        return _page(campaign, form, 400)
    try:
        notice = service.start(current_user, campaign, form.starts_on.data, form.contact.data)
    except service.PublicityError as error:
        db.session.rollback()
        put_error(form, error)
        return _page(campaign, form, 400)
    db.session.commit()
    flash(
        _(
            "公示已开始：%(start)s 至 %(end)s，公示页面已公开。",
            start=notice.starts_on.isoformat(),
            end=notice.ends_on.isoformat(),
        ),
        "success",
    )
    return redirect(url_for("nominations.publicity_manage", campaign_id=campaign.id))
