"""Registration (报名): entrants into a contest's events, by form or by an Excel/CSV import.

Entrants are people from the database, matched by 身份证号 (blind index) or created. Every
candidate goes through the same checks, whether typed into the form or read from a file row:

- the contest is open for registration (status REGISTRATION) and the event's 参赛号 are not
  drawn yet (a late entrant would otherwise have no code);
- a valid 身份证号 (GB 11643 checksum), a gender that agrees with it when given, a valid phone;
- the unit lies in the host union's tree; the event belongs to the contest;
- one entry per person per contest (the database enforces it too);
- a 身份证号 already on record for a worker outside the registering user's organisations is
  refused with one message, whatever the name typed, naming no one: the form is no oracle for
  whose number it is or where that worker is recorded (the user asks the union above, which
  can see both);
- per-unit quota per event (``Event.quota_per_unit``), counted per *报名单位*: the host's
  direct sub-union the unit lies under, so an enterprise and its workshops share one quota;
- age limits (``Event.min_age/max_age``) on the contest's first day, from the ID's birth date;
- a team event (团体项目, ``Event.is_team``) takes teams only, an individual event individuals:
  a team has a name and ``team_min``..``team_max`` members (captain first), each checked as an
  entrant, none twice, and counts once against the unit's quota.

An import is all-or-nothing: every row is checked, every problem is reported (row, column,
message) and nothing is written unless the whole file is clean. Personal numbers never appear
in a message or the audit trail; a report names the row, not the number.

Why one module of ~700 lines: the form and the import are one subject — the import is the
form's check and write (``_check``, ``_write``, sharing one ``_Context`` of quotas and people
already seen) applied to every row — and splitting them would expose that plan and context as
an interface for no second user. Reading the file itself is ``core.spreadsheets``.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import func, select

from contest.extensions import db
from contest.models import (
    Contest,
    ContestStatus,
    Entry,
    EntryMember,
    EntryStatus,
    Event,
    EventGroup,
    Gender,
    Organization,
    Person,
    User,
)
from contest.services.core import audit
from contest.services.core.batches import ORM_BATCH_ROWS, Batches, UndoNote, chunks
from contest.services.core.people import (
    PersonData,
    PersonError,
    create_person,
    find_by_id_number,
    parse_gender,
)
from contest.services.core.spreadsheets import (
    RowError,
    SheetRefused,
    read_sheet,
    template_xlsx,
)
from contest.services.skills.policies import team_total_of
from contest.validation import (
    birth_date_from_id,
    gender_from_id,
    id_check_digit,
    normalise_id_number,
    normalise_phone,
    text_problems,
)

# ------------------------------------------------------------------ the file format

COL_NAME, COL_ID, COL_GENDER, COL_UNIT = "姓名", "身份证号", "性别", "单位"
COL_OCCUPATION, COL_GROUP, COL_CODE = "赛项（工种）", "组别", "赛项代码"
COL_PHONE, COL_POST, COL_TEAM = "联系电话", "岗位", "队名"

TEMPLATE_HEADERS = (
    COL_NAME,
    COL_ID,
    COL_GENDER,
    COL_UNIT,
    COL_OCCUPATION,
    COL_GROUP,
    COL_CODE,
    COL_PHONE,
    COL_POST,
    COL_TEAM,
)
REQUIRED_HEADERS = (COL_NAME, COL_ID, COL_UNIT)
# Headers people type differently; each maps to the canonical one.
HEADER_ALIASES = {"赛项": COL_OCCUPATION, "工种": COL_OCCUPATION, "手机": COL_PHONE}

# Form field → import column, so one set of checks reports in either vocabulary.
FIELD_COLUMNS = {
    "name": COL_NAME,
    "id_number": COL_ID,
    "gender": COL_GENDER,
    "phone": COL_PHONE,
    "organization_id": COL_UNIT,
    "event_id": COL_OCCUPATION,
    "post": COL_POST,
    "team_name": COL_TEAM,
    "": "",
}

NAME_MAX, POST_MAX, TEAM_NAME_MAX = 60, 100, 60
# DOMAIN §1.9: a team entry has 2 to 5 members; an event sets its own bounds within these.
TEAM_SIZE_MIN, TEAM_SIZE_MAX = 2, 5
_GROUP_WORDS = {
    EventGroup.WORKER: ("职工组", "职工"),
    EventGroup.STUDENT: ("学生组", "学生"),
}


# ------------------------------------------------------------------ errors and data


class RegistrationError(ValueError):
    """A refused registration; ``problems`` maps form fields ("" = the form) to messages."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("；".join(problems.values()))
        self.problems = problems


