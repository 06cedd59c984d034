"""The public landing page, each role's home, language switching and the health check."""

from flask_babel import lazy_gettext as _l

from contest.main import views  # noqa: F401  (its routes register on bp)
from contest.main.blueprint import bp
from contest.models import Role
from contest.ui.areas import Area, NavItem

AREA = Area(
    bp,
    nav=(NavItem("main.home", _l("工作台"), frozenset(Role)),),
)

__all__ = ["AREA", "bp"]
