"""The demo's life after the honor (issue #14), run through the care services (all audited).

After the honors and campaigns exist, the admin files every honoree (劳模档案): 江州市总工会's
劳模服务 account ``care`` looks after the whole city, ``care_district`` after 新港区 only. Then:

- one historical honoree has died and one of today's has retired (both dated in the past): the
  wall keeps the deceased one, marked 已故;
- a dozen honorees have care records — yearly health checks at a hospital (their notes are
  health details, never public), 疗休养 stays, 春节 and 五一 visits, one hardship help and one
  allowance — spread so that this year's due lists are neither empty nor everyone;
- 新港区's two-yearly review round is open with some outcomes given (合格, 需关注) and one
  建议撤销;
- that 建议撤销 became a **revocation in progress**: the unit's report on untrue deeds with a
  piece of evidence, submitted, passed on by the nominating union, and now waiting at
  江州市总工会 (同级工会审核) — a 市级 roster honor, not one of the campaign honors the other
  demo checks look at; the honor is still valid and on the wall.

Dates are counted back from today (the services refuse care in the future), so the lists read
the same whichever day the demo is loaded. The step takes a fraction of a second.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest.demo.catalogue import CITY_NAME
from contest.demo.context import DemoContext, DemoError
from contest.extensions import db
from contest.models import (
    CareKind,
    Honor,
    HonoreeFile,
    HonorLevel,
    HonorSource,
    HonorStatus,
    LifeStatus,
    Organization,
    ReviewOutcome,
    ReviewVerdict,
    Revocation,
    User,
)
from contest.services.care import archive, records, reviews, revocations
from contest.services.care.records import RecordData
from contest.services.core.uploads import Upload
from contest.services.honors.validity import today

__all__ = [
    "CITY_CARE",
    "DISTRICT_CARE",
    "DISTRICT_UNION",
    "REVIEW_NAME",
    "add_care",
]

CITY_CARE = "care"
DISTRICT_CARE = "care_district"
DISTRICT_UNION = "江州市新港区总工会"
REVIEW_NAME = "{year}年新港区劳模动态管理复核"
SEED = 20261214

HOSPITALS = (
    "江州市第一人民医院体检中心",
    "江州市中医院健康管理中心",
    "江州市新港区人民医院体检科",
)
RESORTS = ("杭州工人疗休养院", "庐山工人疗养院", "北戴河工人疗养院")
CHECK_NOTES = (
    "血压偏高，建议复查",
    "血脂偏高，建议低脂饮食，三个月后复查血脂",
    "空腹血糖偏高，建议内分泌科随访",
    "腰椎间盘轻度突出，建议理疗，避免久坐",
    "甲状腺结节（3类），建议半年后复查彩超",
    "轻度脂肪肝，建议控制饮食、增加运动",
)
STAY_NOTES = (
    "随江州市劳模疗休养团，七天，身体状况良好",
    "因膝关节术后康复，安排理疗项目",
    "本人有高血压病史，已告知疗养院医务室",
)
VISIT_NOTES = {
    "春节": (
        "上门送去慰问金和年货，老伴身体欠佳，子女在外地工作",
        "春节前走访，本人精神很好，希望多组织劳模进校园活动",
        "家中老人卧床，已联系街道安排居家养老服务",
    ),
    "五一": (
        "到车间走访，本人反映倒班后睡眠不好，已转告单位工会",
        "座谈时提出班组技能培训场地紧张，已转交企业工会研究",
    ),
}
HARDSHIP_NOTE = "配偶患尿毒症长期透析，家庭月收入不足四千元，发放困难帮扶金"
ALLOWANCE_NOTE = "市级劳模荣誉津贴，按年度发放至本人工资卡"
REVIEW_NOTES = {
    ReviewVerdict.OK: "岗位履职良好，继续在班组发挥传帮带作用",
    ReviewVerdict.ATTENTION: (
        "长期病休，已离开生产一线，需关注身体状况和家庭生活",
        "本人涉及一起经济纠纷诉讼，结果未定，需关注",
    ),
}
REVOKE_NOTE = "群众来信反映其申报事迹中的主要技术成果系他人完成，经单位核实基本属实，建议撤销"


def add_care(ctx: DemoContext) -> None:
    """The demo step (after the honors, the accounts and the honor campaigns)."""
    rng = random.Random(SEED)
    admin, city_care, district_care = (
        _user(ctx, name) for name in ("admin", CITY_CARE, DISTRICT_CARE)
    )
    district = ctx.org(DISTRICT_UNION)
    filed = archive.sync_files(admin, None)
    files = list(
        db.session.scalars(
            select(HonoreeFile)
            .options(selectinload(HonoreeFile.person), selectinload(HonoreeFile.care_organization))
            .order_by(HonoreeFile.id)
        )
    )
    honors = _valid_honors(files)
    in_district = [f for f in files if district.contains(f.care_organization)]
    city_top = ctx.org(CITY_NAME)
    elsewhere = [f for f in files if not district.contains(f.care_organization)]
    if len(in_district) < 8 or len(elsewhere) < 12:
        raise DemoError("the care step needs the demo's honors (run the honors step first)")

    suspect = _suspect(in_district, honors)
    _life_events(city_care, city_top, elsewhere, honors)
    cared = [f for f in in_district if f is not suspect][:6] + [
        f for f in elsewhere if f.status is LifeStatus.IN_SERVICE and f.person.organization_id
    ][:6]
    written = sum(
        _care_for(rng, city_care if f in elsewhere else district_care, f, index)
        for index, f in enumerate(cared)
    )
    for number, f in enumerate(cared[:4]):
        archive.update_file(
            district_care if f in in_district else city_care,
            f,
            f.current_unit,
            f"电话 {ctx.identities.mobile()}；家住江州市{_street(number)}",
            f.care_organization,
        )
    case = _review_and_revocation(district_care, district, in_district, suspect, honors)
    ctx.summary.count("劳模档案 honoree files", filed)
    ctx.summary.count("关爱记录 care records", written)
    ctx.summary.notes.append(
        "劳模服务：/care/（care 全市、care_district 新港区）；到期名单 /care/due，"
        f"{DISTRICT_UNION}动态管理复核进行中，一件撤销案（{case.honor.recipient_name}）"
        "待江州市总工会同级审核 /care/revocations"
    )


def _user(ctx: DemoContext, username: str) -> User:
    try:
        return ctx.users[username]
    except KeyError:
        raise DemoError(f"the care step needs the demo account {username!r}") from None


def _valid_honors(files: list[HonoreeFile]) -> dict[int, list[Honor]]:
    """Each filed person's valid honors, oldest first."""
    found: dict[int, list[Honor]] = {}
    people = [f.person_id for f in files]
    for honor in db.session.scalars(
        select(Honor)
        .where(Honor.person_id.in_(people), Honor.status == HonorStatus.VALID)
        .order_by(Honor.year, Honor.id)
    ):
        found.setdefault(honor.person_id, []).append(honor)  # type: ignore[arg-type]
    return found


