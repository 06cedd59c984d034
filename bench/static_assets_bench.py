"""What the public and review pages' static files cost on the wire (issue 16, item 15).

    .venv/bin/python bench/static_assets_bench.py [--runs 20]

For each large asset, through the app's own static route (contest/ui/assets.py): the bytes sent
plain and gzip-compressed, the Cache-Control a hashed URL gets, and the server time of the first
compressed answer (the file is compressed once per worker and content hash) against the median
of the next ``runs``. A browser that already holds a hashed URL sends nothing at all for a year.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from flask import url_for

from contest import create_app

ASSETS = ("vendor/plotly/plotly-basic.min.js", "css/app.css", "js/app.js", "js/kiosk.js")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    app = create_app()
    static = Path(app.static_folder or "static")
    client = app.test_client()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'asset':28} {'plain':>10} {'gzip':>10} {'first ms':>9} {'next ms':>8}  cache")
    for name in ASSETS:
        if not (static / name).exists():
            continue
        with app.test_request_context():
            url = url_for("static", filename=name)
        plain = client.get(url)
        timings = []
        for _ in range(runs + 1):
            start = time.perf_counter()
            packed = client.get(url, headers={"Accept-Encoding": "gzip"})
            timings.append((time.perf_counter() - start) * 1000)
        assert packed.status_code == 200, (name, packed.status_code)
        print(
            f"{name:28} {len(plain.data):>10,} {len(packed.data):>10,} "
            f"{timings[0]:>9.1f} {statistics.median(timings[1:]):>8.2f}  "
            f"{packed.headers.get('Cache-Control')} ({packed.headers.get('Content-Encoding')})"
        )


if __name__ == "__main__":
    main()
