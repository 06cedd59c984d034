"""Quotas (名额): an award's total at the host, handed down the union tree, with typed slots,
alternates and the 差额 factor; the headroom every recommending unit sees.

The host's ``CampaignQuota`` row (``parent_id`` None) holds the award's total. Its organizer
hands shares down to lower unions (rows whose parent is the host's), and a lower union's
organizer may hand its own share down again. A row's shares never add up to more than it
holds, so the tree never hands out more than the total; what a union has not handed down is
its own to nominate with.

Typed slots (DOMAIN 24b, 海南 2016: of 9 奖章 one for an 企业负责人 and one for a 农民工) are
places kept for a group: ``{"enterprise_head": 1}``. A share's slots come out of its parent's
slots of the same group. A nominee of a slot's group takes the slot while it is free; anybody
else may only take the places no unfilled slot keeps.

差额 (上海 2018): a unit may submit ``floor(quota × surplus_percent / 100)`` nominees — the
figure rounds down, so 3 places at 120 % are 3 (3.6), 5 places are 6. Alternates (宁德 2021:
正选 + 1 ranked alternate per unit) are places on top of those, for ranked 递补 nominees.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import (
    Campaign,
    CampaignQuota,
    Nomination,
    Organization,
    Person,
    Role,
    User,
)
from contest.services.core.spreadsheets import (
    RowCheck,
    RowError,
    SheetRefused,
    SheetSpec,
    header_problems,
    read_sheet,
    row_cells,
    template_xlsx,
    write_workbook,
)
from contest.services.nominations import awards as award_kinds
from contest.services.nominations.campaigns import (
    ACTIVE_STATUSES,
    CampaignError,
    ensure_setup_open,
    record_campaign,
)
from contest.services.nominations.groups import GROUPS, categories_for, group_label, orgs_of

__all__ = [
    "Headroom",
    "Share",
    "can_hand_down",
    "export_workbook",
    "hand_down",
    "headroom",
    "import_workbook",
    "quota_campaigns_query",
    "remove_share",
    "rows_of",
    "set_total",
    "template_workbook",
    "unit_of",
]

QUOTA_MAX = 100_000
ALTERNATES_MAX = 1_000


# ------------------------------------------------------------------ headroom


@dataclass(frozen=True)
class Headroom:
    """What a unit may still submit for one award (its own share, after what it handed down).

    ``allowed`` is the share under 差额 (rounded down); ``alternates`` ranked 递补 places come
    on top, so a unit may submit ``allowed + alternates`` nominees, of which ``used`` are in
    (submitted or in review, not withdrawn, returned, rejected or removed). ``slots`` gives each
    typed slot as (places, nominees of that group submitted)."""

    quota: int
    allowed: int
    used: int
    left: int
    slots: dict[str, tuple[int, int]]
    alternates: int
    handed_down: int = 0
    row: CampaignQuota | None = None

    @property
    def capacity(self) -> int:
        return self.allowed + self.alternates

    @property
    def unfilled_slots(self) -> int:
        return sum(max(0, places - used) for places, used in self.slots.values())

    def refusal(self, categories: Iterable[str]) -> str | None:
        """Why one more nominee of ``categories`` does not fit, or None when it does."""
        if self.row is None:
            return _("本单位没有该奖项的推荐名额")
        if self.capacity == 0 and self.handed_down:
            return _("本单位的名额已全部分配给下级单位，由下级单位推荐")
        if self.left <= 0:
            return _(
                "名额已用完：可报送 %(n)d 个，已报送 %(used)d 个",
                n=self.capacity,
                used=self.used,
            )
        groups = set(categories)
        takes_slot = any(
            group in groups and used < places for group, (places, used) in self.slots.items()
        )
        if not takes_slot and self.used + 1 + self.unfilled_slots > self.capacity:
            kept = "、".join(
                _("%(group)s %(n)d 个", group=group_label(group), n=places - used)
                for group, (places, used) in self.slots.items()
                if places > used
            )
            return _("剩余名额为专项名额（%(kept)s），只能推荐相应类别的人选", kept=kept)
        return None


def allowed_for(quota: int, surplus_percent: int) -> int:
    """差额: ``floor(quota × surplus_percent / 100)`` in whole numbers (never a float)."""
    return quota * surplus_percent // 100


def _row(campaign: Campaign, award: str, org_id: int) -> CampaignQuota | None:
    return db.session.scalar(
        select(CampaignQuota).where(
            CampaignQuota.campaign_id == campaign.id,
            CampaignQuota.award == award,
            CampaignQuota.organization_id == org_id,
        )
    )


def _children(row: CampaignQuota) -> list[CampaignQuota]:
    return list(
        db.session.scalars(
            select(CampaignQuota)
            .where(CampaignQuota.parent_id == row.id)
            .options(selectinload(CampaignQuota.organization))
        )
    )


def _active(campaign: Campaign, award: str, unit_id: int) -> list[Nomination]:
    return list(
        db.session.scalars(
            select(Nomination)
            .where(
                Nomination.campaign_id == campaign.id,
                Nomination.award == award,
                Nomination.unit_id == unit_id,
                Nomination.status.in_(ACTIVE_STATUSES),
            )
            .options(selectinload(Nomination.person).selectinload(Person.organization))
        )
    )


def own_slots(row: CampaignQuota, children: Iterable[CampaignQuota]) -> dict[str, int]:
    """The row's typed slots less those handed down with its shares."""
    own = dict(row.slots or {})
    for child in children:
        for group, places in (child.slots or {}).items():
            own[group] = own.get(group, 0) - int(places)
    return {group: places for group, places in own.items() if places > 0}


