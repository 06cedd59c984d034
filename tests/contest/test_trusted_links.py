"""Redirects go only to this site (issue #11 item 7): every ``next`` is followed only when it
is a path on this site.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from contest.services.core.users import issue_one_time_password
from contest.ui import links
from tests.conftest import PASSWORD

# Each is read by a browser as another site (or a script), or hides such a value.
LEAVING = [
    "//evil.example",
    "//evil.example/home",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "https://evil.example/",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/\x00/evil.example",
    "evil.example",
]
SAME_SITE = ["/wall/?q=%E7%8E%8B&page=2", "/results/?a=1&b=2", "/judging/"]


# ------------------------------------------------------------------ redirects


@pytest.mark.parametrize("target", LEAVING)
def test_safe_next_refuses_every_way_off_the_site(target: str) -> None:
    assert links.safe_next(target) is None


@pytest.mark.parametrize("target", SAME_SITE)
def test_safe_next_keeps_paths_on_this_site(target: str) -> None:
    assert links.safe_next(target) == target


@pytest.mark.parametrize("target", LEAVING)
def test_the_language_switch_never_leaves_the_site(
    client: FlaskClient, db: Any, target: str
) -> None:
    response = client.get("/lang/en", query_string={"next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", SAME_SITE)
def test_the_language_switch_returns_to_the_page_with_its_query(
    client: FlaskClient, db: Any, target: str
) -> None:
    response = client.get("/lang/en", query_string={"next": target})
    assert response.headers["Location"] == target


def _login(client: FlaskClient, username: str, password: str, target: str) -> Any:
    return client.post(
        "/login",
        query_string={"next": target},
        data={"username": username, "password": password},
    )


@pytest.mark.parametrize("target", LEAVING)
def test_login_never_leaves_the_site(
    client: FlaskClient, make_user: Callable[..., Any], target: str
) -> None:
    user = make_user("organizer")
    response = _login(client, user.username, PASSWORD, target)
    assert response.status_code == 302 and response.headers["Location"] == "/home"


def test_login_returns_to_the_page_asked_for_with_its_query(
    client: FlaskClient, make_user: Callable[..., Any]
) -> None:
    user = make_user("organizer")
    response = _login(client, user.username, PASSWORD, SAME_SITE[0])
    assert response.headers["Location"] == SAME_SITE[0]


@pytest.mark.parametrize("target", LEAVING)
def test_the_forced_password_change_never_leaves_the_site(
    client: FlaskClient, db: Any, make_user: Callable[..., Any], target: str
) -> None:
    judge = make_user("judge")
    password = issue_one_time_password(None, judge)
    db.session.commit()
    response = _login(client, judge.username, password, target)
    assert response.headers["Location"] == "/account/password"
    new = "my-own-secret-7"
    changed = client.post(
        "/account/password",
        query_string={"next": target},
        data={"current": password, "new": new, "confirm": new},
    )
    assert changed.status_code == 302 and changed.headers["Location"] == "/home"


def test_the_forced_password_change_returns_to_the_page_asked_for(
    client: FlaskClient, db: Any, make_user: Callable[..., Any]
) -> None:
    judge = make_user("judge")
    password = issue_one_time_password(None, judge)
    db.session.commit()
    _login(client, judge.username, password, "/home")
    asked = client.get(SAME_SITE[1])
    assert asked.headers["Location"].startswith("/account/password?next=")
    new = "my-own-secret-7"
    changed = client.post(
        asked.headers["Location"], data={"current": password, "new": new, "confirm": new}
    )
    assert changed.headers["Location"] == SAME_SITE[1]
