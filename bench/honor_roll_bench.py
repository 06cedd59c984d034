"""The printed 劳模名录 of 100,000 honors (issue #14 item 6): seconds, pages, size, memory.

    .venv/bin/python bench/honor_roll_bench.py [--honors 100000] [--people 4000]
        [--instance DIR] [--tracemalloc] [--output FILE]

Builds (or reuses, with --instance) a SQLite instance (`contest init`) holding a city union
with 12 district unions and 240 enterprise unions, ``--people`` workers spread over the
enterprises (a third of them women) and ``--honors`` 劳动模范 / 先进工作者 honors of those
people at every level from 1950 to 2026 — every one of them on the roll — inserted in bulk
as ``contest.services.honors.records.row_values`` makes them, plus 1 % revoked that the roll
must leave out. Loading runs in a process of its own, so the peak RSS below is the roll's.

Then ``contest.services.honors.roll.write_roll`` prints the roll of the whole city, in
process, and the script prints the seconds per stage, pages, file size, the process's peak RSS
(``ru_maxrss``) before and after, and with ``--tracemalloc`` the Python-level peak (tracing
slows the run about twofold: its seconds are not the roll's).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import contest

SEED = 20261214
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢"
    "蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰德福海波宏斌春雪梅晨"
POSTS = ["车工", "钳工", "焊工", "电工", "班组长", "车间主任", "技术员", "工程师", "质检员"]
SKILLS = ["高级技师", "技师", "高级工", "高级工程师", "工程师", None]
LEVEL_TITLES = {
    "national": ("全国劳动模范", "全国先进工作者", "中华全国总工会"),
    "provincial": ("江南省劳动模范", "江南省先进工作者", "江南省人民政府"),
    "city": ("江州市劳动模范", "江州市先进工作者", "江州市人民政府"),
    "district": ("东湖区劳动模范", "东湖区先进工作者", "东湖区人民政府"),
    "enterprise": ("企业劳动模范", "企业先进工作者", None),
}
LEVEL_WEIGHTS = {"national": 1, "provincial": 4, "city": 15, "district": 30, "enterprise": 50}


def load(honors: int, people: int) -> None:
    """Fill the instance named by CONTEST_INSTANCE_PATH (already `contest init`-ed)."""
    from sqlalchemy import insert, select, update

    from contest import create_app
    from contest.extensions import db
    from contest.models import Gender, Honor, HonorLevel, HonorSource, HonorStatus, OrgKind, Person
    from contest.services.core.orgs import add_organization
    from contest.services.honors.records import HonorData, row_values

    rng = random.Random(SEED)
    app = create_app()
    with app.app_context():
        city = add_organization(None, name="江州市总工会", kind=OrgKind.CITY)
        units = []
        for d in range(12):
            district = add_organization(
                None, name=f"江州市第{d + 1}区总工会", kind=OrgKind.DISTRICT, parent=city
            )
            for e in range(20):
                units.append(
                    add_organization(
                        None,
                        name=f"江州第{d + 1:02d}{e + 1:02d}机械制造有限公司工会",
                        kind=OrgKind.GRASSROOTS,
                        parent=district,
                    )
                )
        people_rows = []
        for _ in range(people):
            gender = Gender.FEMALE if rng.random() < 0.33 else Gender.MALE
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            unit = rng.choice(units)
            people_rows.append({"name": name, "gender": gender, "organization_id": unit.id})
        ids = list(
            db.session.scalars(
                insert(Person).returning(Person.id, sort_by_parameter_order=True), people_rows
            )
        )
        unit_names = {u.id: u.name.removesuffix("工会") for u in units}
        levels = list(LEVEL_WEIGHTS)
        weights = list(LEVEL_WEIGHTS.values())
        batch: list[dict[str, Any]] = []
        for n in range(honors):
            index = rng.randrange(len(ids))
            person = people_rows[index]
            level = rng.choices(levels, weights)[0]
            model, advanced, body = LEVEL_TITLES[level]
            unit = unit_names[person["organization_id"]]
            year = rng.randint(1950, 2026)
            values = row_values(
                HonorData(
                    recipient_name=person["name"],
                    title=model if rng.random() < 0.7 else advanced,
                    level=HonorLevel(level),
                    year=year,
                    unit_name=unit,
                    post=rng.choice(POSTS),
                    skill_level=rng.choice(SKILLS),
                    conferring_body=body or unit,
                    document_number=f"江政发〔{year}〕{n % 97 + 1}号",
                    source=HonorSource.ROSTER,
                )
            )
            values["person_id"] = ids[index]
            values["organization_id"] = person["organization_id"]
            batch.append(values)
            if len(batch) == 5_000:
                db.session.execute(insert(Honor), batch)
                batch = []
        if batch:
            db.session.execute(insert(Honor), batch)
        # 1 % revoked: the roll must leave them out.
        victims = select(Honor.id).where(Honor.id % 100 == 7).scalar_subquery()
        db.session.execute(
            update(Honor)
            .where(Honor.id.in_(victims))
            .values(status=HonorStatus.REVOKED, revoked_reason="基准数据")
        )
        db.session.commit()


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run_roll(output: Path, trace: bool) -> None:
    from contest import create_app
    from contest.extensions import db
    from contest.models import Organization
    from contest.services.honors import roll

    app = create_app()
    with app.app_context():
        city = db.session.scalar(db.select(Organization).where(Organization.name == "江州市总工会"))
        flt = roll.make_filter(organization=city)
        before = rss_mib()
        stages: dict[str, list[Any]] = {}  # stage: [seconds, last step]
        started = time.perf_counter()
        clock = [started]

        def progress(step: roll.RollProgress) -> None:
            now = time.perf_counter()
            entry = stages.setdefault(step.stage, [0.0, step])
            entry[0] += now - clock[0]
            entry[1] = step
            clock[0] = now

        if trace:
            tracemalloc.start()
        with output.open("wb") as out:
            summary = roll.write_roll(None, flt, out, progress=progress)
        seconds = time.perf_counter() - started
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
        db.session.rollback()  # the audit entry: a benchmark leaves no trace
        after = rss_mib()
    for stage, (secs, step) in stages.items():
        done = f"{step.done:,} rows, " if stage != "output" else ""
        print(f"  {stage:<9} {secs:5.1f} s  ({done}{step.pages:,} pages printed by then)")
    print(
        f"\n{summary.honors:,} honors, {summary.people:,} index entries → {summary.pages:,} "
        f"pages, {summary.size / 2**20:.1f} MiB in {seconds:.1f} s"
        + (" (under tracemalloc)" if trace else "")
    )
    print(
        f"peak RSS {after:.0f} MiB ({before:.0f} MiB before the roll: the app, SQLAlchemy, fpdf2)"
        + (f"; traced Python peak {traced:.1f} MiB" if traced is not None else "")
    )
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--honors", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=4_000)
    parser.add_argument("--instance", help="reuse this instance folder (already loaded)")
    parser.add_argument("--tracemalloc", action="store_true", help="trace Python allocations")
    parser.add_argument("--output", help="where to keep the PDF (default: in the instance)")
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    instance = Path(args.instance or tempfile.mkdtemp(prefix="roll-bench-"))
    os.environ["CONTEST_INSTANCE_PATH"] = str(instance)
    if args.load_only:
        load(args.honors, args.people)
        return
    if not (instance / "contest.db").exists():
        print(f"loading {args.honors:,} honors of {args.people:,} people into {instance} …")
        started = time.perf_counter()
        contest({"CONTEST_INSTANCE_PATH": str(instance)}, "init")
        command = [sys.executable, __file__, "--instance", str(instance), "--load-only"]
        command += ["--honors", str(args.honors), "--people", str(args.people)]
        subprocess.run(command, check=True)
        print(f"loaded in {time.perf_counter() - started:.1f} s")
    run_roll(Path(args.output or instance / "roll.pdf"), args.tracemalloc)


if __name__ == "__main__":
    main()
