"""What the integrity checks cost on the benchmark contest (`contest demo --large`).

    .venv/bin/python bench/integrity_bench.py [--instance DIR] [--repeat 5]

Builds (or reuses, with --instance) a SQLite instance loaded with `contest demo --large`: a
published contest of 10,000 competitors across 10 events, 30,000 locked sheets, 450,000 marks,
each sheet's submission in the audit trail. Then, in this process, best and median of
``--repeat`` runs of:

- the public side, once per content version: the header's seal (the snapshot document hashed
  and compared with its audited digest, each event's rows digested), one event's sealed rows
  (its 1,000 stored rows read and compared with the document), all ten events' sealed rows;
  a cold render of the results page (NullCache: every check runs) and of /verify/<number>;
- `contest audit verify`'s three parts: the keyed chain, the marks replayed against the trail,
  the snapshots against their digests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import contest


def timed(label: str, action: Callable[[], Any], repeat: int) -> None:
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    print(
        f"{label:<58} best {min(seconds) * 1000:8.1f} ms   "
        f"median {statistics.median(seconds) * 1000:8.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instance", help="reuse this instance folder (demo --large loaded)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    instance = Path(args.instance or tempfile.mkdtemp(prefix="integrity-bench-"))
    env = {"CONTEST_INSTANCE_PATH": str(instance)}
    if not (instance / "contest.db").exists():
        print(f"loading contest demo --large into {instance} …", flush=True)
        contest(env, "init")
        print(f"contest demo --large: {contest(env, 'demo', '--large'):.0f} s", flush=True)

    os.environ["CONTEST_INSTANCE_PATH"] = str(instance)
    from sqlalchemy import desc, select

    from contest import create_app
    from contest.config import from_environment
    from contest.extensions import db
    from contest.models import ResultRow, ResultSnapshot
    from contest.services.core.audit import verify_chain
    from contest.services.skills import integrity
    from contest.services.skills import results as results_service

    app = create_app({**from_environment(), "CACHE_TYPE": "NullCache"})
    client = app.test_client()
    with app.app_context():
        snapshot = db.session.scalars(
            select(ResultSnapshot)
            .where(ResultSnapshot.is_current.is_(True))
            .order_by(desc(ResultSnapshot.row_count))
        ).first()
        assert snapshot is not None
        number = db.session.scalar(
            select(ResultRow.certificate_no)
            .where(ResultRow.snapshot_id == snapshot.id, ResultRow.certificate_no.is_not(None))
            .limit(1)
        )
        header = results_service.public_contest(snapshot.contest_id)
        assert isinstance(header, results_service.PublicContest), header
        print(f"contest {header.id}: {header.row_count} rows in {len(header.events)} events")
        event = header.events[0]
        timed(
            "header with its seal (document hash, audit, digests)",
            lambda: results_service.public_contest(snapshot.contest_id),
            args.repeat,
        )
        timed(
            f"sealed rows of one event ({event.count} rows)",
            lambda: results_service.sealed_rows(header.snapshot_id, event.id, event.seal),
            args.repeat,
        )
        timed(
            "sealed rows of every event",
            lambda: [
                results_service.sealed_rows(header.snapshot_id, e.id, e.seal) for e in header.events
            ],
            args.repeat,
        )
        for url in (f"/results/{header.id}", f"/verify/{number}"):
            timed(
                f"cold GET {url.split('/')[1]} page (every check, NullCache)",
                lambda url=url: _ok(client.get(url)),
                args.repeat,
            )
        timed("audit verify: keyed chain", lambda: _ok(verify_chain()), 1)
        timed("audit verify: marks against the trail", lambda: _ok(integrity.check_marks()), 1)
        timed("audit verify: snapshots", lambda: _ok(integrity.check_results()), 1)
        report = verify_chain()
        print(f"chain: {report.checked} entries; marks: {integrity.check_marks().count} sheets")


def _ok(result: Any) -> None:
    ok = getattr(result, "ok", None)
    status = getattr(result, "status_code", 200)
    if ok is False or status != 200:
        raise SystemExit(f"check failed: {result!r}")


if __name__ == "__main__":
    main()
