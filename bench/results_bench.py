"""Published results under load: 10,000 competitors, `contest serve` with 2 workers, loopback only.

    .venv/bin/python bench/results_bench.py [--competitors 10000] [--events 5] [--requests 3000]
                                            [--concurrency 16] [--instance DIR]

Builds (or reuses, with --instance) a SQLite instance holding one published contest (`contest
init`, then the contest written straight to the tables — entrants, locked sheets of 3 judges ×
4 aspects, events signed off — and published through `contest.services.results.publish`, the
same path as the organizer's button).  Then, in one run against `contest serve`: /healthz, the
results page (first page, as a visitor opens it, and a deep page of another event), the JSON
API (all 10,000 rows, and one page), reporting requests/second and p50/p99.

Stampede check: the same results-page load is repeated while a side thread bumps the results
content version twice a second (as a re-publication does), so every worker's cached page goes
stale each time it re-reads the version (every 2 s) mid-load; without single-flight rebuilds
every request waiting at that moment would render the page itself and p99 would jump.

Target (issue 4): the results page at ≥ 30% of /healthz throughput with p99 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import os
import random
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


def build(instance: Path, competitors: int, events: int) -> int:
    """Write and publish the contest in-process; returns its id."""
    os.environ["CONTEST_INSTANCE_PATH"] = str(instance)
    from decimal import Decimal

    from sqlalchemy import insert, select

    from contest import create_app
    from contest.demo.names import person_name
    from contest.extensions import db
    from contest.models import (
        Aspect,
        AspectKind,
        Component,
        Contest,
        ContestStatus,
        Entry,
        EntryStatus,
        Event,
        Gender,
        HonorLevel,
        Mark,
        OrgKind,
        Person,
        Role,
        RubricCriterion,
        ScoreSheet,
        SheetStatus,
    )
    from contest.models.base import utcnow
    from contest.services import results
    from contest.services.orgs import add_organization
    from contest.services.users import create_user

    rng = random.Random(2026)
    app = create_app()
    with app.app_context():
        host = add_organization(None, name="江州市总工会(基准)", kind=OrgKind.CITY)
        units = [
            add_organization(
                None, name=f"江州第{i + 1}机械厂工会", kind=OrgKind.GRASSROOTS, parent=host
            )
            for i in range(40)
        ]
        judge_unit = add_organization(
            None, name="江州技师学院工会(基准)", kind=OrgKind.GRASSROOTS, parent=host
        )
        contest_row = Contest(
            name="2026年江州市职工职业技能大赛(基准)",
            level=HonorLevel.CITY,
            year=2026,
            organization=host,
            status=ContestStatus.REVIEW,
        )
        db.session.add(contest_row)
        occupations = ["数控车工", "焊工", "电工", "钳工", "汽车维修工", "茶艺师", "育婴员"]
        per_event = competitors // events
        now = utcnow()
        for e in range(events):
            code = chr(ord("A") + e)
            event = Event(
                contest=contest_row,
                code=code,
                occupation=occupations[e % len(occupations)],
                position=e,
                policy={"titles": [{"name": "江州市技术能手", "best": 1, "worst": 5}]},
            )
            theory = Component(event=event, key="theory", name="理论", weight=Decimal(30))
            practical = Component(
                event=event, key="practical", name="实操", weight=Decimal(70), position=1
            )
            t_crit = RubricCriterion(component=theory, name="理论知识")
            p_crit = RubricCriterion(component=practical, name="实操作业")
            db.session.add_all([event, theory, practical, t_crit, p_crit])
            db.session.flush()
            specs = [
                (t_crit, "T1", AspectKind.MEASUREMENT, 100, None),
                (p_crit, "P1", AspectKind.MEASUREMENT, 40, None),
                (p_crit, "P2", AspectKind.JUDGEMENT, 30, 3),
                (p_crit, "P3", AspectKind.DEDUCTION, 30, None),
            ]
            aspects = []
            for position, (criterion, key, kind, points, scale) in enumerate(specs):
                aspect = Aspect(
                    criterion=criterion,
                    event_id=event.id,
                    key=key,
                    name=key,
                    kind=kind,
                    max_points=Decimal(points),
                    scale=scale,
                    step=Decimal("0.5") if kind is AspectKind.MEASUREMENT else Decimal(1),
                    descriptors=["差", "中", "良", "优"] if scale else [],
                    position=position,
                )
                aspects.append(aspect)
            db.session.add_all(aspects)
            judges = [
                create_user(
                    None, f"bench-judge-{code}{j}", "bench-password-1", Role.JUDGE, judge_unit
                )
                for j in range(3)
            ]
            db.session.flush()
            people = []
            for i in range(per_event):
                gender = Gender.FEMALE if rng.random() < 0.3 else Gender.MALE
                people.append(
                    {
                        "name": person_name(rng, gender, "汉族", 1990),
                        "gender": gender,
                        "organization_id": units[i % len(units)].id,
                    }
                )
            person_ids = db.session.scalars(
                insert(Person).returning(Person.id, sort_by_parameter_order=True), people
            ).all()
            entries = [
                {
                    "contest_id": contest_row.id,
                    "event_id": event.id,
                    "person_id": pid,
                    "organization_id": people[i]["organization_id"],
                    "status": EntryStatus.CHECKED_IN,
                    "entry_code": f"{code}{i + 1:04d}",
                    "seat_code": f"{code}-{i + 1:04d}",
                }
                for i, pid in enumerate(person_ids)
            ]
            entry_ids = db.session.scalars(
                insert(Entry).returning(Entry.id, sort_by_parameter_order=True), entries
            ).all()
            sheets = [
                {
                    "event_id": event.id,
                    "entry_id": entry_id,
                    "user_id": judge.id,
                    "status": SheetStatus.LOCKED,
                    "version": 1,
                    "submitted_at": now,
                }
                for entry_id in entry_ids
                for judge in judges
            ]
            sheet_ids = db.session.scalars(
                insert(ScoreSheet).returning(ScoreSheet.id, sort_by_parameter_order=True), sheets
            ).all()
            marks = []
            for sheet_id in sheet_ids:
                values = (
                    rng.randint(40, 100),
                    rng.randint(30, 80) / 2,
                    rng.randint(0, 3),
                    rng.randint(0, 12),
                )
                for aspect, value in zip(aspects, values, strict=True):
                    marks.append(
                        {"sheet_id": sheet_id, "aspect_id": aspect.id, "value": Decimal(value)}
                    )
            db.session.execute(insert(Mark), marks)
            event.signed_off_at = now
            db.session.flush()
        db.session.commit()
        started = time.perf_counter()
        contest_row = db.session.scalars(select(Contest).where(Contest.id == contest_row.id)).one()
        snapshot = results.publish(None, contest_row)
        db.session.commit()
        print(
            f"published {snapshot.row_count:,} rows in {time.perf_counter() - started:.1f} s "
            f"(digest {snapshot.digest[:16]}…)"
        )
        return int(contest_row.id)


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
    parser.add_argument("--competitors", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=5)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--instance", help="reuse this instance folder (already published)")
    args = parser.parse_args()

    instance = Path(args.instance or tempfile.mkdtemp(prefix="results-bench-"))
    env = {"CONTEST_INSTANCE_PATH": str(instance)}
    if not (instance / "contest.db").exists():
        print(f"building {args.competitors:,} competitors into {instance} …", flush=True)
        contest(env, "init")
        contest_id = build(instance, args.competitors, args.events)
    else:
        contest_id = find_contest(instance)

    with serving(env, workers=2) as base:
        targets = [
            ("/healthz", "/healthz"),
            ("/results/<id> (first page)", f"/results/{contest_id}"),
            ("/results/<id>?event=B&page=37", f"/results/{contest_id}?event=B&page=37"),
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
