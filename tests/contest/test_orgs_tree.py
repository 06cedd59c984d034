"""The union tree: create, edit, move and close organisations, with scope and placement rules."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from contest.models import AuditEntry, Organization, OrgKind, Ownership
from contest.services.core import orgs
from contest.services.core.orgs import OrganizationError, OrgData

CREDIT_CODE = "91110000600037341L"  # a real, valid 统一社会信用代码 shape and checksum


@pytest.fixture
def tree(db: Any, make_org: Any, make_user: Any) -> Any:
    """市总 → 区总 A (→ 机床厂工会 → 一车间分工会) and 区总 B; an admin, a city and a district
    organizer."""
    from types import SimpleNamespace

    city = make_org(name="江州市总工会", kind=OrgKind.CITY)
    district_a = make_org(name="东湖区总工会", kind=OrgKind.DISTRICT, parent=city)
    district_b = make_org(name="西山区总工会", kind=OrgKind.DISTRICT, parent=city)
    factory = make_org(name="江州机床厂工会", kind=OrgKind.GRASSROOTS, parent=district_a)
    workshop = make_org(name="一车间分工会", kind=OrgKind.GRASSROOTS, parent=factory)
    return SimpleNamespace(
        city=city,
        district_a=district_a,
        district_b=district_b,
        factory=factory,
        workshop=workshop,
        admin=make_user("admin"),
        city_organizer=make_user("organizer", organization=city),
        district_organizer=make_user("organizer", organization=district_a),
    )


def _data(name: str = "新建机械厂工会", kind: OrgKind = OrgKind.GRASSROOTS, **fields: Any) -> Any:
    return OrgData(name=name, kind=kind, **fields)


def test_organizer_creates_a_union_below_their_own_with_its_profile(db: Any, tree: Any) -> None:
    org = orgs.create_organization(
        tree.district_organizer,
        _data(
            employer="江州新建机械有限公司",
            credit_code=" 9111 0000 6000 37341l ",
            ownership=Ownership.NON_PUBLIC,
            industry="装备制造",
            is_key_industry=True,
            headcount=320,
            member_count=300,
            counted_on=date(2026, 6, 30),
        ),
        tree.district_a,
    )
    db.session.commit()
    assert org.path == f"{tree.district_a.path}{org.id}/"
    assert org.credit_code == CREDIT_CODE and org.ownership is Ownership.NON_PUBLIC
    assert org.employer == "江州新建机械有限公司" and org.is_key_industry
    entry = (
        db.session.query(AuditEntry)
        .filter_by(action="organization.create", target_id=str(org.id))
        .one()
    )
    assert entry.actor_id == tree.district_organizer.id


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "  "}, "name", "请填写组织名称"),
        ({"credit_code": "91110000600037341X"}, "credit_code", "校验位不正确"),
        ({"credit_code": "1234"}, "credit_code", "18 位"),
        (
            {"headcount": 10, "member_count": 11, "counted_on": date(2026, 1, 1)},
            "member_count",
            "不能多于职工人数",
        ),
        ({"headcount": -1, "counted_on": date(2026, 1, 1)}, "headcount", "职工人数"),
        ({"headcount": 10}, "counted_on", "统计日期"),
        (
            {"headcount": 10, "counted_on": date.today() + timedelta(days=1)},
            "counted_on",
            "不能晚于今天",
        ),
        ({"short_name": "简" * 61}, "short_name", "不能超过 60 个字"),
    ],
)
def test_bad_profile_is_refused_naming_the_field_and_nothing_is_written(
    db: Any, tree: Any, fields: dict[str, Any], field: str, message: str
) -> None:
    count = db.session.query(Organization).count()
    with pytest.raises(OrganizationError) as refused:
        orgs.create_organization(tree.admin, _data(**fields), tree.district_a)
    assert refused.value.field == field and message in str(refused.value)
    assert db.session.query(Organization).count() == count


def test_codes_are_unique_across_the_tree(db: Any, tree: Any) -> None:
    orgs.create_organization(tree.admin, _data("甲厂工会", code="JZ-001"), tree.district_a)
    orgs.create_organization(tree.admin, _data("乙厂工会", credit_code=CREDIT_CODE), tree.city)
    with pytest.raises(OrganizationError, match="已被使用"):
        orgs.create_organization(tree.admin, _data("丙厂工会", code="JZ-001"), tree.district_b)
    with pytest.raises(OrganizationError, match="另一个组织"):
        orgs.create_organization(tree.admin, _data("丁厂工会", credit_code=CREDIT_CODE), tree.city)


@pytest.mark.parametrize(
    ("kind", "parent_attr"),
    [
        (OrgKind.CITY, "district_a"),  # a city union below a district one
        (OrgKind.DISTRICT, "factory"),  # a territorial union below a grassroots one
        (OrgKind.INDUSTRY, "factory"),  # an industry union below a grassroots one
    ],
)
def test_a_union_cannot_sit_below_a_lower_tier(
    db: Any, tree: Any, kind: OrgKind, parent_attr: str
) -> None:
    with pytest.raises(OrganizationError, match="不能设在") as refused:
        orgs.create_organization(tree.admin, _data("某工会", kind=kind), getattr(tree, parent_attr))
    assert refused.value.field == "parent"


def test_organizer_cannot_work_outside_their_subtree(db: Any, tree: Any) -> None:
    with pytest.raises(OrganizationError, match="无权"):
        orgs.create_organization(tree.district_organizer, _data(), tree.district_b)
    with pytest.raises(OrganizationError, match="无权"):
        orgs.create_organization(tree.district_organizer, _data(kind=OrgKind.CITY), None)
    with pytest.raises(OrganizationError, match="无权"):
        orgs.update_organization(tree.district_organizer, tree.city, OrgData.of(tree.city))
    # Their own union's profile is theirs to edit, but not its place in the tree.
    data = OrgData.of(tree.district_a)
    data.region = "东湖区"
    orgs.update_organization(tree.district_organizer, tree.district_a, data)
    assert tree.district_a.region == "东湖区"
    with pytest.raises(OrganizationError, match="无权"):
        orgs.move_organization(tree.district_organizer, tree.district_a, tree.district_b)
    with pytest.raises(OrganizationError, match="无权"):
        orgs.close_organization(tree.district_organizer, tree.district_a, "合并")


def test_an_edit_is_audited_with_before_and_after(db: Any, tree: Any) -> None:
    data = OrgData.of(tree.factory)
    data.employer = "江州机床有限公司"
    orgs.update_organization(tree.city_organizer, tree.factory, data)
    entry = db.session.query(AuditEntry).filter_by(action="organization.update").one()
    assert "江州机床有限公司" in entry.after and "江州机床有限公司" not in (entry.before or "")


def test_moving_a_subtree_rewrites_every_path_below_it(db: Any, tree: Any) -> None:
    workshop_id = tree.workshop.id
    moved = orgs.move_organization(tree.city_organizer, tree.factory, tree.district_b, "划转")
    db.session.commit()
    workshop = db.session.get(Organization, workshop_id)
    assert moved.parent_id == tree.district_b.id
    assert moved.path == f"{tree.district_b.path}{moved.id}/"
    assert workshop.path == f"{moved.path}{workshop.id}/"
    assert tree.district_b.contains(workshop) and not tree.district_a.contains(workshop)
    entry = db.session.query(AuditEntry).filter_by(action="organization.move").one()
    assert entry.reason == "划转" and '"subtree":2' in entry.after.replace(" ", "")


def test_scope_follows_a_moved_subtree(db: Any, tree: Any, make_user: Any) -> None:
    """A district organizer manages what lies below their union after a move, nothing else."""
    organizer_b = make_user("organizer", organization=tree.district_b)
    assert orgs.can_manage(tree.district_organizer, tree.workshop)
    orgs.move_organization(tree.admin, tree.factory, tree.district_b)
    db.session.commit()
    workshop = db.session.get(Organization, tree.workshop.id)
    db.session.refresh(tree.district_organizer)
    assert not orgs.can_manage(tree.district_organizer, workshop)
    assert orgs.can_manage(organizer_b, workshop)


def test_recusal_follows_a_moved_subtree(db: Any, make_contest: Any) -> None:
    """A judge from a workshop below the entrant's unit stands aside, before and after a move."""
    from contest.services.skills import access

    made = make_contest(entries=1, judges=2)
    unit = made.entries[0].organization
    judge = made.judges[1]
    judge.organization = orgs.add_organization(
        None, name="机床厂一车间分工会", kind=OrgKind.GRASSROOTS, parent=unit
    )
    db.session.flush()
    assert access.is_recused(judge, made.entries[0])
    other_unit = made.units[1]
    orgs.move_organization(made.organizer, judge.organization, other_unit)
    db.session.commit()
    db.session.expire_all()
    assert not access.is_recused(judge, made.entries[0])


