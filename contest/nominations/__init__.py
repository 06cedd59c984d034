"""Nomination campaigns (评选表彰): DOMAIN §3.

Each view module registers its routes on ``bp`` (``contest.nominations.blueprint``); importing
it here is all a new module needs, and its menu entries go in ``AREA`` below.
"""

from flask_babel import lazy_gettext as _l

from contest.models import Role
from contest.nominations import (  # noqa: F401  (routes register on bp)
    recommend_views,
)
from contest.nominations.blueprint import bp
from contest.services.nominations.nominations import recommends_anything
from contest.ui.areas import Area, NavItem

AREA = Area(
    bp,
    nav=(
        NavItem(
            "nominations.recommend_index",
            _l("推荐申报"),
            frozenset({Role.RECOMMENDER, Role.ORGANIZER}),
            shown_to=recommends_anything,
        ),
    ),
)

__all__ = ["AREA", "bp"]