def headroom(campaign: Campaign, award: str, unit: Organization) -> Headroom:
    """The unit's own places for ``award`` (its share less what it handed down), the 差额
    allowance, what it has submitted and what is left (see :class:`Headroom`)."""
    row = _row(campaign, award, unit.id)
    if row is None:
        return Headroom(0, 0, 0, 0, {}, 0)
    children = _children(row)
    handed = sum(c.quota for c in children)
    quota = max(0, row.quota - handed)
    allowed = allowed_for(quota, campaign.surplus_percent)
    active = _active(campaign, award, unit.id)
    orgs = orgs_of(active)
    groups = [categories_for(n, orgs) for n in active]
    slots = {
        group: (places, sum(1 for g in groups if group in g))
        for group, places in own_slots(row, children).items()
    }
    left = max(0, allowed + row.alternates - len(active))
    return Headroom(quota, allowed, len(active), left, slots, row.alternates, handed, row)


def unit_of(user: User, campaign: Campaign) -> list[CampaignQuota]:
    """The quota rows ``user``'s union nominates against (one per award it has a share of)."""
    if user.organization_id is None:
        return []
    return list(
        db.session.scalars(
            select(CampaignQuota)
            .where(
                CampaignQuota.campaign_id == campaign.id,
                CampaignQuota.organization_id == user.organization_id,
            )
            .order_by(CampaignQuota.id)
        )
    )


def quota_campaigns_query(user: User) -> Select[tuple[Campaign]]:
    """Campaigns where a union in ``user``'s part of the tree holds a share (a lower union's
    organizer hands its share down from there)."""
    query = select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())
    if user.role is not Role.ORGANIZER or user.organization is None:
        return query.where(Campaign.id.is_(None))
    held = (
        select(CampaignQuota.campaign_id)
        .join(Organization, CampaignQuota.organization_id == Organization.id)
        .where(Organization.path.startswith(user.organization.path))
    )
    return query.where(Campaign.id.in_(held))


def can_hand_down(user: User, row: CampaignQuota) -> bool:
    """The row's union's organizers (and those above it, the host's included) and admins."""
    if user.role not in (Role.ADMIN, Role.ORGANIZER):
        return False
    return user.can_manage_org(row.organization)


