"""Setting up a nomination campaign (评选表彰): the campaign itself, its awards, the materials a
nomination needs, the eligibility rules, and its status up to the review (筹备中 → 推荐中 →
评审中; 公示 and 表彰 belong to :mod:`publicity` and :mod:`conferral`).

Every write takes the acting user, validates, is audited against the campaign, and flushes;
the view commits once. A host union runs a campaign at most at its own tier and never names it
"全国…" unless it is the national federation (DOMAIN rule 29, :mod:`contest.services.core.
authority`); the same holds for each award's title.

JSON shapes kept on the campaign (the recommender's pages read them through the functions
below, never the raw JSON):

``Campaign.materials``::

    {"form_fields": {"person": [{"key": "出生年月", "label": "出生年月", "required": true}, …],
                     "unit": […], "team": […]},          # the 推荐表, per recipient kind
     "deeds_short_max": 500, "deeds_full_max": 2000,     # 事迹, counted in characters
     "attachments": [{"key": "推荐审批表", "name": "推荐审批表", "required": true}, …],
     "consultations": {"enterprise_head": ["市场监管", "税务", …], "official": [...]}}

``Campaign.eligibility``::

    {"prerequisite_level": "provincial" | null,  # a nominee holds an honor at this level or above
     "craftsman_ladder": true,                    # a 工匠 tier needs the tier below it
     "repeat_years": 5,                           # no same title within N years (0: no check)
     "negative_years": 3,                         # the negative list covers the last N years
     "negative_list": ["发生较大及以上生产安全事故", …]}   # declared per nomination

A nomination's ``declarations`` answer the negative list by its labels ({label: true when it
happened}); its ``form`` holds the 推荐表 by field key; its attachments name a slot key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from contest.extensions import db
from contest.models import (
    Campaign,
    CampaignQuota,
    CampaignStatus,
    HonorLevel,
    Nomination,
    NominationStatus,
    Organization,
    RecipientKind,
    Role,
    SlateRule,
    StageDecision,
    User,
)
from contest.models.base import as_utc, utcnow
from contest.services.core import audit, authority
from contest.services.core.orgs import managed_roots
from contest.services.nominations import awards as award_kinds
from contest.services.nominations.awards import Award, AwardProblem
from contest.services.nominations.groups import GROUPS, group_label
from contest.validation import text_problem

S = CampaignStatus
NAME_MAX = 200
BODY_MAX = 200
DESCRIPTION_MAX = 5000
SURPLUS_RANGE = (100, 300)  # 差额: 100 % (exactly the quota) to three times it
DEEDS_SHORT_MAX = 500
DEEDS_FULL_MAX = 2000
DEEDS_CEILING = 20000
FIELD_LABEL_MAX = 40  # a 推荐表 field, an attachment slot (NominationAttachment.slot)
DEPARTMENT_MAX = 60  # Consultation.department
NEGATIVE_ITEM_MAX = 100
LIST_MAX = 40  # fields, slots, departments or negative items in one list
YEARS_MAX = 100

# Forward moves and the moves back (which need a reason); REVIEW → PUBLICITY is the 公示's.
TRANSITIONS: dict[CampaignStatus, tuple[CampaignStatus, ...]] = {
    S.DRAFT: (S.OPEN,),
    S.OPEN: (S.REVIEW, S.DRAFT),
    S.REVIEW: (S.OPEN,),
    S.PUBLICITY: (),
    S.CONFERRED: (),
}
BACKWARD = frozenset({(S.OPEN, S.DRAFT), (S.REVIEW, S.OPEN)})
# Nominations that hold a place (a unit's headroom counts them; see quotas.headroom).
ACTIVE_STATUSES = (
    NominationStatus.SUBMITTED,
    NominationStatus.SELECTED,
    NominationStatus.ALTERNATE,
    NominationStatus.CONFERRED,
)


class CampaignError(ValueError):
    """A refused change: ``message`` in Chinese, ``field`` the form field if one, and every
    problem when there are several (a status move lists all that blocks it)."""

    def __init__(
        self, message: str, field: str | None = None, problems: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = list(problems or [])


def record_campaign(actor: User | None, action: str, campaign: Campaign, **details: Any) -> None:
    """An audit entry about ``campaign`` (every set-up write of this journey's organizer)."""
    audit.record(actor, action, "campaign", campaign.id, **details)


def text(value: str | None, field: str, label: str, limit: int, *, required: bool) -> str:
    """``value`` stripped, or a CampaignError on ``field`` naming ``label``."""
    stripped = (value or "").strip()
    if not stripped:
        if required:
            raise CampaignError(_("请填写%(label)s", label=label), field)
        return ""
    if len(stripped) > limit:
        raise CampaignError(_("%(label)s最长 %(n)d 个字", label=label, n=limit), field)
    problem = text_problem(stripped, multiline="\n" in stripped)
    if problem:
        raise CampaignError(_("%(label)s：%(problem)s", label=label, problem=problem), field)
    return stripped


# ------------------------------------------------------------------ scope


def managed_query(user: User) -> Select[tuple[Campaign]]:
    """Campaigns ``user`` manages, newest year first: all for an admin, those hosted in an
    organizer's subtree, none for anyone else."""
    query = select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())
    if user.role is Role.ADMIN:
        return query
    if user.role is not Role.ORGANIZER or user.organization is None:
        return query.where(Campaign.id.is_(None))
    return query.join(Organization, Campaign.organization_id == Organization.id).where(
        Organization.path.startswith(user.organization.path)
    )


