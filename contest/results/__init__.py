"""Public results pages and certificate verification (no login)."""

from contest.results import views  # noqa: F401  (routes register on import)
from contest.results.blueprint import bp

__all__ = ["bp"]