# ------------------------------------------------------------------ the tree as a whole


@dataclass
class Share:
    """One row of the quota tree while it is being checked (the stored rows with a change,
    or an imported table, applied): the checks run on the whole tree at once."""

    award: str
    org: Organization
    parent_org_id: int | None
    quota: int
    slots: dict[str, int] = field(default_factory=dict)
    alternates: int = 0
    row: CampaignQuota | None = None
    line: int = 0  # the file row it came from (0: stored or typed)


Tree = dict[tuple[str, int], Share]


def _stored(campaign: Campaign) -> Tree:
    rows = db.session.scalars(
        select(CampaignQuota)
        .where(CampaignQuota.campaign_id == campaign.id)
        .options(selectinload(CampaignQuota.organization))
    ).all()
    org_of = {r.id: r.organization_id for r in rows}
    return {
        (r.award, r.organization_id): Share(
            award=r.award,
            org=r.organization,
            parent_org_id=org_of.get(r.parent_id) if r.parent_id else None,
            quota=r.quota,
            slots=dict(r.slots or {}),
            alternates=r.alternates,
            row=r,
        )
        for r in rows
    }


def _used(campaign: Campaign) -> dict[tuple[str, int], int]:
    rows = db.session.execute(
        select(Nomination.award, Nomination.unit_id, func.count(Nomination.id))
        .where(Nomination.campaign_id == campaign.id, Nomination.status.in_(ACTIVE_STATUSES))
        .group_by(Nomination.award, Nomination.unit_id)
    ).all()
    return {(award, unit): int(n) for award, unit, n in rows}


def _problems(campaign: Campaign, tree: Tree) -> list[tuple[Share, str]]:
    """Every broken rule of the tree, each with the share it is reported on."""
    found: list[tuple[Share, str]] = []
    used = _used(campaign)
    children: dict[tuple[str, int], list[Share]] = defaultdict(list)
    for share in tree.values():
        if share.parent_org_id is not None:
            parent = tree.get((share.award, share.parent_org_id))
            if parent is None:
                found.append((share, _("上级单位没有该奖项的名额，须先分配给上级单位")))
                continue
            children[(share.award, share.parent_org_id)].append(share)
            if share.org.id == parent.org.id or not parent.org.contains(share.org):
                found.append(
                    (
                        share,
                        _(
                            "“%(org)s”不是“%(parent)s”的下级单位",
                            org=share.org.name,
                            parent=parent.org.name,
                        ),
                    )
                )
        elif share.org.id != campaign.organization_id:
            found.append((share, _("只有主办工会的名额可以不填上级单位")))
        if sum(share.slots.values()) > share.quota:
            found.append(
                (
                    share,
                    _(
                        "“%(org)s”的专项名额合计 %(slots)d 个，超过其名额 %(n)d 个",
                        org=share.org.name,
                        slots=sum(share.slots.values()),
                        n=share.quota,
                    ),
                )
            )
        unit_used = used.get((share.award, share.org.id), 0)
        if unit_used:
            handed = sum(
                s.quota
                for s in tree.values()
                if s.award == share.award and s.parent_org_id == share.org.id
            )
            own = max(0, share.quota - handed)
            room = allowed_for(own, campaign.surplus_percent) + share.alternates
            if room < unit_used:
                found.append(
                    (
                        share,
                        _(
                            "“%(org)s”已报送 %(used)d 个推荐对象，自留名额不能少于此数",
                            org=share.org.name,
                            used=unit_used,
                        ),
                    )
                )
    for (award, parent_id), shares in children.items():
        parent = tree[(award, parent_id)]
        found.extend(_share_problems(parent, shares))
    return found


