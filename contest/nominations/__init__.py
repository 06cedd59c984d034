"""Nomination campaigns (评选表彰): DOMAIN §3.

Each view module registers its routes on ``bp`` (``contest.nominations.blueprint``); importing
it here is all a new module needs, and its menu entries go in ``AREA`` below.
"""

from flask_babel import lazy_gettext as _l

from contest.models import Role
from contest.nominations import (  # noqa: F401  (routes register on bp)
    ballot_views,
    campaign_setup_views,
    campaign_summary_views,
    campaign_views,
    conferral_views,
    expert_views,
    objection_views,
    publicity_admin_views,
    publicity_views,
    quota_views,
    recommend_views,
    review_views,
    slate_views,
)
from contest.nominations.blueprint import bp
from contest.services.nominations.ballots import sits_on_ballots
from contest.services.nominations.nominations import recommends_anything
from contest.services.nominations.review import has_tasks as reviews_anything
from contest.ui.areas import Area, HomeSection, NavItem

# The menu's drop-down for the area's pages (one entry shows as a plain link).
NOMINATIONS_MENU = _l("评选表彰")

AREA = Area(
    bp,
    nav=(
        NavItem(
            "nominations.index",
            _l("评选表彰"),
            frozenset({Role.ADMIN, Role.ORGANIZER}),
            group=NOMINATIONS_MENU,
        ),
        NavItem(
            "nominations.recommend_index",
            _l("推荐申报"),
            frozenset({Role.RECOMMENDER, Role.ORGANIZER}),
            group=NOMINATIONS_MENU,
            shown_to=recommends_anything,
        ),
        NavItem(
            "nominations.ballots_index",
            _l("投票表决"),
            frozenset({Role.REVIEWER, Role.ORGANIZER, Role.JUDGE}),
            group=NOMINATIONS_MENU,
            shown_to=sits_on_ballots,
        ),
        NavItem(
            "nominations.review_index",
            _l("评审任务"),
            frozenset({Role.REVIEWER, Role.ORGANIZER, Role.JUDGE}),
            shown_to=reviews_anything,
        ),
    ),
    public_entries=publicity_views.PUBLIC_ENTRIES,
    home_sections=(
        HomeSection(
            "nominations",
            "nominations/campaign/_home_section.html",
            frozenset({Role.ORGANIZER}),
            campaign_views.home_section,
        ),
        HomeSection(
            "recommend",
            "nominations/_recommend_home.html",
            frozenset({Role.RECOMMENDER}),
            recommend_views.home_section,
        ),
    ),
)

__all__ = ["AREA", "NOMINATIONS_MENU", "bp"]
