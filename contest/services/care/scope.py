"""Who sees which 劳模 file: admins every file, the 劳模服务 (care) role the files whose
caring union is its own union or below it. Nobody else sees any — not organizers, not the
recommending units, not the public (DOMAIN §3 rule 26: care records are private).

Every query of files goes through :func:`visible_files`, every single file through
:func:`may_see`, so the rule lives in one place.
"""

from __future__ import annotations

from sqlalchemy import Select, select, true
from sqlalchemy.sql.elements import ColumnElement

from contest.models import HonoreeFile, Organization, Role, User

__all__ = ["CARE_ROLES", "file_filter", "may_see", "may_see_org", "visible_files"]

CARE_ROLES = (Role.ADMIN, Role.CARE)


def may_see_org(user: User, org: Organization | None) -> bool:
    """Whether ``user`` looks after honorees cared for by ``org``."""
    if user.role is Role.ADMIN:
        return True
    if user.role is not Role.CARE:
        return False
    return user.can_manage_org(org)


def may_see(user: User, file: HonoreeFile) -> bool:
    return may_see_org(user, file.care_organization)


def file_filter(user: User) -> ColumnElement[bool]:
    """The WHERE clause limiting files to what ``user`` may see (nothing for other roles)."""
    if user.role is Role.ADMIN:
        return true()
    if user.role is not Role.CARE or user.organization is None:
        return HonoreeFile.id.is_(None)  # never true: files always have an id
    return HonoreeFile.care_organization_id.in_(user.organization.subtree_ids_query())


def visible_files(user: User) -> Select[tuple[HonoreeFile]]:
    return select(HonoreeFile).where(file_filter(user))
