"""Labor standings at scale: 1,000 participants × 24 rounds × 40 indicators (issue 12).

    .venv/bin/python bench/labor_standings_bench.py [--participants 1000] [--rounds 24]
        [--requests 3000] [--concurrency 16] [--instance DIR] [--skip-http]

Builds (or reuses, with --instance) a SQLite instance (`contest init`) holding one running,
public 重大工程 competition: two tracks, 1,000 participants, a sheet of 40 indicators (28
measurement, 4 deduction, 2 rate, 3 bonus capped at 5, a round veto, a competition veto, a
必备项) and 23 published rounds whose results were scored from 3 assessors' marks each
(120,000 marks a round) by ``scoring.round_scores`` and stored as a confirmed round stores them,
with the red flags of every round.

Part 1, in process: round 24 is assessed. Timed steps, as publishing it costs:

1. ``scoring.round_scores`` over the round's marks frame (participant, assessor, item, mark);
2. storing its 1,000 results (RoundResult rows, ranks per track) — what confirming writes;
3. ``round_results.publish_round``: the red flags of all published rounds again, the audit
   entry, the labor content version bump;
4. ``standings.standings``: the cumulative standings over 24 rounds, uncached.

Then round_scores and standings again under tracemalloc (Python-level peak, numpy and pandas
buffers included) and the process's peak RSS.

Part 2: `contest serve` with 2 workers on loopback; /healthz, the public competition page,
the full standings page (first page of a track, 24 round columns), the big screen's JSON and
the standings API (1,000 rows), each with --requests GETs over 16 keep-alive connections in
one run, then an uncached render after a version bump.

Targets (issue 12): the public standings page at ≥ 30 % of /healthz throughput, p99 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_load import HEADER, run
from server import contest, serving

ASSESSORS = 3
SEED = 20261204


# ------------------------------------------------------------------ the sheet and the marks


def sheet_items() -> list[dict[str, Any]]:
    """40 indicators in 8 考评项目 of 5: base items add up to 100, bonus up to 6 (capped 5)."""
    kinds = (
        ["measurement"] * 28
        + ["deduction"] * 4
        + ["rate"] * 2
        + ["bonus"] * 3
        + ["veto_round", "veto_competition", "mandatory"]
    )
    points = {"measurement": 3, "deduction": 2, "rate": 4, "bonus": 2}
    items = []
    for index, kind in enumerate(kinds):
        items.append(
            {
                "key": f"I{index + 1:02d}",
                "kind": kind,
                "points": points.get(kind, 0),
                "criterion": index // 5,
            }
        )
    return items


def scoring_items(items: list[dict[str, Any]]) -> list[Any]:
    import scoring

    out = []
    for item in items:
        kind = item["kind"]
        if kind.startswith("veto"):
            effect = "round" if kind == "veto_round" else "competition"
            out.append(scoring.Item(item["key"], "veto", 0, veto_effect=effect))
        elif kind == "rate":
            out.append(
                scoring.Item(
                    item["key"],
                    "rate",
                    item["points"],
                    threshold=95,
                    per_step=2,
                    step_deduction=0.5,
                )
            )
        else:
            out.append(scoring.Item(item["key"], kind, item["points"]))
    return out


def marks_frame(
    rng: np.random.Generator, names: list[str], items: list[dict[str, Any]]
) -> pd.DataFrame:
    """One round's marks: every assessor marks every item of every participant."""
    n_p, n_i = len(names), len(items)
    shape = (n_p, ASSESSORS, n_i)
    marks = np.zeros(shape)
    strength = rng.uniform(0.65, 0.98, size=(n_p, 1, 1))  # a participant is good or less good
    for index, item in enumerate(items):
        kind, points = item["kind"], item["points"]
        if kind == "measurement":
            raw = points * np.clip(strength[:, :, 0] + rng.normal(0, 0.06, (n_p, ASSESSORS)), 0, 1)
            marks[:, :, index] = np.round(raw * 2) / 2
        elif kind == "deduction":
            marks[:, :, index] = np.round(rng.uniform(0, points * 0.5, (n_p, ASSESSORS)) * 2) / 2
        elif kind == "rate":
            marks[:, :, index] = np.round(rng.uniform(86, 100, (n_p, ASSESSORS)), 1)
        elif kind == "bonus":
            marks[:, :, index] = rng.integers(0, 3, (n_p, ASSESSORS))
        elif kind == "veto_round":
            marks[:, 0, index] = rng.random(n_p) < 0.004
        elif kind == "veto_competition":
            marks[:, 0, index] = rng.random(n_p) < 0.0002
        else:  # mandatory: met
            marks[:, :, index] = 1
    return pd.DataFrame(
        {
            "participant": np.repeat(names, ASSESSORS * n_i),
            "assessor": np.tile(np.repeat([f"考评员{a}" for a in range(ASSESSORS)], n_i), n_p),
            "item": np.tile([item["key"] for item in items], n_p * ASSESSORS),
            "mark": marks.reshape(-1),
        }
    )