class EntryImportRefused(SheetRefused):
    """The file was refused; nothing was written. ``errors`` lists every problem found."""


@dataclass
class EntrantData:
    """One candidate entrant as typed or read; ids refer to the contest's tree and events."""

    name: str
    id_number: str
    organization_id: int | None
    event_id: int | None
    gender: Gender | None = None
    phone: str | None = None
    post: str | None = None
    # A team event's entrant: the team's name (the same for all of its members).
    team_name: str | None = None


@dataclass
class TeamData:
    """A team as typed: its name, unit and event, and its members with the captain first."""

    team_name: str
    organization_id: int | None
    event_id: int | None
    members: list[EntrantData]


@dataclass(frozen=True)
class ImportResult:
    rows: int
    entries_created: int
    people_created: int
    people_matched: int
    file_sha256: str


@dataclass
class _Plan:
    """A checked candidate: what will be written."""

    data: EntrantData
    id_number: str
    person: Person | None
    unit: Organization
    event: Event
    phone: str | None


@dataclass
class _Context:
    """What every check of one contest needs, loaded once (an import checks many rows)."""

    contest: Contest
    units: dict[int, Organization]
    events: dict[int, Event]
    day: date
    # Who registers: people recorded outside their organisations are not theirs to see.
    actor: User | None = None
    # Non-withdrawn entries per (event id, 报名单位 id), including candidates planned so far.
    quota_used: Counter[tuple[int, int]] = field(default_factory=Counter)
    registered_people: set[int] = field(default_factory=set)
    # Member-scored teams (event id, unit id, 队名) so far: a team is its members' entries, so
    # its name must be unique in its unit and event, and it counts once against the quota.
    member_teams: set[tuple[int, int, str]] = field(default_factory=set)


# ------------------------------------------------------------------ helpers


def host_units(contest: Contest) -> list[Organization]:
    """The host union and everything below it, in tree order: the units that may register."""
    return list(
        db.session.scalars(
            select(Organization)
            .where(Organization.path.startswith(contest.organization.path))
            .order_by(Organization.path)
        )
    )


def delegation_of(contest: Contest, unit: Organization) -> int:
    """The 报名单位 a unit registers under: the host's direct sub-union above it (or the host)."""
    host_depth = contest.organization.path.count("/")
    parts = [part for part in unit.path.strip("/").split("/") if part]
    index = host_depth - 1  # the path "/1/4/" has the host at index depth-2; its child at depth-1
    return int(parts[index]) if len(parts) > index else unit.id


def age_on(birth: date, day: date) -> int:
    """Full years of age on ``day`` (birthday not yet reached that year: one less)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def competition_day(contest: Contest) -> date:
    """Ages are counted on the contest's first day (today when no date is set yet)."""
    return contest.starts_on or date.today()


def registration_problem(contest: Contest, event: Event | None = None) -> str | None:
    """Why no entry can be added now, or None when registration is open."""
    if contest.status is not ContestStatus.REGISTRATION:
        return _(
            "大赛当前状态为“%(status)s”，只有在“报名中”时才能报名",
            status=contest.status.label,
        )
    if event is not None and event.entry_drawn_at is not None:
        return _("赛项“%(event)s”已抽取参赛号，不再接受报名", event=event.label)
    return None


def lock_contest(contest: Contest) -> None:
    """Registrations and draws of one contest run one at a time, each on fresh data.

    On PostgreSQL two requests would otherwise check against the same committed state and
    both write: the second then fails on a unique index (the same person twice: a 500) or
    silently overruns a quota, which no index guards. The contest row is locked until the
    commit, and the contest and its events are re-read after the wait (status, draw times,
    quotas may have changed meanwhile). SQLite writers are already serialised by ``BEGIN
    IMMEDIATE``; there ``FOR UPDATE`` is not emitted.
    """
    fresh = {"populate_existing": True}  # the rows must be fetched for this to refresh them
    db.session.scalars(
        select(Contest).where(Contest.id == contest.id).with_for_update().execution_options(**fresh)
    ).one()
    db.session.scalars(
        select(Event).where(Event.contest_id == contest.id).execution_options(**fresh)
    ).all()


