"""The 结构要求 tab: the slate composition rules as an editable list, the defaults (national
五一劳动奖章 rules) in one click, each award's slate checked live, and a what-if for swapping a
nominee for an alternate. Thin views over ``contest.services.nominations.slates``.
"""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.models import Campaign, Nomination, NominationStatus, SlateRule
from contest.nominations import campaign_confirm
from contest.nominations.blueprint import bp
from contest.nominations.campaign_base import (
    confirmed_write,
    header,
    load_campaign,
    organizer_view,
    put_error,
    require_button,
    write_then_back,
)
from contest.nominations.campaign_forms import RuleForm
from contest.services.nominations import awards as award_kinds
from contest.services.nominations import slates
from contest.services.nominations.campaigns import CampaignError
from contest.services.nominations.slates import RuleData
from contest.ui.forms import ActionForm
from contest.validation import db_int

# The slate the rules are checked on: nominations in the running (alternates stand beside it).
ON_SLATE = (NominationStatus.SUBMITTED, NominationStatus.SELECTED, NominationStatus.CONFERRED)


def _award_choices(campaign: Campaign) -> list[tuple[str, str]]:
    return [(a.key, a.title) for a in award_kinds.awards_of(campaign)]


def _rule(campaign: Campaign, rule_id: int) -> SlateRule:
    rule = db.session.get(SlateRule, rule_id)
    if rule is None or rule.campaign_id != campaign.id:
        abort(404)
    return rule


def _data(form: RuleForm) -> RuleData:
    return RuleData(
        group=form.group.data or "",
        op=form.op.data or "",
        value=form.value.data if form.value.data is not None else Decimal(0),
        unit=form.unit.data or "",
        denominator=form.denominator.data or "all",
        award=form.award.data or None,
    )


def _by_award(nominations: list[Nomination]) -> dict[str, list[Nomination]]:
    """The nominations per award, in one pass (a national slate has thousands)."""
    found: dict[str, list[Nomination]] = {}
    for nomination in nominations:
        found.setdefault(nomination.award, []).append(nomination)
    return found


def _picked(nominations: list[Nomination], name: str) -> Nomination | None:
    try:
        wanted = db_int(request.args.get(name, ""))
    except ValueError:
        return None
    return next((n for n in nominations if n.id == wanted), None)


def _page(campaign: Campaign, form: RuleForm | None = None) -> str:
    rules = slates.rules_of(campaign)
    choices = _award_choices(campaign)
    edit_forms = {}
    for rule in rules:
        edit = RuleForm(choices, prefix=f"r-{rule.id}")
        edit.award.data = rule.award or ""
        edit.group.data = rule.group
        edit.op.data = rule.op
        edit.value.data = rule.value.normalize() if rule.unit != "slots" else None
        edit.unit.data = rule.unit
        edit.denominator.data = rule.denominator
        edit_forms[rule.id] = edit
    slate = _by_award(slates.slate_nominations(campaign, ON_SLATE))
    alternates = _by_award(slates.slate_nominations(campaign, (NominationStatus.ALTERNATE,)))
    sections = []
    for award in award_kinds.awards_of(campaign):
        on_slate = slate.get(award.key, [])
        waiting = alternates.get(award.key, [])
        results = slates.check(campaign, award.key, on_slate, rules=rules)
        swap = None
        if request.args.get("award") == award.key:
            out, in_ = _picked(on_slate, "out"), _picked(waiting, "in")
            if out is not None or in_ is not None:
                swap = {
                    "out": out,
                    "in": in_,
                    "results": slates.what_if(campaign, award.key, on_slate, out, in_),
                }
        sections.append(
            {
                "award": award,
                "count": len(on_slate),
                "results": results,
                "slate": on_slate,
                "alternates": waiting,
                "swap": swap,
            }
        )
    return render_template(
        "nominations/campaign/slate.html",
        **header(campaign, "slate"),
        rules=rules,
        rule_text=lambda rule: slates.rule_text(rule, campaign),
        award_titles=dict(choices),
        form=form or RuleForm(choices, prefix="new"),
        edit_forms=edit_forms,
        sections=sections,
        action_form=ActionForm(),
        editable=campaign.status.value in ("draft", "open", "review"),
        campaign_confirm=campaign_confirm,
    )


@bp.route("/<int:campaign_id>/slate")
@organizer_view
def slate(campaign_id: int) -> str:
    return _page(load_campaign(campaign_id))


@bp.route("/<int:campaign_id>/slate/rules", methods=["POST"])
@organizer_view
def slate_rule_add(campaign_id: int) -> str | Response:
    campaign = load_campaign(campaign_id)
    form = RuleForm(_award_choices(campaign), prefix="new")
    if form.validate_on_submit():
        try:
            slates.add_rule(current_user, campaign, _data(form))
        except CampaignError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已添加结构要求。"), "success")
            return redirect(url_for("nominations.slate", campaign_id=campaign.id) + "#rules")
    return _page(campaign, form)


@bp.route("/<int:campaign_id>/slate/rules/<int:rule_id>", methods=["POST"])
@organizer_view
def slate_rule_update(campaign_id: int, rule_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    rule = _rule(campaign, rule_id)
    form = RuleForm(_award_choices(campaign), prefix=f"r-{rule.id}")
    back = url_for("nominations.slate", campaign_id=campaign.id) + "#rules"
    if not form.validate_on_submit():
        errors = [e for field in form for e in field.errors]
        flash(str(next(iter(errors), _("表单已过期，请重试。"))), "danger")
        return redirect(back)
    return write_then_back(
        lambda: slates.update_rule(current_user, campaign, rule, _data(form)),
        back,
        _("已保存结构要求。"),
    )


@bp.route("/<int:campaign_id>/slate/rules/<int:rule_id>/delete", methods=["POST"])
@organizer_view
def slate_rule_delete(campaign_id: int, rule_id: int) -> str | Response:
    campaign = load_campaign(campaign_id)
    rule = _rule(campaign, rule_id)
    return confirmed_write(
        lambda: campaign_confirm.delete_rule(campaign, rule),
        lambda: slates.delete_rule(current_user, campaign, rule),
        url_for("nominations.slate", campaign_id=campaign.id) + "#rules",
        _("已删除结构要求。"),
    )


@bp.route("/<int:campaign_id>/slate/defaults", methods=["POST"])
@organizer_view
def slate_defaults(campaign_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    require_button()
    return write_then_back(
        lambda: slates.apply_defaults(current_user, campaign),
        url_for("nominations.slate", campaign_id=campaign.id) + "#rules",
        lambda added: (
            _("已添加 %(n)d 条默认结构要求。", n=added)
            if added
            else _("默认结构要求都已在列表中。")
        ),
    )
