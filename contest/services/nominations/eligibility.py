"""Eligibility of a nomination, from our own honors table (DOMAIN rule 21) and the
recommender's declarations; waivers by the organizer; the nominating union's rating.

Checks (the campaign's rules, :func:`contest.services.nominations.campaigns.eligibility_rules`):

- ``prerequisite`` — the nominee holds an honor at the rule's level or higher (a 全国 nominee a
  省部级 one);
- ``craftsman_ladder`` — a 工匠 tier needs a 工匠 title of the tier just below it (or higher);
- ``no_repeat`` — the same title was not conferred on the nominee within the last N years:
  an honor of year Y blocks a campaign of year C when ``C − Y < N`` (N = 5: 2021 does not
  block 2026, 2022 does);
- ``declarations`` — every item of the negative list is answered (not waivable: the
  recommender must answer);
- ``negative_list`` — none of them happened in the last N years.

Only honors that count on the day are read (``contest.services.honors.validity.valid_on``,
the submission deadline's day): a revoked or lapsed honor neither qualifies nor blocks. A
failed check blocks submission unless the organizer waives it with a reason; the waiver is
kept in ``Nomination.waivers`` and audited.

Seed 000: honors go preferably to units whose union meets the standard. :func:`union_rating`
finds the valid rating (六好, 职工之家, 星级) of the nominee's union, or of the recommending
union, to show beside the nomination; it is information, never a check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, select

from contest.extensions import db
from contest.models import (
    Campaign,
    CampaignStatus,
    Honor,
    HonorLevel,
    HonorSource,
    Nomination,
    Organization,
    RecipientKind,
    User,
)
from contest.models.base import local_time, utcnow
from contest.services.core import audit
from contest.services.honors.validity import valid_on
from contest.services.nominations import awards as award_kinds
from contest.services.nominations.campaigns import CampaignError, eligibility_rules
from contest.validation import text_problem

__all__ = [
    "Check",
    "Rating",
    "blocking",
    "checks",
    "rating_text",
    "union_rating",
    "union_ratings",
    "waive",
]

REASON_MAX = 500
_LEVELS = list(HonorLevel)  # highest first


@dataclass(frozen=True)
class Check:
    """One eligibility check of a nomination."""

    key: str
    ok: bool
    message: str
    waivable: bool = True
    waived: bool = False
    waiver: dict[str, Any] | None = None

    @property
    def blocks(self) -> bool:
        return not self.ok and not self.waived


def check_day(campaign: Campaign) -> date:
    """The day honors are read on: the submission deadline's (China) day, else today."""
    moment = campaign.submission_deadline or utcnow()
    return local_time(moment).date()


def _held_by(nomination: Nomination) -> ColumnElement[bool] | None:
    """SQL: honors of the nominee — the person, or the unit (a team: the unit and its name)."""
    if nomination.recipient_kind is RecipientKind.PERSON:
        if nomination.person_id is None:
            return None
        return Honor.person_id == nomination.person_id
    if nomination.organization_id is None:
        return None
    condition = and_(
        Honor.organization_id == nomination.organization_id,
        Honor.recipient_kind == nomination.recipient_kind,
    )
    if nomination.recipient_kind is RecipientKind.TEAM:
        condition = and_(condition, Honor.recipient_name == nomination.name)
    return condition


def _honors(nomination: Nomination, day: date, *where: ColumnElement[bool]) -> list[Honor]:
    held = _held_by(nomination)
    if held is None:
        return []
    return list(
        db.session.scalars(
            select(Honor)
            .where(held, valid_on(day), *where)
            .order_by(Honor.level_rank, Honor.year.desc(), Honor.id)
            .limit(20)
        )
    )


def _named(honors: list[Honor]) -> str:
    return "、".join(f"{h.title}（{h.year}）" for h in honors[:3])


def _no_record(nomination: Nomination) -> str:
    if nomination.recipient_kind is RecipientKind.PERSON:
        return _("未关联职工档案，无法在荣誉库中核对")
    return _("未关联组织，无法在荣誉库中核对")


