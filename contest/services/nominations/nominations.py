"""The recommending unit's side of a campaign (推荐单位, DOMAIN §3 rules 20–24).

A union with a share of a campaign's quota (a ``CampaignQuota`` row of its own, handed down by
the host or by a union above it — :func:`quotas.unit_of`) nominates people, units or teams for
the campaign's awards. Its recommenders, and the organizers of that union, act for it; nobody
else sees its drafts. A nomination is started as a draft (a person matched by 身份证号 in the
people table, or created there with the number encrypted; a unit or a team of the union's own
tree), filled in (the 推荐表, 岗位/职务, 技能等级/职称, the groups the slate rules count, 事迹 of
at most 500 and 2000 characters, consents, the unit's own steps, the negative-list
declarations) and submitted. A submission is refused, with every reason at once, unless it is
before the deadline, within the unit's headroom (quota × 差额) and typed slots, complete, with
the 公示 consent, a 单位公示 of at least five working days already over, and no failed
eligibility check left unwaived. The slate rules are not a refusal: the unit sees them as
warnings on its slate.

The review chain may return a nomination (:func:`return_`): the unit corrects it and submits it
again, while the campaign is still open or in review (the deadline is for first submissions).
A nomination is withdrawn with a reason. Every write is audited; the 事迹 themselves are not
copied into the trail (their lengths are), and the 身份证号 never is.

Characters are counted as people count them (:func:`count_characters`): a Chinese character,
a letter or an emoji is one, whatever its encoding takes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import (
    Campaign,
    CampaignQuota,
    CampaignStatus,
    Nomination,
    NominationAttachment,
    NominationStatus,
    Organization,
    Person,
    RecipientKind,
    ReviewStage,
    Role,
    StageDecision,
    User,
)
from contest.models.base import local_text, local_time, utcnow
from contest.services.core import audit
from contest.services.core.people import PersonData, PersonError, create_person, find_by_id_number
from contest.services.nominations import calendar, campaigns, eligibility, groups, quotas, review
from contest.services.nominations.awards import Award, award_of, awards_of
from contest.validation import normalise_id_number, text_problem

__all__ = [
    "COUNTED",
    "DEEDS_FULL_MAX",
    "DEEDS_SHORT_MAX",
    "EDITABLE",
    "UNIT_PUBLICITY_WORKDAYS",
    "AwardLine",
    "NominationData",
    "NominationError",
    "NomineeData",
    "StageLine",
    "UnitCampaign",
    "accepts_new",
    "acting_units",
    "campaigns_for",
    "change_refusal",
    "count_characters",
    "may_edit",
    "may_view",
    "may_withdraw",
    "progress",
    "recommends_anything",
    "return_",
    "save",
    "slate_of",
    "start",
    "submit",
    "submit_problems",
    "unit_campaign",
    "visible_to",
    "withdraw",
]

DEEDS_SHORT_MAX = campaigns.DEEDS_SHORT_MAX  # the defaults; a campaign may set its own
DEEDS_FULL_MAX = campaigns.DEEDS_FULL_MAX
UNIT_PUBLICITY_WORKDAYS = 5  # 单位公示: at least five working days (DOMAIN rule 24)
REASON_MAX = 500
NAME_MAX = 60  # Person.name
TEAM_MAX = 200  # Nomination.name
UNIT_NAME_MAX = 200
POST_MAX = 100
SKILL_MAX = 60
FORM_FIELD_MAX = 500  # one answer of the 推荐表

# What a unit may still change; what counts on its slate (and against its quota).
EDITABLE = frozenset({NominationStatus.DRAFT, NominationStatus.RETURNED})
COUNTED = frozenset(campaigns.ACTIVE_STATUSES)
WITHDRAWABLE = frozenset(
    {NominationStatus.DRAFT, NominationStatus.SUBMITTED, NominationStatus.RETURNED}
)


class NominationError(ValueError):
    """A refused write: ``message`` in Chinese, ``field`` the form field if one, and every
    problem when there are several (a submission lists all that blocks it)."""

    def __init__(
        self, message: str, field: str | None = None, problems: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = list(problems)


# ---------------------------------------------------------------- counting characters

_ZWJ = "\u200d"


def _joins_previous(char: str) -> bool:
    """Marks that belong to the character before them: combining accents, variation selectors,
    skin tones, emoji tags and the zero-width joiner."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char == _ZWJ
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    )


