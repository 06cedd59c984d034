"""Fixtures shared by every test (STYLE.md): app, client, runner, db, login_as, factories.

Database tests run once per engine: SQLite always, PostgreSQL when CONTEST_TEST_POSTGRES_URL
is set (``.ci/run`` sets it). Each test process (each pytest-xdist worker) gets its own SQLite
file and its own PostgreSQL database, its tables created from the models once.

Building the app costs more than most tests (blueprints, Babel, and above all every template
compiled again), so ``app`` is one application per engine per process, shared by every test
that needs no settings of its own; ``make_app(**overrides)`` still builds a fresh one for tests
that change settings or add routes. Before each test the rows are removed (only from tables that
have any) and what the shared app keeps between requests is put back as it was: its settings,
the content-version memos and cache of ``contest.caching``, and the rate limiter's switch, which
the module-level ``Limiter`` takes from the last app built.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import Connection, create_engine, make_url, text

from contest import create_app
from contest.extensions import cache, limiter
from contest.extensions import db as _db

POSTGRES_URL = os.environ.get("CONTEST_TEST_POSTGRES_URL")
ENGINES = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]
PASSWORD = "correct-horse-9"
# Keys ``contest.caching`` keeps in ``app.extensions`` (per-process memos of the database), and
# the failed-login counts of ``contest.services.core.login_limits`` (a test starts with none).
APP_MEMO_PREFIXES = ("contest_version:", "contest_cache_flights", "contest_login_limits")


def _pg_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _worker_id() -> str:
    """``gw0``, ``gw1``… under pytest-xdist, ``main`` otherwise."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def pytest_report_header(config: pytest.Config) -> list[str]:
    from tests.browser.conftest import browser_status

    engines = " and ".join(ENGINES)
    return [f"database engines: {engines}", browser_status()]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep ``--dist loadgroup`` grouping: tests marked ``xdist_group`` run in one worker.

    pytest-xdist groups them by adding ``@<group>`` to their ids in each worker, but since
    pytest 9.2 keeps ids in a structured form its renaming no longer takes effect (pytest-xdist
    issue 1386): the two-server tests were spread over both workers, each starting its own pair
    of servers (about 25 s) against the one Redis. This renames them as xdist meant to, and
    does nothing where xdist's own renaming worked.
    """
    if not getattr(config.option, "loadgroup", False):  # set in xdist's workers only
        return
    for item in items:
        groups = sorted(
            {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
        )
        suffix = "@" + "_".join(groups)
        if groups and not item.nodeid.endswith(suffix):
            from _pytest.nodeid import NodeId  # pytest 9.2's structured ids

            item._id = NodeId.parse(item.nodeid + suffix)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    """One database per engine for this test process, its schema created on first use.

    The SQLite file lives in the process's own temporary directory (xdist gives each worker
    one). On PostgreSQL each process gets a database of its own, named after the worker and a
    random suffix, so parallel workers and parallel checkouts sharing the server never meet;
    a database rather than a schema, because VACUUM (see ``_empty_postgres``) can only remove
    the rows a test deleted once no transaction in the same database is older than the delete,
    and another worker's transactions would otherwise hold it back.
    """
    urls: dict[str, dict[str, Any]] = {
        "sqlite": {"url": f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}", "options": {}}
    }
    database = None
    if POSTGRES_URL:
        database = f"t_{_worker_id()}_{uuid.uuid4().hex[:10]}"
        _postgres_admin(f'CREATE DATABASE "{database}"')
        url = make_url(_pg_url(POSTGRES_URL)).set(database=database)
        urls["postgres"] = {
            "url": url.render_as_string(hide_password=False),
            # A throw-away database needs no durability: commits do not wait for the disk.
            "options": {"connect_args": {"options": "-csynchronous_commit=off"}},
        }
    yield urls
    if database:
        _postgres_admin(f'DROP DATABASE "{database}" WITH (FORCE)')


def _postgres_admin(statement: str) -> None:
    """Run one statement outside a transaction on the server's own test database."""
    admin_engine = create_engine(_pg_url(POSTGRES_URL or ""), isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(statement))
    admin_engine.dispose()


