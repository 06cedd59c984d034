"""Pages with personal data are not kept by browsers or proxies (#11 item 10): every answer to a
signed-in user is ``private, no-store`` unless its view made it public; anonymous pages keep the
caching their views give them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from contest.services.core.users import create_token


def no_store(response: Any) -> bool:
    directives = {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives or directives == {"no-store"}


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        ("organizer", ["/home", "/orgs/", "/orgs/people", "/contests/", "/account/sessions"]),
        ("admin", ["/admin/users", "/admin/audit", "/account/tokens", "/nowhere"]),
    ],
)
def test_every_page_for_a_signed_in_user_is_private_and_not_stored(
    client: FlaskClient, login_as: Callable[..., Any], role: str, paths: list[str]
) -> None:
    login_as(role)
    for path in paths:
        response = client.get(path)
        assert no_store(response), (path, response.headers.get("Cache-Control"))


def test_the_registration_list_and_a_download_are_not_stored(
    client: FlaskClient, make_contest: Any, login_as: Callable[..., Any]
) -> None:
    c = make_contest(status="registration", entries=2, judges=1)
    login_as(user=c.organizer)
    entries = client.get(f"/contests/{c.contest.id}/events/{c.event.id}/entries")
    template = client.get(f"/contests/{c.contest.id}/entries/template.xlsx")
    assert entries.status_code == 200 and no_store(entries)
    assert template.status_code == 200 and no_store(template)


def test_an_api_answer_to_a_token_is_not_stored(
    db: Any, client: FlaskClient, make_user: Callable[..., Any]
) -> None:
    token = create_token(None, make_user("judge"))
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and no_store(response)


def test_public_pages_stay_cacheable_for_anonymous_visitors(client: FlaskClient, db: Any) -> None:
    wall = client.get("/wall/")
    assert wall.status_code == 200
    assert (
        "public" in wall.headers["Cache-Control"]
        and "no-store" not in wall.headers["Cache-Control"]
    )
    static = client.get("/static/css/app.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")
