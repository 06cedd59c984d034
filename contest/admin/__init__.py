"""The admin area: accounts, the audit trail, people's full records and 荣誉管理."""

from contest.admin import honors, views  # noqa: F401  (their routes register on bp)
from contest.admin.blueprint import bp

__all__ = ["bp"]
