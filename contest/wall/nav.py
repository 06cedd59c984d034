"""The wall's entries in the navigation (public)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from contest.navigation import NavItem, register


def register_navigation() -> None:
    register(NavItem("wall.index", _l("劳模墙"), frozenset(), public=True), before="main.home")
    register(NavItem("wall.stats", _l("荣誉统计"), frozenset(), public=True), before="main.home")
