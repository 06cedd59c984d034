"""Slate composition rules (DOMAIN rule 19, 24b): declarative rows, checked live on each unit's
slate and on the whole, and a what-if for swapping a nominee for an alternate.

A rule says: the nominees of ``group`` are ≥ or ≤ ``value`` — a percent of the
``denominator`` (the whole slate, or a sub-group: 企业负责人 ≤ 20 % of the enterprise nominees,
全国劳模 2015), a head count, or the typed slots the quota allocated to the group
(``unit = "slots"``: 企业负责人 by allocated head count). A rule names one award or, with
``award`` None, every award of the campaign.

Percent rules are compared in whole numbers (``count × 100`` against ``value × base``), never
floats, so 7 of 20 is exactly 35 %. Shares are shown rounded to one decimal. A percent rule on
an empty base holds (nothing to count yet). On a unit's own slate, head-count minimums are left
out (they are about the whole slate) while maximums still bind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import load_only, selectinload

from contest.extensions import db
from contest.models import (
    Campaign,
    CampaignQuota,
    CampaignStatus,
    Nomination,
    NominationStatus,
    Organization,
    RecipientKind,
    SlateRule,
    User,
)
from contest.services.nominations import awards as award_kinds
from contest.services.nominations.campaigns import (
    CampaignError,
    ensure_status,
    record_campaign,
)
from contest.services.nominations.groups import GROUPS, categories_for, group_label, orgs_of

__all__ = [
    "OPS",
    "UNITS",
    "RuleData",
    "RuleResult",
    "add_rule",
    "apply_defaults",
    "categories_for",
    "check",
    "default_rules",
    "delete_rule",
    "rule_text",
    "rules_for",
    "rules_of",
    "slate_nominations",
    "update_rule",
    "what_if",
]

OPS = (">=", "<=")
UNITS = ("percent", "count", "slots")
ALL = "all"
RULES_MAX = 60
COUNT_MAX = 100_000
_HUNDRED = Decimal(100)
_TENTH = Decimal("0.1")

# The national 五一劳动奖章 rules (2022/2024) and the 2015 全国劳模 nested rule, per award kind:
# (group, op, value, unit, denominator).
_DEFAULTS: dict[str, list[tuple[str, str, int, str, str]]] = {
    "may_day_medal": [
        ("industrial", ">=", 35, "percent", ALL),
        ("frontline_technical", ">=", 20, "percent", ALL),
        ("science_education", ">=", 20, "percent", ALL),
        ("migrant", ">=", 10, "percent", ALL),
        ("non_public", ">=", 35, "percent", ALL),
        ("enterprise_head", "<=", 0, "slots", ALL),
    ],
    "may_day_award": [("non_public", ">=", 35, "percent", ALL)],
    "pioneer": [
        ("non_public", ">=", 35, "percent", ALL),
        ("work_team", ">=", 70, "percent", ALL),
    ],
    "model_worker": [("enterprise_head", "<=", 20, "percent", "enterprise")],
    "advanced_worker": [("enterprise_head", "<=", 20, "percent", "enterprise")],
}


def _plain(value: Decimal) -> str:
    """35, 12.5 — a rule's value as people write it."""
    text = format(value.normalize(), "f")
    return text


def _noun(campaign: Campaign, award: str | None) -> str:
    found = award_kinds.award_of(campaign, award) if award else None
    return _("人") if found is None or found.recipient is RecipientKind.PERSON else _("个")


def rule_text(rule: SlateRule, campaign: Campaign) -> str:
    """The rule in words: 农民工 ≥ 10%；企业负责人 ≤ 企业的 20%；企业负责人 ≤ 分配名额."""
    group = group_label(rule.group)
    sign = "≥" if rule.op == ">=" else "≤"
    if rule.unit == "slots":
        return _("%(group)s %(sign)s 分配的专项名额", group=group, sign=sign)
    if rule.unit == "count":
        return _(
            "%(group)s %(sign)s %(n)s %(noun)s",
            group=group,
            sign=sign,
            n=_plain(rule.value),
            noun=_noun(campaign, rule.award),
        )
    if rule.denominator != ALL:
        return _(
            "%(group)s %(sign)s %(base)s的 %(v)s%%",
            group=group,
            sign=sign,
            base=group_label(rule.denominator),
            v=_plain(rule.value),
        )
    return _("%(group)s %(sign)s %(v)s%%", group=group, sign=sign, v=_plain(rule.value))