def host_choices(user: User) -> list[Organization]:
    """Unions ``user`` may host a campaign for (their own and everything below it)."""
    if user.role not in (Role.ADMIN, Role.ORGANIZER):
        return []
    roots = managed_roots(user)
    if not roots:
        return []
    query = select(Organization).where(Organization.closed_at.is_(None))
    if user.role is not Role.ADMIN:
        query = query.where(Organization.path.startswith(roots[0].path))
    return list(db.session.scalars(query.order_by(Organization.path).limit(2000)))


# ------------------------------------------------------------------ the campaign


@dataclass
class CampaignData:
    name: str
    organization: Organization | None
    level: HonorLevel
    year: int
    conferring_body: str | None = None
    submission_deadline: datetime | None = None  # aware
    description: str | None = None
    surplus_percent: int = 100


def snapshot(campaign: Campaign) -> dict[str, Any]:
    """The audited view of a campaign's particulars."""
    deadline = campaign.submission_deadline
    return {
        "name": campaign.name,
        "organization_id": campaign.organization_id,
        "level": campaign.level.value,
        "year": campaign.year,
        "conferring_body": campaign.conferring_body,
        "submission_deadline": as_utc(deadline).isoformat() if deadline else None,
        "description": campaign.description,
        "surplus_percent": campaign.surplus_percent,
        "status": campaign.status.value,
    }


def _check(actor: User, data: CampaignData) -> None:
    data.name = text(data.name, "name", _("评选名称"), NAME_MAX, required=True)
    data.conferring_body = (
        text(data.conferring_body, "conferring_body", _("授予机关"), BODY_MAX, required=False)
        or None
    )
    data.description = (
        text(data.description, "description", _("说明"), DESCRIPTION_MAX, required=False) or None
    )
    if not 2000 <= data.year <= 2100:
        raise CampaignError(_("年份应在 2000 到 2100 之间"), "year")
    if data.organization is None:
        raise CampaignError(_("请选择主办工会"), "organization")
    if not actor.can_manage_org(data.organization) or actor.role not in (
        Role.ADMIN,
        Role.ORGANIZER,
    ):
        raise CampaignError(_("只能以本单位或下级工会的名义主办评选"), "organization")
    problem = authority.level_problem(data.organization, data.level)
    if problem:
        raise CampaignError(problem, "level")
    for value, name in ((data.name, "name"), (data.conferring_body or "", "conferring_body")):
        problem = authority.reserved_word_problem(value, data.organization)
        if problem:
            raise CampaignError(problem, name)
    low, high = SURPLUS_RANGE
    if not low <= data.surplus_percent <= high:
        raise CampaignError(
            _("差额比例应在 %(low)d%% 到 %(high)d%% 之间", low=low, high=high), "surplus_percent"
        )


