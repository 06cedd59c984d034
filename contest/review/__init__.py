"""Progress, re-check, appeals and sign-off: for the contest's organizers and the chief judge;
and the arbitration panel's appeals (``arbitration``)."""

from flask_babel import lazy_gettext as _l

from contest.models import Role
from contest.review import arbitration, views
from contest.review.blueprint import bp
from contest.services.skills import access
from contest.services.skills import arbitration as arbitration_service
from contest.ui.areas import CONTESTS_MENU, Area, HomeSection, NavItem

AREA = Area(
    bp,
    nav=(
        NavItem(
            "review.index",
            _l("评审复核"),
            frozenset({Role.ADMIN, Role.ORGANIZER, Role.JUDGE}),
            group=CONTESTS_MENU,
            shown_to=lambda user: user.role is not Role.JUDGE or access.chairs_any_event(user),
        ),
        NavItem(
            "review.arbitration_index",
            _l("申诉仲裁"),
            frozenset({Role.JUDGE}),
            group=CONTESTS_MENU,
            shown_to=arbitration_service.arbitrates_any,
        ),
    ),
    home_sections=(
        HomeSection(
            "review_chief",
            "review/_home_chief.html",
            frozenset({Role.JUDGE}),
            views.chief_home_section,
        ),
        HomeSection(
            "review_arbitration",
            "review/_home_arbitration.html",
            frozenset({Role.JUDGE}),
            arbitration.home_section,
        ),
    ),
)

__all__ = ["AREA", "bp"]
