"""1,000 judges scoring at once across two servers behind HAProxy, on PostgreSQL (loopback).

    .venv/bin/python bench/cluster_judges_bench.py [--judges 1000] [--sheets 5] [--workers 2]
        [--think 60] [--postgres postgresql://postgres@127.0.0.1:5432/test]
        [--redis redis://127.0.0.1:6379] [--direct]

DESIGN's scale-out on one machine (``bench/cluster.py``): a new PostgreSQL schema made by
``contest init``, two ``contest serve --workers N`` sharing it, Redis for the caches and limits
(databases 12 and 13, flushed), shared upload and job folders, HAProxy round-robin in front.
The judges and their sheets are ``judges_bench.py``'s (10 events, 20-aspect rubric, ``--sheets``
sheets per judge, a draft PUT with 10 marks and a submitting PUT with the other 10, a random
pause of 0..``--think`` s before each request), every judge on its own thread and keep-alive
connection to the balancer (``--direct``: half of them to each server, no balancer). The default
pause, 0..60 s, has each judge save every 30 s on average: about 33 saves/s from 1,000 judges
at the peak, the offer of ``judges_bench.py``'s 300 judges at 0..15 s, and still far denser
than a real marking session; ``--think 15`` or ``--think 0`` finds the pair's capacity.

Prints p50/p99 latency, every non-2xx status, how the balancer shared the requests, and checks
the database: every mark stored exactly once with the value sent, every sheet submitted.
Targets (issue #11 item 11): no lost mark, p99 ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cluster import REDIS_URL, postgres_schema, running, unavailable
from judges_bench import ASPECTS, build, check_size, report, run_judges

ACCESS_LINE = re.compile(r'"PUT /api/v1/judge/scores/')


def served_puts(log: Path) -> int:
    """PUTs of score sheets in a server's access log."""
    with open(log, encoding="utf-8", errors="replace") as lines:
        return sum(1 for line in lines if ACCESS_LINE.search(line))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--judges", type=int, default=1000)
    parser.add_argument("--sheets", type=int, default=5, help="sheets per judge")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--think", type=float, default=60.0, help="max pause before a request (s)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "CONTEST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--redis", default=REDIS_URL)
    parser.add_argument("--direct", action="store_true", help="judges split over the servers")
    args = parser.parse_args()
    check_size(parser, args.judges, args.sheets)
    reason = unavailable(args.redis)
    if reason:
        parser.exit(2, f"cannot run: {reason}\n")

    folder = Path(tempfile.mkdtemp(prefix="cluster-bench-"))
    with (
        postgres_schema(args.postgres, prefix="bench_cluster") as database_url,
        running(
            database_url,
            folder,
            redis_url=args.redis,
            redis_databases=(12, 13),
            workers=args.workers,
        ) as cluster,
    ):
        plan = build(cluster.env, args.judges, args.sheets)
        total_sheets = sum(len(job["entries"]) for job in plan)
        route = "half to each server directly" if args.direct else "all through HAProxy"
        print(
            f"{args.judges} judges ({route}), {total_sheets} sheets of {ASPECTS} marks "
            f"({total_sheets * ASPECTS:,} marks), 2 PUTs per sheet, think time 0..{args.think} s, "
            f"2 × `contest serve --workers {args.workers}` on PostgreSQL, Redis, "
            f"load average before: {os.getloadavg()[0]:.1f}\n",
            flush=True,
        )
        bases = cluster.servers if args.direct else [cluster.balancer]
        run = run_judges(bases, plan, args.think)
        load = os.getloadavg()
        shares = Counter({f"server {n}": served_puts(folder / f"server-{n}.log") for n in (1, 2)})
        problems = report(run, plan)
    print(f"score PUTs served: {dict(shares)}; load average (1/5/15 min) at the end: {load}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
