"""What the recommending unit's pages show, gathered from the services so the views stay thin:
the campaign page (headroom per award, the unit's slate against the composition rules with a
what-if swap), the nomination page (the 推荐表, attachments, the checks that block submission,
the review's progress), and the sentences of the confirmation dialogs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from contest.models import Nomination, NominationStatus, RecipientKind, User
from contest.nominations.recommend_forms import (
    AttachmentForm,
    ReasonForm,
    nomination_form,
)
from contest.services.nominations import attachments, campaigns, eligibility, groups, slates
from contest.services.nominations import nominations as service
from contest.services.nominations.awards import award_of
from contest.services.nominations.nominations import AwardLine, UnitCampaign
from contest.ui.confirm import Consequence
from contest.ui.forms import ActionForm
from contest.validation import db_int

__all__ = [
    "campaign_page",
    "derived_categories",
    "nomination_page",
    "submit_consequence",
    "withdraw_consequence",
]


def headroom_text(line: AwardLine, surplus_percent: int) -> str:
    """名额 3，可报 4（差额 120%），已报 2 — the same words wherever a unit's room shows."""
    room = line.room
    if surplus_percent > 100:
        return _(
            "名额 %(quota)d，可报 %(allowed)d（差额 %(percent)d%%），已报 %(used)d",
            quota=room.quota,
            allowed=room.allowed,
            percent=surplus_percent,
            used=room.used,
        )
    return _(
        "名额 %(quota)d，可报 %(allowed)d，已报 %(used)d",
        quota=room.quota,
        allowed=room.allowed,
        used=room.used,
    )


@dataclass
class SlateView:
    """One award's slate of the unit: the rules' results, and a what-if swap if asked."""

    line: AwardLine
    headroom: str
    slate: list[Nomination]
    results: list[Any]
    candidates: list[Nomination] = field(default_factory=list)
    out_id: int | None = None
    in_id: int | None = None
    what_if: list[Any] | None = None

    @property
    def warnings(self) -> list[Any]:
        return [r for r in self.results if not r.ok]


def _arg_id(args: Mapping[str, str], name: str) -> int | None:
    try:
        return db_int(args.get(name, ""))
    except ValueError:
        return None


def _slate_view(view: UnitCampaign, line: AwardLine, args: Mapping[str, str]) -> SlateView:
    campaign = view.campaign
    slate = service.slate_of(campaign, line.award.key, line.unit.id)
    results = slates.check(campaign, line.award.key, slate, unit=line.unit)
    page = SlateView(line, headroom_text(line, campaign.surplus_percent), slate, results)
    page.candidates = [n for n in line.nominations if n.status in service.EDITABLE]
    if args.get("award") == line.award.key and args.get("unit") == str(line.unit.id):
        out_id, in_id = _arg_id(args, "out"), _arg_id(args, "in")
        out = next((n for n in slate if n.id == out_id), None)
        in_ = next((n for n in page.candidates if n.id == in_id), None)
        if out is not None and in_ is not None:
            page.out_id, page.in_id = out.id, in_.id
            page.what_if = slates.what_if(campaign, line.award.key, slate, out, in_, unit=line.unit)
    return page


def campaign_page(view: UnitCampaign, args: Mapping[str, str]) -> dict[str, Any]:
    """The context of a campaign's page for the unit."""
    return {
        "view": view,
        "campaign": view.campaign,
        "slates": [_slate_view(view, line, args) for line in view.lines],
        "group_label": groups.group_label,
    }


def derived_categories(nomination: Nomination) -> set[str]:
    """The groups a nomination falls in from the records (what the unit need not declare)."""
    return groups.categories_for(nomination) - set(nomination.categories or [])


def _slate_preview(nomination: Nomination) -> list[Any]:
    """The unit's slate for the award with this nomination on it, against the rules."""
    slate = service.slate_of(nomination.campaign, nomination.award, nomination.unit_id)
    if all(n.id != nomination.id for n in slate):
        slate.append(nomination)
    return slates.check(nomination.campaign, nomination.award, slate, unit=nomination.unit)


def nomination_page(user: User, nomination: Nomination, form: Any = None) -> dict[str, Any]:
    """The context of a nomination's page: editable parts only for the unit's own people."""
    campaign = nomination.campaign
    can_edit = service.may_edit(user, nomination)
    refusal = service.change_refusal(nomination)
    editable = can_edit and refusal is None
    derived = derived_categories(nomination)
    if editable and form is None:
        form = nomination_form(nomination, derived)
    short_max, full_max = campaigns.deeds_limits(campaign)
    person = nomination.person
    context: dict[str, Any] = {
        "nomination": nomination,
        "campaign": campaign,
        "award": award_of(campaign, nomination.award),
        "is_person": nomination.recipient_kind is RecipientKind.PERSON,
        "masked_id": person.masked_id_number if person is not None else "",
        "can_edit": can_edit,
        "editable": editable,
        "form": form,
        "derived": sorted(groups.group_label(g) for g in derived),
        "declared": [groups.group_label(g) for g in nomination.categories or []],
        "short_max": short_max,
        "full_max": full_max,
        "short_count": service.count_characters(nomination.deeds_short),
        "full_count": service.count_characters(nomination.deeds_full),
        "form_fields": campaigns.form_fields(campaign, nomination.recipient_kind),
        "negative_items": campaigns.negative_items(campaign),
        "slots": campaigns.attachment_slots(campaign),
        "files": attachments.files_of(nomination),
        "max_files": attachments.MAX_PER_SLOT,
        "max_mb": attachments.MAX_ATTACHMENT_BYTES // (1024 * 1024),
        "checks": eligibility.checks(nomination),
        "progress": service.progress(nomination)
        if nomination.status is not NominationStatus.DRAFT
        else [],
        "action_form": ActionForm(),
        "attach_form": AttachmentForm(formdata=None),
        "reason_form": ReasonForm(formdata=None),
        "locked_reason": refusal if can_edit else None,
        "withdrawable": service.may_withdraw(user, nomination),
    }
    if editable:
        context["problems"] = service.submit_problems(nomination)
        context["slate_results"] = _slate_preview(nomination)
        context["submit_confirm"] = submit_consequence(nomination)
    if context["withdrawable"]:
        context["withdraw_confirm"] = withdraw_consequence(nomination)
    return context


def submit_consequence(nomination: Nomination) -> Consequence:
    again = nomination.status is NominationStatus.RETURNED
    return Consequence(
        title=_("报送 %(name)s 的推荐？", name=nomination.name),
        text=_(
            "报送后推荐表和材料不能再修改，并占用本单位一个推荐名额；如需更改，只能撤回或等待退回修改。"
        )
        if not again
        else _("修改后的推荐将重新进入被退回的评审环节，报送后不能再修改。"),
        action=_("重新报送") if again else _("报送"),
    )


def withdraw_consequence(nomination: Nomination) -> Consequence:
    return Consequence(
        title=_("撤回 %(name)s 的推荐？", name=nomination.name),
        text=_("撤回后这份推荐不再参加本次评选，占用的名额随即空出；撤回不能恢复。"),
        action=_("撤回推荐"),
    )
