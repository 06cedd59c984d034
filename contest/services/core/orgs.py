"""Adding and moving organisations in the union tree (``path`` kept in step)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from contest.extensions import db
from contest.models import Organization, OrgKind, User
from contest.services.core import audit


class OrganizationError(ValueError):
    pass


def _snapshot(org: Organization) -> dict[str, Any]:
    return {
        "name": org.name,
        "kind": org.kind.value,
        "parent_id": org.parent_id,
        "industry": org.industry,
        "region": org.region,
    }


def add_organization(
    actor: User | None,
    *,
    name: str,
    kind: OrgKind,
    parent: Organization | None = None,
    short_name: str | None = None,
    industry: str | None = None,
    region: str | None = None,
    code: str | None = None,
    audited: bool = True,
) -> Organization:
    """Create an organisation below ``parent``; ``audited=False`` is for bulk demo loads."""
    name = name.strip()
    if not name:
        raise OrganizationError(_("请填写组织名称"))
    org = Organization(
        name=name,
        kind=kind,
        parent=parent,
        short_name=short_name,
        industry=industry,
        region=region,
        code=code,
        path="",
    )
    db.session.add(org)
    db.session.flush()  # assigns the id the path is built from
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    db.session.flush()
    if audited:
        audit.record(actor, "organization.create", "organization", org.id, after=_snapshot(org))
    return org
