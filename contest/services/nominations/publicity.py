"""公示 (DOMAIN §3 rules 23–24, 24a; §4 rules 27–28): the proposed honorees made public for N
working days before conferral, and what the public sees of them.

The organizer starts the 公示 of a campaign in review on a day: the SELECTED nominees (and the
ranked ALTERNATE ones when the campaign publishes them) go on a :class:`PublicityNotice` whose
last day is the N-th working day on the statutory calendar, the start counting as day 1
(``contest.services.nominations.calendar``; a year without calendar data is refused, never
guessed). A nominee who has not consented to 公示 (PIPL Art. 25) cannot be published: the start
is refused with their names. A 递补 (``objections``) publishes the promoted alternate on a
supplementary notice of its own length.

The public side reads public fields only (DOMAIN §4 rule 27): 姓名 with a (女) marker, 单位,
岗位/职务, 技能等级/职称 and the title — never an ID number, phone, birth date or address, which
this module never reads. A notice is shown from its first day until ``hidden_after`` (its last
day plus the campaign's grace days); then the page answers 410 (rule 28: 公示 pages expire).
Every change the public sees bumps the ``publicity`` content version in its transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import Gender, RecipientKind, User
from contest.models.nomination import (
    Campaign,
    CampaignStatus,
    Nomination,
    NominationStatus,
    PublicityNotice,
)
from contest.services.core import audit
from contest.services.core.versions import PUBLICITY_CONTENT, bump_version
from contest.services.honors.records import sort_key
from contest.services.honors.validity import today
from contest.services.nominations import awards
from contest.services.nominations import calendar as workdays
from contest.validation import text_problem

__all__ = [
    "CONTACT_MAX",
    "GONE",
    "Gone",
    "PublicCampaign",
    "PublicNominee",
    "PublicNotice",
    "Publicity",
    "PublicityError",
    "award_order",
    "award_title",
    "campaign_kind",
    "changed",
    "is_running",
    "is_shown",
    "notices_of",
    "period_end",
    "public_campaigns",
    "public_nominee",
    "public_publicity",
    "publishable",
    "published_nominees",
    "running_notices",
    "shown_campaigns",
    "start",
    "supplement",
    "today",
    "unconsented",
]

CONTACT_MAX = 500
# Statuses of a nominee still on a 公示 list (a removed one leaves it; a conferred one stays
# on the list until the page expires).
ON_LIST = (NominationStatus.SELECTED, NominationStatus.ALTERNATE, NominationStatus.CONFERRED)
# Campaigns the public API lists (DESIGN: "campaigns in 公示 or conferred").
PUBLIC_STATUSES = (CampaignStatus.PUBLICITY, CampaignStatus.CONFERRED)


class PublicityError(ValueError):
    """A refused start, with the field it concerns and the sentences to show."""

    def __init__(self, message: str, field: str | None = None, problems: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = list(problems)


# ------------------------------------------------------------------ awards


def award_title(campaign: Campaign, key: str) -> str:
    """The title an award confers ("江州市五一劳动奖章"), or its key for an unknown award."""
    found = awards.award_of(campaign, key)
    return found.title if found is not None else key


def campaign_kind(campaign: Campaign) -> str | None:
    """The kind of the campaign's first award (the API's ``kind``)."""
    found = awards.awards_of(campaign)
    return found[0].kind if found else None


def award_order(campaign: Campaign) -> dict[str, int]:
    """Award key → its place in the organizer's order (lists follow it)."""
    return {a.key: i for i, a in enumerate(awards.awards_of(campaign))}


# ------------------------------------------------------------------ notices


def notices_of(campaign: Campaign) -> list[PublicityNotice]:
    """The campaign's notices, the main one first, supplements in the order they were made."""
    return list(
        db.session.scalars(
            select(PublicityNotice)
            .where(PublicityNotice.campaign_id == campaign.id)
            .order_by(PublicityNotice.is_supplement, PublicityNotice.id)
        )
    )


