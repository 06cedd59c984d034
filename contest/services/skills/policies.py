"""An event's ranking policy: plain JSON on ``Event.policy``, turned into ``scoring`` objects.

The JSON is what organizers edit and what the audit trail records; ``scoring.RankingPolicy``
is what ranks.  Every key is optional and falls back to :data:`DEFAULT_POLICY`, so an event
created before the organizer opened the policy form still ranks sensibly (DOMAIN §1.7).
Validation goes through ``scoring`` itself, so an impossible rule is refused with the same
message the ranking would raise, in Chinese, naming the field.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, Literal

from flask_babel import gettext as _
from sqlalchemy import select

import scoring
from contest.extensions import db
from contest.models.contest import Entry, Event
from contest.models.honor import HonorLevel
from contest.services.core import audit, authority

DEFAULT_POLICY: dict[str, Any] = {
    "method": "mean",
    "trim": 0,
    "normalize": "none",
    "precision": 2,
    "tie_breaks": ["component:practical", "time"],
    "awards": [
        {"name": "一等奖", "share": 0.1},
        {"name": "二等奖", "share": 0.2},
        {"name": "三等奖", "share": 0.3},
    ],
    "award_rounding": "floor",
    "edge_ties": "include",
    "titles": [],
    "min_field": 0,
    "max_spread": 1,
    "recheck_top": 10,
    "recheck_share": 0.15,
    "recheck_error_limit": 0.05,
    "scale": None,
    "team_total": None,
}

POLICY_KEYS = frozenset(DEFAULT_POLICY)

# The linked titles DOMAIN §1.11 suggests, offered by the policy form to an event whose titles
# were never set: the champion is put forward for the 五一劳动奖章 (a recommendation, conferred
# later by its own nomination, never on the wall from here), the top 5 are 技术能手.
SUGGESTED_TITLES: list[dict[str, Any]] = [
    {"name": "五一劳动奖章", "best": 1, "worst": 1, "recommend": True},
    {"name": "技术能手", "best": 1, "worst": 5},
]
# 优胜奖 for the rest of the top half (DOMAIN §1.10): the band the policy form adds after the
# numbered prizes when asked.
MERIT_BAND: dict[str, Any] = {"name": "优胜奖", "upto": 0.5}
# The standardised scale (DOMAIN §1.13) the policy form switches on: median 700, 100 per SD.
STANDARD_SCALE: dict[str, Any] = {"centre": 700, "width": 100}

# Rule 12 (DOMAIN §1): a provincial event needs at least 30 competitors.  A national final is
# held to at least the provincial number; below provincial level no minimum is set.
MIN_FIELD_BY_LEVEL: dict[HonorLevel, int] = {HonorLevel.NATIONAL: 30, HonorLevel.PROVINCIAL: 30}
# The organizer's answer when the field was short at registration close ("cancel" or
# "no_awards", ``contest.services.skills.turnout``): kept beside the policy keys, never edited
# through the policy form.
FIELD_DECISION = "short_field"
# How a team event's teams are scored (DOMAIN §1.9): None, the team as one entry (its captain's
# entry, one sheet per judge); "sum" or "mean", each member on their own entry and sheets and
# the team ranked by the sum or the mean of its competing members' totals.
TEAM_TOTALS = (None, "sum", "mean")


class PolicyInvalid(ValueError):
    """The policy JSON cannot be used; ``field`` names the offending key (for forms)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class RecheckSettings:
    """How many top entries are always re-checked, the random share of the rest, and the error
    rate above which the whole event is re-checked (DOMAIN §1.7)."""

    top: int = 10
    share: float = 0.15
    error_limit: float = 0.05


def merged(raw: dict[str, Any] | None) -> dict[str, Any]:
    """The policy with every missing key filled from the default (a deep copy: safe to edit)."""
    policy = copy.deepcopy(DEFAULT_POLICY)
    for key, value in (raw or {}).items():
        if key in POLICY_KEYS:
            policy[key] = copy.deepcopy(value)
    return policy


