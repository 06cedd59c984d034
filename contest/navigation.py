"""The navigation: which areas each role sees. Areas add their entries here.

An entry is shown when the user has one of its roles (an empty role set means "everyone,
including the public"); the view's own guard is what actually enforces access.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from contest.models import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string
    roles: frozenset[Role]
    public: bool = False


NAV_ITEMS: list[NavItem] = [
    NavItem("main.home", _l("工作台"), frozenset(Role)),
    NavItem("orgs.index", _l("组织与职工"), frozenset({Role.ADMIN, Role.ORGANIZER})),
    NavItem("admin.users", _l("账号管理"), frozenset({Role.ADMIN})),
    NavItem("admin.audit", _l("审计日志"), frozenset({Role.ADMIN})),
]


def register(item: NavItem, *, before: str | None = None) -> None:
    """Add an area's entry (optionally before another endpoint) once."""
    if any(existing.endpoint == item.endpoint for existing in NAV_ITEMS):
        return
    if before:
        for index, existing in enumerate(NAV_ITEMS):
            if existing.endpoint == before:
                NAV_ITEMS.insert(index, item)
                return
    NAV_ITEMS.append(item)


def items_for(user: object) -> list[NavItem]:
    role = getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None
    return [item for item in NAV_ITEMS if item.public or (role is not None and role in item.roles)]