def _share_problems(parent: Share, shares: list[Share]) -> list[tuple[Share, str]]:
    """A parent's shares: their sum within its quota, their slots within its slots, and no
    share inside another (a union and a unit below it both holding a share of it)."""
    found: list[tuple[Share, str]] = []
    blame = max(shares, key=lambda s: s.line) if any(s.line for s in shares) else shares[-1]
    if parent.line:
        blame = parent
    total = sum(s.quota for s in shares)
    if total > parent.quota:
        found.append(
            (
                blame,
                _(
                    "分配给下级的名额合计 %(total)d 个，超过“%(org)s”的名额 %(n)d 个",
                    total=total,
                    org=parent.org.name,
                    n=parent.quota,
                ),
            )
        )
    groups = {group for s in shares for group in s.slots}
    for group in sorted(groups):
        handed = sum(s.slots.get(group, 0) for s in shares)
        held = parent.slots.get(group, 0)
        if handed > held:
            found.append(
                (
                    blame,
                    _(
                        "分配给下级的「%(group)s」专项名额合计 %(handed)d 个，"
                        "超过“%(org)s”的 %(held)d 个",
                        group=group_label(group),
                        handed=handed,
                        org=parent.org.name,
                        held=held,
                    ),
                )
            )
    for share in shares:
        outer = next((o for o in shares if o is not share and o.org.contains(share.org)), None)
        if outer is not None:
            found.append(
                (
                    share,
                    _(
                        "“%(org)s”在“%(outer)s”之下，应由“%(outer)s”向下分配",
                        org=share.org.name,
                        outer=outer.org.name,
                    ),
                )
            )
    return found


def _check_values(quota: int, slots: Mapping[str, int], alternates: int) -> dict[str, int]:
    if not 0 <= quota <= QUOTA_MAX:
        raise CampaignError(_("名额应在 0 到 %(n)d 之间", n=QUOTA_MAX), "quota")
    if not 0 <= alternates <= ALTERNATES_MAX:
        raise CampaignError(_("递补名额应在 0 到 %(n)d 之间", n=ALTERNATES_MAX), "alternates")
    clean: dict[str, int] = {}
    for group, places in slots.items():
        if group not in GROUPS:
            raise CampaignError(_("未知的人员类别“%(group)s”", group=group), "slots")
        if places < 0 or places > quota:
            raise CampaignError(
                _("「%(group)s」专项名额应在 0 到名额数之间", group=group_label(group)), "slots"
            )
        if places:
            clean[group] = int(places)
    return clean


def _refuse_problems(campaign: Campaign, tree: Tree) -> None:
    problems = _problems(campaign, tree)
    if problems:
        raise CampaignError(problems[0][1], "quota", problems=[m for _s, m in problems[1:]])


def _save(share: Share, campaign: Campaign, tree: Tree) -> CampaignQuota:
    parent_row = None
    if share.parent_org_id is not None:
        parent_row = tree[(share.award, share.parent_org_id)].row
    row = share.row
    if row is None:
        row = CampaignQuota(campaign_id=campaign.id, award=share.award, organization=share.org)
        db.session.add(row)
        share.row = row
    row.parent_id = parent_row.id if parent_row is not None else None
    row.quota = share.quota
    row.slots = dict(share.slots)
    row.alternates = share.alternates
    db.session.flush()
    return row


def _snapshot(share: Share) -> dict[str, Any]:
    return {
        "award": share.award,
        "organization_id": share.org.id,
        "quota": share.quota,
        "slots": dict(share.slots),
        "alternates": share.alternates,
    }


def _award_key(campaign: Campaign, award: str) -> str:
    if award_kinds.award_of(campaign, award) is None:
        raise CampaignError(_("没有这个奖项"), "award")
    return award


def set_total(
    actor: User,
    campaign: Campaign,
    award: str,
    quota: int,
    slots: Mapping[str, int] | None = None,
    alternates: int = 0,
) -> CampaignQuota:
    """The award's total at the host (its typed slots, the host's own alternates); never
    below what has been handed down or what the host itself has submitted."""
    ensure_setup_open(campaign)
    award = _award_key(campaign, award)
    clean = _check_values(quota, slots or {}, alternates)
    tree = _stored(campaign)
    key = (award, campaign.organization_id)
    before = _snapshot(tree[key]) if key in tree else None
    share = tree.get(key) or Share(award, campaign.organization, None, quota)
    share.quota, share.slots, share.alternates = quota, clean, alternates
    tree[key] = share
    _refuse_problems(campaign, tree)
    row = _save(share, campaign, tree)
    record_campaign(actor, "campaign.quota.total", campaign, before=before, after=_snapshot(share))
    return row


