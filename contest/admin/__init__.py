"""The admin area: accounts, the audit trail, people's full records and 荣誉管理."""

from flask_babel import lazy_gettext as _l

from contest.admin import audit, honors, judge_accounts, views  # noqa: F401  (routes register on bp)
from contest.admin.blueprint import bp
from contest.models import Role
from contest.ui.areas import Area, NavItem

AREA = Area(
    bp,
    nav=(
        NavItem("admin.users", _l("账号管理"), frozenset({Role.ADMIN})),
        NavItem("admin.honors", _l("荣誉管理"), frozenset({Role.ADMIN})),
        NavItem("admin.audit", _l("审计日志"), frozenset({Role.ADMIN})),
    ),
)

__all__ = ["AREA", "bp"]
