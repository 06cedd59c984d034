"""The public honor wall (劳模墙): the grid, profiles, photos, the kiosk and the statistics."""

from contest.wall import stats, views  # noqa: F401  (their routes register on bp)
from contest.wall.blueprint import bp

__all__ = ["bp"]
