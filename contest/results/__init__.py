"""Public results pages and certificate verification (no login)."""

from contest.results import views  # noqa: F401  (their routes register on bp)
from contest.results.blueprint import bp

__all__ = ["bp"]
