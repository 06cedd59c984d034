"""``contest --help`` builds no application and imports no heavy library (issue 10, item 11).

How fast that is gets measured by ``bench/cli_startup_bench.py``; these tests check what makes
it fast, in a fresh interpreter each, so nothing a previous test imported hides a regression.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Imported only once a command runs: the heavy libraries, and the models and services (which
# the application factory imports, so finding them means the application was built).
LATE = (
    "pandas",
    "numpy",
    "scipy",
    "plotly",
    "openpyxl",
    "alembic",
    "scoring",
    "contest.models",
    "contest.services",
)

EXAMPLE_SHEET = Path(__file__).resolve().parents[2] / "examples" / "scores.csv"


def _late_modules_after(args: list[str], tmp_path: Path) -> list[str]:
    """The ``LATE`` modules loaded by running ``contest ARGS`` in a fresh interpreter."""
    code = (
        "import json, sys\n"
        "from contest.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "CONTEST_INSTANCE_PATH": str(tmp_path)},
    )
    loaded = json.loads(done.stdout.splitlines()[-1])
    return [name for name in LATE if any(m == name or m.startswith(name + ".") for m in loaded)]


@pytest.mark.parametrize(
    "args",
    [["--help"], ["orgs", "--help"], ["orgs", "import", "--help"], ["rank", "--help"]],
    ids=" ".join,
)
def test_help_builds_no_app_and_imports_no_heavy_library(args: list[str], tmp_path: Path) -> None:
    assert _late_modules_after(args, tmp_path) == []


def test_the_check_sees_what_a_running_command_imports(tmp_path: Path) -> None:
    loaded = _late_modules_after(["rank", str(EXAMPLE_SHEET)], tmp_path)
    assert {"pandas", "scipy", "scoring"} <= set(loaded)
