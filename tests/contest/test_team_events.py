"""Team events (团体项目, DOMAIN §1.9): bounds per event, team registration by form and by file,
one ranked entry per team, every member on the results and a certificate for each."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from contest.models import AuditEntry, Entry, EntryMember, Honor, HonorSource, Person
from contest.services.core.people import PersonData, create_person
from contest.services.skills import certificates, publishing, results
from contest.services.skills.contests import ContestError, EventData, create_event, update_event
from contest.services.skills.registration import (
    COL_TEAM,
    EntrantData,
    EntryImportRefused,
    RegistrationError,
    TeamData,
    import_entries,
    member_field,
    register_entry,
    register_team,
)
from contest.services.skills.result_exports import results_workbook, sheets_workbook
from tests.contest.results_fixtures import ID_NUMBER, PHONE, ready_contest_fixture  # noqa: F401


@pytest.fixture
def team_contest(db: Any, make_contest: Any) -> Any:
    """A contest in registration whose event "A" takes teams of 2–3."""
    c = make_contest(status="registration", entries=0, judges=1)
    c.event.team_min, c.event.team_max = 2, 3
    c.event.entry_drawn_at = c.event.seat_drawn_at = None  # open for registration
    db.session.commit()
    return c


_numbers = iter(range(100, 1000))


def new_id(make_id_number: Any) -> str:
    """A valid 身份证号 not used before in this run (the fixture's default is one number)."""
    return make_id_number("11010519900307", str(next(_numbers)))


def members(make_id_number: Any, n: int, *names: str) -> list[EntrantData]:
    names = names or tuple(f"队员{i + 1}" for i in range(n))
    return [
        EntrantData(
            name=name, id_number=new_id(make_id_number), organization_id=None, event_id=None
        )
        for name in names[:n]
    ]


def alone(c: Any, number: str, event_id: int, name: str = "队员2") -> EntrantData:
    """An individual entrant of the first unit into ``event_id``."""
    return EntrantData(
        name=name, id_number=number, organization_id=c.units[0].id, event_id=event_id
    )


def team(c: Any, people: list[EntrantData], name: str = "精工队", unit: Any = None) -> TeamData:
    return TeamData(
        team_name=name, organization_id=(unit or c.units[0]).id, event_id=c.event.id, members=people
    )


# ------------------------------------------------------------------ the event's bounds


@pytest.mark.parametrize(
    ("low", "high", "field"),
    [(1, 3, "team_min"), (2, 6, "team_max"), (4, 3, "team_max"), (2, None, "team_max")],
)
def test_team_bounds_stay_within_two_to_five(
    db: Any, team_contest: Any, low: Any, high: Any, field: str
) -> None:
    c = team_contest
    data = EventData(code="B", occupation="电工", team_min=low, team_max=high)
    with pytest.raises(ContestError) as refused:
        create_event(c.organizer, c.contest, data)
    assert refused.value.field == field


def test_a_team_event_is_created_with_its_bounds(db: Any, team_contest: Any) -> None:
    c = team_contest
    event = create_event(
        c.organizer, c.contest, EventData(code="B", occupation="电工", team_min=3, team_max=5)
    )
    assert event.is_team and (event.team_min, event.team_max) == (3, 5)


def test_an_event_with_entries_cannot_switch_between_individual_and_team(
    db: Any, make_contest: Any
) -> None:
    c = make_contest(status="registration", entries=2, judges=1)
    data = EventData(code="A", occupation="数控车工", team_min=2, team_max=3)
    with pytest.raises(ContestError) as refused:
        update_event(c.organizer, c.event, data)
    assert refused.value.field == "team_max"
    db.session.rollback()
    assert not c.event.is_team


# ------------------------------------------------------------------ registration


def test_a_team_is_one_entry_with_its_captain_and_members(
    db: Any, team_contest: Any, make_id_number: Any
) -> None:
    c = team_contest
    people = members(make_id_number, 3, "赵强", "钱伟", "孙丽")
    people[0].phone = "13800138000"
    entry = register_team(c.organizer, c.contest, team(c, people))
    db.session.commit()
    assert entry.team_name == "精工队" and entry.person.name == "赵强"
    assert [p.name for p in entry.people] == ["赵强", "钱伟", "孙丽"]
    assert db.session.query(Entry).count() == 1
    trail = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "entry.create")).one()
    assert all(p.id_number not in (trail.after or "") for p in people)
    assert "13800138000" not in (trail.after or "")
    assert json.loads(trail.after or "{}")["members"] == [p.id for p in entry.people[1:]]
    # Organizers' lists (draws, review after sign-off, withdrawal) read the team and its members.
    assert entry.entrant_name == "精工队（赵强、钱伟、孙丽）"


@pytest.mark.parametrize("size", [1, 4])
def test_a_team_outside_the_bounds_is_refused(
    db: Any, team_contest: Any, make_id_number: Any, size: int
) -> None:
    c = team_contest
    with pytest.raises(RegistrationError) as refused:
        register_team(c.organizer, c.contest, team(c, members(make_id_number, size)))
    assert "每队 2–3 人" in refused.value.problems[""]
    db.session.rollback()
    assert db.session.query(Entry).count() == 0 and db.session.query(Person).count() == 0