def _context(contest: Contest, actor: User | None, *, lock: bool = True) -> _Context:
    """What the checks need, read after taking the contest's lock (see :func:`lock_contest`).

    An import checks its whole file with ``lock=False`` (reading only, so nobody waits for it)
    and checks each batch again under the lock before writing it.
    """
    if lock:
        lock_contest(contest)
    ctx = _Context(
        actor=actor,
        contest=contest,
        units={unit.id: unit for unit in host_units(contest)},
        events={event.id: event for event in contest.events},
        day=competition_day(contest),
    )
    members = select(EntryMember.person_id).where(EntryMember.contest_id == contest.id)
    ctx.registered_people.update(db.session.scalars(members))
    rows = db.session.execute(
        select(
            Entry.event_id, Entry.organization_id, Entry.person_id, Entry.status, Entry.team_name
        ).where(Entry.contest_id == contest.id)
    )
    for event_id, org_id, person_id, status, team_name in rows:
        ctx.registered_people.add(person_id)
        if team_name and event_id in ctx.events and team_total_of(ctx.events[event_id]):
            if (event_id, org_id, team_name) in ctx.member_teams:
                continue  # the team's other members: the team was counted once
            ctx.member_teams.add((event_id, org_id, team_name))
        if status is not EntryStatus.WITHDRAWN and org_id in ctx.units:
            ctx.quota_used[(event_id, delegation_of(contest, ctx.units[org_id]))] += 1
    return ctx


def _check(
    ctx: _Context, data: EntrantData, *, counted: bool = True
) -> tuple[dict[str, str], _Plan | None]:
    """Every problem of one candidate (field → message) and, when there is none, its plan.

    Quota use is counted into ``ctx`` only for a clean candidate, so the rows of a file are
    checked against the entries before them. A team counts once: its members after the
    captain are checked with ``counted=False``.
    """
    problems: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        problems["name"] = _("请填写姓名")
    elif len(name) > NAME_MAX:
        problems["name"] = _("姓名不能超过 %(n)d 个字符", n=NAME_MAX)
    if data.post and len(data.post.strip()) > POST_MAX:
        problems["post"] = _("岗位不能超过 %(n)d 个字符", n=POST_MAX)
    for key, problem in text_problems({"name": name, "post": data.post}).items():
        problems.setdefault(key, problem)

    number: str | None = None
    person: Person | None = None
    try:
        number = normalise_id_number(data.id_number if data.id_number is not None else "")
    except ValueError as error:
        problems["id_number"] = str(error)
    if number is not None:
        if data.gender is not None and data.gender.value != gender_from_id(number):
            problems["gender"] = _("性别与身份证号不符")
        person = find_by_id_number(number)
        if person is not None:
            if person.id in ctx.registered_people:
                # The contest's entrants are all on this user's lists: nothing new is told.
                problems["id_number"] = _("该身份证号已报名本次大赛（每人只能报一个赛项）")
            elif ctx.actor is not None and not ctx.actor.can_manage_org(person.organization):
                problems["id_number"] = _("该身份证号已被登记，请联系上级工会核实")
            elif name and person.name != name:
                problems["id_number"] = _(
                    "该身份证号在职工库中登记的姓名与所填姓名不一致，请核对姓名和身份证号"
                )

    phone = None
    if data.phone and data.phone.strip():
        try:
            phone = normalise_phone(data.phone)
        except ValueError as error:
            problems["phone"] = str(error)

    unit = ctx.units.get(data.organization_id or 0)
    if unit is None:
        problems["organization_id"] = _(
            "单位不属于主办工会“%(host)s”及其下属组织", host=ctx.contest.organization.name
        )
    event = ctx.events.get(data.event_id or 0)
    if event is None:
        problems["event_id"] = _("赛项不属于本次大赛")
    else:
        closed = registration_problem(ctx.contest, event)
        if closed:
            problems["event_id"] = closed
        kind = _kind_problem(event, data)
        if kind:  # a missing or misplaced 队名: reported on the team's name (the 队名 column)
            problems["team_name"] = kind
        if number is not None and "id_number" not in problems:
            age = age_on(birth_date_from_id(number), ctx.day)
            if event.min_age is not None and age < event.min_age:
                problems["id_number"] = _(
                    "年龄不符合要求：比赛首日 %(age)d 周岁，赛项要求不小于 %(min)d 周岁",
                    age=age,
                    min=event.min_age,
                )
            elif event.max_age is not None and age > event.max_age:
                problems["id_number"] = _(
                    "年龄不符合要求：比赛首日 %(age)d 周岁，赛项要求不大于 %(max)d 周岁",
                    age=age,
                    max=event.max_age,
                )
        team = _member_team(event, unit, data) if counted else None
        if team is not None and team in ctx.member_teams:
            problems["team_name"] = _(
                "“%(unit)s”在本赛项已有名为“%(team)s”的团队，请换一个队名",
                unit=unit.name if unit else "",
                team=team[2],
            )
        if counted and unit is not None and event.quota_per_unit is not None:
            key = (event.id, delegation_of(ctx.contest, unit))
            if ctx.quota_used[key] >= event.quota_per_unit:
                delegation = ctx.units.get(key[1], unit)
                problems["organization_id"] = _(
                    "名额已满：“%(unit)s”在赛项“%(event)s”限报 %(quota)d 人，已报 %(used)d 人",
                    unit=delegation.name,
                    event=event.label,
                    quota=event.quota_per_unit,
                    used=ctx.quota_used[key],
                )
    if problems or number is None or unit is None or event is None:
        return problems, None
    if counted:
        ctx.quota_used[(event.id, delegation_of(ctx.contest, unit))] += 1
        if team is not None:
            ctx.member_teams.add(team)
    if person is not None:
        ctx.registered_people.add(person.id)
    return problems, _Plan(data, number, person, unit, event, phone)


