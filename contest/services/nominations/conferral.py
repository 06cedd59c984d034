"""Conferral of a campaign's honors and their revocation (DOMAIN §3 rules 23, 25; §4 rule 29).

**Conferral** takes the 表彰文件's 文号 and date and turns every SELECTED nominee into an honor
through the honors service (``contest.services.honors.records``): source the campaign
(``campaign:<id>``), the recipient (person, unit or team), the award's title, the campaign's
level and year, its 授予机关 (the host union when none is set) and the 文号. The 事迹 go on the
honor only when the nominee consented to them on the wall; a consent to the photo or the 事迹
given in the nomination is recorded on the person (never withdrawn here), which is what the
wall reads. Refused while a 公示 notice (main or 递补) is still running or an objection is
undecided. The campaign becomes CONFERRED; each honor's certificate prints with the QR
verification of the platform (``contest.services.honors.certificates``).

**Revocation** of a conferred honor names a ground (:data:`GROUNDS`), the revocation's 文号 and
date and a reason; the honor is revoked through the honors service — it leaves the wall, its
certificate's ``/verify`` says 已撤销 — and the record stays. Both are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from contest.extensions import db
from contest.models import Honor, HonorSource, HonorStatus, Organization, RecipientKind, User
from contest.models.nomination import Campaign, CampaignStatus, Nomination, NominationStatus
from contest.services.core import audit
from contest.services.honors import records
from contest.services.nominations import objections, publicity
from contest.validation import text_problem

__all__ = [
    "GROUNDS",
    "ConferResult",
    "ConferralError",
    "campaign_of",
    "confer",
    "confer_problems",
    "conferred_honors",
    "revocation_text",
    "revoke",
    "source_ref",
]

DOCUMENT_MAX = 100
REASON_MAX = 2000

# 撤销 grounds (DOMAIN §3 rule 25).
GROUNDS: dict[str, LazyString] = {
    "fraud": _l("弄虚作假骗取荣誉"),
    "untrue": _l("事迹严重失实"),
    "criminal": _l("受到刑事处罚"),
    "discipline": _l("受到严重党纪政务处分"),
    "other": _l("其他"),
}


class ConferralError(ValueError):
    """A refused conferral or revocation: the message, its field, further sentences."""

    def __init__(self, message: str, field: str | None = None, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = problems or []


def source_ref(campaign: Campaign) -> str:
    return f"campaign:{campaign.id}"


def _text(value: str | None, field: str, label: str, limit: int, *, multiline: bool) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        raise ConferralError(_("请填写%(label)s", label=label), field)
    if len(text) > limit:
        raise ConferralError(_("%(label)s最长 %(n)d 个字", label=label, n=limit), field)
    problem = text_problem(text, multiline=multiline)
    if problem:
        raise ConferralError(_("%(label)s：%(problem)s", label=label, problem=problem), field)
    return text


def _selected(campaign: Campaign) -> list[Nomination]:
    return list(
        db.session.scalars(
            select(Nomination)
            .where(
                Nomination.campaign_id == campaign.id,
                Nomination.status == NominationStatus.SELECTED,
            )
            .order_by(Nomination.id)
        )
    )


def confer_problems(campaign: Campaign, day: date | None = None) -> list[str]:
    """What keeps the campaign from being conferred on ``day`` (empty: it may be)."""
    if campaign.status is CampaignStatus.CONFERRED:
        return [_("该评选活动已经表彰，不能重复表彰")]
    if campaign.status is not CampaignStatus.PUBLICITY:
        return [_("评选活动须经公示后才能表彰")]
    problems = []
    day = day or publicity.today()
    for notice in publicity.notices_of(campaign):
        if notice.ends_on >= day:
            kind = _("递补公示") if notice.is_supplement else _("公示")
            problems.append(
                _(
                    "%(kind)s尚未结束（%(end)s 结束）",
                    kind=kind,
                    end=notice.ends_on.isoformat(),
                )
            )
    waiting = objections.undecided(campaign)
    if waiting:
        problems.append(_("还有 %(n)d 件异议未处理完毕", n=waiting))
    if not _selected(campaign):
        problems.append(_("没有拟表彰人选"))
    return problems


def _honor_data(
    campaign: Campaign, nomination: Nomination, number: str, conferred_on: date
) -> records.HonorData:
    person = nomination.person
    is_person = nomination.recipient_kind is RecipientKind.PERSON
    if is_person:
        organization = person.organization if person is not None else None
    elif nomination.organization_id:
        organization = db.session.get(Organization, nomination.organization_id)
    else:
        organization = None
    deeds = nomination.consent_deeds
    return records.HonorData(
        recipient_name=nomination.name,
        title=publicity.award_title(campaign, nomination.award),
        level=campaign.level,
        year=campaign.year,
        person=person if is_person else None,
        organization=organization,
        recipient_kind=nomination.recipient_kind,
        unit_name=nomination.unit_name,
        post=nomination.post,
        skill_level=nomination.skill_level,
        conferring_body=campaign.conferring_body or campaign.organization.name,
        document_number=number,
        conferred_on=conferred_on,
        source=HonorSource.CAMPAIGN,
        source_ref=source_ref(campaign),
        deeds_summary=(nomination.deeds_short or None) if deeds else None,
        deeds_full=(nomination.deeds_full or None) if deeds else None,
    )


def _record_consent(actor: User, nomination: Nomination) -> None:
    """The nominee's wall consents (photo, 事迹) given in the nomination, onto the person."""
    person = nomination.person
    if person is None or nomination.recipient_kind is not RecipientKind.PERSON:
        return
    photo = bool(person.consent_photo or nomination.consent_photo)
    deeds = bool(person.consent_deeds or nomination.consent_deeds)
    if (photo, deeds) != (bool(person.consent_photo), bool(person.consent_deeds)):
        records.set_person_consent(actor, person, photo=photo, deeds=deeds)