def is_running(notice: PublicityNotice, day: date | None = None) -> bool:
    """Whether objections are taken on ``notice`` on ``day`` (default today): within its
    period, first and last day included."""
    day = day or today()
    return notice.starts_on <= day <= notice.ends_on


def is_shown(notice: PublicityNotice, day: date | None = None) -> bool:
    """Whether the public site shows ``notice`` on ``day``: from its first day to
    ``hidden_after`` inclusive."""
    day = day or today()
    return notice.starts_on <= day <= notice.hidden_after


def running_notices(campaign: Campaign, day: date | None = None) -> list[PublicityNotice]:
    return [n for n in notices_of(campaign) if is_running(n, day)]


def period_end(starts_on: date, days: int) -> date:
    """The last day of a period of ``days`` working days from ``starts_on`` (day 1 when it is
    a working day) on the statutory calendar; PublicityError with the calendar's own message
    for a year it has no data for."""
    try:
        return workdays.add_workdays(starts_on, days)
    except ValueError as error:  # CalendarMissing, or a number of days out of range
        raise PublicityError(str(error), "starts_on") from None


def _hidden_after(campaign: Campaign, ends_on: date) -> date:
    return ends_on + timedelta(days=max(int(campaign.publicity_grace_days or 0), 0))


def changed() -> None:
    """The public 公示 pages and the campaigns API must be built afresh."""
    bump_version(PUBLICITY_CONTENT)


# ------------------------------------------------------------------ starting


def publishable(campaign: Campaign) -> list[Nomination]:
    """Who the main 公示 lists: the SELECTED nominees, and the ALTERNATE ones when the
    campaign publishes its alternates, in list order (award, 正选 before 递补, alternates by
    rank)."""
    statuses = [NominationStatus.SELECTED]
    if campaign.publish_alternates:
        statuses.append(NominationStatus.ALTERNATE)
    rows = db.session.scalars(
        select(Nomination)
        .where(Nomination.campaign_id == campaign.id, Nomination.status.in_(statuses))
        .options(selectinload(Nomination.person))
    ).all()
    return _in_list_order(campaign, rows)


def _in_list_order(campaign: Campaign, rows: Iterable[Nomination]) -> list[Nomination]:
    order = award_order(campaign)

    def key(n: Nomination) -> tuple[Any, ...]:
        alternate = n.status is NominationStatus.ALTERNATE
        within = (n.rank if n.rank is not None else 1_000_000, n.id) if alternate else ()
        return (order.get(n.award, len(order)), alternate, within, sort_key(n.name), n.id)

    return sorted(rows, key=key)


def unconsented(nominations: Iterable[Nomination]) -> list[Nomination]:
    return [n for n in nominations if not n.consent_publicity]


def _check_contact(contact: str | None) -> str | None:
    text = (contact or "").strip()
    if not text:
        return None
    if len(text) > CONTACT_MAX:
        raise PublicityError(_("受理异议的联系方式不能超过 500 字"), "contact")
    problem = text_problem(text, multiline=True)
    if problem:
        raise PublicityError(problem, "contact")
    return text


def _notice(
    campaign: Campaign,
    starts_on: date,
    days: int,
    contact: str | None,
    *,
    supplement: bool,
) -> PublicityNotice:
    ends_on = period_end(starts_on, days)
    notice = PublicityNotice(
        campaign_id=campaign.id,
        is_supplement=supplement,
        starts_on=starts_on,
        ends_on=ends_on,
        hidden_after=_hidden_after(campaign, ends_on),
        contact=contact,
    )
    db.session.add(notice)
    db.session.flush()
    return notice


def _notice_snapshot(notice: PublicityNotice, nominations: Sequence[Nomination]) -> dict[str, Any]:
    return {
        "notice": notice.id,
        "is_supplement": notice.is_supplement,
        "starts_on": notice.starts_on.isoformat(),
        "ends_on": notice.ends_on.isoformat(),
        "hidden_after": notice.hidden_after.isoformat(),
        "nominations": [n.id for n in nominations],
    }


