"""Judge panels: chief judge, recusal (same unit, sub-unit, declared), assignment, the matrix."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from contest.models import (
    Assignment,
    AuditEntry,
    OrgKind,
    PanelMember,
    ScoreSheet,
    SheetStatus,
)
from contest.services.skills import access
from contest.services.skills.panels import (
    AssignMode,
    CellState,
    PanelError,
    add_judge,
    assign,
    declare_conflict,
    matrix,
    remove_conflict,
    remove_judge,
    set_chief,
)


@pytest.fixture
def c(make_contest: Any) -> Any:
    c = make_contest(status="registration", entries=6, judges=4)
    c.event.entry_drawn_at = datetime.now(UTC)
    return c


def pairs(db: Any, event: Any) -> set[tuple[int, int]]:
    rows = db.session.scalars(select(Assignment).where(Assignment.event_id == event.id))
    return {(a.user_id, a.entry_id) for a in rows}


def sheet(
    db: Any, c: Any, judge: Any, entry: Any, status: SheetStatus = SheetStatus.SUBMITTED
) -> Any:
    made = ScoreSheet(event_id=c.event.id, entry_id=entry.id, user_id=judge.id, status=status)
    db.session.add(made)
    db.session.flush()
    return made


def test_add_judge_requires_the_judge_role(db: Any, c: Any, make_user: Any) -> None:
    with pytest.raises(PanelError, match="评委角色"):
        add_judge(c.organizer, c.event, make_user("organizer"))
    judge = make_user("judge")
    add_judge(c.organizer, c.event, judge, component=c.components["theory"])
    member = access.panel_member(judge, c.event)
    assert member is not None and member.component_id == c.components["theory"].id
    with pytest.raises(PanelError, match="已在"):
        add_judge(c.organizer, c.event, judge)


def test_exactly_one_chief(db: Any, c: Any) -> None:
    set_chief(c.organizer, c.event, c.judges[2])
    chiefs = db.session.scalars(
        select(PanelMember).where(
            PanelMember.event_id == c.event.id, PanelMember.is_chief.is_(True)
        )
    ).all()
    assert [m.user_id for m in chiefs] == [c.judges[2].id]
    assert access.chief_of(c.event).id == c.judges[2].id


def test_new_judge_added_as_chief_replaces_the_old(db: Any, c: Any, make_user: Any) -> None:
    judge = make_user("judge")
    add_judge(c.organizer, c.event, judge, chief=True)
    assert access.is_chief(judge, c.event) and not access.is_chief(c.judges[0], c.event)


def test_remove_judge_drops_assignments_but_not_after_a_sheet(db: Any, c: Any) -> None:
    remove_judge(c.organizer, c.event, c.judges[3])
    assert all(user_id != c.judges[3].id for user_id, _e in pairs(db, c.event))
    sheet(db, c, c.judges[2], c.entries[0], SheetStatus.DRAFT)
    with pytest.raises(PanelError, match="已有评分表"):
        remove_judge(c.organizer, c.event, c.judges[2])


def test_assign_all_skips_same_unit_and_sub_unit(
    db: Any, c: Any, make_user: Any, make_org: Any
) -> None:
    same = make_user("judge", organization=c.units[0])
    workshop = make_org(name="汽车厂总装车间", kind=OrgKind.GRASSROOTS, parent=c.units[1])
    below = make_user("judge", organization=workshop)
    above = make_user("judge", organization=c.host)  # the host union: not the entrant's unit
    for judge in (same, below, above):
        add_judge(c.organizer, c.event, judge)
    report = assign(c.organizer, c.event, "all")
    got = pairs(db, c.event)
    for entry in c.entries:
        assert ((same.id, entry.id) in got) is (entry.organization_id != c.units[0].id)
        assert ((below.id, entry.id) in got) is (entry.organization_id != c.units[1].id)
        assert (above.id, entry.id) in got
    assert report.skipped_recused == 6  # 3 entries per unit, one recused judge each
    record = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "panel.assign")).one()
    assert json.loads(record.after or "{}")["skipped_recused"] == 6


def test_declared_conflict_removes_the_assignment_and_is_skipped(db: Any, c: Any) -> None:
    judge, entry = c.judges[1], c.entries[2]
    assert (judge.id, entry.id) in pairs(db, c.event)
    declare_conflict(c.organizer, c.event, judge, entry, "师徒关系")
    assert (judge.id, entry.id) not in pairs(db, c.event)
    assert access.is_recused(judge, entry)
    report = assign(c.organizer, c.event, AssignMode.ALL)
    assert (judge.id, entry.id) not in pairs(db, c.event) and report.skipped_recused == 1
    with pytest.raises(PanelError, match="已申报"):
        declare_conflict(c.organizer, c.event, judge, entry, "again")


def test_conflict_refused_once_the_judge_has_a_sheet(db: Any, c: Any) -> None:
    sheet(db, c, c.judges[1], c.entries[0])
    with pytest.raises(PanelError, match="已为选手 A-01 建立评分表"):
        declare_conflict(c.organizer, c.event, c.judges[1], c.entries[0], "亲属")
    assert (c.judges[1].id, c.entries[0].id) in pairs(db, c.event)


def test_conflict_needs_a_reason(db: Any, c: Any) -> None:
    with pytest.raises(PanelError, match="原因"):
        declare_conflict(c.organizer, c.event, c.judges[1], c.entries[0], " ")


def test_removing_a_conflict(db: Any, c: Any) -> None:
    conflict = declare_conflict(c.organizer, c.event, c.judges[1], c.entries[0], "误报")
    remove_conflict(c.organizer, conflict)
    assert not access.is_recused(c.judges[1], c.entries[0])


@pytest.mark.parametrize(("entries", "judges", "k"), [(6, 4, 2), (7, 3, 2), (10, 4, 3), (5, 5, 1)])
def test_balanced_assignment_is_even(
    db: Any, make_contest: Any, entries: int, judges: int, k: int
) -> None:
    c = make_contest(status="registration", entries=entries, judges=judges)
    c.event.entry_drawn_at = datetime.now(UTC)
    report = assign(c.organizer, c.event, "balanced", k)
    got = pairs(db, c.event)
    per_entry = Counter(e for _j, e in got)
    per_judge = Counter(j for j, _e in got)
    assert all(per_entry[e.id] == k for e in c.entries)
    assert max(per_judge.values()) - min(per_judge.values()) <= 1
    assert sum(per_judge.values()) == entries * k
    assert report.per_judge == dict(per_judge) and not report.short


def test_balanced_respects_recusal_and_reports_shortage(db: Any, c: Any, make_user: Any) -> None:
    remove_judge(c.organizer, c.event, c.judges[3])
    remove_judge(c.organizer, c.event, c.judges[2])
    insider = make_user("judge", organization=c.units[0])
    add_judge(c.organizer, c.event, insider)
    report = assign(c.organizer, c.event, "balanced", 3)
    got = pairs(db, c.event)
    assert all(
        (insider.id, e.id) not in got for e in c.entries if e.organization_id == c.units[0].id
    )
    assert report.short == sorted(e.code for e in c.entries if e.organization_id == c.units[0].id)


def test_assignment_keeps_pairs_with_sheets(db: Any, c: Any) -> None:
    sheet(db, c, c.judges[3], c.entries[0])
    report = assign(c.organizer, c.event, "balanced", 1)
    assert (c.judges[3].id, c.entries[0].id) in pairs(db, c.event)
    assert report.kept == 1
    assert Counter(e for _j, e in pairs(db, c.event))[c.entries[0].id] == 1


def test_assign_refusals(db: Any, c: Any, make_contest: Any) -> None:
    with pytest.raises(PanelError, match="评委人数"):
        assign(c.organizer, c.event, "balanced", None)
    with pytest.raises(PanelError, match="超过了评委组人数"):
        assign(c.organizer, c.event, "balanced", 5)
    undrawn = make_contest(status="registration", entries=2, judges=1)
    with pytest.raises(PanelError, match="请先抽取参赛号"):
        assign(undrawn.organizer, undrawn.event, "all")


def test_panel_changes_refused_after_sign_off(db: Any, c: Any, make_user: Any) -> None:
    c.event.signed_off_at = datetime.now(UTC)
    for change in (
        lambda: add_judge(c.organizer, c.event, make_user("judge")),
        lambda: remove_judge(c.organizer, c.event, c.judges[1]),
        lambda: set_chief(c.organizer, c.event, c.judges[1]),
        lambda: declare_conflict(c.organizer, c.event, c.judges[1], c.entries[0], "x"),
        lambda: assign(c.organizer, c.event, "all"),
    ):
        with pytest.raises(PanelError, match="签字确认"):
            change()


def test_matrix_shows_assigned_recused_with_reason_and_unassigned(
    db: Any, c: Any, make_user: Any
) -> None:
    insider = make_user("judge", organization=c.units[0])
    add_judge(c.organizer, c.event, insider)
    declare_conflict(c.organizer, c.event, c.judges[1], c.entries[1], "师徒关系")
    grid = matrix(c.event)
    assert grid.members[0].user_id == c.chief.id
    assert [e.code for e in grid.entries] == [f"A-{i:02d}" for i in range(1, 7)]
    member = {m.user_id: m for m in grid.members}
    own = grid.cell(member[insider.id], c.entries[0])
    assert own.state is CellState.RECUSED and "同属一个单位" in (own.reason or "")
    declared = grid.cell(member[c.judges[1].id], c.entries[1])
    assert (
        declared.state is CellState.RECUSED and declared.declared and "师徒关系" in declared.reason
    )
    assert grid.cell(member[c.judges[0].id], c.entries[0]).state is CellState.ASSIGNED
    assert grid.cell(member[insider.id], c.entries[1]).state is CellState.NONE


# ---------------------------------------------------------------- page


def test_panel_page_actions(db: Any, c: Any, client_for: Any, make_user: Any) -> None:
    client = client_for(c.organizer)
    base = f"/contests/{c.contest.id}/events/{c.event.id}/panels"
    page = client.get(base).get_data(as_text=True)
    assert "谁评哪位选手" in page and "A-01" in page
    judge = make_user("judge", organization=c.units[0])
    client.post(f"{base}/add", data={"add-user_id": judge.id, "add-component_id": 0})
    assert access.panel_member(judge, c.event) is not None
    client.post(f"{base}/{judge.id}/chief")
    assert access.is_chief(judge, c.event)
    response = client.post(
        f"{base}/conflicts",
        data={
            "conflict-user_id": c.judges[1].id,
            "conflict-entry_id": c.entries[0].id,
            "conflict-reason": "同乡",
        },
        follow_redirects=True,
    )
    assert "已登记回避" in response.get_data(as_text=True)
    response = client.post(
        f"{base}/assign", data={"assign-mode": "balanced", "assign-k": 2}, follow_redirects=True
    )
    body = response.get_data(as_text=True)
    assert "因回避跳过 4 个" in body  # 3 same-unit entries + 1 declared
    assert "同单位" in body and "申报" in body
    missing = client.post(f"{base}/assign", data={"assign-mode": "balanced"}, follow_redirects=True)
    assert "请填写每位选手的评委人数" in missing.get_data(as_text=True)
    client.post(f"{base}/{c.judges[3].id}/remove", data={"confirmed": "1"})
    assert access.panel_member(c.judges[3], c.event) is None


def test_recusal_lists_entrants_not_yet_checked_in_but_not_those_who_left(db: Any, c: Any) -> None:
    """Conflicts are declared before the day: once the first entrant is checked in, the others
    are still on the recusal list (assignment waits for their check-in), the absent are not."""
    from contest.models import EntryStatus
    from contest.services.skills.panels import active_entries, recusable_entries

    first, absent = c.entries[0], c.entries[1]
    for entry in c.entries:
        entry.status, entry.checked_in_at = EntryStatus.REGISTERED, None
    first.status, first.checked_in_at = EntryStatus.CHECKED_IN, datetime.now(UTC)
    absent.status = EntryStatus.ABSENT
    db.session.flush()
    assert [e.id for e in active_entries(c.event)] == [first.id]
    listed = {e.id for e in recusable_entries(c.event)}
    assert first.id in listed and c.entries[2].id in listed and absent.id not in listed