def _apply(campaign: Campaign, data: CampaignData) -> None:
    campaign.name = data.name
    campaign.organization = data.organization  # type: ignore[assignment]
    campaign.level = data.level
    campaign.year = data.year
    campaign.conferring_body = data.conferring_body
    campaign.submission_deadline = data.submission_deadline
    campaign.description = data.description
    campaign.surplus_percent = data.surplus_percent


def create_campaign(actor: User, data: CampaignData) -> Campaign:
    """A new campaign in preparation, with the default materials and eligibility rules (all
    editable) and no awards yet."""
    _check(actor, data)
    if data.submission_deadline is not None and as_utc(data.submission_deadline) <= utcnow():
        raise CampaignError(_("推荐截止时间应晚于现在"), "submission_deadline")
    campaign = Campaign(status=S.DRAFT, created_by_id=actor.id, awards=[])
    _apply(campaign, data)
    campaign.materials = default_materials()
    campaign.eligibility = default_eligibility(data.level)
    db.session.add(campaign)
    db.session.flush()
    record_campaign(actor, "campaign.create", campaign, after=snapshot(campaign))
    return campaign


def update_campaign(actor: User, campaign: Campaign, data: CampaignData) -> None:
    """Edit the particulars. The host, level and year are fixed once nominations may come in
    (quotas, titles and eligibility were set for them); the deadline may move while units
    nominate, but not into the past."""
    ensure_status(campaign, (S.DRAFT, S.OPEN, S.REVIEW), _("评选已进入公示，不能再修改基本信息"))
    _check(actor, data)
    if campaign.status is not S.DRAFT:
        fixed = (
            (data.organization is not campaign.organization, "organization", _("主办工会")),
            (data.level is not campaign.level, "level", _("级别")),
            (data.year != campaign.year, "year", _("年份")),
        )
        for changed, name, label in fixed:
            if changed:
                raise CampaignError(_("推荐开始后不能更改%(what)s", what=label), name)
    if data.surplus_percent < campaign.surplus_percent and campaign.status is not S.DRAFT:
        raise CampaignError(_("推荐开始后不能降低差额比例"), "surplus_percent")
    deadline = data.submission_deadline
    moved = deadline != campaign.submission_deadline and deadline is not None
    if campaign.status is S.OPEN and deadline is None:
        raise CampaignError(_("推荐中的评选须有截止时间"), "submission_deadline")
    if moved and campaign.status is not S.REVIEW and as_utc(deadline) <= utcnow():  # type: ignore[arg-type]
        raise CampaignError(_("推荐截止时间应晚于现在"), "submission_deadline")
    if data.organization is not campaign.organization or data.level is not campaign.level:
        _refuse_awards_beyond(campaign, data)
    before = snapshot(campaign)
    _apply(campaign, data)
    db.session.flush()
    record_campaign(actor, "campaign.update", campaign, before=before, after=snapshot(campaign))


def _refuse_awards_beyond(campaign: Campaign, data: CampaignData) -> None:
    """A lower level or another host must still allow every award's 工匠 tier and title."""
    assert data.organization is not None
    for award in award_kinds.awards_of(campaign):
        if award.tier is not None and award.tier.rank < data.level.rank:
            raise CampaignError(
                _("奖项“%(title)s”的工匠层级高于新的级别，请先修改奖项", title=award.title),
                "level",
            )
        problem = authority.reserved_word_problem(award.title, data.organization)
        if problem:
            raise CampaignError(problem, "organization")


def ensure_status(campaign: Campaign, allowed: Iterable[CampaignStatus], message: str) -> None:
    """Refuse with ``message`` unless the campaign is in one of ``allowed``."""
    if campaign.status not in tuple(allowed):
        raise CampaignError(message)


def ensure_setup_open(campaign: Campaign) -> None:
    """Quotas, materials and eligibility change while the campaign is being prepared or units
    nominate; once the review starts they are what the nominations were made under."""
    ensure_status(campaign, (S.DRAFT, S.OPEN), _("评选已进入评审，不能再修改设置"))


def accepting(campaign: Campaign, now: datetime | None = None) -> bool:
    """Whether units may submit now: 推荐中 and before the deadline."""
    deadline = campaign.submission_deadline
    return (
        campaign.status is S.OPEN and deadline is not None and (now or utcnow()) <= as_utc(deadline)
    )


