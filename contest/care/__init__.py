"""After the honor (劳模服务): the 劳模 archive, care, due lists, reviews and revocations.

Each view module registers its routes on ``bp`` (``contest.care.blueprint``); importing it
here is all a new module needs, and its menu entries go in ``AREA`` below (one drop-down,
劳模服务, for admins and the care role).
"""

from flask_babel import lazy_gettext as _l

from contest.care import (  # noqa: F401  (routes register on bp)
    archive_views,
    due_views,
    review_views,
    revocation_views,
    settings_views,
)
from contest.care.blueprint import bp
from contest.models import Role
from contest.ui.areas import Area, HomeSection, NavItem

CARE_MENU = _l("劳模服务")
_CARE = frozenset({Role.ADMIN, Role.CARE})

# Entries in menu order; each view module's entry is added with its view.
AREA = Area(
    bp,
    nav=(
        NavItem("care.files", _l("劳模档案"), _CARE, group=CARE_MENU),
        NavItem("care.due", _l("到期名单"), _CARE, group=CARE_MENU),
        NavItem("care.reviews", _l("动态管理复核"), _CARE, group=CARE_MENU),
        NavItem("care.revocations", _l("荣誉撤销"), _CARE, group=CARE_MENU),
        NavItem("care.settings", _l("设置"), frozenset({Role.ADMIN}), group=CARE_MENU),
    ),
    home_sections=(
        HomeSection(
            "care", "care/_home_section.html", frozenset({Role.CARE}), due_views.home_section
        ),
    ),
)

__all__ = ["AREA", "CARE_MENU", "bp"]
