"""Read-only figures for the landing page and each role's home."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from contest.extensions import db
from contest.models import AuditHead, Organization, OrgKind, Person, Role, User


def public_stats() -> dict[str, int]:
    return {
        "organizations": db.session.scalar(select(func.count(Organization.id))) or 0,
        "people": db.session.scalar(select(func.count(Person.id))) or 0,
    }


@dataclass
class HomePanel:
    """The figures of a role's home; ``sections`` holds named lists (users by role). The home
    page adds the lists the areas declare: this service computes figures and calls nothing
    above it."""

    organization: Organization | None
    figures: dict[str, Any] = field(default_factory=dict)
    children: list[Organization] = field(default_factory=list)
    sections: dict[str, Any] = field(default_factory=dict)


def _subtree_counts(org: Organization) -> dict[str, int]:
    ids = org.subtree_ids_query()
    units = db.session.scalar(
        select(func.count(Organization.id)).where(Organization.path.startswith(org.path))
    )
    grassroots = db.session.scalar(
        select(func.count(Organization.id)).where(
            Organization.path.startswith(org.path), Organization.kind == OrgKind.GRASSROOTS
        )
    )
    people = db.session.scalar(select(func.count(Person.id)).where(Person.organization_id.in_(ids)))
    return {"units": units or 0, "grassroots": grassroots or 0, "people": people or 0}


def home_panel(user: User) -> HomePanel:
    org = user.organization
    panel = HomePanel(organization=org)
    if user.role is Role.ADMIN:
        panel.figures = {
            "units": db.session.scalar(select(func.count(Organization.id))) or 0,
            "people": db.session.scalar(select(func.count(Person.id))) or 0,
            "users": db.session.scalar(select(func.count(User.id))) or 0,
        }
        head = db.session.get(AuditHead, 1)
        panel.figures["audit_entries"] = head.count if head else 0
        panel.sections["users_by_role"] = {
            role: count
            for role, count in db.session.execute(
                select(User.role, func.count(User.id)).group_by(User.role)
            )
        }
        panel.children = list(
            db.session.scalars(
                select(Organization)
                .where(Organization.parent_id.is_(None))
                .order_by(Organization.id)
            )
        )
    elif org is not None:
        panel.figures = _subtree_counts(org)
        panel.children = list(org.children)
    return panel