def start(
    actor: User | None,
    campaign: Campaign,
    starts_on: date | None,
    contact: str | None = None,
) -> PublicityNotice:
    """Start the campaign's 公示 on ``starts_on`` (REVIEW → PUBLICITY), publishing
    :func:`publishable`; ``contact`` is how the public objects (受理部门, 电话, 地址).

    Refused, changing nothing: a campaign not in review, a start before today, nobody
    selected, a nominee without consent to 公示 (named), a year without calendar data."""
    if campaign.status is not CampaignStatus.REVIEW:
        raise PublicityError(_("只有评审中的评选活动才能开始公示"))
    if starts_on is None:
        raise PublicityError(_("请填写公示开始日期"), "starts_on")
    if starts_on < today():
        raise PublicityError(_("公示开始日期不能早于今天"), "starts_on")
    contact = _check_contact(contact)
    listed = publishable(campaign)
    if not any(n.status is NominationStatus.SELECTED for n in listed):
        raise PublicityError(_("还没有拟表彰人选，请先完成评审"))
    missing = unconsented(listed)
    if missing:
        names = "、".join(n.name for n in missing)
        raise PublicityError(
            _("以下人选未同意公示，不能公示：%(names)s", names=names),
            problems=[_("请推荐单位补充本人同意公示的书面意见，或调整拟表彰人选后再开始公示。")],
        )
    notice = _notice(
        campaign, starts_on, int(campaign.publicity_days or 5), contact, supplement=False
    )
    for nomination in listed:
        nomination.publicity_id = notice.id
    campaign.status = CampaignStatus.PUBLICITY
    db.session.flush()
    audit.record(
        actor,
        "campaign.publicity.start",
        "campaign",
        campaign.id,
        before={"status": CampaignStatus.REVIEW.value},
        after={"status": campaign.status.value, **_notice_snapshot(notice, listed)},
    )
    changed()
    return notice


def supplement(
    actor: User | None, campaign: Campaign, nominations: Sequence[Nomination], starts_on: date
) -> PublicityNotice:
    """A supplementary 公示 (递补) of ``nominations`` from ``starts_on``, lasting the campaign's
    ``supplement_publicity_days`` working days; the contact is the main notice's."""
    main = next((n for n in notices_of(campaign) if not n.is_supplement), None)
    days = int(campaign.supplement_publicity_days or campaign.publicity_days or 5)
    notice = _notice(campaign, starts_on, days, main.contact if main else None, supplement=True)
    for nomination in nominations:
        nomination.publicity_id = notice.id
    db.session.flush()
    audit.record(
        actor,
        "campaign.publicity.supplement",
        "campaign",
        campaign.id,
        after=_notice_snapshot(notice, nominations),
    )
    changed()
    return notice


# ------------------------------------------------------------------ the public side


@dataclass(frozen=True)
class PublicNominee:
    """A nominee as a 公示 list prints them (DOMAIN §4 rule 27), nothing more."""

    name: str
    is_female: bool
    unit: str | None
    post: str | None
    skill_level: str | None
    title: str
    award: str
    is_alternate: bool
    nomination_id: int


@dataclass(frozen=True)
class PublicNotice:
    id: int
    is_supplement: bool
    starts_on: date
    ends_on: date
    hidden_after: date
    contact: str | None
    running: bool
    nominees: list[PublicNominee]


@dataclass(frozen=True)
class PublicCampaign:
    id: int
    name: str
    kind: str | None
    level: str
    level_label: str
    year: int
    status: str
    status_label: str
    host: str
    conferring_body: str
    start: date | None  # the main notice's period, while it is on the public site
    end: date | None


@dataclass(frozen=True)
class Publicity:
    """A campaign's public 公示 page: the notices shown today and whether objections are open."""

    campaign: PublicCampaign
    notices: list[PublicNotice]
    objections_open: bool

    @property
    def nominees(self) -> list[PublicNominee]:
        return [n for notice in self.notices for n in notice.nominees]