def past_deadline(campaign: Campaign, now: datetime | None = None) -> bool:
    deadline = campaign.submission_deadline
    return deadline is not None and (now or utcnow()) > as_utc(deadline)


# ------------------------------------------------------------------ awards


def _award_title(campaign: Campaign, award: Award) -> Award:
    title = text(award.title, "title", _("称号名称"), award_kinds.TITLE_MAX, required=True)
    problem = authority.reserved_word_problem(title, campaign.organization)
    if problem:
        raise CampaignError(problem, "title")
    if any(a.title == title and a.key != award.key for a in award_kinds.awards_of(campaign)):
        raise CampaignError(_("已有称号为“%(title)s”的奖项", title=title), "title")
    return Award(award.key, award.kind, title, award.recipient, award.tier)


def _made(campaign: Campaign, kind: str, **options: Any) -> Award:
    try:
        award = award_kinds.make_award(campaign, kind, **options)
    except AwardProblem as problem:
        raise CampaignError(problem.message, problem.field) from None
    return _award_title(campaign, award)


def add_award(
    actor: User,
    campaign: Campaign,
    kind: str,
    *,
    title: str = "",
    recipient: RecipientKind | None = None,
    tier: HonorLevel | None = None,
) -> Award:
    """Add an award while the campaign is in preparation; its title defaults to the host's
    place and the kind (江州市五一劳动奖章)."""
    ensure_status(campaign, (S.DRAFT,), _("推荐开始后不能增加奖项"))
    award = _made(campaign, kind, title=title, recipient=recipient, tier=tier)
    campaign.awards = [*(campaign.awards or []), award.to_json()]
    db.session.flush()
    record_campaign(actor, "campaign.award.create", campaign, after=award.to_json())
    return award


def update_award(
    actor: User,
    campaign: Campaign,
    key: str,
    *,
    title: str = "",
    recipient: RecipientKind | None = None,
    tier: HonorLevel | None = None,
) -> Award:
    """Rename an award or change its tier (in preparation only: nominations are made for a
    tier); the kind and key stay."""
    ensure_status(campaign, (S.DRAFT, S.OPEN, S.REVIEW), _("评选已进入公示，不能再修改奖项"))
    old = award_kinds.award_of(campaign, key)
    if old is None:
        raise CampaignError(_("没有这个奖项"))
    if campaign.status is not S.DRAFT and (
        (tier or old.tier) != old.tier or (recipient or old.recipient) != old.recipient
    ):
        raise CampaignError(_("推荐开始后只能修改称号名称"), "tier")
    award = _made(
        campaign,
        old.kind,
        title=title,
        recipient=recipient or old.recipient,
        tier=tier or old.tier,
        key=key,
    )
    campaign.awards = [
        award.to_json() if raw.get("key") == key else raw for raw in campaign.awards or []
    ]
    db.session.flush()
    record_campaign(
        actor, "campaign.award.update", campaign, before=old.to_json(), after=award.to_json()
    )
    return award


def remove_award(actor: User, campaign: Campaign, key: str) -> None:
    """Remove an award in preparation, with its quota rows and slate rules."""
    ensure_status(campaign, (S.DRAFT,), _("推荐开始后不能删除奖项"))
    old = award_kinds.award_of(campaign, key)
    if old is None:
        raise CampaignError(_("没有这个奖项"))
    nominated = db.session.scalar(
        select(func.count(Nomination.id)).where(
            Nomination.campaign_id == campaign.id, Nomination.award == key
        )
    )
    if nominated:
        raise CampaignError(_("该奖项已有推荐对象，不能删除"))
    quotas = db.session.scalars(
        select(CampaignQuota).where(
            CampaignQuota.campaign_id == campaign.id, CampaignQuota.award == key
        )
    ).all()
    for row in sorted(quotas, key=lambda q: q.parent_id is None):  # children first
        db.session.delete(row)
    rules = db.session.scalars(
        select(SlateRule).where(SlateRule.campaign_id == campaign.id, SlateRule.award == key)
    ).all()
    for rule in rules:
        db.session.delete(rule)
    campaign.awards = [raw for raw in campaign.awards or [] if raw.get("key") != key]
    db.session.flush()
    record_campaign(
        actor,
        "campaign.award.delete",
        campaign,
        before={**old.to_json(), "quotas": len(quotas), "rules": len(rules)},
    )


