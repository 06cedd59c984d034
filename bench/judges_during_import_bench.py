"""Judges saving their sheets while a 100,000-row roster is imported (issue #11 item 3).

    .venv/bin/python bench/judges_during_import_bench.py [--rows 100000] [--judges 50]
                                   [--think 1] [--via cli|web] [--workers 2] [--instance DIR]

Builds a fresh SQLite database with ``judges_bench.build`` (10 events, judges/10 judges each,
rubrics of 20 aspects, 5 sheets per judge), writes the roster of ``roster_import_bench`` (reused
from ``bench/data/`` when there), starts ``contest serve`` and lets every judge, on its own
thread and connection, save drafts of its sheets in a loop (a PUT of 10 marks, then a pause of
0..``--think`` s). After a few seconds of that the import starts — ``contest honors import``
in a process of its own (``--via cli``), or an admin's upload on 荣誉管理 → 导入 (``--via web``,
which runs it in a server worker and polls its progress) — and the judges go on until it has
finished. Prints the import's duration and, for the saves sent while it ran: how many, their
statuses, p50/p99/max latency and the failures (5xx, timeouts of 60 s).

The finding it measures: before, the import held SQLite's write lock for its whole run, so
every save waited 15 s for the busy timeout and failed with a 500.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from judges_bench import ASPECTS, EVENTS, build
from server import CONTEST, contest, serving

ROOT = Path(__file__).resolve().parent.parent
WARM_UP_SECONDS = 5
ADMIN_PASSWORD = "bench-admin-2026"


class Saves:
    """Every judge's save: (start, milliseconds, status), shared by the judge threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.records: list[tuple[float, float, int]] = []
        self.stop = threading.Event()

    def add(self, started: float, ms: float, status: int) -> None:
        with self.lock:
            self.records.append((started, ms, status))


