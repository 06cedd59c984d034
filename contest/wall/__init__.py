"""The public honor wall (劳模墙): the grid, profiles, photos, the kiosk and the statistics."""

from flask_babel import lazy_gettext as _l

from contest.ui.areas import HONORS_MENU, Area, NavItem
from contest.wall import stats, views  # noqa: F401  (their routes register on bp)
from contest.wall.blueprint import bp

AREA = Area(
    bp,
    nav=(
        NavItem("wall.index", _l("劳模墙"), frozenset(), public=True, group=HONORS_MENU),
        NavItem("wall.stats", _l("荣誉统计"), frozenset(), public=True, group=HONORS_MENU),
    ),
)

__all__ = ["AREA", "bp"]