_created: set[str] = set()


class _CompiledTemplates(BytecodeCache):
    """Every app this process builds shares the templates compiled by the first that rendered
    them: one app per engine, and one per ``make_app`` call, would otherwise each compile the
    same ~100 templates again (about a second per app). Jinja checks each entry against the
    template's source, so an edited template is compiled anew; all apps configure Jinja alike.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def _build_app(config: dict[str, Any], **overrides: Any) -> Flask:
    application = create_app(config, **overrides)
    application.jinja_env.bytecode_cache = _COMPILED
    return application


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


def _tables_with_rows(conn: Connection) -> set[str]:
    """Names of the tables that hold at least one row, in one round trip."""
    probes = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")"
        for t in _db.metadata.sorted_tables
    )
    return {row[0] for row in conn.execute(text(probes))}


def _empty_sqlite(conn: Connection) -> None:
    """Delete the rows of the tables that hold any, children first so foreign keys hold.

    A table scan follows the rowid, so new rows still come back in insertion order, and the
    rowids (identities) start again at 1 in an empty table.
    """
    holding = _tables_with_rows(conn)
    for table in reversed(_db.metadata.sorted_tables):
        if table.name in holding:
            conn.execute(table.delete())


# Tables whose heap has a page: written since they were last emptied, even if the test then
# deleted its rows (a table VACUUM has emptied has none). Reading the sizes is one cheap
# catalog query, where probing 66 tables for a row is a query of 66 branches to plan.
_WRITTEN = (
    "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
    "AND relkind = 'r' AND pg_relation_size(oid) > 0"
)
# Every sequence a test drew from starts again at 1 (also those of tables it left empty).
_RESTART_SEQUENCES = (
    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) "
    "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
)


def _empty_postgres(engine: Any) -> None:
    """Remove every row and give the written tables back an empty heap, as TRUNCATE would.

    The rows are deleted (with foreign-key triggers off: every referencing table is emptied
    too) and the tables vacuumed, which cuts a heap whose rows are all dead back to no pages.
    So a table starts the next test as after a TRUNCATE: new rows are written from its first
    page on, and a query without ORDER BY returns them in insertion order; a DELETE alone would
    leave the freed space to be filled out of order. TRUNCATE itself costs far more here: it
    must take every table referencing one with rows (CASCADE: nearly all of them, as almost
    every table references an organization or a user), give each and its indexes new files
    and wait for the disk at commit, about 0.1–1 s a test on a busy machine against some 20 ms.
    When VACUUM could not remove the rows (a transaction older than the delete still open in
    this database) the tables are truncated after all.
    """
    known = {t.name: t for t in _db.metadata.sorted_tables}
    with engine.begin() as conn:
        written = [known[name] for (name,) in conn.execute(text(_WRITTEN)) if name in known]
        if written:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for table in written:
                conn.execute(table.delete())
        conn.execute(text(_RESTART_SEQUENCES))
    if not written:
        return
    names = ", ".join(f'"{t.name}"' for t in written)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM (INDEX_CLEANUP ON, TRUNCATE ON) {names}"))
        left = conn.execute(
            text(f"{_WRITTEN} AND relname = ANY(:names)"), {"names": [t.name for t in written]}
        ).all()
    if left:
        with engine.begin() as conn:
            rest = ", ".join(f'"{name}"' for (name,) in left)
            conn.execute(text(f"TRUNCATE {rest} CASCADE"))


def _reset(app: Flask, engine_name: str) -> None:
    """The schema on first use in this process, then no rows in any table."""
    with app.app_context():
        if engine_name not in _created:
            _db.create_all()
            _created.add(engine_name)
        _db.session.remove()
        if _db.engine.dialect.name == "postgresql":
            _empty_postgres(_db.engine)
        else:
            with _db.engine.begin() as conn:
                _empty_sqlite(conn)


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_app(
    database_urls: dict[str, dict[str, Any]], engine_name: str, tmp_path: Any
) -> Iterator[Callable[..., Flask]]:
    """Build a fresh app on a clean database of the test's engine, with config overrides.

    For tests that need settings of their own or change the app (routes); others use ``app``.
    """
    built: list[Flask] = []

    def _make(**overrides: Any) -> Flask:
        application = _build_app(base_config(database_urls[engine_name], tmp_path), **overrides)
        _reset(application, engine_name)
        built.append(application)
        return application

    yield _make
    for application in built:
        with application.app_context():
            _db.session.remove()
            _db.engine.dispose()


class SharedApps:
    """One app per engine for this test process, built on first use (see the module docstring)."""

    def __init__(self, urls: dict[str, dict[str, Any]], tmp: Any) -> None:
        self._urls = urls
        self._tmp = tmp
        self._apps: dict[str, tuple[Flask, dict[str, Any], int]] = {}

    def get(self, engine_name: str) -> tuple[Flask, dict[str, Any], int]:
        if engine_name not in self._apps:
            application = _build_app(base_config(self._urls[engine_name], self._tmp))
            self._apps[engine_name] = (
                application,
                dict(application.config),
                len(list(application.url_map.iter_rules())),
            )
        return self._apps[engine_name]

    def close(self) -> None:
        for application, _, _ in self._apps.values():
            with application.app_context():
                _db.session.remove()
                _db.engine.dispose()


@pytest.fixture(scope="session")
def shared_apps(
    database_urls: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SharedApps]:
    apps = SharedApps(database_urls, tmp_path_factory.mktemp("app"))
    yield apps
    apps.close()


@pytest.fixture
def app(shared_apps: SharedApps, engine_name: str, tmp_path: Any) -> Iterator[Flask]:
    """The shared app of the test's engine on a clean database, as if it were new."""
    application, settings, rules = shared_apps.get(engine_name)
    application.config.clear()
    application.config.update(settings)
    # Each test keeps its own uploads, as with an app of its own.
    application.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    application.config["INSTANCE_PATH"] = str(tmp_path)
    for key in [k for k in application.extensions if k.startswith(APP_MEMO_PREFIXES)]:
        del application.extensions[key]
    # The Limiter is one object for every app: an app built with limits on (make_app, or an
    # app from the environment) leaves it switched on until this app's settings are read again.
    limiter.init_app(application)
    _reset(application, engine_name)
    with application.app_context():
        cache.clear()
    yield application
    if len(list(application.url_map.iter_rules())) != rules:
        pytest.fail("a test added routes to the shared app: build its own with make_app()")


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
    from contest.services.core.orgs import add_organization

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
    from contest.services.core.users import create_user

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
    from contest.services.core.people import PersonData, create_person

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


