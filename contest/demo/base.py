"""The base demo: the 江州市 union tree, its workers and one account per role.

Organisations and accounts go through the services (the tree's ``path`` and the password
hashing are theirs to get right); the two thousand workers are built as ORM objects and
flushed in batches, because one audited ``create_person`` per worker would turn a
seconds-long load into minutes and bury the audit trail under demo noise. ``load_demo``
writes one ``demo.load`` entry that accounts for all of it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from stdnum.cn import uscc

from contest.demo.catalogue import (
    CITY_NAME,
    CITY_REGION,
    CITY_SHORT,
    DISTRICTS,
    INDUSTRIES,
    INDUSTRY_UNIONS,
    LADDERS,
    SIZES,
    UNION_STAFF_POSTS,
    UNITS,
    District,
    Industry,
    Occupation,
    Unit,
    head_titles,
    township_union_name,
)
from contest.demo.context import DemoContext, DemoLogin
from contest.demo.names import HAN, choose_ethnicity, person_name
from contest.demo.numbers import HOME_PROVINCE, province_for
from contest.extensions import db
from contest.models import Gender, Organization, OrgKind, Ownership, Person, Role, WorkerCategory
from contest.models.base import utcnow
from contest.services.core.orgs import add_organization
from contest.services.core.users import create_user

__all__ = ["DEMO_ACCOUNTS", "add_accounts", "add_workers", "build_union_tree"]

REFERENCE_YEAR = 2026  # ages (and so 技能等级) are computed against this, not today's date
BATCH = 500  # people per flush: large enough to be fast, small enough to keep memory flat

# (role, username, password, organisation, display name). Fixed, so README can list them;
# they are printed by ``contest demo`` and must be changed before any real use.
DEMO_ACCOUNTS: tuple[tuple[Role, str, str, str | None, str], ...] = (
    (Role.ADMIN, "admin", "demo-admin-2026", None, "平台管理员"),
    (Role.ORGANIZER, "organizer", "demo-organizer-2026", CITY_NAME, "周建华"),
    (Role.ORGANIZER, "organizer_linjiang", "demo-linjiang-2026", "江州市临江区总工会", "陈晓燕"),
    (Role.JUDGE, "judge", "demo-judge-2026", "江州技师学院工会", "李国栋"),
    (
        Role.RECOMMENDER,
        "recommender",
        "demo-recommender-2026",
        "江州重型机械有限公司工会",
        "王秀兰",
    ),
    (Role.REVIEWER, "reviewer", "demo-reviewer-2026", CITY_NAME, "刘振华"),
    # 劳模服务: the city's, and 新港区's (scoped to its subtree; see contest/demo/care.py).
    (Role.CARE, "care", "demo-care-2026", CITY_NAME, "吴晓梅"),
    (Role.CARE, "care_district", "demo-care-district-2026", "江州市新港区总工会", "郑丽"),
)

_KIND_LABELS = {
    OrgKind.CITY: "市总工会 city federation",
    OrgKind.DISTRICT: "区县总工会 district unions",
    OrgKind.TOWNSHIP: "乡镇（街道）工会 township unions",
    OrgKind.INDUSTRY: "产业工会 industry unions",
    OrgKind.GRASSROOTS: "基层工会 enterprise unions",
}


def _add(
    ctx: DemoContext,
    kind: OrgKind,
    name: str,
    parent: Organization | None,
    code: str,
    *,
    industry: str | None = None,
    region: str | None = None,
    short_name: str | None = None,
    **profile: Any,
) -> Organization:
    org = add_organization(
        None,
        name=name,
        kind=kind,
        parent=parent,
        short_name=short_name,
        industry=industry,
        region=region,
        code=code,
        audited=False,
        **profile,
    )
    ctx.orgs[name] = org
    ctx.summary.count(_KIND_LABELS[kind], 1)
    return org


def build_union_tree(ctx: DemoContext) -> None:
    """市总 → 区县总 → 街道/镇 → 基层, plus the city's 产业工会 (schools, hospitals, transport)."""
    city = _add(ctx, OrgKind.CITY, CITY_NAME, None, "JZ", region=CITY_REGION, short_name=CITY_SHORT)
    for district in DISTRICTS:
        union = _add(
            ctx,
            OrgKind.DISTRICT,
            district.union_name,
            city,
            f"JZ-{district.number:02d}",
            region=district.name,
            short_name=f"{district.name}总工会",
        )
        for index, township in enumerate(district.townships, start=1):
            _add(
                ctx,
                OrgKind.TOWNSHIP,
                township_union_name(district, township),
                union,
                f"JZ-{district.number:02d}-{index:02d}",
                region=district.name,
                short_name=township,
            )
    for index, branch in enumerate(INDUSTRY_UNIONS, start=1):
        _add(
            ctx,
            OrgKind.INDUSTRY,
            branch.name,
            city,
            f"JZ-I{index}",
            industry=branch.industry,
            region=CITY_REGION,
            short_name=branch.name.removeprefix("江州市"),
        )
    for index, unit in enumerate(UNITS, start=1):
        org = _add(
            ctx,
            OrgKind.GRASSROOTS,
            unit.name,
            _parent_of(ctx, unit),
            f"JZ-G{index:03d}",
            industry=unit.industry,
            region=unit.district,
            short_name=unit.short_name,
            **unit_profile(unit, index),
        )
        ctx.grassroots.append(org)


