"""The 名额分配 tab: each award's total at the host, the shares handed down the tree with their
typed slots and alternates, what each unit has submitted and has left, and the table as .xlsx.

The host's organizers see the whole tree. A lower union's organizer sees its own part of it
and hands its share on from there (the same pages, scoped by ``quotas.can_hand_down``);
recommenders and reviewers are refused. Thin views over
``contest.services.nominations.quotas``.
"""

from __future__ import annotations

import io
from typing import Any

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.models import Campaign, CampaignQuota, Organization
from contest.nominations import campaign_confirm
from contest.nominations.blueprint import bp
from contest.nominations.campaign_base import (
    IMPORT_MAX_BYTES,
    XLSX_MIME,
    confirmed_write,
    header,
    load_campaign,
    organizer_view,
    put_error,
    write_then_back,
)
from contest.nominations.campaign_forms import ImportForm, QuotaForm
from contest.services.core.spreadsheets import RowError, SheetRefused, read_upload
from contest.services.nominations import awards as award_kinds
from contest.services.nominations import quotas
from contest.services.nominations.campaigns import CampaignError
from contest.ui.forms import ActionForm


def _quota_campaign(campaign_id: int) -> tuple[Campaign, bool, list[CampaignQuota]]:
    """The campaign, whether the user manages it, and (if not) the shares in their part of the
    tree: 404 for an unknown campaign, 403 for someone with neither."""
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    if campaign.can_manage(current_user):
        return campaign, True, []
    held = quotas.held_rows(current_user, campaign)
    if not held:
        abort(403)
    return campaign, False, held


def _row(campaign: Campaign, row_id: int) -> CampaignQuota:
    row = db.session.get(CampaignQuota, row_id)
    if row is None or row.campaign_id != campaign.id:
        abort(404)
    if not quotas.can_hand_down(current_user, row):
        abort(403)
    return row


def _context(campaign: Campaign, manages: bool) -> dict[str, Any]:
    if manages:
        return header(campaign, "quotas")
    return {"campaign": campaign, "tab": "quotas", "tabs": (), "tab_counts": {}, "others": []}


def _values(form: QuotaForm) -> tuple[int, dict[str, int], int]:
    """The form's figures; the typed slots read as 「企业负责人 1；农民工 1」."""
    try:
        slots = quotas.parse_slots(form.slots.data or "")
    except ValueError as error:
        raise CampaignError(str(error), "slots") from None
    return form.quota.data or 0, slots, form.alternates.data or 0


@bp.route("/<int:campaign_id>/quotas")
@organizer_view
def quotas_tab(campaign_id: int) -> str:
    campaign, manages, held = _quota_campaign(campaign_id)
    sections = []
    for award in award_kinds.awards_of(campaign):
        tops = None if manages else [r.id for r in held if r.award == award.key]
        if tops == []:
            continue
        lines = quotas.rows_of(campaign, award.key, tops)
        total = next((line.row for line in lines if line.row.parent_id is None), None)
        form = QuotaForm(prefix=f"t-{award.key}")
        if total is not None:
            form.quota.data = total.quota
            form.slots.data = quotas.slot_text(total.slots or {})
            form.alternates.data = total.alternates
        sections.append({"award": award, "lines": lines, "total_form": form, "total": total})
    return render_template(
        "nominations/campaign/quotas.html",
        **_context(campaign, manages),
        manages=manages,
        sections=sections,
        editable=campaign.status.value in ("draft", "open"),
        slot_text=quotas.slot_text,
        can_hand_down=lambda row: quotas.can_hand_down(current_user, row),
    )


@bp.route("/<int:campaign_id>/quotas/total/<award>", methods=["POST"])
@organizer_view
def quota_total(campaign_id: int, award: str) -> Response:
    campaign = load_campaign(campaign_id)
    form = QuotaForm(prefix=f"t-{award}")
    back = url_for("nominations.quotas_tab", campaign_id=campaign.id) + f"#award-{award}"
    if not form.validate_on_submit():
        return _refused(form, back)
    return write_then_back(
        lambda: quotas.set_total(current_user, campaign, award, *_values(form)),
        back,
        _("已保存总名额。"),
    )


def _refused(form: QuotaForm, back: str) -> Response:
    errors = [e for f in (form.quota, form.alternates, form.slots) for e in f.errors]
    flash(str(next(iter(errors), _("请填写名额"))), "danger")
    return redirect(back)


def _below(row: CampaignQuota) -> list[Organization]:
    """Open unions strictly below the row's union (where its share may go)."""
    org = row.organization
    return list(
        db.session.scalars(
            select(Organization)
            .where(
                Organization.path.startswith(org.path),
                Organization.id != org.id,
                Organization.closed_at.is_(None),
            )
            .order_by(Organization.path)
            .limit(2000)
        )
    )