def _suspect(files: list[HonoreeFile], honors: dict[int, list[Honor]]) -> HonoreeFile:
    """The district honoree whose only honor — a 市级 劳动模范 from the historical roster —
    the review will suggest revoking (never a campaign honor the other demo checks use)."""
    for file in files:
        held = honors.get(file.person_id, [])
        if (
            len(held) == 1
            and held[0].level is HonorLevel.CITY
            and held[0].source is HonorSource.ROSTER
            and "劳动模范" in held[0].title
            and file.person.organization_id is not None
        ):
            return file
    raise DemoError("the care step found no 市级劳动模范 in 新港区 to review")


def _ago(days: int) -> date:
    return today() - timedelta(days=days)


def _this_year(month: int, day: int) -> date:
    """A day of this year, never after today (care in the future is refused)."""
    return min(date(today().year, month, day), today())


def _life_events(
    actor: User, city: Organization, files: list[HonoreeFile], honors: dict[int, list[Honor]]
) -> None:
    """One historical honoree looked after by the city has died; one of today's has retired."""
    elders = [
        f
        for f in files
        if f.care_organization_id == city.id
        and f.person.organization_id is None
        and any(1977 <= h.year < 1990 for h in honors.get(f.person_id, []))
    ]
    workers = [
        f for f in files if f.person.organization_id is not None and f.person.birth_date is not None
    ]
    if not elders or not workers:
        raise DemoError("the care step found no honoree to mark retired or deceased")
    archive.set_status(actor, elders[0], LifeStatus.DECEASED, _ago(400))
    oldest = min(workers, key=lambda f: (f.person.birth_date, f.id))
    birth = oldest.person.birth_date
    assert birth is not None
    sixtieth = date(birth.year + 60, birth.month, min(birth.day, 28))
    archive.set_status(actor, oldest, LifeStatus.RETIRED, min(sixtieth, _ago(120)))


