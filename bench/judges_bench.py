"""300 judges scoring at once through the API, against `contest serve` on SQLite (loopback).

    .venv/bin/python bench/judges_bench.py [--judges 300] [--sheets 5] [--workers 2]
                                           [--think 15] [--instance DIR]

Builds a fresh SQLite database: one contest in judging with 10 events, each with a rubric of
20 aspects (10 measurement marks 0–5 in steps of 0.5, 10 judgement levels 0–3), judges/10
judges and as many entries per event, every entry assigned to ``--sheets`` judges of its event
(so every judge has ``--sheets`` sheets).  Then every judge, each on its own thread and
keep-alive connection with its own API token, scores its sheets: a draft PUT with the first 10
marks, then a PUT with the other 10 and ``"submit": true`` (the second relies on "keys not sent
keep their stored value").  Before each request a judge pauses a random 0..``--think`` seconds
(default 15: 300 judges then offer about 40 requests/s, each judge finishing its sheets within
a minute or two — a rush far denser than a real marking session, where a 20-criterion sheet
takes minutes); ``--think 0`` is the saturation run, every judge firing back to back.

Prints sheets/second, requests/second, p50/p99 latency, every non-2xx status with its count,
and then checks the database: every submitted mark stored exactly once with the value sent,
every sheet submitted, no "database is locked".  Targets (issue 4): no lost or duplicated
mark, no "database is locked", p99 under 300 ms.

``build``, ``run_judges``, ``verify`` and ``report`` work on any database the environment names
and any list of servers: ``cluster_judges_bench.py`` runs them on PostgreSQL, two servers and
a balancer.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import contest, serving

EVENTS = 10
ASPECTS = 20


def expected_value(judge: int, entry: int, aspect: int) -> float:
    """The mark judge ``judge`` gives aspect ``aspect`` of entry ``entry`` (deterministic)."""
    if aspect < ASPECTS // 2:  # measurement: 0..5 in steps of 0.5
        return ((judge * 7 + entry * 3 + aspect) % 11) * 0.5
    return float((judge + entry * 5 + aspect) % 4)  # judgement level 0..3


def build(env: dict[str, str], judges: int, sheets: int) -> list[dict]:
    """Create the contest and the judges in the database ``env`` names (the variables stay
    set for ``verify``); return each judge's token and entry codes."""
    os.environ.update(env)
    from contest import create_app
    from contest.extensions import db
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
        Organization,
        OrgKind,
        PanelMember,
        Person,
        Role,
        RubricCriterion,
        User,
    )
    from contest.security.passwords import hash_password
    from contest.services.core.users import create_token

    per_event = judges // EVENTS
    app = create_app()
    plan: list[dict] = []
    with app.app_context():
        host = Organization(name="基准市总工会", kind=OrgKind.CITY, path="")
        db.session.add(host)
        db.session.flush()
        host.path = f"/{host.id}/"
        unit = Organization(name="基准机械厂工会", kind=OrgKind.GRASSROOTS, parent=host)
        panel_unit = Organization(name="基准技师学院工会", kind=OrgKind.GRASSROOTS, parent=host)
        db.session.add_all([unit, panel_unit])
        db.session.flush()
        unit.path = f"{host.path}{unit.id}/"
        panel_unit.path = f"{host.path}{panel_unit.id}/"
        contest_row = Contest(
            name="基准测试技能大赛",
            level=HonorLevel.CITY,
            year=2026,
            organization=host,
            status=ContestStatus.JUDGING,
        )
        db.session.add(contest_row)
        password = hash_password("bench-judge-2026")
        judge_number = 0
        for e in range(EVENTS):
            code = chr(ord("A") + e)
            event = Event(contest=contest_row, code=code, occupation=f"工种{code}", policy={})
            component = Component(
                event=event, key="practical", name="实操", weight=Decimal(100), position=0
            )
            criterion = RubricCriterion(component=component, name="实操评分", position=0)
            db.session.add_all([event, component, criterion])
            db.session.flush()
            for k in range(ASPECTS):
                judgement = k >= ASPECTS // 2
                db.session.add(
                    Aspect(
                        criterion=criterion,
                        event_id=event.id,
                        key=f"C{k + 1:02d}",
                        name=f"评分要素{k + 1}",
                        kind=AspectKind.JUDGEMENT if judgement else AspectKind.MEASUREMENT,
                        max_points=Decimal(5),
                        scale=3 if judgement else None,
                        step=Decimal(1) if judgement else Decimal("0.5"),
                        descriptors=["差", "中", "良", "优"] if judgement else [],
                        position=k,
                    )
                )
            entries = []
            for n in range(per_event):
                person = Person(name=f"选手{code}{n + 1:03d}", organization=unit)
                entry = Entry(
                    contest=contest_row,
                    event=event,
                    person=person,
                    organization=unit,
                    status=EntryStatus.CHECKED_IN,
                    entry_code=f"{code}{n + 1:03d}",
                    seat_code=f"{code}-{n + 1:03d}",
                )
                entries.append(entry)
            db.session.add_all(entries)
            users = []
            for _ in range(per_event):
                judge_number += 1
                users.append(
                    User(
                        username=f"bench_judge{judge_number:03d}",
                        password_hash=password,
                        role=Role.JUDGE,
                        organization=panel_unit,
                    )
                )
            db.session.add_all(users)
            db.session.flush()
            for j, user in enumerate(users):
                db.session.add(PanelMember(event_id=event.id, user_id=user.id, is_chief=j == 0))
                mine = [entries[(j + s) % per_event] for s in range(sheets)]
                for entry in mine:
                    db.session.add(
                        Assignment(event_id=event.id, entry_id=entry.id, user_id=user.id)
                    )
                plan.append(
                    {
                        "judge": user.id,
                        "token": create_token(None, user),
                        "entries": [(entry.id, entry.seat_code) for entry in mine],
                    }
                )
        db.session.commit()
    return plan