def _share_page(
    campaign: Campaign, manages: bool, row: CampaignQuota, form: QuotaForm | None = None
) -> str:
    shares = [line for line in quotas.rows_of(campaign, row.award, [row.id]) if line.depth == 1]
    edit_forms = {}
    for line in shares:
        edit = QuotaForm(prefix=f"s-{line.row.id}")
        edit.quota.data = line.row.quota
        edit.slots.data = quotas.slot_text(line.row.slots or {})
        edit.alternates.data = line.row.alternates
        edit_forms[line.row.id] = edit
    own = quotas.rows_of(campaign, row.award, [row.id])[0]
    return render_template(
        "nominations/campaign/quota_shares.html",
        **_context(campaign, manages),
        manages=manages,
        row=row,
        own=own,
        award=award_kinds.award_of(campaign, row.award),
        shares=shares,
        form=form or QuotaForm(_below(row), prefix="new"),
        edit_forms=edit_forms,
        action_form=ActionForm(),
        editable=campaign.status.value in ("draft", "open"),
        slot_text=quotas.slot_text,
        campaign_confirm=campaign_confirm,
    )


@bp.route("/<int:campaign_id>/quotas/<int:row_id>", methods=["GET", "POST"])
@organizer_view
def quota_shares(campaign_id: int, row_id: int) -> str | Response:
    campaign, manages, _held = _quota_campaign(campaign_id)
    row = _row(campaign, row_id)
    form = QuotaForm(_below(row), prefix="new")
    if form.validate_on_submit():
        org = db.session.get(Organization, form.organization_id.data)
        try:
            if org is None:
                raise CampaignError(_("请选择下级单位"), "organization_id")
            quota, slots, alternates = _values(form)
            quotas.hand_down(current_user, row, org, quota, slots, alternates)
        except CampaignError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已为“%(org)s”分配名额。", org=org.name), "success")
            return redirect(
                url_for("nominations.quota_shares", campaign_id=campaign.id, row_id=row.id)
            )
    return _share_page(campaign, manages, row, form)


@bp.route("/<int:campaign_id>/quotas/<int:row_id>/share/<int:share_id>", methods=["POST"])
@organizer_view
def quota_share_update(campaign_id: int, row_id: int, share_id: int) -> Response:
    campaign, _manages, _held = _quota_campaign(campaign_id)
    row = _row(campaign, row_id)
    share = db.session.get(CampaignQuota, share_id)
    if share is None or share.parent_id != row.id:
        abort(404)
    form = QuotaForm(prefix=f"s-{share.id}")
    back = url_for("nominations.quota_shares", campaign_id=campaign.id, row_id=row.id)
    if not form.validate_on_submit():
        return _refused(form, back)
    return write_then_back(
        lambda: quotas.hand_down(current_user, row, share.organization, *_values(form)),
        back,
        _("已保存“%(org)s”的名额。", org=share.organization.name),
    )


@bp.route("/<int:campaign_id>/quotas/<int:row_id>/share/<int:share_id>/delete", methods=["POST"])
@organizer_view
def quota_share_delete(campaign_id: int, row_id: int, share_id: int) -> str | Response:
    campaign, _manages, _held = _quota_campaign(campaign_id)
    row = _row(campaign, row_id)
    share = db.session.get(CampaignQuota, share_id)
    if share is None or share.parent_id != row.id:
        abort(404)
    return confirmed_write(
        lambda: campaign_confirm.remove_share(share),
        lambda: quotas.remove_share(current_user, share),
        url_for("nominations.quota_shares", campaign_id=campaign.id, row_id=row.id),
        _("已收回“%(org)s”的名额。", org=share.organization.name),
    )


# ------------------------------------------------------------------ the table as .xlsx


@bp.route("/<int:campaign_id>/quotas/export.xlsx")
@organizer_view
def quotas_export(campaign_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    return send_file(
        io.BytesIO(quotas.export_workbook(campaign)),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=f"quotas-{campaign.id}.xlsx",
    )


@bp.route("/<int:campaign_id>/quotas/template.xlsx")
@organizer_view
def quotas_template(campaign_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    return send_file(
        io.BytesIO(quotas.template_workbook(campaign)),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=f"quotas-template-{campaign.id}.xlsx",
    )


@bp.route("/<int:campaign_id>/quotas/import", methods=["GET", "POST"])
@organizer_view
def quotas_import(campaign_id: int) -> str | Response:
    campaign = load_campaign(campaign_id)
    form = ImportForm()
    errors: list[RowError] = []
    if form.validate_on_submit():
        try:
            data, filename = read_upload(form.file.data, IMPORT_MAX_BYTES)
            result = quotas.import_workbook(current_user, campaign, data, filename)
        except SheetRefused as refusal:
            db.session.rollback()
            errors = refusal.errors
        except CampaignError as error:
            db.session.rollback()
            errors = [RowError(0, "", error.message)]
        else:
            db.session.commit()
            flash(
                _(
                    "已导入 %(n)d 行名额分配（新增 %(c)d 行，修改 %(u)d 行）。",
                    n=result.rows,
                    c=result.created,
                    u=result.updated,
                ),
                "success",
            )
            return redirect(url_for("nominations.quotas_tab", campaign_id=campaign.id))
    return render_template(
        "nominations/campaign/quotas_import.html",
        **header(campaign, "quotas"),
        form=form,
        errors=errors[:500],
        error_count=len(errors),
    )
