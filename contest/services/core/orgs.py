"""The union tree: creating, editing, moving and closing organisations (``path`` kept in step).

Every scoped permission and recusal rule reads ``Organization.path`` ("/1/4/17/") as a prefix,
so a move rewrites the path of the whole subtree in one statement and nothing else needs to
change: a district organizer still sees exactly what lies below their union afterwards.

Who may do what (:func:`can_manage`): an admin anything; an organizer edits their own union's
profile and creates, edits, moves and closes what lies below it, never above or beside it.
Closing is refused while the organisation still has open work (:func:`open_work` names it),
because a contest, an entrant or an account must never be left under a union that is gone.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import String, func, literal, select, update

from contest.extensions import db
from contest.models import (
    Contest,
    ContestStatus,
    Entry,
    Organization,
    OrgKind,
    Ownership,
    Role,
    User,
)
from contest.models.base import utcnow
from contest.services.core import audit
from contest.validation import normalise_credit_code, text_problem

NAME_MAX, SHORT_NAME_MAX, EMPLOYER_MAX, TEXT_MAX, CODE_MAX = 200, 60, 200, 60, 40
REASON_MAX = 200

# Territorial tiers: a union of one tier sits only below a union of a higher tier. 产业、联合
# and 基层 unions sit below any union that is not itself a 基层 or 联合 one, except that a
# 基层工会 may have 分工会 (workshops) of its own.
TIER: dict[OrgKind, int] = {
    OrgKind.NATIONAL: 0,
    OrgKind.PROVINCIAL: 1,
    OrgKind.CITY: 2,
    OrgKind.DISTRICT: 3,
    OrgKind.TOWNSHIP: 4,
}


class OrganizationError(ValueError):
    """A refused write; ``field`` names the form field the message belongs to, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class OrgData:
    """What a form or an import row says about an organisation (already stripped)."""

    name: str
    kind: OrgKind
    short_name: str | None = None
    code: str | None = None
    employer: str | None = None
    credit_code: str | None = None
    ownership: Ownership | None = None
    industry: str | None = None
    is_key_industry: bool = False
    region: str | None = None
    headcount: int | None = None
    member_count: int | None = None
    counted_on: date | None = None

    @classmethod
    def of(cls, org: Organization) -> OrgData:
        return cls(**{f.name: getattr(org, f.name) for f in fields(cls)})


def snapshot(org: Organization) -> dict[str, Any]:
    """What the audit trail records of an organisation (plain JSON values)."""
    data = {
        f.name: getattr(org, f.name)
        for f in fields(OrgData)
        if f.name not in ("kind", "ownership", "counted_on")
    }
    data["kind"] = org.kind.value
    data["ownership"] = org.ownership.value if org.ownership else None
    data["counted_on"] = org.counted_on.isoformat() if org.counted_on else None
    data["parent_id"] = org.parent_id
    return data


# ------------------------------------------------------------------ who may do what


def can_manage(user: User, org: Organization) -> bool:
    """Edit ``org``'s profile: an admin, or an organizer of ``org`` or a union above it."""
    return user.role in (Role.ADMIN, Role.ORGANIZER) and user.can_manage_org(org)


def can_restructure(user: User, org: Organization) -> bool:
    """Move or close ``org``: an admin, or an organizer of a union strictly above it."""
    if user.role is Role.ADMIN:
        return True
    return can_manage(user, org) and user.organization_id != org.id


def managed_roots(user: User) -> list[Organization]:
    """The tops of the part of the tree ``user`` may see and edit."""
    if user.role is Role.ADMIN:
        return list(
            db.session.scalars(
                select(Organization)
                .where(Organization.parent_id.is_(None))
                .order_by(Organization.id)
            )
        )
    return [user.organization] if user.organization is not None else []