def _care_for(rng: random.Random, actor: User, file: HonoreeFile, index: int) -> int:
    """The care records of the ``index``-th cared-for honoree; returns how many. Two in three
    had this year's health check (the third is due); every third had a 疗休养 stay, one of them
    two years ago (due again); visits for 春节 and 五一; one hardship help, one allowance."""
    year = today().year
    plan: list[RecordData] = []
    checked_on = _this_year(3, 10 + index) if index % 3 != 2 else date(year - 1, 4, 8 + index)
    plan.append(
        RecordData(
            CareKind.HEALTH_CHECK,
            checked_on,
            place=rng.choice(HOSPITALS),
            notes=CHECK_NOTES[index % len(CHECK_NOTES)],
        )
    )
    if index % 3 == 0:
        stay_year = year - 2 if index == 0 else year - index % 2
        plan.append(
            RecordData(
                CareKind.RECUPERATION,
                min(date(stay_year, 9, 12), today()),
                place=RESORTS[index // 3 % len(RESORTS)],
                notes=STAY_NOTES[index // 3 % len(STAY_NOTES)],
            )
        )
    if index % 2 == 0:
        plan.append(_visit("春节", _this_year(1, 20 + index), "家中", index // 2))
    if index % 4 == 1 and date(year, 4, 28) <= today():
        plan.append(_visit("五一", date(year, 4, 28), "单位", index // 4))
    if index == 1:
        plan.append(
            RecordData(CareKind.HARDSHIP, _this_year(6, 18), amount="3000", notes=HARDSHIP_NOTE)
        )
    if index == 2:
        plan.append(
            RecordData(
                CareKind.ALLOWANCE, _this_year(1, 15), amount="1200.00", notes=ALLOWANCE_NOTE
            )
        )
    for data in plan:
        records.add_record(actor, file, data)
    return len(plan)


def _visit(festival: str, day: date, place: str, number: int) -> RecordData:
    notes = VISIT_NOTES[festival]
    return RecordData(
        CareKind.VISIT, day, place=place, festival=festival, notes=notes[number % len(notes)]
    )


def _street(number: int) -> str:
    estates = (
        "港城街道海景花园7栋",
        "滨江街道江岸小区3栋",
        "南门街道建设新村12栋",
        "望湖街道湖畔人家5栋",
    )
    return f"{estates[number % len(estates)]}{number + 2}0{number + 1}室"


def _review_and_revocation(
    actor: User,
    district: Organization,
    files: list[HonoreeFile],
    suspect: HonoreeFile,
    honors: dict[int, list[Honor]],
) -> Revocation:
    """新港区's round with a few outcomes and one 建议撤销, and the case it led to, passed on
    by the nominating union to 江州市总工会."""
    year = today().year
    due_on = max(date(year, 12, 31), today())
    started = reviews.start_round(actor, district, year, REVIEW_NAME.format(year=year), due_on)
    outcomes = {
        o.file_id: o
        for o in db.session.scalars(
            select(ReviewOutcome).where(ReviewOutcome.round_id == started.round.id)
        )
    }
    others = [f for f in files if f is not suspect and f.id in outcomes]
    verdicts = [ReviewVerdict.OK] * 4 + [ReviewVerdict.ATTENTION] * 2
    for number, (file, verdict) in enumerate(zip(others, verdicts, strict=False)):
        if verdict is ReviewVerdict.OK:
            note = REVIEW_NOTES[ReviewVerdict.OK] if number == 0 else None
        else:
            note = REVIEW_NOTES[ReviewVerdict.ATTENTION][number % 2]
        reviews.record_outcome(actor, outcomes[file.id], verdict, note)
    outcome = reviews.record_outcome(actor, outcomes[suspect.id], ReviewVerdict.REVOKE, REVOKE_NOTE)

    honor = honors[suspect.person_id][0]
    name, unit = suspect.person.name, suspect.current_unit or "所在单位"
    facts = (
        f"{name}于{honor.year}年被授予江州市劳动模范称号。申报事迹称其主持完成“关键工序工装改进”，"
        f"年节约成本三百余万元。今年群众来信反映该成果系班组集体完成、主要完成人为他人。经{unit}"
        "调取当年技术革新档案、走访班组职工七人，确认其本人并非主要完成人，申报材料严重失实。"
        "本人对核查结论无异议。"
    )
    case = revocations.open_case(actor, honor, "untrue", facts, outcome=outcome)
    revocations.add_evidence(
        actor, case, Upload(f"{unit}关于{name}事迹核查情况的说明.pdf", _evidence_pdf())
    )
    revocations.submit(actor, case, "经单位工会委员会研究，同意上报。")
    revocations.forward(actor, case, "经核实，情况属实，同意转报市总工会。")
    return case


def _evidence_pdf() -> bytes:
    """A one-page PDF standing in for the scanned 情况说明 (Latin text: no font to load)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="Demo evidence: statement of the unit (scan)")
    return bytes(pdf.output())