def _prerequisite(nomination: Nomination, level: HonorLevel, day: date) -> Check:
    if _held_by(nomination) is None:
        return Check("prerequisite", False, _no_record(nomination))
    found = _honors(nomination, day, Honor.level_rank <= level.rank)
    if found:
        return Check(
            "prerequisite",
            True,
            _("已获%(level)s及以上荣誉：%(honors)s", level=level.label, honors=_named(found)),
        )
    return Check(
        "prerequisite",
        False,
        _(
            "须已获%(level)s及以上荣誉，荣誉库中未找到有效记录",
            level=level.label,
        ),
    )


def _ladder(nomination: Nomination, tier: HonorLevel, day: date) -> Check | None:
    if tier is HonorLevel.ENTERPRISE:
        return None
    lower = _LEVELS[tier.rank + 1]
    tier_label = award_kinds.TIER_LABELS[tier]
    lower_label = award_kinds.TIER_LABELS[lower]
    if _held_by(nomination) is None:
        return Check("craftsman_ladder", False, _no_record(nomination))
    found = _honors(nomination, day, Honor.title.contains("工匠"), Honor.level_rank <= lower.rank)
    if found:
        return Check(
            "craftsman_ladder",
            True,
            _("已获%(lower)s或更高层级称号：%(honors)s", lower=lower_label, honors=_named(found)),
        )
    return Check(
        "craftsman_ladder",
        False,
        _(
            "申报%(tier)s须已获%(lower)s称号，荣誉库中未找到有效记录",
            tier=tier_label,
            lower=lower_label,
        ),
    )


def _no_repeat(nomination: Nomination, title: str, years: int, day: date) -> Check | None:
    if _held_by(nomination) is None:
        return None  # nothing to compare with; the prerequisite check says so when it applies
    since = nomination.campaign.year - years + 1
    found = _honors(nomination, day, Honor.title == title, Honor.year >= since)
    if found:
        return Check(
            "no_repeat",
            False,
            _(
                "%(year)d 年已获“%(title)s”，%(n)d 年内不重复授予",
                year=found[0].year,
                title=title,
                n=years,
            ),
        )
    return Check("no_repeat", True, _("近 %(n)d 年未获“%(title)s”", n=years, title=title))


def _declarations(nomination: Nomination, items: list[str], years: int) -> list[Check]:
    if not items:
        return []
    answers = nomination.declarations or {}
    missing = [item for item in items if item not in answers]
    found = []
    if missing:
        found.append(
            Check(
                "declarations",
                False,
                _("负面清单尚未声明：%(items)s", items="、".join(missing)),
                waivable=False,
            )
        )
    happened = [item for item in items if answers.get(item) is True]
    if happened:
        found.append(
            Check(
                "negative_list",
                False,
                _("近 %(n)d 年内有：%(items)s", n=years, items="、".join(happened)),
            )
        )
    elif not missing:
        found.append(Check("negative_list", True, _("近 %(n)d 年内无负面清单所列情形", n=years)))
    return found


def checks(nomination: Nomination) -> list[Check]:
    """Every eligibility check of ``nomination``, waived ones marked."""
    campaign = nomination.campaign
    rules = eligibility_rules(campaign)
    award = award_kinds.award_of(campaign, nomination.award)
    day = check_day(campaign)
    found: list[Check | None] = []
    if rules.prerequisite_level is not None:
        found.append(_prerequisite(nomination, rules.prerequisite_level, day))
    if award is not None and award.kind == "craftsman" and award.tier and rules.craftsman_ladder:
        found.append(_ladder(nomination, award.tier, day))
    if award is not None and rules.repeat_years > 0:
        found.append(_no_repeat(nomination, award.title, rules.repeat_years, day))
    found.extend(_declarations(nomination, rules.negative_list, rules.negative_years))
    waivers = {str(w.get("check")): w for w in nomination.waivers or [] if isinstance(w, dict)}
    result = []
    for item in found:
        if item is None:
            continue
        waiver = waivers.get(item.key)
        if waiver is not None and not item.ok and item.waivable:
            item = Check(item.key, False, item.message, True, True, waiver)
        result.append(item)
    return result


