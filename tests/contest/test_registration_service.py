"""Registration by form: every check of ``contest.services.skills.registration.register_entry``."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from contest.models import AuditEntry, ContestStatus, Entry, EntryStatus, Gender, OrgKind
from contest.services.skills.registration import (
    EntrantData,
    RegistrationError,
    age_on,
    register_entry,
    withdraw_entry,
)


@pytest.fixture
def open_contest(make_contest: Any) -> Any:
    return make_contest(status="registration", entries=0, judges=1)


def data(c: Any, number: str, *, name: str = "李明", unit: Any = None, **extra: Any) -> EntrantData:
    return EntrantData(
        name=name,
        id_number=number,
        organization_id=(unit or c.units[0]).id,
        event_id=c.event.id,
        **extra,
    )


def test_register_creates_person_and_audited_entry(
    db: Any, open_contest: Any, make_id_number: Any
) -> None:
    c = open_contest
    number = make_id_number()
    entry = register_entry(c.organizer, c.contest, data(c, number, phone="13800138000"))
    db.session.commit()
    assert entry.status is EntryStatus.REGISTERED
    assert entry.person.name == "李明"
    assert entry.person.reveal_id_number() == number
    assert entry.person.gender is Gender.MALE  # 17th digit 3 → odd → male
    trail = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "entry.create")).all()
    assert len(trail) == 1
    assert number not in (trail[0].after or "") and "13800138000" not in (trail[0].after or "")


def test_existing_person_is_matched_by_id_number(
    db: Any, open_contest: Any, make_id_number: Any, make_person: Any
) -> None:
    c = open_contest
    number = make_id_number()
    person = make_person(name="王芳", organization=c.units[1], id_number=number)
    entry = register_entry(c.organizer, c.contest, data(c, number, name="王芳"))
    assert entry.person_id == person.id


def test_name_mismatch_with_existing_person_is_refused_without_revealing_it(
    db: Any, open_contest: Any, make_id_number: Any, make_person: Any
) -> None:
    c = open_contest
    number = make_id_number()
    make_person(name="王芳", organization=c.units[1], id_number=number)
    with pytest.raises(RegistrationError) as refused:
        register_entry(c.organizer, c.contest, data(c, number, name="王方"))
    assert "id_number" in refused.value.problems
    assert "王芳" not in str(refused.value)


def test_bad_checksum_is_refused(db: Any, open_contest: Any, make_id_number: Any) -> None:
    c = open_contest
    number = make_id_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(RegistrationError) as refused:
        register_entry(c.organizer, c.contest, data(c, wrong))
    assert "校验位" in refused.value.problems["id_number"]
    assert db.session.scalar(select(Entry.id)) is None


def test_gender_must_agree_with_id_number(db: Any, open_contest: Any, make_id_number: Any) -> None:
    c = open_contest
    with pytest.raises(RegistrationError) as refused:
        register_entry(c.organizer, c.contest, data(c, make_id_number(), gender=Gender.FEMALE))
    assert "gender" in refused.value.problems


def test_unit_outside_host_tree_is_refused(
    db: Any, open_contest: Any, make_id_number: Any, make_org: Any
) -> None:
    c = open_contest
    stranger = make_org(name="外市机床厂", kind=OrgKind.GRASSROOTS)
    with pytest.raises(RegistrationError) as refused:
        register_entry(c.organizer, c.contest, data(c, make_id_number(), unit=stranger))
    assert "organization_id" in refused.value.problems


def test_event_of_another_contest_is_refused(
    db: Any, open_contest: Any, make_contest: Any, make_id_number: Any
) -> None:
    c = open_contest
    other = make_contest(status="registration", entries=0, judges=0)
    candidate = data(c, make_id_number())
    candidate.event_id = other.event.id
    with pytest.raises(RegistrationError) as refused:
        register_entry(c.organizer, c.contest, candidate)
    assert "event_id" in refused.value.problems


def test_one_entry_per_person_per_contest(db: Any, open_contest: Any, make_id_number: Any) -> None:
    c = open_contest
    number = make_id_number()
    register_entry(c.organizer, c.contest, data(c, number))
    with pytest.raises(RegistrationError) as refused:
        register_entry(c.organizer, c.contest, data(c, number))
    assert "已报名" in refused.value.problems["id_number"]


def test_quota_per_unit_counts_sub_units_and_skips_withdrawn(
    db: Any, open_contest: Any, make_id_number: Any, make_org: Any
) -> None:
    c = open_contest
    c.event.quota_per_unit = 2
    workshop = make_org(name="机床厂一车间", kind=OrgKind.GRASSROOTS, parent=c.units[0])
    first = register_entry(c.organizer, c.contest, data(c, make_id_number(sequence="101")))
    register_entry(c.organizer, c.contest, data(c, make_id_number(sequence="103"), unit=workshop))
    with pytest.raises(RegistrationError) as refused:
        register_entry(c.organizer, c.contest, data(c, make_id_number(sequence="105")))
    assert "名额已满" in refused.value.problems["organization_id"]
    # Another unit still has room; a withdrawal frees a place.
    register_entry(c.organizer, c.contest, data(c, make_id_number(sequence="107"), unit=c.units[1]))
    withdraw_entry(c.organizer, first, "因病退赛")
    register_entry(c.organizer, c.contest, data(c, make_id_number(sequence="105")))


@pytest.mark.parametrize(
    ("min_age", "max_age", "ok"),
    [(None, 35, False), (None, 36, True), (37, None, False), (36, None, True)],
)
def test_age_limits_on_the_first_day(
    db: Any, open_contest: Any, make_id_number: Any, min_age: Any, max_age: Any, ok: bool
) -> None:
    c = open_contest  # starts 2026-10-20; born 1990-03-07 → 36
    c.event.min_age, c.event.max_age = min_age, max_age
    candidate = data(c, make_id_number("11010519900307"))
    if ok:
        register_entry(c.organizer, c.contest, candidate)
    else:
        with pytest.raises(RegistrationError) as refused:
            register_entry(c.organizer, c.contest, candidate)
        assert "年龄" in refused.value.problems["id_number"]


def test_age_on_counts_full_years() -> None:
    from datetime import date

    assert age_on(date(1990, 10, 21), date(2026, 10, 20)) == 35
    assert age_on(date(1990, 10, 20), date(2026, 10, 20)) == 36


@pytest.mark.parametrize("status", ["draft", "judging", "review", "published"])
def test_entries_refused_outside_registration(
    db: Any, make_contest: Any, make_id_number: Any, status: str
) -> None:
    c = make_contest(status=status, entries=0, judges=0)
    with pytest.raises(RegistrationError) as refused:
        register_entry(c.organizer, c.contest, data(c, make_id_number()))
    assert ContestStatus(status).label in refused.value.problems["event_id"]


def test_entries_refused_after_the_draw(db: Any, open_contest: Any, make_id_number: Any) -> None:
    from contest.services.skills.draws import draw_entry_codes

    c = open_contest
    register_entry(c.organizer, c.contest, data(c, make_id_number(sequence="101")))
    draw_entry_codes(c.organizer, c.event)
    with pytest.raises(RegistrationError) as refused:
        register_entry(c.organizer, c.contest, data(c, make_id_number(sequence="103")))
    assert "已抽取参赛号" in refused.value.problems["event_id"]


def test_withdraw_needs_a_reason_and_is_audited(
    db: Any, open_contest: Any, make_id_number: Any
) -> None:
    c = open_contest
    entry = register_entry(c.organizer, c.contest, data(c, make_id_number()))
    with pytest.raises(RegistrationError):
        withdraw_entry(c.organizer, entry, "  ")
    withdraw_entry(c.organizer, entry, "本人申请退赛")
    assert entry.status is EntryStatus.WITHDRAWN
    record = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "entry.withdraw")
    ).one()
    assert record.reason == "本人申请退赛"
    with pytest.raises(RegistrationError):
        withdraw_entry(c.organizer, entry, "again")


# ---------------------------------------------------------------- what a district may learn


@pytest.fixture
def district_contest(make_org: Any, make_contest: Any) -> tuple[Any, Any]:
    """A contest of 东城区 run by its organizer, and a unit of 西城区 in the same city."""
    city = make_org(name="江州市总工会", kind=OrgKind.CITY)
    east = make_org(name="东城区总工会", kind=OrgKind.DISTRICT, parent=city)
    west = make_org(name="西城区总工会", kind=OrgKind.DISTRICT, parent=city)
    west_mill = make_org(name="西城纺织厂工会", kind=OrgKind.GRASSROOTS, parent=west)
    return make_contest(status="registration", entries=0, judges=1, host=east), west_mill


def test_a_number_recorded_in_another_district_gets_one_answer_naming_no_one(
    db: Any, district_contest: tuple[Any, Any], make_id_number: Any, make_person: Any
) -> None:
    c, west_mill = district_contest
    number = make_id_number(sequence="456")
    make_person(name="王芳", organization=west_mill, id_number=number)
    answers = []
    for name in ("王芳", "王方", "李明"):  # her name or any other: no oracle for whose it is
        with pytest.raises(RegistrationError) as refused:
            register_entry(c.organizer, c.contest, data(c, number, name=name))
        db.session.rollback()
        answers.append(refused.value.problems)
    assert answers == [{"id_number": "该身份证号已被登记，请联系上级工会核实"}] * 3
    assert db.session.scalar(select(Entry)) is None


def test_a_number_recorded_in_the_users_own_district_is_matched_as_before(
    db: Any, district_contest: tuple[Any, Any], make_id_number: Any, make_person: Any
) -> None:
    c, _west_mill = district_contest
    number = make_id_number(sequence="456")
    person = make_person(name="王芳", organization=c.units[1], id_number=number)
    entry = register_entry(c.organizer, c.contest, data(c, number, name="王芳"))
    assert entry.person_id == person.id
