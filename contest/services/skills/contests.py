"""Setting up a skills contest: the contest, its events and their components.

Every write takes the acting user, checks scope (``Contest.can_manage``) in the view, validates
here, is audited, and flushes; the view commits once.  The contest's status moves are in
``contest.services.skills.status``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from contest.extensions import db
from contest.models import Organization, Role, User
from contest.models.base import local_time, utcnow
from contest.models.contest import (
    Component,
    Contest,
    ContestStatus,
    Entry,
    Event,
    EventGroup,
)
from contest.models.honor import HonorLevel
from contest.services.core import audit, authority
from contest.services.skills import rubrics
from contest.validation import text_problem

S = ContestStatus
# Set-up (events, components, the host union) stays editable until judging starts.
SETUP_STATUSES = (S.DRAFT, S.REGISTRATION)

# Components an event may have (DOMAIN §1.1): key → default name, in display order.
COMPONENT_KINDS: dict[str, str] = {"theory": "理论", "practical": "实操", "oral": "答辩"}
EVENT_CODE_RE = re.compile(r"^[A-Z]{1,3}$")


class ContestError(ValueError):
    """A contest change refused: ``message`` in Chinese, ``field`` the form field if one."""

    def __init__(
        self, message: str, field: str | None = None, problems: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = list(problems or [])


# ------------------------------------------------------------------ scope


def managed_contests_query(user: User) -> Any:
    """Contests the user may manage: all for admins, the host union's subtree for organizers."""
    query = select(Contest).order_by(Contest.year.desc(), Contest.id.desc())
    if user.role is Role.ADMIN:
        return query
    if user.role is not Role.ORGANIZER or user.organization is None:
        return query.where(Contest.id.is_(None))
    return query.join(Organization, Contest.organization_id == Organization.id).where(
        Organization.path.startswith(user.organization.path)
    )


def host_choices(user: User) -> list[Organization]:
    """Unions the user may host a contest for (their own and everything below it)."""
    query = select(Organization).order_by(Organization.path)
    if user.role is not Role.ADMIN:
        if user.organization is None:
            return []
        query = query.where(Organization.path.startswith(user.organization.path))
    return list(db.session.scalars(query.limit(2000)))


# ------------------------------------------------------------------ contests


@dataclass
class ContestData:
    name: str
    level: HonorLevel
    year: int | None  # None: the year of starts_on (in China), else this year
    organization: Organization | None
    starts_on: date | None = None
    ends_on: date | None = None
    appeal_window_hours: int = 2
    conferring_body: str | None = None
    description: str | None = None
    year_confirmed: bool = False  # keep a year that differs from starts_on's, on purpose


def contest_year(data: ContestData) -> int:
    """The year as given, or the year the contest starts in (dates are China dates), or now's."""
    if data.year is not None:
        return data.year
    return data.starts_on.year if data.starts_on else local_time(utcnow()).year


def _check_contest(actor: User, data: ContestData) -> None:
    if not data.name.strip():
        raise ContestError(_("请填写大赛名称"), "name")
    if len(data.name) > 200:
        raise ContestError(_("大赛名称最长 200 个字"), "name")
    for field in ("name", "conferring_body"):
        problem = text_problem(getattr(data, field))
        if problem:
            raise ContestError(problem, field)
    if not 2000 <= contest_year(data) <= 2100:
        raise ContestError(_("年份应在 2000 到 2100 之间"), "year")
    if (
        data.year is not None
        and data.starts_on
        and data.year != data.starts_on.year
        and not data.year_confirmed
    ):
        raise ContestError(
            _(
                "年份 %(year)s 与开始日期的年份 %(start)s 不一致。"
                "请改正年份，或留空按开始日期填写；确需如此请勾选“按所填年份保存”。",
                year=data.year,
                start=data.starts_on.year,
            ),
            "year",
        )
    if data.organization is None:
        raise ContestError(_("请选择主办工会"), "organization")
    if not actor.can_manage_org(data.organization):
        raise ContestError(_("只能以本单位或下级工会的名义主办大赛"), "organization")
    # DOMAIN.md rule 29: no selection above the host's tier, no 全国/中国/中华 below the top.
    problem = authority.level_problem(data.organization, data.level)
    if problem:
        raise ContestError(problem, "level")
    problem = authority.reserved_word_problem(data.name, data.organization)
    if problem:
        raise ContestError(problem, "name")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise ContestError(_("结束日期不能早于开始日期"), "ends_on")
    if not 0 <= data.appeal_window_hours <= 720:
        raise ContestError(_("申诉时限应在 0 到 720 小时之间"), "appeal_window_hours")