def _int(data: dict[str, Any], key: str, label: str, minimum: int = 0) -> int:
    value = data.get(key)
    if isinstance(value, bool):
        raise PolicyInvalid(_("%(label)s必须是整数", label=label), key)
    try:
        number = int(value)  # type: ignore[arg-type]
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
    except (TypeError, ValueError):
        raise PolicyInvalid(_("%(label)s必须是整数", label=label), key) from None
    if number < minimum:
        raise PolicyInvalid(_("%(label)s不能小于 %(min)s", label=label, min=minimum), key)
    return number


def _float(data: dict[str, Any], key: str, label: str) -> float | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise PolicyInvalid(_("%(label)s必须是数字", label=label), key)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PolicyInvalid(_("%(label)s必须是数字", label=label), key) from None
    if not math.isfinite(number):
        raise PolicyInvalid(_("%(label)s必须是数字", label=label), key)
    return number


def _awards(raw: Any) -> tuple[scoring.AwardBand, ...]:
    if not isinstance(raw, list):
        raise PolicyInvalid(_("奖项设置格式错误"), "awards")
    bands = []
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise PolicyInvalid(_("第 %(n)s 个奖项格式错误", n=position), "awards")
        name = str(item.get("name") or "").strip()
        share = _float(item, "share", _("奖项比例"))
        has_count = item.get("count") not in (None, "")
        count = _int(item, "count", _("奖项名额")) if has_count else None
        min_total = _float(item, "min_total", _("奖项最低分"))
        upto = _float(item, "upto", _("优胜奖覆盖比例"))
        try:
            bands.append(
                scoring.AwardBand(name, share=share, count=count, min_total=min_total, upto=upto)
            )
        except scoring.PolicyError as exc:
            raise PolicyInvalid(str(exc), "awards") from None
    kinds = {
        ("share" if b.share is not None else "count")
        for b in bands
        if b.min_total is None and b.upto is None
    }
    if len(kinds) > 1:
        raise PolicyInvalid(_("奖项须统一按比例或统一按名额设置，不能混用"), "awards")
    total_share = sum(b.share or 0 for b in bands)
    if total_share > 1 + 1e-9:
        raise PolicyInvalid(
            _("各奖项比例之和为 %(total)s%%，不能超过 100%%", total=round(total_share * 100, 2)),
            "awards",
        )
    return tuple(bands)


def _titles(raw: Any) -> tuple[scoring.Title, ...]:
    if not isinstance(raw, list):
        raise PolicyInvalid(_("称号设置格式错误"), "titles")
    titles = []
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise PolicyInvalid(_("第 %(n)s 个称号格式错误", n=position), "titles")
        best = _int(item, "best", _("称号最高名次"), minimum=1)
        worst = _int(item, "worst", _("称号最低名次"), minimum=1)
        recommend = item.get("recommend", False)
        if not isinstance(recommend, bool):
            raise PolicyInvalid(_("第 %(n)s 个称号格式错误", n=position), "titles")
        try:
            titles.append(
                scoring.Title(str(item.get("name") or "").strip(), best, worst, recommend)
            )
        except scoring.PolicyError as exc:
            raise PolicyInvalid(str(exc), "titles") from None
    return tuple(titles)


def _tie_breaks(raw: Any) -> tuple[scoring.TieBreak, ...]:
    if not isinstance(raw, list):
        raise PolicyInvalid(_("并列规则格式错误"), "tie_breaks")
    links = []
    for item in raw:
        try:
            links.append(scoring.TieBreak.parse(str(item)))
        except scoring.PolicyError as exc:
            raise PolicyInvalid(str(exc), "tie_breaks") from None
    return tuple(links)


def _scale(raw: Any) -> scoring.StandardScale | None:
    if raw in (None, "", {}):
        return None
    if not isinstance(raw, dict):
        raise PolicyInvalid(_("标准分设置格式错误"), "scale")
    centre = _float(raw, "centre", _("标准分中心"))
    width = _float(raw, "width", _("标准分宽度"))
    try:
        return scoring.StandardScale(
            centre=700.0 if centre is None else centre, width=100.0 if width is None else width
        )
    except scoring.PolicyError as exc:
        raise PolicyInvalid(str(exc), "scale") from None