def result_rows(
    table: pd.DataFrame,
    per_item: pd.DataFrame,
    round_id: int,
    ids: dict[str, int],
    track_of: dict[str, int],
) -> list[dict[str, Any]]:
    """The RoundResult rows of a scored round: ranks per track among the not vetoed (1, 2, 2,
    4: ``scoring.track_ranks``, as confirming ranks), items as points per key."""
    import scoring
    from contest.models import VetoEffect

    frame = table.copy()
    frame["track"] = [track_of[name] for name in frame.index]
    vetoed_names = set(frame.index[frame["vetoed"].astype(bool)])
    ranks = scoring.track_ranks(frame["total"], frame["track"], vetoed_names)
    rows = []
    points = per_item.round(2).to_dict(orient="index")
    for name, line in frame.iterrows():
        vetoed = bool(line["vetoed"])
        rows.append(
            {
                "round_id": round_id,
                "participant_id": ids[str(name)],
                "self_total": None,
                "base": Decimal(str(round(float(line["base"]), 2))),
                "bonus": Decimal(str(round(float(line["bonus"]), 2))),
                "total": Decimal(str(round(float(line["total"]), 2))),
                "vetoed": vetoed,
                "veto_effect": VetoEffect(str(line["veto_effect"])) if vetoed else None,
                "vetoed_by": str(line["vetoed_by"] or ""),
                "missing_mandatory": str(line["missing_mandatory"] or ""),
                "rank": None if pd.isna(ranks[name]) else int(ranks[name]),
                "grade": None,
                "assessors": ASSESSORS,
                "items": {k: v for k, v in points[name].items() if v == v},  # NaN dropped
            }
        )
    return rows


# ------------------------------------------------------------------ the instance


