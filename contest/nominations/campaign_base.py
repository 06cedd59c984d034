"""What the organizer's campaign pages share: the role guard, loading a campaign (404) with
its permission check (403), showing a service's refusal on a form, the one-button POST check,
the figures of the header, and the deadline typed in China time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import abort, current_app, flash, redirect
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.models import Campaign, CampaignQuota, Nomination, NominationStatus, Role, SlateRule
from contest.security.guards import roles_required
from contest.services.nominations import awards
from contest.services.nominations.campaigns import CampaignError
from contest.ui import confirm
from contest.ui.forms import ActionForm

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_MAX_BYTES = 5 * 1024 * 1024

F = TypeVar("F", bound=Callable[..., Any])

# Every organizer page: an admin or an organizer (scope is checked per campaign).
organizer_view: Callable[[F], F] = roles_required(Role.ADMIN, Role.ORGANIZER)

# The set-up tabs of a campaign, and the other parts' organizer pages when they exist.
TABS = (
    ("show", "nominations.show", _l("基本信息")),
    ("awards", "nominations.awards", _l("奖项与材料")),
    ("quotas", "nominations.quotas_tab", _l("名额分配")),
    ("slate", "nominations.slate", _l("结构要求")),
    ("eligibility", "nominations.eligibility", _l("资格条件")),
    ("nominations", "nominations.summary", _l("推荐情况")),
)
OTHER_TABS = (
    ("review", "nominations.review_chain", _l("评审流程")),
    ("publicity", "nominations.publicity_manage", _l("公示与表彰")),
)


def load_campaign(campaign_id: int) -> Campaign:
    """The campaign, 404 when unknown, 403 when the user does not manage it."""
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    if not campaign.can_manage(current_user):
        abort(403)
    return campaign


def require_button() -> None:
    """A one-button POST: 400 unless its CSRF token is valid."""
    if not ActionForm().validate_on_submit():
        abort(400)


def put_error(form: FlaskForm, error: CampaignError) -> None:
    """Show a service's refusal on the field it names, else at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
    form.form_errors.extend(error.problems)


def flash_error(error: CampaignError) -> None:
    flash(error.message, "danger")
    for problem in error.problems:
        flash(problem, "danger")


def write_then_back(
    write: Callable[[], Any], back: str, success: str | Callable[[Any], str]
) -> Response:
    """The tail of a POST: call the service; on a refusal roll back and flash it, else commit
    and flash ``success`` (or ``success(result)``); then go ``back``."""
    try:
        result = write()
    except CampaignError as error:
        db.session.rollback()
        flash_error(error)
    else:
        db.session.commit()
        flash(success(result) if callable(success) else success, "success")
    return redirect(back)


def confirmed_write(
    consequence: Callable[[], confirm.Consequence],
    write: Callable[[], Any],
    back: str,
    success: str | Callable[[Any], str],
) -> str | Response:
    """A destructive one-button POST: its CSRF token, then the confirmation (the dialog's
    field, else the page that asks), then :func:`write_then_back`."""
    require_button()
    if not confirm.confirmed():
        return confirm.ask(consequence(), back)
    return write_then_back(write, back, success)


def as_utc(value: datetime | None) -> datetime | None:
    """A datetime-local value typed in the platform's time zone (北京时间), as UTC."""
    if value is None:
        return None
    zone = get_timezone()
    local = zone.localize(value) if hasattr(zone, "localize") else value.replace(tzinfo=zone)
    return local.astimezone(UTC)


def header(campaign: Campaign, tab: str) -> dict[str, Any]:
    """What every tab's header shows: the tabs (with counts) and the other parts' pages."""
    quota_total = db.session.scalar(
        select(func.coalesce(func.sum(CampaignQuota.quota), 0)).where(
            CampaignQuota.campaign_id == campaign.id, CampaignQuota.parent_id.is_(None)
        )
    )
    rules = db.session.scalar(
        select(func.count(SlateRule.id)).where(SlateRule.campaign_id == campaign.id)
    )
    submitted = db.session.scalar(
        select(func.count(Nomination.id)).where(
            Nomination.campaign_id == campaign.id, Nomination.status != NominationStatus.DRAFT
        )
    )
    counts = {
        "awards": len(awards.awards_of(campaign)),
        "quotas": int(quota_total or 0),
        "slate": int(rules or 0),
        "nominations": int(submitted or 0),
    }
    others = [
        (endpoint, label)
        for _key, endpoint, label in OTHER_TABS
        if endpoint in current_app.view_functions
    ]
    return {"campaign": campaign, "tab": tab, "tabs": TABS, "tab_counts": counts, "others": others}
