"""``contest demo``: a realistic union loads once, on both engines, and its logins work.

Loading the demo takes a few seconds per engine even with the tests' cheap argon2, so the
checks that only read share a load: three loads per engine (the command, the union and its
workers, the whole demo but its journeys) instead of one per check.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from contest import demo
from contest.demo import DemoContext, DemoError, DemoSummary, load_demo
from contest.demo.base import DEMO_ACCOUNTS, add_accounts, add_workers, build_union_tree
from contest.models import AuditEntry, Gender, Organization, OrgKind, Person, Role, User
from contest.services.core.audit import verify_chain
from contest.validation import birth_date_from_id, gender_from_id, normalise_id_number

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# The workers' own steps: later steps (honors …) add people of other kinds, e.g. historical
# honorees without ID numbers, whom the roster checks below are not about.
BASE_STEPS = [build_union_tree, add_workers, add_accounts]


@pytest.fixture(autouse=True)
def without_contests(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the union, its people and logins: the journey steps — contests,
    labor competitions, honor campaigns, care after the honor (together far slower than the
    rest) — are left out here and have their own test files."""
    from contest.demo.care import add_care
    from contest.demo.contests import add_contests
    from contest.demo.labor import add_labor
    from contest.demo.nominations import add_nominations

    if "with_contests" not in request.keywords:
        journeys = (add_contests, add_labor, add_nominations, add_care)
        monkeypatch.setattr(demo, "STEPS", [s for s in demo.STEPS if s not in journeys])


def _count(db: Any, model: type, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)))


def _loaded(db: Any) -> DemoSummary:
    summary = load_demo()
    assert summary is not None
    db.session.expire_all()
    return summary


def test_demo_command_loads_a_city_union_and_prints_one_login_per_role(
    runner: FlaskCliRunner, db: Any
) -> None:
    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert "演示账号" in result.output
    for _role, username, password, _org, _name in DEMO_ACCOUNTS:
        assert username in result.output and password in result.output
    assert _count(db, Organization, Organization.kind == OrgKind.CITY) == 1
    assert _count(db, Organization, Organization.kind == OrgKind.DISTRICT) >= 6
    assert _count(db, Organization, Organization.kind == OrgKind.TOWNSHIP) >= 3
    assert _count(db, Organization, Organization.kind == OrgKind.INDUSTRY) >= 2
    grassroots = db.session.scalars(
        select(Organization).where(Organization.kind == OrgKind.GRASSROOTS)
    ).all()
    assert len(grassroots) >= 50
    assert all(org.industry and org.region for org in grassroots)
    assert {
        "制造业",
        "建筑业",
        "交通运输",
        "电力",
        "化工",
        "汽车",
        "医疗卫生",
        "教育",
        "餐饮服务",
        "家政服务",
    } <= {org.industry for org in grassroots}
    city = db.session.scalar(select(Organization).where(Organization.kind == OrgKind.CITY))
    assert all(city.contains(org) for org in grassroots)
    assert "全国" not in " ".join(org.name for org in grassroots)  # DOMAIN.md §29
    assert {user.role for user in db.session.scalars(select(User))} == set(Role)


