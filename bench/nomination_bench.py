"""A national-scale nomination campaign: 3,000 nominations, 30 recommending units, 40 experts
(issue 13).

    .venv/bin/python bench/nomination_bench.py [--nominations 3000] [--units 30] [--experts 40]
        [--per-nomination 5] [--repeats 100] [--page-repeats 30] [--requests 3000]
        [--concurrency 16] [--postgres URL] [--skip-http] [--keep]

Builds, in a fresh SQLite instance (`contest init` in a temporary folder) — or in a fresh
PostgreSQL database next to ``--postgres`` / ``CONTEST_BENCH_POSTGRES_URL`` — a 全国五一劳动奖章
campaign of the national union: the three awards (奖状 for units, 奖章 for people, 工人先锋号 for
teams), totals handed to 30 provincial unions (奖章 with typed 企业负责人 slots) at a 差额 of
120 %, the national default slate rules (``slates.apply_defaults``), 3,000 submitted
nominations whose groups come from the people (WorkerCategory, gender, ethnicity), their
enterprises (所有制, 重点产业) and what the units declared, a 初审 that passed them all, and a
专家评审 stage with the built-in 五一劳动奖章 rubric (8 items in 4 criteria, trimmed mean
dropping the highest and lowest) on which 40 experts in 8 panels of 5 submitted 15,000 sheets
(each nomination scored by ``--per-nomination`` experts; ``--per-nomination 40`` makes every
expert score everything, 120,000 sheets). Set-up goes through the services (campaign, awards,
quotas, rules, stages, members, rubric, opening and closing); the nominations, the 初审
decisions and the sheets are bulk-inserted as those services store them (no audit entry per
row), except the sheets an expert saves through ``expert.save_sheet`` below.

Timed, in process (seconds, median and p99 over ``--repeats``):

1. ``slates.check`` on each award's whole slate and on each unit's own slate (30 units);
2. an expert saving one sheet through ``expert.save_sheet`` (the engine's ``write_sheet``);
3. the organizer's 结构要求 tab (``/nominations/<id>/slate``: every rule checked on every
   award's slate, the what-if lists) and a provincial recommender's campaign page (its own
   slate checked) through the test client, during the review and again after the result with
   a what-if swap; the 评审结果 page (``/nominations/<id>/results``);
4. ``expert.ranked`` per award, closing the expert stage, ``expert.finalize`` (正选 within the
   quota and the ≤ rules, ranked alternates) and ``publicity.start``.

Then `contest serve` with 2 workers on loopback: /healthz, the public 公示 page
(``/nominations/publicity/<id>``) and the 公示 API, ``--requests`` GETs each over 16 keep-alive
connections in one run, and an uncached render of the 公示 page after a version bump.

Targets (issue 13): the slate page interactive (p99 reported; ≤ 300 ms asked by the lead), the
public 公示 page at ≥ 30 % of /healthz throughput with p99 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_load import HEADER, run
from server import contest, serving

SEED = 20261205
PASSWORD = "bench-password-9"
CAMPAIGN = "2027年全国五一劳动奖章评选（基准）"
PROVINCES = (
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "建国秀英志强桂兰海涛丽娟晓明红梅国庆春燕德华玉兰伟平文军永刚淑珍立新宏伟金凤长青"
# Share of each WorkerCategory among the 奖章 nominees (the rest: none recorded).
CATEGORIES = (
    ("industrial", 0.38),
    ("frontline", 0.12),
    ("technical", 0.10),
    ("science_education", 0.22),
    ("migrant", 0.11),
    ("enterprise_head", 0.05),
    ("official", 0.02),
)
OWNERSHIPS = (("state", 0.40), ("non_public", 0.42), ("collective", 0.05), ("public_sector", 0.13))
ENTERPRISES_PER_UNIT = 12
PANEL = 5


def pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    roll, total = rng.random(), 0.0
    for value, share in table:
        total += share
        if roll < total:
            return value
    return table[-1][0]


def p99(values: list[float]) -> float:
    """Nearest-rank 99th percentile (the largest value below 100 samples)."""
    ordered = sorted(values)
    return ordered[max(math.ceil(0.99 * len(ordered)) - 1, 0)]


def timed(action: Callable[[], Any], repeats: int, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock seconds of each run; with ``cpu``, this process's CPU seconds go there too
    (on a machine loaded by others, the CPU time is what the code itself costs)."""
    seconds = []
    for _ in range(repeats):
        started, used = time.perf_counter(), time.process_time()
        action()
        seconds.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(time.process_time() - used)
    return seconds


