"""No 500 from a bad value (issue 11 item 9): every route of the URL map, walked with hostile
values, as anonymous, an admin, an organizer and a judge.

The URL map refuses an ``<int:…>`` past PostgreSQL's ``integer`` (2**31), past SQLite's
(2**63), negative or not in ASCII digits on every route. Each URL argument in turn then gets
an id the map takes but no row has (2**31 - 1) and each text argument 99999999999999999999,
a NUL byte, a right-to-left override and zero-width characters only, the other arguments
staying real ids; the query arguments the views read and the fields of the page's forms get
hostile numbers and text too. The answer is a page, a redirect or a 4xx, never a 500. Each
route is walked once, by the first of those roles it lets in; admins and organizers also walk
the routes that refuse them (a refusal must not be a 500 either).
Reproductions: ``/wall/99999999999999999999`` overflowed the query, ``NaN`` in a weight
reached a comparison, ``/wall/kiosk?per_page=5`` passed ``per_page`` to ``url_for`` twice.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import IntegerConverter, Rule

from contest.services.core.users import create_token
from contest.validation import DB_INT_MAX

# Past PostgreSQL's integer, past SQLite's, negative, past both by far, not ASCII: the URL map
# refuses each in every <int:…> (the last test below).
OUT_OF_RANGE_IDS = [str(2**31), str(2**63), "-1", "99999999999999999999", "١٢"]
# An id the URL map takes that matches no row (PostgreSQL's largest): the view runs, answers 404.
ABSENT_IDS = [str(DB_INT_MAX)]
HOSTILE_TEXT = ["a\u202eb", "\u200b\u200d"]
# In <code>, <number>, <entry_code>: a NUL is refused before any view (test_input_rules.py).
HOSTILE_ARGS = ["99999999999999999999", "%00", *HOSTILE_TEXT]
HOSTILE_NUMBERS = ["NaN", "1e999", "99999999999999999999"]
HOSTILE_QUERY = [str(2**63), "a\u202eb"]
MANAGERS = ("admin", "organizer")
# The query arguments views read (grep request.args), all sent at once.
QUERY_ARGS = (
    "page", "per_page", "q", "person_id", "parent", "org", "contest", "event", "role",
    "status", "job", "number", "next", "lang", "interval", "verify", "flagged", "year",
    "year_from", "year_to", "level", "title", "industry", "actor", "action", "date_from",
    "date_to",
)  # fmt: skip
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
# Static files; logging out would end the walker's session.
SKIPPED = {"static", "auth.logout"}
INPUT = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
DESTRUCTIVE = ("delete", "remove", "toggle", "close", "withdraw", "status", "publish")


def _path(rule: Rule, values: dict[str, str]) -> str:
    return PARAM.sub(lambda m: quote(values.get(m.group(1), "1"), safe="%"), rule.rule)


def _form_fields(html: str) -> dict[str, tuple[str, str]]:
    """name → (kind, value) of a page's form inputs; kind is number, text or fixed."""
    fields: dict[str, tuple[str, str]] = {}
    for tag, attributes in INPUT.findall(html):
        found = dict(ATTRIBUTE.findall(attributes))
        name, kind = found.get("name"), found.get("type", "text").lower()
        if not name or name == "csrf_token" or kind in ("file", "submit", "button"):
            continue
        if kind == "number" or found.get("inputmode") == "decimal":
            fields[name] = ("number", found.get("value", ""))
        elif tag.lower() == "textarea" or kind in ("text", "search", "email", "tel"):
            fields[name] = ("text", found.get("value", ""))
        elif name not in fields:
            fields[name] = ("fixed", found.get("value", ""))
    return fields


def _bodies(fields: dict[str, tuple[str, str]]) -> Iterator[dict[str, str]]:
    """Hostile numbers in the number fields, then hostile text in the text fields; the other
    fields plausible, so that the hostile one reaches the checks behind the form."""
    kinds = {kind for kind, _value in fields.values()}
    for value in HOSTILE_NUMBERS if "number" in kinds else ():
        yield {n: value if k == "number" else (v or "测试") for n, (k, v) in fields.items()}
    for value in HOSTILE_TEXT if "text" in kinds else ():
        yield {
            n: value if k == "text" else (v or ("1" if k == "number" else ""))
            for n, (k, v) in fields.items()
        }


