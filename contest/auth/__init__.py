"""Login, logout and the user's own password."""

from contest.auth import views  # noqa: F401  (their routes register on bp)
from contest.auth.blueprint import bp

__all__ = ["bp"]