# ------------------------------------------------------------------ materials


@dataclass(frozen=True)
class FormField:
    """A field of the 推荐表 (``key`` names it in ``Nomination.form``)."""

    key: str
    label: str
    required: bool


@dataclass(frozen=True)
class Slot:
    """An attachment slot (``key`` is ``NominationAttachment.slot``)."""

    key: str
    name: str
    required: bool


_DEFAULT_FIELDS: dict[str, list[tuple[str, bool]]] = {
    "person": [
        ("性别", True),
        ("民族", True),
        ("出生年月", True),
        ("政治面貌", True),
        ("文化程度", True),
        ("参加工作时间", True),
        ("曾获荣誉", False),
    ],
    "unit": [
        ("单位全称", True),
        ("统一社会信用代码", True),
        ("所有制性质", True),
        ("职工人数", True),
        ("主要负责人", True),
        ("曾获荣誉", False),
    ],
    "team": [
        ("集体名称", True),
        ("所在单位", True),
        ("集体人数", True),
        ("负责人", True),
        ("曾获荣誉", False),
    ],
}
_DEFAULT_SLOTS = [
    ("推荐审批表（盖章扫描件）", True),
    ("民主推荐及单位公示情况", True),
    ("事迹材料", False),
    ("获奖证书复印件", False),
]
_DEFAULT_CONSULTATIONS = {
    "enterprise_head": ["市场监管", "税务", "人社", "应急管理", "生态环境"],
    "official": ["组织人事", "纪检监察"],
}
DEFAULT_NEGATIVE_LIST = [
    "发生较大及以上生产安全事故",
    "拖欠职工工资",
    "环境违法受到行政处罚",
    "严重税收违法",
    "受到党纪政务处分或刑事处罚",
]


def default_materials() -> dict[str, Any]:
    return {
        "form_fields": {
            kind: [{"key": label, "label": label, "required": req} for label, req in fields]
            for kind, fields in _DEFAULT_FIELDS.items()
        },
        "deeds_short_max": DEEDS_SHORT_MAX,
        "deeds_full_max": DEEDS_FULL_MAX,
        "attachments": [
            {"key": name, "name": name, "required": req} for name, req in _DEFAULT_SLOTS
        ],
        "consultations": {k: list(v) for k, v in _DEFAULT_CONSULTATIONS.items()},
    }


def _materials(campaign: Campaign) -> dict[str, Any]:
    stored = campaign.materials if isinstance(campaign.materials, dict) else {}
    return {**default_materials(), **stored}


def form_fields(campaign: Campaign, recipient: RecipientKind) -> list[FormField]:
    """The 推荐表's fields for a nominee of ``recipient`` kind (besides name, unit, post and
    skill level, which every nomination has)."""
    rows = _materials(campaign).get("form_fields", {}).get(recipient.value, [])
    return [
        FormField(str(r.get("key") or r["label"]), str(r["label"]), bool(r.get("required")))
        for r in rows
        if isinstance(r, dict) and r.get("label")
    ]


def attachment_slots(campaign: Campaign) -> list[Slot]:
    rows = _materials(campaign).get("attachments", [])
    return [
        Slot(str(r.get("key") or r["name"]), str(r["name"]), bool(r.get("required")))
        for r in rows
        if isinstance(r, dict) and r.get("name")
    ]


def deeds_limits(campaign: Campaign) -> tuple[int, int]:
    """(事迹 summary, 事迹 full text) limits in characters."""
    materials = _materials(campaign)
    return int(materials["deeds_short_max"]), int(materials["deeds_full_max"])


def consultations(campaign: Campaign) -> dict[str, list[str]]:
    """The 征求意见 checklist per nominee group."""
    found = _materials(campaign).get("consultations", {})
    return {str(k): [str(d) for d in v] for k, v in found.items() if isinstance(v, list)}