def judge_session(
    base: str, job: dict, think: float, results: list, statuses: Counter, lock: threading.Lock
) -> None:
    rng = random.Random(job["judge"])
    host, port = urlsplit(base).hostname, urlsplit(base).port
    conn = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Authorization": f"Bearer {job['token']}", "Content-Type": "application/json"}
    local: list[float] = []
    submitted = 0
    for entry_id, code in job["entries"]:
        marks = {f"C{k + 1:02d}": expected_value(job["judge"], entry_id, k) for k in range(ASPECTS)}
        first = {key: value for key, value in marks.items() if int(key[1:]) <= ASPECTS // 2}
        rest = {key: value for key, value in marks.items() if int(key[1:]) > ASPECTS // 2}
        for body in ({"scores": first, "submit": False}, {"scores": rest, "submit": True}):
            if think:
                time.sleep(rng.uniform(0, think))
            start = time.perf_counter()
            for attempt in (1, 2):
                try:
                    conn.request(
                        "PUT",
                        f"/api/v1/judge/scores/{code}",
                        body=json.dumps(body),
                        headers=headers,
                    )
                    response = conn.getresponse()
                    payload = response.read()
                    status = response.status
                    break
                except (OSError, http.client.HTTPException) as exc:
                    # The server closes keep-alive connections idle for a few seconds (as a
                    # phone's app would find after a pause): reconnect and send it once more.
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=60)
                    status, payload = 599, str(exc).encode()
                    if attempt == 2:
                        break
            local.append((time.perf_counter() - start) * 1000)
            with lock:
                statuses[status] += 1
                if status != 200 and sum(statuses.values()) - statuses[200] <= 10:
                    print(f"  {status} {code}: {payload[:200]!r}", flush=True)
            if status == 200 and body["submit"]:
                submitted += 1
    conn.close()
    with lock:
        results.append((local, submitted))


def verify(plan: list[dict]) -> list[str]:
    """Every mark stored once with the value sent; every sheet submitted (in the database the
    environment names, as ``build`` left it)."""
    from sqlalchemy import text

    from contest import create_app
    from contest.extensions import db

    problems = []
    app = create_app()
    with app.app_context():
        stored = {}
        for sheet_user, sheet_entry, status, key, value in db.session.execute(
            text(
                "SELECT s.user_id, s.entry_id, s.status, a.key, m.value FROM marks m "
                "JOIN score_sheets s ON s.id = m.sheet_id JOIN aspects a ON a.id = m.aspect_id"
            )
        ):
            slot = (sheet_user, sheet_entry, key)
            if slot in stored:
                problems.append(f"duplicate mark {slot}")
            stored[slot] = (status, float(value))
        duplicates = db.session.execute(
            text(
                "SELECT COUNT(*) FROM (SELECT sheet_id, aspect_id FROM marks "
                "GROUP BY sheet_id, aspect_id HAVING COUNT(*) > 1) AS twice"
            )
        ).scalar_one()
        if duplicates:
            problems.append(f"{duplicates} duplicated (sheet, aspect) marks")
        db.session.remove()
        db.engine.dispose()
    expected = 0
    for job in plan:
        for entry_id, _code in job["entries"]:
            for k in range(ASPECTS):
                expected += 1
                slot = (job["judge"], entry_id, f"C{k + 1:02d}")
                want = expected_value(job["judge"], entry_id, k)
                got = stored.get(slot)
                if got is None:
                    problems.append(f"lost mark {slot}")
                elif got[1] != want:
                    problems.append(f"wrong mark {slot}: {got[1]} != {want}")
                elif got[0] != "SUBMITTED":
                    problems.append(f"sheet not submitted {slot}: {got[0]}")
    if len(stored) != expected:
        problems.append(f"{len(stored)} marks stored, {expected} expected")
    return problems


@dataclass
class Run:
    results: list  # per judge: (latencies in ms, sheets submitted)
    statuses: Counter
    elapsed: float


def run_judges(bases: list[str], plan: list[dict], think: float) -> Run:
    """Every judge on its own thread and connection, judges dealt round-robin over ``bases``."""
    results: list = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    threads = [
        threading.Thread(
            target=judge_session,
            args=(bases[number % len(bases)], job, think, results, statuses, lock),
        )
        for number, job in enumerate(plan)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Run(results, statuses, time.perf_counter() - began)


def report(run: Run, plan: list[dict]) -> list[str]:
    """Print the figures and the database check; return the check's problems."""
    total_sheets = sum(len(job["entries"]) for job in plan)
    latencies = sorted(ms for local, _ in run.results for ms in local)
    submitted = sum(count for _, count in run.results)
    p99 = latencies[min(int(len(latencies) * 0.99), len(latencies) - 1)]
    print(f"elapsed {run.elapsed:.1f} s; statuses {dict(run.statuses)}")
    print(
        f"sheets submitted {submitted}/{total_sheets}: {submitted / run.elapsed:.1f} sheets/s, "
        f"{len(latencies) / run.elapsed:.1f} requests/s; latency p50 "
        f"{statistics.median(latencies):.0f} ms, p99 {p99:.0f} ms, max {latencies[-1]:.0f} ms"
    )
    # A "database is locked" error would surface as a 500 (the app logs it, the client sees 5xx).
    failures = sum(count for status, count in run.statuses.items() if status >= 500)
    print(f"server errors (5xx, e.g. database is locked): {failures}")
    problems = verify(plan)
    outcome = (
        f"OK ({total_sheets * ASPECTS:,} marks)" if not problems else f"{len(problems)} problems"
    )
    print(f"database check: {outcome}")
    for problem in problems[:20]:
        print("  ", problem)
    return problems


def check_size(parser: argparse.ArgumentParser, judges: int, sheets: int) -> None:
    if judges % EVENTS or judges // EVENTS < sheets:
        parser.error(f"--judges must be a multiple of {EVENTS} with judges/{EVENTS} ≥ --sheets")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--judges", type=int, default=300)
    parser.add_argument("--sheets", type=int, default=5, help="sheets per judge")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", type=float, default=15.0, help="max pause before a request (s)")
    parser.add_argument("--instance", help="folder for the database (default: a new temp dir)")
    args = parser.parse_args()
    check_size(parser, args.judges, args.sheets)

    instance = Path(args.instance or tempfile.mkdtemp(prefix="judges-bench-"))
    env = {"CONTEST_INSTANCE_PATH": str(instance)}
    contest(env, "init")
    plan = build(env, args.judges, args.sheets)
    total_sheets = sum(len(job["entries"]) for job in plan)
    print(
        f"{args.judges} judges, {total_sheets} sheets of {ASPECTS} marks "
        f"({total_sheets * ASPECTS:,} marks), 2 PUTs per sheet, think time 0..{args.think} s, "
        f"`contest serve --workers {args.workers}` on SQLite\n",
        flush=True,
    )
    with serving(env, workers=args.workers) as base:
        run = run_judges([base], plan, args.think)
    report(run, plan)


if __name__ == "__main__":
    main()
