"""A small union tree with honorees for the 劳模 archive and care-record tests, built with the
services (no demo): 江州市总工会 → 东城区 (机床厂) and 西城区 (纺织厂)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from contest.extensions import db
from contest.models import (
    AuditEntry,
    Honor,
    HonoreeFile,
    HonorLevel,
    Organization,
    OrgKind,
    Person,
    Role,
    User,
)
from contest.services.care import archive
from contest.services.core.orgs import add_organization
from contest.services.core.people import PersonData, create_person
from contest.services.core.users import create_user
from contest.services.honors.records import HonorData, add_honor, revoke_honor
from tests.conftest import PASSWORD


@dataclass
class Tree:
    city: Organization
    east: Organization
    west: Organization
    east_unit: Organization
    west_unit: Organization
    people: dict[str, Person] = field(default_factory=dict)
    admin: User | None = None
    care_east: User | None = None

    def file_of(self, name: str) -> HonoreeFile:
        person = self.people[name]
        found = db.session.scalar(select(HonoreeFile).where(HonoreeFile.person_id == person.id))
        assert found is not None, name
        return found


def honor(person: Person | None, name: str, title: str, level: HonorLevel, year: int) -> Any:
    return add_honor(
        None,
        HonorData(
            recipient_name=name,
            title=title,
            level=level,
            year=year,
            person=person,
            unit_name=f"{name}的工作单位",
            conferring_body="江州市人民政府" if level is not HonorLevel.NATIONAL else "国务院",
            document_number=f"文〔{year}〕1号",
        ),
    )


def build_tree() -> Tree:
    """Six people: three whose honors count (张伟 东城, 李娜 西城, 周杰 without a union), and
    three whose do not (王强: 区县级; 赵敏: 技术能手; 孙丽: revoked). An admin and a care user
    of 东城区."""
    city = add_organization(None, name="江州市总工会", kind=OrgKind.CITY)
    east = add_organization(None, name="东城区总工会", kind=OrgKind.DISTRICT, parent=city)
    west = add_organization(None, name="西城区总工会", kind=OrgKind.DISTRICT, parent=city)
    east_unit = add_organization(None, name="江州机床厂工会", kind=OrgKind.GRASSROOTS, parent=east)
    west_unit = add_organization(None, name="江州纺织厂工会", kind=OrgKind.GRASSROOTS, parent=west)
    tree = Tree(city, east, west, east_unit, west_unit)
    plan = [
        ("张伟", east_unit, "江州市劳动模范", HonorLevel.CITY),
        ("李娜", west_unit, "全国劳动模范", HonorLevel.NATIONAL),
        ("周杰", None, "省劳动模范", HonorLevel.PROVINCIAL),
        ("王强", east_unit, "东城区劳动模范", HonorLevel.DISTRICT),
        ("赵敏", east_unit, "江州市技术能手", HonorLevel.CITY),
        ("孙丽", east_unit, "江州市先进工作者", HonorLevel.CITY),
    ]
    for name, org, title, level in plan:
        person = create_person(None, PersonData(name=name, organization=org))
        tree.people[name] = person
        honor(person, name, title, level, 2020)
    revoke_honor(None, _honor_of(tree.people["孙丽"]), "经查事迹严重失实")
    tree.admin = create_user(None, "care-admin", PASSWORD, Role.ADMIN)
    tree.care_east = create_user(None, "care-east", PASSWORD, Role.CARE, east)
    db.session.commit()
    return tree


def _honor_of(person: Person) -> Any:
    return db.session.scalars(select(Honor).where(Honor.person_id == person.id)).one()


def filed_tree() -> Tree:
    """The tree with every counting honoree filed (by the admin)."""
    tree = build_tree()
    archive.sync_files(tree.admin, None)  # type: ignore[arg-type]
    db.session.commit()
    return tree


def entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )
