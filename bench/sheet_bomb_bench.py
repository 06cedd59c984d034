"""Benchmark: what reading a spreadsheet bomb costs, next to a real 100,000-row roster.

    python bench/sheet_bomb_bench.py [--timeout 300] [--memory-gb 3] [--only NAME …]
                                     [--roster bench/data/roster_100000]

Builds each file under a temporary folder, then reads it with
``contest.services.core.spreadsheets.read_sheet`` in a fresh process (no app, the default
limits) and prints what the read did (rows read, or the refusal), its CPU seconds and the
process's peak RSS. The child's address space is capped (``--memory-gb``) so a bomb cannot take
the machine; a child that runs past ``--timeout`` is killed. Point ``PYTHONPATH`` at another
checkout to measure that code (its ``read_sheet`` must take ``(data, filename)``).

The roster is the one ``bench/roster_import_bench.py`` writes (``--roster`` without the
extension; .xlsx and .csv are read when present).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

CHILD = """
import resource, sys, time
limit = int(sys.argv[2]) * 1024 ** 3
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from contest.services.core.spreadsheets import SheetRefused, read_sheet
path = sys.argv[1]
data = open(path, "rb").read()
started = time.process_time()
try:
    outcome = f"read {len(read_sheet(data, path).frame)} rows"
except SheetRefused as refused:
    outcome = "refused: " + refused.report().splitlines()[0]
except MemoryError:
    outcome = "MemoryError at the cap"
cpu = time.process_time() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{cpu:.1f}\\t{peak:.0f}\\t{outcome}")
"""


def xlsx(path: Path, sheet: Callable[[IO[bytes]], None]) -> None:
    """A minimal workbook whose sheet XML ``sheet`` streams into the zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {NS} xmlns:r="{REL}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f"<worksheet {NS}><sheetData>".encode())
            sheet(part)
            part.write(b"</sheetData></worksheet>")


def header(part: IO[bytes], columns: int) -> None:
    cells = "".join(f'<c t="inlineStr"><is><t>列{i}</t></is></c>' for i in range(columns))
    part.write(f"<row>{cells}</row>".encode())


def empty_cells(part: IO[bytes]) -> None:
    """190,000 rows of 256 empty cells: nothing to keep, 48 million elements to walk."""
    header(part, 1)
    chunk = (b"<row>" + b"<c/>" * 256 + b"</row>") * 1_000
    for _ in range(190):
        part.write(chunk)


def wide_rows(thousands: int) -> Callable[[IO[bytes]], None]:
    """A 256-column header and ``thousands`` × 1,000 rows of 256 numbers (4 KB of XML each)."""

    def write(part: IO[bytes]) -> None:
        header(part, 256)
        chunk = (b"<row>" + b"<c><v>1</v></c>" * 256 + b"</row>") * 1_000
        for _ in range(thousands):
            part.write(chunk)

    return write


def csv_wide_line(path: Path) -> None:
    """One header and a line of three million empty fields."""
    path.write_bytes("姓名\n".encode() + b"," * 3_000_000 + b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--memory-gb", type=int, default=3)
    parser.add_argument("--roster", default=str(ROOT / "bench" / "data" / "roster_100000"))
    parser.add_argument("--only", nargs="*", help="names of the cases to run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases: list[tuple[str, Path]] = []
        builds = (
            ("empty-cells.xlsx", empty_cells),
            ("wide-rows-48k.xlsx", wide_rows(48)),
            ("wide-rows-140k.xlsx", wide_rows(140)),
        )
        for name, build in builds:
            if not args.only or name in args.only:
                xlsx(folder / name, build)
                cases.append((name, folder / name))
        if not args.only or "wide-line.csv" in args.only:
            csv_wide_line(folder / "wide-line.csv")
            cases.append(("wide-line.csv", folder / "wide-line.csv"))
        for suffix in (".xlsx", ".csv"):
            roster = Path(args.roster + suffix)
            if roster.exists() and (not args.only or roster.name in args.only):
                cases.append((roster.name, roster))
        code = os.environ.get("PYTHONPATH") or "this checkout"
        print(f"load average {os.getloadavg()[0]:.1f}; code: {code}")
        print("file\tsize MB\tinflated MB\tCPU s\tpeak RSS MB\toutcome")
        for name, path in cases:
            inflated = ""
            if path.suffix == ".xlsx":
                with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
                    inflated = f"{sum(i.file_size for i in archive.infolist()) / 1e6:.0f}"
            started = time.perf_counter()
            try:
                done = subprocess.run(
                    [sys.executable, "-c", CHILD, str(path), str(args.memory_gb)],
                    capture_output=True,
                    text=True,
                    timeout=args.timeout,
                    cwd=folder,  # not this checkout: PYTHONPATH, else the installed package
                )
                line = done.stdout.strip() or f"-\t-\tfailed: {done.stderr.strip()[-200:]}"
            except subprocess.TimeoutExpired:
                line = f"> {args.timeout:.0f}\t-\tstill running, killed"
            size = path.stat().st_size / 1e6
            wall = time.perf_counter() - started
            print(f"{name}\t{size:.1f}\t{inflated}\t{line}\t(wall {wall:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
