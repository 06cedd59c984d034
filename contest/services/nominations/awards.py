"""The awards a campaign confers: their kinds, recipients, 工匠 tiers and default titles.

A campaign confers one or more awards (DOMAIN rule 18), kept in ``Campaign.awards`` as a JSON
list: ``[{"key": "medal", "kind": "may_day_medal", "title": "江州市五一劳动奖章",
"recipient": "person", "tier": null}, …]``. ``key`` is what quotas, slate rules and nominations
name the award by (at most 20 characters, fixed once made); ``tier`` is a 工匠 award's tier,
an :class:`~contest.models.HonorLevel` value (大国工匠 = national … 企业级 = enterprise).

Nothing here writes: :mod:`contest.services.nominations.campaigns` adds, edits and removes
awards through :func:`make_award`, which refuses what the kinds do not allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from contest.models import Campaign, HonorLevel, Organization, OrgKind, RecipientKind

__all__ = [
    "KINDS",
    "RECIPIENT_LABELS",
    "TIER_LABELS",
    "Award",
    "AwardKind",
    "award_of",
    "awards_of",
    "default_title",
    "make_award",
    "place_name",
]

TITLE_MAX = 100  # Honor.title
KEY_MAX = 20  # CampaignQuota.award, SlateRule.award, Nomination.award


@dataclass(frozen=True)
class AwardKind:
    """A kind of award: its stored name, the key its awards get, what it is called, whom it
    is conferred on (None: the organizer says, for a custom award)."""

    value: str
    key: str
    label: LazyString
    recipient: RecipientKind | None


KINDS: dict[str, AwardKind] = {
    kind.value: kind
    for kind in (
        AwardKind("model_worker", "model", _l("劳动模范"), RecipientKind.PERSON),
        AwardKind("advanced_worker", "advanced", _l("先进工作者"), RecipientKind.PERSON),
        AwardKind("may_day_award", "award", _l("五一劳动奖状"), RecipientKind.UNIT),
        AwardKind("may_day_medal", "medal", _l("五一劳动奖章"), RecipientKind.PERSON),
        AwardKind("pioneer", "pioneer", _l("工人先锋号"), RecipientKind.TEAM),
        AwardKind("craftsman", "craftsman", _l("工匠"), RecipientKind.PERSON),
        AwardKind("model_home", "home", _l("模范职工之家"), RecipientKind.UNIT),
        AwardKind("custom", "custom", _l("其他称号"), None),
    )
}

# Stored title text is always Chinese (like every honor's title), whatever the page language.
_TITLE_WORDS = {
    "model_worker": "劳动模范",
    "advanced_worker": "先进工作者",
    "may_day_award": "五一劳动奖状",
    "may_day_medal": "五一劳动奖章",
    "pioneer": "工人先锋号",
    "model_home": "模范职工之家",
}

RECIPIENT_LABELS: dict[RecipientKind, LazyString] = {
    RecipientKind.PERSON: _l("个人"),
    RecipientKind.UNIT: _l("单位"),
    RecipientKind.TEAM: _l("集体（班组）"),
}

TIER_LABELS: dict[HonorLevel, LazyString] = {
    HonorLevel.NATIONAL: _l("大国工匠"),
    HonorLevel.PROVINCIAL: _l("省级工匠"),
    HonorLevel.CITY: _l("市级工匠"),
    HonorLevel.DISTRICT: _l("区县级工匠"),
    HonorLevel.ENTERPRISE: _l("企业级工匠"),
}

_UNION_SUFFIXES = ("总工会", "工会")


@dataclass(frozen=True)
class Award:
    """One award of a campaign, as read from ``Campaign.awards``."""

    key: str
    kind: str
    title: str
    recipient: RecipientKind
    tier: HonorLevel | None = None

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind].label) if self.kind in KINDS else self.kind

    @property
    def recipient_label(self) -> str:
        return str(RECIPIENT_LABELS[self.recipient])

    @property
    def tier_label(self) -> str:
        return str(TIER_LABELS[self.tier]) if self.tier is not None else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "title": self.title,
            "recipient": self.recipient.value,
            "tier": self.tier.value if self.tier is not None else None,
        }


def _from_json(raw: dict[str, Any]) -> Award | None:
    try:
        tier = HonorLevel(raw["tier"]) if raw.get("tier") else None
        return Award(
            key=str(raw["key"]),
            kind=str(raw["kind"]),
            title=str(raw["title"]),
            recipient=RecipientKind(raw["recipient"]),
            tier=tier,
        )
    except (KeyError, ValueError, TypeError):
        return None  # a hand-edited row the page cannot show: left out, never a 500


def awards_of(campaign: Campaign) -> list[Award]:
    """The campaign's awards in the organizer's order."""
    found = (_from_json(raw) for raw in campaign.awards or [] if isinstance(raw, dict))
    return [award for award in found if award is not None]


def award_of(campaign: Campaign, key: str) -> Award | None:
    return next((a for a in awards_of(campaign) if a.key == key), None)


def place_name(org: Organization) -> str:
    """Where a union is, as a title begins: 江州市总工会 → 江州市, 中华全国总工会 → 全国."""
    if org.kind is OrgKind.NATIONAL:
        return "全国"
    name = (org.short_name or org.name).strip()
    for suffix in _UNION_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def default_title(
    org: Organization, kind: str, tier: HonorLevel | None = None, custom: str = ""
) -> str:
    """The title an award of ``kind`` hosted by ``org`` usually has: 江州市五一劳动奖章,
    全国劳动模范, 江州工匠 (a 工匠 title drops the 市 or 省), 大国工匠."""
    place = place_name(org)
    if kind == "craftsman":
        if tier is HonorLevel.NATIONAL:
            return "大国工匠"
        short = place[:-1] if len(place) > 2 and place.endswith(("市", "省")) else place
        return f"{short}工匠"
    if kind in _TITLE_WORDS:
        return f"{place}{_TITLE_WORDS[kind]}"
    return custom.strip()


class AwardProblem(ValueError):
    """Why an award cannot be made as asked; ``field`` names the form field."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def make_award(
    campaign: Campaign,
    kind: str,
    *,
    title: str = "",
    recipient: RecipientKind | None = None,
    tier: HonorLevel | None = None,
    key: str | None = None,
) -> Award:
    """An award of ``kind`` for ``campaign``: the kind's recipient (a custom award's is the
    one given), a 工匠 award's tier (default the campaign's level; never above it, as the
    campaign itself is never above its host's tier), the title (default from the host and the
    kind) and a key unique in the campaign (``key`` keeps an existing award's). Raises
    :class:`AwardProblem`; the caller checks the title's words and length."""
    spec = KINDS.get(kind)
    if spec is None:
        raise AwardProblem(_("请选择奖项类型"), "kind")
    if spec.recipient is not None:
        recipient = spec.recipient
    elif recipient is None:
        raise AwardProblem(_("请选择授予对象（个人、单位或集体）"), "recipient")
    if kind == "craftsman":
        tier = tier or campaign.level
        if tier.rank < campaign.level.rank:
            raise AwardProblem(
                _(
                    "工匠层级不能高于评选级别（%(level)s）",
                    level=campaign.level.label,
                ),
                "tier",
            )
    else:
        tier = None
    title = title.strip() or default_title(campaign.organization, kind, tier)
    if not title:
        raise AwardProblem(_("请填写称号名称"), "title")
    if key is None:
        taken = {a.key for a in awards_of(campaign)}
        key = spec.key
        number = 2
        while key in taken:
            key = f"{spec.key}{number}"
            number += 1
    return Award(key=key[:KEY_MAX], kind=kind, title=title, recipient=recipient, tier=tier)
