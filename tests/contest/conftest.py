"""Fixtures for the platform's foundation tests (on top of ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, g, request, request_started
from flask.testing import FlaskClient

from tests.conftest import PASSWORD

FAILURE_MESSAGE = "deliberate failure for the error-page tests"


@pytest.fixture(autouse=True)
def fresh_request_globals() -> Iterator[None]:
    """Give every request an empty ``g``, as a real server does.

    The ``db`` fixture keeps an application context open for the whole test, and Flask reuses
    an open context for requests, so ``g`` would otherwise carry Flask-Login's current user and
    Flask-Babel's locale from one request (and one client) to the next.
    """

    def _clear(_sender: object, **_extra: object) -> None:
        g.__dict__.clear()

    request_started.connect(_clear)
    yield
    request_started.disconnect(_clear)


@pytest.fixture
def make_id_number() -> Callable[[str, str], str]:
    """Build a valid 18-digit 身份证号 from a 6-digit region, a birth date and a sequence."""
    from contest.validation import id_check_digit

    def _make(region_and_birth: str = "11010519900307", sequence: str = "123") -> str:
        first17 = region_and_birth + sequence
        assert len(first17) == 17
        return first17 + id_check_digit(first17)

    return _make


@pytest.fixture
def client_for(app: Flask) -> Callable[[Any], FlaskClient]:
    """A separate test client logged in as ``user`` (None: an anonymous client)."""

    def _client(user: Any = None) -> FlaskClient:
        client = app.test_client()
        if user is not None:
            response = client.post("/login", data={"username": user.username, "password": PASSWORD})
            assert response.status_code == 302, "login failed in fixture"
        return client

    return _client


@pytest.fixture
def failing_app(make_app: Callable[..., Flask]) -> Flask:
    """An app that renders unexpected errors as in production, with routes that fail on purpose.

    ``/_test/boom`` and ``/api/v1/_test/boom`` raise; ``/_test/check-id`` validates the posted
    ``id_number`` and lets a validation error escape unhandled.
    """
    from contest.validation import normalise_id_number

    application = make_app(PROPAGATE_TEST_ERRORS=False)

    def boom() -> str:
        raise RuntimeError(FAILURE_MESSAGE)

    def check_id() -> str:
        normalise_id_number(request.form.get("id_number", ""))
        raise RuntimeError(FAILURE_MESSAGE)

    application.add_url_rule("/_test/boom", "test_boom", boom)
    application.add_url_rule("/_test/check-id", "test_check_id", check_id, methods=["POST"])
    application.add_url_rule("/api/v1/_test/boom", "api.test_boom", boom)
    return application
