"""What an area declares — its blueprint, menu entries and home-page sections — and how
``create_app`` registers it.

Each area package exposes ``AREA = Area(bp, nav=(...), home_sections=(...))``; ``create_app``
passes them to :func:`register_area` in menu order. The registrations are kept on the app
(``app.extensions["contest.areas"]``), never in module state: importing an area changes
nothing, and two apps built in one process (the tests build many) each have their own menu.

A menu entry is shown when the user has one of its roles, or to everyone (the public
included) when it is ``public``; the view's own guard is what actually enforces access. A home
section is built, for users of its roles, by the ``main`` area's home view, which reads the
registered sections from the app: ``main`` never imports another area, and the dashboards
service only computes figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, current_app
from flask_babel import lazy_gettext as _l

from contest.models import Role, User

__all__ = [
    "CONTESTS_MENU",
    "HONORS_MENU",
    "SYSTEM_MENU",
    "Area",
    "HomeSection",
    "NavGroup",
    "NavItem",
    "PublicEntry",
    "home_sections_for",
    "nav_entries_for",
    "nav_items_for",
    "public_entries",
    "register_area",
]

EXTENSION = "contest.areas"


@dataclass(frozen=True)
class NavItem:
    """A menu entry. Entries with the same ``group`` (a lazy label) share one drop-down in a
    signed-in user's menu — an admin sees every area, and ten entries do not fit a tablet."""

    endpoint: str
    label: object  # a lazy string
    roles: frozenset[Role]
    public: bool = False
    group: object | None = None  # a lazy string, e.g. HONORS_MENU
    # A further condition for users of ``roles`` (a judge sees 评审复核 only while chairing
    # a panel); asked once per page, so it must be a cheap query.
    shown_to: Callable[[User], bool] | None = None


@dataclass(frozen=True)
class NavGroup:
    """A drop-down of the menu: its label and the entries in it, in menu order."""

    label: object
    items: tuple[NavItem, ...]

    @property
    def endpoints(self) -> frozenset[str]:
        return frozenset(item.endpoint for item in self.items)


# The drop-downs areas put their entries in.
HONORS_MENU = _l("荣誉")
CONTESTS_MENU = _l("技能大赛")
SYSTEM_MENU = _l("系统管理")


@dataclass(frozen=True)
class HomeSection:
    """A list an area adds to its users' home page.

    ``build(user)`` returns what ``template`` shows (as ``section``), or None to show nothing;
    it is called only for users whose role is in ``roles``. ``key`` names the section in
    ``HomePanel.sections``.
    """

    key: str
    template: str
    roles: frozenset[Role]
    build: Callable[[User], dict[str, Any] | None]


@dataclass(frozen=True)
class PublicEntry:
    """A way in on the public home page (劳模墙, 成绩公布, 证书查验 …): a visitor reaches what
    they came for in one click. Each area declares its own, so a public page added later (公示)
    appears on the home page by declaring one, and nothing links to a page not built yet."""

    endpoint: str
    label: object  # a lazy string
    summary: object  # a lazy string: one line on what the visitor finds there


@dataclass(frozen=True)
class Area:
    """An area package's declaration: its blueprint, menu entries and home sections."""

    blueprint: Blueprint
    nav: tuple[NavItem, ...] = ()
    home_sections: tuple[HomeSection, ...] = ()
    public_entries: tuple[PublicEntry, ...] = ()


@dataclass
class _Registered:
    nav: list[NavItem] = field(default_factory=list)
    home_sections: list[HomeSection] = field(default_factory=list)
    public_entries: list[PublicEntry] = field(default_factory=list)


def register_area(app: Flask, area: Area) -> None:
    """Register the area's blueprint, and append its menu entries and home sections to the
    app's (the order of the calls is the order of the menu)."""
    app.register_blueprint(area.blueprint)
    registered = app.extensions.setdefault(EXTENSION, _Registered())
    registered.nav.extend(area.nav)
    registered.home_sections.extend(area.home_sections)
    registered.public_entries.extend(area.public_entries)


def _registered() -> _Registered:
    return current_app.extensions.get(EXTENSION) or _Registered()


def _role(user: object) -> Role | None:
    return getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None


def nav_items_for(user: object) -> list[NavItem]:
    """The current app's menu entries this user sees, in menu order."""
    role = _role(user)
    return [
        item
        for item in _registered().nav
        if item.public
        or (
            role is not None
            and role in item.roles
            and (item.shown_to is None or item.shown_to(user))  # type: ignore[arg-type]
        )
    ]


def nav_entries_for(user: object) -> list[NavItem | NavGroup]:
    """The menu as shown: a signed-in user's grouped entries become one drop-down per group,
    placed where the group's first entry is; a group with a single entry for this user stays
    a plain link, and the public (a handful of entries, often on a big screen) gets no
    drop-downs at all."""
    items = nav_items_for(user)
    if _role(user) is None:
        return list(items)
    members: dict[str, list[NavItem]] = {}
    for item in items:
        if item.group is not None:
            members.setdefault(str(item.group), []).append(item)
    entries: list[NavItem | NavGroup] = []
    placed: set[str] = set()
    for item in items:
        key = None if item.group is None else str(item.group)
        if key is None or len(members[key]) == 1:
            entries.append(item)
        elif key not in placed:
            placed.add(key)
            entries.append(NavGroup(item.group, tuple(members[key])))
    return entries


def home_sections_for(user: object) -> list[HomeSection]:
    """The current app's home sections for this user's role, in registration order."""
    role = _role(user)
    return [s for s in _registered().home_sections if role is not None and role in s.roles]


def public_entries() -> list[PublicEntry]:
    """The current app's ways in for the public home page, in registration order."""
    return list(_registered().public_entries)
