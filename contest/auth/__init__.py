"""Login, logout and the user's own password."""

from contest.auth import views  # noqa: F401  (its routes register on bp)
from contest.auth.blueprint import bp
from contest.ui.areas import Area

AREA = Area(bp)

__all__ = ["AREA", "bp"]
