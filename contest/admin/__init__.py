"""The admin area: accounts, the audit trail, people's full records and 荣誉管理."""

from flask_babel import lazy_gettext as _l

from contest.admin import (  # noqa: F401  (their routes register on bp)
    audit,
    calendar_views,
    honor_edit,
    honors,
    judge_accounts,
    views,
)
from contest.admin.blueprint import bp
from contest.models import Role
from contest.ui.areas import HONORS_MENU, SYSTEM_MENU, Area, NavItem

AREA = Area(
    bp,
    nav=(
        NavItem("admin.users", _l("账号管理"), frozenset({Role.ADMIN}), group=SYSTEM_MENU),
        NavItem("admin.honors", _l("荣誉管理"), frozenset({Role.ADMIN}), group=HONORS_MENU),
        NavItem("admin.audit", _l("审计日志"), frozenset({Role.ADMIN}), group=SYSTEM_MENU),
        NavItem("admin.calendar", _l("工作日历"), frozenset({Role.ADMIN}), group=SYSTEM_MENU),
    ),
)

__all__ = ["AREA", "bp"]
