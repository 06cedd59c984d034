"""Benchmark: `contest honors import` of a 100,000-row historical roster.

    python bench/roster_import_bench.py [--rows 100000] [--format csv|xlsx|both]
                                        [--postgres postgresql://postgres@127.0.0.1:5432/test]

Generates a realistic roster (Chinese names from ``contest.demo.names``; ~70 % of rows with a
valid 身份证号; some people hold several honors on several rows, as real rosters do; a few
hundred units), writes it as .csv and/or .xlsx under ``bench/data/``, then for each engine
creates a fresh database (`contest init`) and times the real command end to end in a
subprocess — start-up, reading, validation, encryption and the bulk insert. Prints rows/second.
Target (issue 5): well under a minute for 100,000 rows on a 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contest.demo.names import choose_ethnicity, person_name  # noqa: E402
from contest.models import Gender  # noqa: E402
from contest.validation import id_check_digit  # noqa: E402

HEADERS = [
    "姓名",
    "性别",
    "单位",
    "岗位",
    "技能等级",
    "荣誉称号",
    "级别",
    "年份",
    "授予机关",
    "文号",
    "事迹",
    "身份证号",
    "联系电话",
]
TITLES = [
    ("劳动模范", ["全国", "省级", "市级", "地市级"]),
    ("先进工作者", ["全国", "省部级", "市级"]),
    ("五一劳动奖章", ["全国", "省部级", "地市级"]),
    ("工匠", ["省级", "市级", "区县级", "企业级"]),
    ("技术能手", ["全国", "省部级", "地市级", "区级"]),
    ("金牌工人", ["地市级", "区县级", "企业"]),
    ("技术标兵", ["区县级", "企业级"]),
]
BODIES = {"全国": "中华全国总工会", "省": "省总工会", "市": "市人民政府", "区": "区总工会"}
DISTRICTS = ["江岸", "江汉", "硚口", "汉阳", "武昌", "青山", "洪山", "东西湖", "蔡甸", "江夏"]
TRADES = ["机械厂", "钢铁公司", "纺织厂", "电力公司", "建工集团", "医院", "公交公司", "化工厂"]
POSTS = ["数控车工", "电工", "焊工", "钳工", "护士", "驾驶员", "教师", "装配工", "质检员"]
SKILLS = ["高级技师", "技师", "高级工", "中级工", "工程师", ""]
REGIONS = ["110105", "420102", "420106", "310104", "440305", "510107"]


def make_units(rng: random.Random, count: int = 400) -> list[str]:
    units = set()
    while len(units) < count:
        units.add(f"{rng.choice(DISTRICTS)}区第{rng.randint(1, 30)}{rng.choice(TRADES)}")
    return sorted(units)


def make_id(rng: random.Random, gender: Gender, birth_year: int, used: set[str]) -> str:
    while True:
        first17 = (
            rng.choice(REGIONS)
            + f"{birth_year:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            + f"{rng.randint(0, 99):02d}"
        )
        digit = rng.randrange(1, 10, 2) if gender is Gender.MALE else rng.randrange(0, 10, 2)
        first17 += str(digit)
        number = first17 + id_check_digit(first17)
        if number not in used:
            used.add(number)
            return number


def generate(rows: int, seed: int = 5) -> list[list[str]]:
    """About ``rows`` roster rows; (name, unit) pairs are unique so matching is unambiguous."""
    rng = random.Random(seed)
    units = make_units(rng)
    used_ids: set[str] = set()
    used_name_unit: set[tuple[str, str]] = set()
    out: list[list[str]] = []
    while len(out) < rows:
        gender = Gender.FEMALE if rng.random() < 0.38 else Gender.MALE
        birth_year = rng.randint(1930, 1995)
        ethnicity = choose_ethnicity(rng)
        unit = rng.choice(units)
        name = person_name(rng, gender, ethnicity, birth_year)
        if (name, unit) in used_name_unit:
            continue
        used_name_unit.add((name, unit))
        has_id = rng.random() < 0.70
        id_number = make_id(rng, gender, birth_year, used_ids) if has_id else ""
        phone = f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}" if has_id else ""
        honors = rng.choices([1, 2, 3], weights=[70, 20, 10])[0]
        years = rng.sample(range(max(1950, birth_year + 20), 2025), honors)
        post, skill = rng.choice(POSTS), rng.choice(SKILLS)
        for year in sorted(years):
            title, levels = rng.choice(TITLES)
            level = rng.choice(levels)
            deeds = "" if rng.random() < 0.5 else f"{name}同志在{unit}{post}岗位上勤恳工作。" * 3
            out.append(
                [
                    name,
                    "女" if gender is Gender.FEMALE else "男",
                    unit,
                    post,
                    skill,
                    title,
                    level,
                    str(year),
                    BODIES.get(level[0], "市总工会"),
                    f"{BODIES.get(level[0], '市总工会')[:2]}发〔{year}〕{rng.randint(1, 99)}号",
                    deeds,
                    id_number,
                    phone,
                ]
            )
    return out[:rows]


def write_csv(rows: list[list[str]], path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)


def write_xlsx(rows: list[list[str]], path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("名录")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([int(v) if i == 7 else v for i, v in enumerate(row)])  # 年份 as a number
    workbook.save(path)


def run_import(database_url: str, path: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of the import command."""
    env = dict(os.environ)
    env.update(CONTEST_DATABASE_URL=database_url, CONTEST_SECRET_KEY="bench-secret-key")
    contest = str(Path(sys.executable).with_name("contest"))
    subprocess.run([contest, "init"], env=env, check=True, capture_output=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [contest, "honors", "import", str(path)], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    if done.returncode != 0:
        sys.exit(f"import failed:\n{done.stderr[-3000:]}")
    print("   ", done.stdout.strip())
    return elapsed, cpu


def postgres_database(base_url: str) -> tuple[str, object]:
    """A fresh database next to ``base_url``'s; returns its URL and a drop callback."""
    import psycopg

    name = f"roster_bench_{uuid.uuid4().hex[:8]}"
    conninfo = base_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    return conninfo.rsplit("/", 1)[0] + "/" + name, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx", "both"], default="both")
    parser.add_argument("--postgres", metavar="URL", help="also import into a fresh PG database")
    parser.add_argument("--reuse", action="store_true", help="reuse roster files already written")
    args = parser.parse_args()

    data_dir = ROOT / "bench" / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows = generate(args.rows)
    print(f"generated {len(rows)} rows in {time.perf_counter() - started:.1f}s")
    files = []
    for kind in ("csv", "xlsx") if args.format == "both" else (args.format,):
        path = data_dir / f"roster_{args.rows}.{kind}"
        if not (args.reuse and path.exists()):
            (write_csv if kind == "csv" else write_xlsx)(rows, path)
        files.append(path)
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.1f} MB)")

    print(f"load average before the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for path in files:
        with tempfile.TemporaryDirectory() as tmp:
            report("sqlite", path, len(rows), *run_import(f"sqlite:///{tmp}/bench.db", path))
        if args.postgres:
            url, drop = postgres_database(args.postgres)
            try:
                report("postgres", path, len(rows), *run_import(url, path))
            finally:
                drop()  # type: ignore[operator]


def report(engine: str, path: Path, rows: int, elapsed: float, cpu: float) -> None:
    """Wall clock and the command's own CPU time (the latter is stable on a busy machine)."""
    print(
        f"{engine:<8} {path.suffix[1:]:<5} wall {elapsed:6.1f}s  {rows / elapsed:7.0f} rows/s"
        f"   cpu {cpu:6.1f}s  {rows / cpu:7.0f} rows/cpu-s"
    )


if __name__ == "__main__":
    main()