class UnitFinder:
    """The open organisations ``actor`` may put people or accounts in, found by a sheet's 单位
    cell: its 组织代码 or its exact name (an ambiguous name asks for the code). ``actor`` None
    is the command line, which sees the whole tree."""

    def __init__(self, actor: User | None) -> None:
        query = select(Organization).where(Organization.closed_at.is_(None))
        if actor is not None and actor.role is not Role.ADMIN:
            root = actor.organization
            query = query.where(Organization.path.startswith(root.path if root else "-"))
        self.by_code: dict[str, Organization] = {}
        self.by_name: dict[str, list[Organization]] = {}
        for org in db.session.scalars(query):
            if org.code:
                self.by_code[org.code] = org
            self.by_name.setdefault(org.name, []).append(org)

    def find(self, ref: str) -> Organization:
        """Raises ValueError with a message fit for an import report."""
        if ref in self.by_code:
            return self.by_code[ref]
        found = self.by_name.get(ref, [])
        if len(found) > 1:
            raise ValueError(_("有多个名为“%(name)s”的单位，请改填组织代码", name=ref))
        if not found:
            raise ValueError(_("找不到单位“%(name)s”（或不在您管理的范围内）", name=ref))
        return found[0]


def _require(allowed: bool) -> None:
    if not allowed:
        raise OrganizationError(_("您无权管理该组织"))


# ------------------------------------------------------------------ validation


def placement_problem(kind: OrgKind, parent: Organization | None) -> str | None:
    """Why a union of ``kind`` cannot sit below ``parent`` (None: it can)."""
    if parent is None:
        return None
    if parent.is_closed:
        return _("上级工会“%(name)s”已撤销", name=parent.name)
    if kind in TIER:
        parent_tier = TIER.get(parent.kind)
        if parent_tier is None or parent_tier >= TIER[kind]:
            return _(
                "%(kind)s不能设在%(parent)s之下",
                kind=kind.label,
                parent=parent.kind.label,
            )
        return None
    if parent.kind is OrgKind.JOINT or (
        parent.kind is OrgKind.GRASSROOTS and kind is not OrgKind.GRASSROOTS
    ):
        return _("%(kind)s不能设在%(parent)s之下", kind=kind.label, parent=parent.kind.label)
    return None


def _text(value: str | None, limit: int, label: str, field: str) -> str | None:
    value = (value or "").strip() or None
    if value is not None and len(value) > limit:
        raise OrganizationError(_("%(label)s不能超过 %(n)s 个字", label=label, n=limit), field)
    problem = text_problem(value)
    if problem:
        raise OrganizationError(problem, field)
    return value


def clean(data: OrgData, *, existing: Organization | None = None) -> OrgData:
    """Check and normalise ``data``; raises :class:`OrganizationError` naming the field."""
    name = _text(data.name, NAME_MAX, _("组织名称"), "name")
    if not name:
        raise OrganizationError(_("请填写组织名称"), "name")
    credit_code = None
    if (data.credit_code or "").strip():
        try:
            credit_code = normalise_credit_code(data.credit_code)
        except ValueError as error:
            raise OrganizationError(str(error), "credit_code") from None
    for number, label, field in (
        (data.headcount, _("职工人数"), "headcount"),
        (data.member_count, _("会员人数"), "member_count"),
    ):
        if number is not None and not 0 <= number <= 10_000_000:
            raise OrganizationError(_("%(label)s应为 0 到一千万之间的整数", label=label), field)
    if (
        data.headcount is not None
        and data.member_count is not None
        and data.member_count > data.headcount
    ):
        raise OrganizationError(_("会员人数不能多于职工人数"), "member_count")
    if data.counted_on is not None and data.counted_on > date.today():
        raise OrganizationError(_("统计日期不能晚于今天"), "counted_on")
    if (data.headcount is not None or data.member_count is not None) and not data.counted_on:
        raise OrganizationError(_("填写职工人数或会员人数时，请同时填写统计日期"), "counted_on")
    cleaned = OrgData(
        name=name,
        kind=data.kind,
        short_name=_text(data.short_name, SHORT_NAME_MAX, _("简称"), "short_name"),
        code=_text(data.code, CODE_MAX, _("组织代码"), "code"),
        employer=_text(data.employer, EMPLOYER_MAX, _("所属单位"), "employer"),
        credit_code=credit_code,
        ownership=data.ownership,
        industry=_text(data.industry, TEXT_MAX, _("行业"), "industry"),
        is_key_industry=bool(data.is_key_industry),
        region=_text(data.region, TEXT_MAX, _("地区"), "region"),
        headcount=data.headcount,
        member_count=data.member_count,
        counted_on=data.counted_on,
    )
    _check_unique(cleaned, existing)
    return cleaned