def _pictographic(char: str) -> bool:
    code = ord(char)
    return code >= 0x1F000 or 0x2600 <= code <= 0x27BF or 0x2B00 <= code <= 0x2BFF


def count_characters(text: str | None) -> int:
    """How many characters a person sees in ``text`` (what 500 字 means): a Chinese character,
    a letter, a punctuation mark or an emoji is one — also an emoji made of several code points
    (👍🏽, 👨‍👩‍👧, a flag), which a browser's ``maxlength`` or ``len`` would count as two to
    eight. A line break is one. The live counter of the form counts the same way."""
    count = 0
    after_joiner = False
    open_flag = False
    for char in (text or "").replace("\r\n", "\n"):
        if count and _joins_previous(char):
            after_joiner = char == _ZWJ
            continue
        if count and after_joiner and _pictographic(char):
            after_joiner = False
            continue
        after_joiner = False
        if 0x1F1E6 <= ord(char) <= 0x1F1FF:  # regional indicators pair into one flag
            if open_flag:
                open_flag = False
                continue
            open_flag = True
        else:
            open_flag = False
        count += 1
    return count


def _long_text(value: str | None, field: str, label: str, limit: int) -> str | None:
    """A 事迹 or a long 推荐表 answer as stored: line breaks as ``\\n``, trimmed, at most
    ``limit`` characters as :func:`count_characters` counts them."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return None
    problem = text_problem(text, multiline=True)
    if problem:
        raise NominationError(_("%(label)s：%(problem)s", label=label, problem=problem), field)
    used = count_characters(text)
    if used > limit:
        raise NominationError(
            _(
                "%(label)s最多 %(max)d 字，现有 %(n)d 字",
                label=label,
                max=limit,
                n=used,
            ),
            field,
        )
    return text


def _short_text(value: str | None, field: str, label: str, limit: int) -> str | None:
    text = " ".join((value or "").split())
    if not text:
        return None
    problem = text_problem(text)
    if problem:
        raise NominationError(_("%(label)s：%(problem)s", label=label, problem=problem), field)
    if count_characters(text) > limit:
        raise NominationError(_("%(label)s最长 %(n)d 个字", label=label, n=limit), field)
    return text


# ---------------------------------------------------------------- who acts for which unit


def acting_units(user: User | Any, campaign: Campaign) -> set[int]:
    """The organisations ``user`` nominates for in ``campaign`` (those of their quota rows)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.role not in (Role.RECOMMENDER, Role.ORGANIZER):
        return set()
    return {row.organization_id for row in quotas.unit_of(user, campaign)}


def may_edit(user: User | Any, nomination: Nomination) -> bool:
    """Whether ``user`` acts for the nomination's recommending unit (its recommenders and the
    organizers of that union): they see, change, submit and withdraw it."""
    return nomination.unit_id in acting_units(user, nomination.campaign)


def may_view(user: User | Any, nomination: Nomination) -> bool:
    """The recommending unit's people always; once submitted, whoever may read it on the
    review side (the campaign's organizers, the members of a stage it entered who do not
    stand aside for it). A draft is the unit's own."""
    if may_edit(user, nomination):
        return True
    if nomination.status is NominationStatus.DRAFT:
        return False
    return review.may_read(user, nomination)


def visible_to(user: User | Any, campaign: Campaign) -> Select[tuple[Nomination]]:
    """The campaign's nominations ``user`` may list, by id: the unit's own for those who act
    for a unit, every submitted one (any status but a draft) for its organizers. Reviewers list
    theirs by stage (``review.rows``)."""
    query = select(Nomination).where(Nomination.campaign_id == campaign.id)
    units = acting_units(user, campaign)
    mine = Nomination.unit_id.in_(sorted(units)) if units else None
    if campaign.can_manage(user):
        others = Nomination.status != NominationStatus.DRAFT
        query = query.where(or_(others, mine) if mine is not None else others)
    elif mine is not None:
        query = query.where(mine)
    else:
        query = query.where(Nomination.id.is_(None))
    return query.order_by(Nomination.id)


