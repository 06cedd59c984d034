"""The 参赛名录 of a competition: units, 班组 teams inside a unit, and projects (标段), each
optionally tied to an organisation of the host union's tree, with their track, 备案 date, the
account that fills in their self-assessment, and the people standing for individual titles.

Only registered participants (with a 备案 date) qualify for titles (全总's 2018 guide), and an
优秀建设者 needs a year on site: both are recorded here and read by the titles at the end.
Participants join while the competition runs too (late registrations are common); a
participant who leaves is withdrawn, not deleted, once it has sheets or results, so its past
rounds still read. Every write is audited against the competition and flushes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import aliased, selectinload

from contest.extensions import db
from contest.models import (
    AuditEntry,
    Competition,
    Organization,
    OrgKind,
    Participant,
    ParticipantKind,
    ParticipantMember,
    Person,
    Role,
    RoundResult,
    ScoreSheet,
    Track,
    User,
)
from contest.models.base import utcnow
from contest.services.core.people import PersonData, PersonError, create_person, find_by_id_number
from contest.services.labor.base import (
    LaborError,
    assessor_conflict,
    audited,
    checked_text,
    ensure_open,
    in_host_tree,
    today,
)
from contest.validation import normalise_id_number

NAME_MAX, POST_MAX = 200, 100
# The accounts offered as contacts: the people of a participating union fill in its sheet.
CONTACT_ROLES = (Role.RECOMMENDER, Role.ORGANIZER, Role.REVIEWER, Role.JUDGE)


# ------------------------------------------------------------------ reading


def roster(competition: Competition) -> list[Participant]:
    """The 参赛名录 in order: by track, then units each followed by their teams, withdrawn
    participants last; with tracks, organisations, contacts and members loaded."""
    rows = list(
        db.session.scalars(
            select(Participant)
            .where(Participant.competition_id == competition.id)
            .options(
                selectinload(Participant.track),
                selectinload(Participant.organization),
                selectinload(Participant.contact_user),
                selectinload(Participant.members),
            )
            .order_by(Participant.id)
        )
    )
    track_order = {t.id: t.position for t in competition.tracks}

    def order(p: Participant) -> tuple[Any, ...]:
        unit = p.parent_id or p.id
        return (
            p.withdrawn_at is not None,
            track_order.get(p.track_id or 0, -1),
            unit,
            p.parent_id is not None,
            p.id,
        )

    return sorted(rows, key=order)


def counts(competition: Competition) -> dict[str, int]:
    """Competing participants by kind, and withdrawn ones (the overview's figures)."""
    result = {kind.value: 0 for kind in ParticipantKind}
    result["withdrawn"] = 0
    rows = db.session.execute(
        select(Participant.kind, Participant.withdrawn_at.is_(None), func.count(Participant.id))
        .where(Participant.competition_id == competition.id)
        .group_by(Participant.kind, Participant.withdrawn_at.is_(None))
    )
    for kind, competing, n in rows:
        result[kind.value if competing else "withdrawn"] += int(n)
    return result


def unit_choices(
    competition: Competition, excluding: Participant | None = None
) -> list[Participant]:
    """Competing unit participants a 班组 may belong to."""
    return [
        p
        for p in db.session.scalars(
            select(Participant)
            .where(
                Participant.competition_id == competition.id,
                Participant.kind == ParticipantKind.UNIT,
                Participant.withdrawn_at.is_(None),
            )
            .order_by(Participant.name)
        )
        if excluding is None or p.id != excluding.id
    ]


def org_choices(competition: Competition) -> list[Organization]:
    """Open organisations of the host union's tree a participant may be tied to."""
    return list(
        db.session.scalars(
            select(Organization)
            .where(
                Organization.path.startswith(competition.organization.path),
                Organization.closed_at.is_(None),
            )
            .order_by(Organization.path)
            .limit(3000)
        )
    )


def contact_choices(competition: Competition) -> list[User]:
    """Enabled accounts of the host union's tree (offered in a list; any is typed by name)."""
    return list(
        db.session.scalars(
            select(User)
            .join(Organization, User.organization_id == Organization.id)
            .where(
                Organization.path.startswith(competition.organization.path),
                User.is_enabled.is_(True),
                User.role.in_(CONTACT_ROLES),
            )
            .order_by(User.username)
            .limit(1000)
        )
    )


def find_contact(competition: Competition, username: str) -> User:
    """The account named ``username`` (the contact field takes a user name); LaborError when
    there is none or it is outside the host union's tree."""
    user: User | None = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.is_enabled:
        raise LaborError(_("找不到启用的账号“%(name)s”", name=username.strip()), "contact")
    if user.role is not Role.ADMIN and not in_host_tree(competition, user.organization):
        raise LaborError(
            _("账号“%(name)s”不属于主办工会及其下级单位", name=user.username), "contact"
        )
    return user


# ------------------------------------------------------------------ participants


@dataclass
class ParticipantData:
    name: str
    kind: ParticipantKind = ParticipantKind.UNIT
    track: Track | None = None
    organization: Organization | None = None
    parent: Participant | None = None  # a 班组's unit
    registered_on: date | None = None
    contact: User | None = None


def snapshot(participant: Participant) -> dict[str, Any]:
    return {
        "participant": participant.name,
        "kind": participant.kind.value,
        "track": participant.track.name if participant.track else None,
        "organization_id": participant.organization_id,
        "parent": participant.parent.name if participant.parent else None,
        "registered_on": participant.registered_on,
        "contact": participant.contact_user.username if participant.contact_user else None,
        "withdrawn": participant.withdrawn_at is not None,
    }


def check(
    competition: Competition, data: ParticipantData, participant: Participant | None = None
) -> ParticipantData:
    """``data`` cleaned and checked against the competition (raises LaborError on a field).
    A team takes its unit's organisation and, unless given one, its unit's track."""
    data.name = checked_text(data.name, "name", _("参赛单位名称"), NAME_MAX, required=True)
    clash = db.session.scalar(
        select(Participant.id).where(
            Participant.competition_id == competition.id,
            Participant.name == data.name,
            Participant.id != (participant.id if participant else -1),
        )
    )
    if clash is not None:
        raise LaborError(_("参赛名录中已有“%(name)s”", name=data.name), "name")
    if data.track is not None and data.track.competition_id != competition.id:
        raise LaborError(_("请选择本竞赛的赛道（分组）"), "track")
    if data.kind is ParticipantKind.TEAM:
        parent = data.parent
        if parent is None:
            raise LaborError(_("班组须选择所属的参赛单位"), "parent")
        if (
            parent.competition_id != competition.id
            or parent.kind is not ParticipantKind.UNIT
            or parent.withdrawn_at is not None
            or (participant is not None and parent.id == participant.id)
        ):
            raise LaborError(_("所属单位须是本竞赛参赛名录中的参赛单位"), "parent")
        data.organization = parent.organization
        if data.track is None:
            data.track = parent.track
    else:
        data.parent = None
        if data.organization is not None and not in_host_tree(competition, data.organization):
            raise LaborError(_("所属组织须是主办工会或其下级单位"), "organization")
        if data.organization is not None and data.organization.is_closed:
            raise LaborError(_("该组织已撤销"), "organization")
    if data.registered_on is not None and not 2000 <= data.registered_on.year <= 2100:
        raise LaborError(_("备案日期不正确"), "registered_on")
    if data.contact is not None:
        conflict = assessor_conflict(
            competition, data.contact.id, data.track.id if data.track else None
        )
        if conflict is not None:
            raise LaborError(
                _(
                    "%(name)s 是考评组成员，将考评该单位，不能兼任其自评联系人",
                    name=data.contact.name,
                ),
                "contact",
            )
    return data


def _assign(participant: Participant, data: ParticipantData) -> None:
    participant.name = data.name
    participant.kind = data.kind
    participant.track = data.track
    participant.organization = data.organization
    participant.parent = data.parent
    participant.registered_on = data.registered_on
    participant.contact_user = data.contact


def add_participant(actor: User, competition: Competition, data: ParticipantData) -> Participant:
    ensure_open(competition)
    data = check(competition, data)
    participant = Participant(competition=competition)
    _assign(participant, data)
    db.session.add(participant)
    db.session.flush()
    audited(
        actor,
        "competition.participant.create",
        "competition",
        competition.id,
        after=snapshot(participant),
    )
    return participant


def update_participant(actor: User, participant: Participant, data: ParticipantData) -> None:
    """Edit an entry of the 名录. A unit with teams stays a unit (its teams need it)."""
    competition = participant.competition
    ensure_open(competition)
    data = check(competition, data, participant)
    if data.kind is not ParticipantKind.UNIT and teams_of(participant):
        raise LaborError(_("该单位下还有班组，不能改为其他类型"), "kind")
    before = snapshot(participant)
    _assign(participant, data)
    for team in teams_of(participant):  # a team's organisation is its unit's
        team.organization = participant.organization
    db.session.flush()
    audited(
        actor,
        "competition.participant.update",
        "competition",
        competition.id,
        before=before,
        after=snapshot(participant),
    )


def teams_of(participant: Participant) -> list[Participant]:
    return list(
        db.session.scalars(
            select(Participant)
            .where(Participant.parent_id == participant.id)
            .order_by(Participant.id)
        )
    )


def withdraw_participant(actor: User, participant: Participant, reason: str | None = None) -> None:
    """退出竞赛: kept in the 名录 (its past rounds still read), no longer assessed or ranked;
    a unit's teams withdraw with it."""
    competition = participant.competition
    ensure_open(competition)
    if participant.withdrawn_at is not None:
        raise LaborError(_("“%(name)s”已退出竞赛", name=participant.name))
    now = utcnow()
    names = [participant.name]
    participant.withdrawn_at = now
    for team in teams_of(participant):
        if team.withdrawn_at is None:
            team.withdrawn_at = now
            names.append(team.name)
    db.session.flush()
    audited(
        actor,
        "competition.participant.withdraw",
        "competition",
        competition.id,
        after={"participants": names},
        reason=(reason or "").strip() or None,
    )


def reinstate_participant(actor: User, participant: Participant) -> None:
    """Undo a withdrawal (a team only while its unit competes)."""
    competition = participant.competition
    ensure_open(competition)
    if participant.withdrawn_at is None:
        raise LaborError(_("“%(name)s”没有退出竞赛", name=participant.name))
    if participant.parent is not None and participant.parent.withdrawn_at is not None:
        raise LaborError(_("所属单位已退出竞赛，请先恢复单位"))
    participant.withdrawn_at = None
    db.session.flush()
    audited(
        actor,
        "competition.participant.reinstate",
        "competition",
        competition.id,
        after={"participant": participant.name},
    )


def has_records(participant: Participant) -> bool:
    """Whether any sheet or result is about the participant (or its teams)."""
    ids = [participant.id, *(t.id for t in teams_of(participant))]
    sheet = db.session.scalar(
        select(ScoreSheet.id).where(ScoreSheet.participant_id.in_(ids)).limit(1)
    )
    result = db.session.scalar(
        select(RoundResult.id).where(RoundResult.participant_id.in_(ids)).limit(1)
    )
    return sheet is not None or result is not None


def delete_participant(actor: User, participant: Participant) -> None:
    """Remove an entry typed by mistake (with its teams and members); one with sheets or
    results is withdrawn instead."""
    competition = participant.competition
    ensure_open(competition)
    if has_records(participant):
        raise LaborError(
            _("“%(name)s”已有评分表或成绩，不能删除，可办理退出", name=participant.name)
        )
    teams = teams_of(participant)
    before = {**snapshot(participant), "teams": [t.name for t in teams]}
    for team in teams:
        db.session.delete(team)
    db.session.delete(participant)
    db.session.flush()
    audited(actor, "competition.participant.delete", "competition", competition.id, before=before)


# ------------------------------------------------------------------ members


@dataclass
class MemberData:
    name: str
    id_number: str
    post: str | None = None
    on_site_since: date | None = None


def _member_snapshot(member: ParticipantMember) -> dict[str, Any]:
    return {
        "participant": member.participant.name,
        "person_id": member.person_id,
        "name": member.person.name,
        "post": member.post,
        "on_site_since": member.on_site_since,
    }


def _member_person(actor: User, participant: Participant, data: MemberData) -> Person:
    """The person the ID number names, registered in the people table when new (in the
    participant's organisation); the name must match a known person's."""
    name = checked_text(data.name, "name", _("姓名"), 60, required=True)
    try:
        number = normalise_id_number(data.id_number)
    except ValueError as error:
        raise LaborError(str(error), "id_number") from None
    person = find_by_id_number(number)
    if person is not None:
        if person.name != name:
            raise LaborError(_("该身份证号已登记为另一姓名的职工，请核对"), "id_number")
        return person
    try:
        return create_person(
            actor, PersonData(name=name, organization=participant.organization, id_number=number)
        )
    except PersonError as error:
        raise LaborError(str(error), error.field) from None


def _check_member(participant: Participant, data: MemberData) -> None:
    data.post = checked_text(data.post, "post", _("岗位"), POST_MAX, required=False) or None
    if data.on_site_since is not None and not 1950 <= data.on_site_since.year <= 2100:
        raise LaborError(_("进场日期不正确"), "on_site_since")


def add_member(actor: User, participant: Participant, data: MemberData) -> ParticipantMember:
    """A person standing for an individual title (优秀建设者) with their post and the day they
    came on site; a person is listed once per competition."""
    competition = participant.competition
    ensure_open(competition)
    _check_member(participant, data)
    person = _member_person(actor, participant, data)
    elsewhere = db.session.scalar(
        select(Participant.name)
        .join(ParticipantMember, ParticipantMember.participant_id == Participant.id)
        .where(
            Participant.competition_id == competition.id, ParticipantMember.person_id == person.id
        )
    )
    if elsewhere is not None:
        raise LaborError(
            _("%(name)s 已是“%(unit)s”的参赛人员", name=person.name, unit=elsewhere), "id_number"
        )
    member = ParticipantMember(
        participant=participant, person=person, post=data.post, on_site_since=data.on_site_since
    )
    db.session.add(member)
    db.session.flush()
    audited(
        actor,
        "competition.member.create",
        "competition",
        competition.id,
        after=_member_snapshot(member),
    )
    return member


def update_member(
    actor: User, member: ParticipantMember, post: str | None, on_site_since: date | None
) -> None:
    competition = member.participant.competition
    ensure_open(competition)
    data = MemberData(member.person.name, "", post, on_site_since)
    _check_member(member.participant, data)
    before = _member_snapshot(member)
    member.post = data.post
    member.on_site_since = data.on_site_since
    db.session.flush()
    audited(
        actor,
        "competition.member.update",
        "competition",
        competition.id,
        before=before,
        after=_member_snapshot(member),
    )


def remove_member(actor: User, member: ParticipantMember) -> None:
    competition = member.participant.competition
    ensure_open(competition)
    before = _member_snapshot(member)
    member.participant.members.remove(member)
    db.session.delete(member)
    db.session.flush()
    audited(actor, "competition.member.delete", "competition", competition.id, before=before)


# ------------------------------------------------------------------ the unions of a subtree

# A rating runs "over the unions of a subtree" (issue 12 item 7): the organizer adds them in
# one step instead of one form (or one spreadsheet row) each.
SUBTREE_MAX = 5000
# The kinds of union offered, from the city level down (nobody rates a 省总 or 全总 here).
SUBTREE_KINDS = (
    OrgKind.CITY,
    OrgKind.DISTRICT,
    OrgKind.TOWNSHIP,
    OrgKind.INDUSTRY,
    OrgKind.GRASSROOTS,
    OrgKind.JOINT,
)
# The kind of union each built-in rating template is written for (seed 001's 县(市、区),
# 乡镇(街道) and 基层 standards; a 模范职工之家 is a grassroots union's).
TEMPLATE_ORG_KINDS: dict[str, OrgKind] = {
    "six_good_county": OrgKind.DISTRICT,
    "six_good_township": OrgKind.TOWNSHIP,
    "six_good_grassroots": OrgKind.GRASSROOTS,
    "workers_home_model": OrgKind.GRASSROOTS,
}
# The audit actions that replace a competition's whole indicator sheet.
_SHEET_REPLACED = ("competition.indicators.template", "competition.indicators.import")


@dataclass(frozen=True)
class SubtreeChoice:
    """Which unions to add: those of ``kinds`` at or below ``root``, and with ``with_figures``
    only those whose 会员人数 and 职工人数 are on file (a rating's 入会率 needs both)."""

    root: Organization
    kinds: tuple[OrgKind, ...]
    with_figures: bool = False


@dataclass
class SubtreePlan:
    """What adding a subtree would do: the unions to add, in tree order, and how many of the
    chosen kinds are skipped and why (each counted once, under the first reason that holds)."""

    choice: SubtreeChoice
    adding: list[tuple[int, str]] = field(default_factory=list)  # (organisation id, name)
    existing: int = 0  # already in the 名录 (competing or withdrawn)
    closed: int = 0  # 已撤销
    no_figures: int = 0  # 会员人数 or 职工人数 missing, when only those with both are asked for
    same_name: list[str] = field(default_factory=list)  # the 名录 already holds that name

    @property
    def skipped(self) -> int:
        return self.existing + self.closed + self.no_figures + len(self.same_name)

    @property
    def too_many(self) -> bool:
        return len(self.adding) > SUBTREE_MAX


def subtree_roots(competition: Competition) -> list[Organization]:
    """The unions a subtree may start from: the host and the open unions of its tree that have
    unions below them (a leaf is added with the one-by-one form)."""
    child = aliased(Organization)
    has_children = (
        select(child.id)
        .where(child.parent_id == Organization.id, child.closed_at.is_(None))
        .exists()
    )
    rows = db.session.scalars(
        select(Organization)
        .where(
            Organization.path.startswith(competition.organization.path),
            Organization.closed_at.is_(None),
            or_(Organization.id == competition.organization_id, has_children),
        )
        .order_by(Organization.path)
        .limit(3000)
    )
    return sorted(rows, key=lambda org: org.path_ids)


def suggested_kinds(competition: Competition) -> tuple[OrgKind, ...]:
    """The kinds to tick first: the one the applied 六好 / 职工之家 template is written for
    (read from the audit entry of the last sheet replacement), else grassroots unions."""
    entry = db.session.execute(
        select(AuditEntry.action, AuditEntry.after)
        .where(
            AuditEntry.action.in_(_SHEET_REPLACED),
            AuditEntry.target_type == "competition",
            AuditEntry.target_id == str(competition.id),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    key = None
    if entry is not None and entry.action == _SHEET_REPLACED[0] and entry.after:
        try:
            key = json.loads(entry.after).get("template")
        except (ValueError, AttributeError):
            key = None
    kind = TEMPLATE_ORG_KINDS.get(key) if isinstance(key, str) else None
    return (kind or OrgKind.GRASSROOTS,)


def subtree_plan(competition: Competition, choice: SubtreeChoice) -> SubtreePlan:
    """The preview of :func:`add_subtree` (reads only). Refuses a union outside the host's
    tree, a closed one, and no kind ticked."""
    root = choice.root
    if not in_host_tree(competition, root):
        raise LaborError(_("所选工会须是主办工会或其下级单位"), "organization")
    if root.is_closed:
        raise LaborError(_("该组织已撤销"), "organization")
    if not choice.kinds:
        raise LaborError(_("请至少选择一种工会类型"), "kinds")
    rows = db.session.execute(
        select(
            Organization.id,
            Organization.name,
            Organization.path,
            Organization.closed_at,
            Organization.headcount,
            Organization.member_count,
        ).where(
            Organization.path.startswith(root.path),
            Organization.kind.in_(choice.kinds),
        )
    ).all()
    taken = db.session.execute(
        select(Participant.organization_id, Participant.name).where(
            Participant.competition_id == competition.id
        )
    ).all()
    in_roster = {org_id for org_id, _name in taken if org_id is not None}
    names = {name for _org_id, name in taken}
    plan = SubtreePlan(choice)
    for row in sorted(rows, key=lambda r: [int(part) for part in r.path.strip("/").split("/")]):
        if row.id in in_roster:
            plan.existing += 1
        elif row.closed_at is not None:
            plan.closed += 1
        elif choice.with_figures and (row.headcount is None or row.member_count is None):
            plan.no_figures += 1
        elif row.name in names:
            plan.same_name.append(row.name)
        else:
            names.add(row.name)
            plan.adding.append((row.id, row.name))
    return plan


def subtree_refusal(plan: SubtreePlan) -> str | None:
    """Why the planned unions cannot be added (none to add, or more than :data:`SUBTREE_MAX`:
    one transaction and one preview stay a size an office can check), or None."""
    if plan.too_many:
        return str(
            _(
                "一次最多添加 %(max)s 个工会，所选范围内有 %(n)s 个；"
                "请选择下一级工会或减少工会类型，分批添加",
                max=f"{SUBTREE_MAX:,}",
                n=f"{len(plan.adding):,}",
            )
        )
    if not plan.adding:
        return str(_("所选范围内没有可以列入参赛名录的工会"))
    return None


def add_subtree(actor: User, competition: Competition, choice: SubtreeChoice) -> SubtreePlan:
    """List the unions of a subtree in the 名录 in one transaction: each as a unit named after
    its organisation, tied to it and registered (备案) today; unions already listed, closed,
    without their figures (when asked) or whose name the 名录 holds are skipped. At most
    :data:`SUBTREE_MAX` at a time; audited once with the counts."""
    ensure_open(competition)
    plan = subtree_plan(competition, choice)
    refusal = subtree_refusal(plan)
    if refusal is not None:
        raise LaborError(refusal, "organization")
    day = today()
    db.session.execute(
        insert(Participant),
        [
            {
                "competition_id": competition.id,
                "kind": ParticipantKind.UNIT,
                "name": name,
                "organization_id": org_id,
                "registered_on": day,
            }
            for org_id, name in plan.adding
        ],
    )
    db.session.flush()
    audited(
        actor,
        "competition.participants.subtree",
        "competition",
        competition.id,
        after={
            "organization_id": choice.root.id,
            "kinds": [kind.value for kind in choice.kinds],
            "with_figures": choice.with_figures,
            "added": len(plan.adding),
            "skipped_existing": plan.existing,
            "skipped_closed": plan.closed,
            "skipped_no_figures": plan.no_figures,
            "skipped_same_name": plan.same_name[:200],
            "registered_on": day,
            "participants": [name for _org_id, name in plan.adding][:200],
        },
    )
    return plan