def _member_team(
    event: Event, unit: Organization | None, data: EntrantData
) -> tuple[int, int, str] | None:
    """The (event, unit, 队名) of a member-scored team's candidate; None for any other."""
    name = (data.team_name or "").strip()
    if unit is None or not name or not team_total_of(event):
        return None
    return (event.id, unit.id, name)


def _kind_problem(event: Event, data: EntrantData) -> str | None:
    """A team in an individual event, or an individual in a team event."""
    if event.is_team and not data.team_name:
        return _("“%(event)s”是团体项目，请按团队报名并填写队名", event=event.label)
    if not event.is_team and data.team_name:
        return _("“%(event)s”是个人项目，不能按团队报名", event=event.label)
    return None


def team_size_problem(event: Event, size: int, team_name: str) -> str | None:
    """Why a team of ``size`` members cannot enter ``event`` (None: it can)."""
    low, high = event.team_min or TEAM_SIZE_MIN, event.team_max or TEAM_SIZE_MAX
    if low <= size <= high:
        return None
    return _(
        "团队“%(team)s”有 %(size)d 人；本项目每队 %(low)d–%(high)d 人",
        team=team_name,
        size=size,
        low=low,
        high=high,
    )


def _release(ctx: _Context, plan: _Plan, *, counted: bool = True) -> None:
    """Undo what :func:`_check` counted for a candidate that is refused after all."""
    if counted:
        ctx.quota_used[(plan.event.id, delegation_of(ctx.contest, plan.unit))] -= 1
        team = _member_team(plan.event, plan.unit, plan.data)
        if team is not None:
            ctx.member_teams.discard(team)
    if plan.person is not None:
        ctx.registered_people.discard(plan.person.id)


def _snapshot(entry: Entry) -> dict[str, object]:
    """The audited view of an entry: ids and codes, never a personal number."""
    return {
        "contest_id": entry.contest_id,
        "event_id": entry.event_id,
        "person_id": entry.person_id,
        "organization_id": entry.organization_id,
        "status": entry.status.value,
        "entry_code": entry.entry_code,
        "seat_code": entry.seat_code,
        **(
            {"team_name": entry.team_name, "members": [m.person_id for m in entry.members]}
            if entry.team_name
            else {}
        ),
    }


def _person(actor: User | None, plan: _Plan) -> tuple[Person, bool]:
    """The planned person, created when the 身份证号 is new; True when created."""
    person = plan.person
    created = person is None
    if person is None:
        try:
            person = create_person(
                actor,
                PersonData(
                    name=plan.data.name.strip(),
                    organization=plan.unit,
                    gender=plan.data.gender,
                    id_number=plan.id_number,
                    phone=plan.phone or "",
                    occupation=plan.event.occupation,
                    post=(plan.data.post or "").strip() or None,
                ),
            )
        except PersonError as error:  # checked above; kept so a race still says something clear
            raise RegistrationError({error.field: str(error)}) from None
    return person, created