def load(participants: int, rounds: int) -> dict[str, Any]:
    """Fill the instance named by CONTEST_INSTANCE_PATH (already `contest init`-ed)."""
    from sqlalchemy import insert

    import scoring
    from contest import create_app
    from contest.extensions import db
    from contest.models import (
        Aspect,
        AspectKind,
        Competition,
        CompetitionKind,
        CompetitionStatus,
        Component,
        HonorLevel,
        OrgKind,
        Participant,
        ParticipantKind,
        Role,
        Round,
        RoundResult,
        RoundStatus,
        RubricCriterion,
        Track,
        VetoEffect,
    )
    from contest.services.core.orgs import add_organization
    from contest.services.core.users import create_user
    from contest.services.labor import round_results

    app = create_app()
    rng = np.random.default_rng(SEED)
    items = sheet_items()
    specs = scoring_items(items)
    with app.app_context():
        host = add_organization(None, name="江州市总工会（基准）", kind=OrgKind.CITY)
        admin = create_user(None, "bench_admin", "bench-password-9", Role.ADMIN, None)
        competition = Competition(
            name="江州轨道交通建设劳动竞赛（基准）",
            kind=CompetitionKind.PROJECT,
            organization=host,
            year=2026,
            level=HonorLevel.CITY,
            starts_on=date(2025, 1, 1),
            ends_on=date(2026, 12, 31),
            status=CompetitionStatus.RUNNING,
            is_public=True,
            aggregation="mean",
            trim=0,
            cumulation="sum",
            tie_break=["latest_round", "rounds_won"],
            bonus_cap=Decimal(5),
            flag_count=1,
            flag_keep_after=6,
            grades=[],
            title_rules=[],
        )
        db.session.add(competition)
        db.session.flush()
        tracks = [
            Track(competition_id=competition.id, name="土建", position=0),
            Track(competition_id=competition.id, name="机电", position=1),
        ]
        db.session.add_all(tracks)
        sheet = Component(
            competition_id=competition.id,
            key="indicators",
            name="考核指标",
            weight=Decimal(100),
            max_score=Decimal(100),
            position=0,
        )
        db.session.add(sheet)
        db.session.flush()
        criteria = []
        for position in range(8):
            criterion = RubricCriterion(
                component_id=sheet.id, name=f"考评项目{position + 1}", position=position
            )
            db.session.add(criterion)
            criteria.append(criterion)
        db.session.flush()
        for index, item in enumerate(items):
            kind = item["kind"]
            veto = kind.startswith("veto")
            db.session.add(
                Aspect(
                    criterion_id=criteria[item["criterion"]].id,
                    competition_id=competition.id,
                    key=item["key"],
                    name=f"指标{index + 1}",
                    kind=AspectKind.VETO if veto else AspectKind(kind),
                    max_points=Decimal(item["points"]),
                    position=index,
                    threshold=Decimal(95) if kind == "rate" else None,
                    per_step=Decimal(2) if kind == "rate" else None,
                    step_deduction=Decimal("0.5") if kind == "rate" else None,
                    veto_effect=(
                        VetoEffect.ROUND
                        if kind == "veto_round"
                        else VetoEffect.COMPETITION
                        if veto
                        else None
                    ),
                )
            )
        names = [f"第{n + 1:04d}标段项目部" for n in range(participants)]
        db.session.execute(
            insert(Participant),
            [
                {
                    "competition_id": competition.id,
                    "track_id": tracks[n % 2].id,
                    "kind": ParticipantKind.PROJECT,
                    "name": name,
                    "registered_on": date(2025, 1, 5),
                }
                for n, name in enumerate(names)
            ],
        )
        ids = {p.name: p.id for p in db.session.query(Participant.name, Participant.id)}
        track_of = {name: tracks[n % 2].id for n, name in enumerate(names)}
        round_rows = []
        for position in range(rounds):
            year, month = 2025 + position // 12, position % 12 + 1
            round_rows.append(
                Round(
                    competition_id=competition.id,
                    name=f"{year}年{month}月",
                    position=position,
                    starts_on=date(year, month, 1),
                    ends_on=date(year, month, 28),
                    weight=Decimal(1),
                    status=RoundStatus.PUBLISHED if position < rounds - 1 else RoundStatus.SCORING,
                    is_public=True,
                )
            )
        db.session.add_all(round_rows)
        db.session.commit()
        started = time.perf_counter()
        for round_ in round_rows[:-1]:
            frame = marks_frame(rng, names, items)
            scored = scoring.round_scores(frame, specs, method="mean", bonus_cap=5)
            rows = result_rows(scored.table, scored.items, round_.id, ids, track_of)
            db.session.execute(insert(RoundResult), rows)
            print(f"  {round_.name}: {len(rows)} results", end="\r", flush=True)
        round_results.recompute_flags(competition)
        db.session.commit()
        print(f"\n  loaded {rounds - 1} published rounds in {time.perf_counter() - started:.0f} s")
        return {"competition": competition.id, "last_round": round_rows[-1].id, "admin": admin.id}