def test_cannot_move_into_its_own_subtree(db: Any, tree: Any) -> None:
    with pytest.raises(OrganizationError, match="自己或它的下级"):
        orgs.move_organization(tree.admin, tree.district_a, tree.workshop)


def test_closing_with_open_work_is_refused_with_the_reasons(
    db: Any, tree: Any, make_user: Any
) -> None:
    make_user("judge", organization=tree.workshop)
    with pytest.raises(OrganizationError) as refused:
        orgs.close_organization(tree.admin, tree.factory, "企业破产")
    assert "下级组织" in str(refused.value)
    with pytest.raises(OrganizationError) as refused:
        orgs.close_organization(tree.admin, tree.workshop, "车间撤并")
    assert "启用的账号" in str(refused.value)
    assert not tree.workshop.is_closed


def test_closing_a_contest_host_or_entrant_unit_is_refused(db: Any, make_contest: Any) -> None:
    made = make_contest(entries=2, judges=1)
    with pytest.raises(OrganizationError) as refused:
        orgs.close_organization(made.organizer, made.units[0], "合并")
    assert "以该单位名义参赛" in str(refused.value)


def test_close_and_reopen_are_audited_and_a_closed_union_takes_no_children(
    db: Any, tree: Any
) -> None:
    orgs.close_organization(tree.admin, tree.workshop, "车间撤并")
    assert tree.workshop.is_closed and tree.workshop.closed_reason == "车间撤并"
    with pytest.raises(OrganizationError, match="已撤销"):
        orgs.create_organization(tree.admin, _data(), tree.workshop)
    with pytest.raises(OrganizationError, match="已撤销"):
        orgs.update_organization(tree.admin, tree.workshop, OrgData.of(tree.workshop))
    orgs.reopen_organization(tree.admin, tree.workshop)
    assert not tree.workshop.is_closed
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-2:] == ["organization.close", "organization.reopen"]


def test_close_needs_a_reason(db: Any, tree: Any) -> None:
    with pytest.raises(OrganizationError, match="撤销原因") as refused:
        orgs.close_organization(tree.admin, tree.workshop, "  ")
    assert refused.value.field == "reason"
