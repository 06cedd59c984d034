"""The union tree and its people, for admins and organizers (scoped to their subtree)."""

from contest.orgs import views  # noqa: F401  (their routes register on bp)
from contest.orgs.blueprint import bp

__all__ = ["bp"]
