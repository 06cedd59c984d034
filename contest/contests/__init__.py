"""Organizers' area: contests, events, rubrics, registration, draws and judge panels."""

from flask_babel import lazy_gettext as _l

from contest.contests import (  # noqa: F401  (their routes register on bp)
    arbitration,
    panels,
    registration_views,
    rubric_views,
    views,
)
from contest.contests.blueprint import bp
from contest.models import Role
from contest.ui.areas import CONTESTS_MENU, Area, HomeSection, NavItem

AREA = Area(
    bp,
    nav=(
        NavItem(
            "contests.index",
            _l("大赛管理"),
            frozenset({Role.ADMIN, Role.ORGANIZER}),
            group=CONTESTS_MENU,
        ),
    ),
    home_sections=(
        HomeSection(
            "contests",
            "contests/_home_section.html",
            frozenset({Role.ORGANIZER}),
            views.home_section,
        ),
    ),
)

__all__ = ["AREA", "bp"]