def departments_for(campaign: Campaign, categories: Iterable[str]) -> list[str]:
    """The departments whose opinion a nominee in ``categories`` needs, in checklist order,
    each once (an enterprise head who is also a cadre needs both lists)."""
    wanted = set(categories)
    found: list[str] = []
    for group, departments in consultations(campaign).items():
        if group in wanted:
            found.extend(d for d in departments if d not in found)
    return found


def parse_lines(raw: str, label: str, limit: int, field: str) -> list[tuple[str, bool]]:
    """Lines of a list a page edits as text: one item a line, ``*`` at the end marking a
    required one; blank lines skipped, each item once."""
    items: list[tuple[str, bool]] = []
    for number, line in enumerate((raw or "").splitlines(), start=1):
        item = line.strip()
        if not item:
            continue
        required = item.endswith(("*", "＊"))
        item = item.rstrip("*＊").strip()
        if not item:
            continue
        if len(item) > limit:
            raise CampaignError(
                _("%(label)s第 %(n)d 行超过 %(max)d 个字", label=label, n=number, max=limit), field
            )
        problem = text_problem(item)
        if problem:
            raise CampaignError(
                _("%(label)s第 %(n)d 行：%(problem)s", label=label, n=number, problem=problem),
                field,
            )
        if any(existing == item for existing, _req in items):
            raise CampaignError(_("%(label)s中“%(item)s”重复", label=label, item=item), field)
        items.append((item, required))
    if len(items) > LIST_MAX:
        raise CampaignError(_("%(label)s最多 %(n)d 项", label=label, n=LIST_MAX), field)
    return items


def lines_of(items: Iterable[tuple[str, bool]]) -> str:
    """The text :func:`parse_lines` reads back."""
    return "\n".join(f"{item}{' *' if required else ''}" for item, required in items)


def parse_consultations(raw: str) -> dict[str, list[str]]:
    """``企业负责人：市场监管、税务、人社`` a line (a group's name or key, then departments)."""
    by_label = {group_label(key): key for key in GROUPS}
    found: dict[str, list[str]] = {}
    for number, line in enumerate((raw or "").splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        head, sep, rest = stripped.replace(":", "：").partition("：")
        group = by_label.get(head.strip(), head.strip() if head.strip() in GROUPS else None)
        if not sep or group is None:
            raise CampaignError(
                _(
                    "征求意见第 %(n)d 行应为「人员类别：部门、部门」，类别如 企业负责人、机关干部",
                    n=number,
                ),
                "consultations",
            )
        departments = [d.strip() for d in rest.replace(",", "、").replace("，", "、").split("、")]
        departments = [d for d in departments if d]
        if not departments or len(departments) > LIST_MAX:
            raise CampaignError(
                _("征求意见第 %(n)d 行须列出 1 到 %(max)d 个部门", n=number, max=LIST_MAX),
                "consultations",
            )
        for department in departments:
            if len(department) > DEPARTMENT_MAX or text_problem(department):
                raise CampaignError(
                    _("征求意见第 %(n)d 行的部门名称不正确", n=number), "consultations"
                )
        if group in found:
            raise CampaignError(
                _("征求意见中“%(group)s”重复", group=group_label(group)), "consultations"
            )
        found[group] = list(dict.fromkeys(departments))
    return found


def consultation_lines(campaign: Campaign) -> str:
    return "\n".join(
        f"{group_label(group)}：{'、'.join(departments)}"
        for group, departments in consultations(campaign).items()
    )


@dataclass
class MaterialsData:
    fields: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)  # per recipient
    deeds_short_max: int = DEEDS_SHORT_MAX
    deeds_full_max: int = DEEDS_FULL_MAX
    attachments: list[tuple[str, bool]] = field(default_factory=list)
    consultations: dict[str, list[str]] = field(default_factory=dict)


