"""The organizer's 表彰 page of a campaign: what still keeps it from conferral, the conferral
(文号 and date, confirmed in a dialog naming how many honors it creates), then the honors with
their certificates (PDF with the platform's QR verification), revocation, and the exports
(推荐汇总表, 公示名单, 表彰名单, the campaign's audit trail).

Thin views over ``contest.services.nominations.conferral`` and ``exports``; the campaign's
managers only (``Campaign.can_manage``). Exports are POSTs (each is audited).
"""

from __future__ import annotations

import io
from urllib.parse import quote

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from contest.extensions import db
from contest.models import Honor
from contest.models.nomination import Campaign, CampaignStatus, Nomination, NominationStatus
from contest.nominations.blueprint import bp
from contest.nominations.publicity_admin_views import managed_campaign, put_error, tabs_context
from contest.services.honors import certificates
from contest.services.nominations import conferral as service
from contest.services.nominations import exports, publicity
from contest.ui import confirm, links
from contest.ui.confirm import Consequence
from contest.ui.forms import ActionForm, CheckedForm


class ConferForm(CheckedForm):
    document_number = StringField(
        _l("表彰文号"),
        render_kw={"maxlength": 100, "placeholder": _l("如：江工发〔2026〕12号")},
    )
    conferred_on = DateField(_l("表彰日期"), validators=[Optional()])


class RevokeForm(CheckedForm):
    ground = SelectField(_l("撤销依据"), validate_choice=False)
    document_number = StringField(_l("撤销文号"), render_kw={"maxlength": 100})
    revoked_on = DateField(_l("撤销日期"), validators=[Optional()])
    reason = TextAreaField(_l("撤销原因"), render_kw={"rows": 3, "maxlength": 2000})


EXPORTS = {
    "summary": (exports.summary, _l("推荐汇总表")),
    "publicity": (exports.publicity_list, _l("公示名单")),
    "awards": (exports.awards_list, _l("表彰名单")),
    "audit": (exports.audit_trail, _l("审计日志")),
}


def _selected_count(campaign: Campaign) -> int:
    return int(
        db.session.scalar(
            select(func.count(Nomination.id)).where(
                Nomination.campaign_id == campaign.id,
                Nomination.status == NominationStatus.SELECTED,
            )
        )
        or 0
    )


def confer_consequence(campaign: Campaign) -> Consequence:
    n = _selected_count(campaign)
    return Consequence(
        title=_("确认表彰"),
        text=_(
            "将为 %(n)d 名拟表彰人选授予荣誉，立即在劳模墙展示并可打印证书；"
            "表彰后不能撤回，只能逐项撤销。",
            n=n,
        ),
        action=_("确认表彰"),
    )


def revoke_consequence(honor: Honor) -> Consequence:
    return Consequence(
        title=_("确认撤销荣誉"),
        text=_(
            "将撤销%(name)s的“%(title)s”：该荣誉从劳模墙撤下，证书查验显示已撤销，记录保留。",
            name=honor.recipient_name,
            title=honor.display_title,
        ),
        action=_("确认撤销"),
    )


def _ground_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("请选择"))] + [
        SelectChoice(k, str(v)) for k, v in service.GROUNDS.items()
    ]


def _page(campaign: Campaign, form: ConferForm | None = None, status: int = 200) -> tuple[str, int]:
    form = form or ConferForm()
    if form.conferred_on.data is None and not form.errors:
        form.conferred_on.data = publicity.today()
    honors = service.conferred_honors(campaign)
    return render_template(
        "nominations/conferral.html",
        form=form,
        problems=service.confer_problems(campaign),
        conferred=campaign.status is CampaignStatus.CONFERRED,
        honors=[(h, certificates.number_of(h)) for h in honors],
        consequence=confer_consequence(campaign),
        action_form=ActionForm(),
        exports=[(key, str(label)) for key, (_write, label) in EXPORTS.items()],
        **tabs_context(campaign, "conferral"),
    ), status


@bp.route("/<int:campaign_id>/conferral", methods=["GET"])
@login_required
def conferral(campaign_id: int) -> tuple[str, int]:
    return _page(managed_campaign(campaign_id))