def _write(
    actor: User | None, plans: list[_Plan], contest: Contest
) -> tuple[list[Entry], list[int]]:
    """Create (or reuse) the people and the entries: an individual; a team scored as one (the
    captain's entry, the others its members); or a member-scored team, one entry per member
    under the team's name, captain first, so each member is drawn, checked in and scored on
    their own. Returns the entries and the ids of the people created."""
    created: list[int] = []
    people = []
    for plan in plans:
        person, new = _person(actor, plan)
        people.append(person)
        if new:
            created.append(person.id)
    first = plans[0]
    split = team_total_of(first.event) is not None
    entries = [
        Entry(
            contest_id=contest.id,
            event_id=first.event.id,
            person_id=person.id,
            organization_id=first.unit.id,
            status=EntryStatus.REGISTERED,
            registered_by_id=actor.id if actor is not None else None,
            team_name=(first.data.team_name or "").strip() or None,
        )
        for person in (people if split else people[:1])
    ]
    db.session.add_all(entries)
    db.session.flush()
    for position, person in enumerate([] if split else people[1:], start=1):
        db.session.add(
            EntryMember(
                entry_id=entries[0].id,
                contest_id=contest.id,
                person_id=person.id,
                position=position,
            )
        )
    db.session.flush()
    for entry in entries:
        audit.record(actor, "entry.create", "entry", entry.id, after=_snapshot(entry))
    return entries, created


# ------------------------------------------------------------------ the form


def register_entry(actor: User | None, contest: Contest, data: EntrantData) -> Entry:
    """Register one entrant; raises :class:`RegistrationError` with every problem found."""
    ctx = _context(contest, actor)
    problems, plan = _check(ctx, data)
    if problems or plan is None:
        raise RegistrationError(problems or {"": _("报名失败")})
    entries, _created = _write(actor, [plan], contest)
    return entries[0]


def member_field(index: int, name: str) -> str:
    """The problem key of a team member's field: ``members-<index>-<name>`` (the form's)."""
    return f"members-{index}-{name}"


def register_team(actor: User | None, contest: Contest, team: TeamData) -> Entry:
    """Register a team into a team event: one entry, the first member its captain (a
    member-scored team: one entry per member, see :func:`_write`; the captain's is returned).

    Every member is checked as an entrant (ID, unit, age, one entry per person per contest);
    the team needs a name and a size within the event's bounds, and counts once against the
    unit's quota. Raises :class:`RegistrationError` with every problem, members' problems
    keyed by :func:`member_field`.
    """
    ctx = _context(contest, actor)
    name = (team.team_name or "").strip()
    problems: dict[str, str] = {}
    if not name:
        problems["team_name"] = _("请填写队名")
    elif len(name) > TEAM_NAME_MAX:
        problems["team_name"] = _("队名不能超过 %(n)d 个字符", n=TEAM_NAME_MAX)
    else:
        problems.update(text_problems({"team_name": name}))
    event = ctx.events.get(team.event_id or 0)
    if event is not None and event.is_team:
        size = team_size_problem(event, len(team.members), name or "")
        if size:
            problems[""] = size
    plans: list[_Plan] = []
    seen: dict[str, int] = {}
    for index, member in enumerate(team.members):
        data = EntrantData(
            name=member.name,
            id_number=member.id_number,
            organization_id=team.organization_id,
            event_id=team.event_id,
            gender=member.gender,
            phone=member.phone,
            post=member.post,
            team_name=name or "-",
        )
        found, plan = _check(ctx, data, counted=index == 0)
        if plan is not None:
            plans.append(plan)
            if plan.id_number in seen:
                first = seen[plan.id_number] + 1
                found["id_number"] = _("与第 %(n)d 名队员的身份证号相同", n=first)
            seen.setdefault(plan.id_number, index)
        for key, message in found.items():
            if key in ("organization_id", "event_id", "team_name"):
                problems.setdefault(key, message)
            else:
                problems[member_field(index, key)] = message
    if problems or len(plans) != len(team.members) or not plans:
        raise RegistrationError(problems or {"": _("报名失败")})
    entries, _created = _write(actor, plans, contest)
    return entries[0]


