"""Judges' area: assignments by code and the score sheet, on a phone, tablet or PC."""

from flask_babel import lazy_gettext as _l

from contest.judging import views
from contest.judging.blueprint import bp
from contest.models import Role
from contest.ui.areas import Area, HomeSection, NavItem

AREA = Area(
    bp,
    nav=(NavItem("judging.index", _l("评分"), frozenset({Role.JUDGE})),),
    home_sections=(
        HomeSection(
            "judging", "judging/_home_section.html", frozenset({Role.JUDGE}), views.home_section
        ),
    ),
)

__all__ = ["AREA", "bp"]