# ------------------------------------------------------------------ the rows


def rules_of(campaign: Campaign) -> list[SlateRule]:
    return list(
        db.session.scalars(
            select(SlateRule)
            .where(SlateRule.campaign_id == campaign.id)
            .order_by(SlateRule.position, SlateRule.id)
        )
    )


def rules_for(campaign: Campaign, award: str) -> list[SlateRule]:
    """The rules that bind ``award``: its own and the campaign-wide ones."""
    return [r for r in rules_of(campaign) if r.award in (None, award)]


@dataclass
class RuleData:
    group: str
    op: str
    value: Decimal
    unit: str = "percent"
    denominator: str = ALL
    award: str | None = None


def _checked(campaign: Campaign, data: RuleData) -> RuleData:
    if data.award is not None and award_kinds.award_of(campaign, data.award) is None:
        raise CampaignError(_("没有这个奖项"), "award")
    if data.group not in GROUPS:
        raise CampaignError(_("请选择人员类别"), "group")
    if data.op not in OPS:
        raise CampaignError(_("请选择「不少于」或「不超过」"), "op")
    if data.unit not in UNITS:
        raise CampaignError(_("请选择比例、人数或分配名额"), "unit")
    if data.denominator != ALL and data.denominator not in GROUPS:
        raise CampaignError(_("请选择计算比例的范围"), "denominator")
    if data.denominator == data.group:
        raise CampaignError(_("计算比例的范围不能是该类别本身"), "denominator")
    if data.unit != "percent":
        data.denominator = ALL
    if data.unit == "slots":
        data.value = Decimal(0)
    elif data.unit == "percent":
        if not Decimal(0) <= data.value <= _HUNDRED:
            raise CampaignError(_("比例应在 0 到 100 之间"), "value")
        if data.value != data.value.quantize(Decimal("0.01")):
            raise CampaignError(_("比例最多保留两位小数"), "value")
    elif data.value != data.value.to_integral_value() or not 0 <= data.value <= COUNT_MAX:
        raise CampaignError(_("人数应为 0 到 %(n)d 的整数", n=COUNT_MAX), "value")
    return data


def _ensure_editable(campaign: Campaign) -> None:
    ensure_status(
        campaign,
        (CampaignStatus.DRAFT, CampaignStatus.OPEN, CampaignStatus.REVIEW),
        _("评选已进入公示，不能再修改结构要求"),
    )


def _snapshot(rule: SlateRule) -> dict[str, Any]:
    return {
        "award": rule.award,
        "group": rule.group,
        "op": rule.op,
        "value": str(rule.value),
        "unit": rule.unit,
        "denominator": rule.denominator,
    }


def _apply(rule: SlateRule, data: RuleData) -> None:
    rule.award = data.award
    rule.group = data.group
    rule.op = data.op
    rule.value = data.value
    rule.unit = data.unit
    rule.denominator = data.denominator


def add_rule(actor: User, campaign: Campaign, data: RuleData) -> SlateRule:
    _ensure_editable(campaign)
    data = _checked(campaign, data)
    count = db.session.scalar(
        select(func.count(SlateRule.id)).where(SlateRule.campaign_id == campaign.id)
    )
    if int(count or 0) >= RULES_MAX:
        raise CampaignError(_("结构要求最多 %(n)d 条", n=RULES_MAX))
    position = max((r.position for r in rules_of(campaign)), default=-1) + 1
    rule = SlateRule(campaign_id=campaign.id, position=position)
    _apply(rule, data)
    db.session.add(rule)
    db.session.flush()
    record_campaign(actor, "campaign.slate.create", campaign, after=_snapshot(rule))
    return rule


def update_rule(actor: User, campaign: Campaign, rule: SlateRule, data: RuleData) -> None:
    _ensure_editable(campaign)
    data = _checked(campaign, data)
    before = _snapshot(rule)
    _apply(rule, data)
    db.session.flush()
    record_campaign(actor, "campaign.slate.update", campaign, before=before, after=_snapshot(rule))


def delete_rule(actor: User, campaign: Campaign, rule: SlateRule) -> None:
    _ensure_editable(campaign)
    before = _snapshot(rule)
    db.session.delete(rule)
    db.session.flush()
    record_campaign(actor, "campaign.slate.delete", campaign, before=before)


