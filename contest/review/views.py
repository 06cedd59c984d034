"""(being written)"""

from contest.review.blueprint import bp  # noqa: F401
