"""(being written)"""

from contest.judging.blueprint import bp  # noqa: F401