def default_rules(campaign: Campaign) -> list[RuleData]:
    """The national rules for each award the campaign has (per its kind)."""
    found = []
    for award in award_kinds.awards_of(campaign):
        for group, op, value, unit, denominator in _DEFAULTS.get(award.kind, []):
            found.append(RuleData(group, op, Decimal(value), unit, denominator, award.key))
    return found


def apply_defaults(actor: User, campaign: Campaign) -> int:
    """Add the default rules the campaign does not have yet (same award, group, direction and
    denominator); returns how many were added."""
    _ensure_editable(campaign)
    existing = {(r.award, r.group, r.op, r.denominator) for r in rules_of(campaign)}
    position = max((r.position for r in rules_of(campaign)), default=-1) + 1
    added = []
    for data in default_rules(campaign):
        if (data.award, data.group, data.op, data.denominator) in existing:
            continue
        rule = SlateRule(campaign_id=campaign.id, position=position)
        _apply(rule, data)
        db.session.add(rule)
        added.append(rule)
        position += 1
    if len(existing) + len(added) > RULES_MAX:
        raise CampaignError(_("结构要求最多 %(n)d 条", n=RULES_MAX))
    db.session.flush()
    if added:
        record_campaign(
            actor,
            "campaign.slate.defaults",
            campaign,
            after={"rules": [_snapshot(r) for r in added]},
        )
    return len(added)


# ------------------------------------------------------------------ checking


@dataclass(frozen=True)
class RuleResult:
    """One rule on one slate: how many count, of which base, the share (percent rules with a
    base), whether it holds, and the sentence that says so."""

    rule: SlateRule
    count: int
    base: int
    share: Decimal | None
    ok: bool
    message: str
    limit: Decimal


def _share(count: int, base: int) -> Decimal | None:
    if base == 0:
        return None
    return (Decimal(count) * _HUNDRED / Decimal(base)).quantize(_TENTH, rounding=ROUND_HALF_UP)


def _holds(op: str, left: Decimal, right: Decimal) -> bool:
    return left >= right if op == ">=" else left <= right


def _slots_of(campaign: Campaign, award: str, unit: Organization | None) -> dict[str, int]:
    """The typed slots the rule compares with: the unit's own (less what it handed down), or
    the host's total for the whole slate."""
    org_id = unit.id if unit is not None else campaign.organization_id
    row = db.session.scalar(
        select(CampaignQuota).where(
            CampaignQuota.campaign_id == campaign.id,
            CampaignQuota.award == award,
            CampaignQuota.organization_id == org_id,
        )
    )
    if row is None:
        return {}
    if unit is None:
        return dict(row.slots or {})
    own = dict(row.slots or {})
    children = db.session.scalars(
        select(CampaignQuota).where(CampaignQuota.parent_id == row.id)
    ).all()
    for child in children:
        for group, places in (child.slots or {}).items():
            own[group] = own.get(group, 0) - int(places)
    return own


def _evaluate(
    campaign: Campaign,
    rule: SlateRule,
    groups: Sequence[set[str]],
    slots: dict[str, int],
    noun: str,
) -> RuleResult:
    # The rule's fields read once, not per nominee (a slate of 3,000 × 9 rules).
    denominator, group = rule.denominator, rule.group
    in_base = [g for g in groups if denominator == ALL or denominator in g]
    base = len(in_base)
    count = sum(1 for g in in_base if group in g)
    label = group_label(rule.group)
    wants = _("应不少于") if rule.op == ">=" else _("应不超过")
    meets = _("不少于") if rule.op == ">=" else _("不超过")
    if rule.unit == "percent":
        share = _share(count, base)
        ok = base == 0 or _holds(rule.op, Decimal(count) * _HUNDRED, rule.value * base)
        value = _plain(rule.value)
        if base == 0:
            scope = _("推荐对象") if rule.denominator == ALL else group_label(rule.denominator)
            message = _("%(scope)s暂无，%(group)s比例不适用", scope=scope, group=label)
        elif rule.denominator == ALL:
            message = _(
                "%(group)s %(count)d %(noun)s，占 %(share)s%%，%(verb)s %(value)s%%",
                group=label,
                count=count,
                noun=noun,
                share=share,
                verb=meets if ok else wants,
                value=value,
            )
        else:
            message = _(
                "%(group)s %(count)d %(noun)s，占%(base_label)s %(base)d %(noun)s的 "
                "%(share)s%%，%(verb)s %(value)s%%",
                group=label,
                count=count,
                noun=noun,
                base_label=group_label(rule.denominator),
                base=base,
                share=share,
                verb=meets if ok else wants,
                value=value,
            )
        return RuleResult(rule, count, base, share, ok, message, rule.value)
    limit = Decimal(slots.get(rule.group, 0)) if rule.unit == "slots" else rule.value
    ok = _holds(rule.op, Decimal(count), limit)
    if rule.unit == "slots":
        message = _(
            "%(group)s %(count)d %(noun)s，%(verb)s分配的 %(n)d 个专项名额",
            group=label,
            count=count,
            noun=noun,
            verb=meets if ok else wants,
            n=int(limit),
        )
    else:
        message = _(
            "%(group)s %(count)d %(noun)s，%(verb)s %(n)s %(noun)s",
            group=label,
            count=count,
            noun=noun,
            verb=meets if ok else wants,
            n=_plain(limit),
        )
    return RuleResult(rule, count, base, None, ok, message, limit)