def find(instance: Path) -> dict[str, Any]:
    with sqlite3.connect(instance / "contest.db") as conn:
        row = conn.execute(
            "SELECT id FROM competitions WHERE name = '江州轨道交通建设劳动竞赛（基准）'"
        ).fetchone()
        if row is None:
            raise SystemExit("no benchmark competition in this instance")
        last = conn.execute(
            "SELECT id FROM competition_rounds WHERE competition_id = ? "
            "ORDER BY position DESC LIMIT 1",
            (row[0],),
        ).fetchone()
        admin = conn.execute("SELECT id FROM users WHERE username = 'bench_admin'").fetchone()
    return {"competition": int(row[0]), "last_round": int(last[0]), "admin": int(admin[0])}


# ------------------------------------------------------------------ part 1: publishing a round


def publish_last_round(ids: dict[str, Any]) -> None:
    from sqlalchemy import delete, insert, select

    import scoring
    from contest import create_app
    from contest.extensions import db
    from contest.models import (
        Competition,
        Participant,
        Round,
        RoundFlag,
        RoundResult,
        RoundStatus,
        User,
    )
    from contest.services.labor import round_results, standings

    app = create_app()
    rng = np.random.default_rng(SEED + 1)
    items = sheet_items()
    specs = scoring_items(items)
    with app.test_request_context():
        competition = db.session.get(Competition, ids["competition"])
        round_ = db.session.get(Round, ids["last_round"])
        admin = db.session.get(User, ids["admin"])
        if round_.status is RoundStatus.PUBLISHED:  # a reused instance: take the round back
            db.session.execute(delete(RoundResult).where(RoundResult.round_id == round_.id))
            db.session.execute(delete(RoundFlag).where(RoundFlag.round_id == round_.id))
            round_.status = RoundStatus.SCORING
            db.session.commit()
        rows = db.session.execute(
            select(Participant.name, Participant.id, Participant.track_id).where(
                Participant.competition_id == competition.id
            )
        ).all()
        names = sorted(name for name, _id, _track in rows)
        ids_by_name = {name: pid for name, pid, _track in rows}
        track_of = {name: track for name, _pid, track in rows}
        frame = marks_frame(rng, names, items)
        print(
            f"round {round_.name}: {len(names):,} participants × {ASSESSORS} assessors × "
            f"{len(items)} indicators = {len(frame):,} marks; "
            f"{len(competition.rounds)} rounds in the competition"
        )
        gc.collect()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        timings: dict[str, float] = {}
        started = time.perf_counter()
        scored = scoring.round_scores(frame, specs, method="mean", bonus_cap=5)
        timings["scoring.round_scores (the round's marks frame)"] = time.perf_counter() - started

        started = time.perf_counter()
        result = result_rows(scored.table, scored.items, round_.id, ids_by_name, track_of)
        db.session.execute(insert(RoundResult), result)
        round_.status = RoundStatus.CONFIRMED
        db.session.commit()
        timings["store the round's results (confirm)"] = time.perf_counter() - started

        started = time.perf_counter()
        round_results.publish_round(admin, round_)
        db.session.commit()
        label = "round_results.publish_round (lock, flags, seal, audit, bump)"
        timings[label] = time.perf_counter() - started

        db.session.expire_all()
        started = time.perf_counter()
        table = standings.standings(competition, public=True)
        label = f"standings.standings ({len(competition.rounds)} rounds, uncached)"
        timings[label] = time.perf_counter() - started

        total = 0.0
        for label, seconds in timings.items():
            total += seconds
            print(f"  {label:<62} {seconds:>7.3f} s")
        print(f"  {'total after the marks are in':<62} {total:>7.3f} s")
        ranked = sum(1 for row in table.rows if row.rank is not None)
        print(f"  ({ranked:,} ranked, {len(table.rows) - ranked} vetoed for the competition)")

        # memory: the two computations again, under tracemalloc
        db.session.expire_all()
        gc.collect()
        tracemalloc.start()
        scoring.round_scores(frame, specs, method="mean", bonus_cap=5)
        standings.standings(competition, public=True)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        frame_bytes = int(frame.memory_usage(deep=True).sum())
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"  peak traced memory of round_scores + standings: {peak / 2**20:.1f} MiB "
            f"(marks frame {frame_bytes / 2**20:.1f} MiB); process peak RSS {rss:.0f} MiB "
            f"({rss_before:.0f} MiB before the steps: the app, its libraries and the frame)"
        )