def hand_down(
    actor: User,
    parent: CampaignQuota,
    org: Organization,
    quota: int,
    slots: Mapping[str, int] | None = None,
    alternates: int = 0,
) -> CampaignQuota:
    """Give (or change) ``org``'s share of ``parent``: ``org`` lies below ``parent``'s union,
    the shares add up to no more than ``parent`` holds, slots come out of its slots. Open to
    whoever manages ``parent``'s union (a lower union's organizer hands its own share on)."""
    campaign = db.session.get(Campaign, parent.campaign_id)
    assert campaign is not None
    ensure_setup_open(campaign)
    if not can_hand_down(actor, parent):
        raise CampaignError(_("您无权分配该单位的名额"))
    if org.is_closed:
        raise CampaignError(_("“%(org)s”已撤销，不能分配名额", org=org.name), "organization")
    clean = _check_values(quota, slots or {}, alternates)
    tree = _stored(campaign)
    key = (parent.award, org.id)
    existing = tree.get(key)
    if existing is not None and existing.parent_org_id != parent.organization_id:
        raise CampaignError(_("“%(org)s”的名额由其他上级单位分配", org=org.name), "organization")
    before = _snapshot(existing) if existing else None
    share = existing or Share(parent.award, org, parent.organization_id, quota)
    share.quota, share.slots, share.alternates = quota, clean, alternates
    tree[key] = share
    _refuse_problems(campaign, tree)
    row = _save(share, campaign, tree)
    record_campaign(
        actor, "campaign.quota.hand_down", campaign, before=before, after=_snapshot(share)
    )
    return row


def remove_share(actor: User, row: CampaignQuota) -> None:
    """Take a share back (not the host's total): only when it was not handed on and its union
    has submitted nothing for the award."""
    campaign = db.session.get(Campaign, row.campaign_id)
    assert campaign is not None
    ensure_setup_open(campaign)
    if row.parent_id is None:
        raise CampaignError(_("主办工会的总名额不能删除，可改为 0"))
    parent = db.session.get(CampaignQuota, row.parent_id)
    if parent is None or not can_hand_down(actor, parent):
        raise CampaignError(_("您无权分配该单位的名额"))
    if _children(row):
        raise CampaignError(_("该单位已向下分配名额，请先收回其下级的名额"))
    if _used(campaign).get((row.award, row.organization_id)):
        raise CampaignError(_("该单位已有报送的推荐对象，不能收回名额"))
    before = {
        "award": row.award,
        "organization_id": row.organization_id,
        "quota": row.quota,
        "slots": dict(row.slots or {}),
        "alternates": row.alternates,
    }
    db.session.delete(row)
    db.session.flush()
    record_campaign(actor, "campaign.quota.delete", campaign, before=before)


# ------------------------------------------------------------------ the page's table


@dataclass(frozen=True)
class QuotaLine:
    """A row of the quota table: the share, its depth below the top shown, and its figures."""

    row: CampaignQuota
    depth: int
    handed_down: int
    own: int
    allowed: int
    used: int
    own_slots: dict[str, int]

    @property
    def left(self) -> int:
        return max(0, self.allowed + self.row.alternates - self.used)


