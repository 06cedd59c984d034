"""The 推荐情况 tab: every recommending unit with its places per award and its nominations by
status, the valid rating of its union (seed 000), and — for the unit opened — each nomination
with its groups and eligibility (failed checks waivable with a reason), and the unit's slate
against the composition rules. Thin views over the nominations services.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.models import (
    NOMINATION_STATUS_LABELS,
    Campaign,
    Nomination,
    NominationStatus,
    Organization,
    Person,
)
from contest.nominations.blueprint import bp
from contest.nominations.campaign_base import (
    header,
    load_campaign,
    organizer_view,
    write_then_back,
)
from contest.nominations.campaign_forms import WaiveForm
from contest.services.nominations import awards as award_kinds
from contest.services.nominations import eligibility, quotas, slates
from contest.services.nominations.campaigns import ACTIVE_STATUSES
from contest.services.nominations.groups import categories_for, group_label, orgs_of
from contest.validation import db_int


@dataclass
class UnitRow:
    """A recommending unit's line: its places per award and its nominations by status."""

    org: Organization
    places: dict[str, quotas.QuotaLine] = field(default_factory=dict)
    statuses: dict[str, dict[NominationStatus, int]] = field(default_factory=dict)

    def count(self, award: str, *statuses: NominationStatus) -> int:
        found = self.statuses.get(award, {})
        return sum(found.get(s, 0) for s in statuses) if statuses else sum(found.values())


def _units(campaign: Campaign) -> list[UnitRow]:
    rows: dict[int, UnitRow] = {}
    for award in award_kinds.awards_of(campaign):
        for line in quotas.rows_of(campaign, award.key):
            org = line.row.organization
            rows.setdefault(org.id, UnitRow(org)).places[award.key] = line
    counted = db.session.execute(
        select(Nomination.unit_id, Nomination.award, Nomination.status, func.count(Nomination.id))
        .where(Nomination.campaign_id == campaign.id)
        .group_by(Nomination.unit_id, Nomination.award, Nomination.status)
    ).all()
    missing = {unit_id for unit_id, *_rest in counted} - set(rows)
    if missing:
        for org in db.session.scalars(select(Organization).where(Organization.id.in_(missing))):
            rows[org.id] = UnitRow(org)
    for unit_id, award, status, n in counted:
        rows[unit_id].statuses.setdefault(award, {})[status] = int(n)
    return sorted(rows.values(), key=lambda r: r.org.path_ids)


def _detail(campaign: Campaign, unit: Organization) -> dict[str, Any]:
    nominations = list(
        db.session.scalars(
            select(Nomination)
            .where(Nomination.campaign_id == campaign.id, Nomination.unit_id == unit.id)
            .options(selectinload(Nomination.person).selectinload(Person.organization))
            .order_by(Nomination.award, Nomination.id)
        )
    )
    orgs = orgs_of(nominations)
    items = []
    for nomination in nominations:
        groups = sorted(group_label(g) for g in categories_for(nomination, orgs))
        checks = (
            eligibility.checks(nomination)
            if nomination.status is not NominationStatus.DRAFT
            else []
        )
        items.append(
            {
                "nomination": nomination,
                "groups": groups,
                "checks": checks,
                "rating": eligibility.union_rating(nomination),
            }
        )
    active = [n for n in nominations if n.status in ACTIVE_STATUSES]
    warnings = {}
    for award in award_kinds.awards_of(campaign):
        failed = [r for r in slates.check(campaign, award.key, active, unit=unit) if not r.ok]
        if failed:
            warnings[award.key] = failed
    return {"unit": unit, "items": items, "warnings": warnings}


@bp.route("/<int:campaign_id>/nominations")
@organizer_view
def summary(campaign_id: int) -> str:
    campaign = load_campaign(campaign_id)
    units = _units(campaign)
    ratings = eligibility.union_ratings([u.org.id for u in units], eligibility.check_day(campaign))
    detail = None
    try:
        wanted = db_int(request.args.get("unit", ""))
    except ValueError:
        wanted = None
    if wanted is not None:
        unit = next((u.org for u in units if u.org.id == wanted), None)
        if unit is None:
            abort(404)
        detail = _detail(campaign, unit)
    totals: dict[NominationStatus, int] = defaultdict(int)
    for row in units:
        for by_status in row.statuses.values():
            for status, n in by_status.items():
                totals[status] += n
    return render_template(
        "nominations/campaign/summary.html",
        **header(campaign, "nominations"),
        awards=award_kinds.awards_of(campaign),
        units=units,
        ratings=ratings,
        detail=detail,
        totals=totals,
        status_labels=NOMINATION_STATUS_LABELS,
        active=ACTIVE_STATUSES,
        waive_form=WaiveForm(),
        rating_text=eligibility.rating_text,
    )


@bp.route("/<int:campaign_id>/nominations/<int:nomination_id>/waive", methods=["POST"])
@organizer_view
def waive(campaign_id: int, nomination_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or nomination.campaign_id != campaign.id:
        abort(404)
    back = (
        url_for("nominations.summary", campaign_id=campaign.id, unit=nomination.unit_id)
        + f"#nomination-{nomination.id}"
    )
    form = WaiveForm()
    if not form.validate_on_submit():
        flash(str(next(iter(form.reason.errors), _("表单已过期，请重试。"))), "danger")
        return redirect(back)
    return write_then_back(
        lambda: eligibility.waive(
            current_user, nomination, form.check.data or "", form.reason.data or ""
        ),
        back,
        _("已豁免“%(name)s”的这项资格条件。", name=nomination.name),
    )
