"""Progress, re-check, appeals and sign-off: for the contest's organizers and the chief judge."""

from contest.review import views  # noqa: F401  (routes register on import)
from contest.review.blueprint import bp

__all__ = ["bp"]
