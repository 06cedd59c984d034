"""The orgs area's loaders: what the signed-in user may see of the tree, and one org or person.

Admins see the whole tree; organizers their own union and what lies below it. A page outside
that answers 403, a missing one 404, before any form is read.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from contest.extensions import db
from contest.models import Organization, Person, Role

IMPORT_MAX_BYTES = 20 * 1024 * 1024
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def scope_root() -> Organization | None:
    """None for admins (everything), else the user's own organisation."""
    return None if current_user.role is Role.ADMIN else current_user.organization


def orgs_in_scope(*, open_only: bool = False) -> list[Organization]:
    """The organisations the user manages, parents before children."""
    query = select(Organization)
    root = scope_root()
    if root is not None:
        query = query.where(Organization.path.startswith(root.path))
    if open_only:
        query = query.where(Organization.closed_at.is_(None))
    found = list(db.session.scalars(query))
    return sorted(found, key=lambda o: o.path_ids)


def load_org(org_id: int) -> Organization:
    org = db.session.get(Organization, org_id) or abort(404)
    if not current_user.can_manage_org(org):
        abort(403)
    return org


def load_person(person_id: int) -> Person:
    person = db.session.get(Person, person_id) or abort(404)
    if not current_user.can_manage_org(person.organization):
        abort(403)
    return person
