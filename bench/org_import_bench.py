"""Benchmark: `contest orgs import` of a city federation's tree, then `contest orgs export`.

    python bench/org_import_bench.py [--units 3000] [--postgres postgresql://...]

Generates a tree the size of a city federation — one 市总工会, 12 区县总工会, 8 乡镇(街道)
工会 each, and ``--units`` 基层工会 spread below them, each with an employer, a valid
统一社会信用代码, ownership and headcount — as an .xlsx whose rows come in an order that puts
many children before their parents. For each engine it creates a fresh database
(`contest init`) and times the real commands end to end in a subprocess: start-up, reading,
validation of every row, the writes (parents first) and the audit entry; then the export.
Target (issue 10): a federation's 3,000 基层工会 in well under a minute on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from openpyxl import Workbook
from stdnum.cn import uscc

ROOT = Path(__file__).resolve().parent.parent
HEADERS = [
    "组织名称",
    "类型",
    "上级工会",
    "组织代码",
    "所属单位",
    "统一社会信用代码",
    "所有制",
    "行业",
    "职工人数",
    "会员人数",
    "统计日期",
]
INDUSTRIES = ["制造业", "建筑业", "交通运输", "电力", "化工", "医疗卫生", "教育", "餐饮服务"]
OWNERSHIP = ["国有", "集体", "非公有制", "机关事业"]


def tree_rows(units: int, seed: int = 7) -> list[list[object]]:
    rng = random.Random(seed)
    rows: list[list[object]] = [["江州市总工会", "市总工会", "", "JZ"] + [""] * 7]
    townships: list[str] = []
    for d in range(1, 13):
        rows.append([f"第{d}区总工会", "区县总工会", "JZ", f"JZ-{d:02d}"] + [""] * 7)
        for t in range(1, 9):
            code = f"JZ-{d:02d}-{t:02d}"
            rows.append([f"第{d}区第{t}街道工会", "乡镇(街道)工会", f"JZ-{d:02d}", code] + [""] * 7)
            townships.append(code)
    for u in range(1, units + 1):
        body = f"91360100MA{u:07d}"
        headcount = rng.randint(20, 3000)
        rows.append(
            [
                f"江州第{u}有限公司工会",
                "基层工会",
                rng.choice(townships),
                f"JZ-G{u:05d}",
                f"江州第{u}有限公司",
                body + uscc.calc_check_digit(body),
                rng.choice(OWNERSHIP),
                rng.choice(INDUSTRIES),
                headcount,
                headcount - rng.randint(0, headcount // 10),
                "2026-06-30",
            ]
        )
    header, body_rows = rows[0], rows[1:]
    rng.shuffle(body_rows)  # children before parents, as a merged spreadsheet would have them
    return [header, *body_rows]


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("组织")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)


def run(env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "contest"), *args], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"contest {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--postgres", default=os.environ.get("CONTEST_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="org-bench-"))
    rows = tree_rows(args.units)
    source = folder / "tree.xlsx"
    write_xlsx(source, rows)
    print(
        f"tree: {len(rows)} organisations ({args.units} 基层工会), {source.stat().st_size:,} bytes"
    )
    targets = {"sqlite": f"sqlite:///{folder / 'bench.db'}"}
    if args.postgres:
        targets["postgresql"] = args.postgres.replace("postgresql://", "postgresql+psycopg://", 1)
    for engine, url in targets.items():
        env = dict(os.environ, CONTEST_DATABASE_URL=url, CONTEST_INSTANCE_PATH=str(folder / engine))
        schema = None
        if engine == "postgresql":
            schema = f"orgbench_{uuid.uuid4().hex[:8]}"
            subprocess.run(["psql", args.postgres, "-qc", f"CREATE SCHEMA {schema}"], check=True)
            env["PGOPTIONS"] = f"-csearch_path={schema}"
        try:
            run(env, "init")
            imported = run(env, "orgs", "import", str(source))
            exported = run(env, "orgs", "export", str(folder / f"{engine}-out.xlsx"))
            rate = len(rows) / imported
            print(
                f"{engine:10s} import {imported:6.1f} s ({rate:,.0f} rows/s, start-up included)"
                f"   export {exported:5.1f} s"
            )
        finally:
            if schema:
                subprocess.run(
                    ["psql", args.postgres, "-qc", f"DROP SCHEMA {schema} CASCADE"],
                    capture_output=True,
                )


if __name__ == "__main__":
    main()
