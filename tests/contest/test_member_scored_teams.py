"""Member-scored team events (DOMAIN §1.9, policy 团体成绩 = 成员成绩之和 / 成员成绩平均): each
member is registered, drawn and scored as their own entry; the team ranks by the sum or the mean
of its competing members' totals; every member is published with their own total under the
team's, and each gets a certificate."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from contest.models import Entry, EntryMember, EntryStatus, ResultRow
from contest.services.skills import (
    certificates,
    policies,
    publishing,
    results,
    standings,
    turnout,
)
from contest.services.skills.registration import (
    EntryImportRefused,
    RegistrationError,
    import_entries,
    register_team,
)
from contest.services.skills.result_exports import results_workbook, sheets_workbook
from tests.contest.results_fixtures import MARKS, ready_contest_fixture  # noqa: F401
from tests.contest.test_team_events import csv_bytes, members, new_id, team

M0, M1, M2, M3 = MARKS[0], MARKS[1], MARKS[2], MARKS[3]
# 甲 and 乙 hold the same two members' marks (a tie); 丙 the weaker pair; 丁's second member
# withdraws after being marked, so 丁 competes with its best member alone.
TEAMS = {"甲队": (0, 1), "乙队": (2, 3), "丙队": (4, 5), "丁队": (6, 7)}
PLAN = [M0, M1, M1, M0, M2, M3, M0, M1]


@pytest.fixture
def team_event(db: Any, make_contest: Any) -> Any:
    """A contest in registration whose event "A" takes teams of 2–3 and has no entries."""
    c = make_contest(status="registration", entries=0, judges=1)
    c.event.team_min, c.event.team_max = 2, 3
    c.event.entry_drawn_at = c.event.seat_drawn_at = None
    db.session.commit()
    return c


def member_scored(db: Any, ready_contest: Any, mode: str) -> Any:
    ns = ready_contest(entries=8, marks=PLAN)
    ns.event.team_min, ns.event.team_max = 2, 3
    ns.event.policy = {**ns.event.policy, "team_total": mode}
    unit = ns.entries[0].organization_id
    for name, indexes in TEAMS.items():
        for index in indexes:
            ns.entries[index].team_name = name
            ns.entries[index].organization_id = unit
    ns.entries[7].status = EntryStatus.WITHDRAWN
    db.session.commit()
    return ns


def own_totals(ns: Any) -> dict[int, float]:
    alone = standings.ranking(ns.event).table
    return dict(zip(alone["entry"].tolist(), alone["total"].tolist(), strict=True))


def published(db: Any, ns: Any) -> list[ResultRow]:
    snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    assert results.verify_digest(snapshot)
    return sorted(snapshot.rows, key=lambda r: r.position)


def test_a_sum_ranks_teams_by_their_members_totals_with_a_tie_and_a_withdrawn_member(
    db: Any, ready_contest: Any
) -> None:
    ns = member_scored(db, ready_contest, "sum")
    own = own_totals(ns)
    rows = published(db, ns)
    by_team: dict[str, list[ResultRow]] = {}
    for row in rows:
        by_team.setdefault(row.team or "", []).append(row)
    ranks = {name: by_team[name][0].rank for name in TEAMS}
    assert ranks == {"甲队": 1, "乙队": 1, "丙队": 3, "丁队": 4}
    first = ns.entries[0]
    assert float(by_team["甲队"][0].total) == pytest.approx(own[first.id] + own[ns.entries[1].id])
    assert by_team["甲队"][0].total == by_team["乙队"][0].total  # the tie is a real tie
    # The withdrawn member adds nothing: 丁's total is its one competing member's.
    ding = by_team["丁队"]
    assert float(ding[0].total) == pytest.approx(own[ns.entries[6].id])
    assert [(r.name, r.rank, r.total, r.member_total) for r in ding[1:]] == [
        (ns.entries[7].person.name, None, None, None)
    ]
    # Each ranked member carries the team's rank, total and award and their own total.
    for row in rows[:6]:
        assert row.member_total is not None
        assert float(row.member_total) == pytest.approx(own[row.entry_id or 0])
    assert {r.award for r in by_team["甲队"] + by_team["乙队"]} == {"一等奖"}


def test_a_mean_ranks_teams_by_the_average_of_the_members_who_competed(
    db: Any, ready_contest: Any
) -> None:
    ns = member_scored(db, ready_contest, "mean")
    own = own_totals(ns)
    rows = published(db, ns)
    ranks = {r.team: r.rank for r in rows if r.rank}
    assert ranks == {"丁队": 1, "甲队": 2, "乙队": 2, "丙队": 4}
    jia = [r for r in rows if r.team == "甲队"]
    mean = (own[ns.entries[0].id] + own[ns.entries[1].id]) / 2
    assert float(jia[0].total) == pytest.approx(mean, abs=0.006)
    # 丁's mean is its one competing member's total: a member who did not compete is not
    # counted in the mean (nor in a sum).
    ding = next(r for r in rows if r.team == "丁队")
    assert float(ding.total) == pytest.approx(own[ns.entries[6].id])


def test_every_competing_member_gets_a_certificate_naming_the_team(
    db: Any, ready_contest: Any
) -> None:
    ns = member_scored(db, ready_contest, "sum")
    rows = published(db, ns)
    jia = [r for r in rows if r.team == "甲队"]
    assert [r.name for r in jia] == [ns.entries[0].person.name, ns.entries[1].person.name]
    assert all(r.certificate_no for r in jia)
    found = results.find_certificate(jia[1].certificate_no or "")
    assert found is not None and found.team == "甲队"
    assert "作为“甲队”成员，成绩优异，荣获一等奖" in certificates.body_text(found)
    assert not any(r.certificate_no for r in rows if r.rank is None)


def test_the_public_results_show_each_members_total_under_the_team_total(
    db: Any, ready_contest: Any, client: Any
) -> None:
    ns = member_scored(db, ready_contest, "sum")
    rows = published(db, ns)
    page = client.get(f"/results/{ns.contest.id}").get_data(as_text=True)
    assert "个人成绩" in page and "团体成绩" in page
    assert f"团队“甲队”· 团体成绩 {rows[0].total:.2f}" in page
    for row in rows[:6]:
        assert f'data-label="个人成绩">{row.member_total:.2f}<' in page


def test_the_export_and_the_api_carry_each_members_own_total(
    db: Any, ready_contest: Any, client: Any
) -> None:
    ns = member_scored(db, ready_contest, "mean")
    rows = published(db, ns)
    sheet = load_workbook(io.BytesIO(results_workbook(ns.contest, rows[0].snapshot))).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    own, total = values[0].index("个人成绩"), values[0].index("总成绩")
    assert own == total - 1
    assert [(v[own], v[total]) for v in values[1:3]] == [
        (float(r.member_total or 0), float(r.total or 0)) for r in rows[:2]
    ]
    api = client.get(f"/api/v1/contests/{ns.contest.id}/results").get_json()["results"]
    assert [r["member_total"] for r in api[:2]] == [f"{r.member_total:.2f}" for r in rows[:2]]
    # Each member's score sheets are named after the member (after sign-off), not the team.
    marks = load_workbook(io.BytesIO(sheets_workbook(ns.contest))).worksheets[0]
    named = {row[2] for row in marks.iter_rows(min_row=2, values_only=True)}
    assert named == {entry.person.name for entry in ns.entries}


def test_the_minimum_field_counts_teams_not_members(db: Any, ready_contest: Any) -> None:
    ns = member_scored(db, ready_contest, "sum")
    assert turnout.entrant_count(ns.event) == 4  # 丁 still competes with one member
    ns.entries[6].status = EntryStatus.WITHDRAWN
    assert turnout.entrant_count(ns.event) == 3


def test_an_individual_ranking_remains_per_member_for_the_recheck_list(
    db: Any, ready_contest: Any
) -> None:
    ns = member_scored(db, ready_contest, "mean")
    table = standings.ranking(ns.event).table
    assert len(table) == 7 and "members" not in table  # the members, not the teams


# ------------------------------------------------------------------ the policy and registration


def test_the_mode_is_saved_on_a_team_event_and_refused_on_an_individual_one(
    db: Any, team_event: Any
) -> None:
    c = team_event
    data = policies.save_policy(c.organizer, c.event, {"team_total": "mean"})
    assert data["team_total"] == "mean" and policies.team_total_of(c.event) == "mean"
    with pytest.raises(policies.PolicyInvalid) as refused:
        policies.save_policy(c.organizer, c.event, {"team_total": "best"})
    assert refused.value.field == "team_total"
    c.event.team_min = c.event.team_max = None
    with pytest.raises(policies.PolicyInvalid, match="个人项目没有团体成绩"):
        policies.save_policy(c.organizer, c.event, {"team_total": "sum"})


def test_a_member_scored_team_is_one_entry_per_member_and_counts_once_in_the_quota(
    db: Any, team_event: Any, make_id_number: Any
) -> None:
    c = team_event
    policies.save_policy(c.organizer, c.event, {"team_total": "sum"})
    c.event.quota_per_unit = 1
    db.session.commit()
    captain = register_team(c.organizer, c.contest, team(c, members(make_id_number, 3)))
    db.session.commit()
    entries = db.session.query(Entry).filter_by(event_id=c.event.id).order_by(Entry.id).all()
    assert [e.team_name for e in entries] == ["精工队"] * 3 and entries[0].id == captain.id
    assert [e.person.name for e in entries] == ["队员1", "队员2", "队员3"]
    assert db.session.query(EntryMember).count() == 0
    assert standings.team_captains(c.event) == {e.id: captain.id for e in entries}
    # The unit's quota of one is the team: a second team of the unit is refused.
    with pytest.raises(RegistrationError) as refused:
        register_team(c.organizer, c.contest, team(c, members(make_id_number, 2), name="二队"))
    assert "名额已满" in refused.value.problems["organization_id"]


def test_an_import_writes_a_member_scored_team_as_one_entry_per_member(
    db: Any, team_event: Any, make_id_number: Any
) -> None:
    c = team_event
    policies.save_policy(c.organizer, c.event, {"team_total": "mean"})
    unit = c.units[0].name
    rows = [
        ["赵强", new_id(make_id_number), unit, "A", "精工队"],
        ["孙丽", new_id(make_id_number), unit, "A", "巧匠队"],
        ["钱伟", new_id(make_id_number), unit, "A", "精工队"],
        ["周敏", new_id(make_id_number), unit, "A", "巧匠队"],
    ]
    result = import_entries(c.organizer, c.contest, csv_bytes(rows), "报名.csv")
    db.session.commit()
    assert result.entries_created == 4 and result.people_created == 4
    entries = db.session.query(Entry).order_by(Entry.id).all()
    assert [(e.team_name, e.person.name) for e in entries] == [
        ("精工队", "赵强"),
        ("精工队", "钱伟"),
        ("巧匠队", "孙丽"),
        ("巧匠队", "周敏"),
    ]
    # A later file cannot add a second 精工队 of the same unit: the name is what groups members.
    again = [[name, new_id(make_id_number), unit, "A", "精工队"] for name in ("李娜", "吴敏")]
    with pytest.raises(EntryImportRefused) as refused:
        import_entries(c.organizer, c.contest, csv_bytes(again), "报名.csv")
    assert "已有名为“精工队”的团队" in refused.value.errors[0].message


def test_a_second_member_scored_team_of_the_same_name_and_unit_is_refused(
    db: Any, team_event: Any, make_id_number: Any
) -> None:
    c = team_event
    policies.save_policy(c.organizer, c.event, {"team_total": "sum"})
    register_team(c.organizer, c.contest, team(c, members(make_id_number, 2)))
    db.session.commit()
    with pytest.raises(RegistrationError) as refused:
        register_team(c.organizer, c.contest, team(c, members(make_id_number, 2)))
    assert "已有名为“精工队”的团队" in refused.value.problems["team_name"]


def test_the_mode_cannot_change_once_the_event_has_entries(
    db: Any, team_event: Any, make_id_number: Any
) -> None:
    c = team_event
    register_team(c.organizer, c.contest, team(c, members(make_id_number, 2)))
    db.session.commit()
    with pytest.raises(policies.PolicyInvalid, match="团体成绩的计算方式不能再改"):
        policies.save_policy(c.organizer, c.event, {"team_total": "sum"})
    # Other rules stay editable.
    assert policies.save_policy(c.organizer, c.event, {"precision": 1})["precision"] == 1
