"""Registering and editing people through the organisations area's form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from contest.models import AuditEntry, Gender, OrgKind, Person, WorkerCategory
from contest.validation import id_check_digit

ID_BASE = "33010219880815"  # Hangzhou, born 1988-08-15
FIRST17 = ID_BASE + "271"
BAD_CHECK_DIGIT = FIRST17 + ("0" if id_check_digit(FIRST17) != "0" else "1")


@pytest.fixture
def unit(make_org: Callable[..., Any]) -> Any:
    city = make_org(name="某某市总工会", kind=OrgKind.CITY)
    return make_org(name="汽车修理厂工会", kind=OrgKind.GRASSROOTS, parent=city)


@pytest.fixture
def organizer(unit: Any, login_as: Callable[..., Any]) -> Any:
    return login_as("organizer", organization=unit)


@pytest.fixture
def id_number(make_id_number: Callable[..., str]) -> str:
    return make_id_number(ID_BASE, "271")  # 7 (odd): male


def _form(unit: Any, **fields: Any) -> dict[str, Any]:
    data = {
        "name": "陈建国",
        "organization_id": unit.id,
        "gender": "",
        "category": "",
        "occupation": "汽车维修工",
    }
    data.update(fields)
    return data


def _people(db: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(Person)) or 0


def _person_audits(db: Any) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.target_type == "person")
        )
        or 0
    )


# ---------------------------------------------------------------- creating


def test_new_person_is_saved_and_redirects_to_the_unit(
    db: Any, client: FlaskClient, unit: Any, organizer: Any, id_number: str
) -> None:
    response = client.post(
        "/orgs/people/new", data=_form(unit, id_number=id_number, phone="13612345678")
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/orgs/{unit.id}"
    person = db.session.scalar(select(Person))
    assert (person.name, person.occupation, person.organization_id) == (
        "陈建国",
        "汽车维修工",
        unit.id,
    )
    assert person.reveal_id_number() == id_number
    assert person.reveal_phone() == "13612345678"


def test_saving_flashes_a_confirmation(
    client: FlaskClient, unit: Any, organizer: Any, id_number: str
) -> None:
    response = client.post(
        "/orgs/people/new", data=_form(unit, id_number=id_number), follow_redirects=True
    )
    assert "已保存 陈建国 的信息。" in response.get_data(as_text=True)


def test_birth_date_and_gender_are_taken_from_the_id_number(
    db: Any, client: FlaskClient, unit: Any, organizer: Any, id_number: str
) -> None:
    client.post("/orgs/people/new", data=_form(unit, id_number=id_number))
    person = db.session.scalar(select(Person))
    assert person.birth_date.isoformat() == "1988-08-15"
    assert person.gender is Gender.MALE


def test_lowercase_x_check_letter_is_accepted_and_normalised(
    db: Any, client: FlaskClient, unit: Any, organizer: Any, make_id_number: Callable[..., str]
) -> None:
    number = next(
        n for n in (make_id_number(ID_BASE, f"{s:03d}") for s in range(1000)) if n[-1] == "X"
    )
    response = client.post("/orgs/people/new", data=_form(unit, id_number=number.lower()))
    assert response.status_code == 302
    assert db.session.scalar(select(Person)).reveal_id_number() == number


def test_new_person_is_audited(
    db: Any, client: FlaskClient, unit: Any, organizer: Any, id_number: str
) -> None:
    client.post("/orgs/people/new", data=_form(unit, id_number=id_number))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.create"))
    assert entry is not None
    assert entry.actor_id == organizer.id


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id_number": BAD_CHECK_DIGIT}, "身份证号校验位不正确"),
        ({"id_number": "33010219880815271"}, "身份证号应为 18 位"),
        ({"id_number": "330102198813452718"}, "身份证号中的出生日期无效"),
        ({"phone": "12345"}, "联系电话格式不正确"),
        ({"name": ""}, "请填写姓名"),
    ],
    ids=["bad-check-digit", "too-short", "bad-birth-date", "bad-phone", "no-name"],
)
def test_invalid_input_is_refused_in_chinese_and_nothing_is_saved(
    db: Any,
    client: FlaskClient,
    unit: Any,
    organizer: Any,
    fields: dict[str, str],
    message: str,
) -> None:
    response = client.post("/orgs/people/new", data=_form(unit, **fields))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _people(db) == 0
    assert _person_audits(db) == 0


def test_duplicate_id_number_is_refused_and_nothing_is_saved(
    db: Any,
    client: FlaskClient,
    unit: Any,
    organizer: Any,
    id_number: str,
    make_person: Callable[..., Any],
) -> None:
    make_person(name="陈建国", organization=unit, id_number=id_number)
    audits = _person_audits(db)
    response = client.post("/orgs/people/new", data=_form(unit, name="陈建军", id_number=id_number))
    assert response.status_code == 200
    assert "该身份证号已登记在另一位职工名下" in response.get_data(as_text=True)
    assert _people(db) == 1
    assert _person_audits(db) == audits


# ---------------------------------------------------------------- editing


@pytest.fixture
def person(make_person: Callable[..., Any], unit: Any, id_number: str) -> Any:
    return make_person(
        name="陈建国",
        organization=unit,
        id_number=id_number,
        phone="13612345678",
        occupation="汽车维修工",
        gender=Gender.MALE,
        category=WorkerCategory.INDUSTRIAL,
    )


def test_edit_changes_the_fields_and_keeps_blank_numbers(
    db: Any, client: FlaskClient, unit: Any, organizer: Any, person: Any, id_number: str
) -> None:
    response = client.post(
        f"/orgs/people/{person.id}/edit",
        data=_form(unit, occupation="钳工", gender="male", category="industrial"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert person.occupation == "钳工"
    assert person.reveal_id_number() == id_number
    assert person.reveal_phone() == "13612345678"


def test_edit_replaces_a_number_that_is_entered(
    db: Any, client: FlaskClient, unit: Any, organizer: Any, person: Any
) -> None:
    client.post(f"/orgs/people/{person.id}/edit", data=_form(unit, phone="13798765432"))
    db.session.expire_all()
    assert person.reveal_phone() == "13798765432"


def test_edit_may_keep_the_persons_own_id_number(
    db: Any, client: FlaskClient, unit: Any, organizer: Any, person: Any, id_number: str
) -> None:
    response = client.post(f"/orgs/people/{person.id}/edit", data=_form(unit, id_number=id_number))
    assert response.status_code == 302


def test_edit_form_shows_the_current_selections(
    client: FlaskClient, organizer: Any, person: Any
) -> None:
    body = client.get(f"/orgs/people/{person.id}/edit").get_data(as_text=True)
    assert '<option selected value="male">' in body
    assert '<option selected value="industrial">' in body


def test_edit_post_without_the_select_fields_keeps_them(
    db: Any, client: FlaskClient, unit: Any, organizer: Any, person: Any
) -> None:
    response = client.post(
        f"/orgs/people/{person.id}/edit", data={"name": "陈建国", "organization_id": unit.id}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert person.gender is Gender.MALE
    assert person.category is WorkerCategory.INDUSTRIAL


def test_invalid_edit_changes_nothing(
    db: Any, client: FlaskClient, unit: Any, organizer: Any, person: Any
) -> None:
    response = client.post(
        f"/orgs/people/{person.id}/edit",
        data=_form(unit, name="改了名字", phone="not-a-phone"),
    )
    assert "联系电话格式不正确" in response.get_data(as_text=True)
    db.session.expire_all()
    assert person.name == "陈建国"
    assert person.reveal_phone() == "13612345678"


def test_edit_is_audited_with_before_and_after(
    db: Any, client: FlaskClient, unit: Any, organizer: Any, person: Any
) -> None:
    client.post(f"/orgs/people/{person.id}/edit", data=_form(unit, occupation="钳工"))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.update"))
    assert '"occupation": "汽车维修工"' in (entry.before or "")
    assert '"occupation": "钳工"' in (entry.after or "")


def test_withdrawing_photo_consent_invalidates_the_wall_caches(db: Any, make_person: Any) -> None:
    from contest.models import ContentVersion, HonorLevel
    from contest.services.core.people import PersonData, update_person
    from contest.services.honors.records import HonorData, add_honor

    person = make_person(name="王秀英", consent_photo=True)
    add_honor(
        None,
        HonorData(
            recipient_name=person.name,
            title="劳动模范",
            level=HonorLevel.CITY,
            year=2020,
            person=person,
            conferring_body="江州市人民政府",
            document_number="江政发〔2020〕8号",
        ),
    )
    db.session.commit()
    version = db.session.get(ContentVersion, "honors").version

    update_person(
        None,
        person,
        PersonData(name=person.name, organization=person.organization, consent_photo=False),
    )
    db.session.commit()

    assert db.session.get(ContentVersion, "honors").version == version + 1