def rows_of(campaign: Campaign, award: str, top: Iterable[int] | None = None) -> list[QuotaLine]:
    """The award's shares as a tree (parents before their shares), from the host's row, or
    from the rows ``top`` names (a lower union's organizer sees its own part)."""
    rows = db.session.scalars(
        select(CampaignQuota)
        .where(CampaignQuota.campaign_id == campaign.id, CampaignQuota.award == award)
        .options(selectinload(CampaignQuota.organization))
    ).all()
    used = _used(campaign)
    by_parent: dict[int | None, list[CampaignQuota]] = defaultdict(list)
    for row in rows:
        by_parent[row.parent_id].append(row)
    for shares in by_parent.values():
        shares.sort(key=lambda r: r.organization.path_ids)
    starts = [r for r in rows if r.id in set(top)] if top is not None else by_parent[None]
    lines: list[QuotaLine] = []

    def walk(row: CampaignQuota, depth: int) -> None:
        shares = by_parent.get(row.id, [])
        handed = sum(s.quota for s in shares)
        own = max(0, row.quota - handed)
        lines.append(
            QuotaLine(
                row=row,
                depth=depth,
                handed_down=handed,
                own=own,
                allowed=allowed_for(own, campaign.surplus_percent),
                used=used.get((award, row.organization_id), 0),
                own_slots=own_slots(row, shares),
            )
        )
        for share in shares:
            walk(share, depth + 1)

    for start in starts:
        walk(start, 0)
    return lines


def held_rows(user: User, campaign: Campaign) -> list[CampaignQuota]:
    """The topmost rows in ``user``'s part of the tree (what a lower organizer may hand on)."""
    if user.organization is None:
        return []
    rows = db.session.scalars(
        select(CampaignQuota)
        .join(Organization, CampaignQuota.organization_id == Organization.id)
        .where(
            CampaignQuota.campaign_id == campaign.id,
            Organization.path.startswith(user.organization.path),
        )
        .options(selectinload(CampaignQuota.organization))
    ).all()
    ids = {r.id for r in rows}
    return [r for r in rows if r.parent_id not in ids]


def slot_text(slots: Mapping[str, int]) -> str:
    """``企业负责人 1；农民工 1`` (what the page and the spreadsheet show and read back)."""
    return "；".join(f"{group_label(g)} {n}" for g, n in slots.items() if n)


_SLOT_ITEM = re.compile(r"^(.+?)\s*[:：]?\s*(\d+)\s*[个名人]?$")


def parse_slots(raw: str) -> dict[str, int]:
    """Read :func:`slot_text` back (labels or keys; separators ；;，,、 or line breaks)."""
    by_label = {group_label(key): key for key in GROUPS}
    found: dict[str, int] = {}
    for item in re.split(r"[；;，,、\n]+", raw or ""):
        item = item.strip()
        if not item:
            continue
        match = _SLOT_ITEM.match(item)
        name = match.group(1).strip() if match else ""
        group = by_label.get(name) or (name if name in GROUPS else None)
        if match is None or group is None:
            raise ValueError(
                _("专项名额应写作「企业负责人 1；农民工 1」，无法识别“%(item)s”", item=item)
            )
        if group in found:
            raise ValueError(_("专项名额中“%(item)s”重复", item=name))
        found[group] = int(match.group(2))
    return found


# ------------------------------------------------------------------ the table as .xlsx

COL_AWARD, COL_UNIT, COL_PARENT = "奖项", "单位", "上级单位"
COL_QUOTA, COL_SLOTS, COL_ALTERNATES = "名额", "专项名额", "递补名额"
COL_OWN, COL_USED = "自留名额", "已报送"
HEADERS = (COL_AWARD, COL_UNIT, COL_PARENT, COL_QUOTA, COL_SLOTS, COL_ALTERNATES)
REQUIRED = (COL_AWARD, COL_UNIT, COL_QUOTA)
ALIASES = {"单位名称": COL_UNIT, "组织代码": COL_UNIT, "称号": COL_AWARD, "推荐名额": COL_QUOTA}
SHEET_TITLE = "名额分配"


