"""(being written)"""

from contest.results.blueprint import bp  # noqa: F401