def _contest_snapshot(contest: Contest) -> dict[str, Any]:
    return {
        "name": contest.name,
        "level": contest.level.value,
        "year": contest.year,
        "organization_id": contest.organization_id,
        "starts_on": contest.starts_on,
        "ends_on": contest.ends_on,
        "appeal_window_hours": contest.appeal_window_hours,
        "conferring_body": contest.conferring_body,
        "description": contest.description,
        "status": contest.status.value,
    }


def _apply_contest(contest: Contest, data: ContestData) -> None:
    contest.name = data.name.strip()
    contest.level = data.level
    contest.year = contest_year(data)
    contest.organization = data.organization  # type: ignore[assignment]
    contest.starts_on = data.starts_on
    contest.ends_on = data.ends_on
    contest.appeal_window_hours = data.appeal_window_hours
    contest.conferring_body = (data.conferring_body or "").strip() or None
    contest.description = (data.description or "").strip() or None


def create_contest(actor: User, data: ContestData) -> Contest:
    """A new contest in preparation (筹备中), hosted by a union the actor manages."""
    _check_contest(actor, data)
    contest = Contest(status=S.DRAFT, created_by_id=actor.id)
    _apply_contest(contest, data)
    db.session.add(contest)
    db.session.flush()
    audit.record(actor, "contest.create", "contest", contest.id, after=_contest_snapshot(contest))
    return contest


def update_contest(actor: User, contest: Contest, data: ContestData) -> Contest:
    """Edit the contest's particulars; refused once results are published (they are frozen)."""
    if contest.is_published:
        raise ContestError(_("成绩已公布，大赛信息不能再修改"))
    _check_contest(actor, data)
    if data.organization is not contest.organization and contest.status not in SETUP_STATUSES:
        raise ContestError(_("比赛开始后不能更换主办工会"), "organization")
    before = _contest_snapshot(contest)
    _apply_contest(contest, data)
    db.session.flush()
    audit.record(
        actor,
        "contest.update",
        "contest",
        contest.id,
        before=before,
        after=_contest_snapshot(contest),
    )
    return contest


# ------------------------------------------------------------------ events


@dataclass
class EventData:
    code: str
    occupation: str
    group: EventGroup = EventGroup.WORKER
    quota_per_unit: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    ended_at: datetime | None = None
    # A team event's members per entry (团体项目); both None for an individual event.
    team_min: int | None = None
    team_max: int | None = None


def _event_snapshot(event: Event) -> dict[str, Any]:
    return {
        "code": event.code,
        "occupation": event.occupation,
        "group": event.group.value,
        "quota_per_unit": event.quota_per_unit,
        "min_age": event.min_age,
        "max_age": event.max_age,
        "ended_at": event.ended_at,
        "position": event.position,
        "team_min": event.team_min,
        "team_max": event.team_max,
    }


def _check_event(contest: Contest, data: EventData, event: Event | None = None) -> None:
    data.code = data.code.strip().upper()
    data.occupation = data.occupation.strip()
    if not EVENT_CODE_RE.match(data.code):
        raise ContestError(_("赛项代码应为 1–3 个大写字母（如 A），用作参赛号前缀"), "code")
    clash = db.session.scalar(
        select(Event.id).where(
            Event.contest_id == contest.id,
            Event.code == data.code,
            Event.id != (event.id if event is not None else -1),
        )
    )
    if clash is not None:
        raise ContestError(_("本大赛已有代码为 %(code)s 的赛项", code=data.code), "code")
    if not data.occupation:
        raise ContestError(_("请填写工种"), "occupation")
    if len(data.occupation) > 100:
        raise ContestError(_("工种最长 100 个字"), "occupation")
    problem = text_problem(data.occupation)
    if problem:
        raise ContestError(problem, "occupation")
    if data.quota_per_unit is not None and data.quota_per_unit < 1:
        raise ContestError(_("每单位名额至少为 1（不限请留空）"), "quota_per_unit")
    for name, value in (("min_age", data.min_age), ("max_age", data.max_age)):
        if value is not None and not 14 <= value <= 80:
            raise ContestError(_("年龄限制应在 14 到 80 岁之间"), name)
    if data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        raise ContestError(_("最低年龄不能大于最高年龄"), "max_age")
    _check_team_size(data)