class _Units:
    """The host tree's open unions by 组织代码 and by name."""

    def __init__(self, campaign: Campaign) -> None:
        self.by_code: dict[str, Organization] = {}
        self.by_name: dict[str, list[Organization]] = {}
        query = select(Organization).where(Organization.path.startswith(campaign.organization.path))
        for org in db.session.scalars(query):
            if org.code:
                self.by_code[org.code] = org
            for name in {org.name, org.short_name or ""} - {""}:
                self.by_name.setdefault(name, []).append(org)

    def find(self, ref: str) -> Organization:
        if ref in self.by_code:
            return self.by_code[ref]
        found = self.by_name.get(ref, [])
        if len(found) > 1:
            raise ValueError(_("有多个名为“%(name)s”的单位，请改填组织代码", name=ref))
        if not found:
            raise ValueError(_("找不到单位“%(name)s”：不在主办工会的组织树中", name=ref))
        return found[0]


def _award_finder(campaign: Campaign) -> Any:
    by_name = {}
    for award in award_kinds.awards_of(campaign):
        by_name[award.title] = award.key
        by_name[award.key] = award.key

    def find(raw: str) -> str:
        if raw not in by_name:
            titles = "、".join(a.title for a in award_kinds.awards_of(campaign))
            raise ValueError(
                _("没有奖项“%(name)s”；本评选的奖项：%(titles)s", name=raw, titles=titles)
            )
        return by_name[raw]

    return find


def _count_cell(limit: int) -> Any:
    def parse(raw: str) -> int:
        if not raw.isdigit() or int(raw) > limit:
            raise ValueError(_("应为 0 到 %(n)d 的整数", n=limit))
        return int(raw)

    return parse


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    updated: int


