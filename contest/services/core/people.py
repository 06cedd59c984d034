"""Creating and updating people, with their personal numbers encrypted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import Entry, Gender, Honor, Organization, Person, User, WorkerCategory
from contest.models.base import utcnow
from contest.security import crypto
from contest.services.core import audit
from contest.services.core.versions import HONORS_CONTENT, bump_version
from contest.validation import (
    birth_date_from_id,
    gender_from_id,
    normalise_id_number,
    normalise_phone,
    text_problem,
)


class PersonError(ValueError):
    """A refused change; ``field`` names the form field, the message is translated."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class PersonData:
    name: str
    organization: Organization | None
    gender: Gender | None = None
    ethnicity: str | None = None
    birth_date: date | None = None
    id_number: str | None = None  # None: keep the stored one; "" clears it
    phone: str | None = None  # likewise
    occupation: str | None = None
    post: str | None = None
    skill_level: str | None = None
    category: WorkerCategory | None = None
    consent_photo: bool = False
    consent_deeds: bool = False


def snapshot(person: Person) -> dict[str, object]:
    """The audited view of a person: never the personal numbers themselves."""
    return {
        "name": person.name,
        "gender": person.gender.value if person.gender else None,
        "organization_id": person.organization_id,
        "occupation": person.occupation,
        "post": person.post,
        "skill_level": person.skill_level,
        "category": person.category.value if person.category else None,
        "consent_photo": person.consent_photo,
        "consent_deeds": person.consent_deeds,
        "has_id_number": person.id_number_hash is not None,
        "has_phone": person.phone_encrypted is not None,
    }


def find_by_id_number(id_number: str) -> Person | None:
    digest = crypto.blind_index(id_number)
    return db.session.scalar(select(Person).where(Person.id_number_hash == digest))


def _validated_numbers(person: Person, data: PersonData) -> tuple[str | None, str | None]:
    """Check the personal numbers before anything is changed (bad input changes nothing)."""
    number = phone = None
    if data.id_number and data.id_number.strip():
        try:
            number = normalise_id_number(data.id_number)
        except ValueError as error:
            raise PersonError("id_number", str(error)) from None
        other = find_by_id_number(number)
        if other is not None and other.id != person.id:
            raise PersonError("id_number", _("该身份证号已登记在另一位职工名下"))
    if data.phone and data.phone.strip():
        try:
            phone = normalise_phone(data.phone)
        except ValueError as error:
            raise PersonError("phone", str(error)) from None
    return number, phone


def _apply(person: Person, data: PersonData) -> None:
    name = data.name.strip()
    if not name:
        raise PersonError("name", _("请填写姓名"))
    if len(name) > 60:
        raise PersonError("name", _("姓名不能超过 60 个字符"))
    for field in ("name", "ethnicity", "occupation", "post"):
        problem = text_problem(getattr(data, field))
        if problem:
            raise PersonError(field, problem)
    number, phone = _validated_numbers(person, data)
    person.name = name
    person.organization = data.organization
    person.gender = data.gender
    person.ethnicity = (data.ethnicity or "").strip() or None
    person.birth_date = data.birth_date
    person.occupation = (data.occupation or "").strip() or None
    person.post = (data.post or "").strip() or None
    person.skill_level = (data.skill_level or "").strip() or None
    person.category = data.category
    if data.id_number is not None:
        person.set_id_number(number)
        if number:
            person.birth_date = person.birth_date or birth_date_from_id(number)
            person.gender = person.gender or Gender(gender_from_id(number))
    if data.phone is not None:
        person.set_phone(phone)
    if (data.consent_photo, data.consent_deeds) != (person.consent_photo, person.consent_deeds):
        person.consent_recorded_at = utcnow()
    person.consent_photo = data.consent_photo
    person.consent_deeds = data.consent_deeds


def create_person(actor: User | None, data: PersonData) -> Person:
    person = Person(consent_photo=False, consent_deeds=False)
    _apply(person, data)
    db.session.add(person)
    db.session.flush()
    audit.record(actor, "person.create", "person", person.id, after=snapshot(person))
    return person


# What the public wall reads from the person row itself (the rest is copied onto each honor).
_WALL_FIELDS = ("gender", "consent_photo", "consent_deeds")


def update_person(actor: User | None, person: Person, data: PersonData) -> Person:
    before = snapshot(person)
    _apply(person, data)
    db.session.flush()
    after = snapshot(person)
    audit.record(actor, "person.update", "person", person.id, before=before, after=after)
    if any(before.get(f) != after.get(f) for f in _WALL_FIELDS) and _has_honors(person):
        # A withdrawn consent must leave the wall now, not when a cached page expires.
        bump_version(HONORS_CONTENT)
    return person


def _has_honors(person: Person) -> bool:
    return (
        db.session.scalar(select(Honor.id).where(Honor.person_id == person.id).limit(1)) is not None
    )


def parse_gender(raw: str) -> Gender | None:
    """性别 as a sheet or a form spells it (男/女, 男性/女性, M/F); None for an empty cell.

    One list of accepted spellings for every import (roster, registration, people).
    """
    value = raw.replace(" ", "").strip()
    if not value:
        return None
    if value in ("男", "男性", "M", "m"):
        return Gender.MALE
    if value in ("女", "女性", "F", "f"):
        return Gender.FEMALE
    raise ValueError(_("性别应为 男 或 女"))


def record_of(person: Person) -> tuple[list[Honor], list[Entry]]:
    """A person's honors (newest first, revoked ones included and marked) and contest entries
    (newest contest first), for the person's page in the admin and orgs areas."""
    honors = list(
        db.session.scalars(
            select(Honor)
            .where(Honor.person_id == person.id)
            .order_by(Honor.year.desc(), Honor.level_rank, Honor.id)
        )
    )
    entries = list(
        db.session.scalars(
            select(Entry)
            .where(Entry.person_id == person.id)
            .options(selectinload(Entry.contest), selectinload(Entry.event))
            .order_by(Entry.id.desc())
        )
    )
    return honors, entries
