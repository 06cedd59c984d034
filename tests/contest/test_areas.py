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

PUBLIC = ["/wall/", "/wall/stats", "/results/"]


def _menu(html: str) -> list[str]:
    nav = html.split('id="site-nav"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<li><a href="([^"]+)"', nav)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "admin",
            [
                "/wall/",
                "/wall/stats",
                "/home",
                "/contests/",
                "/orgs/",
                "/admin/users",
                "/admin/honors",
                "/admin/audit",
                "/results/",
                "/review/",
            ],
        ),
        (
            "organizer",
            ["/wall/", "/wall/stats", "/home", "/contests/", "/orgs/", "/results/", "/review/"],
        ),
        ("judge", ["/judging/", "/wall/", "/wall/stats", "/home", "/results/"]),
        ("reviewer", ["/wall/", "/wall/stats", "/home", "/results/"]),
    ],
)
def test_the_menu_lists_a_roles_entries_in_area_order(
    client: FlaskClient, login_as: Callable[..., Any], role: str, expected: list[str]
) -> None:
    login_as(role)
    assert _menu(client.get("/home").get_data(as_text=True)) == expected


def test_the_public_menu_has_the_public_entries_only(client: FlaskClient) -> None:
    assert _menu(client.get("/").get_data(as_text=True)) == PUBLIC


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
