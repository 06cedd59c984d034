"""The union tree and its people, for admins and organizers (scoped to their subtree)."""

from flask_babel import lazy_gettext as _l

from contest.models import Role
from contest.orgs import photo_views, sheet_views, tree_views, views  # noqa: F401  (routes)
from contest.orgs.blueprint import bp
from contest.ui.areas import Area, NavItem

AREA = Area(
    bp,
    nav=(NavItem("orgs.index", _l("组织与职工"), frozenset({Role.ADMIN, Role.ORGANIZER})),),
)

__all__ = ["AREA", "bp"]