def recommends_anything(user: User | Any) -> bool:
    """For the menu: recommenders always; an organizer while their union holds a share of a
    campaign that is past its 筹备 (cheap: one indexed query)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role is Role.RECOMMENDER:
        return True
    if user.role is not Role.ORGANIZER or user.organization_id is None:
        return False
    found = db.session.scalar(
        select(CampaignQuota.id)
        .join(Campaign, Campaign.id == CampaignQuota.campaign_id)
        .where(
            CampaignQuota.organization_id == user.organization_id,
            CampaignQuota.parent_id.is_not(None),
            Campaign.status != CampaignStatus.DRAFT,
        )
        .limit(1)
    )
    return found is not None


# ---------------------------------------------------------------- the unit's campaigns


@dataclass
class AwardLine:
    """One award as a unit sees it: its share, the live headroom, its nominations."""

    award: Award
    quota: CampaignQuota
    room: quotas.Headroom
    nominations: list[Nomination] = field(default_factory=list)

    @property
    def unit(self) -> Organization:
        return self.quota.organization


@dataclass
class UnitCampaign:
    """A campaign open to a unit, with a line per award it holds a share of."""

    campaign: Campaign
    lines: list[AwardLine]
    accepting: bool  # new nominations may still be submitted (open, before the deadline)

    @property
    def deadline_text(self) -> str:
        deadline = self.campaign.submission_deadline
        return local_text(deadline) if deadline is not None else ""


def accepts_new(campaign: Campaign) -> bool:
    """Whether first submissions are taken: the campaign is 推荐中 and its deadline not past."""
    return campaigns.accepting(campaign)


def _unit_campaign(user: User | Any, campaign: Campaign) -> UnitCampaign | None:
    rows = quotas.unit_of(user, campaign)
    if not rows:
        return None
    units = {row.organization_id for row in rows}
    mine = db.session.scalars(
        select(Nomination)
        .where(Nomination.campaign_id == campaign.id, Nomination.unit_id.in_(sorted(units)))
        .options(selectinload(Nomination.person))
        .order_by(Nomination.id)
    ).all()
    order = {award.key: i for i, award in enumerate(awards_of(campaign))}
    lines = []
    for row in sorted(rows, key=lambda r: (order.get(r.award, len(order)), r.id)):
        award = award_of(campaign, row.award)
        if award is None:
            continue
        line = AwardLine(award, row, quotas.headroom(campaign, row.award, row.organization))
        line.nominations = [
            n for n in mine if n.award == row.award and n.unit_id == row.organization_id
        ]
        lines.append(line)
    return UnitCampaign(campaign, lines, accepts_new(campaign))


def campaigns_for(user: User | Any) -> list[UnitCampaign]:
    """The campaigns past 筹备 in which ``user``'s union holds a share, those taking
    nominations first, then the newest."""
    if not getattr(user, "is_authenticated", False) or user.organization_id is None:
        return []
    campaigns = db.session.scalars(
        select(Campaign)
        .where(Campaign.status != CampaignStatus.DRAFT)
        .order_by(Campaign.year.desc(), Campaign.id.desc())
    ).all()
    found = [view for c in campaigns if (view := _unit_campaign(user, c)) is not None]
    return sorted(found, key=lambda view: not view.accepting)


def unit_campaign(user: User | Any, campaign: Campaign) -> UnitCampaign | None:
    """The campaign as ``user``'s union sees it, or None when it holds no share of it."""
    if campaign.status is CampaignStatus.DRAFT:
        return None
    return _unit_campaign(user, campaign)


def slate_of(campaign: Campaign, award: str, unit_id: int) -> list[Nomination]:
    """A unit's slate for an award: its nominations in the running (submitted and after)."""
    return list(
        db.session.scalars(
            select(Nomination)
            .where(
                Nomination.campaign_id == campaign.id,
                Nomination.award == award,
                Nomination.unit_id == unit_id,
                Nomination.status.in_(sorted(COUNTED, key=lambda s: s.value)),
            )
            .options(selectinload(Nomination.person))
            .order_by(Nomination.id)
        )
    )


