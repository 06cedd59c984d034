"""Judge panels (评委组), the chief judge (裁判长), declared conflicts and who scores what.

- A panel is per event: judges (users with the judge role) join and leave it; exactly one of
  them is the chief judge; a member may be limited to one component (e.g. theory markers).
- Recusal (回避) is never optional: a judge whose unit is the entrant's unit or lies below it
  stands aside automatically (``access.unit_recusal``), and a declared conflict (judge × entry,
  with a reason) does the same. Assignment skips recused pairs and says how many it skipped;
  declaring a conflict removes an existing assignment (refused once the judge has a sheet).
- Assignment: "all" (every member scores every entry) or "balanced" (each entry gets ``k``
  judges, loads kept within one of each other). Pairs that already have a score sheet are kept.
- Nothing here changes once the event is signed off or the contest's results are out.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Select, delete, select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import (
    Assignment,
    Component,
    Conflict,
    ContestStatus,
    Entry,
    Event,
    PanelMember,
    Role,
    ScoreSheet,
    User,
)
from contest.models.contest import NOT_COMPETING
from contest.services.core import audit
from contest.services.skills import access, turnout

CLOSED_STATES = (ContestStatus.PUBLISHED, ContestStatus.ARCHIVED)
REASON_MAX = 1000


class PanelError(ValueError):
    """A refused panel change; the message says why, nothing changed."""


class AssignMode(enum.Enum):
    ALL = "all"
    BALANCED = "balanced"


@dataclass(frozen=True)
class AssignmentReport:
    mode: AssignMode
    created: int
    removed: int
    kept: int
    skipped_recused: int
    per_judge: dict[int, int]  # user id → entries assigned
    short: list[str] = field(default_factory=list)  # entry codes with fewer than k judges


class CellState(enum.Enum):
    ASSIGNED = "assigned"
    RECUSED = "recused"
    NONE = "none"


@dataclass(frozen=True)
class Cell:
    state: CellState
    reason: str | None = None
    sheet: str | None = None  # the sheet's status label, when one exists
    declared: bool = False  # a recusal by declaration (else by the unit rule)


@dataclass(frozen=True)
class Matrix:
    """Who may score what: ``cells[(user id, entry id)]`` for every member × entry."""

    members: list[PanelMember]
    entries: list[Entry]
    cells: dict[tuple[int, int], Cell]
    conflicts: list[Conflict]  # the declarations, listed on the page next to the matrix

    def cell(self, member: PanelMember, entry: Entry) -> Cell:
        return self.cells[(member.user_id, entry.id)]

    def assigned_count(self, member: PanelMember) -> int:
        return sum(
            1
            for (user_id, _entry), cell in self.cells.items()
            if user_id == member.user_id and cell.state is CellState.ASSIGNED
        )


# ------------------------------------------------------------------ reading


def members(event: Event) -> list[PanelMember]:
    """The panel, chief judge first, then in the order they joined (with users and units)."""
    return list(
        db.session.scalars(
            select(PanelMember)
            .where(PanelMember.event_id == event.id)
            .order_by(PanelMember.is_chief.desc(), PanelMember.id)
            .options(selectinload(PanelMember.user).selectinload(User.organization))
        )
    )


def candidate_judges(event: Event) -> list[User]:
    """Enabled judge accounts not yet on the panel."""
    on_panel = select(PanelMember.user_id).where(PanelMember.event_id == event.id)
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.JUDGE,
                User.is_enabled.is_(True),
                User.id.not_in(on_panel),
            )
            .order_by(User.display_name, User.username)
        )
    )


def active_entries(event: Event) -> list[Entry]:
    """The entries to be scored (``turnout.competing_entries``: once check-in is used, only the
    checked-in ones), by code (seat code, then 参赛号), with their units (the recusal rule
    compares them with each judge's)."""
    ids = [e.id for e in turnout.competing_entries(event)]
    return _by_code(select(Entry).where(Entry.id.in_(ids)))


def recusable_entries(event: Event) -> list[Entry]:
    """The entrants a judge may declare a conflict with: everyone still in the event, checked
    in or not yet — recusal is declared before the day, not only for those already at the door.
    """
    return _by_code(
        select(Entry).where(Entry.event_id == event.id, Entry.status.not_in(NOT_COMPETING))
    )


def _by_code(query: Select[tuple[Entry]]) -> list[Entry]:
    entries = db.session.scalars(query.options(selectinload(Entry.organization)))
    return sorted(entries, key=lambda e: (e.code is None, e.code or "", e.id))


def conflicts(event: Event) -> list[Conflict]:
    return list(
        db.session.scalars(
            select(Conflict).where(Conflict.event_id == event.id).order_by(Conflict.id)
        )
    )


def _sheets(event: Event) -> dict[tuple[int, int], ScoreSheet]:
    rows = db.session.scalars(select(ScoreSheet).where(ScoreSheet.event_id == event.id))
    return {(s.user_id, s.entry_id): s for s in rows}


def _recusals(
    declarations: list[Conflict], panel: list[PanelMember], entries: list[Entry]
) -> dict[tuple[int, int], tuple[str, bool]]:
    """(user id, entry id) → (reason, declared?) for every recused pair.

    The unit rule is checked in memory (organisation paths), declarations from the list given.
    """
    declared = {(c.user_id, c.entry_id): c.reason for c in declarations}
    reasons: dict[tuple[int, int], tuple[str, bool]] = {}
    for member in panel:
        for entry in entries:
            key = (member.user_id, entry.id)
            if access.unit_recusal(member.user, entry):
                reasons[key] = (access.recusal_reason(member.user, entry) or "", False)
            elif key in declared:
                reasons[key] = (_("已申报回避：%(reason)s", reason=declared[key]), True)
    return reasons


def matrix(event: Event) -> Matrix:
    """Every panel member × every active entry: assigned, recused (why) or not assigned."""
    panel = members(event)
    entries = active_entries(event)
    declarations = conflicts(event)
    recused = _recusals(declarations, panel, entries)
    assigned = {
        (a.user_id, a.entry_id)
        for a in db.session.scalars(select(Assignment).where(Assignment.event_id == event.id))
    }
    sheets = _sheets(event)
    cells: dict[tuple[int, int], Cell] = {}
    for member in panel:
        for entry in entries:
            key = (member.user_id, entry.id)
            sheet = sheets.get(key)
            label = sheet.status.label if sheet is not None else None
            if key in recused:
                reason, by_declaration = recused[key]
                cells[key] = Cell(CellState.RECUSED, reason, label, declared=by_declaration)
            elif key in assigned:
                cells[key] = Cell(CellState.ASSIGNED, None, label)
            else:
                cells[key] = Cell(CellState.NONE, None, label)
    return Matrix(panel, entries, cells, declarations)


# ------------------------------------------------------------------ checks


def editing_problem(event: Event) -> str | None:
    """Why the panel cannot change now, or None."""
    if event.contest.status in CLOSED_STATES:
        return _("大赛成绩已公布，评委组不能再修改")
    if event.is_signed_off:
        return _("该赛项已由裁判长签字确认，评委组不能再修改")
    return None


def _check_editable(event: Event) -> None:
    problem = editing_problem(event)
    if problem:
        raise PanelError(problem)


def _member(event: Event, user: User) -> PanelMember:
    member = access.panel_member(user, event)
    if member is None:
        raise PanelError(_("%(name)s 不在本赛项评委组中", name=user.name))
    return member


def _has_sheet(event: Event, user: User, entry: Entry | None = None) -> ScoreSheet | None:
    query = select(ScoreSheet).where(ScoreSheet.event_id == event.id, ScoreSheet.user_id == user.id)
    if entry is not None:
        query = query.where(ScoreSheet.entry_id == entry.id)
    return db.session.scalars(query.limit(1)).first()


def _member_snapshot(member: PanelMember) -> dict[str, object]:
    return {
        "event_id": member.event_id,
        "user_id": member.user_id,
        "is_chief": member.is_chief,
        "component_id": member.component_id,
    }


# ------------------------------------------------------------------ panel


def add_judge(
    actor: User | None,
    event: Event,
    user: User,
    *,
    component: Component | None = None,
    chief: bool = False,
) -> PanelMember:
    """Put a judge on the panel (optionally limited to one component, or as chief judge)."""
    _check_editable(event)
    if user.role is not Role.JUDGE:
        raise PanelError(_("只有评委角色的账号才能加入评委组"))
    if not user.is_enabled:
        raise PanelError(_("该账号已停用"))
    if access.panel_member(user, event) is not None:
        raise PanelError(_("%(name)s 已在本赛项评委组中", name=user.name))
    if component is not None and component.event_id != event.id:
        raise PanelError(_("该模块不属于本赛项"))
    member = PanelMember(
        event_id=event.id,
        user_id=user.id,
        is_chief=False,
        component_id=component.id if component is not None else None,
    )
    db.session.add(member)
    db.session.flush()
    audit.record(actor, "panel.add", "event", event.id, after=_member_snapshot(member))
    if chief:
        set_chief(actor, event, user)
    return member


def remove_judge(actor: User | None, event: Event, user: User) -> None:
    """Take a judge off the panel with their assignments; refused once they have a sheet."""
    _check_editable(event)
    member = _member(event, user)
    if _has_sheet(event, user) is not None:
        raise PanelError(_("%(name)s 已有评分表，不能移出评委组", name=user.name))
    before = _member_snapshot(member)
    removed = db.session.execute(
        delete(Assignment).where(Assignment.event_id == event.id, Assignment.user_id == user.id)
    ).rowcount
    db.session.delete(member)
    db.session.flush()
    audit.record(
        actor,
        "panel.remove",
        "event",
        event.id,
        before=before,
        after={"assignments_removed": removed},
    )


def set_chief(actor: User | None, event: Event, user: User) -> PanelMember:
    """Make ``user`` the event's one chief judge (the previous one becomes a member)."""
    _check_editable(event)
    member = _member(event, user)
    previous = access.chief_of(event)
    for other in members(event):
        other.is_chief = other.user_id == user.id
    db.session.flush()
    audit.record(
        actor,
        "panel.set_chief",
        "event",
        event.id,
        before={"chief_user_id": previous.id if previous else None},
        after={"chief_user_id": member.user_id},
    )
    return member


# ------------------------------------------------------------------ conflicts


def declare_conflict(
    actor: User | None, event: Event, user: User, entry: Entry, reason: str
) -> Conflict:
    """Record a declared conflict; an existing assignment of the pair is removed."""
    _check_editable(event)
    reason = (reason or "").strip()
    if not reason:
        raise PanelError(_("申报回避必须填写原因"))
    if len(reason) > REASON_MAX:
        raise PanelError(_("原因不能超过 %(n)d 个字符", n=REASON_MAX))
    if entry.event_id != event.id:
        raise PanelError(_("该选手不属于本赛项"))
    _member(event, user)
    existing = db.session.scalar(
        select(Conflict).where(Conflict.entry_id == entry.id, Conflict.user_id == user.id)
    )
    if existing is not None:
        raise PanelError(_("该评委与选手 %(code)s 的回避已申报", code=entry.code or ""))
    sheet = _has_sheet(event, user, entry)
    if sheet is not None:
        raise PanelError(
            _(
                "%(name)s 已为选手 %(code)s 建立评分表（%(status)s），不能再申报回避；"
                "请先由裁判长处理该评分表",
                name=user.name,
                code=entry.code or "",
                status=sheet.status.label,
            )
        )
    removed = db.session.execute(
        delete(Assignment).where(Assignment.entry_id == entry.id, Assignment.user_id == user.id)
    ).rowcount
    conflict = Conflict(
        event_id=event.id,
        entry_id=entry.id,
        user_id=user.id,
        reason=reason,
        declared_by_id=actor.id if actor is not None else None,
    )
    db.session.add(conflict)
    db.session.flush()
    audit.record(
        actor,
        "panel.declare_conflict",
        "event",
        event.id,
        after={"user_id": user.id, "entry_id": entry.id, "assignment_removed": bool(removed)},
        reason=reason,
    )
    return conflict


def remove_conflict(actor: User | None, conflict: Conflict, reason: str | None = None) -> None:
    """Withdraw a declaration made in error (the pair is not re-assigned automatically)."""
    event = db.session.get(Event, conflict.event_id)
    assert event is not None
    _check_editable(event)
    before = {"user_id": conflict.user_id, "entry_id": conflict.entry_id, "reason": conflict.reason}
    db.session.delete(conflict)
    db.session.flush()
    audit.record(actor, "panel.remove_conflict", "event", event.id, before=before, reason=reason)


# ------------------------------------------------------------------ assignment


def assign(
    actor: User | None, event: Event, mode: AssignMode | str = AssignMode.ALL, k: int | None = None
) -> AssignmentReport:
    """(Re)compute who scores which entry; recused pairs are skipped and counted.

    Pairs that already have a score sheet are always kept. "balanced" gives each entry ``k``
    judges, picking for each entry (most constrained first) the eligible judges with the
    fewest entries so far, so loads differ by at most one when recusal allows it.  Only the
    entries to be scored are assigned: once check-in is used, an entrant who has not checked in
    gets no task (and loses one given before), so no judge opens a sheet for them.
    """
    _check_editable(event)
    if turnout.is_cancelled(event):
        raise PanelError(_("该赛项因参赛人数不足已取消，不再分配评分任务"))
    mode = AssignMode(mode) if isinstance(mode, str) else mode
    if event.entry_drawn_at is None:
        raise PanelError(_("请先抽取参赛号，再分配评分任务（评委只看编号）"))
    panel = members(event)
    if not panel:
        raise PanelError(_("评委组还没有评委"))
    entries = active_entries(event)
    if not entries:
        raise PanelError(_("该赛项没有可分配的选手"))
    if mode is AssignMode.BALANCED:
        if k is None or k < 1:
            raise PanelError(_("请填写每位选手的评委人数（至少 1 人）"))
        if k > len(panel):
            raise PanelError(_("每位选手 %(k)d 名评委超过了评委组人数 %(n)d", k=k, n=len(panel)))
    recused = _recusals(conflicts(event), panel, entries)
    sheets = _sheets(event)
    judge_ids = [m.user_id for m in panel]
    kept = {key for key in sheets if key[0] in judge_ids}

    desired: set[tuple[int, int]] = set(kept)
    short: list[str] = []
    if mode is AssignMode.ALL:
        desired |= {(j, e.id) for j in judge_ids for e in entries if (j, e.id) not in recused}
    else:
        assert k is not None
        load: Counter[int] = Counter(j for j, _e in kept)
        eligible = {e.id: [j for j in judge_ids if (j, e.id) not in recused] for e in entries}
        for entry in sorted(entries, key=lambda e: (len(eligible[e.id]), e.code or "", e.id)):
            have = [j for j in judge_ids if (j, entry.id) in kept]
            pool = [j for j in eligible[entry.id] if j not in have]
            pool.sort(key=lambda j: (load[j], judge_ids.index(j)))
            chosen = pool[: max(k - len(have), 0)]
            for j in chosen:
                load[j] += 1
                desired.add((j, entry.id))
            if len(have) + len(chosen) < k:
                short.append(entry.code or str(entry.id))

    existing = {
        (a.user_id, a.entry_id): a
        for a in db.session.scalars(select(Assignment).where(Assignment.event_id == event.id))
    }
    removed = 0
    for key, assignment in existing.items():
        if key not in desired and key not in sheets:
            db.session.delete(assignment)
            removed += 1
    created = 0
    for user_id, entry_id in sorted(desired - set(existing)):
        db.session.add(Assignment(event_id=event.id, entry_id=entry_id, user_id=user_id))
        created += 1
    db.session.flush()
    per_judge = Counter(j for j, _e in desired)
    report = AssignmentReport(
        mode=mode,
        created=created,
        removed=removed,
        kept=len(kept),
        skipped_recused=len(recused),
        per_judge={j: per_judge.get(j, 0) for j in judge_ids},
        short=sorted(short),
    )
    audit.record(
        actor,
        "panel.assign",
        "event",
        event.id,
        after={
            "mode": mode.value,
            "k": k,
            "created": created,
            "removed": removed,
            "kept": len(kept),
            "skipped_recused": len(recused),
            "short": report.short,
        },
    )
    return report
