"""Registration, draw and panel pages: permissions role × route, the form, withdrawal."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from contest.models import Entry, EntryStatus, OrgKind

GET_ROUTES = [
    "/contests/{c}/events/{e}/entries",
    "/contests/{c}/events/{e}/entries/{n}/withdraw",
    "/contests/{c}/entries/import",
    "/contests/{c}/entries/template.xlsx",
    "/contests/{c}/events/{e}/draws",
    "/contests/{c}/events/{e}/draws/entry-list",
    "/contests/{c}/events/{e}/draws/seat-list",
    "/contests/{c}/events/{e}/panels",
]
POST_ROUTES = [
    "/contests/{c}/events/{e}/entries",
    "/contests/{c}/events/{e}/entries/{n}/withdraw",
    "/contests/{c}/events/{e}/entries/{n}/check-in",
    "/contests/{c}/entries/import",
    "/contests/{c}/events/{e}/draws/entry",
    "/contests/{c}/events/{e}/draws/seat",
    "/contests/{c}/events/{e}/panels/add",
    "/contests/{c}/events/{e}/panels/{j}/remove",
    "/contests/{c}/events/{e}/panels/{j}/chief",
    "/contests/{c}/events/{e}/panels/conflicts",
    "/contests/{c}/events/{e}/panels/assign",
]


@pytest.fixture
def c(make_contest: Any) -> Any:
    return make_contest(status="registration", entries=2, judges=2)


def fill(route: str, c: Any) -> str:
    return route.format(c=c.contest.id, e=c.event.id, n=c.entries[0].id, j=c.judges[1].id)


@pytest.fixture
def users(c: Any, make_user: Any, make_org: Any) -> dict[str, Any]:
    province = make_org(name="某省总工会", kind=OrgKind.PROVINCIAL)
    c.host.parent = province
    c.host.path = f"{province.path}{c.host.id}/"
    for org in [*c.units, c.judge_unit]:
        org.path = f"{c.host.path}{org.id}/"
    return {
        "admin": make_user("admin"),
        "host_organizer": c.organizer,
        "province_organizer": make_user("organizer", organization=province),
        "other_organizer": make_user("organizer", organization=make_org(name="邻市总工会")),
        "judge": c.chief,
        "recommender": make_user("recommender"),
    }


@pytest.mark.parametrize("route", GET_ROUTES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("public", 302),
        ("judge", 403),
        ("recommender", 403),
        ("other_organizer", 403),
        ("host_organizer", 200),
        ("province_organizer", 200),
        ("admin", 200),
    ],
)
def test_get_permissions(
    db: Any, c: Any, users: dict[str, Any], client_for: Any, route: str, who: str, status: int
) -> None:
    client = client_for(users.get(who))
    response = client.get(fill(route, c))
    assert response.status_code == status
    if status == 302:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("route", POST_ROUTES)
@pytest.mark.parametrize(
    ("who", "status"), [("public", 302), ("judge", 403), ("other_organizer", 403)]
)
def test_post_refused_and_nothing_changes(
    db: Any, c: Any, users: dict[str, Any], client_for: Any, route: str, who: str, status: int
) -> None:
    client = client_for(users.get(who))
    response = client.post(fill(route, c), data={"reason": "x", "entry-seed": "s"})
    assert response.status_code == status
    db.session.expire_all()
    assert c.event.entry_drawn_at is None
    assert all(e.status is EntryStatus.CHECKED_IN for e in c.entries)


def test_event_of_another_contest_is_404(
    db: Any, c: Any, make_contest: Any, client_for: Any
) -> None:
    other = make_contest(status="registration", entries=1, judges=0, host=c.host)
    client = client_for(c.organizer)
    for tail in ("entries", "draws", "panels"):
        assert (
            client.get(f"/contests/{c.contest.id}/events/{other.event.id}/{tail}").status_code
            == 404
        )
    assert client.get(f"/contests/999999/events/{c.event.id}/entries").status_code == 404
    withdraw = (
        f"/contests/{c.contest.id}/events/{c.event.id}/entries/{other.entries[0].id}/withdraw"
    )
    assert client.get(withdraw).status_code == 404


def test_register_form(db: Any, c: Any, client_for: Any, make_id_number: Any) -> None:
    client = client_for(c.organizer)
    url = f"/contests/{c.contest.id}/events/{c.event.id}/entries"
    number = make_id_number(sequence="201")
    response = client.post(
        url,
        data={
            "name": "赵强",
            "id_number": number,
            "gender": "",
            "organization_id": c.units[1].id,
            "phone": "",
        },
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "赵强" in page and number not in page and number[:6] + "********" + number[-4:] in page
    assert db.session.scalar(select(func.count(Entry.id))) == 3


def test_register_form_errors_name_the_field_and_keep_what_was_typed(
    db: Any, c: Any, client_for: Any, make_id_number: Any
) -> None:
    client = client_for(c.organizer)
    url = f"/contests/{c.contest.id}/events/{c.event.id}/entries"
    bad = make_id_number(sequence="201")[:-1] + "0"
    if bad == make_id_number(sequence="201"):
        bad = bad[:-1] + "1"
    response = client.post(
        url,
        data={
            "name": "赵强",
            "id_number": bad,
            "organization_id": c.units[1].id,
            "phone": "13800138000",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "校验位不正确" in body
    # The form keeps what was typed (#16 item 6); the messages never quote it.
    assert f'value="{bad}"' in body and 'value="13800138000"' in body
    assert body.count(bad) == 1 and body.count("13800138000") == 1
    assert 'value="赵强"' in body
    assert db.session.scalar(select(func.count(Entry.id))) == 2


def test_register_form_hidden_outside_registration(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest(status="judging", entries=1, judges=0)
    client = client_for(c.organizer)
    body = client.get(f"/contests/{c.contest.id}/events/{c.event.id}/entries").get_data(
        as_text=True
    )
    assert "只有在“报名中”时才能报名" in body


def test_withdraw_page(db: Any, c: Any, client_for: Any) -> None:
    client = client_for(c.organizer)
    url = f"/contests/{c.contest.id}/events/{c.event.id}/entries/{c.entries[0].id}/withdraw"
    empty = client.post(url, data={"reason": ""})
    assert "退赛必须填写原因" in empty.get_data(as_text=True)
    assert client.post(url, data={"reason": "本人申请"}).status_code == 302
    db.session.expire_all()
    assert c.entries[0].status is EntryStatus.WITHDRAWN