def _check_unique(data: OrgData, existing: Organization | None) -> None:
    others = select(Organization.id)
    if existing is not None:
        others = others.where(Organization.id != existing.id)
    if data.code and db.session.scalar(others.where(Organization.code == data.code)):
        raise OrganizationError(_("组织代码“%(code)s”已被使用", code=data.code), "code")
    if data.credit_code and db.session.scalar(
        others.where(Organization.credit_code == data.credit_code)
    ):
        raise OrganizationError(_("该统一社会信用代码已登记在另一个组织"), "credit_code")


# ------------------------------------------------------------------ writes


def _assign(org: Organization, data: OrgData) -> None:
    for f in fields(OrgData):
        setattr(org, f.name, getattr(data, f.name))


def add_organization(
    actor: User | None,
    *,
    name: str,
    kind: OrgKind,
    parent: Organization | None = None,
    audited: bool = True,
    **profile: Any,
) -> Organization:
    """Create an organisation below ``parent`` without scope checks (the demo, tests, imports
    that checked already); ``audited=False`` is for bulk loads that audit once."""
    data = clean(OrgData(name=name, kind=kind, **profile))
    org = Organization(parent=parent, path="")
    _assign(org, data)
    db.session.add(org)
    db.session.flush()  # assigns the id the path is built from
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    db.session.flush()
    if audited:
        audit.record(actor, "organization.create", "organization", org.id, after=snapshot(org))
    return org


def create_organization(actor: User, data: OrgData, parent: Organization | None) -> Organization:
    """Create an organisation as ``actor`` would in the browser: scope and placement checked."""
    if parent is None:
        _require(actor.role is Role.ADMIN)
    else:
        _require(can_manage(actor, parent))
    problem = placement_problem(data.kind, parent)
    if problem:
        raise OrganizationError(problem, "parent")
    return add_organization(actor, parent=parent, **vars(clean(data)))


def update_organization(actor: User, org: Organization, data: OrgData) -> Organization:
    """Change an organisation's profile (not its place in the tree: :func:`move_organization`)."""
    _require(can_manage(actor, org))
    if org.is_closed:
        raise OrganizationError(_("该组织已撤销，不能修改"))
    cleaned = clean(data, existing=org)
    if cleaned.kind is not org.kind:
        problem = placement_problem(cleaned.kind, org.parent)
        if problem:
            raise OrganizationError(problem, "kind")
        for child in org.children:
            if not child.is_closed and placement_problem(child.kind, _as_kind(org, cleaned.kind)):
                raise OrganizationError(
                    _("下级组织“%(name)s”不能设在该类型之下", name=child.name), "kind"
                )
    before = snapshot(org)
    _assign(org, cleaned)
    db.session.flush()
    after = snapshot(org)
    if after != before:
        audit.record(
            actor, "organization.update", "organization", org.id, before=before, after=after
        )
    return org


def _as_kind(org: Organization, kind: OrgKind) -> Organization:
    """A detached stand-in of ``org`` with another kind, for the placement check."""
    return Organization(id=org.id, kind=kind, path=org.path, closed_at=org.closed_at)