def _check_team_size(data: EventData) -> None:
    """A team event sets both bounds within DOMAIN's 2–5 (an individual event neither)."""
    if data.team_min is None and data.team_max is None:
        return
    if data.team_min is None or data.team_max is None:
        field = "team_max" if data.team_max is None else "team_min"
        raise ContestError(_("团体项目须同时填写每队最少和最多人数"), field)
    for name, value in (("team_min", data.team_min), ("team_max", data.team_max)):
        if not 2 <= value <= 5:
            raise ContestError(_("每队人数应在 2 到 5 人之间"), name)
    if data.team_min > data.team_max:
        raise ContestError(_("每队最少人数不能大于最多人数"), "team_max")


def create_event(actor: User, contest: Contest, data: EventData) -> Event:
    """Add an event (工种 × 组别); only while the contest is being prepared or registering."""
    if contest.status not in SETUP_STATUSES:
        raise ContestError(_("大赛已进入比赛阶段，不能再增加赛项"))
    _check_event(contest, data)
    position = max((e.position for e in contest.events), default=-1) + 1
    event = Event(
        contest=contest,
        code=data.code,
        occupation=data.occupation,
        group=data.group,
        quota_per_unit=data.quota_per_unit,
        min_age=data.min_age,
        max_age=data.max_age,
        ended_at=data.ended_at,
        team_min=data.team_min,
        team_max=data.team_max,
        position=position,
        policy={},
    )
    db.session.add(event)
    db.session.flush()
    audit.record(actor, "event.create", "event", event.id, after=_event_snapshot(event))
    return event


def _has_entries(event: Event) -> bool:
    return (
        db.session.scalar(select(Entry.id).where(Entry.event_id == event.id).limit(1)) is not None
    )


def update_event(actor: User, event: Event, data: EventData) -> Event:
    """Edit an event.  After registration only the end time (it opens the appeal window) may
    change; the code is fixed once entrants hold codes with its prefix."""
    contest = event.contest
    if contest.is_published:
        raise ContestError(_("成绩已公布，赛项信息不能再修改"))
    _check_event(contest, data, event)
    before = _event_snapshot(event)
    if contest.status not in SETUP_STATUSES:
        after = _event_snapshot_of_data(data)
        changed = sorted(k for k, v in after.items() if k != "ended_at" and v != before[k])
        if changed:
            raise ContestError(_("比赛已开始，只能修改赛项的结束时间"), changed[0])
    if data.code != event.code:
        drawn = db.session.scalar(
            select(Entry.id)
            .where(Entry.event_id == event.id, Entry.entry_code.is_not(None))
            .limit(1)
        )
        if drawn is not None:
            raise ContestError(_("已抽取参赛号，赛项代码不能再修改"), "code")
    if (data.team_max is None) != (event.team_max is None) and _has_entries(event):
        raise ContestError(_("赛项已有报名，不能在个人项目和团体项目之间切换"), "team_max")
    event.code = data.code
    event.occupation = data.occupation
    event.group = data.group
    event.quota_per_unit = data.quota_per_unit
    event.min_age = data.min_age
    event.max_age = data.max_age
    event.ended_at = data.ended_at
    event.team_min = data.team_min
    event.team_max = data.team_max
    db.session.flush()
    audit.record(
        actor, "event.update", "event", event.id, before=before, after=_event_snapshot(event)
    )
    return event


def _event_snapshot_of_data(data: EventData) -> dict[str, Any]:
    """The fields of ``data`` as ``_event_snapshot`` writes them (to see what an edit changes)."""
    return {
        "code": data.code,
        "occupation": data.occupation,
        "group": data.group.value,
        "quota_per_unit": data.quota_per_unit,
        "min_age": data.min_age,
        "max_age": data.max_age,
        "ended_at": data.ended_at,
        "team_min": data.team_min,
        "team_max": data.team_max,
    }


