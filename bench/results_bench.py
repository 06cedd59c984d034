"""Published results under load: `contest demo --large`, `contest serve` with 2 workers, loopback.

    .venv/bin/python bench/results_bench.py [--requests 3000] [--concurrency 16] [--instance DIR]

Builds (or reuses, with --instance) a SQLite instance loaded with `contest demo --large`, whose
benchmark contest has 10,000 competitors across 10 events, published through
`contest.services.skills.publishing.publish` like any other.  Then, in one run against `contest
serve`: /healthz, the results page (first page, as a visitor opens it, and a deep page of another
event), the JSON API (all 10,000 rows, and one page), reporting requests/second and p50/p99.

Stampede check: the same results-page load is repeated while a side thread bumps the results
content version twice a second (as a re-publication does), so every worker's cached page goes
stale each time it re-reads the version (every 2 s) mid-load; without single-flight rebuilds
every request waiting at that moment would render the page itself and p99 would jump.

Target (issue 4): the results page at ≥ 30% of /healthz throughput with p99 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_load import HEADER, run
from server import contest, serving


def find_contest(instance: Path) -> int:
    with sqlite3.connect(instance / "contest.db") as conn:
        row = conn.execute(
            "SELECT contest_id FROM result_snapshots WHERE is_current = 1 "
            "ORDER BY row_count DESC LIMIT 1"
        ).fetchone()
    if row is None:
        raise SystemExit("no published contest in this instance")
    return int(row[0])


def invalidator(database: Path, stop: threading.Event, every: float) -> list[int]:
    """Bump the results content version every ``every`` seconds (as publishing does)."""
    bumps: list[int] = []

    def loop() -> None:
        conn = sqlite3.connect(database, timeout=10)
        while not stop.wait(every):
            with conn:
                conn.execute(
                    "UPDATE content_versions SET version = version + 1 WHERE name = 'results'"
                )
            bumps.append(1)
        conn.close()

    threading.Thread(target=loop, daemon=True).start()
    return bumps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--instance", help="reuse this instance folder (already published)")
    args = parser.parse_args()

    instance = Path(args.instance or tempfile.mkdtemp(prefix="results-bench-"))
    env = {"CONTEST_INSTANCE_PATH": str(instance)}
    if not (instance / "contest.db").exists():
        print(f"loading contest demo --large into {instance} …", flush=True)
        contest(env, "init")
        seconds = contest(env, "demo", "--large")
        print(f"contest demo --large: {seconds:.0f} s")
    contest_id = find_contest(instance)

    with serving(env, workers=2) as base:
        targets = [
            ("/healthz", "/healthz"),
            ("/results/<id> (first page)", f"/results/{contest_id}"),
            ("/results/<id>?event=B&page=17", f"/results/{contest_id}?event=B&page=17"),
            ("/api/…/results (all rows)", f"/api/v1/contests/{contest_id}/results"),
            (
                "/api/…/results?event=C&page=3",
                f"/api/v1/contests/{contest_id}/results?event=C&page=3&per_page=50",
            ),
        ]
        for _, path in targets:  # warm each worker once, as the first visitors would
            run(base + path, requests=8, concurrency=4)
        print(
            f"\n{args.requests} requests per endpoint, {args.concurrency} concurrent keep-alive "
            "connections, 2 gunicorn workers\n"
        )
        print(HEADER)
        measured = {}
        for label, path in targets:
            requests = args.requests if "all rows" not in label else max(args.requests // 10, 50)
            result = run(base + path, requests=requests, concurrency=args.concurrency)
            measured[label] = result
            print(result.row(label), flush=True)

        stop = threading.Event()
        bumps = invalidator(instance / "contest.db", stop, every=0.5)
        stale = run(
            base + f"/results/{contest_id}",
            requests=args.requests * 3,
            concurrency=args.concurrency,
        )
        stop.set()
        print(stale.row("/results/<id>, version bumped 2/s"))
        print(f"  ({len(bumps)} invalidations during that run)")

        cold = []
        for _ in range(5):  # a render nobody has cached: bump, wait out the version memo, GET
            with sqlite3.connect(instance / "contest.db") as conn:
                conn.execute(
                    "UPDATE content_versions SET version = version + 1 WHERE name = 'results'"
                )
            time.sleep(2.2)
            started = time.perf_counter()
            with urllib.request.urlopen(base + f"/results/{contest_id}?event=D&page=9") as reply:
                reply.read()
            cold.append((time.perf_counter() - started) * 1000)
        print(f"uncached render (after a new version): median {sorted(cold)[2]:.0f} ms")

        health = measured["/healthz"].rps
        page = measured["/results/<id> (first page)"]
        print(
            f"\nresults page throughput = {page.rps / health:.0%} of /healthz (target ≥ 30%); "
            f"p99 {page.p99_ms:.1f} ms (target ≤ 100 ms); under invalidation p99 "
            f"{stale.p99_ms:.1f} ms at {stale.rps / health:.0%} of /healthz"
        )


if __name__ == "__main__":
    main()