def check(
    campaign: Campaign,
    award: str,
    nominations: Iterable[Nomination],
    *,
    unit: Organization | None = None,
    rules: Sequence[SlateRule] | None = None,
) -> list[RuleResult]:
    """Each rule binding ``award`` on ``nominations`` (those of ``award``; with ``unit``, of
    that unit only, against its own slots, head-count minimums left out)."""
    slate = [n for n in nominations if n.award == award]
    if unit is not None:
        slate = [n for n in slate if n.unit_id == unit.id]
    orgs = orgs_of(slate)
    groups = [categories_for(n, orgs) for n in slate]
    chosen = rules if rules is not None else rules_for(campaign, award)
    chosen = [r for r in chosen if r.award in (None, award)]
    if unit is not None:
        chosen = [r for r in chosen if not (r.unit == "count" and r.op == ">=")]
    slots = _slots_of(campaign, award, unit) if any(r.unit == "slots" for r in chosen) else {}
    noun = _noun(campaign, award)
    return [_evaluate(campaign, rule, groups, slots, noun) for rule in chosen]


def slate_nominations(campaign: Campaign, statuses: Iterable[NominationStatus]) -> list[Nomination]:
    """The campaign's nominations in ``statuses``, loaded for checking and listing a slate: the
    columns :func:`check` and ``categories_for`` read, the name, the person and the
    recommending unit — not the 事迹, the 推荐表, the declarations or the waivers. At national
    scale (3,000 nominations, bench/nomination_bench.py) reading and decoding those took more
    of the 结构要求 page's time than checking every rule on every award."""
    return list(
        db.session.scalars(
            select(Nomination)
            .where(Nomination.campaign_id == campaign.id, Nomination.status.in_(list(statuses)))
            .options(
                load_only(
                    Nomination.campaign_id,
                    Nomination.award,
                    Nomination.unit_id,
                    Nomination.recipient_kind,
                    Nomination.person_id,
                    Nomination.organization_id,
                    Nomination.name,
                    Nomination.categories,
                    Nomination.status,
                    Nomination.rank,
                ),
                selectinload(Nomination.person),
                selectinload(Nomination.unit),
            )
            .order_by(Nomination.id)
        )
    )


def _as_list(value: Nomination | Iterable[Nomination] | None) -> list[Nomination]:
    if value is None:
        return []
    if isinstance(value, Nomination):
        return [value]
    return list(value)


def what_if(
    campaign: Campaign,
    award: str,
    nominations: Iterable[Nomination],
    out: Nomination | Iterable[Nomination] | None,
    in_: Nomination | Iterable[Nomination] | None,
    *,
    unit: Organization | None = None,
) -> list[RuleResult]:
    """The rules on the slate with ``out`` taken off and ``in_`` put on (a nominee swapped for
    an alternate, 递补), before anything is changed."""
    leaving = {id(n) for n in _as_list(out)} | {n.id for n in _as_list(out) if n.id}
    slate = [n for n in nominations if id(n) not in leaving and n.id not in leaving]
    present = {n.id for n in slate if n.id}
    slate += [n for n in _as_list(in_) if not n.id or n.id not in present]
    return check(campaign, award, slate, unit=unit)
