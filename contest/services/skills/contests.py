"""Setting up a skills contest: the contest, its events and components, and its status machine.

Every write takes the acting user, checks scope (``Contest.can_manage``) in the view, validates
here, is audited, and flushes; the view commits once.  Status moves only along
:data:`TRANSITIONS`, and each move is checked by :func:`check_transition`, which returns the
problems in whole Chinese sentences so the dashboard can show *why* a button is blocked.
Publication is the one move this module does not perform itself: ``results.publish`` computes
and freezes the results, then calls :func:`set_status`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from contest.extensions import db
from contest.models import Organization, Role, User
from contest.models.base import utcnow
from contest.models.contest import (
    Component,
    Contest,
    ContestStatus,
    Entry,
    EntryStatus,
    Event,
    EventGroup,
)
from contest.models.honor import HonorLevel
from contest.models.judging import (
    Appeal,
    AppealStatus,
    Assignment,
    PanelMember,
    RecheckItem,
    ScoreSheet,
)
from contest.services.core import audit
from contest.services.core.versions import RESULTS_CONTENT, bump_version
from contest.services.skills import review, rubrics

S = ContestStatus
TRANSITIONS: dict[ContestStatus, tuple[ContestStatus, ...]] = {
    S.DRAFT: (S.REGISTRATION,),
    S.REGISTRATION: (S.DRAFT, S.JUDGING),
    S.JUDGING: (S.REGISTRATION, S.REVIEW),
    S.REVIEW: (S.JUDGING, S.PUBLISHED),
    S.PUBLISHED: (S.ARCHIVED,),
    S.ARCHIVED: (),
}
# Moves that undo progress: the dashboard asks for a reason and shows them apart.
BACKWARD = {(S.REGISTRATION, S.DRAFT), (S.JUDGING, S.REGISTRATION), (S.REVIEW, S.JUDGING)}
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
    year: int
    organization: Organization | None
    starts_on: date | None = None
    ends_on: date | None = None
    appeal_window_hours: int = 2
    conferring_body: str | None = None
    description: str | None = None


def _check_contest(actor: User, data: ContestData) -> None:
    if not data.name.strip():
        raise ContestError(_("请填写大赛名称"), "name")
    if len(data.name) > 200:
        raise ContestError(_("大赛名称最长 200 个字"), "name")
    if not 2000 <= data.year <= 2100:
        raise ContestError(_("年份应在 2000 到 2100 之间"), "year")
    if data.organization is None:
        raise ContestError(_("请选择主办工会"), "organization")
    if not actor.can_manage_org(data.organization):
        raise ContestError(_("只能以本单位或下级工会的名义主办大赛"), "organization")
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
    contest.year = data.year
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
        raise ContestError(_("成绩已公布,大赛信息不能再修改"))
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
    }


def _check_event(contest: Contest, data: EventData, event: Event | None = None) -> None:
    data.code = data.code.strip().upper()
    data.occupation = data.occupation.strip()
    if not EVENT_CODE_RE.match(data.code):
        raise ContestError(_("赛项代码应为 1–3 个大写字母(如 A),用作参赛号前缀"), "code")
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
    if data.quota_per_unit is not None and data.quota_per_unit < 1:
        raise ContestError(_("每单位名额至少为 1(不限请留空)"), "quota_per_unit")
    for name, value in (("min_age", data.min_age), ("max_age", data.max_age)):
        if value is not None and not 14 <= value <= 80:
            raise ContestError(_("年龄限制应在 14 到 80 岁之间"), name)
    if data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        raise ContestError(_("最低年龄不能大于最高年龄"), "max_age")


def create_event(actor: User, contest: Contest, data: EventData) -> Event:
    """Add an event (工种 × 组别); only while the contest is being prepared or registering."""
    if contest.status not in SETUP_STATUSES:
        raise ContestError(_("大赛已进入比赛阶段,不能再增加赛项"))
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
        raise ContestError(_("成绩已公布,赛项信息不能再修改"))
    _check_event(contest, data, event)
    before = _event_snapshot(event)
    if contest.status not in SETUP_STATUSES:
        after = _event_snapshot_of_data(data)
        changed = sorted(k for k, v in after.items() if k != "ended_at" and v != before[k])
        if changed:
            raise ContestError(_("比赛已开始,只能修改赛项的结束时间"), changed[0])
    if data.code != event.code:
        drawn = db.session.scalar(
            select(Entry.id)
            .where(Entry.event_id == event.id, Entry.entry_code.is_not(None))
            .limit(1)
        )
        if drawn is not None:
            raise ContestError(_("已抽取参赛号,赛项代码不能再修改"), "code")
    event.code = data.code
    event.occupation = data.occupation
    event.group = data.group
    event.quota_per_unit = data.quota_per_unit
    event.min_age = data.min_age
    event.max_age = data.max_age
    event.ended_at = data.ended_at
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
    }


def delete_event(actor: User, event: Event) -> None:
    """Remove an event with no entrants while the contest is still being prepared."""
    contest = event.contest
    if contest.status not in SETUP_STATUSES:
        raise ContestError(_("大赛已进入比赛阶段,不能删除赛项"))
    if _has_entries(event):
        raise ContestError(_("该赛项已有报名选手,不能删除"))
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
        raise ContestError(_("至少设置一个考核模块(如理论、实操)"), "practical-weight")
    total = sum((r.weight or Decimal(0) for r in used), Decimal(0))
    if total != 100:
        raise ContestError(
            _(
                "各模块权重之和为 %(total)s%%,应为 100%%",
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
                        "「%(name)s」模块已有评分细则,请先在评分细则中删除其评分项,再取消该模块",
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
                "赛项 %(code)s 各模块权重之和为 %(total)s%%,应为 100%%",
                code=event.code,
                total=rubrics.format_points(total),
            )
        ]
    return []


# ------------------------------------------------------------------ status machine


def _event_name(event: Event) -> str:
    return f"{event.code} {event.label}"


def _live_entries(event: Event) -> list[Entry]:
    return list(
        db.session.scalars(
            select(Entry).where(Entry.event_id == event.id, Entry.status != EntryStatus.WITHDRAWN)
        )
    )


def _problems_to_registration(contest: Contest) -> list[str]:
    problems: list[str] = []
    if not contest.events:
        return [_("大赛还没有赛项")]
    for event in contest.events:
        name = _event_name(event)
        for problem in weight_problems(event) + rubrics.rubric_problems(event):
            problems.append(_("%(event)s:%(problem)s", event=name, problem=problem))
    return problems


def _problems_to_judging(contest: Contest) -> list[str]:
    problems: list[str] = []
    if not contest.events:
        return [_("大赛还没有赛项")]
    for event in contest.events:
        name = _event_name(event)

        def add(message: str, name: str = name) -> None:
            problems.append(_("%(event)s:%(problem)s", event=name, problem=message))

        # The rubric may have been edited during registration: it must still be whole.
        for problem in weight_problems(event) + rubrics.rubric_problems(event):
            add(problem)
        entries = _live_entries(event)
        if not entries:
            add(_("还没有报名选手"))
            continue
        undrawn = sum(1 for e in entries if not e.entry_code)
        if undrawn:
            add(_("%(n)s 名选手尚未抽取参赛号", n=undrawn))
        chief = db.session.scalar(
            select(PanelMember.id).where(
                PanelMember.event_id == event.id, PanelMember.is_chief.is_(True)
            )
        )
        if chief is None:
            add(_("裁判组还没有指定裁判长"))
        assigned = set(
            db.session.scalars(
                select(Assignment.entry_id).where(Assignment.event_id == event.id).distinct()
            )
        )
        unassigned = [e for e in entries if e.id not in assigned]
        if unassigned:
            add(_("%(n)s 名选手尚未分配评委", n=len(unassigned)))
    return problems


def _sheet_count(contest: Contest) -> int:
    return int(
        db.session.scalar(
            select(func.count(ScoreSheet.id))
            .join(Event, ScoreSheet.event_id == Event.id)
            .where(Event.contest_id == contest.id)
        )
        or 0
    )


def _problems_to_review(contest: Contest) -> list[str]:
    """Sheets still expected, counted as the review pages count them (``review.progress``:
    checked-in entries, recused pairs left out), in a handful of queries per event."""
    problems: list[str] = []
    for event in contest.events:
        figures = review.progress(event)
        missing = figures.total - figures.done
        if missing:
            problems.append(
                _(
                    "%(event)s:还有 %(n)s 份评分表未提交",
                    event=_event_name(event),
                    n=missing,
                )
            )
    return problems


def _problems_to_published(contest: Contest) -> list[str]:
    problems: list[str] = []
    for event in contest.events:
        name = _event_name(event)
        if not event.is_signed_off:
            problems.append(_("%(event)s:裁判长尚未签字确认", event=name))
        pending = db.session.scalar(
            select(func.count(Appeal.id)).where(
                Appeal.event_id == event.id, Appeal.status == AppealStatus.PENDING
            )
        )
        if pending:
            problems.append(_("%(event)s:有 %(n)s 件申诉尚未裁决", event=name, n=pending))
        unchecked = db.session.scalar(
            select(func.count(RecheckItem.id)).where(
                RecheckItem.event_id == event.id, RecheckItem.checked_at.is_(None)
            )
        )
        if unchecked:
            problems.append(
                _("%(event)s:复核名单中还有 %(n)s 名选手未复核", event=name, n=unchecked)
            )
    if not contest.events:
        problems.append(_("大赛还没有赛项"))
    return problems


def check_transition(contest: Contest, to: ContestStatus) -> list[str]:
    """Why ``contest`` may not move to ``to`` now (empty list: the move is allowed)."""
    current = contest.status
    if to not in TRANSITIONS[current]:
        return [
            _(
                "大赛不能从「%(from)s」直接转为「%(to)s」",
                **{"from": current.label, "to": to.label},
            )
        ]
    if (current, to) == (S.DRAFT, S.REGISTRATION):
        return _problems_to_registration(contest)
    if (current, to) == (S.REGISTRATION, S.DRAFT):
        count = db.session.scalar(
            select(func.count(Entry.id)).where(Entry.contest_id == contest.id)
        )
        return [_("已有 %(n)s 名选手报名,不能退回筹备", n=count)] if count else []
    if (current, to) == (S.REGISTRATION, S.JUDGING):
        return _problems_to_judging(contest)
    if (current, to) == (S.JUDGING, S.REGISTRATION):
        count = _sheet_count(contest)
        return [_("评委已开始评分(%(n)s 份评分表),不能退回报名", n=count)] if count else []
    if (current, to) == (S.JUDGING, S.REVIEW):
        return _problems_to_review(contest)
    if (current, to) == (S.REVIEW, S.JUDGING):
        signed = [_event_name(e) for e in contest.events if e.is_signed_off]
        if signed:
            return [_("%(events)s 已由裁判长签字确认,不能退回评分", events="、".join(signed))]
        return []
    if (current, to) == (S.REVIEW, S.PUBLISHED):
        return _problems_to_published(contest)
    return []  # published → archived


def allowed_moves(contest: Contest) -> list[tuple[ContestStatus, list[str]]]:
    """Each next status with its blocking problems (for the dashboard's buttons)."""
    return [(to, check_transition(contest, to)) for to in TRANSITIONS[contest.status]]


def set_status(
    actor: User | None, contest: Contest, to: ContestStatus, reason: str | None = None
) -> Contest:
    """Move the contest to ``to`` without checks (callers check first), audited."""
    before = contest.status
    contest.status = to
    if to is S.PUBLISHED and contest.published_at is None:
        contest.published_at = utcnow()
    db.session.flush()
    if S.PUBLISHED in (before, to) or S.ARCHIVED in (before, to):
        # The public lists and the contests API show the status: let every cache see the move.
        bump_version(RESULTS_CONTENT)
    audit.record(
        actor,
        "contest.status",
        "contest",
        contest.id,
        before={"status": before.value},
        after={"status": to.value},
        reason=reason,
    )
    return contest


def transition(
    actor: User, contest: Contest, to: ContestStatus, reason: str | None = None
) -> Contest:
    """Check and perform a status move; publication goes through ``results.publish``."""
    if to is S.PUBLISHED:
        raise ContestError(
            _("公布成绩须通过「公布成绩」操作完成(计算成绩并生成不可更改的成绩快照)")
        )
    problems = check_transition(contest, to)
    if problems:
        raise ContestError(
            _("不能转为「%(to)s」:%(problems)s", to=to.label, problems=";".join(problems)),
            problems=problems,
        )
    return set_status(actor, contest, to, reason=(reason or "").strip() or None)
