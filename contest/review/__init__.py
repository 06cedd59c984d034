"""Progress, re-check, appeals and sign-off: for the contest's organizers and the chief judge."""

from flask_babel import lazy_gettext as _l

from contest.models import Role
from contest.review import views
from contest.review.blueprint import bp
from contest.ui.areas import CONTESTS_MENU, Area, HomeSection, NavItem

AREA = Area(
    bp,
    nav=(
        NavItem(
            "review.index",
            _l("评审复核"),
            frozenset({Role.ADMIN, Role.ORGANIZER}),
            group=CONTESTS_MENU,
        ),
    ),
    home_sections=(
        HomeSection(
            "review_chief",
            "review/_home_chief.html",
            frozenset({Role.JUDGE}),
            views.chief_home_section,
        ),
    ),
)

__all__ = ["AREA", "bp"]