# ------------------------------------------------------------------ part 2: the pages


def serve(instance: Path, ids: dict[str, Any], requests: int, concurrency: int) -> None:
    env = {"CONTEST_INSTANCE_PATH": str(instance)}
    cid = ids["competition"]
    with sqlite3.connect(instance / "contest.db") as conn:
        first_track = conn.execute(
            "SELECT id FROM competition_tracks WHERE competition_id = ? ORDER BY position",
            (cid,),
        ).fetchone()[0]
    with serving(env, workers=2) as base:
        targets = [
            ("/healthz", "/healthz"),
            ("/labor/public/<id> (competition page)", f"/labor/public/{cid}"),
            ("/labor/public/<id>/standings", f"/labor/public/{cid}/standings?track={first_track}"),
            ("/labor/public/<id>/screen.json", f"/labor/public/{cid}/screen.json"),
            ("/api/…/standings (1,000 rows)", f"/api/v1/competitions/{cid}/standings"),
        ]
        for _, path in targets:  # warm each worker, as the first visitors would
            run(base + path, requests=8, concurrency=4)
        print(
            f"\n{requests} requests per endpoint (the API {max(requests // 10, 50)}), "
            f"{concurrency} concurrent keep-alive connections, 2 gunicorn workers\n"
        )
        print(HEADER)
        measured = {}
        for label, path in targets:
            count = requests if "api" not in label else max(requests // 10, 50)
            result = run(base + path, requests=count, concurrency=concurrency)
            measured[label] = result
            print(result.row(label), flush=True)

        cold = []
        for attempt in range(5):  # a render nobody has cached: bump, wait out the memo, GET
            with sqlite3.connect(instance / "contest.db") as conn:
                conn.execute(
                    "UPDATE content_versions SET version = version + 1 WHERE name = 'labor'"
                )
            time.sleep(2.2)
            started = time.perf_counter()
            path = f"/labor/public/{cid}/standings?track={first_track}&page={attempt + 2}"
            with urllib.request.urlopen(base + path) as reply:
                reply.read()
            cold.append((time.perf_counter() - started) * 1000)
        print(f"uncached standings page (after a new version): median {sorted(cold)[2]:.0f} ms")

        health = measured["/healthz"].rps
        page = measured["/labor/public/<id>/standings"]
        overview = measured["/labor/public/<id> (competition page)"]
        print(
            f"\nstandings page throughput = {page.rps / health:.0%} of /healthz (target ≥ 30%); "
            f"p99 {page.p99_ms:.1f} ms (target ≤ 100 ms); competition page "
            f"{overview.rps / health:.0%}, p99 {overview.p99_ms:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=24)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--instance", help="reuse this instance folder (already loaded)")
    parser.add_argument("--skip-http", action="store_true", help="part 1 only")
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    instance = Path(args.instance or tempfile.mkdtemp(prefix="labor-bench-"))
    os.environ["CONTEST_INSTANCE_PATH"] = str(instance)
    env = {"CONTEST_INSTANCE_PATH": str(instance)}
    if args.load_only:
        load(args.participants, args.rounds)
        return
    if not (instance / "contest.db").exists():
        print(f"loading {args.participants} participants × {args.rounds} rounds into {instance} …")
        contest(env, "init")
        # in a process of its own, so the peak RSS below is publishing's, not loading's
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--instance",
                str(instance),
                "--participants",
                str(args.participants),
                "--rounds",
                str(args.rounds),
                "--load-only",
            ],
            check=True,
        )
    ids = find(instance)
    publish_last_round(ids)
    if not args.skip_http:
        serve(instance, ids, args.requests, args.concurrency)


if __name__ == "__main__":
    main()
