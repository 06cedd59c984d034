"""(being written)"""

from contest.contests.blueprint import bp  # noqa: F401