def build_policy(raw: dict[str, Any] | None) -> scoring.RankingPolicy:
    """The ``scoring.RankingPolicy`` for a policy dict; raises :class:`PolicyInvalid`."""
    if raw is not None and not isinstance(raw, dict):
        raise PolicyInvalid(_("排名规则格式错误"))
    data = merged(raw)
    # In dependency order: a rule that involves two fields (trim needs method "trimmed") is
    # blamed on the later one by _field_at_fault.
    fields: dict[str, Any] = {
        "method": str(data["method"]),
        "trim": _int(data, "trim", _("去掉最高/最低分个数")),
        "normalize": str(data["normalize"]),
        "precision": _int(data, "precision", _("保留小数位数")),
        "tie_breaks": _tie_breaks(data["tie_breaks"]),
        "awards": _awards(data["awards"]),
        "award_rounding": str(data["award_rounding"]),
        "edge_ties": str(data["edge_ties"]),
        "titles": _titles(data["titles"]),
        "min_field": _int(data, "min_field", _("最低参赛人数")),
        "scale": _scale(data["scale"]),
        "max_spread": _float(data, "max_spread", _("允许的评分差")),
    }
    try:
        return scoring.RankingPolicy(**fields)
    except scoring.PolicyError as exc:
        raise PolicyInvalid(str(exc), _field_at_fault(fields)) from None


def _field_at_fault(fields: dict[str, Any]) -> str | None:
    """The field ``scoring`` refuses: the first one whose addition makes the policy invalid.

    ``scoring.RankingPolicy`` checks the policy as a whole and says which rule broke only in
    words; rebuilding it one field at a time (the rest left at scoring's defaults) finds the
    field to mark on the form without reading the message.
    """
    partial: dict[str, Any] = {}
    for key, value in fields.items():
        partial[key] = value
        try:
            scoring.RankingPolicy(**partial)
        except scoring.PolicyError:
            return key
    return None


def validate(raw: dict[str, Any], event: Event | None = None) -> dict[str, Any]:
    """Check a policy dict completely and return it merged with the defaults.

    Beyond what ``scoring`` checks on its own: tie-breaks must name a component or an aspect the
    event has (when ``event`` is given), the re-check settings must be sensible, and the title
    ranks must not be beyond reach of the award scheme's rules.  Raises :class:`PolicyInvalid`.
    """
    data = merged(raw)
    policy = build_policy(data)
    if event is not None:
        components = {c.key for c in event.components}
        aspects = {a.key for c in event.components for cr in c.criteria for a in cr.aspects}
        for link in policy.tie_breaks:
            if link.kind == "component" and link.key not in components:
                raise PolicyInvalid(
                    _("并列规则引用了不存在的模块：%(key)s", key=link.key), "tie_breaks"
                )
            if link.kind == "criterion" and link.key not in aspects:
                raise PolicyInvalid(
                    _("并列规则引用了不存在的评分要素：%(key)s", key=link.key), "tie_breaks"
                )
        # Titles become honors conferred by the host union (DOMAIN.md rule 29); a recommendation
        # confers nothing, so a city contest may put its champion forward for 全国五一劳动奖章.
        host = event.contest.organization
        for title in policy.titles:
            if title.recommend:
                continue
            problem = authority.reserved_word_problem(title.name, host)
            if problem:
                raise PolicyInvalid(problem, "titles")
    _check_team_total(data, event)
    recheck_settings_of(data)
    return data


def _check_team_total(data: dict[str, Any], event: Event | None) -> None:
    if data["team_total"] not in TEAM_TOTALS:
        raise PolicyInvalid(_("团体成绩的计算方式无效"), "team_total")
    if data["team_total"] and event is not None and not event.is_team:
        raise PolicyInvalid(_("个人项目没有团体成绩"), "team_total")


