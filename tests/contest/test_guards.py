"""Role guards: who may open which area (role × route), and object-level scoping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from contest.models import OrgKind

ROLES = ["anonymous", "admin", "organizer", "judge", "recommender", "reviewer"]
ROUTES = [
    "/home",
    "/orgs/",
    "/orgs/{org}",
    "/orgs/people/new",
    "/orgs/people/{person}/edit",
    "/admin/users",
    "/admin/audit",
    "/admin/people/{person}",
]

# Expected status per route, in the order of ROLES (302 = sent to the login page).
MATRIX = {
    "/home": (302, 200, 200, 200, 200, 200),
    "/orgs/": (302, 200, 200, 403, 403, 403),
    "/orgs/{org}": (302, 200, 200, 403, 403, 403),
    "/orgs/people/new": (302, 200, 200, 403, 403, 403),
    "/orgs/people/{person}/edit": (302, 200, 200, 403, 403, 403),
    "/admin/users": (302, 200, 403, 403, 403, 403),
    "/admin/audit": (302, 200, 403, 403, 403, 403),
    "/admin/people/{person}": (302, 200, 403, 403, 403, 403),
}
CASES = [
    pytest.param(role, route, MATRIX[route][i], id=f"{role}-{route}")
    for route in ROUTES
    for i, role in enumerate(ROLES)
]

# A heading only each role's home page has.
HOME_HEADINGS = {
    "admin": "<h2>工会组织</h2>",
    "organizer": "<h2>下级组织</h2>",
    "judge": "<h2>我的评分任务</h2>",
    "recommender": "<h2>推荐申报</h2>",
    "reviewer": "<h2>评审任务</h2>",
}


@pytest.fixture
def union(make_org: Callable[..., Any], make_person: Callable[..., Any]) -> dict[str, Any]:
    city = make_org(name="某某市总工会", kind=OrgKind.CITY)
    district_a = make_org(name="东城区总工会", kind=OrgKind.DISTRICT, parent=city)
    unit_a = make_org(name="东城机床厂工会", kind=OrgKind.GRASSROOTS, parent=district_a)
    district_b = make_org(name="西城区总工会", kind=OrgKind.DISTRICT, parent=city)
    unit_b = make_org(name="西城纺织厂工会", kind=OrgKind.GRASSROOTS, parent=district_b)
    return {
        "city": city,
        "district_a": district_a,
        "unit_a": unit_a,
        "district_b": district_b,
        "unit_b": unit_b,
        "person_a": make_person(name="赵一", organization=unit_a),
        "person_b": make_person(name="钱二", organization=unit_b),
    }


@pytest.fixture
def visit(
    union: dict[str, Any], client_for: Callable[[Any], FlaskClient], make_user: Callable[..., Any]
) -> Callable[[str, str], Any]:
    """GET ``route`` as a user of ``role`` belonging to the city union (or anonymously)."""

    def _visit(role: str, route: str) -> Any:
        user = None if role == "anonymous" else make_user(role, organization=union["city"])
        path = route.format(org=union["unit_a"].id, person=union["person_a"].id)
        return client_for(user).get(path)

    return _visit


@pytest.mark.parametrize(("role", "route", "expected"), CASES)
def test_role_route_matrix(
    visit: Callable[[str, str], Any], role: str, route: str, expected: int
) -> None:
    response = visit(role, route)
    assert response.status_code == expected
    if expected == 302:
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", list(HOME_HEADINGS))
def test_each_role_lands_on_its_own_home(visit: Callable[[str, str], Any], role: str) -> None:
    body = visit(role, "/home").get_data(as_text=True)
    assert HOME_HEADINGS[role] in body
    for other, heading in HOME_HEADINGS.items():
        if other != role:
            assert heading not in body


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("admin", {"/orgs/", "/admin/users", "/admin/audit"}),
        ("organizer", {"/orgs/"}),
        ("judge", set()),
    ],
)
def test_navigation_shows_only_the_areas_a_role_may_open(
    visit: Callable[[str, str], Any], role: str, visible: set[str]
) -> None:
    body = visit(role, "/home").get_data(as_text=True)
    for link in ("/orgs/", "/admin/users", "/admin/audit"):
        assert (f'href="{link}"' in body) is (link in visible), link


def test_forbidden_page_is_friendly(visit: Callable[[str, str], Any]) -> None:
    response = visit("judge", "/admin/users")
    assert response.status_code == 403
    assert "没有权限" in response.get_data(as_text=True)


# ---------------------------------------------------------------- object level


@pytest.fixture
def organizer_a(
    union: dict[str, Any],
    make_user: Callable[..., Any],
    client_for: Callable[[Any], FlaskClient],
) -> FlaskClient:
    """A client logged in as an organizer of district A."""
    return client_for(make_user("organizer", organization=union["district_a"]))


def test_organizer_opens_a_unit_below_their_district(
    organizer_a: FlaskClient, union: dict[str, Any]
) -> None:
    response = organizer_a.get(f"/orgs/{union['unit_a'].id}")
    assert response.status_code == 200
    assert "赵一" in response.get_data(as_text=True)


def test_organizer_cannot_open_another_district(
    organizer_a: FlaskClient, union: dict[str, Any]
) -> None:
    assert organizer_a.get(f"/orgs/{union['district_b'].id}").status_code == 403


def test_organizer_cannot_open_the_union_above_them(
    organizer_a: FlaskClient, union: dict[str, Any]
) -> None:
    assert organizer_a.get(f"/orgs/{union['city'].id}").status_code == 403


def test_organizer_edits_a_person_of_their_district(
    organizer_a: FlaskClient, union: dict[str, Any]
) -> None:
    assert organizer_a.get(f"/orgs/people/{union['person_a'].id}/edit").status_code == 200


def test_organizer_cannot_edit_a_person_of_another_district(
    organizer_a: FlaskClient, union: dict[str, Any]
) -> None:
    assert organizer_a.get(f"/orgs/people/{union['person_b'].id}/edit").status_code == 403


def test_organizer_cannot_save_over_a_person_of_another_district(
    db: Any, organizer_a: FlaskClient, union: dict[str, Any]
) -> None:
    person_b = union["person_b"]
    response = organizer_a.post(
        f"/orgs/people/{person_b.id}/edit",
        data={"name": "改名", "organization_id": union["unit_a"].id},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert person_b.name == "钱二"


def test_organizer_cannot_register_a_person_into_another_district(
    db: Any, organizer_a: FlaskClient, union: dict[str, Any]
) -> None:
    from sqlalchemy import select

    from contest.models import Person

    response = organizer_a.post(
        "/orgs/people/new", data={"name": "孙三", "organization_id": union["unit_b"].id}
    )
    assert response.status_code in {200, 403}
    assert db.session.scalar(select(Person).where(Person.name == "孙三")) is None


def test_organizer_list_shows_only_their_subtree(
    organizer_a: FlaskClient, union: dict[str, Any]
) -> None:
    body = organizer_a.get("/orgs/").get_data(as_text=True)
    assert "东城机床厂工会" in body
    assert "西城纺织厂工会" not in body
    assert "西城区总工会" not in body


def test_organizer_sees_only_their_own_people(
    organizer_a: FlaskClient, union: dict[str, Any]
) -> None:
    body = organizer_a.get(f"/orgs/{union['district_a'].id}").get_data(as_text=True)
    assert "赵一" in body
    assert "钱二" not in body
