"""Two ``contest serve`` processes on one PostgreSQL schema, behind HAProxy, on loopback.

DESIGN's scale-out, run on one machine: the servers share the database, Redis for the page
caches and the rate limits (a database number each, flushed at start), one folder for uploads
and one for import jobs, and the secret keys; each has its own instance folder, so nothing else
may be needed from it. HAProxy (Debian's package, ``make cluster-deps``) balances requests
round-robin over the two, checks them with ``GET /healthz`` and names the server that answered
in an ``X-Contest-Server`` response header; it adds ``X-Forwarded-For``, which the servers trust
for one hop (``CONTEST_PROXY_COUNT=1``). Shared by ``tests/cluster`` and
``bench/cluster_judges_bench.py``::

    with postgres_schema(ADMIN_URL) as database_url:
        with running(database_url, folder) as cluster:
            cluster.balancer, cluster.servers  # base URLs
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import contest, free_port, serving_all, stop, wait_healthy

from contest.server import THREADS

REDIS_URL = os.environ.get("CONTEST_TEST_REDIS_URL", "redis://127.0.0.1:6379")
SERVER_HEADER = "X-Contest-Server"


def unavailable(redis_url: str = REDIS_URL) -> str | None:
    """Why a cluster cannot run here (HAProxy or Redis missing), or None."""
    if shutil.which("haproxy") is None:
        return "haproxy is not installed (make cluster-deps installs Debian's package)"
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_timeout=2).ping()
    except Exception as error:  # any failure means "no Redis here"
        return f"Redis does not answer at {redis_url} ({type(error).__name__})"
    return None


def psycopg_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


@contextlib.contextmanager
def postgres_schema(admin_url: str, prefix: str = "cluster") -> Iterator[str]:
    """A new, empty schema; yields a database URL whose connections use it. Dropped after."""
    from sqlalchemy import create_engine, text

    schema = f"{prefix}_{secrets.token_hex(5)}"
    engine = create_engine(psycopg_url(admin_url))
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in admin_url else "?"
    try:
        yield f"{admin_url}{separator}options=" + quote(f"-csearch_path={schema}")
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def haproxy_config(port: int, backends: list[str], per_server: int) -> str:
    """Round-robin over ``backends`` (``http://127.0.0.1:PORT``), health-checked on /healthz.

    Each server gets at most ``per_server`` requests at a time (its workers × threads): the
    rest wait in HAProxy's queue, not in gunicorn's, so a health check is never stuck behind
    a backlog and a busy server is not taken for a dead one.
    """
    servers = "\n".join(
        f"    server s{index} {base.removeprefix('http://')} maxconn {per_server}"
        " check inter 2s fall 3 rise 1"
        for index, base in enumerate(backends, start=1)
    )
    return f"""\
global
    maxconn 4096

defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 30s
    timeout queue 60s
    # A health check on a busy 2-core machine may take seconds: a slow answer is not a dead server.
    timeout check 10s

frontend contest
    bind 127.0.0.1:{port}
    default_backend servers

backend servers
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    http-response set-header {SERVER_HEADER} %[srv_name]
{servers}
"""


@contextlib.contextmanager
def balancing(backends: list[str], folder: Path, per_server: int) -> Iterator[str]:
    """HAProxy in front of ``backends``; yields its base URL once both answer through it."""
    port = free_port()
    config = folder / "haproxy.cfg"
    config.write_text(haproxy_config(port, backends, per_server))
    with open(folder / "haproxy.log", "ab") as log:
        process = subprocess.Popen(
            ["haproxy", "-db", "-f", str(config)],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process)
        seen: set[str] = set()
        for _ in range(50):
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                seen.add(response.headers.get(SERVER_HEADER, ""))
            if len(seen) >= len(backends):
                break
        else:
            raise RuntimeError(f"the balancer reached only {sorted(seen)}")
        yield base
    finally:
        stop(process)


@dataclass(frozen=True)
class Cluster:
    balancer: str  # base URL of HAProxy
    servers: list[str]  # base URL of each `contest serve`, in the balancer's order s1, s2
    env: dict[str, str]  # the environment both servers run with
    folder: Path


def cluster_env(
    database_url: str, folder: Path, redis_url: str = REDIS_URL, redis_databases=(14, 15)
) -> dict[str, str]:
    """The settings the servers share: database, Redis URLs, folders, keys, one proxy hop."""
    cache_db, limits_db = redis_databases
    return {
        "CONTEST_DATABASE_URL": database_url,
        "CONTEST_SECRET_KEY": secrets.token_urlsafe(32),
        "CONTEST_DATA_KEY": secrets.token_urlsafe(32),
        "CONTEST_AUDIT_KEY": secrets.token_urlsafe(32),
        "CONTEST_CACHE_TYPE": "RedisCache",
        "CONTEST_CACHE_REDIS_URL": f"{redis_url}/{cache_db}",
        "CONTEST_RATELIMIT_STORAGE_URI": f"{redis_url}/{limits_db}",
        "CONTEST_UPLOAD_FOLDER": str(folder / "shared" / "uploads"),
        "CONTEST_JOBS_FOLDER": str(folder / "shared" / "jobs"),
        "CONTEST_PROXY_COUNT": "1",
    }


def flush_redis(env: dict[str, str]) -> None:
    """Empty the two Redis databases the cluster uses (nothing of another's is in them)."""
    import redis

    for key in ("CONTEST_CACHE_REDIS_URL", "CONTEST_RATELIMIT_STORAGE_URI"):
        if (env.get(key) or "").startswith("redis://"):
            client = redis.Redis.from_url(env[key])
            client.flushdb()
            client.close()


@contextlib.contextmanager
def running(
    database_url: str,
    folder: Path,
    *,
    redis_url: str = REDIS_URL,
    redis_databases: tuple[int, int] = (14, 15),
    workers: int = 2,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Cluster]:
    """``contest init`` on the database, then two servers and the balancer; all stopped after.

    Each server's output goes to ``folder/server-N.log``, HAProxy's to ``folder/haproxy.log``.
    """
    env = {**cluster_env(database_url, folder, redis_url, redis_databases), **(extra_env or {})}
    flush_redis(env)
    envs = []
    for name in ("server-1", "server-2"):
        instance = folder / name
        instance.mkdir(parents=True, exist_ok=True)
        envs.append({**env, "CONTEST_INSTANCE_PATH": str(instance)})
    contest(envs[0], "init")
    logs = [folder / "server-1.log", folder / "server-2.log"]
    try:
        with (
            serving_all(envs, workers=workers, logs=logs) as servers,
            balancing(servers, folder, per_server=workers * THREADS) as balancer,
        ):
            yield Cluster(balancer=balancer, servers=servers, env=env, folder=folder)
    finally:
        flush_redis(env)