def withdraw_entry(actor: User | None, entry: Entry, reason: str) -> Entry:
    """退赛 / 缺考: the entry stays on record (and keeps its codes) but is no longer ranked."""
    reason = (reason or "").strip()
    if not reason:
        raise RegistrationError({"reason": _("退赛必须填写原因")})
    if len(reason) > 1000:
        raise RegistrationError({"reason": _("原因不能超过 1000 个字符")})
    if entry.status is EntryStatus.WITHDRAWN:
        raise RegistrationError({"": _("该选手已退赛")})
    contest = entry.contest
    if contest.status not in (ContestStatus.REGISTRATION, ContestStatus.JUDGING):
        raise RegistrationError(
            {
                "": _(
                    "大赛当前状态为“%(status)s”，只有在报名或比赛阶段才能办理退赛",
                    status=contest.status.label,
                )
            }
        )
    if entry.event.is_signed_off:
        raise RegistrationError({"": _("该赛项裁判长已签字确认成绩，不能再办理退赛")})
    before = _snapshot(entry)
    entry.status = EntryStatus.WITHDRAWN
    db.session.flush()
    audit.record(
        actor,
        "entry.withdraw",
        "entry",
        entry.id,
        before=before,
        after=_snapshot(entry),
        reason=reason,
    )
    return entry


# ------------------------------------------------------------------ the import


def parse_group(raw: str) -> EventGroup | None:
    """职工组 / 学生组 (or 职工 / 学生, or the enum value); None for an empty cell."""
    value = raw.strip().replace(" ", "")
    if not value:
        return None
    for group, words in _GROUP_WORDS.items():
        if value in words or value.lower() == group.value:
            return group
    raise ValueError(_("组别应为 职工组 或 学生组"))


def _unit_index(units: Iterable[Organization]) -> dict[str, list[Organization]]:
    """Units by full name and by short name (a name may match more than one unit)."""
    index: dict[str, list[Organization]] = {}
    for unit in units:
        for key in {unit.name.strip(), (unit.short_name or "").strip()} - {""}:
            index.setdefault(key, []).append(unit)
    return index


def _match_event(
    events: list[Event], occupation: str, group_raw: str, code: str
) -> tuple[Event | None, str | None]:
    """The event a row names, by 赛项代码 or by 工种 + 组别; or the reason it names none."""
    try:
        group = parse_group(group_raw)
    except ValueError as error:
        return None, str(error)
    if code:
        found = [e for e in events if e.code.upper() == code.upper()]
        if not found:
            return None, _("赛项代码“%(code)s”不是本次大赛的赛项", code=code)
        event = found[0]
        if occupation and occupation != event.occupation:
            return None, _(
                "赛项代码与工种不一致（代码 %(code)s 是“%(event)s”）",
                code=event.code,
                event=event.label,
            )
        if group is not None and group is not event.group:
            return None, _(
                "赛项代码与组别不一致（代码 %(code)s 是“%(event)s”）",
                code=event.code,
                event=event.label,
            )
        return event, None
    if not occupation:
        return None, _("请填写赛项（工种）或赛项代码")
    found = [e for e in events if e.occupation == occupation]
    if not found:
        names = "、".join(sorted({e.occupation for e in events}))
        return None, _(
            "本次大赛没有工种“%(name)s”；可报的工种：%(names)s", name=occupation, names=names
        )
    if group is not None:
        found = [e for e in found if e.group is group]
        if not found:
            return None, _("工种“%(name)s”没有%(group)s", name=occupation, group=group.label)
    if len(found) > 1:
        return None, _("工种“%(name)s”分职工组和学生组，请填写组别", name=occupation)
    return found[0], None


def _canonical_headers(headers: list[str]) -> list[str]:
    return [HEADER_ALIASES.get(h, h) for h in headers]


def _header_errors(headers: list[str]) -> list[RowError]:
    errors = []
    present = [h for h in headers if h]
    for name in REQUIRED_HEADERS:
        if name not in present:
            errors.append(RowError(1, name, _("缺少必填列")))
    if COL_OCCUPATION not in present and COL_CODE not in present:
        errors.append(RowError(1, COL_OCCUPATION, _("缺少“赛项（工种）”列或“赛项代码”列")))
    for name in sorted({h for h in present if present.count(h) > 1}):
        errors.append(RowError(1, name, _("列名重复")))
    return errors