def import_workbook(actor: User, campaign: Campaign, data: bytes, filename: str) -> ImportResult:
    """Apply the file's shares to the quota tree, all or nothing: every row is read and the
    whole resulting tree checked (sums, slots, the tree's shape, what units already
    submitted) before anything is written; raises SheetRefused with every problem by row."""
    ensure_setup_open(campaign)
    sheet = read_sheet(data, filename, id_columns=())
    headers = [ALIASES.get(h, h) for h in sheet.headers]
    errors = header_problems(headers, REQUIRED, HEADERS, accepted=(COL_OWN, COL_USED))
    if errors:
        raise SheetRefused(errors)
    units = _Units(campaign)
    find_award = _award_finder(campaign)
    tree = _stored(campaign)
    seen: dict[tuple[str, int], int] = {}
    touched: list[Share] = []
    for number, raw_cells in row_cells(sheet):
        cells = {ALIASES.get(k, k): v for k, v in raw_cells.items()}
        if not any(cells.values()):
            continue
        check = RowCheck(number, cells, errors)
        award = check.parsed(COL_AWARD, find_award, required=True)
        org = check.parsed(COL_UNIT, units.find, required=True)
        parent = check.parsed(COL_PARENT, units.find)
        quota = check.parsed(COL_QUOTA, _count_cell(QUOTA_MAX), required=True)
        slots = check.parsed(COL_SLOTS, parse_slots) or {}
        alternates = check.parsed(COL_ALTERNATES, _count_cell(ALTERNATES_MAX)) or 0
        if org is not None and org.is_closed:
            check.problem(COL_UNIT, _("“%(org)s”已撤销，不能分配名额", org=org.name))
        if not check.ok or award is None or org is None or quota is None:
            continue
        if org.id == campaign.organization_id:
            parent_id = None
        else:
            parent_id = parent.id if parent is not None else campaign.organization_id
        key = (award, org.id)
        if key in seen:
            check.problem(COL_UNIT, _("与第 %(row)d 行重复", row=seen[key]))
            continue
        seen[key] = number
        existing = tree.get(key)
        if existing is not None and existing.parent_org_id != parent_id:
            check.problem(COL_PARENT, _("与已分配的上级单位不同；请先在页面上收回原名额"))
            continue
        try:
            slots = _check_values(quota, slots, alternates)
        except CampaignError as error:
            check.problem(COL_SLOTS if error.field == "slots" else COL_QUOTA, error.message)
            continue
        share = existing or Share(award, org, parent_id, quota)
        share.quota, share.slots, share.alternates, share.line = quota, slots, alternates, number
        tree[key] = share
        touched.append(share)
    if not touched and not errors:
        errors.append(RowError(0, "", _("文件中没有数据行")))
    for share, message in _problems(campaign, tree):
        errors.append(RowError(share.line, COL_QUOTA if share.line else "", message))
    if errors:
        raise SheetRefused(sorted(errors, key=lambda e: e.row))
    created = sum(1 for s in touched if s.row is None)
    for share in sorted(touched, key=lambda s: len(s.org.path_ids)):
        _save(share, campaign, tree)
    record_campaign(
        actor,
        "campaign.quotas.import",
        campaign,
        after={
            "rows": len(touched),
            "created": created,
            "file_sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    return ImportResult(len(touched), created, len(touched) - created)


def template_workbook(campaign: Campaign) -> bytes:
    """The quota table to fill in; the examples are on the 填写说明 sheet."""
    award = next(iter(award_kinds.awards_of(campaign)), None)
    title = award.title if award else "五一劳动奖章"
    host = campaign.organization.name
    examples: list[dict[str, Any]] = [
        {COL_AWARD: title, COL_UNIT: host, COL_QUOTA: 9, COL_SLOTS: "企业负责人 1；农民工 1"},
        {COL_AWARD: title, COL_UNIT: "某区总工会", COL_QUOTA: 3, COL_SLOTS: "农民工 1"},
        {
            COL_AWARD: title,
            COL_UNIT: "某企业工会",
            COL_PARENT: "某区总工会",
            COL_QUOTA: 1,
            COL_ALTERNATES: 1,
        },
    ]
    titles = "、".join(a.title for a in award_kinds.awards_of(campaign)) or "（未设置奖项）"
    return template_xlsx(
        SHEET_TITLE,
        HEADERS,
        required=REQUIRED,
        examples=examples,
        notes={
            COL_AWARD: f"本评选的奖项：{titles}",
            COL_UNIT: "组织代码或名称；填主办工会本身即为该奖项的总名额",
            COL_PARENT: "由哪个单位分配下来；留空为主办工会直接分配",
            COL_QUOTA: "整数；下级名额合计不能超过上级的名额",
            COL_SLOTS: (
                "可选：为某类人员保留的名额，如「企业负责人 1；农民工 1」，须在上级的专项名额之内"
            ),
            COL_ALTERNATES: "可选：正选之外可报送的递补人选数，留空为 0",
        },
        widths={COL_AWARD: 22, COL_UNIT: 28, COL_PARENT: 28, COL_SLOTS: 28},
    )


def export_workbook(campaign: Campaign) -> bytes:
    """The table with the import's columns (edit and import it back) plus each unit's own
    places and what it has submitted."""
    rows: list[list[Any]] = []
    for award in award_kinds.awards_of(campaign):
        lines = rows_of(campaign, award.key)
        parent_of = {line.row.id: line.row.parent_id for line in lines}
        org_of = {line.row.id: line.row.organization for line in lines}
        for line in lines:
            parent_id = parent_of[line.row.id]
            parent = org_of.get(parent_id) if parent_id else None
            org = line.row.organization
            rows.append(
                [
                    award.title,
                    org.code or org.name,
                    (parent.code or parent.name)
                    if parent and parent.id != campaign.organization_id
                    else "",
                    line.row.quota,
                    slot_text(line.row.slots or {}),
                    line.row.alternates,
                    line.own,
                    line.used,
                ]
            )
    buffer = io.BytesIO()
    write_workbook(
        [
            SheetSpec(
                SHEET_TITLE,
                rows,
                headers=[*HEADERS, COL_OWN, COL_USED],
                widths=(22, 28, 28, 8, 28, 10, 10, 8),
                freeze_header=True,
            )
        ],
        buffer,
    )
    return buffer.getvalue()