def move_organization(
    actor: User, org: Organization, new_parent: Organization, reason: str | None = None
) -> Organization:
    """Move ``org`` and everything below it under ``new_parent``, rewriting the paths at once."""
    _require(can_restructure(actor, org) and can_manage(actor, new_parent))
    if org.contains(new_parent):
        raise OrganizationError(_("不能把组织移到它自己或它的下级之下"), "parent")
    if new_parent.id == org.parent_id:
        raise OrganizationError(_("该组织已在“%(name)s”之下", name=new_parent.name), "parent")
    problem = placement_problem(org.kind, new_parent)
    if problem:
        raise OrganizationError(problem, "parent")
    old_path, before_parent = org.path, org.parent_id
    new_path = f"{new_parent.path}{org.id}/"
    db.session.flush()
    db.session.execute(
        update(Organization)
        .where(Organization.path.startswith(old_path))
        .values(path=literal(new_path, String) + func.substr(Organization.path, len(old_path) + 1))
        .execution_options(synchronize_session=False)
    )
    org.parent_id = new_parent.id
    db.session.flush()
    db.session.expire_all()  # every loaded organisation below may carry its old path
    moved = db.session.scalar(
        select(func.count(Organization.id)).where(Organization.path.startswith(new_path))
    )
    audit.record(
        actor,
        "organization.move",
        "organization",
        org.id,
        before={"parent_id": before_parent, "path": old_path},
        after={"parent_id": new_parent.id, "path": new_path, "subtree": moved},
        reason=(reason or "").strip() or None,
    )
    return db.session.get(Organization, org.id)  # type: ignore[return-value]


def open_work(org: Organization) -> list[str]:
    """What keeps ``org`` from being closed, in sentences (empty: it may be closed)."""
    problems: list[str] = []
    children = db.session.scalar(
        select(func.count(Organization.id)).where(
            Organization.parent_id == org.id, Organization.closed_at.is_(None)
        )
    )
    if children:
        problems.append(_("还有 %(n)s 个未撤销的下级组织", n=children))
    finished = (ContestStatus.PUBLISHED, ContestStatus.ARCHIVED)
    hosted = db.session.scalar(
        select(func.count(Contest.id)).where(
            Contest.organization_id == org.id, Contest.status.not_in(finished)
        )
    )
    if hosted:
        problems.append(_("主办的 %(n)s 项大赛尚未公布成绩", n=hosted))
    entries = db.session.scalar(
        select(func.count(Entry.id))
        .join(Contest, Entry.contest_id == Contest.id)
        .where(Entry.organization_id == org.id, Contest.status.not_in(finished))
    )
    if entries:
        problems.append(_("有 %(n)s 名选手正以该单位名义参赛", n=entries))
    accounts = db.session.scalar(
        select(func.count(User.id)).where(User.organization_id == org.id, User.is_enabled.is_(True))
    )
    if accounts:
        problems.append(_("还有 %(n)s 个启用的账号属于该组织", n=accounts))
    return problems


def close_organization(actor: User, org: Organization, reason: str) -> Organization:
    """Close (撤销) an organisation that has no open work; it stays in history and on honors."""
    _require(can_restructure(actor, org))
    if org.is_closed:
        raise OrganizationError(_("该组织已撤销"))
    text = (reason or "").strip()
    if not text:
        raise OrganizationError(_("请填写撤销原因"), "reason")
    if len(text) > REASON_MAX:
        raise OrganizationError(_("撤销原因不能超过 %(n)s 个字", n=REASON_MAX), "reason")
    problems = open_work(org)
    if problems:
        raise OrganizationError(
            _("不能撤销“%(name)s”：%(problems)s", name=org.name, problems="；".join(problems))
        )
    org.closed_at = utcnow()
    org.closed_reason = text
    db.session.flush()
    audit.record(
        actor, "organization.close", "organization", org.id, after={"closed": True}, reason=text
    )
    return org


def reopen_organization(actor: User, org: Organization) -> Organization:
    """Undo a closing (a union closed by mistake), below an open parent only."""
    _require(can_restructure(actor, org))
    if not org.is_closed:
        raise OrganizationError(_("该组织未撤销"))
    if org.parent is not None and org.parent.is_closed:
        raise OrganizationError(_("上级工会已撤销，请先恢复上级工会"))
    org.closed_at = None
    org.closed_reason = None
    db.session.flush()
    audit.record(actor, "organization.reopen", "organization", org.id, after={"closed": False})
    return org