@pytest.fixture
def world(
    db: Any, make_contest: Callable[..., Any], make_user: Callable[..., Any]
) -> dict[str, Any]:
    """A contest being judged and one being set up by the same organizer, an admin, and the
    real ids each URL argument takes (``/contests/…`` pages use the one being set up)."""
    live = make_contest()
    setup = make_contest(status="draft", host=live.host, entries=1, judges=1)
    token = create_token(None, live.judges[1])
    db.session.commit()
    common = {
        "user_id": str(live.judges[2].id),  # not the walking judge: an admin may disable it
        "person_id": str(live.entries[0].person_id),
        "org_id": str(live.units[0].id),
        "code": live.entries[0].seat_code,
        "entry_code": live.entries[0].seat_code,
        "job_id": "x",
    }

    def ids(ns: Any) -> dict[str, str]:
        return {
            **common,
            "contest_id": str(ns.contest.id),
            "event_id": str(ns.event.id),
            "entry_id": str(ns.entries[0].id),
            "aspect_id": str(ns.aspects["P1"].id),
            "criterion_id": str(ns.aspects["P1"].criterion_id),
        }

    return {
        "users": {
            "anonymous": None,
            "admin": make_user("admin"),
            "organizer": live.organizer,
            "judge": live.judges[1],
        },
        "token": token,
        "live": ids(live),
        "setup": ids(setup),
    }


def test_no_route_answers_500_to_hostile_values(
    app: Flask, db: Any, world: dict[str, Any], client_for: Callable[[Any], FlaskClient]
) -> None:
    failures: list[str] = []
    # Each route is walked by the first role it lets in: the same view with the same hostile
    # values would not fail for the next one (anonymous first, for the public pages).
    walked: set[str] = set()
    # Pages with a GET first (their forms feed the POST-only routes), destructive ones last.
    rules = sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED),
        key=lambda r: ("GET" not in (r.methods or ()), any(w in r.endpoint for w in DESTRUCTIVE)),
    )

    def walk(role: str, client: FlaskClient) -> None:
        seen_fields: dict[str, tuple[str, str]] = {}
        status: dict[str, int] = {}

        def call(method: str, path: str, **kwargs: Any) -> Any:
            if path.startswith("/api/") and role != "anonymous":
                kwargs["headers"] = {"Authorization": f"Bearer {world['token']}"}
            # As on a server, no request inherits the last one's transaction (the test's app
            # context shares one session between them; SQLite would make the next writer wait).
            db.session.rollback()
            try:
                response = client.open(path, method=method, **kwargs)
            except Exception as error:  # each one is a finding, listed below
                failures.append(f"{role} {method} {path}: {type(error).__name__}: {error}"[:300])
                return None
            if response.status_code >= 500:
                failures.append(f"{role} {method} {path}: {response.status_code}")
            response.close()
            return response

        for rule in rules:
            methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
            valid = world["setup" if rule.rule.startswith("/contests/") else "live"]
            path = _path(rule, valid)
            page = call("GET", path) if "GET" in methods else None
            if page is not None:
                status[path] = page.status_code
            # Managers load objects on most routes; the others only where they are let in.
            let_in = status.get(path) == 200
            if rule.endpoint in walked or (role not in MANAGERS and not let_in):
                continue
            if let_in:
                walked.add(rule.endpoint)
            for name in PARAM.findall(rule.rule):
                is_int = isinstance(rule._converters[name], IntegerConverter)
                for value in ABSENT_IDS if is_int else HOSTILE_ARGS:
                    hostile = _path(rule, {**valid, name: value})
                    # An id loads the same way whatever the method; text may not.
                    for method in methods[:1] if is_int else methods:
                        call(method, hostile, json={} if method == "PUT" else None)
            fields = seen_fields  # a POST-only route: the fields of the pages that post to it
            if page is not None and page.status_code == 200:
                if page.mimetype == "text/html":
                    fields = _form_fields(page.get_data(as_text=True))
                    seen_fields.update(fields)
                for value in HOSTILE_QUERY:
                    call("GET", f"{path}?{urlencode(dict.fromkeys(QUERY_ARGS, value))}")
            # A page that refused or redirected the GET refuses its POST the same way.
            if "POST" in methods and (page is None or page.status_code == 200):
                for body in _bodies(fields):
                    call("POST", path, data=body)

    # Every client signs in first: an admin's walk may disable or reset the other accounts.
    clients = {role: client_for(user) for role, user in world["users"].items()}
    for role, client in clients.items():
        walk(role, client)
    assert not failures, "\n".join(failures)


def test_the_url_map_refuses_ids_past_the_database_range(app: Flask) -> None:
    """Every ``<int:…>`` of every route, out of range in turn, matches no route (a 404, or a
    405 where a sibling rule takes other methods, before any view or query runs), on either
    engine; the largest id in range still matches."""
    adapter = app.url_map.bind("localhost")
    checked = 0
    for rule in app.url_map.iter_rules():
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        for name, converter in rule._converters.items():
            if not isinstance(converter, IntegerConverter):
                continue
            for value, method in itertools.product(OUT_OF_RANGE_IDS, methods):
                with pytest.raises((NotFound, MethodNotAllowed)):
                    adapter.match(_path(rule, {name: value}), method=method)
                checked += 1
            endpoint, _args = adapter.match(_path(rule, {name: str(DB_INT_MAX)}), methods[0])
            assert endpoint == rule.endpoint
    assert checked > 300
