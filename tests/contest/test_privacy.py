"""The privacy rule: 身份证号 and phone numbers never appear in a response outside the admin
area; inside it they show masked, and in full only after an audited reveal."""

from __future__ import annotations

import io
import itertools
import logging
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from contest.models import AuditEntry, OrgKind
from contest.security.crypto import mask_id_number, mask_phone
from contest.services.core.users import create_token

NON_ADMIN_ROLES = ["organizer", "judge", "recommender", "reviewer"]
INT_PARAM = re.compile(r"<int:(\w+)>")
NON_INT_PARAM = re.compile(r"<(?!int:)[^>]+>")


@pytest.fixture
def numbers(make_id_number: Callable[..., str]) -> dict[str, str]:
    return {
        "id_a": make_id_number("32058219780614", "517"),
        "phone_a": "13705172468",
        "id_b": make_id_number("51010719921209", "836"),
        "phone_b": "18682093157",
    }


def _fragments(numbers: dict[str, str]) -> list[str]:
    """Everything that must not leak: the numbers, their masked forms, and long fragments
    (region + birth date; birth date + sequence + check digit; the phone's last 8 digits)."""
    found = []
    for key in ("id_a", "id_b"):
        number = numbers[key]
        found += [number, number[:14], number[6:], mask_id_number(number), "*" + number[-4:]]
    for key in ("phone_a", "phone_b"):
        phone = numbers[key]
        found += [phone, phone[-8:], mask_phone(phone)]
    return found


def _assert_no_leak(text: str, numbers: dict[str, str], where: str) -> None:
    for fragment in _fragments(numbers):
        assert fragment not in text, f"{fragment!r} leaked in {where}"


@pytest.fixture
def union(
    make_org: Callable[..., Any], make_person: Callable[..., Any], numbers: dict[str, str]
) -> dict[str, Any]:
    city = make_org(name="某某市总工会", kind=OrgKind.CITY)
    unit = make_org(name="电机厂工会", kind=OrgKind.GRASSROOTS, parent=city)
    return {
        "city": city,
        "unit": unit,
        "a": make_person(
            name="周八", organization=unit, id_number=numbers["id_a"], phone=numbers["phone_a"]
        ),
        "b": make_person(
            name="吴九", organization=city, id_number=numbers["id_b"], phone=numbers["phone_b"]
        ),
    }


def _ids_by_param(db: Any) -> dict[str, list[int]]:
    """``<int:X_id>`` → the ids of the model named X (``org`` is Organization), so pages of
    areas added later are crawled with real rows too."""
    models = {m.class_.__name__.lower(): m.class_ for m in db.Model.registry.mappers}
    models["org"] = models["organization"]
    return {
        f"{stem}_id": list(db.session.scalars(select(model.id)))
        for stem, model in models.items()
        if hasattr(model, "id")
    }


def _get_paths(app: Flask, db: Any) -> list[str]:
    """Every GET route of the app outside /static/, with int parameters filled with real ids
    (or 1 where there are none, so the route is still requested)."""
    ids = _ids_by_param(db)
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        if NON_INT_PARAM.search(rule.rule):
            continue  # only /lang/<code> so far: a redirect that renders nothing
        params = INT_PARAM.findall(rule.rule)
        choices = [ids.get(name) or [1] for name in params]
        for values in itertools.product(*choices):
            it = iter(values)
            paths.append(INT_PARAM.sub(lambda _m, it=it: str(next(it)), rule.rule))
    return paths


@pytest.fixture
def crawl(
    app: Flask,
    db: Any,
    union: dict[str, Any],
    make_user: Callable[..., Any],
    client_for: Callable[[Any], FlaskClient],
) -> Callable[[str], dict[str, Any]]:
    """GET every page as a user of ``role`` (in the city union) and every API route with
    that user's token; returns {path: response}."""

    def _crawl(role: str) -> dict[str, Any]:
        user = None if role == "anonymous" else make_user(role, organization=union["city"])
        headers = {}
        if user is not None:
            headers = {"Authorization": f"Bearer {create_token(None, user)}"}
            db.session.commit()
        client = client_for(user)
        responses = {}
        for path in _get_paths(app, db):
            extra = headers if path.startswith("/api/") else {}
            responses[path] = client.get(path, headers=extra)
        return responses

    return _crawl


def _text_of(response: Any) -> str:
    """A response's text; a spreadsheet download (an import template) is unzipped and every
    part read, so a number inside a workbook is found too."""
    if response.mimetype.startswith("application/vnd.openxmlformats"):
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as book:
            return "".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    return str(response.get_data(as_text=True))


@pytest.mark.parametrize("role", ["anonymous", *NON_ADMIN_ROLES])
def test_no_page_or_api_response_shows_personal_numbers(
    crawl: Callable[[str], dict[str, Any]], numbers: dict[str, str], role: str
) -> None:
    responses = crawl(role)
    assert len(responses) >= 10
    for path, response in responses.items():
        _assert_no_leak(_text_of(response), numbers, f"{role} GET {path}")
        _assert_no_leak(str(response.headers), numbers, f"{role} GET {path} headers")


def test_organizer_crawl_does_reach_the_people(
    crawl: Callable[[str], dict[str, Any]], union: dict[str, Any]
) -> None:
    """Guards against a vacuous crawl: the organizer really sees the records."""
    responses = crawl("organizer")
    assert responses[f"/orgs/{union['city'].id}"].status_code == 200
    assert "周八" in responses[f"/orgs/{union['city'].id}"].get_data(as_text=True)
    assert responses[f"/orgs/people/{union['a'].id}/edit"].status_code == 200
    assert responses["/api/v1/me"].status_code == 200


