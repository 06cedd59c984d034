"""Demo honors: seventy years of a city's model workers, craftsmen and pioneer teams.

Historical honorees (1950s–1980s) are people of their time, born long before today's workers,
recorded as old rosters record them (no ID numbers). From the 1990s the honorees are the
demo's own workers, some climbing from a city title to a provincial or national one. Units
receive 五一劳动奖状 and teams 工人先锋号. One honor is revoked, to show that it leaves the wall
but stays in the record. ``--large`` adds 100,000 roster honors for the wall benchmark.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import insert, select

from contest.demo.context import DemoContext
from contest.demo.names import choose_ethnicity, person_name
from contest.demo.photos import save_portrait
from contest.extensions import db
from contest.models import (
    Gender,
    Honor,
    HonorLevel,
    HonorSource,
    Organization,
    OrgKind,
    Person,
    RecipientKind,
)
from contest.models.base import utcnow
from contest.services.core.versions import HONORS_CONTENT, bump_version
from contest.services.honors.records import HonorData, revoke_honor, row_values

PROVINCE = "江南省"
CITY = "江州市"

# (title, level, conferring body, document-number prefix)
_PERSON_TITLES_BY_ERA: dict[str, list[tuple[str, HonorLevel, str, str]]] = {
    "1950": [
        ("劳动模范", HonorLevel.CITY, "江州市人民委员会", "江人委"),
        ("先进生产者", HonorLevel.PROVINCIAL, f"{PROVINCE}人民委员会", "江南人委"),
        ("全国先进生产者", HonorLevel.NATIONAL, "国务院", "国"),
    ],
    "1960": [
        ("劳动模范", HonorLevel.CITY, "江州市人民委员会", "江人委"),
        ("先进生产者", HonorLevel.PROVINCIAL, f"{PROVINCE}人民委员会", "江南人委"),
    ],
    "1977": [
        ("劳动模范", HonorLevel.CITY, "江州市革命委员会", "江革"),
        ("劳动模范", HonorLevel.PROVINCIAL, f"{PROVINCE}人民政府", "江南政"),
        ("全国劳动模范", HonorLevel.NATIONAL, "国务院", "国发"),
    ],
    "1985": [
        ("劳动模范", HonorLevel.CITY, "江州市人民政府", "江政发"),
        ("五一劳动奖章", HonorLevel.PROVINCIAL, f"{PROVINCE}总工会", "江南工发"),
        ("全国五一劳动奖章", HonorLevel.NATIONAL, "中华全国总工会", "总工发"),
        ("劳动模范", HonorLevel.PROVINCIAL, f"{PROVINCE}人民政府", "江南政发"),
    ],
    "modern": [
        ("五一劳动奖章", HonorLevel.CITY, "江州市总工会", "江总发"),
        ("劳动模范", HonorLevel.CITY, "江州市人民政府", "江政发"),
        ("技术能手", HonorLevel.CITY, "江州市人力资源和社会保障局", "江人社发"),
        ("金牌工人", HonorLevel.ENTERPRISE, "", "企"),
        ("五一劳动奖章", HonorLevel.PROVINCIAL, f"{PROVINCE}总工会", "江南工发"),
        ("劳动模范", HonorLevel.PROVINCIAL, f"{PROVINCE}人民政府", "江南政发"),
        ("技术能手", HonorLevel.PROVINCIAL, f"{PROVINCE}人力资源和社会保障厅", "江南人社发"),
        ("全国五一劳动奖章", HonorLevel.NATIONAL, "中华全国总工会", "总工发"),
        ("全国劳动模范", HonorLevel.NATIONAL, "中共中央、国务院", "国发"),
        ("全国技术能手", HonorLevel.NATIONAL, "人力资源社会保障部", "人社部发"),
    ],
    "craftsman": [
        ("江州工匠", HonorLevel.CITY, "江州市总工会", "江总发"),
        ("江南工匠", HonorLevel.PROVINCIAL, f"{PROVINCE}总工会", "江南工发"),
        ("大国工匠", HonorLevel.NATIONAL, "中华全国总工会", "总工发"),
    ],
}
_PUBLIC_SECTOR = {"医疗卫生", "教育", "公共管理"}
_HISTORIC_UNITS = [
    "江州第一棉纺织厂",
    "江州钢铁厂",
    "江州机床厂",
    "江州港务局",
    "江州煤矿",
    "江州市公共汽车公司",
    "江州化肥厂",
    "江州电厂",
    "江州造船厂",
    "江州火柴厂",
    "江州橡胶厂",
    "江州市第一建筑公司",
]
_HISTORIC_POSTS = [
    "挡车工",
    "炉前工",
    "车工",
    "装卸工",
    "采煤工",
    "售票员",
    "钳工",
    "电工",
    "铆工",
    "瓦工",
    "纺纱工",
    "机修工",
]
_DEEDS = [
    "{name}扎根{post}岗位{years}年，{feat}。",
    "{name}刻苦钻研技术，{feat}，带出徒弟{pupils}名。",
    "{name}爱岗敬业、甘于奉献，{feat}，被职工称为“{nickname}”。",
]
_FEATS = [
    "创造的操作法在全市推广，产品合格率由92%提高到99.6%",
    "带领班组攻克关键工序难题，年节约成本三百余万元",
    "完成技术革新四十余项，其中三项获得国家专利",
    "连续十二年安全生产无事故",
    "在全国职工职业技能大赛中获得第一名",
    "主动承担最艰苦的抢修任务，先后排除重大故障六十余次",
    "坚持夜班一线，累计超额完成生产任务两万多工时",
]
_NICKNAMES = ["技术大拿", "铁人", "老黄牛", "金手指", "定海神针", "拼命三郎"]


def _doc(rng: Any, prefix: str, year: int) -> str:
    return f"{prefix}〔{year}〕{rng.randint(1, 60)}号" if prefix else ""


def _deeds(rng: Any, name: str, post: str) -> tuple[str, str]:
    summary = rng.choice(_DEEDS).format(
        name=name,
        post=post or "本职",
        years=rng.randint(8, 30),
        feat=rng.choice(_FEATS),
        pupils=rng.randint(5, 60),
        nickname=rng.choice(_NICKNAMES),
    )
    more = "".join(rng.sample(_FEATS, 3))
    full = (
        f"{summary}\n\n工作中，{name}始终坚持“把每一件产品当作作品”。{more}。\n\n"
        f"面对新技术、新工艺，{name}主动学习、大胆创新，并把经验毫无保留地传授给青年职工。"
    )
    return summary, full


def _photo_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "photos"


def _with_photo(ctx: DemoContext, person: Person, *, old: bool) -> None:
    if ctx.rng.random() < 0.7:
        person.consent_photo = True
        person.consent_deeds = True
        person.consent_recorded_at = utcnow()
        person.photo_filename = save_portrait(
            _photo_folder(),
            f"demo-{person.id}",
            ctx.rng,
            female=person.gender is Gender.FEMALE,
            old=old,
        )
    elif ctx.rng.random() < 0.6:
        person.consent_deeds = True
        person.consent_recorded_at = utcnow()


def _honor_rows(ctx: DemoContext) -> list[dict[str, Any]]:
    """Build every regular demo honor as column values (inserted in one statement)."""
    rng = ctx.rng
    rows: list[dict[str, Any]] = []

    def add(data: HonorData) -> None:
        rows.append(row_values(data))

    # 1950s–1980s: historical honorees, created as people of their time.
    eras = [
        ("1950", range(1950, 1960), 30),
        ("1960", range(1960, 1966), 12),
        ("1977", range(1977, 1985), 25),
        ("1985", range(1985, 1990), 30),
    ]
    historic: list[Person] = []
    for era, years, count in eras:
        for _ in range(count):
            year = rng.choice(list(years))
            gender = Gender.FEMALE if rng.random() < 0.3 else Gender.MALE
            birth_year = year - rng.randint(28, 50)
            ethnicity = choose_ethnicity(rng)
            person = Person(
                name=person_name(rng, gender, ethnicity, birth_year),
                gender=gender,
                ethnicity=ethnicity,
                consent_photo=False,
                consent_deeds=False,
            )
            db.session.add(person)
            historic.append(person)
            person._demo = (era, year)  # type: ignore[attr-defined]
    db.session.flush()
    for person in historic:
        era, year = person._demo  # type: ignore[attr-defined]
        _with_photo(ctx, person, old=True)
        title, level, body, prefix = rng.choice(_PERSON_TITLES_BY_ERA[era])
        unit, post = rng.choice(_HISTORIC_UNITS), rng.choice(_HISTORIC_POSTS)
        summary, full = _deeds(rng, person.name, post)
        add(
            HonorData(
                recipient_name=person.name,
                title=title,
                level=level,
                year=year,
                person=person,
                unit_name=unit,
                post=post,
                industry="制造业",
                conferring_body=body,
                document_number=_doc(rng, prefix, year),
                source=HonorSource.ROSTER,
                deeds_summary=summary,
                deeds_full=full,
            )
        )

    def add_for(
        person: Person,
        title: str,
        level: HonorLevel,
        year: int,
        body: str,
        prefix: str,
        summary: str,
        full: str | None,
    ) -> None:
        org = person.organization
        add(
            HonorData(
                recipient_name=person.name,
                title=title,
                level=level,
                year=year,
                person=person,
                organization=org,
                unit_name=org.name.removesuffix("工会") if org else None,
                post=person.post,
                skill_level=person.skill_level,
                industry=org.industry if org else None,
                conferring_body=body,
                document_number=_doc(rng, prefix, year),
                source=HonorSource.ROSTER,
                deeds_summary=summary,
                deeds_full=full,
            )
        )

    # 1990s–today: the demo's own experienced workers; some climb city → province → nation.
    seniors = [
        p
        for p in ctx.people
        if p.skill_level in {"技师", "高级技师", "高级工"}
        or (p.skill_level or "").startswith(("高级", "副高", "正高"))
    ]
    rng.shuffle(seniors)
    for person in seniors[:190]:
        org = person.organization
        industry = org.industry if org else None
        _with_photo(ctx, person, old=False)
        summary, full = _deeds(rng, person.name, person.post or person.occupation or "")
        pool = _PERSON_TITLES_BY_ERA["modern"]
        steps = 1 + (rng.random() < 0.35) + (rng.random() < 0.12)
        year = rng.randint(1992, 2014)
        start = rng.randint(0, 3)
        for step in range(steps):
            title, level, body, prefix = pool[min(start + step * 3, len(pool) - 1)]
            if industry in _PUBLIC_SECTOR and title.endswith("劳动模范"):
                title = title.replace("劳动模范", "先进工作者")
            if level is HonorLevel.ENTERPRISE:
                body = org.name.removesuffix("工会") if org else "本企业"
            add_for(
                person,
                title,
                level,
                year,
                body,
                prefix,
                summary,
                full if step == steps - 1 else None,
            )
            year = min(year + rng.randint(2, 6), 2026)
    for person in seniors[190:230]:  # craftsmen, a title of the last decade
        org = person.organization
        _with_photo(ctx, person, old=False)
        summary, full = _deeds(rng, person.name, person.post or person.occupation or "")
        tiers = _PERSON_TITLES_BY_ERA["craftsman"]
        top = 0 if rng.random() < 0.75 else (1 if rng.random() < 0.9 else 2)
        year = rng.randint(2016, 2022)
        for title, level, body, prefix in tiers[: top + 1]:
            add_for(person, title, level, year, body, prefix, summary, full)
            year = min(year + rng.randint(1, 3), 2026)

    # Units (五一劳动奖状) and teams (工人先锋号).
    units = [o for o in ctx.grassroots if o.kind is OrgKind.GRASSROOTS]
    for org in rng.sample(units, min(12, len(units))):
        year = rng.randint(2000, 2025)
        national = rng.random() < 0.2
        add(
            HonorData(
                recipient_name=org.name.removesuffix("工会"),
                title="全国五一劳动奖状" if national else "五一劳动奖状",
                level=HonorLevel.NATIONAL if national else HonorLevel.PROVINCIAL,
                year=year,
                recipient_kind=RecipientKind.UNIT,
                organization=org,
                unit_name=org.name.removesuffix("工会"),
                industry=org.industry,
                conferring_body="中华全国总工会" if national else f"{PROVINCE}总工会",
                document_number=_doc(rng, "总工发" if national else "江南工发", year),
                source=HonorSource.ROSTER,
                deeds_summary=f"{org.name.removesuffix('工会')}坚持创新驱动，开展劳动和技能竞赛，职工之家建设达到“六好”标准。",
            )
        )
    teams = ["数控加工班", "维保一班", "质检班组", "抢修突击队", "调度班", "护理组", "焊接班"]
    for org in rng.sample(units, min(16, len(units))):
        year = rng.randint(2008, 2025)
        team = f"{org.name.removesuffix('工会')}{rng.choice(teams)}"
        national = rng.random() < 0.15
        add(
            HonorData(
                recipient_name=team,
                title="全国工人先锋号" if national else "工人先锋号",
                level=HonorLevel.NATIONAL if national else HonorLevel.CITY,
                year=year,
                recipient_kind=RecipientKind.TEAM,
                organization=org,
                unit_name=org.name.removesuffix("工会"),
                industry=org.industry,
                conferring_body="中华全国总工会" if national else "江州市总工会",
                document_number=_doc(rng, "总工发" if national else "江总发", year),
                source=HonorSource.ROSTER,
                deeds_summary=f"{team}连续多年超额完成任务，班组创新成果在全市推广。",
            )
        )
    return rows


def add_honors(ctx: DemoContext) -> None:
    """The step: regular demo honors (and the benchmark roster with ``--large``)."""
    rows = _honor_rows(ctx)
    db.session.execute(insert(Honor), rows)
    db.session.flush()
    # One honor revoked, to show the rule (DOMAIN.md §25): hidden from the wall, kept on record.
    victim = db.session.scalars(
        select(Honor).where(Honor.level == HonorLevel.CITY).order_by(Honor.id).limit(1)
    ).first()
    if victim is not None:
        revoke_honor(None, victim, "经查事迹材料严重失实（演示数据）")
    ctx.summary.count("荣誉 honors", len(rows))
    if ctx.large:
        ctx.summary.count("荣誉（基准规模）benchmark honors", add_large_roster(ctx))
    bump_version(HONORS_CONTENT)


def add_large_roster(ctx: DemoContext, total: int = 100_000) -> int:
    """100,000 roster honors for ~70,000 people, inserted in bulk (the wall benchmark)."""
    rng = ctx.rng
    orgs = ctx.grassroots or list(db.session.scalars(select(Organization)))
    org_by_id = {org.id: org for org in orgs}
    titles = [t for era in _PERSON_TITLES_BY_ERA.values() for t in era]
    batch = 5_000
    created = 0
    while created < total:
        people_rows = []
        for _ in range(batch * 7 // 10):
            gender = Gender.FEMALE if rng.random() < 0.35 else Gender.MALE
            birth_year = rng.randint(1920, 2000)
            people_rows.append(
                {
                    "name": person_name(rng, gender, choose_ethnicity(rng), birth_year),
                    "gender": gender,
                    "organization_id": rng.choice(orgs).id,
                    "consent_photo": False,
                    "consent_deeds": rng.random() < 0.5,
                }
            )
        ids = list(
            db.session.scalars(
                insert(Person).returning(Person.id, sort_by_parameter_order=True), people_rows
            )
        )
        by_id = dict(zip(ids, people_rows, strict=True))
        honor_rows = []
        for _ in range(min(batch, total - created)):
            pid = rng.choice(ids)
            person = by_id[pid]
            org = org_by_id.get(person["organization_id"])
            title, level, body, prefix = rng.choice(titles)
            year = rng.randint(1950, 2026)
            unit = org.name.removesuffix("工会") if org else None
            values = row_values(
                HonorData(
                    recipient_name=person["name"],
                    title=title,
                    level=level,
                    year=year,
                    unit_name=unit,
                    industry=org.industry if org else None,
                    conferring_body=body or unit,
                    document_number=_doc(rng, prefix, year),
                    source=HonorSource.ROSTER,
                    source_ref="demo:large",
                )
            )
            values["person_id"] = pid
            values["organization_id"] = org.id if org else None
            honor_rows.append(values)
        db.session.execute(insert(Honor), honor_rows)
        created += len(honor_rows)
    db.session.flush()
    return created