def test_one_person_cannot_be_in_two_teams(db: Any, team_contest: Any, make_id_number: Any) -> None:
    c = team_contest
    first = members(make_id_number, 2)
    register_team(c.organizer, c.contest, team(c, first))
    db.session.commit()
    again = [members(make_id_number, 1, "周敏")[0], first[1]]
    with pytest.raises(RegistrationError) as refused:
        register_team(c.organizer, c.contest, team(c, again, name="二队"))
    assert member_field(1, "id_number") in refused.value.problems
    db.session.rollback()
    assert db.session.query(Entry).count() == 1


def test_a_member_of_a_team_cannot_also_enter_alone(
    db: Any, make_contest: Any, make_id_number: Any
) -> None:
    c = make_contest(status="registration", entries=0, judges=1)
    solo = create_event(c.organizer, c.contest, EventData(code="B", occupation="电工"))
    c.event.team_min, c.event.team_max = 2, 3
    c.event.entry_drawn_at = c.event.seat_drawn_at = None
    first = members(make_id_number, 2)
    register_team(c.organizer, c.contest, team(c, first))
    with pytest.raises(RegistrationError) as refused:
        register_entry(c.organizer, c.contest, alone(c, first[1].id_number, solo.id))
    assert "已报名本次大赛" in refused.value.problems["id_number"]


def test_the_same_id_number_twice_in_one_team_is_refused(
    db: Any, team_contest: Any, make_id_number: Any
) -> None:
    c = team_contest
    people = members(make_id_number, 2)
    people[1].id_number = people[0].id_number
    with pytest.raises(RegistrationError) as refused:
        register_team(c.organizer, c.contest, team(c, people))
    assert "第 1 名队员" in refused.value.problems[member_field(1, "id_number")]


def test_a_team_needs_a_name(db: Any, team_contest: Any, make_id_number: Any) -> None:
    c = team_contest
    with pytest.raises(RegistrationError) as refused:
        register_team(c.organizer, c.contest, team(c, members(make_id_number, 2), name=" "))
    assert refused.value.problems["team_name"] == "请填写队名"


def test_individuals_and_teams_each_keep_to_their_kind_of_event(
    db: Any, team_contest: Any, make_id_number: Any
) -> None:
    c = team_contest
    with pytest.raises(RegistrationError) as refused:
        register_entry(c.organizer, c.contest, alone(c, new_id(make_id_number), c.event.id))
    assert "团体项目" in refused.value.problems["team_name"]
    solo = create_event(c.organizer, c.contest, EventData(code="B", occupation="电工"))
    as_team = team(c, members(make_id_number, 2))
    as_team.event_id = solo.id
    with pytest.raises(RegistrationError) as refused:
        register_team(c.organizer, c.contest, as_team)
    assert "个人项目" in refused.value.problems["team_name"]


def test_a_team_counts_once_against_the_unit_quota(
    db: Any, team_contest: Any, make_id_number: Any
) -> None:
    c = team_contest
    c.event.quota_per_unit = 1
    register_team(c.organizer, c.contest, team(c, members(make_id_number, 3)))
    with pytest.raises(RegistrationError) as refused:
        register_team(c.organizer, c.contest, team(c, members(make_id_number, 2), name="二队"))
    assert "名额已满" in refused.value.problems["organization_id"]


# ------------------------------------------------------------------ the import

HEADERS = ["姓名", "身份证号", "单位", "赛项代码", "队名"]


