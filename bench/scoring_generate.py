"""Generate a national-scale score sheet for the scoring benchmark.

Default: 100,000 entries × 5 judges × 20 criteria = 10,000,000 marks.  Entries are split into
events of 1,000, each marked by its own panel of 5 judges (500 judges in all), so per-judge
standardisation has realistic work to do.  Marks come from an entry ability, a judge leniency and
noise, rounded to half points; criteria C01–C06 are theory (30 %), C07–C20 practical (70 %).

    python bench/scoring_generate.py [--entries N] [--seed S] [--output PATH]

Writes a pickled DataFrame with categorical columns (the compact form a service would hold).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from scoring import Component, Criterion, Rubric

JUDGES_PER_ENTRY = 5
EVENT_SIZE = 1_000
THEORY_MAX = (15, 15, 15, 20, 15, 20)
PRACTICAL_MAX = (5, 5, 5, 5, 5, 10, 10, 10, 5, 5, 10, 10, 5, 10)
DEFAULT_OUTPUT = Path(__file__).parent / "data" / "scoring_sheet_{n}.pkl"


def bench_rubric() -> Rubric:
    """Theory 30 % + practical 70 %, each on 100."""
    criteria = [
        Criterion(f"C{i + 1:02d}", float(m), component="theory") for i, m in enumerate(THEORY_MAX)
    ]
    criteria += [
        Criterion(f"C{i + 7:02d}", float(m), component="practical")
        for i, m in enumerate(PRACTICAL_MAX)
    ]
    return Rubric(
        tuple(criteria),
        (Component("theory", 30, name="理论"), Component("practical", 70, name="实操")),
    )


def make_sheet(n_entries: int, seed: int = 20240501) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    maxima = np.array(THEORY_MAX + PRACTICAL_MAX, dtype=np.float64)
    n_crit = len(maxima)
    n_events = -(-n_entries // EVENT_SIZE)
    n_judges = n_events * JUDGES_PER_ENTRY
    # rows in export order: entry, then judge, then criterion
    entry = np.repeat(np.arange(n_entries, dtype=np.int32), JUDGES_PER_ENTRY * n_crit)
    slot = np.tile(np.repeat(np.arange(JUDGES_PER_ENTRY, dtype=np.int32), n_crit), n_entries)
    judge = (entry // EVENT_SIZE) * JUDGES_PER_ENTRY + slot
    crit = np.tile(np.arange(n_crit, dtype=np.int8), n_entries * JUDGES_PER_ENTRY)
    ability = rng.normal(0.72, 0.12, n_entries)
    leniency = rng.normal(0.0, 0.04, n_judges)
    fraction = ability[entry] + leniency[judge] + rng.normal(0.0, 0.06, len(entry))
    score = np.clip(np.round(fraction * maxima[crit] * 2) / 2, 0, maxima[crit])
    minutes = np.round(rng.uniform(60, 120, n_entries), 1)
    components = np.array(["theory"] * len(THEORY_MAX) + ["practical"] * len(PRACTICAL_MAX))
    return pd.DataFrame(
        {
            "entry": pd.Categorical.from_codes(entry, [f"E{i:06d}" for i in range(n_entries)]),
            "judge": pd.Categorical.from_codes(judge, [f"J{i:04d}" for i in range(n_judges)]),
            "criterion": pd.Categorical.from_codes(crit, [f"C{i + 1:02d}" for i in range(n_crit)]),
            "component": pd.Categorical(components[crit], categories=["theory", "practical"]),
            "score": score,
            "time": minutes[entry],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    output = args.output or Path(str(DEFAULT_OUTPUT).format(n=args.entries))
    output.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    frame = make_sheet(args.entries, args.seed)
    frame.to_pickle(output)
    size = frame.memory_usage(deep=True).sum() / 2**20
    print(
        f"{len(frame):,} marks ({args.entries:,} entries) → {output} "
        f"[{size:.0f} MiB in memory, {time.perf_counter() - started:.1f} s]"
    )


if __name__ == "__main__":
    main()
