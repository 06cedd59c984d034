"""The 奖项与材料 and 资格条件 tabs of a campaign: its awards (added, renamed, removed), the
materials a nomination needs, and the eligibility rules.

Thin views over ``contest.services.nominations.campaigns``: load, authorize, validate, call,
commit once, flash, redirect.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.models import Campaign, HonorLevel, RecipientKind
from contest.nominations import campaign_confirm
from contest.nominations.blueprint import bp
from contest.nominations.campaign_base import (
    confirmed_write,
    header,
    load_campaign,
    organizer_view,
    put_error,
    write_then_back,
)
from contest.nominations.campaign_forms import (
    AwardEditForm,
    AwardForm,
    EligibilityForm,
    MaterialsForm,
    recipient_of,
)
from contest.services.nominations import awards as award_kinds
from contest.services.nominations import campaigns as service
from contest.services.nominations.campaigns import CampaignError, MaterialsData
from contest.ui.forms import ActionForm


def _level(value: str | None) -> HonorLevel | None:
    try:
        return HonorLevel(value) if value else None
    except ValueError:
        return None


def _materials_form(campaign: Campaign) -> MaterialsForm:
    form = MaterialsForm(prefix="m")
    if request.method == "GET" or not form.is_submitted():
        for kind, field in (
            (RecipientKind.PERSON, form.person_fields),
            (RecipientKind.UNIT, form.unit_fields),
            (RecipientKind.TEAM, form.team_fields),
        ):
            field.data = service.lines_of(
                (f.label, f.required) for f in service.form_fields(campaign, kind)
            )
        form.deeds_short_max.data, form.deeds_full_max.data = service.deeds_limits(campaign)
        form.attachments.data = service.lines_of(
            (s.name, s.required) for s in service.attachment_slots(campaign)
        )
        form.consultations.data = service.consultation_lines(campaign)
    return form


def _awards_page(
    campaign: Campaign,
    award_form: AwardForm | None = None,
    materials_form: MaterialsForm | None = None,
) -> str:
    listed = award_kinds.awards_of(campaign)
    edit_forms = {}
    for award in listed:
        edit = AwardEditForm(prefix=f"a-{award.key}")
        edit.title.data = award.title
        edit.tier.data = award.tier.value if award.tier else ""
        edit_forms[award.key] = edit
    return render_template(
        "nominations/campaign/awards.html",
        **header(campaign, "awards"),
        awards=listed,
        award_form=award_form or AwardForm(prefix="new"),
        edit_forms=edit_forms,
        materials_form=materials_form or _materials_form(campaign),
        campaign_confirm=campaign_confirm,
        action_form=ActionForm(),
    )


@bp.route("/<int:campaign_id>/awards")
@organizer_view
def awards(campaign_id: int) -> str:
    return _awards_page(load_campaign(campaign_id))


@bp.route("/<int:campaign_id>/awards", methods=["POST"])
@organizer_view
def award_add(campaign_id: int) -> str | Response:
    campaign = load_campaign(campaign_id)
    form = AwardForm(prefix="new")
    if form.validate_on_submit():
        try:
            award = service.add_award(
                current_user,
                campaign,
                form.kind.data or "",
                title=form.title.data or "",
                recipient=recipient_of(form.recipient.data),
                tier=_level(form.tier.data),
            )
        except CampaignError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已添加奖项“%(title)s”。", title=award.title), "success")
            return redirect(url_for("nominations.awards", campaign_id=campaign.id))
    return _awards_page(campaign, award_form=form)


@bp.route("/<int:campaign_id>/awards/<key>", methods=["POST"])
@organizer_view
def award_update(campaign_id: int, key: str) -> str | Response:
    campaign = load_campaign(campaign_id)
    if award_kinds.award_of(campaign, key) is None:
        abort(404)
    form = AwardEditForm(prefix=f"a-{key}")
    back = url_for("nominations.awards", campaign_id=campaign.id) + "#awards"
    if not form.validate_on_submit():
        flash(str(next(iter(form.title.errors), _("请填写称号名称"))), "danger")
        return redirect(back)
    return write_then_back(
        lambda: service.update_award(
            current_user, campaign, key, title=form.title.data or "", tier=_level(form.tier.data)
        ),
        back,
        lambda award: _("已保存奖项“%(title)s”。", title=award.title),
    )


@bp.route("/<int:campaign_id>/awards/<key>/delete", methods=["POST"])
@organizer_view
def award_delete(campaign_id: int, key: str) -> str | Response:
    campaign = load_campaign(campaign_id)
    award = award_kinds.award_of(campaign, key)
    if award is None:
        abort(404)
    return confirmed_write(
        lambda: campaign_confirm.delete_award(campaign, award),
        lambda: service.remove_award(current_user, campaign, key),
        url_for("nominations.awards", campaign_id=campaign.id) + "#awards",
        _("已删除奖项“%(title)s”。", title=award.title),
    )


@bp.route("/<int:campaign_id>/materials", methods=["POST"])
@organizer_view
def materials(campaign_id: int) -> str | Response:
    campaign = load_campaign(campaign_id)
    form = MaterialsForm(prefix="m")
    if form.validate_on_submit():
        try:
            data = MaterialsData(
                fields={
                    "person": service.parse_lines(
                        form.person_fields.data or "", _("推荐表项目"), 40, "person_fields"
                    ),
                    "unit": service.parse_lines(
                        form.unit_fields.data or "", _("推荐表项目"), 40, "unit_fields"
                    ),
                    "team": service.parse_lines(
                        form.team_fields.data or "", _("推荐表项目"), 40, "team_fields"
                    ),
                },
                deeds_short_max=form.deeds_short_max.data or 0,
                deeds_full_max=form.deeds_full_max.data or 0,
                attachments=service.parse_lines(
                    form.attachments.data or "", _("附件"), 40, "attachments"
                ),
                consultations=service.parse_consultations(form.consultations.data or ""),
            )
            service.set_materials(current_user, campaign, data)
        except CampaignError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存申报材料要求。"), "success")
            return redirect(url_for("nominations.awards", campaign_id=campaign.id) + "#materials")
    return _awards_page(campaign, materials_form=form)


# ------------------------------------------------------------------ eligibility


@bp.route("/<int:campaign_id>/eligibility", methods=["GET", "POST"])
@organizer_view
def eligibility(campaign_id: int) -> str | Response:
    campaign = load_campaign(campaign_id)
    form = EligibilityForm()
    rules = service.eligibility_rules(campaign)
    if request.method == "GET":
        form.prerequisite_level.data = (
            rules.prerequisite_level.value if rules.prerequisite_level else ""
        )
        form.craftsman_ladder.data = rules.craftsman_ladder
        form.repeat_years.data = rules.repeat_years
        form.negative_years.data = rules.negative_years
        form.negative_list.data = "\n".join(rules.negative_list)
    if form.validate_on_submit():
        try:
            items = service.parse_lines(
                form.negative_list.data or "",
                _("负面清单"),
                service.NEGATIVE_ITEM_MAX,
                "negative_list",
            )
            service.set_eligibility(
                current_user,
                campaign,
                service.EligibilityRules(
                    prerequisite_level=_level(form.prerequisite_level.data),
                    craftsman_ladder=bool(form.craftsman_ladder.data),
                    repeat_years=form.repeat_years.data or 0,
                    negative_years=form.negative_years.data or 0,
                    negative_list=[item for item, _required in items],
                ),
            )
        except CampaignError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存资格条件。"), "success")
            return redirect(url_for("nominations.eligibility", campaign_id=campaign.id))
    return render_template(
        "nominations/campaign/eligibility.html",
        **header(campaign, "eligibility"),
        form=form,
        editable=campaign.status.value in ("draft", "open"),
    )