def judge_loop(base: str, job: dict, think: float, saves: Saves) -> None:
    rng = random.Random(job["judge"])
    host, port = urlsplit(base).hostname, urlsplit(base).port
    headers = {"Authorization": f"Bearer {job['token']}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection(host, port, timeout=60)
    turn = 0
    while not saves.stop.is_set():
        _entry_id, code = job["entries"][turn % len(job["entries"])]
        turn += 1
        marks = {f"C{k + 1:02d}": float(rng.randint(0, 10)) / 2 for k in range(ASPECTS // 2)}
        body = json.dumps({"scores": marks, "submit": False})
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                conn.request("PUT", f"/api/v1/judge/scores/{code}", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                break
            except (OSError, http.client.HTTPException):
                # The server closes keep-alive connections idle for a few seconds: reconnect
                # and send once more; a second failure is a timeout or a dropped connection.
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
                status = 599
                if attempt == 2:
                    break
        saves.add(started, (time.perf_counter() - started) * 1000, status)
        saves.stop.wait(rng.uniform(0, think))
    conn.close()


def roster_file(rows: int) -> Path:
    from roster_import_bench import generate, write_csv

    path = ROOT / "bench" / "data" / f"roster_{rows}.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(generate(rows), path)
    return path


def import_by_cli(env: dict[str, str], path: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [CONTEST, "honors", "import", str(path)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    print("   ", (done.stdout or done.stderr).strip().splitlines()[-1][:300])
    return elapsed


class Browser:
    """Just enough of a browser for the admin's upload: cookies and CSRF tokens."""

    def __init__(self, base: str) -> None:
        self.host, self.port = urlsplit(base).hostname, urlsplit(base).port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=600)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response.status, dict(response.getheaders()), text

    def csrf(self, path: str) -> str:
        _status, _headers, page = self.request("GET", path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if match is None:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1)

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], str]:
        from urllib.parse import urlencode

        body = urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body, headers)

    def post_file(self, path: str, fields: dict[str, str], name: str, data: bytes) -> Any:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: text/csv\r\n\r\n".encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request("POST", path, b"".join(parts), headers)


def import_by_web(base: str, path: Path) -> float:
    browser = Browser(base)
    token = browser.csrf("/login")
    status, _h, _p = browser.post_form(
        "/login", {"csrf_token": token, "username": "bench_admin", "password": ADMIN_PASSWORD}
    )
    if status != 302:
        raise RuntimeError(f"admin login failed: {status}")
    token = browser.csrf("/admin/honors/import")
    started = time.perf_counter()
    status, headers, page = browser.post_file(
        "/admin/honors/import", {"csrf_token": token}, path.name, path.read_bytes()
    )
    location = headers.get("Location", "")
    job = re.search(r"job=([\w-]+)", location)
    if job is not None:  # a background job (this change): poll it as the page's script does
        while True:
            _s, _h, state = browser.request("GET", f"/admin/honors/jobs/{job.group(1)}")
            if json.loads(state).get("finished"):
                break
            time.sleep(1)
        _s, _h, page = browser.request("GET", f"/admin/honors/import?job={job.group(1)}")
    elapsed = time.perf_counter() - started
    print("    import page:", "导入完成" if "导入完成" in page else f"status {status}, no result")
    return elapsed


def summary(saves: Saves, began: float, ended: float) -> None:
    during = [(ms, status) for started, ms, status in saves.records if began <= started < ended]
    before = [ms for started, ms, status in saves.records if started < began and status == 200]
    statuses = Counter(status for _ms, status in during)
    latencies = sorted(ms for ms, _status in during)
    failures = sum(count for status, count in statuses.items() if status >= 500)
    if before:
        print(f"before the import: {len(before)} saves, p50 {statistics.median(before):.0f} ms")
    if not latencies:
        print("no save was sent while the import ran")
        return
    p99 = latencies[min(int(len(latencies) * 0.99), len(latencies) - 1)]
    print(
        f"during the import: {len(latencies)} saves, statuses {dict(sorted(statuses.items()))}; "
        f"p50 {statistics.median(latencies):.0f} ms, p99 {p99:.0f} ms, "
        f"max {latencies[-1]:.0f} ms; failures (5xx/timeouts) {failures}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0, help="max pause between saves (s)")
    parser.add_argument("--via", choices=["cli", "web"], default="cli")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--instance", help="folder for the database (default: a new temp dir)")
    args = parser.parse_args()
    if args.judges % EVENTS or args.judges // EVENTS < 5:
        parser.error(f"--judges must be a multiple of {EVENTS}, at least {EVENTS * 5}")

    path = roster_file(args.rows)
    instance = Path(args.instance or tempfile.mkdtemp(prefix="judges-import-bench-"))
    env = {"CONTEST_INSTANCE_PATH": str(instance), "CONTEST_SECRET_KEY": "bench-secret-key"}
    contest(env, "init")
    plan = build(env, args.judges, 5)
    if args.via == "web":
        subprocess.run(
            [CONTEST, "user", "create", "bench_admin", "--role", "admin", "--password-stdin"],
            input=ADMIN_PASSWORD + "\n",
            env={**os.environ, **env},
            check=True,
            capture_output=True,
            text=True,
        )
    print(
        f"{args.judges} judges saving drafts (pause 0..{args.think} s) while "
        f"{path.name} ({args.rows:,} rows) is imported via {args.via}; "
        f"`contest serve --workers {args.workers}` on SQLite; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    saves = Saves()
    with serving(env, workers=args.workers) as base:
        threads = [
            threading.Thread(target=judge_loop, args=(base, job, args.think, saves)) for job in plan
        ]
        for thread in threads:
            thread.start()
        time.sleep(WARM_UP_SECONDS)
        began = time.perf_counter()
        took = import_by_cli(env, path) if args.via == "cli" else import_by_web(base, path)
        ended = time.perf_counter()
        saves.stop.set()
        for thread in threads:
            thread.join()
    print(f"import took {took:.1f} s (load average now {os.getloadavg()[0]:.1f})")
    summary(saves, began, ended)


if __name__ == "__main__":
    main()