def line(label: str, seconds: list[float], unit: str = "ms") -> str:
    scale = 1000 if unit == "ms" else 1
    return (
        f"  {label:<60} median {statistics.median(seconds) * scale:8.1f} {unit}   "
        f"p99 {p99(seconds) * scale:8.1f} {unit}   (n={len(seconds)})"
    )


# ------------------------------------------------------------------ the database


@contextlib.contextmanager
def database(postgres: str | None, keep: bool) -> Iterator[dict[str, str]]:
    """The environment of a fresh instance: a temporary folder, and with ``postgres`` a fresh
    database next to that URL's (dropped afterwards unless ``keep``)."""
    folder = Path(tempfile.mkdtemp(prefix="nomination-bench-"))
    env = {"CONTEST_INSTANCE_PATH": str(folder)}
    drop: Callable[[], None] | None = None
    if postgres:
        import psycopg

        conninfo = postgres.replace("postgresql+psycopg://", "postgresql://", 1)
        name = f"nomination_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        base = conninfo.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        env["CONTEST_DATABASE_URL"] = f"{base}/{name}"
    try:
        yield env
    finally:
        if keep:
            print(f"\nkept: {env}")
        else:
            if drop is not None:
                drop()
            shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------ building the campaign


def build(args: argparse.Namespace) -> dict[str, Any]:
    """The campaign in review, its expert stage open with the sheets in (see the module)."""
    from sqlalchemy import insert

    from contest.extensions import db
    from contest.models import (
        CampaignStatus,
        Gender,
        HonorLevel,
        Mark,
        Nomination,
        NominationStatus,
        OrgKind,
        Outcome,
        Ownership,
        Person,
        RecipientKind,
        Role,
        ScoreSheet,
        SheetStatus,
        StageDecision,
        StageMode,
        WorkerCategory,
    )
    from contest.services.core.orgs import add_organization
    from contest.services.core.users import create_user
    from contest.services.nominations import campaigns, expert, quotas, review, slates

    rng = random.Random(SEED)
    started = time.perf_counter()
    host = add_organization(
        None, name="中华全国总工会（基准）", kind=OrgKind.NATIONAL, audited=False
    )
    organizer = create_user(None, "bench_organizer", PASSWORD, Role.ORGANIZER, host)
    units, enterprises = [], {}
    for index in range(args.units):
        province = PROVINCES[index % len(PROVINCES)] + ("" if index < len(PROVINCES) else "二")
        unit = add_organization(
            None, name=f"{province}总工会", kind=OrgKind.PROVINCIAL, parent=host, audited=False
        )
        units.append(unit)
        enterprises[unit.id] = [
            add_organization(
                None,
                name=f"{province}第{n + 1}集团公司工会",
                kind=OrgKind.GRASSROOTS,
                parent=unit,
                audited=False,
                employer=f"{province}第{n + 1}集团公司",
                ownership=Ownership(pick(rng, OWNERSHIPS)),
                is_key_industry=rng.random() < 0.3,
            )
            for n in range(ENTERPRISES_PER_UNIT)
        ]
    recommender = create_user(None, "bench_recommender", PASSWORD, Role.RECOMMENDER, units[0])
    reviewers = [
        create_user(None, f"bench_reviewer{n}", PASSWORD, Role.REVIEWER, host) for n in range(2)
    ]
    experts = [
        create_user(None, f"bench_expert{n:02d}", PASSWORD, Role.REVIEWER, host)
        for n in range(args.experts)
    ]

    campaign = campaigns.create_campaign(
        organizer,
        campaigns.CampaignData(
            name=CAMPAIGN,
            organization=host,
            level=HonorLevel.NATIONAL,
            year=2027,
            conferring_body="中华全国总工会",
            submission_deadline=datetime.now(UTC) + timedelta(days=30),
            surplus_percent=120,
        ),
    )
    for kind in ("may_day_award", "may_day_medal", "pioneer"):
        campaigns.add_award(organizer, campaign, kind)
    campaign.publicity_days = 5
    campaign.publicity_grace_days = 3
    campaign.publish_alternates = True
    # Per unit: 60 % 奖章, 30 % 先锋号, the rest 奖状; a quota whose 差额 (120 %) admits them.
    per_unit = args.nominations // args.units
    counts = {"medal": round(per_unit * 0.6), "pioneer": round(per_unit * 0.3)}
    counts["award"] = per_unit - counts["medal"] - counts["pioneer"]
    shares = {award: math.ceil(n * 100 / 120) for award, n in counts.items()}
    heads = max(shares["medal"] // 25, 1)  # typed 企业负责人 places per unit (4 %)
    totals = {}
    for award, share in shares.items():
        slots = {"enterprise_head": heads * len(units)} if award == "medal" else {}
        totals[award] = quotas.set_total(
            organizer,
            campaign,
            award,
            share * len(units),
            slots,
            alternates=share * len(units) // 10,
        )
    for unit in units:
        for award, share in shares.items():
            slots = {"enterprise_head": heads} if award == "medal" else {}
            quotas.hand_down(organizer, totals[award], unit, share, slots)
    added = slates.apply_defaults(organizer, campaign)
    campaigns.change_status(organizer, campaign, CampaignStatus.OPEN)
    db.session.commit()

    # The nominations, as submission stores them (bulk: 3,000 people and their nominations).
    submitted = datetime.now(UTC) - timedelta(days=20)
    people, nominations = [], []
    for unit in units:
        for award in ("medal", "pioneer", "award"):
            for n in range(counts[award]):
                org = rng.choice(enterprises[unit.id])
                base = {
                    "campaign_id": campaign.id,
                    "award": award,
                    "unit_id": unit.id,
                    "organization_id": org.id,
                    "unit_name": org.employer,
                    "deeds_short": "扎根一线二十余年，攻克关键技术难题，带出徒弟三十余名。" * 4,
                    "deeds_full": "（事迹全文）" + "在本岗位上取得突出业绩。" * 60,
                    "form": {},
                    "declarations": {"safety_accident": False, "wage_arrears": False},
                    "waivers": [],
                    "consent_publicity": True,
                    "consent_deeds": True,
                    "status": NominationStatus.SUBMITTED,
                    "submitted_at": submitted + timedelta(seconds=len(nominations)),
                    "created_by_id": recommender.id,
                }
                if award == "medal":
                    category = pick(rng, CATEGORIES)
                    name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
                    people.append(
                        {
                            "name": name,
                            "gender": Gender.FEMALE if rng.random() < 0.32 else Gender.MALE,
                            "ethnicity": "汉族" if rng.random() < 0.9 else "回族",
                            "organization_id": org.id,
                            "category": WorkerCategory(category),
                            "post": rng.choice(("数控车工", "焊工", "电工", "钳工", "工程师")),
                            "skill_level": rng.choice(("高级技师", "技师", "高级工程师")),
                        }
                    )
                    declared = (
                        ["migrant"] if category == "industrial" and rng.random() < 0.1 else []
                    )
                    base.update(
                        recipient_kind=RecipientKind.PERSON,
                        name=name,
                        post=people[-1]["post"],
                        skill_level=people[-1]["skill_level"],
                        categories=declared,
                    )
                elif award == "pioneer":
                    base.update(
                        recipient_kind=RecipientKind.TEAM,
                        name=f"{org.employer}第{n + 1}班组",
                        categories=["work_team"] if rng.random() < 0.75 else [],
                    )
                else:
                    base.update(
                        recipient_kind=RecipientKind.UNIT,
                        name=f"{org.employer}（{n + 1}）",
                        categories=[],
                    )
                nominations.append(base)
    person_ids = list(
        db.session.scalars(
            insert(Person).returning(Person.id, sort_by_parameter_order=True), people
        )
    )
    ids = iter(person_ids)
    for row in nominations:
        row["person_id"] = next(ids) if row["award"] == "medal" else None
    nomination_ids = list(
        db.session.scalars(
            insert(Nomination).returning(Nomination.id, sort_by_parameter_order=True),
            nominations,
        )
    )
    campaigns.change_status(organizer, campaign, CampaignStatus.REVIEW, "基准：推荐已全部报送")
    db.session.commit()

    # The chain: 初审 (everything passed), then the expert stage with its rubric and panel.
    first = review.add_stage(organizer, campaign, review.StageData("初审", StageMode.REVIEW))
    for user in reviewers:
        review.add_member(organizer, first, user)
    stage = review.add_stage(
        organizer,
        campaign,
        review.StageData("专家评审", StageMode.SCORING, aggregation="trimmed", trim=1),
    )
    for user in experts:
        review.add_member(organizer, stage, user)
    expert.apply_template(organizer, stage, "may_day")
    review.open_stage(organizer, first)
    db.session.execute(
        insert(StageDecision),
        [
            {
                "stage_id": first.id,
                "nomination_id": nid,
                "outcome": Outcome.PASS,
                "decided_by_id": reviewers[0].id,
            }
            for nid in nomination_ids
        ],
    )
    review.close_stage(organizer, first)
    review.open_stage(organizer, stage)
    db.session.commit()

    # The sheets: nomination i is scored by panel i mod 8 (experts 5p … 5p+4), or by all.
    items = expert.items_of(stage)
    strength = {nid: rng.uniform(0.55, 0.95) for nid in nomination_ids}
    panels = max(len(experts) // args.per_nomination, 1)
    left_out: list[tuple[int, int]] = []  # (expert id, nomination id) saved through the service
    sheets, values = [], {}
    for position, nid in enumerate(nomination_ids):
        panel = position % panels
        panel_experts = experts[panel * args.per_nomination : (panel + 1) * args.per_nomination]
        for user in panel_experts:
            if user is experts[0] and len(left_out) < args.saves:
                left_out.append((user.id, nid))
                continue
            sheets.append(
                {
                    "stage_id": stage.id,
                    "nomination_id": nid,
                    "user_id": user.id,
                    "status": SheetStatus.SUBMITTED,
                    "version": 1,
                    "submitted_at": submitted,
                }
            )
            values[(nid, user.id)] = marks_for(rng, items, strength[nid])
    sheet_ids = list(
        db.session.scalars(
            insert(ScoreSheet).returning(ScoreSheet.id, sort_by_parameter_order=True), sheets
        )
    )
    by_key = {a.key: a.id for a in items}
    marks = [
        {"sheet_id": sheet_id, "aspect_id": by_key[key], "value": value}
        for sheet_id, sheet in zip(sheet_ids, sheets, strict=True)
        for key, value in values[(sheet["nomination_id"], sheet["user_id"])].items()
    ]
    for chunk in range(0, len(marks), 50_000):
        db.session.execute(insert(Mark), marks[chunk : chunk + 50_000])
    db.session.commit()
    print(
        f"built in {time.perf_counter() - started:.0f} s: {len(units)} units, "
        f"{len(nomination_ids):,} nominations "
        f"({', '.join(f'{a} {n * len(units)}' for a, n in counts.items())}), "
        f"quotas {', '.join(f'{a} {s * len(units)}' for a, s in shares.items())} at 差额 120 %, "
        f"{added} default slate rules, {len(experts)} experts, {len(sheets):,} sheets "
        f"({len(marks):,} marks, {len(items)} items each)"
    )
    return {
        "campaign": campaign.id,
        "stage": stage.id,
        "organizer": organizer.id,
        "units": [u.id for u in units],
        "left_out": left_out,
        "strength": strength,
    }


def marks_for(rng: random.Random, items: list[Any], strength: float) -> dict[str, Decimal]:
    """One expert's marks for a nomination of ``strength`` (0–1), with the expert's noise."""
    found = {}
    for aspect in items:
        top = float(aspect.max_points)
        share = min(max(strength + rng.gauss(0, 0.08), 0.0), 1.0)
        kind = aspect.kind.value
        if kind == "judgement":
            found[aspect.key] = Decimal(min(max(round(share * 3 + rng.gauss(0, 0.3)), 0), 3))
        elif kind == "deduction":
            found[aspect.key] = Decimal(round((1 - share) * top * 0.5 * 2) / 2)
        elif kind == "bonus":
            found[aspect.key] = Decimal(round(rng.random() * share * top * 2) / 2)
        else:
            found[aspect.key] = Decimal(round(share * top * 2) / 2)
    return {key: value.quantize(Decimal("0.01")) for key, value in found.items()}


# ------------------------------------------------------------------ measuring in process


def measure_checks(ids: dict[str, Any], repeats: int) -> None:
    from contest.extensions import db
    from contest.models import Campaign, Nomination, NominationStatus, Organization
    from contest.services.nominations import awards, slates

    campaign = db.session.get(Campaign, ids["campaign"])
    units = [db.session.get(Organization, u) for u in ids["units"]]

    def load() -> list[Nomination]:  # as the 结构要求 page reads the slate
        db.session.expire_all()
        return slates.slate_nominations(campaign, (NominationStatus.SUBMITTED,))

    print("\nslates.check (the rules read per call, the nominees' organisations in one query)")
    loading = timed(load, 10)
    slate = load()
    print(line(f"load the slate ({len(slate):,} nominations with their people)", loading))
    campaign = db.session.get(Campaign, ids["campaign"])
    for award in awards.awards_of(campaign):
        own = [n for n in slate if n.award == award.key]
        whole = timed(lambda award=award, own=own: slates.check(campaign, award.key, own), repeats)
        failing = [r.message for r in slates.check(campaign, award.key, own) if not r.ok]
        print(line(f"whole slate of {award.key} ({len(own):,})", whole))
        if failing:
            print(f"    not met: {'；'.join(str(m) for m in failing)}")
        per_unit: list[float] = []
        for _ in range(max(repeats // 10, 3)):
            for unit in units:
                per_unit += timed(
                    lambda award=award, own=own, unit=unit: slates.check(
                        campaign, award.key, own, unit=unit
                    ),
                    1,
                )
        print(line(f"  one unit's slate of {award.key} (each of {len(units)} units)", per_unit))


def measure_saves(ids: dict[str, Any]) -> None:
    from contest.extensions import db
    from contest.models import Nomination, ReviewStage, User
    from contest.services.nominations import expert

    stage = db.session.get(ReviewStage, ids["stage"])
    rng = random.Random(SEED + 2)
    seconds = []
    for user_id, nomination_id in ids["left_out"]:
        db.session.expire_all()
        started = time.perf_counter()
        user = db.session.get(User, user_id)
        nomination = db.session.get(Nomination, nomination_id)
        items = expert.items_of(stage)
        values = {k: str(v) for k, v in marks_for(rng, items, 0.75).items()}
        expert.save_sheet(user, stage, nomination, values, submit=True, expected_version=0)
        db.session.commit()
        seconds.append(time.perf_counter() - started)
    if seconds:
        print("\nan expert submits one sheet (expert.save_sheet → write_sheet, committed)")
        print(line("save_sheet", seconds))


def login(client: Any, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    data = {
        "username": username,
        "password": PASSWORD,
        "csrf_token": token.group(1) if token else "",
    }
    response = client.post("/login", data=data)
    if response.status_code != 302:
        raise SystemExit(f"login as {username} failed ({response.status_code})")


def measure_pages(app: Any, pages: list[tuple[str, str, str]], repeats: int) -> dict[str, float]:
    """(label, user, path): GET each ``repeats`` times through the test client after one warm-up;
    returns the p99 (ms) by label."""
    clients: dict[str, Any] = {}
    found = {}
    for label, user, path in pages:
        if user not in clients:
            clients[user] = app.test_client()
            login(clients[user], user)
        client = clients[user]
        first = client.get(path)
        if first.status_code != 200:
            raise SystemExit(f"{path}: {first.status_code}")
        size = len(first.get_data())
        cpu: list[float] = []
        seconds = timed(lambda client=client, path=path: client.get(path).close(), repeats, cpu)
        print(line(f"{label} ({size / 1024:.0f} KB)", seconds))
        print(f"  {'':<60} CPU median {statistics.median(cpu) * 1000:8.1f} ms")
        found[label] = p99(seconds) * 1000
    return found


def measure_ranking(ids: dict[str, Any]) -> None:
    from contest.extensions import db
    from contest.models import Campaign
    from contest.services.nominations import awards, expert

    campaign = db.session.get(Campaign, ids["campaign"])
    print("\nthe ranked list (expert.ranked: candidates, sheets, trimmed mean, ranks and ties)")
    for award in awards.awards_of(campaign):
        cpu: list[float] = []
        seconds = timed(lambda award=award: expert.ranked(campaign, award.key), 3, cpu)
        print(line(f"expert.ranked({award.key})", seconds, "s") + f"  CPU {min(cpu):.2f} s")


def close_and_finalize(ids: dict[str, Any]) -> dict[str, Any]:
    from sqlalchemy import select

    from contest.extensions import db
    from contest.models import Campaign, CampaignQuota, Nomination, ReviewStage, User
    from contest.services.nominations import expert, review

    campaign = db.session.get(Campaign, ids["campaign"])
    stage = db.session.get(ReviewStage, ids["stage"])
    organizer = db.session.get(User, ids["organizer"])
    started, used = time.perf_counter(), time.process_time()
    check = review.close_problems(stage)
    review.close_stage(organizer, stage, accept_missing=check.missing_sheets)
    db.session.commit()
    closing = time.perf_counter() - started
    print(
        f"\nclosing the expert stage (close_problems + close_stage, {check.passing:,} passed, "
        f"{check.missing_sheets:,} sheets not due from the other panels): {closing:.2f} s "
        f"(CPU {time.process_time() - used:.2f} s)"
    )
    refused = 0
    while True:
        started, used = time.perf_counter(), time.process_time()
        try:
            report = expert.finalize(organizer, campaign)
        except review.ReviewError as error:  # a tie at the cut: a run-off would settle it
            db.session.rollback()
            refused += 1
            print(
                f"  finalize refused ({time.perf_counter() - started:.2f} s): {str(error)[:120]}…"
            )
            if refused > 5:
                raise
            # The tied nominations' award gets one place more, as a 决选 would settle it.
            code = re.search(r"N-\d+", str(error))
            by_code = {c: n for n, c in expert.codes(campaign).items()}
            nomination = db.session.get(Nomination, by_code[code.group(0)]) if code else None
            for row in db.session.scalars(
                select(CampaignQuota).where(
                    CampaignQuota.campaign_id == campaign.id, CampaignQuota.parent_id.is_(None)
                )
            ):
                if nomination is None or row.award == nomination.award:
                    row.quota += 1
            db.session.commit()
            continue
        db.session.commit()
        break
    seconds, cpu = time.perf_counter() - started, time.process_time() - used
    print(f"expert.finalize (all three awards, committed): {seconds:.2f} s (CPU {cpu:.2f} s)")
    for result in report.awards:
        print(
            f"  {result.award}: 正选 {len(result.selected)} of quota {result.quota}, "
            f"{len(result.alternates)} alternates, {len(result.not_selected)} 未入选, "
            f"{len(result.skipped)} gave way to a ≤ rule, "
            f"warnings: {'；'.join(result.warnings) or '—'}"
        )
    medal = next(r for r in report.awards if r.award == "medal")
    return {
        "out": medal.selected[-1].nomination.id,
        "in": medal.alternates[0].nomination.id if medal.alternates else None,
    }


def start_publicity(ids: dict[str, Any]) -> None:
    """The main 公示 on the site's day (what the server shows), or on an earlier day (with
    ``publicity.today`` patched as the tests do) when the calendar refuses the period."""
    from contest.extensions import db
    from contest.models import Campaign, User
    from contest.services.nominations import publicity

    campaign = db.session.get(Campaign, ids["campaign"])
    organizer = db.session.get(User, ids["organizer"])
    site_day = publicity.today()
    real_today = publicity.today
    for back in range(15):
        day = site_day - timedelta(days=back)
        publicity.today = lambda day=day: day  # type: ignore[assignment]
        started = time.perf_counter()
        try:
            notice = publicity.start(organizer, campaign, day, "中华全国总工会劳动和经济工作部")
        except publicity.PublicityError as error:
            db.session.rollback()
            print(f"  公示 from {day}: {error.message}")
            continue
        finally:
            publicity.today = real_today  # type: ignore[assignment]
        if notice.hidden_after < site_day:
            db.session.rollback()
            break
        db.session.commit()
        listed = len(publicity.publishable(campaign))
        print(
            f"\npublicity.start ({listed:,} nominees on the list, {notice.starts_on} to "
            f"{notice.ends_on}): {time.perf_counter() - started:.2f} s"
        )
        return
    raise SystemExit("no 公示 period the calendar accepts covers today")


# ------------------------------------------------------------------ the public pages


def serve(env: dict[str, str], ids: dict[str, Any], requests: int, concurrency: int) -> None:
    from contest.extensions import db
    from contest.services.core.versions import PUBLICITY_CONTENT, bump_version

    cid = ids["campaign"]
    with serving(env, workers=2) as base:
        targets = [
            ("/healthz", "/healthz"),
            ("/nominations/publicity/<id> (公示)", f"/nominations/publicity/{cid}"),
            ("/api/v1/campaigns/<id>/publicity", f"/api/v1/campaigns/{cid}/publicity"),
        ]
        for _, path in targets:  # warm each worker, as the first visitors would
            run(base + path, requests=8, concurrency=4)
        print(
            f"\n{requests} requests per endpoint, {concurrency} concurrent keep-alive "
            "connections, 2 gunicorn workers\n"
        )
        print(HEADER)
        measured = {}
        for label, path in targets:
            result = run(base + path, requests=requests, concurrency=concurrency)
            measured[label] = result
            print(result.row(label), flush=True)

        cold = []
        for _ in range(5):  # a render nobody has cached: bump, wait out the version memo, GET
            bump_version(PUBLICITY_CONTENT)
            db.session.commit()
            time.sleep(2.2)
            started = time.perf_counter()
            with urllib.request.urlopen(base + f"/nominations/publicity/{cid}") as reply:
                reply.read()
            cold.append((time.perf_counter() - started) * 1000)
        print(f"uncached 公示 page (after a new version): median {statistics.median(cold):.0f} ms")

        health = measured["/healthz"].rps
        page = measured["/nominations/publicity/<id> (公示)"]
        print(
            f"\n公示 page throughput = {page.rps / health:.0%} of /healthz (target ≥ 30%); "
            f"p99 {page.p99_ms:.1f} ms (target ≤ 100 ms)"
        )


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nominations", type=int, default=3000)
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--experts", type=int, default=40)
    parser.add_argument("--per-nomination", type=int, default=PANEL, help="experts per nomination")
    parser.add_argument("--saves", type=int, default=20, help="sheets saved through the service")
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--page-repeats", type=int, default=30)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("CONTEST_BENCH_POSTGRES_URL"),
        help="a PostgreSQL URL: the bench runs in a fresh database next to it",
    )
    parser.add_argument("--skip-http", action="store_true", help="in-process figures only")
    parser.add_argument("--keep", action="store_true", help="keep the instance and database")
    args = parser.parse_args()

    with database(args.postgres, args.keep) as env:
        engine = "postgresql" if "CONTEST_DATABASE_URL" in env else "sqlite"
        print(
            f"{engine}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
            f"instance {env['CONTEST_INSTANCE_PATH']}"
        )
        contest(env, "init")
        os.environ.update(env)
        from contest import create_app

        app = create_app()
        with app.test_request_context():
            ids = build(args)
            measure_checks(ids, args.repeats)
            measure_saves(ids)
        cid = ids["campaign"]
        print("\npages through the test client, the expert stage open (every nomination in review)")
        pages = measure_pages(
            app,
            [
                (
                    "/nominations/<id>/slate (结构要求)",
                    "bench_organizer",
                    f"/nominations/{cid}/slate",
                ),
                (
                    "/nominations/recommend/<id> (a province's page)",
                    "bench_recommender",
                    f"/nominations/recommend/{cid}",
                ),
                (
                    "/nominations/<id>/results (评审结果)",
                    "bench_organizer",
                    f"/nominations/{cid}/results",
                ),
            ],
            max(args.page_repeats // 3, 3),
        )
        with app.test_request_context():
            measure_ranking(ids)
            swap = close_and_finalize(ids)
        print("\npages through the test client after the result")
        what_if = f"/nominations/{cid}/slate?award=medal&out={swap['out']}&in={swap['in'] or ''}"
        after = measure_pages(
            app,
            [
                ("/nominations/<id>/slate", "bench_organizer", f"/nominations/{cid}/slate"),
                ("/nominations/<id>/slate?…out&in (what-if)", "bench_organizer", what_if),
            ],
            args.page_repeats,
        )
        slate_p99 = max(after.values())
        print(
            f"\nslate page p99 {pages['/nominations/<id>/slate (结构要求)']:.0f} ms in review, "
            f"{slate_p99:.0f} ms after the result (asked ≤ 300 ms)"
        )
        with app.test_request_context():
            start_publicity(ids)
            if not args.skip_http:
                serve(env, ids, args.requests, args.concurrency)


if __name__ == "__main__":
    main()