def delete_event(actor: User, event: Event) -> None:
    """Remove an event with no entrants while the contest is still being prepared."""
    contest = event.contest
    if contest.status not in SETUP_STATUSES:
        raise ContestError(_("大赛已进入比赛阶段，不能删除赛项"))
    if _has_entries(event):
        raise ContestError(_("该赛项已有报名选手，不能删除"))
    before = _event_snapshot(event)
    event_id = event.id
    db.session.delete(event)
    db.session.flush()
    db.session.expire(contest, ["events"])
    audit.record(actor, "event.delete", "event", event_id, before=before)


# ------------------------------------------------------------------ components


@dataclass
class ComponentRow:
    """One component as the editor sends it; ``weight`` None or 0 means "not used"."""

    key: str
    weight: Decimal | None
    pass_mark: Decimal | None = None


def _component_snapshot(event: Event) -> list[dict[str, Any]]:
    return [
        {
            "key": c.key,
            "name": c.name,
            "weight": c.weight,
            "max_score": c.max_score,
            "pass_mark": c.pass_mark,
        }
        for c in event.components
    ]


def save_components(actor: User, event: Event, rows: list[ComponentRow]) -> list[Component]:
    """Set the event's components and weights at once: used ones must sum to exactly 100.

    A component left out (no weight) is removed, unless it already has a rubric: then the
    organizer must clear the rubric first, so marking rules are never lost by a slip.
    """
    rubrics.ensure_editable(event)
    used: list[ComponentRow] = []
    for row in rows:
        if row.key not in COMPONENT_KINDS:
            raise ContestError(_("未知的考核模块 %(key)s", key=row.key), f"{row.key}-weight")
        if row.weight is None or row.weight == 0:
            continue
        if not 0 < row.weight <= 100:
            raise ContestError(_("权重应在 0 到 100 之间"), f"{row.key}-weight")
        if row.pass_mark is not None and not 0 <= row.pass_mark <= 100:
            raise ContestError(_("合格分应在 0 到 100 之间"), f"{row.key}-pass_mark")
        used.append(row)
    if not used:
        raise ContestError(_("至少设置一个考核模块（如理论、实操）"), "practical-weight")
    total = sum((r.weight or Decimal(0) for r in used), Decimal(0))
    if total != 100:
        raise ContestError(
            _(
                "各模块权重之和为 %(total)s%%，应为 100%%",
                total=rubrics.format_points(total),
            ),
            f"{used[0].key}-weight",
        )
    before = _component_snapshot(event)
    existing = {c.key: c for c in event.components}
    used_keys = {r.key for r in used}
    for key, component in existing.items():
        if key not in used_keys:
            if component.criteria:
                raise ContestError(
                    _(
                        "「%(name)s」模块已有评分细则，请先在评分细则中删除其评分项，再取消该模块",
                        name=component.name,
                    ),
                    f"{key}-weight",
                )
            event.components.remove(component)
            db.session.delete(component)
    order = list(COMPONENT_KINDS)
    for row in used:
        component = existing.get(row.key)
        if component is None:
            component = Component(event=event, key=row.key, max_score=Decimal(100))
            db.session.add(component)
        component.name = COMPONENT_KINDS[row.key]
        component.weight = row.weight  # type: ignore[assignment]
        component.pass_mark = row.pass_mark
        component.max_score = Decimal(100)
        component.position = order.index(row.key)
    db.session.flush()
    db.session.refresh(event)
    audit.record(
        actor,
        "event.components",
        "event",
        event.id,
        before=before,
        after=_component_snapshot(event),
    )
    return list(event.components)


def weight_problems(event: Event) -> list[str]:
    total = sum((Decimal(c.weight) for c in event.components), Decimal(0))
    if not event.components:
        return [_("赛项 %(code)s 还没有设置考核模块", code=event.code)]
    if total != 100:
        return [
            _(
                "赛项 %(code)s 各模块权重之和为 %(total)s%%，应为 100%%",
                code=event.code,
                total=rubrics.format_points(total),
            )
        ]
    return []