def csv_bytes(rows: list[list[Any]]) -> bytes:
    lines = [",".join(HEADERS)] + [",".join(str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def test_an_import_groups_rows_into_teams_by_name(
    db: Any, team_contest: Any, make_id_number: Any
) -> None:
    c = team_contest
    unit = c.units[0].name
    rows = [
        ["赵强", new_id(make_id_number), unit, "A", "精工队"],
        ["钱伟", new_id(make_id_number), unit, "A", "精工队"],
        ["孙丽", new_id(make_id_number), unit, "A", "巧匠队"],
        ["李娜", new_id(make_id_number), unit, "A", "精工队"],
        ["周敏", new_id(make_id_number), unit, "A", "巧匠队"],
    ]
    result = import_entries(c.organizer, c.contest, csv_bytes(rows), "报名.csv")
    db.session.commit()
    assert result.entries_created == 2 and result.people_created == 5
    entries = {e.team_name: e for e in db.session.scalars(select(Entry))}
    assert [p.name for p in entries["精工队"].people] == ["赵强", "钱伟", "李娜"]
    assert [p.name for p in entries["巧匠队"].people] == ["孙丽", "周敏"]


def test_the_import_page_explains_teams_and_counts_people_and_entries(
    db: Any, team_contest: Any, make_id_number: Any, client_for: Any
) -> None:
    c = team_contest
    client = client_for(c.organizer)
    page = client.get(f"/contests/{c.contest.id}/entries/import").get_data(as_text=True)
    assert "同一队的各行填相同的“队名”" in page and "A 每队 2–3 人" in page
    unit = c.units[0].name
    names = ("赵强", "钱伟", "孙丽")
    rows = [[name, new_id(make_id_number), unit, "A", "精工队"] for name in names]
    response = client.post(
        f"/contests/{c.contest.id}/entries/import",
        data={"file": (io.BytesIO(csv_bytes(rows)), "报名.csv")},
    )
    text = response.get_data(as_text=True)
    assert "导入完成" in text
    assert "<dt>报名人数</dt><dd>3</dd>" in text
    assert "<dt>报名条目（一队计一条）</dt><dd>1</dd>" in text


def test_an_import_refuses_a_team_too_small_and_a_row_without_a_team(
    db: Any, team_contest: Any, make_id_number: Any
) -> None:
    c = team_contest
    unit = c.units[0].name
    rows = [
        ["赵强", new_id(make_id_number), unit, "A", "精工队"],
        ["钱伟", new_id(make_id_number), unit, "A", ""],
    ]
    with pytest.raises(EntryImportRefused) as refused:
        import_entries(c.organizer, c.contest, csv_bytes(rows), "报名.csv")
    messages = {(e.row, e.column): e.message for e in refused.value.errors}
    assert "每队 2–3 人" in messages[(2, "队名")]
    assert "请按团队报名" in messages[(3, COL_TEAM)]
    db.session.rollback()
    assert db.session.query(Entry).count() == 0


# ------------------------------------------------------------------ results and certificates


def make_teams(db: Any, ns: Any) -> None:
    """Turn the ready contest's entries into teams of three: captain plus two members."""
    ns.event.team_min, ns.event.team_max = 2, 3
    for index, entry in enumerate(ns.entries):
        entry.team_name = f"第{index + 1}队"
        for position in (1, 2):
            person = create_person(
                None,
                PersonData(name=f"队员{index + 1}-{position}", organization=entry.organization),
            )
            db.session.add(
                EntryMember(
                    entry=entry, contest_id=ns.contest.id, person_id=person.id, position=position
                )
            )
    db.session.commit()


def test_a_team_is_ranked_once_and_every_member_is_published_with_a_certificate(
    db: Any, ready_contest: Any
) -> None:
    ns = ready_contest(entries=4)
    make_teams(db, ns)
    snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    assert results.verify_digest(snapshot)
    rows = snapshot.rows
    assert snapshot.row_count == 12
    first = [r for r in rows if r.team == "第1队"]
    assert [r.name for r in first] == [ns.entries[0].person.name, "队员1-1", "队员1-2"]
    # Scored as one: the members share the team's rank, total and award.
    assert {(r.rank, r.total, r.award) for r in first} == {(1, rows[0].total, "一等奖")}
    assert [r.rank for r in rows[::3]] == [1, 2, 3, 4]
    numbers = [r.certificate_no for r in rows if r.certificate_no]
    assert len(numbers) == 9 and len(set(numbers)) == 9  # three awarded teams of three
    found = results.find_certificate(first[2].certificate_no or "")
    assert found is not None and found.name == "队员1-2" and found.team == "第1队"
    assert "比赛中，作为“第1队”成员，成绩优异，荣获一等奖" in certificates.body_text(found)
    assert certificates.certificate_pdf([found], base_url="http://x/").startswith(b"%PDF")
    document = json.loads(snapshot.document)
    assert document["events"][0]["rows"][1]["team"] == "第1队"
    honors = db.session.query(Honor).filter_by(source=HonorSource.CONTEST).all()
    assert {h.recipient_name for h in honors} >= {r.name for r in first}
    assert {h.person_id for h in honors} >= {r.person_id for r in first}


def test_the_results_workbook_lists_each_member_under_the_team_without_id_numbers(
    db: Any, ready_contest: Any
) -> None:
    ns = ready_contest(entries=2)
    make_teams(db, ns)
    snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    sheet = load_workbook(io.BytesIO(results_workbook(ns.contest, snapshot))).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["名次", "参赛号", "队名", "姓名"]
    assert [row[2] for row in values[1:4]] == ["第1队"] * 3
    assert [row[3] for row in values[1:4]] == [ns.entries[0].person.name, "队员1-1", "队员1-2"]
    text = repr(values)
    assert ID_NUMBER not in text and PHONE not in text
    # The score sheets (named after sign-off) belong to the team, not to its captain.
    marks = load_workbook(io.BytesIO(sheets_workbook(ns.contest))).worksheets[0]
    named = {row[2] for row in marks.iter_rows(min_row=2, values_only=True)}
    assert named == {"第1队", "第2队"}


def test_individual_results_keep_their_documents_without_a_team_key(
    db: Any, ready_contest: Any
) -> None:
    ns = ready_contest(entries=3)
    snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    rows = json.loads(snapshot.document)["events"][0]["rows"]
    assert all("team" not in row for row in rows)
