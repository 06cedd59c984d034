"""The public honor wall (劳模墙): the grid, profiles, photos, the kiosk and the statistics."""

from flask_babel import lazy_gettext as _l

from contest.ui.areas import HONORS_MENU, Area, NavItem, PublicEntry
from contest.wall import stats, views  # noqa: F401  (their routes register on bp)
from contest.wall.blueprint import bp

AREA = Area(
    bp,
    nav=(
        NavItem("wall.index", _l("劳模墙"), frozenset(), public=True, group=HONORS_MENU),
        NavItem("wall.stats", _l("荣誉统计"), frozenset(), public=True, group=HONORS_MENU),
    ),
    public_entries=(
        PublicEntry(
            "wall.index",
            _l("劳模墙"),
            _l("按姓名、单位、称号、级别和年份检索劳动模范、工匠和技术能手。"),
        ),
    ),
)

__all__ = ["AREA", "bp"]