# The demo's 所有制: hospitals and schools are 事业单位; these named enterprises are 集体.
_COLLECTIVE_UNITS = ("江州化肥有限公司工会", "云溪县供电服务有限公司工会")
_STATE_INDUSTRIES = ("电力", "交通运输")
_KEY_INDUSTRIES = ("制造业", "汽车", "电力", "化工")
_HEADCOUNT_BASE = {"L": 1800, "M": 420, "S": 60}
COUNTED_ON = date(2026, 6, 30)


def demo_credit_code(index: int, *, public_sector: bool) -> str:
    """A 统一社会信用代码 with a correct check character (GB 32100), unique per demo unit:
    登记管理部门 9 (市场监管) or 1 (机构编制), 类别, 行政区划 360100, a made-up 组织机构代码."""
    head = "12" if public_sector else "91"
    body = f"{head}360100MA{index:07d}"
    return body + uscc.calc_check_digit(body)


def unit_profile(unit: Unit, index: int) -> dict[str, Any]:
    """Employer, ownership, credit code and the 2026 mid-year headcount of a demo 基层工会."""
    public_sector = unit.industry in ("医疗卫生", "教育")
    if public_sector:
        ownership = Ownership.PUBLIC_SECTOR
    elif unit.name in _COLLECTIVE_UNITS:
        ownership = Ownership.COLLECTIVE
    elif "集团" in unit.name or unit.industry in _STATE_INDUSTRIES:
        ownership = Ownership.STATE
    else:
        ownership = Ownership.NON_PUBLIC
    headcount = _HEADCOUNT_BASE[unit.size] + (index * 37) % 300
    is_federation = unit.head is None  # a 行业工会联合会 has no employer of its own
    return {
        "employer": None if is_federation else unit.name.removesuffix("工会"),
        "credit_code": None
        if is_federation
        else demo_credit_code(index, public_sector=public_sector),
        "ownership": None if is_federation else ownership,
        "is_key_industry": unit.industry in _KEY_INDUSTRIES,
        "headcount": headcount,
        "member_count": headcount - (index * 13) % max(headcount // 10, 1),
        "counted_on": COUNTED_ON,
    }


def _district(name: str) -> District:
    return next(d for d in DISTRICTS if d.name == name)


def _parent_of(ctx: DemoContext, unit: Unit) -> Organization:
    district = _district(unit.district)
    if unit.parent == "city":
        return ctx.org(CITY_NAME)
    if unit.parent == "district":
        return ctx.org(district.union_name)
    if unit.parent == "industry":
        branch = next(b for b in INDUSTRY_UNIONS if b.industry == unit.industry)
        return ctx.org(branch.name)
    return ctx.org(township_union_name(district, unit.parent))


# ---------------------------------------------------------------- workers


def _level(ctx: DemoContext, ladder: str, birth: date) -> str:
    """A rung of ``ladder`` that rises with age; the top rungs stay rare, as they are in life
    (a 高级技师 or 正高级教师 is someone a contest or a nomination would single out)."""
    rungs = LADDERS[ladder]
    career = min(max((REFERENCE_YEAR - birth.year - 22) / 38, 0.0), 1.0)
    position = career * (len(rungs) - 1) * 0.7 + ctx.rng.gauss(0, 0.75)
    return rungs[min(max(round(position), 0), len(rungs) - 1)]


def _new_person(
    ctx: DemoContext,
    org: Organization,
    district: District,
    *,
    gender: Gender,
    category: WorkerCategory,
    migrant: bool = False,
    earliest: date = date(1965, 1, 1),
    latest: date = date(2003, 12, 31),
) -> Person:
    """A person with name, 民族, birth date and personal numbers that agree with each other."""
    rng = ctx.rng
    ethnicity = choose_ethnicity(rng)
    birth = ctx.identities.birth_date(earliest, latest)
    province = province_for(rng, ethnicity, migrant)
    area = district.number if province == HOME_PROVINCE and not migrant else rng.randint(1, 9)
    person = Person(
        name=person_name(rng, gender, ethnicity, birth.year),
        gender=gender,
        ethnicity=ethnicity,
        birth_date=birth,
        organization_id=org.id,
        category=category,
        consent_photo=rng.random() < 0.65,
        consent_deeds=rng.random() < 0.8,
    )
    person.set_id_number(ctx.identities.id_number(province, area, birth, gender))
    person.set_phone(ctx.identities.mobile())
    if person.consent_photo or person.consent_deeds:
        person.consent_recorded_at = utcnow()
    return person


def _worker(
    ctx: DemoContext,
    org: Organization,
    unit: Unit,
    industry: Industry,
    occupations: tuple[Occupation, ...],
) -> Person:
    rng = ctx.rng
    occupation = rng.choices(occupations, weights=[o.weight for o in occupations])[0]
    gender = Gender.FEMALE if rng.random() < occupation.female_share else Gender.MALE
    category = occupation.category or industry.category
    migrant = (
        category in (WorkerCategory.INDUSTRIAL, WorkerCategory.FRONTLINE)
        and rng.random() < industry.migrant_share
    )
    if migrant:
        category = WorkerCategory.MIGRANT
    # Doctors and university teachers start after long studies.
    long_study = occupation.ladder in ("doctor", "lecturer")
    latest = date(1998, 12, 31) if long_study else date(2003, 12, 31)
    person = _new_person(
        ctx,
        org,
        _district(unit.district),
        gender=gender,
        category=category,
        migrant=migrant,
        latest=latest,
    )
    person.occupation = occupation.name
    # Many 农民工 have never sat a skills assessment; some others lack a certificate too.
    uncertified = 0.35 if migrant else 0.06
    if occupation.ladder != "skill" or rng.random() >= uncertified:
        person.skill_level = _level(ctx, occupation.ladder, person.birth_date or latest)
    department = rng.choice(occupation.departments or industry.departments)
    is_lead = rng.random() < 0.08 and REFERENCE_YEAR - (person.birth_date or latest).year >= 30
    title = occupation.lead if is_lead else (occupation.post_title or occupation.name)
    person.post = f"{department}{title}"
    return person


def _head(ctx: DemoContext, org: Organization, unit: Unit) -> Person | None:
    if unit.head is None:
        return None
    gender = Gender.FEMALE if ctx.rng.random() < 0.25 else Gender.MALE
    person = _new_person(
        ctx,
        org,
        _district(unit.district),
        gender=gender,
        category=WorkerCategory.ENTERPRISE_HEAD,
        latest=date(1981, 12, 31),
    )
    person.post = unit.head
    person.skill_level = ctx.rng.choice(head_titles(unit))
    return person


def _union_staff(
    ctx: DemoContext, org: Organization, district: District, count: int
) -> list[Person]:
    staff = []
    for post in ctx.rng.sample(UNION_STAFF_POSTS, count):
        gender = Gender.FEMALE if ctx.rng.random() < 0.5 else Gender.MALE
        person = _new_person(
            ctx,
            org,
            district,
            gender=gender,
            category=WorkerCategory.OFFICIAL,
            latest=date(1996, 12, 31),
        )
        person.post = post
        staff.append(person)
    return staff


def add_workers(ctx: DemoContext) -> None:
    """Two thousand and more workers across the 基层工会, plus union staff and unit heads."""
    pending: list[Person] = []

    def keep(people: list[Person]) -> None:
        pending.extend(people)
        ctx.people.extend(people)
        if len(pending) >= BATCH:
            flush()

    def flush() -> None:
        db.session.add_all(pending)
        db.session.flush()
        pending.clear()

    city_district = _district("临江区")  # the city union's offices
    keep(_union_staff(ctx, ctx.org(CITY_NAME), city_district, 4))
    for district in DISTRICTS:
        keep(_union_staff(ctx, ctx.org(district.union_name), district, 2))
    for unit, org in zip(UNITS, ctx.grassroots, strict=True):
        industry = INDUSTRIES[unit.industry]
        occupations = unit.occupations or industry.occupations
        head = _head(ctx, org, unit)
        keep([head] if head is not None else [])
        size = ctx.rng.randint(*SIZES[unit.size])
        keep([_worker(ctx, org, unit, industry, occupations) for _ in range(size)])
    flush()

    ctx.summary.count("职工 workers", len(ctx.people))
    women = sum(1 for p in ctx.people if p.gender is Gender.FEMALE)
    minorities = sum(1 for p in ctx.people if p.ethnicity != HAN)
    migrants = sum(1 for p in ctx.people if p.category is WorkerCategory.MIGRANT)
    ctx.summary.notes.append(
        f"职工中女职工 {women:,} 人、少数民族 {minorities:,} 人、农民工 {migrants:,} 人 "
        f"(of the workers: {women:,} women, {minorities:,} ethnic minorities, "
        f"{migrants:,} migrant workers)"
    )


# ---------------------------------------------------------------- accounts


def add_accounts(ctx: DemoContext) -> None:
    """One login per role (two organizers: the city's and a district's, to show scoping)."""
    for role, username, password, org_name, display_name in DEMO_ACCOUNTS:
        org = ctx.org(org_name) if org_name else None
        user = create_user(None, username, password, role, org, display_name)
        ctx.users[username] = user
        ctx.summary.logins.append(
            DemoLogin(str(role.label), username, password, org_name or "（全部组织 all）")
        )
    ctx.summary.count("账号 accounts", len(DEMO_ACCOUNTS))