@bp.route("/<int:campaign_id>/conferral", methods=["POST"])
@login_required
def conferral_confer(campaign_id: int) -> Response | tuple[str, int] | str:
    campaign = managed_campaign(campaign_id)
    form = ConferForm()
    back = url_for("nominations.conferral", campaign_id=campaign.id)
    if not form.validate_on_submit():
        return _page(campaign, form, 400)
    if not confirm.confirmed():
        return confirm.ask(confer_consequence(campaign), back)
    try:
        done = service.confer(
            current_user, campaign, form.document_number.data, form.conferred_on.data
        )
    except service.ConferralError as error:
        db.session.rollback()
        put_error(form, error)
        return _page(campaign, form, 400)
    db.session.commit()
    flash(_("已表彰：授予 %(n)d 项荣誉，已在劳模墙展示。", n=len(done.honors)), "success")
    return redirect(back)


def _campaign_honor(campaign: Campaign, honor_id: int) -> Honor:
    honor = db.session.get(Honor, honor_id)
    if honor is None:
        abort(404)
    owner = service.campaign_of(honor)
    if owner is None or owner.id != campaign.id:
        abort(404)
    return honor


def _revoke_page(
    campaign: Campaign, honor: Honor, form: RevokeForm, status: int = 200
) -> tuple[str, int]:
    if form.revoked_on.data is None and not form.errors:
        form.revoked_on.data = publicity.today()
    return render_template(
        "nominations/revoke.html",
        honor=honor,
        form=form,
        consequence=revoke_consequence(honor),
        **tabs_context(campaign, "conferral"),
    ), status


@bp.route("/<int:campaign_id>/honors/<int:honor_id>/revoke", methods=["GET", "POST"])
@login_required
def conferral_revoke(campaign_id: int, honor_id: int) -> Response | tuple[str, int] | str:
    campaign = managed_campaign(campaign_id)
    honor = _campaign_honor(campaign, honor_id)
    form = RevokeForm()
    form.ground.choices = _ground_choices()
    back = url_for("nominations.conferral", campaign_id=campaign.id)
    if honor.is_revoked:
        flash(_("该荣誉已被撤销"), "warning")
        return redirect(back)
    if request.method == "GET":
        return _revoke_page(campaign, honor, form)
    if not form.validate_on_submit():
        return _revoke_page(campaign, honor, form, 400)
    if not confirm.confirmed():
        return confirm.ask(revoke_consequence(honor), back)
    try:
        service.revoke(
            current_user,
            honor,
            form.ground.data or "",
            form.document_number.data,
            form.revoked_on.data,
            form.reason.data,
        )
    except service.ConferralError as error:
        db.session.rollback()
        put_error(form, error)
        return _revoke_page(campaign, honor, form, 400)
    db.session.commit()
    flash(_("已撤销%(name)s的荣誉，劳模墙不再展示。", name=honor.recipient_name), "success")
    return redirect(f"{back}#honor-{honor.id}")


def _pdf(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:campaign_id>/certificates.pdf")
@login_required
def conferral_certificates(campaign_id: int) -> Response:
    campaign = managed_campaign(campaign_id)
    honors = service.conferred_honors(campaign, valid_only=True)
    if not honors:
        abort(404)
    data = certificates.certificate_pdf(honors, base_url=links.public_base())
    return _pdf(data, f"{campaign.name}-证书.pdf")


@bp.route("/<int:campaign_id>/certificates/<int:honor_id>.pdf")
@login_required
def conferral_certificate(campaign_id: int, honor_id: int) -> Response:
    campaign = managed_campaign(campaign_id)
    honor = _campaign_honor(campaign, honor_id)
    if honor.is_revoked:
        abort(404)
    data = certificates.certificate_pdf([honor], base_url=links.public_base())
    return _pdf(data, f"{certificates.number_of(honor)}.pdf")


@bp.route("/<int:campaign_id>/export/<kind>.xlsx", methods=["POST"])
@login_required
def conferral_export(campaign_id: int, kind: str) -> Response:
    campaign = managed_campaign(campaign_id)
    if kind not in EXPORTS:
        abort(404)
    if not ActionForm().validate_on_submit():
        flash(_("页面已过期，请刷新后重试。"), "danger")
        return redirect(url_for("nominations.conferral", campaign_id=campaign.id))
    write, label = EXPORTS[kind]
    buffer = io.BytesIO()
    write(current_user, campaign, buffer)
    db.session.commit()
    response = Response(
        buffer.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = quote(f"{campaign.name}-{label}.xlsx")
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    response.headers["Cache-Control"] = "private, no-store"
    return response