class Gone:
    """The campaign had a 公示 that has left the public site (410)."""


GONE = Gone()


def _is_female(nomination: Nomination) -> bool:
    person = nomination.person
    return bool(
        nomination.recipient_kind is RecipientKind.PERSON
        and person is not None
        and person.gender is Gender.FEMALE
    )


def public_nominee(campaign: Campaign, nomination: Nomination) -> PublicNominee:
    return PublicNominee(
        name=nomination.name,
        is_female=_is_female(nomination),
        unit=nomination.unit_name,
        post=nomination.post,
        skill_level=nomination.skill_level,
        title=award_title(campaign, nomination.award),
        award=nomination.award,
        is_alternate=nomination.status is NominationStatus.ALTERNATE,
        nomination_id=nomination.id,
    )


def published_nominees(campaign: Campaign, notice: PublicityNotice) -> list[Nomination]:
    """The nominees ``notice`` still lists (a removed nominee has left it), in list order."""
    rows = db.session.scalars(
        select(Nomination)
        .where(Nomination.publicity_id == notice.id, Nomination.status.in_(ON_LIST))
        .options(selectinload(Nomination.person))
    ).all()
    return _in_list_order(campaign, rows)


def _head(campaign: Campaign, day: date) -> PublicCampaign:
    main = next((n for n in notices_of(campaign) if not n.is_supplement), None)
    shown = main is not None and is_shown(main, day)
    return PublicCampaign(
        id=campaign.id,
        name=campaign.name,
        kind=campaign_kind(campaign),
        level=campaign.level.value,
        level_label=campaign.level.label,
        year=campaign.year,
        status=campaign.status.value,
        status_label=campaign.status.label,
        host=campaign.organization.name,
        conferring_body=campaign.conferring_body or campaign.organization.name,
        start=main.starts_on if shown and main else None,
        end=main.ends_on if shown and main else None,
    )


def public_campaigns(day: date | None = None) -> list[PublicCampaign]:
    """Campaigns in 公示 or conferred, newest year first (the API's list)."""
    day = day or today()
    rows = db.session.scalars(
        select(Campaign)
        .where(Campaign.status.in_(PUBLIC_STATUSES))
        .order_by(Campaign.year.desc(), Campaign.id.desc())
    ).all()
    return [_head(c, day) for c in rows]


def shown_campaigns(day: date | None = None) -> list[PublicCampaign]:
    """Campaigns with a 公示 notice on the public site today (the public index)."""
    day = day or today()
    shown = set(
        db.session.scalars(
            select(PublicityNotice.campaign_id).where(
                PublicityNotice.starts_on <= day, PublicityNotice.hidden_after >= day
            )
        )
    )
    return [c for c in public_campaigns(day) if c.id in shown]


def public_publicity(campaign_id: int, day: date | None = None) -> Publicity | Gone | None:
    """The public 公示 page of a campaign: None when it has none to show (unknown, never
    started, or not yet begun), GONE when every notice has left the public site."""
    day = day or today()
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.status not in PUBLIC_STATUSES:
        return None
    notices = notices_of(campaign)
    if not notices:
        return None
    shown = [n for n in notices if is_shown(n, day)]
    if not shown:
        if all(n.hidden_after < day for n in notices):
            return GONE
        return None  # announced, not yet begun
    views = [
        PublicNotice(
            id=n.id,
            is_supplement=n.is_supplement,
            starts_on=n.starts_on,
            ends_on=n.ends_on,
            hidden_after=n.hidden_after,
            contact=n.contact,
            running=is_running(n, day),
            nominees=[public_nominee(campaign, m) for m in published_nominees(campaign, n)],
        )
        for n in shown
    ]
    open_ = campaign.status is CampaignStatus.PUBLICITY and any(v.running for v in views)
    return Publicity(_head(campaign, day), views, open_)
