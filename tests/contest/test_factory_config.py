"""The application factory, configuration from the environment, and SQLite engine tuning."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import exc, text

from contest import config as settings
from contest import create_app
from contest.database import set_write_intent, write_intent
from contest.extensions import db as _db
from tests.conftest import base_config

sqlite_only = pytest.mark.parametrize("engine_name", ["sqlite"])

UNREACHABLE_PG = "postgresql+psycopg://nobody@127.0.0.1:9/nowhere"


@pytest.fixture
def unreachable_app(tmp_path: Path) -> Flask:
    """An app pointed at a PostgreSQL server that does not exist."""
    target = {"url": UNREACHABLE_PG, "options": {"connect_args": {"connect_timeout": 1}}}
    return create_app(base_config(target, tmp_path))


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No CONTEST_* settings from the outer environment; the instance path is a temp dir."""
    import os

    for name in list(os.environ):
        if name.startswith("CONTEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CONTEST_INSTANCE_PATH", str(tmp_path / "inst"))
    return monkeypatch


@pytest.fixture
def env_app(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> Flask:
    """An app configured from the environment alone (default database, instance path)."""
    return create_app({"TESTING": True})


@pytest.fixture
def quick_timeout_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """A SQLite app whose busy timeout is tiny, so lock waits end quickly."""
    application = make_app(SQLITE_BUSY_TIMEOUT_MS=50)
    token = set_write_intent(False)  # a POST in an earlier test may have left it set
    yield application
    from contest.database import _write_intent

    _write_intent.reset(token)


# ---------------------------------------------------------------- factory


def test_factory_registers_every_area_blueprint(app: Flask) -> None:
    assert {"main", "auth", "admin", "orgs", "api"} <= set(app.blueprints)


def test_factory_registers_the_contest_commands(app: Flask) -> None:
    assert {"init", "demo", "serve", "user", "token", "audit"} <= set(app.cli.commands)


def test_factory_does_not_touch_the_database(unreachable_app: Flask) -> None:
    assert unreachable_app.config["SQLALCHEMY_DATABASE_URI"] == UNREACHABLE_PG
    # Only an explicit connection reaches for the server (and fails).
    with (
        unreachable_app.app_context(),
        pytest.raises(exc.OperationalError),
        _db.engine.connect(),
    ):
        pass


def test_healthz_reports_an_unreachable_database_as_503_json(unreachable_app: Flask) -> None:
    response = unreachable_app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_explicit_config_overrides_the_environment(
    clean_env: pytest.MonkeyPatch, make_app: Callable[..., Flask]
) -> None:
    clean_env.setenv("CONTEST_LOGIN_MAX_FAILURES", "9")
    application = make_app(LOGIN_MAX_FAILURES=2)
    assert application.config["LOGIN_MAX_FAILURES"] == 2


# ---------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    "given",
    ["postgres://u:p@db.example:5432/contest", "postgresql://u:p@db.example:5432/contest"],
)
def test_postgres_urls_are_normalised_to_psycopg(clean_env: pytest.MonkeyPatch, given: str) -> None:
    clean_env.setenv("CONTEST_DATABASE_URL", given)
    assert (
        settings.from_environment()["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://u:p@db.example:5432/contest"
    )


def test_other_database_urls_are_used_as_given(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CONTEST_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert settings.from_environment()["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_default_database_is_sqlite_under_the_instance_path(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    expected = (tmp_path / "inst").resolve() / "contest.db"
    assert settings.from_environment()["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{expected}"


def test_app_instance_path_and_database_follow_the_environment(
    env_app: Flask, tmp_path: Path
) -> None:
    instance = (tmp_path / "inst").resolve()
    assert env_app.instance_path == str(instance)
    assert env_app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'contest.db'}"
    assert instance.is_dir(), "the factory creates the directory the SQLite file goes in"


def test_secret_key_comes_from_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CONTEST_SECRET_KEY", "from-env-0123456789")
    assert settings.from_environment()["SECRET_KEY"] == "from-env-0123456789"


def test_secure_cookies_setting_turns_on_secure_session_cookies(
    clean_env: pytest.MonkeyPatch,
) -> None:
    assert settings.from_environment()["SESSION_COOKIE_SECURE"] is False
    clean_env.setenv("CONTEST_SECURE_COOKIES", "1")
    config = settings.from_environment()
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True


def test_numeric_settings_are_read_from_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CONTEST_LOGIN_MAX_FAILURES", "7")
    clean_env.setenv("CONTEST_SQLITE_BUSY_TIMEOUT_MS", "1234")
    config = settings.from_environment()
    assert config["LOGIN_MAX_FAILURES"] == 7
    assert config["SQLITE_BUSY_TIMEOUT_MS"] == 1234


def test_default_language_is_simplified_chinese(clean_env: pytest.MonkeyPatch) -> None:
    assert settings.from_environment()["BABEL_DEFAULT_LOCALE"] == "zh_CN"


# ---------------------------------------------------------------- SQLite tuning


def _pragmas(connection: Any) -> dict[str, Any]:
    return {
        name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
        for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
    }


@sqlite_only
def test_every_sqlite_connection_gets_the_pragmas(quick_timeout_app: Flask) -> None:
    with quick_timeout_app.app_context():
        engine = _db.engine
        with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                assert _pragmas(connection) == {
                    "journal_mode": "wal",
                    "busy_timeout": 50,
                    "foreign_keys": 1,
                    "synchronous": 1,  # NORMAL
                }


@sqlite_only
def test_foreign_keys_are_enforced_on_sqlite(db: Any) -> None:
    from contest.models import Person

    db.session.add(Person(name="无单位", organization_id=987654))
    with pytest.raises(exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


@sqlite_only
def test_write_intent_begins_immediate_and_blocks_a_second_writer(
    quick_timeout_app: Flask,
) -> None:
    with quick_timeout_app.app_context():
        engine = _db.engine
        with engine.connect() as holder, engine.connect() as other:
            with write_intent():
                holder.begin()
            # The holder has taken the write lock without writing anything yet.
            with write_intent(), pytest.raises(exc.OperationalError, match="locked"):
                other.begin()
            other.rollback()
            holder.rollback()
            with write_intent():
                other.begin()  # free again once the holder has finished
            other.rollback()


@sqlite_only
def test_readers_begin_deferred_while_a_writer_holds_the_lock(quick_timeout_app: Flask) -> None:
    with quick_timeout_app.app_context():
        engine = _db.engine
        with engine.connect() as holder, engine.connect() as reader:
            with write_intent():
                holder.begin()
            reader.begin()
            assert reader.execute(text("SELECT count(*) FROM users")).scalar() == 0
            reader.rollback()
            holder.rollback()
