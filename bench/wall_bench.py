"""The honor wall under load: 100,000 honors, `contest serve` with 2 workers, loopback only.

    .venv/bin/python bench/wall_bench.py [--requests 3000] [--concurrency 16] [--instance DIR]

Builds (or reuses, with --instance) a SQLite database with `contest demo --large`, then sends a
bounded number of requests to /healthz, /wall/, /wall/?q=<two characters>, a profile and
/api/v1/honors?q=… in the same run and prints requests/second, p50/p99 and response size.
Targets (issue 5): the wall at ≥ 50% of /healthz throughput, p99 ≤ 100 ms, page ≤ 300 KB.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_load import HEADER, run
from server import contest, serving


def page_weight(base: str, path: str) -> tuple[int, int]:
    """Bytes a first visit transfers for ``path``: the HTML plus its CSS, JS and images."""
    import re

    with urllib.request.urlopen(base + path) as response:
        html = response.read()
    assets = set(re.findall(rb'(?:src|href)="(/(?:static|wall/photo)/[^"]+)"', html))
    total = len(html)
    for asset in assets:
        with urllib.request.urlopen(base + asset.decode()) as response:
            total += len(response.read())
    return total, len(assets)


def _names(base: str) -> list[dict[str, str]]:
    with urllib.request.urlopen(base + "/api/v1/honors?per_page=100&page=7") as response:
        return list(json.load(response)["items"])


def cold_searches(base: str, total_names: list[str]) -> tuple[float, float]:
    """Latency of searches nobody asked before (no server-side cache can help)."""
    import statistics
    import time

    timings = []
    for name in total_names[:20]:
        q = urllib.parse.quote(name.replace("·", "")[-2:])
        start = time.perf_counter()
        with urllib.request.urlopen(f"{base}/wall/?q={q}&per_page=24") as response:
            response.read()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), max(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--instance", help="reuse this instance folder (already loaded)")
    args = parser.parse_args()

    instance = Path(args.instance or tempfile.mkdtemp(prefix="wall-bench-"))
    env = {"CONTEST_INSTANCE_PATH": str(instance)}
    if not (instance / "contest.db").exists():
        print(f"loading demo --large into {instance} …", flush=True)
        contest(env, "init")
        seconds = contest(env, "demo", "--large")
        print(f"contest demo --large: {seconds:.1f} s")

    with serving(env, workers=2) as base:
        with urllib.request.urlopen(base + "/api/v1/honors?per_page=1") as response:
            payload = json.load(response)
        total = payload["total"]
        first = payload["items"][0]
        two_chars = first["name"].replace("·", "")[:2]
        q = urllib.parse.quote(two_chars)
        targets = [
            ("/healthz", "/healthz"),
            ("/wall/", "/wall/"),
            (f"/wall/?q={two_chars}", f"/wall/?q={q}"),
            ("/wall/?level=national&page=3", "/wall/?level=national&page=3"),
            ("/wall/<id> (profile)", f"/wall/{first['id']}"),
            (f"/api/v1/honors?q={two_chars}", f"/api/v1/honors?q={q}"),
        ]
        for _, path in targets:  # warm each worker's caches once, as a visitor would
            run(base + path, requests=8, concurrency=4)
        print(
            f"\n{total:,} valid honors on the wall; {args.requests} requests per endpoint, "
            f"{args.concurrency} concurrent keep-alive connections, 2 gunicorn workers\n"
        )
        print(HEADER)
        results = {}
        for label, path in targets:
            result = run(base + path, requests=args.requests, concurrency=args.concurrency)
            results[label] = result
            print(result.row(label), flush=True)
        weight, assets = page_weight(base, "/wall/")
        cold = cold_searches(base, total_names=[item["name"] for item in _names(base)])
        print(
            f"\nuncached searches (20 different two-character queries, one at a time): "
            f"p50 {cold[0]:.0f} ms, max {cold[1]:.0f} ms"
        )
        health = results["/healthz"].rps
        wall = results["/wall/"]
        print(
            f"\n/wall/ throughput = {wall.rps / health:.0%} of /healthz "
            f"(target ≥ 50%); p99 {wall.p99_ms:.1f} ms (target ≤ 100 ms); "
            f"first visit {weight / 1024:.0f} KB with {assets} assets (target ≤ 300 KB)"
        )


if __name__ == "__main__":
    main()
