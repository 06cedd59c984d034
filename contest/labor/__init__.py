"""Labor competitions and union ratings (劳动竞赛, 安康杯, 六好 / 职工之家): DOMAIN §2.

Each view module registers its routes on ``bp`` (``contest.labor.blueprint``); importing it
here is all a new module needs.
"""

from flask_babel import lazy_gettext as _l

from contest.labor import (  # noqa: F401  (their routes register on bp)
    assess_views,
    assessor_views,
    indicator_views,
    participant_views,
    public_views,
    round_steps_views,
    round_views,
    self_views,
    standings_views,
    survey_answer,
    survey_views,
    title_views,
    views,
)
from contest.labor.blueprint import bp
from contest.models import Role
from contest.services.labor.scoring import assesses_anything, self_assesses_anything
from contest.ui.areas import Area, HomeSection, NavItem

# The menu's drop-down for the area's pages (one entry shows as a plain link).
LABOR_MENU = _l("劳动竞赛")

AREA = Area(
    bp,
    nav=(
        NavItem(
            "labor.index",
            _l("劳动竞赛与评级"),
            frozenset({Role.ADMIN, Role.ORGANIZER}),
            group=LABOR_MENU,
        ),
        NavItem(
            "labor.assess_index",
            _l("我的考评"),
            frozenset({Role.JUDGE, Role.REVIEWER, Role.ORGANIZER}),
            group=LABOR_MENU,
            shown_to=assesses_anything,
        ),
        NavItem(
            "labor.self_index",
            _l("我的自评"),
            frozenset({Role.RECOMMENDER, Role.ORGANIZER, Role.REVIEWER, Role.JUDGE}),
            group=LABOR_MENU,
            shown_to=self_assesses_anything,
        ),
        NavItem(
            "labor.public_index",
            _l("劳动竞赛排名"),
            frozenset(),
            public=True,
            group=LABOR_MENU,
        ),
    ),
    public_entries=public_views.PUBLIC_ENTRIES,
    home_sections=(
        HomeSection(
            "labor",
            "labor/_home_section.html",
            frozenset({Role.ORGANIZER}),
            views.home_section,
        ),
    ),
)

__all__ = ["AREA", "LABOR_MENU", "bp"]