@dataclass(frozen=True)
class ConferResult:
    honors: list[Honor]


def _lock(campaign: Campaign) -> Campaign:
    """The campaign row locked for this transaction (PostgreSQL), so two conferrals cannot
    both pass the check; SQLite serialises writers anyway."""
    locked = db.session.scalar(
        select(Campaign)
        .where(Campaign.id == campaign.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    return locked


def confer(
    actor: User, campaign: Campaign, document_number: str | None, conferred_on: date | None
) -> ConferResult:
    """Confer the campaign (see the module docstring). Refused with every problem, changing
    nothing."""
    number = _text(document_number, "document_number", _("表彰文号"), DOCUMENT_MAX, multiline=False)
    if conferred_on is None:
        raise ConferralError(_("请填写表彰日期"), "conferred_on")
    if conferred_on > publicity.today():
        raise ConferralError(_("表彰日期不能晚于今天"), "conferred_on")
    campaign = _lock(campaign)
    problems = confer_problems(campaign)
    if problems:
        raise ConferralError(_("现在还不能表彰"), problems=problems)
    last_end = max(n.ends_on for n in publicity.notices_of(campaign))
    if conferred_on <= last_end:
        raise ConferralError(
            _("表彰日期应在公示结束（%(end)s）之后", end=last_end.isoformat()), "conferred_on"
        )
    honors = []
    try:
        for nomination in _selected(campaign):
            honor = records.add_honor(
                actor, _honor_data(campaign, nomination, number, conferred_on)
            )
            _record_consent(actor, nomination)
            nomination.honor_id = honor.id
            nomination.status = NominationStatus.CONFERRED
            honors.append(honor)
    except records.HonorError as error:
        raise ConferralError(_("现在还不能表彰"), problems=[str(error)]) from None
    before = {"status": campaign.status.value}
    campaign.status = CampaignStatus.CONFERRED
    campaign.document_number = number
    campaign.conferred_on = conferred_on
    db.session.flush()
    audit.record(
        actor,
        "campaign.confer",
        "campaign",
        campaign.id,
        before=before,
        after={
            "status": campaign.status.value,
            "document_number": number,
            "conferred_on": conferred_on.isoformat(),
            "honors": len(honors),
            "honor_ids": [h.id for h in honors],
        },
    )
    publicity.changed()
    return ConferResult(honors)


def conferred_honors(campaign: Campaign, *, valid_only: bool = False) -> list[Honor]:
    """The honors the campaign conferred (revoked ones too unless ``valid_only``)."""
    query = select(Honor).where(
        Honor.source == HonorSource.CAMPAIGN, Honor.source_ref == source_ref(campaign)
    )
    if valid_only:
        query = query.where(Honor.status == HonorStatus.VALID)
    return list(db.session.scalars(query.order_by(Honor.id)))


def campaign_of(honor: Honor) -> Campaign | None:
    """The campaign that conferred ``honor`` (None for any other honor)."""
    ref = honor.source_ref or ""
    if honor.source is not HonorSource.CAMPAIGN or not ref.startswith("campaign:"):
        return None
    number = ref.removeprefix("campaign:")
    return db.session.get(Campaign, int(number)) if number.isdigit() else None  # type: ignore[no-any-return]


def revocation_text(ground: str, number: str, day: date, why: str) -> str:
    """The reason stored on a revoked honor (never shown publicly): ground, 文号, date and why,
    in Chinese whoever revokes, since every later reader of the record reads it so. The care
    area's revocation chain ends in the same words."""
    with force_locale("zh_CN"):
        return "；".join(
            (
                _("依据：%(ground)s", ground=GROUNDS[ground]),
                _("撤销文号：%(number)s", number=number),
                _("撤销日期：%(day)s", day=day.isoformat()),
                why,
            )
        )


def revoke(
    actor: User,
    honor: Honor,
    ground: str,
    document_number: str | None,
    revoked_on: date | None,
    reason: str | None,
) -> Honor:
    """Revoke a conferred honor: ground, the revocation's 文号 and date, reason (all required).
    The honors service keeps the record, marked revoked; the campaign's trail records the
    revocation with its particulars."""
    campaign = campaign_of(honor)
    if campaign is None:
        raise ConferralError(_("该荣誉不是本评选活动授予的"))
    if honor.is_revoked:
        raise ConferralError(_("该荣誉已被撤销"))
    if ground not in GROUNDS:
        raise ConferralError(_("请选择撤销依据"), "ground")
    number = _text(document_number, "document_number", _("撤销文号"), DOCUMENT_MAX, multiline=False)
    if revoked_on is None:
        raise ConferralError(_("请填写撤销日期"), "revoked_on")
    if revoked_on > publicity.today():
        raise ConferralError(_("撤销日期不能晚于今天"), "revoked_on")
    if honor.conferred_on is not None and revoked_on < honor.conferred_on:
        raise ConferralError(_("撤销日期不能早于授予日期"), "revoked_on")
    why = _text(reason, "reason", _("撤销原因"), REASON_MAX, multiline=True)
    text = revocation_text(ground, number, revoked_on, why)
    try:
        records.revoke_honor(actor, honor, text)
    except records.HonorError as error:
        raise ConferralError(str(error)) from None
    details: dict[str, Any] = {
        "honor_id": honor.id,
        "ground": ground,
        "document_number": number,
        "revoked_on": revoked_on.isoformat(),
    }
    audit.record(actor, "campaign.honor_revoke", "campaign", campaign.id, after=details, reason=why)
    return honor
