"""Each area declares its menu entries and home sections; ``create_app`` registers them on the
app (``contest.ui.areas``), so the menu keeps its order and no two apps share one."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from contest.services.core import dashboards

PUBLIC = ["/wall/", "/wall/stats", "/labor/public/", "/results/"]


def _menu(html: str) -> list[str]:
    """The menu's links in order, drop-downs included (the account menu is not the menu)."""
    nav = html.split('id="site-nav"', 1)[1].split('class="nav-end"', 1)[0]
    return re.findall(r'<li><a href="([^"]+)"', nav)


def _groups(html: str) -> list[str]:
    nav = html.split('id="site-nav"', 1)[1].split('class="nav-end"', 1)[0]
    return [label.strip() for label in re.findall(r"<summary[^>]*>([^<]+)</summary>", nav)]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "admin",
            [
                "/wall/",
                "/wall/stats",
                "/admin/honors",
                "/home",
                "/contests/",
                "/results/",
                "/review/",
                "/labor/",
                "/labor/public/",
                "/nominations/",
                "/care/",
                "/care/due",
                "/care/reviews",
                "/care/revocations",
                "/care/settings",
                "/orgs/",
                "/admin/users",
                "/admin/audit",
                "/admin/calendar",
            ],
        ),
        (
            "organizer",
            [
                "/wall/",
                "/wall/stats",
                "/home",
                "/contests/",
                "/results/",
                "/review/",
                "/labor/",
                "/labor/public/",
                "/nominations/",
                "/orgs/",
            ],
        ),
        ("judge", ["/judging/", "/wall/", "/wall/stats", "/home", "/labor/public/", "/results/"]),
        ("reviewer", ["/wall/", "/wall/stats", "/home", "/labor/public/", "/results/"]),
        (
            "care",
            [
                "/wall/",
                "/wall/stats",
                "/home",
                "/labor/public/",
                "/care/",
                "/care/due",
                "/care/reviews",
                "/care/revocations",
                "/results/",
            ],
        ),
    ],
)
def test_the_menu_lists_a_roles_entries_in_area_order(
    client: FlaskClient, login_as: Callable[..., Any], role: str, expected: list[str]
) -> None:
    login_as(role)
    assert _menu(client.get("/home").get_data(as_text=True)) == expected


def test_the_public_menu_has_the_public_entries_only(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert _menu(html) == PUBLIC
    assert _groups(html) == []  # a handful of links, no drop-downs


@pytest.mark.parametrize(
    ("role", "groups"),
    [
        ("admin", ["荣誉", "技能大赛", "劳动竞赛", "劳模服务", "系统管理"]),
        ("care", ["荣誉", "劳模服务"]),
        ("organizer", ["荣誉", "技能大赛", "劳动竞赛"]),
        ("judge", ["荣誉"]),  # 成绩公布 alone in its group stays a plain link
    ],
)
def test_a_signed_in_menu_groups_entries_and_names_the_user(
    client: FlaskClient, login_as: Callable[..., Any], role: str, groups: list[str]
) -> None:
    user = login_as(role)
    html = client.get("/home").get_data(as_text=True)
    assert _groups(html) == groups
    account = html.split('class="nav-end"', 1)[1]
    assert f">{user.name}</summary>" in account and "修改密码" in account


def test_each_app_keeps_its_own_registrations(app: Flask, make_app: Callable[..., Flask]) -> None:
    other = make_app()
    mine, theirs = app.extensions["contest.areas"], other.extensions["contest.areas"]
    assert mine is not theirs
    assert mine.nav == theirs.nav  # registered once per app, not appended again
    assert len({item.endpoint for item in mine.nav}) == len(mine.nav)


def test_the_dashboards_service_runs_no_area_code(db: Any, make_user: Callable[..., Any]) -> None:
    """Area sections are added by the main area's home view, not by the figures service."""
    organizer = make_user("organizer")
    assert dashboards.home_panel(organizer).sections == {}


def test_a_judge_gets_the_review_menu_while_chairing_a_panel(
    make_contest: Callable[..., Any], client_for: Callable[..., FlaskClient]
) -> None:
    made = make_contest(judges=2)
    chief, judge = made.chief, next(j for j in made.judges if j is not made.chief)
    assert "/review/" in _menu(client_for(chief).get("/home").get_data(as_text=True))
    assert "/review/" not in _menu(client_for(judge).get("/home").get_data(as_text=True))
