"""Login, logout, the user's own password, sign-in sessions and API tokens."""

from contest.auth import account, views  # noqa: F401  (their routes register on bp)
from contest.auth.blueprint import bp
from contest.ui.areas import Area

AREA = Area(bp)

__all__ = ["AREA", "bp"]