@pytest.fixture
def make_contest(
    db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> Callable[..., Any]:
    """A whole skills contest, built straight from the models (no services), for any area's tests.

    Host city union → two enterprise unions (entrants) and a 技师学院 (the judges' unit).  One
    event "A" 数控车工 with theory 30% (T1: measurement /100) and practical 70% (P1 measurement
    /40 step 0.5, P2 judgement 0–3 worth 30, P3 deduction /30), ``entries`` entrants with entry
    and seat codes, ``judges`` judges on the panel (the first is chief judge), every judge
    assigned every entry.  Returns a namespace: contest, event, components, aspects (by key),
    entries, judges, chief, organizer, host, units, judge_unit.
    """
    from datetime import date
    from decimal import Decimal
    from types import SimpleNamespace

    from contest.models import (
        Aspect,
        AspectKind,
        Assignment,
        Component,
        Contest,
        ContestStatus,
        Entry,
        EntryStatus,
        Event,
        HonorLevel,
        OrgKind,
        PanelMember,
        RubricCriterion,
    )
    from contest.services.core.people import PersonData, create_person

    counter = iter(range(1, 100_000))

    def _make(
        status: ContestStatus | str = ContestStatus.JUDGING,
        entries: int = 4,
        judges: int = 3,
        name: str = "江州市数控技能大赛",
        host: Any = None,
    ) -> Any:
        status = ContestStatus(status) if isinstance(status, str) else status
        n = next(counter)
        host = host or make_org(name=f"江州市总工会{n}", kind=OrgKind.CITY)
        units = [
            make_org(name=f"江州机床厂工会{n}", kind=OrgKind.GRASSROOTS, parent=host),
            make_org(name=f"江州汽车厂工会{n}", kind=OrgKind.GRASSROOTS, parent=host),
        ]
        judge_unit = make_org(name=f"江州技师学院工会{n}", kind=OrgKind.GRASSROOTS, parent=host)
        organizer = make_user("organizer", organization=host)
        contest = Contest(
            name=name,
            level=HonorLevel.CITY,
            year=2026,
            organization=host,
            starts_on=date(2026, 10, 20),
            ends_on=date(2026, 10, 21),
            status=status,
        )
        event = Event(contest=contest, code="A", occupation="数控车工", policy={})
        theory = Component(event=event, key="theory", name="理论", weight=Decimal(30), position=0)
        practical = Component(
            event=event, key="practical", name="实操", weight=Decimal(70), position=1
        )
        db.session.add_all([contest, event, theory, practical])
        t_crit = RubricCriterion(component=theory, name="理论知识", position=0)
        p_crit = RubricCriterion(component=practical, name="零件加工", position=0)
        s_crit = RubricCriterion(component=practical, name="安全文明生产", position=1)
        db.session.add_all([t_crit, p_crit, s_crit])
        db.session.flush()
        aspects = {
            "T1": Aspect(
                criterion=t_crit,
                event_id=event.id,
                key="T1",
                name="理论试卷",
                kind=AspectKind.MEASUREMENT,
                max_points=Decimal(100),
                step=Decimal("0.5"),
                position=0,
            ),
            "P1": Aspect(
                criterion=p_crit,
                event_id=event.id,
                key="P1",
                name="尺寸精度",
                kind=AspectKind.MEASUREMENT,
                max_points=Decimal(40),
                step=Decimal("0.5"),
                position=0,
            ),
            "P2": Aspect(
                criterion=p_crit,
                event_id=event.id,
                key="P2",
                name="表面质量",
                kind=AspectKind.JUDGEMENT,
                max_points=Decimal(30),
                scale=3,
                step=Decimal(1),
                descriptors=["不合格", "基本符合", "良好", "优秀"],
                position=1,
            ),
            "P3": Aspect(
                criterion=s_crit,
                event_id=event.id,
                key="P3",
                name="违规操作扣分",
                kind=AspectKind.DEDUCTION,
                max_points=Decimal(30),
                step=Decimal(1),
                position=0,
            ),
        }
        db.session.add_all(aspects.values())
        made_entries = []
        for i in range(entries):
            person = create_person(
                None,
                PersonData(
                    name=f"选手{n}-{i + 1}", organization=units[i % 2], occupation="数控车工"
                ),
            )
            entry = Entry(
                contest=contest,
                event=event,
                person=person,
                organization=units[i % 2],
                status=EntryStatus.CHECKED_IN,
                entry_code=f"A{i + 1:03d}",
                seat_code=f"A-{i + 1:02d}",
            )
            made_entries.append(entry)
        db.session.add_all(made_entries)
        judge_users = [make_user("judge", organization=judge_unit) for _ in range(judges)]
        db.session.flush()
        for position, judge in enumerate(judge_users):
            db.session.add(PanelMember(event_id=event.id, user_id=judge.id, is_chief=position == 0))
            for entry in made_entries:
                db.session.add(Assignment(event_id=event.id, entry_id=entry.id, user_id=judge.id))
        db.session.commit()
        return SimpleNamespace(
            contest=contest,
            event=event,
            components={"theory": theory, "practical": practical},
            aspects=aspects,
            entries=made_entries,
            judges=judge_users,
            chief=judge_users[0] if judge_users else None,
            organizer=organizer,
            host=host,
            units=units,
            judge_unit=judge_unit,
        )

    return _make
