"""The public landing page, each role's home, language switching and the health check."""

from contest.main import views  # noqa: F401  (their routes register on bp)
from contest.main.blueprint import bp

__all__ = ["bp"]