def set_materials(actor: User, campaign: Campaign, data: MaterialsData) -> None:
    """Replace the required materials (推荐表 fields per recipient kind, 事迹 limits,
    attachment slots, 征求意见 checklists)."""
    ensure_setup_open(campaign)
    if not 50 <= data.deeds_short_max <= DEEDS_CEILING:
        raise CampaignError(
            _("事迹简介字数上限应在 50 到 %(n)d 之间", n=DEEDS_CEILING), "deeds_short_max"
        )
    if not data.deeds_short_max <= data.deeds_full_max <= DEEDS_CEILING:
        raise CampaignError(
            _("事迹全文字数上限应不少于事迹简介的上限，且不超过 %(n)d", n=DEEDS_CEILING),
            "deeds_full_max",
        )
    before = dict(_materials(campaign))
    campaign.materials = {
        "form_fields": {
            kind.value: [
                {"key": label, "label": label, "required": required}
                for label, required in data.fields.get(kind.value, [])
            ]
            for kind in RecipientKind
        },
        "deeds_short_max": data.deeds_short_max,
        "deeds_full_max": data.deeds_full_max,
        "attachments": [
            {"key": name, "name": name, "required": required} for name, required in data.attachments
        ],
        "consultations": data.consultations,
    }
    db.session.flush()
    record_campaign(actor, "campaign.materials", campaign, before=before, after=campaign.materials)


# ------------------------------------------------------------------ eligibility rules


@dataclass
class EligibilityRules:
    prerequisite_level: HonorLevel | None = None
    craftsman_ladder: bool = True
    repeat_years: int = 5
    negative_years: int = 3
    negative_list: list[str] = field(default_factory=lambda: list(DEFAULT_NEGATIVE_LIST))


def default_eligibility(level: HonorLevel) -> dict[str, Any]:
    """A 全国 campaign asks for a 省部级 honor first (rule 21); the rest is common practice."""
    rules = EligibilityRules(
        prerequisite_level=HonorLevel.PROVINCIAL if level is HonorLevel.NATIONAL else None
    )
    return _eligibility_json(rules)


def _eligibility_json(rules: EligibilityRules) -> dict[str, Any]:
    return {
        "prerequisite_level": rules.prerequisite_level.value if rules.prerequisite_level else None,
        "craftsman_ladder": rules.craftsman_ladder,
        "repeat_years": rules.repeat_years,
        "negative_years": rules.negative_years,
        "negative_list": list(rules.negative_list),
    }


def eligibility_rules(campaign: Campaign) -> EligibilityRules:
    """The campaign's rules, the defaults filling what is not stored."""
    stored = campaign.eligibility if isinstance(campaign.eligibility, dict) else {}
    merged = {**default_eligibility(campaign.level), **stored}
    try:
        level = HonorLevel(merged["prerequisite_level"]) if merged["prerequisite_level"] else None
    except ValueError:
        level = None
    return EligibilityRules(
        prerequisite_level=level,
        craftsman_ladder=bool(merged.get("craftsman_ladder")),
        repeat_years=int(merged.get("repeat_years") or 0),
        negative_years=int(merged.get("negative_years") or 0),
        negative_list=[str(item) for item in merged.get("negative_list") or []],
    )


def negative_items(campaign: Campaign) -> list[str]:
    """What a recommender declares for each nominee (the keys of ``declarations``)."""
    return eligibility_rules(campaign).negative_list


def set_eligibility(actor: User, campaign: Campaign, rules: EligibilityRules) -> None:
    ensure_setup_open(campaign)
    if rules.prerequisite_level is not None and rules.prerequisite_level.rank < campaign.level.rank:
        raise CampaignError(_("前置荣誉的级别不能高于本次评选的级别"), "prerequisite_level")
    for value, name in (
        (rules.repeat_years, "repeat_years"),
        (rules.negative_years, "negative_years"),
    ):
        if not 0 <= value <= YEARS_MAX:
            raise CampaignError(_("年限应在 0 到 %(n)d 之间", n=YEARS_MAX), name)
    if len(rules.negative_list) > LIST_MAX:
        raise CampaignError(_("负面清单最多 %(n)d 项", n=LIST_MAX), "negative_list")
    before = eligibility_rules(campaign)
    campaign.eligibility = _eligibility_json(rules)
    db.session.flush()
    record_campaign(
        actor,
        "campaign.eligibility",
        campaign,
        before=_eligibility_json(before),
        after=campaign.eligibility,
    )


# ------------------------------------------------------------------ status


def _count(query: Any) -> int:
    return int(db.session.scalar(query) or 0)


