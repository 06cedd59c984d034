"""Benchmark: full ranking of a national-scale sheet against a bare pandas groupby.

    python bench/scoring_generate.py              # once: writes bench/data/scoring_sheet_100000.pkl
    python bench/scoring_bench.py [--entries N] [--repeat R]

Times ``scoring.rank_with_policy`` with trimmed mean (drop 1 highest and 1 lowest of 5 judges),
per-judge standardisation, weighted components (theory 30 + practical 70), a tie-break chain
(practical, then time) and 10/20/30 % award bands, next to
``frame.groupby(["entry", "criterion"], observed=True)["score"].mean()`` on the same frame.
Peak memory of the ranking is measured with tracemalloc (numpy and pandas buffers included) and
compared with the input frame's ``memory_usage(deep=True)``.  Targets: ≤ 3× time, ≤ 3× memory.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from scoring_generate import DEFAULT_OUTPUT, bench_rubric, make_sheet

from scoring import RankingPolicy, TieBreak, parse_awards, rank_with_policy

POLICY = RankingPolicy(
    method="trimmed",
    trim=1,
    normalize="zscore",
    tie_breaks=(TieBreak.component("practical"), TieBreak.shorter_time()),
    awards=parse_awards("10%,20%,30%"),
)


def best_of(repeat: int, *work: Callable[[], object]) -> list[float]:
    """Best time of each callable, run alternately so that machine load hits both alike."""
    best = [float("inf")] * len(work)
    for _ in range(repeat):
        for i, job in enumerate(work):
            gc.collect()
            started = time.perf_counter()
            job()
            best[i] = min(best[i], time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = Path(str(DEFAULT_OUTPUT).format(n=args.entries))
    frame = pd.read_pickle(path) if path.exists() else make_sheet(args.entries)
    rubric = bench_rubric()
    input_bytes = int(frame.memory_usage(deep=True).sum())

    def bare() -> object:
        return frame.groupby(["entry", "criterion"], observed=True)["score"].mean()

    def full() -> object:
        return rank_with_policy(frame, rubric, POLICY)

    result = rank_with_policy(frame, rubric, POLICY)  # warm-up and sanity check
    assert result.field_size == args.entries
    t_bare, t_full = best_of(args.repeat, bare, full)

    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    full()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    mib = 2**20
    print(f"marks                  {len(frame):>12,}  ({args.entries:,} entries)")
    print(f"input frame            {input_bytes / mib:>12.0f} MiB")
    print(f"bare groupby().mean()  {t_bare:>12.2f} s   (best of {args.repeat}, alternating)")
    print(f"full rank              {t_full:>12.2f} s   (best of {args.repeat})")
    print(f"time ratio             {t_full / t_bare:>12.2f} ×  (target ≤ 3)")
    print(f"peak memory (rank)     {peak / mib:>12.0f} MiB (tracemalloc)")
    print(f"memory ratio           {peak / input_bytes:>12.2f} ×  (target ≤ 3)")
    print(f"max RSS growth         {(rss_after - rss_before) / 1024:>12.0f} MiB (ru_maxrss)")
    top = result.table.head(3)
    print(top.loc[:, ["entry", "total", "rank", "award"]].to_string(index=False))


if __name__ == "__main__":
    main()
