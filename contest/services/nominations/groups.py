"""The groups a slate is counted by (产业工人, 农民工, 企业负责人, 非公有制 …) and which of them a
nomination falls in.

A group key (at most 40 characters) is what ``SlateRule.group`` and ``SlateRule.denominator``,
a quota's typed slots (``CampaignQuota.slots``), a 征求意见 checklist and
``Nomination.categories`` (the groups the recommender declares) name. A nomination's groups come
from the records where they can (DOMAIN rule 19): the person's ``WorkerCategory``, gender and
ethnicity, the nominee's organisation (所有制, whether it is an enterprise, 重点产业), the
recipient kind — plus what the recommender declared, for what no record holds (农民工 on a
person not yet marked as one, 新就业形态, 班组 for a 工人先锋号 team).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from contest.extensions import db
from contest.models import (
    Gender,
    Nomination,
    Organization,
    Ownership,
    Person,
    RecipientKind,
    WorkerCategory,
)

__all__ = [
    "DECLARABLE",
    "GROUPS",
    "categories_for",
    "group_label",
    "nominee_org",
    "orgs_of",
]

GROUPS: dict[str, LazyString] = {
    # people, from WorkerCategory
    "industrial": _l("产业工人"),
    "frontline": _l("一线职工"),
    "technical": _l("专业技术人员"),
    "frontline_technical": _l("其他一线职工和专业技术人员"),
    "science_education": _l("科教人员"),
    "migrant": _l("农民工"),
    "enterprise_head": _l("企业负责人"),
    "official": _l("机关干部"),
    # people, tracked without a threshold by default
    "female": _l("女性"),
    "minority": _l("少数民族"),
    "new_form": _l("新就业形态劳动者"),
    # organisations
    "non_public": _l("非公有制"),
    "state_owned": _l("国有"),
    "enterprise": _l("企业"),
    "public_sector": _l("机关事业单位"),
    "key_industry": _l("重点产业"),
    # recipients
    "person": _l("个人"),
    "unit": _l("单位"),
    "team": _l("集体"),
    "work_team": _l("班组"),
}

# What a recommender may declare on a nomination (what the records may not show).
DECLARABLE = (
    "industrial",
    "frontline",
    "technical",
    "science_education",
    "migrant",
    "enterprise_head",
    "official",
    "new_form",
    "work_team",
)

_WORKER_GROUPS: dict[WorkerCategory, str] = {
    WorkerCategory.INDUSTRIAL: "industrial",
    WorkerCategory.FRONTLINE: "frontline",
    WorkerCategory.TECHNICAL: "technical",
    WorkerCategory.SCIENCE_EDUCATION: "science_education",
    WorkerCategory.MIGRANT: "migrant",
    WorkerCategory.ENTERPRISE_HEAD: "enterprise_head",
    WorkerCategory.OFFICIAL: "official",
}
_RECIPIENT_GROUPS = {
    RecipientKind.PERSON: "person",
    RecipientKind.UNIT: "unit",
    RecipientKind.TEAM: "team",
}
_ENTERPRISE_OWNERSHIPS = frozenset({Ownership.STATE, Ownership.COLLECTIVE, Ownership.NON_PUBLIC})
_HAN = ("汉", "汉族")


def group_label(key: str) -> str:
    """A group's name for people; an unknown key (a rule typed elsewhere) as it is."""
    return str(GROUPS[key]) if key in GROUPS else key


def nominee_org(
    nomination: Nomination, orgs: Mapping[int, Organization] | None = None
) -> Organization | None:
    """The nominee's own organisation: the nominated unit (or the team's), else the person's
    employer's union. ``orgs`` (id → organisation) spares a query per nomination."""
    org_id = nomination.organization_id
    if org_id is None and nomination.person is not None:
        org_id = nomination.person.organization_id
    if org_id is None:
        return None
    if orgs is not None and org_id in orgs:
        return orgs[org_id]
    return db.session.get(Organization, org_id)


def orgs_of(nominations: Iterable[Nomination]) -> dict[int, Organization]:
    """The nominees' organisations in one query (for checking a whole slate)."""
    ids = set()
    for n in nominations:
        org_id = n.organization_id
        if org_id is None and n.person is not None:
            org_id = n.person.organization_id
        if org_id is not None:
            ids.add(org_id)
    if not ids:
        return {}
    rows = db.session.scalars(select(Organization).where(Organization.id.in_(sorted(ids)))).all()
    return {org.id: org for org in rows}


def _person_groups(person: Person) -> set[str]:
    found = set()
    if person.category is not None:
        found.add(_WORKER_GROUPS[person.category])
    if person.gender is Gender.FEMALE:
        found.add("female")
    ethnicity = (person.ethnicity or "").strip()
    if ethnicity and ethnicity not in _HAN:
        found.add("minority")
    if getattr(person, "new_form", False):  # 新就业形态, when the people records hold it
        found.add("new_form")
    return found


def _org_groups(org: Organization) -> set[str]:
    found = set()
    ownership = org.ownership
    if ownership is Ownership.NON_PUBLIC:
        found.add("non_public")
    if ownership is Ownership.STATE:
        found.add("state_owned")
    if ownership in _ENTERPRISE_OWNERSHIPS:
        found.add("enterprise")
    if ownership is Ownership.PUBLIC_SECTOR:
        found.add("public_sector")
    if org.is_key_industry:
        found.add("key_industry")
    return found


def categories_for(
    nomination: Nomination, orgs: Mapping[int, Organization] | None = None
) -> set[str]:
    """Every group ``nomination`` counts in: from the person, the nominee's organisation and
    the recipient kind, plus the groups the recommender declared. 一线职工 and 专业技术人员
    both count as 其他一线职工和专业技术人员 (the national rule names them together)."""
    found = {_RECIPIENT_GROUPS[nomination.recipient_kind]}
    if nomination.recipient_kind is RecipientKind.PERSON and nomination.person is not None:
        found |= _person_groups(nomination.person)
    org = nominee_org(nomination, orgs)
    if org is not None:
        found |= _org_groups(org)
    found |= {str(c) for c in nomination.categories or [] if str(c) in GROUPS}
    if found & {"frontline", "technical"}:
        found.add("frontline_technical")
    return found