def import_entries(
    actor: User | None, contest: Contest, data: bytes, filename: str
) -> ImportResult:
    """Register every row of an .xlsx/.csv file, or none: raises :class:`EntryImportRefused`.

    Columns (Chinese headers): 姓名, 身份证号, 单位 required; 赛项(工种) [+ 组别] or 赛项代码;
    性别, 联系电话, 岗位 optional; unknown columns are ignored (a union's sheet often has more).
    The file is checked without the contest's lock, then written in short batches, each
    checked again under the lock; the batches commit themselves and are removed again if a
    later one is refused or fails (``core.batches``).
    """
    try:
        sheet = read_sheet(data, filename)
    except SheetRefused as refusal:
        raise EntryImportRefused(refusal.errors) from None
    headers = _canonical_headers(sheet.headers)
    frame = sheet.frame.copy()
    frame.columns = _canonical_headers([str(c) for c in frame.columns])
    errors = _header_errors(headers)
    closed = registration_problem(contest)
    if closed:
        errors.insert(0, RowError(0, "", closed))
    if errors:
        raise EntryImportRefused(errors)
    if frame.empty:
        raise EntryImportRefused([RowError(0, "", _("文件中没有数据行"))])

    ctx = _context(contest, actor, lock=False)
    units_by_name = _unit_index(ctx.units.values())
    events = list(ctx.events.values())
    first_row_of: dict[str, int] = {}
    plans: list[tuple[int, _Plan]] = []
    # A team event's rows: one team per (event, unit, 队名), its first row the captain.
    teams: dict[tuple[int, int | None, str], list[int]] = {}
    team_of_row: dict[int, tuple[int, int | None, str]] = {}

    def cell(values: Mapping[Hashable, object], column: str) -> str:
        value = values.get(column)
        return (
            ""
            if value is None or (isinstance(value, float) and pd.isna(value))
            else str(value).strip()
        )

    for row_number, values in zip(sheet.row_numbers, frame.to_dict("records"), strict=True):
        row_errors: list[RowError] = []
        raw_id = cell(values, COL_ID)
        key = None
        # An invalid number is reported by _check below, with the row's other problems.
        with contextlib.suppress(ValueError):
            key = normalise_id_number(raw_id)
        # The same person twice in one file: reported on the later row, naming the earlier.
        if key is not None:
            if key in first_row_of:
                row_errors.append(
                    RowError(
                        row_number, COL_ID, _("身份证号与第 %(row)d 行重复", row=first_row_of[key])
                    )
                )
            else:
                first_row_of[key] = row_number
        gender = None
        try:
            gender = parse_gender(cell(values, COL_GENDER))
        except ValueError as error:
            row_errors.append(RowError(row_number, COL_GENDER, str(error)))
        unit_name = cell(values, COL_UNIT)
        unit_id = None
        if not unit_name:
            row_errors.append(RowError(row_number, COL_UNIT, _("请填写单位")))
        else:
            matches = units_by_name.get(unit_name, [])
            if not matches:
                row_errors.append(
                    RowError(
                        row_number,
                        COL_UNIT,
                        _(
                            "未知单位“%(name)s”：不在主办工会“%(host)s”的组织树中",
                            name=unit_name,
                            host=contest.organization.name,
                        ),
                    )
                )
            elif len({m.id for m in matches}) > 1:
                row_errors.append(
                    RowError(
                        row_number,
                        COL_UNIT,
                        _("单位名称“%(name)s”对应多个组织，请填写全称", name=unit_name),
                    )
                )
            else:
                unit_id = matches[0].id
        event, event_problem = _match_event(
            events, cell(values, COL_OCCUPATION), cell(values, COL_GROUP), cell(values, COL_CODE)
        )
        if event_problem:
            column = COL_CODE if cell(values, COL_CODE) else COL_OCCUPATION
            row_errors.append(RowError(row_number, column, event_problem))
        candidate = EntrantData(
            name=cell(values, COL_NAME),
            id_number=raw_id,
            organization_id=unit_id,
            event_id=event.id if event else None,
            gender=gender,
            phone=cell(values, COL_PHONE) or None,
            post=cell(values, COL_POST) or None,
            team_name=cell(values, COL_TEAM) or None,
        )
        counted = True
        if candidate.team_name and event is not None and event.is_team:
            team_key = (event.id, unit_id, candidate.team_name)
            counted = team_key not in teams
            teams.setdefault(team_key, []).append(row_number)
            team_of_row[row_number] = team_key
        # The row's other fields are still checked, so one pass reports all of its problems.
        problems, plan = _check(ctx, candidate, counted=counted)
        if row_errors:
            if plan is not None:  # a refused row takes no place in a quota
                _release(ctx, plan, counted=counted)
                plan = None
            explained = {e.column for e in row_errors}
            problems = {
                name: message
                for name, message in problems.items()
                if not (
                    (name == "organization_id" and unit_id is None)
                    or (name == "event_id" and event is None)
                    or FIELD_COLUMNS.get(name) in explained
                )
            }
        errors.extend(row_errors)
        for field_name, message in problems.items():
            errors.append(RowError(row_number, FIELD_COLUMNS.get(field_name, ""), message))
        if plan is not None:
            plans.append((row_number, plan))
    for (event_id, _unit, team_name), rows in teams.items():
        size = team_size_problem(ctx.events[event_id], len(rows), team_name)
        if size:
            errors.append(RowError(rows[0], COL_TEAM, size))
    if errors:
        raise EntryImportRefused(errors)
    # Written entry by entry: an individual alone, a team's rows together (captain first).
    groups: dict[object, list[tuple[int, _Plan]]] = {}
    for row_number, plan in plans:
        groups.setdefault(team_of_row.get(row_number, row_number), []).append((row_number, plan))

    digest = hashlib.sha256(data).hexdigest()

    undo_note = UndoNote(Entry.__tablename__, {"contest_id": contest.id, "file_sha256": digest})
    people_created = 0
    with Batches(actor, undo_note) as batches:
        for batch in chunks(list(groups.values()), ORM_BATCH_ROWS):
            with batches.transaction():
                people_created += _write_batch(actor, contest, batch, batches)
        with batches.last():
            audit.record(
                actor,
                "entries.import",
                "contest",
                contest.id,
                after={
                    "rows": len(plans),
                    "people_created": people_created,
                    "file_sha256": digest,
                },
            )
    return ImportResult(
        rows=len(plans),
        # a member-scored team is one entry per member
        entries_created=sum(
            len(group) if team_total_of(group[0][1].event) else 1 for group in groups.values()
        ),
        people_created=people_created,
        people_matched=len(plans) - people_created,
        file_sha256=digest,
    )