# ---------------------------------------------------------------- starting a nomination


@dataclass
class NomineeData:
    """Whom a new nomination names: a person (name and 身份证号, and the organisation they
    work in), a unit (an organisation), or a team (its name, in an organisation)."""

    name: str = ""
    id_number: str = ""
    organization_id: int | None = None
    team_name: str = ""


def snapshot(nomination: Nomination) -> dict[str, Any]:
    """The audited view of a nomination: never the 身份证号, the 事迹 by their lengths."""
    return {
        "name": nomination.name,
        "award": nomination.award,
        "status": nomination.status.value,
        "unit_id": nomination.unit_id,
        "person_id": nomination.person_id,
        "organization_id": nomination.organization_id,
        "unit_name": nomination.unit_name,
        "post": nomination.post,
        "skill_level": nomination.skill_level,
        "categories": sorted(nomination.categories or []),
        "deeds_short_chars": count_characters(nomination.deeds_short),
        "deeds_full_chars": count_characters(nomination.deeds_full),
        "form": dict(nomination.form or {}),
        "consent_publicity": nomination.consent_publicity,
        "consent_photo": nomination.consent_photo,
        "consent_deeds": nomination.consent_deeds,
        "democratic_on": _iso(nomination.democratic_on),
        "unit_publicity_start": _iso(nomination.unit_publicity_start),
        "unit_publicity_end": _iso(nomination.unit_publicity_end),
        "declarations": dict(nomination.declarations or {}),
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _require_union(actor: User, campaign: Campaign, unit_id: int) -> None:
    if unit_id not in acting_units(actor, campaign):
        raise NominationError(_("您不能代表该单位推荐"))


def _ensure_draftable(campaign: Campaign) -> None:
    if campaign.status is not CampaignStatus.OPEN:
        raise NominationError(_("本次评选不在推荐阶段，不能新增推荐"))
    if campaigns.past_deadline(campaign):
        raise NominationError(_("推荐已截止，不能新增推荐"))


def _org_in_unit(unit: Organization, org_id: int | None, label: str) -> Organization:
    """An organisation of the unit's own tree (the unit itself or below it), still open."""
    if org_id is None:
        raise NominationError(_("请选择%(label)s", label=label), "organization_id")
    org = db.session.get(Organization, org_id)
    if org is None or not unit.contains(org) or org.is_closed:
        raise NominationError(_("%(label)s应是本单位或下级的组织", label=label), "organization_id")
    return org


def _already_nominated(campaign: Campaign, person: Person) -> bool:
    found = db.session.scalar(
        select(Nomination.id)
        .where(
            Nomination.campaign_id == campaign.id,
            Nomination.person_id == person.id,
            Nomination.status.not_in([NominationStatus.WITHDRAWN, NominationStatus.REJECTED]),
        )
        .limit(1)
    )
    return found is not None


def _person_for(actor: User, campaign: Campaign, data: NomineeData, org: Organization) -> Person:
    """The person a 身份证号 names in the people table, or a new one with it (encrypted)."""
    name = _short_text(data.name, "name", _("姓名"), NAME_MAX)
    if not name:
        raise NominationError(_("请填写姓名"), "name")
    if not (data.id_number or "").strip():
        raise NominationError(_("请填写身份证号"), "id_number")
    try:
        number = normalise_id_number(data.id_number)
    except ValueError as error:
        raise NominationError(str(error), "id_number") from None
    person = find_by_id_number(number)
    if person is None:
        try:
            return create_person(actor, PersonData(name=name, organization=org, id_number=number))
        except PersonError as error:
            raise NominationError(str(error), error.field) from None
    if "".join(person.name.split()) != "".join(name.split()):
        raise NominationError(
            _("该身份证号已登记，但姓名与登记的不一致，请核对姓名和身份证号"), "name"
        )
    if _already_nominated(campaign, person):
        raise NominationError(_("该职工已列入本次评选的推荐，不能重复推荐"), "id_number")
    return person


def start(
    actor: User, campaign: Campaign, award_key: str, unit_id: int, data: NomineeData
) -> Nomination:
    """A new draft nomination of ``unit_id`` for the award, naming the nominee; its public
    fields start from the person's record (岗位, 技能等级) and its organisation."""
    _ensure_draftable(campaign)
    _require_union(actor, campaign, unit_id)
    award = award_of(campaign, award_key)
    if award is None or not any(
        row.award == award_key and row.organization_id == unit_id
        for row in quotas.unit_of(actor, campaign)
    ):
        raise NominationError(_("本单位没有该奖项的推荐名额"), "award")
    unit = db.session.get(Organization, unit_id)
    assert unit is not None  # a quota row's organisation
    nomination = Nomination(
        campaign_id=campaign.id,
        award=award.key,
        unit_id=unit.id,
        recipient_kind=award.recipient,
        status=NominationStatus.DRAFT,
        categories=[],
        form={},
        declarations={},
        waivers=[],
        created_by_id=actor.id,
    )
    if award.recipient is RecipientKind.PERSON:
        org = _org_in_unit(unit, data.organization_id, _("所在单位"))
        person = _person_for(actor, campaign, data, org)
        nomination.person_id = person.id
        nomination.person = person
        nomination.organization_id = org.id
        nomination.name = person.name
        nomination.post = person.post
        nomination.skill_level = person.skill_level
        nomination.unit_name = org.employer or org.name
    elif award.recipient is RecipientKind.UNIT:
        org = _org_in_unit(unit, data.organization_id, _("推荐的单位"))
        nomination.organization_id = org.id
        nomination.name = org.employer or org.name
        nomination.unit_name = nomination.name
    else:
        org = _org_in_unit(unit, data.organization_id, _("班组所在单位"))
        team = _short_text(data.team_name, "team_name", _("集体（班组）名称"), TEAM_MAX)
        if not team:
            raise NominationError(_("请填写集体（班组）名称"), "team_name")
        nomination.organization_id = org.id
        nomination.name = team
        nomination.unit_name = org.employer or org.name
    nomination.consent_publicity = award.recipient is not RecipientKind.PERSON
    db.session.add(nomination)
    db.session.flush()
    audit.record(
        actor, "nomination.create", "nomination", nomination.id, after=snapshot(nomination)
    )
    return nomination


# ---------------------------------------------------------------- filling it in


@dataclass
class NominationData:
    """What the 推荐表 page posts."""

    unit_name: str | None = None
    post: str | None = None
    skill_level: str | None = None
    categories: Sequence[str] = ()
    deeds_short: str | None = None
    deeds_full: str | None = None
    form: Mapping[str, str | None] = field(default_factory=dict)
    consent_publicity: bool = False
    consent_photo: bool = False
    consent_deeds: bool = False
    democratic_on: date | None = None
    unit_publicity_start: date | None = None
    unit_publicity_end: date | None = None
    declarations: Mapping[str, bool | None] = field(default_factory=dict)


def change_refusal(nomination: Nomination) -> str | None:
    """Why the unit cannot change the nomination now (None: it can): a draft while the
    campaign is 推荐中, a returned one while it is still open or in review."""
    if nomination.status not in EDITABLE:
        return _("这份推荐%(status)s，不能再修改", status=nomination.status.label)
    campaign = nomination.campaign
    if nomination.status is NominationStatus.RETURNED:
        if campaign.status not in (CampaignStatus.OPEN, CampaignStatus.REVIEW):
            return _("本次评选已结束评审，不能再修改")
    elif campaign.status is not CampaignStatus.OPEN:
        return _("本次评选不在推荐阶段，不能再修改")
    return None


def _ensure_editable(actor: User, nomination: Nomination) -> None:
    if not may_edit(actor, nomination):
        raise NominationError(_("您不能修改这份推荐"))
    refusal = change_refusal(nomination)
    if refusal:
        raise NominationError(refusal)


def may_withdraw(user: User | Any, nomination: Nomination) -> bool:
    """The unit may withdraw a draft, a submitted or a returned nomination until the review
    has ended."""
    return (
        may_edit(user, nomination)
        and nomination.status in WITHDRAWABLE
        and nomination.campaign.status in (CampaignStatus.OPEN, CampaignStatus.REVIEW)
    )


def unit_publicity_problem(start: date | None, end: date | None) -> str | None:
    """Why a 单位公示 period is not acceptable (end before start, fewer than five working
    days, a year the calendar lacks — its own message), or None."""
    if start is None or end is None:
        return None
    if end < start:
        return _("单位公示的结束日期早于开始日期")
    try:
        days = calendar.workdays_between(start, end)
    except calendar.CalendarMissing as error:
        return str(error)
    if days < UNIT_PUBLICITY_WORKDAYS:
        return _(
            "单位公示应不少于 %(min)d 个工作日，%(start)s 至 %(end)s 只有 %(n)d 个工作日",
            min=UNIT_PUBLICITY_WORKDAYS,
            start=start.isoformat(),
            end=end.isoformat(),
            n=days,
        )
    return None


def _dates_problem(data: NominationData) -> tuple[str, str] | None:
    if (
        data.democratic_on is not None
        and data.unit_publicity_start is not None
        and data.unit_publicity_start < data.democratic_on
    ):
        return "unit_publicity_start", _("单位公示应在民主推荐之后")
    problem = unit_publicity_problem(data.unit_publicity_start, data.unit_publicity_end)
    return ("unit_publicity_end", problem) if problem else None


def _clean_form(nomination: Nomination, raw: Mapping[str, str | None]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for spec in campaigns.form_fields(nomination.campaign, nomination.recipient_kind):
        text = _short_text(raw.get(spec.key), f"f_{spec.key}", spec.label, FORM_FIELD_MAX)
        if text:
            cleaned[spec.key] = text
    return cleaned


def _clean_declarations(campaign: Campaign, raw: Mapping[str, bool | None]) -> dict[str, bool]:
    """The negative list's answers by item (True: it happened); unanswered items left out."""
    items = set(campaigns.negative_items(campaign))
    return {key: bool(value) for key, value in raw.items() if key in items and value is not None}


def save(actor: User, nomination: Nomination, data: NominationData) -> Nomination:
    """Store the 推荐表 as a draft (or as the correction of a returned nomination). Every value
    is checked before anything changes; required answers are checked at submission."""
    _ensure_editable(actor, nomination)
    campaign = nomination.campaign
    is_person = nomination.recipient_kind is RecipientKind.PERSON
    unit_name = _short_text(data.unit_name, "unit_name", _("工作单位"), UNIT_NAME_MAX)
    post = _short_text(data.post, "post", _("岗位/职务"), POST_MAX)
    skill = _short_text(data.skill_level, "skill_level", _("技能等级/职称"), SKILL_MAX)
    short_max, full_max = campaigns.deeds_limits(campaign)
    short = _long_text(data.deeds_short, "deeds_short", _("事迹简介"), short_max)
    full = _long_text(data.deeds_full, "deeds_full", _("主要事迹"), full_max)
    form = _clean_form(nomination, data.form)
    unknown = [c for c in data.categories if c not in groups.DECLARABLE]
    if unknown:
        raise NominationError(_("人员类别有误，请重新选择"), "categories")
    problem = _dates_problem(data)
    if problem:
        raise NominationError(problem[1], problem[0])
    declarations = _clean_declarations(campaign, data.declarations)
    before = snapshot(nomination)
    nomination.unit_name = unit_name
    nomination.post = post
    nomination.skill_level = skill
    nomination.categories = sorted(set(data.categories))
    nomination.deeds_short = short
    nomination.deeds_full = full
    nomination.form = form
    if is_person:
        nomination.consent_publicity = data.consent_publicity
        nomination.consent_photo = data.consent_photo
        nomination.consent_deeds = data.consent_deeds
    nomination.democratic_on = data.democratic_on
    nomination.unit_publicity_start = data.unit_publicity_start
    nomination.unit_publicity_end = data.unit_publicity_end
    nomination.declarations = declarations
    db.session.flush()
    after = snapshot(nomination)
    if after != before:
        audit.record(
            actor, "nomination.update", "nomination", nomination.id, before=before, after=after
        )
    return nomination


# ---------------------------------------------------------------- submitting


def _room_problems(nomination: Nomination) -> list[str]:
    """Whether one more nominee of this one's groups fits the unit's headroom: places under
    差额 and alternates, and the places typed slots keep for their groups."""
    room = quotas.headroom(nomination.campaign, nomination.award, nomination.unit)
    refusal = room.refusal(groups.categories_for(nomination))
    return [refusal] if refusal else []


def _material_problems(nomination: Nomination) -> list[str]:
    campaign = nomination.campaign
    problems = []
    if nomination.recipient_kind is RecipientKind.PERSON and not nomination.post:
        problems.append(_("请填写岗位/职务"))
    if not nomination.deeds_short:
        problems.append(_("请填写事迹简介"))
    if not nomination.deeds_full:
        problems.append(_("请填写主要事迹"))
    for spec in campaigns.form_fields(campaign, nomination.recipient_kind):
        if spec.required and not (nomination.form or {}).get(spec.key):
            problems.append(_("请填写推荐表的“%(label)s”", label=spec.label))
    present = set(
        db.session.scalars(
            select(NominationAttachment.slot).where(
                NominationAttachment.nomination_id == nomination.id
            )
        )
    )
    for slot in campaigns.attachment_slots(campaign):
        if slot.required and slot.key not in present:
            problems.append(_("请上传“%(label)s”", label=slot.name))
    return problems


def _consent_problems(nomination: Nomination) -> list[str]:
    if nomination.recipient_kind is RecipientKind.PERSON and not nomination.consent_publicity:
        return [_("须有被推荐人同意公示其姓名、单位、岗位等信息的授权")]
    return []


def _step_problems(nomination: Nomination, today: date) -> list[str]:
    problems = []
    if nomination.democratic_on is None:
        problems.append(_("请填写民主推荐（职代会）日期"))
    if nomination.unit_publicity_start is None or nomination.unit_publicity_end is None:
        problems.append(_("请填写单位公示的起止日期"))
        return problems
    problem = unit_publicity_problem(nomination.unit_publicity_start, nomination.unit_publicity_end)
    if problem:
        problems.append(problem)
    elif nomination.unit_publicity_end >= today:
        problems.append(_("单位公示结束后才能报送"))
    return problems


def _timing_problems(nomination: Nomination) -> list[str]:
    campaign = nomination.campaign
    if nomination.status is NominationStatus.RETURNED:
        if campaign.status not in (CampaignStatus.OPEN, CampaignStatus.REVIEW):
            return [_("本次评选已结束评审，不能再报送")]
        return []
    if campaign.status is not CampaignStatus.OPEN:
        return [_("本次评选不在推荐阶段")]
    if campaigns.past_deadline(campaign):
        deadline = campaign.submission_deadline
        assert deadline is not None
        return [_("推荐已于 %(time)s 截止", time=local_text(deadline))]
    return []


def submit_problems(nomination: Nomination) -> list[str]:
    """Every reason the nomination cannot be submitted now (empty: it can)."""
    if nomination.status not in EDITABLE:
        return [_("这份推荐%(status)s，不能报送", status=nomination.status.label)]
    today = local_time(utcnow()).date()
    problems = _timing_problems(nomination)
    problems += _room_problems(nomination)
    problems += _material_problems(nomination)
    problems += _consent_problems(nomination)
    problems += _step_problems(nomination, today)
    problems += [check.message for check in eligibility.blocking(nomination)]
    return problems


def _lock_share(nomination: Nomination) -> None:
    """Take the write lock on the unit's quota row before counting its headroom, so two
    submissions at once cannot both take the last place (PostgreSQL locks the row; SQLite
    takes its one write lock)."""
    db.session.execute(
        update(CampaignQuota)
        .where(
            CampaignQuota.campaign_id == nomination.campaign_id,
            CampaignQuota.award == nomination.award,
            CampaignQuota.organization_id == nomination.unit_id,
        )
        .values(quota=CampaignQuota.quota)
    )


def submit(actor: User, nomination: Nomination) -> Nomination:
    """Submit (报送) the nomination, or submit a returned one again; NominationError listing
    every reason when it cannot be."""
    if not may_edit(actor, nomination):
        raise NominationError(_("您不能报送这份推荐"))
    _lock_share(nomination)
    problems = submit_problems(nomination)
    if problems:
        raise NominationError(_("这份推荐还不能报送"), problems=problems)
    before = snapshot(nomination)
    again = nomination.status is NominationStatus.RETURNED
    nomination.status = NominationStatus.SUBMITTED
    nomination.status_reason = None
    nomination.submitted_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "nomination.resubmit" if again else "nomination.submit",
        "nomination",
        nomination.id,
        before={"status": before["status"]},
        after=snapshot(nomination),
    )
    return nomination


def _reason(reason: str | None, label: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise NominationError(_("请填写%(label)s", label=label), "reason")
    problem = text_problem(text)
    if problem:
        raise NominationError(problem, "reason")
    if count_characters(text) > REASON_MAX:
        raise NominationError(_("%(label)s最长 %(n)d 个字", label=label, n=REASON_MAX), "reason")
    return text


def withdraw(actor: User, nomination: Nomination, reason: str | None) -> Nomination:
    """Withdraw (撤回) the nomination with a reason; its place is free again."""
    if not may_edit(actor, nomination):
        raise NominationError(_("您不能撤回这份推荐"))
    if nomination.status not in WITHDRAWABLE:
        raise NominationError(_("这份推荐%(status)s，不能撤回", status=nomination.status.label))
    if nomination.campaign.status not in (CampaignStatus.OPEN, CampaignStatus.REVIEW):
        raise NominationError(_("评审已结束，不能再撤回；如有问题请联系组织者"))
    text = _reason(reason, _("撤回原因"))
    before = nomination.status.value
    nomination.status = NominationStatus.WITHDRAWN
    nomination.status_reason = text
    db.session.flush()
    audit.record(
        actor,
        "nomination.withdraw",
        "nomination",
        nomination.id,
        before={"status": before},
        after={"status": nomination.status.value},
        reason=text,
    )
    return nomination


def return_(actor: User, nomination: Nomination, reason: str | None) -> Nomination:
    """Return (退回修改) a submitted nomination to its unit with the reason, for the review
    chain (the stage's decision is the reviewer's own record; this is the nomination's side).
    The unit corrects it and submits it again; meanwhile it holds no place."""
    if nomination.status is not NominationStatus.SUBMITTED:
        raise NominationError(_("这份推荐%(status)s，不能退回", status=nomination.status.label))
    text = _reason(reason, _("退回原因"))
    nomination.status = NominationStatus.RETURNED
    nomination.status_reason = text
    db.session.flush()
    audit.record(
        actor,
        "nomination.return",
        "nomination",
        nomination.id,
        before={"status": NominationStatus.SUBMITTED.value},
        after={"status": nomination.status.value},
        reason=text,
    )
    return nomination


# ---------------------------------------------------------------- following it


@dataclass(frozen=True)
class StageLine:
    """A stage of the review chain as the unit follows it: whether it has begun, and the
    stage's outcome for this nomination with its reason."""

    stage: ReviewStage
    decision: StageDecision | None


def progress(nomination: Nomination) -> list[StageLine]:
    """The campaign's review stages in order, each with its decision on the nomination."""
    stages = db.session.scalars(
        select(ReviewStage)
        .where(ReviewStage.campaign_id == nomination.campaign_id)
        .order_by(ReviewStage.position, ReviewStage.id)
    ).all()
    decisions = {
        d.stage_id: d
        for d in db.session.scalars(
            select(StageDecision).where(StageDecision.nomination_id == nomination.id)
        )
    }
    return [StageLine(stage, decisions.get(stage.id)) for stage in stages]


def nominations_of(ids: Iterable[int]) -> list[Nomination]:
    """Nominations by id, persons loaded (for a slate's what-if)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(
        db.session.scalars(
            select(Nomination)
            .where(Nomination.id.in_(wanted))
            .options(selectinload(Nomination.person))
        )
    )