def team_total_of(event: Event) -> Literal["sum", "mean"] | None:
    """Sum or mean when the event's teams are scored member by member, else None (an
    individual event, or a team scored as one)."""
    value = merged(event.policy or {})["team_total"]
    if not event.is_team:
        return None
    return "sum" if value == "sum" else "mean" if value == "mean" else None


def recheck_settings_of(data: dict[str, Any]) -> RecheckSettings:
    top = _int(data, "recheck_top", _("复核前几名"))
    share = _float(data, "recheck_share", _("复核抽样比例"))
    limit = _float(data, "recheck_error_limit", _("复核差错率上限"))
    share = 0.15 if share is None else share
    limit = 0.05 if limit is None else limit
    if not 0 <= share <= 1:
        raise PolicyInvalid(_("复核抽样比例须在 0 与 1 之间"), "recheck_share")
    if not 0 <= limit <= 1:
        raise PolicyInvalid(_("复核差错率上限须在 0 与 1 之间"), "recheck_error_limit")
    return RecheckSettings(top=top, share=share, error_limit=limit)


def event_policy(event: Event) -> dict[str, Any]:
    """The event's policy merged with the defaults; ``min_field`` follows the contest level
    until the organizer sets it."""
    data = merged(event.policy or {})
    if "min_field" not in (event.policy or {}):
        data["min_field"] = MIN_FIELD_BY_LEVEL.get(event.contest.level, 0)
    return data


def min_field_of(event: Event) -> int:
    return _int(event_policy(event), "min_field", _("最低参赛人数"))


def field_decision(event: Event) -> str | None:
    """The short-field answer: "cancel", "no_awards" or None (see :data:`FIELD_DECISION`)."""
    value = (event.policy or {}).get(FIELD_DECISION)
    return value if isinstance(value, str) else None


def set_field_decision(event: Event, value: str | None) -> None:
    """Record (or clear) the short-field answer; the caller audits it."""
    policy = {k: v for k, v in (event.policy or {}).items() if k != FIELD_DECISION}
    if value is not None:
        policy[FIELD_DECISION] = value
    event.policy = policy


def policy_for(event: Event) -> scoring.RankingPolicy:
    """The ranking policy of an event (defaults for keys the organizer has not set); an event
    ranked without awards after a short field gets no award bands and no titles."""
    data = event_policy(event)
    if field_decision(event) == "no_awards":
        data["awards"], data["titles"] = [], []
    return build_policy(data)


def recheck_settings(event: Event) -> RecheckSettings:
    """Re-check rules of an event: top N always, a share of the rest, the error limit."""
    return recheck_settings_of(merged(event.policy or {}))


def max_spread(event: Event) -> float | None:
    """Allowed spread between judges' marks on one aspect (None: no flags)."""
    data = merged(event.policy or {})
    return _float(data, "max_spread", _("允许的评分差"))


def ensure_policy_editable(event: Event) -> None:
    """The policy is frozen once the chief judge has signed the event off or results are out."""
    if event.contest.is_published:
        raise PolicyInvalid(_("成绩已公布，排名规则不能再修改"))
    if event.is_signed_off:
        raise PolicyInvalid(_("裁判长已签字确认，排名规则不能再修改"))


def _has_entries(event: Event) -> bool:
    return (
        db.session.scalar(select(Entry.id).where(Entry.event_id == event.id).limit(1)) is not None
    )


def save_policy(actor: Any, event: Event, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate and store an event's ranking policy (audited, before and after)."""
    ensure_policy_editable(event)
    data = validate(raw, event)
    before = merged(event.policy or {})
    if data["team_total"] != before["team_total"] and _has_entries(event):
        # Member-scored teams are registered one entry per member, a team scored as one as one
        # entry: the entries already made would not fit the other way.
        raise PolicyInvalid(
            _("赛项已有报名，团体成绩的计算方式不能再改（整队评分与成员各自评分的报名方式不同）"),
            "team_total",
        )
    decision = field_decision(event)
    event.policy = data
    set_field_decision(event, decision)
    db.session.flush()
    audit.record(actor, "event.policy", "event", event.id, before=before, after=data)
    return data