def test_demo_workers_and_unions_look_real(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """One load of the union and its workers for the roster, their personal numbers and the
    unions' employers (each check only reads)."""
    monkeypatch.setattr(demo, "STEPS", BASE_STEPS)
    _loaded(db)
    _workers_look_like_a_real_roster(db)
    _personal_numbers_are_valid_encrypted_and_agree_with_the_person(db)
    _unions_carry_their_employer_ownership_and_headcount(db)


def _workers_look_like_a_real_roster(db: Any) -> None:
    people = db.session.scalars(select(Person)).all()

    assert len(people) >= 2000
    names = [person.name for person in people]
    assert any(len(name) == 2 for name in names)
    assert any(len(name) == 3 for name in names)
    assert any(len(name) == 4 and "·" not in name for name in names)
    assert any(name.startswith(("欧阳", "司马", "上官", "诸葛")) for name in names)
    assert any("·" in name for name in names)
    assert all(("·" in person.name) == (person.ethnicity == "维吾尔族") for person in people)
    assert sum(person.ethnicity == "汉族" for person in people) > len(people) * 0.8
    occupations = {person.occupation for person in people}
    assert {
        "电工",
        "焊工",
        "车工",
        "钳工",
        "数控铣工",
        "数控车工",
        "汽车维修工",
        "育婴员",
        "养老护理员",
        "中式烹调师",
        "电力线路工",
        "化工总控工",
        "砌筑工",
        "钢筋工",
        "护士",
        "教师",
    } <= occupations
    assert {"初级工", "中级工", "高级工", "技师", "高级技师"} <= {p.skill_level for p in people}
    assert all(person.category is not None and person.organization_id for person in people)
    assert sum(person.consent_deeds for person in people) > len(people) / 2


def _personal_numbers_are_valid_encrypted_and_agree_with_the_person(db: Any) -> None:
    people = db.session.scalars(select(Person)).all()

    id_numbers = set()
    for person in people:
        assert person.id_number_encrypted is not None
        number = person.reveal_id_number()
        assert number is not None and number.encode() not in person.id_number_encrypted
        assert normalise_id_number(number) == number  # checksum, date and shape
        assert Gender(gender_from_id(number)) is person.gender
        assert birth_date_from_id(number) == person.birth_date
        assert number[2:4] == "99"  # a prefecture code no real person has
        assert MOBILE.match(person.reveal_phone() or "")
        id_numbers.add(number)
    assert len(id_numbers) == len(people)


def test_demo_loads_only_into_an_empty_database_and_each_login_signs_in(
    client: FlaskClient, db: Any
) -> None:
    """One load for both: a second load changes nothing, then every printed login works
    (signing in writes to the database, so it comes after the counts are compared)."""
    summary = _loaded(db)
    people, entries = _count(db, Person), _count(db, AuditEntry)

    assert load_demo(if_empty=True) is None
    with pytest.raises(DemoError, match="已有数据"):
        load_demo()

    assert (_count(db, Person), _count(db, AuditEntry)) == (people, entries)
    assert _count(db, AuditEntry, AuditEntry.action == "demo.load") == 1
    assert verify_chain().ok

    assert len(summary.logins) == len(DEMO_ACCOUNTS)
    for login in summary.logins:
        response = client.post(
            "/login", data={"username": login.username, "password": login.password}
        )
        assert response.status_code == 302, login.username
        client.post("/logout")


def test_demo_refuses_a_database_someone_already_uses(db: Any, make_user: Any) -> None:
    make_user("admin", username="real-admin")

    with pytest.raises(DemoError):
        load_demo()
    assert load_demo(if_empty=True) is None
    assert _count(db, Organization) == 0


def test_a_failing_step_leaves_the_database_empty(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: DemoContext) -> None:
        raise RuntimeError("step failed")

    monkeypatch.setattr(demo, "STEPS", [build_union_tree, broken])

    with pytest.raises(RuntimeError):
        load_demo()
    assert _count(db, Organization) == 0
    assert _count(db, AuditEntry) == 0


def test_steps_see_the_large_flag_and_share_one_seeded_context(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bool, float]] = []
    monkeypatch.setattr(demo, "STEPS", [lambda ctx: seen.append((ctx.large, ctx.rng.random()))])

    load_demo(large=True)
    load_demo(large=False)  # the spy creates nothing, so the database is still empty

    assert [large for large, _ in seen] == [True, False]
    assert seen[0][1] == seen[1][1]  # same seed, same demo


def _unions_carry_their_employer_ownership_and_headcount(db: Any) -> None:
    from stdnum.cn import uscc

    from contest.models import Organization, OrgKind, Ownership

    units = db.session.scalars(
        select(Organization).where(Organization.kind == OrgKind.GRASSROOTS)
    ).all()
    employers = [u for u in units if u.employer]
    assert len(employers) >= len(units) - 3  # the 行业工会联合会 have no employer of their own
    assert all(uscc.is_valid(u.credit_code) for u in employers)
    assert {u.ownership for u in employers} == set(Ownership)
    assert all(u.headcount and u.member_count <= u.headcount and u.counted_on for u in units)
