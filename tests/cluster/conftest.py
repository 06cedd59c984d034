"""Two real servers on one PostgreSQL schema, Redis and HAProxy (``bench/cluster.py``).

Started once for the module that asks for ``cluster``. They need PostgreSQL
(``CONTEST_TEST_POSTGRES_URL``), HAProxy (``make cluster-deps``) and a Redis server
(``CONTEST_TEST_REDIS_URL``, default ``redis://127.0.0.1:6379``; databases 14 and 15 are
flushed): when one is missing the tests are skipped with the reason, unless
``CONTEST_REQUIRE_CLUSTER`` is set (``.ci/run`` sets it), which makes them fail instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD, POSTGRES_URL

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import cluster as cluster_script  # bench/cluster.py, shared with the bench

# Login POSTs one address may make per minute, through either server, and wrong passwords
# from one address for one account before it is locked out (the tests' own settings).
LOGIN_RATE = 5
MAX_FAILURES = 3


@dataclass(frozen=True)
class Seeded:
    admin: str  # username; the password is tests.conftest.PASSWORD
    person_id: int  # a worker of the city union, consenting to a public photo
    person_name: str


def _unavailable() -> str | None:
    if not POSTGRES_URL:
        return "CONTEST_TEST_POSTGRES_URL is not set: the two servers share one PostgreSQL"
    return cluster_script.unavailable()


def _seed(env: dict[str, str]) -> Seeded:
    """The rows the tests start from, written through the services by an app of our own."""
    from contest import create_app
    from contest.extensions import db
    from contest.models import HonorLevel, OrgKind, Role
    from contest.services.core.orgs import add_organization
    from contest.services.core.people import PersonData, create_person
    from contest.services.core.users import create_user
    from contest.services.honors.records import HonorData, add_honor

    app = create_app(
        SQLALCHEMY_DATABASE_URI=cluster_script.psycopg_url(env["CONTEST_DATABASE_URL"]),
        SECRET_KEY=env["CONTEST_SECRET_KEY"],
        DATA_KEY=env["CONTEST_DATA_KEY"],
        AUDIT_KEY=env["CONTEST_AUDIT_KEY"],
        CACHE_TYPE="NullCache",
        CACHE_NO_NULL_WARNING=True,
        RATELIMIT_ENABLED=False,
        ARGON2_TIME_COST=1,
        ARGON2_MEMORY_KIB=1024,
    )
    with app.app_context():
        city = add_organization(None, name="江州市总工会", kind=OrgKind.CITY)
        admin = create_user(None, "cluster_admin", PASSWORD, Role.ADMIN)
        person = create_person(
            None, PersonData(name="甘露梅", organization=city, consent_photo=True)
        )
        add_honor(
            admin,
            HonorData(
                recipient_name=person.name,
                title="江州市劳动模范",
                level=HonorLevel.CITY,
                year=2024,
                person=person,
                organization=city,
                conferring_body="江州市人民政府",
                document_number="江政发〔2024〕3号",
            ),
        )
        db.session.commit()
        seeded = Seeded(admin=admin.username, person_id=person.id, person_name=person.name)
        db.session.remove()
        db.engine.dispose()
    return seeded


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = _unavailable()
    if reason:
        if os.environ.get("CONTEST_REQUIRE_CLUSTER"):
            pytest.fail(f"two-server test required (CONTEST_REQUIRE_CLUSTER) but {reason}")
        pytest.skip(reason)
    assert POSTGRES_URL
    folder = tmp_path_factory.mktemp("cluster")
    settings = {
        "CONTEST_LOGIN_RATE_LIMIT": f"{LOGIN_RATE} per minute",
        "CONTEST_LOGIN_MAX_FAILURES": str(MAX_FAILURES),
        "CONTEST_ARGON2_TIME_COST": "1",
        "CONTEST_ARGON2_MEMORY_KIB": "1024",
    }
    with (
        cluster_script.postgres_schema(POSTGRES_URL, prefix="t_cluster") as database_url,
        cluster_script.running(database_url, folder, workers=1, extra_env=settings) as running,
    ):
        yield running


@pytest.fixture(scope="module")
def seeded(cluster: Any) -> Seeded:
    return _seed(cluster.env)
