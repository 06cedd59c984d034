"""How long `contest --help` and `contest orgs --help` take, start-up included (issue 10, item 11).

    .venv/bin/python bench/cli_startup_bench.py [--runs 5]

Runs each command N times as a fresh process (the installed entry point, as a user types it)
and prints the best and the median wall time, with the load average before the runs: these are
start-up figures, so a loaded machine shows in them at once. Target: under a second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

CONTEST = str(Path(sys.executable).with_name("contest"))

COMMANDS = (["--help"], ["orgs", "--help"])


def timings(args: list[str], runs: int) -> list[float]:
    """Wall seconds of ``runs`` fresh ``contest ARGS`` processes (exit status must be 0)."""
    result = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([CONTEST, *args], check=True, stdout=subprocess.DEVNULL)
        result.append(time.perf_counter() - start)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average before: {load}; {options.runs} runs each")
    for args in COMMANDS:
        runs = timings(args, options.runs)
        print(
            f"contest {' '.join(args):<14} best {min(runs):.2f} s  "
            f"median {statistics.median(runs):.2f} s"
        )


if __name__ == "__main__":
    main()
