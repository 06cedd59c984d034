"""Fixtures shared by every test (STYLE.md): app, client, runner, db, login_as, factories.

Database tests run once per engine: SQLite always, PostgreSQL when CONTEST_TEST_POSTGRES_URL
is set (``.ci/run`` sets it). Each test session gets its own SQLite file and its own
PostgreSQL schema, created from the models once; rows are removed after every test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from contest import create_app
from contest.extensions import db as _db

POSTGRES_URL = os.environ.get("CONTEST_TEST_POSTGRES_URL")
ENGINES = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]
PASSWORD = "correct-horse-9"


def _pg_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    """One database per engine for the whole session, schema created from the models."""
    urls: dict[str, dict[str, Any]] = {
        "sqlite": {"url": f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}", "options": {}}
    }
    schema = None
    if POSTGRES_URL:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin_engine = create_engine(_pg_url(POSTGRES_URL))
        with admin_engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin_engine.dispose()
        urls["postgres"] = {
            "url": _pg_url(POSTGRES_URL),
            "options": {"connect_args": {"options": f"-csearch_path={schema}"}},
            "schema": schema,
        }
    yield urls
    if schema and POSTGRES_URL:
        admin_engine = create_engine(_pg_url(POSTGRES_URL))
        with admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


_created: set[str] = set()


def base_config(target: dict[str, Any], tmp_path: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATA_KEY": "test-data-key",
        "SQLALCHEMY_DATABASE_URI": target["url"],
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True, **target["options"]},
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 1024,
        "CACHE_TYPE": "NullCache",
        "CACHE_NO_NULL_WARNING": True,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "INSTANCE_PATH": str(tmp_path),
    }


def _reset(app: Flask, engine_name: str) -> None:
    with app.app_context():
        if engine_name not in _created:
            _db.create_all()
            _created.add(engine_name)
        _db.session.remove()
        tables = list(reversed(_db.metadata.sorted_tables))
        with _db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())
        _db.engine.dispose()


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_app(
    database_urls: dict[str, dict[str, Any]], engine_name: str, tmp_path: Any
) -> Iterator[Callable[..., Flask]]:
    """Build an app on a clean database of the test's engine, with config overrides."""
    built: list[Flask] = []

    def _make(**overrides: Any) -> Flask:
        application = create_app(base_config(database_urls[engine_name], tmp_path), **overrides)
        _reset(application, engine_name)
        built.append(application)
        return application

    yield _make
    for application in built:
        with application.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def db(app: Flask) -> Iterator[Any]:
    """The database session inside an application context."""
    with app.app_context():
        yield _db
        _db.session.rollback()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


# ---------------------------------------------------------------- factories


@pytest.fixture
def make_org(db: Any) -> Callable[..., Any]:
    from contest.models import Organization, OrgKind
    from contest.services.orgs import add_organization

    def _make(
        name: str = "测试市总工会",
        kind: OrgKind = OrgKind.CITY,
        parent: Organization | None = None,
        **fields: Any,
    ) -> Organization:
        org = add_organization(None, name=name, kind=kind, parent=parent, **fields)
        db.session.commit()
        return org

    return _make


@pytest.fixture
def make_user(db: Any, make_org: Callable[..., Any]) -> Callable[..., Any]:
    from contest.models import Role
    from contest.services.users import create_user

    counter = iter(range(1, 10_000))

    def _make(
        role: Role | str = "organizer",
        username: str | None = None,
        organization: Any = None,
        password: str = PASSWORD,
    ) -> Any:
        role = Role(role) if isinstance(role, str) else role
        if organization is None and role is not Role.ADMIN:
            organization = make_org(name=f"单位{next(counter)}")
        user = create_user(
            None, username or f"{role.value}{next(counter)}", password, role, organization
        )
        db.session.commit()
        return user

    return _make


@pytest.fixture
def make_person(db: Any, make_org: Callable[..., Any]) -> Callable[..., Any]:
    from contest.services.people import PersonData, create_person

    def _make(name: str = "张伟", organization: Any = None, **fields: Any) -> Any:
        organization = organization or make_org(name="某某机械厂工会")
        person = create_person(None, PersonData(name=name, organization=organization, **fields))
        db.session.commit()
        return person

    return _make


@pytest.fixture
def login_as(client: FlaskClient, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """Log the test client in as a new user of ``role`` (or an existing ``user``)."""

    def _login(role: str = "organizer", user: Any = None, **kwargs: Any) -> Any:
        user = user or make_user(role, **kwargs)
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, "login failed in fixture"
        return user

    return _login