def _write_batch(
    actor: User | None,
    contest: Contest,
    batch: Iterable[list[tuple[int, _Plan]]],
    batches: Batches,
) -> int:
    """Write one batch of an import under the contest's lock, each row checked again first
    (another organizer may have registered the same person or filled a quota since the file
    was checked); raises :class:`EntryImportRefused` naming the rows. Returns the number of
    people created."""
    ctx = _context(contest, actor)
    errors: list[RowError] = []
    checked: list[list[_Plan]] = []
    for group in batch:
        fresh_group = []
        for index, (row_number, plan) in enumerate(group):
            problems, fresh = _check(ctx, plan.data, counted=index == 0)
            for name, message in problems.items():
                errors.append(RowError(row_number, FIELD_COLUMNS.get(name, ""), message))
            if fresh is not None:
                fresh_group.append(fresh)
        checked.append(fresh_group)
    if errors:
        raise EntryImportRefused(errors)
    people: list[int] = []
    entries: list[int] = []
    for plans in checked:
        written, created = _write(actor, plans, contest)
        entries.extend(entry.id for entry in written)
        people.extend(created)
    batches.created(Person, people)
    batches.created(Entry, entries)  # a team's members go with their entry (ON DELETE CASCADE)
    return len(people)


def template_workbook(contest: Contest) -> bytes:
    """The registration sheet to fill in; an example row is on its 填写说明 sheet, which the
    import does not read."""
    first17 = "11010519900307123"
    unit = next(
        (u for u in host_units(contest) if u.id != contest.organization_id), contest.organization
    )
    rows = [
        {
            COL_NAME: "张三",
            COL_ID: first17 + id_check_digit(first17),
            COL_GENDER: "男",
            COL_UNIT: unit.name,
            COL_OCCUPATION: event.occupation,
            COL_GROUP: event.group.label,
            COL_CODE: event.code,
            COL_PHONE: "13800138000",
            COL_POST: event.occupation,
        }
        for event in contest.events[:1]
    ]
    return template_xlsx(
        "报名表",
        TEMPLATE_HEADERS,
        required=REQUIRED_HEADERS,
        examples=rows,
        notes={
            COL_ID: "请保持本列为“文本”格式",
            COL_UNIT: "报名单位的名称",
            COL_CODE: "赛项代码；只有一个赛项时可不填",
            COL_TEAM: "团体项目必填：同一队的各行填相同队名，第一行为队长；个人项目留空",
        },
    )


def entry_counts(contest: Contest) -> dict[int, int]:
    """Non-withdrawn entries per event id (for the organizer's overview)."""
    rows = db.session.execute(
        select(Entry.event_id, func.count())
        .where(Entry.contest_id == contest.id, Entry.status != EntryStatus.WITHDRAWN)
        .group_by(Entry.event_id)
    )
    return {event_id: count for event_id, count in rows}
