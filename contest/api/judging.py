"""(being written)"""

from contest.api.views import bp  # noqa: F401
