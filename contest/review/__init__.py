"""Progress, re-check, appeals and sign-off: for the contest's organizers and the chief judge."""

from contest.review import views  # noqa: F401  (their routes register on bp)
from contest.review.blueprint import bp

__all__ = ["bp"]