def test_person_edit_form_never_prefills_the_numbers(
    union: dict[str, Any], login_as: Callable[..., Any], client: FlaskClient
) -> None:
    login_as("admin")
    body = client.get(f"/orgs/people/{union['a'].id}/edit").get_data(as_text=True)
    for name in ("id_number", "phone"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
        assert tag is not None
        assert 'value=""' in tag.group(0) or "value=" not in tag.group(0)
    assert "已登记" in body  # says a number is on file, without showing it


def test_bad_id_number_error_does_not_echo_the_number(
    union: dict[str, Any],
    login_as: Callable[..., Any],
    client: FlaskClient,
    make_id_number: Callable[..., str],
) -> None:
    login_as("organizer", organization=union["city"])
    good = make_id_number("32058219780614", "999")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = client.post(
        "/orgs/people/new",
        data={"name": "郑十", "organization_id": union["unit"].id, "id_number": bad},
    )
    body = response.get_data(as_text=True)
    assert "身份证号校验位不正确" in body
    # Only in the field it was typed into, so the user can correct it; never in a message.
    assert body.count(bad) == 1 and f'value="{bad}"' in body


def test_failed_save_shows_only_what_was_typed_and_nothing_stored(
    union: dict[str, Any],
    login_as: Callable[..., Any],
    client: FlaskClient,
    numbers: dict[str, str],
) -> None:
    login_as("organizer", organization=union["city"])
    response = client.post(
        "/orgs/people/new",
        data={
            "name": "郑十",
            "organization_id": union["unit"].id,
            "id_number": numbers["id_a"],  # already registered to 周八
            "phone": numbers["phone_b"],
        },
    )
    body = response.get_data(as_text=True)
    assert "该身份证号已登记在另一位职工名下" in body
    # What the user typed stays in its field (once); 周八's stored phone never appears.
    assert body.count(numbers["id_a"]) == 1 and f'value="{numbers["id_a"]}"' in body
    assert body.count(numbers["phone_b"]) == 1
    _assert_no_leak(
        body.replace(numbers["id_a"], "").replace(numbers["phone_b"], ""),
        numbers,
        "the re-rendered form",
    )


def test_admin_person_page_shows_masked_numbers_by_default(
    union: dict[str, Any],
    login_as: Callable[..., Any],
    client: FlaskClient,
    numbers: dict[str, str],
) -> None:
    login_as("admin")
    body = client.get(f"/admin/people/{union['a'].id}").get_data(as_text=True)
    assert mask_id_number(numbers["id_a"]) in body
    assert mask_phone(numbers["phone_a"]) in body
    assert numbers["id_a"] not in body
    assert numbers["phone_a"] not in body


def test_admin_reveal_shows_the_full_numbers(
    union: dict[str, Any],
    login_as: Callable[..., Any],
    client: FlaskClient,
    numbers: dict[str, str],
) -> None:
    login_as("admin")
    body = client.post(f"/admin/people/{union['a'].id}").get_data(as_text=True)
    assert numbers["id_a"] in body
    assert numbers["phone_a"] in body


def test_admin_reveal_is_audited(
    db: Any, union: dict[str, Any], login_as: Callable[..., Any], client: FlaskClient
) -> None:
    admin = login_as("admin")
    client.post(f"/admin/people/{union['a'].id}")
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "person.reveal")
    ).all()
    assert [(e.actor_id, e.target_id) for e in entries] == [(admin.id, str(union["a"].id))]


def test_viewing_the_masked_page_is_not_a_reveal(
    db: Any, union: dict[str, Any], login_as: Callable[..., Any], client: FlaskClient
) -> None:
    login_as("admin")
    client.get(f"/admin/people/{union['a'].id}")
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.reveal")) is None


def test_audit_trail_never_holds_personal_numbers(
    db: Any,
    union: dict[str, Any],
    login_as: Callable[..., Any],
    client: FlaskClient,
    numbers: dict[str, str],
) -> None:
    login_as("organizer", organization=union["city"])
    client.post(
        f"/orgs/people/{union['a'].id}/edit",
        data={"name": "周八", "organization_id": union["unit"].id, "phone": "13911112222"},
    )
    for entry in db.session.scalars(select(AuditEntry)):
        text = f"{entry.before} {entry.after} {entry.reason}"
        _assert_no_leak(text, numbers, f"audit entry {entry.id}")
        assert "13911112222" not in text


def test_unexpected_error_logs_do_not_contain_the_number(
    failing_app: Flask, caplog: pytest.LogCaptureFixture, numbers: dict[str, str]
) -> None:
    bad = numbers["id_a"][:17] + ("0" if numbers["id_a"][17] != "0" else "1")
    with caplog.at_level(logging.DEBUG):
        response = failing_app.test_client().post(
            "/_test/check-id", data={"id_number": bad, "phone": numbers["phone_a"]}
        )
    assert response.status_code == 500
    assert "unhandled error" in caplog.text  # the failure was logged...
    assert bad not in caplog.text  # ...without the number
    assert bad[:14] not in caplog.text
    assert numbers["phone_a"] not in caplog.text
    assert bad not in response.get_data(as_text=True)