def blocking(nomination: Nomination) -> list[Check]:
    """The failed checks that are not waived: submission is refused while any remain."""
    return [c for c in checks(nomination) if c.blocks]


def waive(actor: User, nomination: Nomination, key: str, reason: str) -> Check:
    """Let a failed check pass for this nomination, with the organizer's reason (audited)."""
    campaign = nomination.campaign
    if not campaign.can_manage(actor):
        raise CampaignError(_("只有主办工会的组织者可以豁免资格条件"))
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.OPEN, CampaignStatus.REVIEW):
        raise CampaignError(_("评选已进入公示，不能再豁免资格条件"))
    reason = (reason or "").strip()
    if not reason:
        raise CampaignError(_("请填写豁免理由"), "reason")
    if len(reason) > REASON_MAX:
        raise CampaignError(_("豁免理由最长 %(n)d 个字", n=REASON_MAX), "reason")
    problem = text_problem(reason, multiline=True)
    if problem:
        raise CampaignError(problem, "reason")
    current = next((c for c in checks(nomination) if c.key == key), None)
    if current is None or current.ok:
        raise CampaignError(_("该项资格条件已满足，无需豁免"))
    if not current.waivable:
        raise CampaignError(_("该项不能豁免：须由推荐单位补充"))
    if current.waived:
        raise CampaignError(_("该项已豁免"))
    waiver = {
        "check": key,
        "reason": reason,
        "by": actor.id,
        "by_name": actor.name,
        "at": utcnow().isoformat(),
        "message": current.message,
    }
    before = list(nomination.waivers or [])
    nomination.waivers = [*before, waiver]
    db.session.flush()
    audit.record(
        actor,
        "nomination.waive",
        "nomination",
        nomination.id,
        before={"waivers": before},
        after={"waivers": nomination.waivers},
        reason=reason,
    )
    return Check(key, False, current.message, True, True, waiver)


# ------------------------------------------------------------------ the union's rating


@dataclass(frozen=True)
class Rating:
    """A union's valid rating honor (六好基层工会, 五星级职工之家 …)."""

    organization: Organization
    title: str
    valid_until: date | None
    is_nominee: bool  # the nominee's own union (else the recommending union)


def rating_text(rating: Rating) -> str:
    """单位工会：六好基层工会（有效期至 2027-03-31）."""
    if rating.valid_until is None:
        return _("单位工会：%(title)s", title=rating.title)
    return _(
        "单位工会：%(title)s（有效期至 %(day)s）",
        title=rating.title,
        day=rating.valid_until.isoformat(),
    )


def _rating_query(org_ids: list[int], day: date) -> Any:
    """Ratings are what the labor module confers on a union, for a limited time."""
    return (
        select(Honor)
        .where(
            Honor.organization_id.in_(org_ids),
            Honor.source == HonorSource.LABOR,
            Honor.recipient_kind != RecipientKind.PERSON,
            Honor.valid_until.is_not(None),
            valid_on(day),
        )
        .order_by(Honor.level_rank, Honor.valid_until.desc(), Honor.id)
    )


def union_ratings(org_ids: list[int], day: date | None = None) -> dict[int, Honor]:
    """The best valid rating of each of these unions (highest level, then the longest
    valid), for a list of units on one page."""
    if not org_ids:
        return {}
    found: dict[int, Honor] = {}
    for honor in db.session.scalars(_rating_query(sorted(set(org_ids)), day or check_day_today())):
        if honor.organization_id is not None:
            found.setdefault(honor.organization_id, honor)
    return found


def check_day_today() -> date:
    return local_time(utcnow()).date()


def union_rating(nomination: Nomination) -> Rating | None:
    """The nominee's union's valid rating, else the recommending union's, else None."""
    person_org = nomination.person.organization_id if nomination.person is not None else None
    nominee_org = nomination.organization_id or person_org
    candidates = [i for i in (nominee_org, nomination.unit_id) if i is not None]
    ratings = union_ratings(candidates, check_day(nomination.campaign))
    for org_id in candidates:
        honor = ratings.get(org_id)
        if honor is not None and honor.organization is not None:
            return Rating(honor.organization, honor.title, honor.valid_until, org_id == nominee_org)
    return None