def open_problems(campaign: Campaign) -> list[str]:
    """What keeps the campaign from opening for nominations, each a whole sentence."""
    problems = []
    awards = award_kinds.awards_of(campaign)
    if not awards:
        problems.append(_("还没有设置奖项"))
    totals = dict(
        db.session.execute(
            select(CampaignQuota.award, CampaignQuota.quota).where(
                CampaignQuota.campaign_id == campaign.id, CampaignQuota.parent_id.is_(None)
            )
        ).all()
    )
    missing = [a.title for a in awards if not totals.get(a.key)]
    if missing:
        problems.append(_("以下奖项还没有名额：%(titles)s", titles="、".join(missing)))
    deadline = campaign.submission_deadline
    if deadline is None:
        problems.append(_("还没有设置推荐截止时间"))
    elif as_utc(deadline) <= utcnow():
        problems.append(_("推荐截止时间已过，请先修改"))
    return problems


def _active_nominations(campaign: Campaign) -> int:
    return _count(
        select(func.count(Nomination.id)).where(
            Nomination.campaign_id == campaign.id,
            Nomination.status != NominationStatus.DRAFT,
        )
    )


def move_problems(campaign: Campaign, target: CampaignStatus) -> list[str]:
    """Why ``campaign`` may not move to ``target`` now (empty: it may)."""
    if target not in TRANSITIONS[campaign.status]:
        return [_("不能从「%(a)s」转为「%(b)s」", a=campaign.status.label, b=target.label)]
    if (campaign.status, target) == (S.DRAFT, S.OPEN):
        return open_problems(campaign)
    if target is S.DRAFT:
        submitted = _active_nominations(campaign)
        if submitted:
            return [_("已有 %(n)d 个推荐对象报送，不能退回筹备", n=submitted)]
        return []
    if (campaign.status, target) == (S.REVIEW, S.OPEN):
        decided = _count(
            select(func.count(StageDecision.id))
            .join(Nomination, StageDecision.nomination_id == Nomination.id)
            .where(Nomination.campaign_id == campaign.id)
        )
        if decided:
            return [_("评审已有 %(n)d 项结论，不能重新开放推荐", n=decided)]
        if past_deadline(campaign):
            return [_("推荐截止时间已过：请先延后截止时间，再重新开放推荐")]
    return []


def allowed_moves(campaign: Campaign) -> list[tuple[CampaignStatus, list[str]]]:
    """Each move from the current status with what blocks it, forward moves first."""
    return [(target, move_problems(campaign, target)) for target in TRANSITIONS[campaign.status]]


def needs_reason(campaign: Campaign, target: CampaignStatus) -> bool:
    """A move back, and closing the nominations before the deadline, need a reason."""
    early = (campaign.status, target) == (S.OPEN, S.REVIEW) and not past_deadline(campaign)
    return (campaign.status, target) in BACKWARD or early


def change_status(
    actor: User | None,
    campaign: Campaign,
    target: CampaignStatus,
    reason: str | None = None,
) -> None:
    """Move the campaign; refused with every problem. ``actor`` None is the system closing
    the nominations at the deadline (:func:`close_due`)."""
    reason = (reason or "").strip() or None
    if actor is not None and needs_reason(campaign, target) and not reason:
        raise CampaignError(_("请填写原因（退回或提前截止推荐须说明原因）"), "reason")
    if reason and len(reason) > 1000:
        raise CampaignError(_("原因最长 1000 个字"), "reason")
    problems = move_problems(campaign, target)
    if problems:
        raise CampaignError(_("不能转为「%(status)s」", status=target.label), problems=problems)
    before = campaign.status.value
    campaign.status = target
    db.session.flush()
    record_campaign(
        actor,
        "campaign.status",
        campaign,
        before={"status": before},
        after={"status": target.value},
        reason=reason,
    )


def close_due(now: datetime | None = None) -> list[Campaign]:
    """Move every campaign still 推荐中 after its deadline to 评审中 (recorded as the
    system); a page or a scheduled command may call it."""
    moment = now or utcnow()
    due = [
        campaign
        for campaign in db.session.scalars(select(Campaign).where(Campaign.status == S.OPEN))
        if past_deadline(campaign, moment)
    ]
    for campaign in due:
        change_status(None, campaign, S.REVIEW, reason=_("推荐截止时间已到"))
    return due
