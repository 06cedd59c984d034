"""Public results pages and certificate verification (no login)."""

from flask_babel import lazy_gettext as _l

from contest.results import views  # noqa: F401  (its routes register on bp)
from contest.results.blueprint import bp
from contest.ui.areas import CONTESTS_MENU, Area, NavItem

AREA = Area(
    bp,
    nav=(NavItem("results.index", _l("成绩公布"), frozenset(), public=True, group=CONTESTS_MENU),),
)

__all__ = ["AREA", "bp"]
