"""The demo's skills contests, run through the same services the pages use.

Two contests of 江州市总工会: a published one (registration → draws → panels → scoring →
re-check → sign-off → publication, with certificates and the titles on the honor wall) and
one in the middle of judging (some sheets submitted, some drafts, some not started), where the
demo judge is chief judge.  Going through the services means the demo exercises every rule a
real contest meets, and the audit trail shows a real history.

``--large`` adds the benchmark's published contest: 10,000 competitors across 10 events,
written in bulk (entrants, locked sheets, marks) and then published through
``contest.services.skills.publishing.publish`` like any other.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, update

from contest.demo.base import CITY_NAME
from contest.demo.context import DemoContext
from contest.demo.names import choose_ethnicity, person_name
from contest.extensions import db
from contest.models import (
    Appeal,
    Aspect,
    AspectKind,
    Contest,
    ContestStatus,
    Entry,
    EntryStatus,
    Event,
    EventGroup,
    Gender,
    HonorLevel,
    Mark,
    Organization,
    OrgKind,
    PanelMember,
    Person,
    Role,
    ScoreSheet,
    SheetStatus,
    User,
)
from contest.models.base import CHINA, as_utc
from contest.services.core import audit
from contest.services.core.users import create_user
from contest.services.skills import (
    appeals,
    arbitration,
    draws,
    judging,
    panels,
    publishing,
    recheck,
    registration,
    signoff,
    turnout,
)
from contest.services.skills import contests as contest_service
from contest.services.skills import rubric_templates as templates
from contest.services.skills import status as status_service

JUDGE_PASSWORD = "demo-judge-2026"  # the panel's other judges share the demo judge's password
# (username, display name, organisation): judges from several units, so recusal has work to do.
PANEL_JUDGES = (
    ("judge_wang", "王建军", "江州市临江区总工会"),
    ("judge_zhao", "赵丽萍", "江州市总工会"),
    ("judge_sun", "孙志强", "江州技师学院工会"),
    ("judge_qian", "钱文博", "江州市总工会"),
)
# The contest's arbitration panel (仲裁组): judge accounts on no judging panel, so they may
# decide every event's appeals; they share the judges' password.
ARBITERS = (
    ("arbiter_liu", "刘振华", "江州市总工会"),
    ("arbiter_chen", "陈淑芬", "江州技师学院工会"),
)
DEFAULT_POLICY = {
    "method": "trimmed",
    "trim": 1,
    "awards": [
        {"name": "一等奖", "share": 0.1},
        {"name": "二等奖", "share": 0.2},
        {"name": "三等奖", "share": 0.3},
    ],
    "titles": [{"name": "江州市技术能手", "best": 1, "worst": 3}],
    "tie_breaks": ["component:practical", "time"],
}


# Event B of the published contest shows the rest of DOMAIN §1: fixed prizes then 优胜奖 for the
# rest of the top half, the standardised 700 scale as its own column, and the champion put
# forward for the 五一劳动奖章 (a recommendation, not an honor on the wall).
SHOWCASE_POLICY = {
    **DEFAULT_POLICY,
    "awards": [
        {"name": "一等奖", "count": 1},
        {"name": "二等奖", "count": 1},
        {"name": "三等奖", "count": 1},
        {"name": "优胜奖", "upto": 0.5},
    ],
    "titles": [
        {"name": "五一劳动奖章", "best": 1, "worst": 1, "recommend": True},
        {"name": "江州市技术能手", "best": 1, "worst": 3},
    ],
    "scale": {"centre": 700, "width": 100},
}


@dataclass
class _Ability:
    """A competitor's latent skill and a judge's leniency make marks that look real."""

    rng: random.Random

    def mark(self, aspect: Aspect, skill: float, leniency: float) -> Decimal:
        share = min(max(skill + leniency + self.rng.gauss(0, 0.06), 0.0), 1.0)
        if aspect.kind is AspectKind.JUDGEMENT:
            return Decimal(round(share * (aspect.scale or 3)))
        if aspect.kind is AspectKind.DEDUCTION:
            share = 1.0 - share  # good competitors lose few points
            share = share * 0.4
        step = Decimal(aspect.step)
        steps = math.floor(share * float(aspect.max_points) / float(step))
        return min(step * steps, Decimal(aspect.max_points))


def add_contests(ctx: DemoContext) -> None:
    """Both demo contests (and, with ``--large``, the benchmark contest)."""
    organizer = ctx.users["organizer"]
    chief = ctx.users["judge"]
    judges = [chief, *_panel_judges(ctx)]
    arbiters = _arbiters(ctx)
    published = _published_contest(ctx, organizer, judges, arbiters)
    judging_contest = _judging_contest(ctx, organizer, judges)
    for arbiter in arbiters:
        arbitration.add_arbitrator(organizer, judging_contest, arbiter)
    door = _check_in_contest(ctx, organizer)
    ctx.summary.count("技能大赛 contests", 3)
    ctx.summary.notes.append(
        f"技能大赛：「{published.name}」已公布成绩与证书；「{judging_contest.name}」评分进行中，"
        f"评委 judge 为裁判长（skills contests: one published with certificates, one mid-judging）"
    )
    ctx.summary.notes.append(
        f"「{door.name}」正在检录：在「报名与检录」页按姓名、身份证号后 4 位或参赛号查找并检录 "
        f"(one contest mid check-in: the entries page is the door's desk)"
    )
    others = "、".join(username for username, _display, _org in PANEL_JUDGES)
    ctx.summary.notes.append(
        f"评委组其他评委 {others} 的密码与 judge 相同 "
        f"(the other panel judges share the judge's password)"
    )
    ctx.summary.notes.append(
        "仲裁组 arbiter_liu、arbiter_chen（密码与 judge 相同）在「申诉仲裁」裁决申诉 "
        "(the arbitration panel decides appeals; same password as judge)"
    )
    if ctx.large:
        entrants = add_large_contest(ctx, organizer)
        ctx.summary.count("基准大赛选手 benchmark competitors", entrants)


def _panel_judges(ctx: DemoContext) -> list[User]:
    made = []
    for username, display, org_name in PANEL_JUDGES:
        user = create_user(None, username, JUDGE_PASSWORD, Role.JUDGE, ctx.org(org_name), display)
        ctx.users[username] = user
        made.append(user)
    return made


def _arbiters(ctx: DemoContext) -> list[User]:
    made = []
    for username, display, org_name in ARBITERS:
        user = create_user(None, username, JUDGE_PASSWORD, Role.JUDGE, ctx.org(org_name), display)
        ctx.users[username] = user
        made.append(user)
    return made


def _entrants(ctx: DemoContext, count: int, taken: set[int]) -> list[Person]:
    """Workers aged 20–55 with an ID number from the enterprise unions, at most 3 per unit."""
    rows = db.session.execute(
        select(Person.id, Person.organization_id, Person.birth_date)
        .join(Organization, Person.organization_id == Organization.id)
        .where(Person.id_number_hash.is_not(None), Organization.kind == OrgKind.GRASSROOTS)
        .order_by(Person.id)
    ).all()
    ctx.rng.shuffle(rows)
    per_unit: dict[int, int] = {}
    chosen: list[Person] = []
    for person_id, org_id, birth in rows:
        age = 2026 - birth.year if birth else 30
        if person_id in taken or per_unit.get(org_id, 0) >= 3 or not 20 <= age <= 55:
            continue
        per_unit[org_id] = per_unit.get(org_id, 0) + 1
        taken.add(person_id)
        person = db.session.get(Person, person_id)
        assert person is not None
        chosen.append(person)
        if len(chosen) == count:
            break
    return chosen


def _set_up(
    ctx: DemoContext,
    organizer: User,
    name: str,
    starts: date,
    events: list[tuple[str, str, str]],
    teams: dict[str, int] | None = None,
) -> Contest:
    """Contest, events with theory 30 / practical 70 and a built-in rubric, policy; ``teams``:
    the team events' codes and their team size (团体项目)."""
    host = ctx.org(CITY_NAME)
    contest = contest_service.create_contest(
        organizer,
        contest_service.ContestData(
            name=name,
            level=HonorLevel.CITY,
            year=starts.year,
            organization=host,
            starts_on=starts,
            ends_on=starts + timedelta(days=1),
            conferring_body=CITY_NAME,
            description="由江州市总工会、江州市人力资源和社会保障局联合主办。",
        ),
    )
    for code, occupation, template in events:
        event = contest_service.create_event(
            organizer,
            contest,
            contest_service.EventData(
                code=code,
                occupation=occupation,
                group=EventGroup.WORKER,
                team_min=(teams or {}).get(code),
                team_max=(teams or {}).get(code),
            ),
        )
        contest_service.save_components(
            organizer,
            event,
            [
                contest_service.ComponentRow("theory", Decimal(30), Decimal(60)),
                contest_service.ComponentRow("practical", Decimal(70), Decimal(60)),
            ],
        )
        db.session.refresh(event)
        for component in event.components:
            ref = "builtin:cn100" if component.key == "theory" else f"builtin:{template}"
            templates.apply_template(organizer, component, ref)
        event.policy = dict(DEFAULT_POLICY)
    db.session.flush()
    status_service.transition(organizer, contest, ContestStatus.REGISTRATION)
    return contest


def _register(
    ctx: DemoContext, organizer: User, contest: Contest, per_event: int, taken: set[int]
) -> None:
    for event in contest.events:
        if event.is_team:
            # Twice the people: enough teams that the award bands give each of them a place.
            _register_teams(ctx, organizer, contest, event, per_event * 2, taken)
            continue
        for person in _entrants(ctx, per_event, taken):
            registration.register_entry(
                organizer,
                contest,
                registration.EntrantData(
                    name=person.name,
                    id_number=person.reveal_id_number() or "",
                    organization_id=person.organization_id,
                    event_id=event.id,
                    gender=person.gender,
                ),
            )
        draws.draw_entry_codes(organizer, event, seed=f"demo-{contest.year}-{event.code}-entry")


def _register_teams(
    ctx: DemoContext,
    organizer: User,
    contest: Contest,
    event: Event,
    people: int,
    taken: set[int],
) -> None:
    """Teams of ``event.team_max`` workers of one unit each, ``people`` in all, named for
    their unit; the first member is the captain."""
    size = event.team_max or 3
    by_unit: dict[int, list[Person]] = {}
    for person in _entrants(ctx, people * 4, set(taken)):
        by_unit.setdefault(person.organization_id, []).append(person)
    made = 0
    for unit_id, members in by_unit.items():
        if len(members) < size or made + size > people:
            continue
        members = members[:size]
        taken.update(p.id for p in members)
        unit = db.session.get(Organization, unit_id)
        short = (unit.short_name or unit.name).removesuffix("工会") if unit else ""
        registration.register_team(
            organizer,
            contest,
            registration.TeamData(
                team_name=f"{short}代表队",
                organization_id=unit_id,
                event_id=event.id,
                members=[
                    registration.EntrantData(
                        name=p.name,
                        id_number=p.reveal_id_number() or "",
                        organization_id=unit_id,
                        event_id=event.id,
                        gender=p.gender,
                    )
                    for p in members
                ],
            ),
        )
        made += size
    draws.draw_entry_codes(organizer, event, seed=f"demo-{contest.year}-{event.code}-entry")


def _panels(organizer: User, contest: Contest, judges: list[User]) -> None:
    for event in contest.events:
        for judge in judges:
            panels.add_judge(organizer, event, judge, chief=judge is judges[0])
        panels.assign(organizer, event, panels.AssignMode.ALL)


def _check_in(organizer: User, contest: Contest, absent: int = 0) -> None:
    """Everyone checks in but the first ``absent`` of each event: in event A they simply do not
    come (marked 缺考 when registration closes, :func:`_close_registration`), elsewhere they
    withdrew beforehand (退赛)."""
    for event in contest.events:
        entries = draws.entry_list(event)
        for index, entry in enumerate(entries):
            if index >= absent:
                draws.check_in(organizer, entry)
            elif event.code != "A":
                registration.withdraw_entry(organizer, entry, "赛前退赛")
        draws.draw_seat_codes(organizer, event, seed=f"demo-{contest.year}-{event.code}-seat")


def _close_registration(organizer: User, contest: Contest) -> None:
    """Into 比赛评分, answering the closing question: whoever did not check in is 缺考."""
    found = turnout.questions(contest)
    answers = turnout.Answers(turnout.answer_key(found), turnout.NoShowChoice.ABSENT.value)
    status_service.transition(organizer, contest, ContestStatus.JUDGING, answers=answers)


def _score(ctx: DemoContext, contest: Contest, judges: list[User], share_done: float = 1.0) -> None:
    """Every judge scores their assigned entries; ``share_done`` < 1 leaves work to do."""
    ability = _Ability(ctx.rng)
    leniency = {judge.id: ctx.rng.gauss(0, 0.04) for judge in judges}
    for event in contest.events:
        sheets = {judge.id: judging.responsible_aspects(judge, event) for judge in judges}
        for entry in draws.seat_list(event):
            skill = min(max(ctx.rng.gauss(0.72, 0.12), 0.2), 0.98)
            entry.time_seconds = Decimal(ctx.rng.randint(5400, 7200))
            for judge in judges:
                if judging.refusal(judge, entry) is not None:
                    continue  # recused or not assigned
                roll = ctx.rng.random()
                if roll > share_done:
                    continue
                values = {
                    aspect.key: ability.mark(aspect, skill, leniency[judge.id])
                    for aspect in sheets[judge.id]
                }
                submit = roll < share_done * 0.8 or share_done >= 1.0
                judging.save_sheet(judge, entry, values, submit=submit, expected_version=None)


def _published_contest(
    ctx: DemoContext, organizer: User, judges: list[User], arbiters: list[User]
) -> Contest:
    contest = _set_up(
        ctx,
        organizer,
        "2026年江州市职工职业技能大赛",
        date(2026, 9, 15),
        [
            ("A", "数控车工", "cn100"),
            ("B", "电工", "worldskills"),
            ("C", "电梯安装维修工", "worldskills"),
            ("D", "钳工", "cn100"),
        ],
        # 团体项目: teams of three; C's scored as one, D's members each on their own sheets
        teams={"C": 3, "D": 3},
    )
    next(e for e in contest.events if e.code == "B").policy = dict(SHOWCASE_POLICY)
    # Few teams: fixed prize counts (DOMAIN §1.10 [L]) rather than shares that round to nothing.
    team_awards = [
        {"name": "一等奖", "count": 1},
        {"name": "二等奖", "count": 2},
        {"name": "三等奖", "count": 3},
    ]
    next(e for e in contest.events if e.code == "C").policy = {
        **DEFAULT_POLICY,
        "awards": team_awards,
    }
    # 团体成绩 = 成员成绩之和: the team ranks by its members' totals added up.
    next(e for e in contest.events if e.code == "D").policy = {
        **DEFAULT_POLICY,
        "awards": team_awards,
        "team_total": "sum",
    }
    taken: set[int] = set()
    _register(ctx, organizer, contest, 12, taken)
    _panels(organizer, contest, judges)
    for arbiter in arbiters:
        arbitration.add_arbitrator(organizer, contest, arbiter)
    _check_in(organizer, contest, absent=1)
    _close_registration(organizer, contest)
    _score(ctx, contest, judges)
    ended = _china(date(2026, 9, 16), 17)
    for event in contest.events:
        event.ended_at = ended
    status_service.transition(organizer, contest, ContestStatus.REVIEW)
    chief = judges[0]
    for event in contest.events:
        items = recheck.build_recheck(chief, event, seed=2026)
        for item in items:
            recheck.record_check(chief, item, errors_found=0, note="复核无误")
        if event.code == "A":
            entry = draws.seat_list(event)[2]
            appeal = appeals.record_appeal(
                organizer,
                event,
                entry_code=entry.code or "",
                appellant="选手本人",
                content="认为实操零件尺寸测量有误，申请复核。",
                received_at=ended + timedelta(minutes=50),
            )
            appeals.decide_appeal(
                arbiters[0],
                appeal,
                upheld=False,
                reason="仲裁组复测零件尺寸，与原测量结果一致，维持原成绩。",
            )
        signoff.sign_off(chief, event)
    _date_the_day(contest)
    publishing.publish(organizer, contest)
    return contest


def _judging_contest(ctx: DemoContext, organizer: User, judges: list[User]) -> Contest:
    contest = _set_up(
        ctx,
        organizer,
        "2026年江州市焊工职业技能竞赛",
        date(2026, 11, 20),
        [("W", "焊工", "worldskills")],
    )
    taken = _entered_elsewhere(contest)
    _register(ctx, organizer, contest, 15, taken)
    _panels(organizer, contest, judges[:3])
    status_service.transition(organizer, contest, ContestStatus.JUDGING)
    _check_in(organizer, contest)
    _score(ctx, contest, judges[:3], share_done=0.6)
    _date_the_day(contest)
    return contest


def _entered_elsewhere(contest: Contest) -> set[int]:
    """People already entered in another demo contest (each contest draws fresh entrants)."""
    return set(db.session.scalars(select(Entry.person_id).where(Entry.contest_id != contest.id)))


def _check_in_contest(ctx: DemoContext, organizer: User) -> Contest:
    """A contest on its morning: 参赛号 drawn and the door part way through 检录 (7 of 20), so
    the 报名与检录 page's desk has entrants to search, check in and count."""
    contest = _set_up(
        ctx,
        organizer,
        "2026年江州市电工职业技能竞赛",
        date(2026, 12, 18),
        [("E", "电工", "worldskills")],
    )
    taken = _entered_elsewhere(contest)
    _register(ctx, organizer, contest, 20, taken)
    for entry in draws.entry_list(contest.events[0])[:7]:
        draws.check_in(organizer, entry)
    _date_the_day(contest)
    return contest


def _china(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in China on ``day``, as the UTC datetime the database keeps."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA).astimezone(UTC)


def _date_the_day(contest: Contest) -> None:
    """Move what the services stamped "now" (draws, check-in, decisions, sign-off) onto the
    contest's own days in China time, so the demo's event times lie within its dates."""
    first, last = contest.starts_on, contest.ends_on
    assert first is not None and last is not None
    for event in contest.events:
        if event.entry_drawn_at:
            event.entry_drawn_at = _china(first, 8)
        if event.seat_drawn_at:
            event.seat_drawn_at = _china(first, 8, 15)
        if event.signed_off_at:
            event.signed_off_at = _china(last, 20)
        for appeal in db.session.scalars(select(Appeal).where(Appeal.event_id == event.id)):
            if appeal.decided_at:
                appeal.decided_at = as_utc(appeal.received_at) + timedelta(minutes=40)
    db.session.execute(
        update(Entry)
        .where(Entry.contest_id == contest.id, Entry.checked_in_at.is_not(None))
        .values(checked_in_at=_china(first, 8, 30))
    )


# ---------------------------------------------------------------- benchmark scale

LARGE_EVENTS = (
    ("A", "数控车工"),
    ("B", "电工"),
    ("C", "焊工"),
    ("D", "钳工"),
    ("E", "汽车维修工"),
    ("F", "电子商务师"),
    ("G", "养老护理员"),
    ("H", "中式烹调师"),
    ("J", "起重装卸机械操作工"),
    ("K", "网络与信息安全管理员"),
)


def add_large_contest(ctx: DemoContext, organizer: User, per_event: int = 1000) -> int:
    """A published contest of ``per_event`` × 10 competitors, written in bulk, then published.

    Entrants, sheets and marks go straight to the tables, each sheet's submission audited in
    one bulk INSERT per event (the services would write 450,000 marks and 30,000 entries one by
    one); the rubric, the sign-off state and the publication are the real ones.
    """
    rng = ctx.rng
    contest = _set_up(
        ctx,
        organizer,
        "2025年江州市百万职工技能大比武",
        date(2025, 10, 10),
        [(code, occupation, "worldskills") for code, occupation in LARGE_EVENTS],
    )
    units = ctx.grassroots
    judges = [
        create_user(None, f"bench_judge{n}", JUDGE_PASSWORD, Role.JUDGE, ctx.org(CITY_NAME))
        for n in range(1, 4)
    ]
    drawn = _china(date(2025, 10, 10), 8)
    total = 0
    for event in contest.events:
        people = []
        for _ in range(per_event):
            gender = Gender.FEMALE if rng.random() < 0.3 else Gender.MALE
            people.append(
                {
                    "name": person_name(
                        rng, gender, choose_ethnicity(rng), rng.randint(1971, 2004)
                    ),
                    "gender": gender,
                    "organization_id": rng.choice(units).id,
                    "occupation": event.occupation,
                    "consent_photo": False,
                    "consent_deeds": False,
                }
            )
        person_ids = list(
            db.session.scalars(
                insert(Person).returning(Person.id, sort_by_parameter_order=True), people
            )
        )
        entry_rows = [
            {
                "contest_id": contest.id,
                "event_id": event.id,
                "person_id": pid,
                "organization_id": row["organization_id"],
                "status": EntryStatus.CHECKED_IN,
                "checked_in_at": drawn,
                "time_seconds": Decimal(rng.randint(5400, 7200)),
                "created_at": drawn,
                "updated_at": drawn,
            }
            for pid, row in zip(person_ids, people, strict=True)
        ]
        entry_ids = list(
            db.session.scalars(
                insert(Entry).returning(Entry.id, sort_by_parameter_order=True), entry_rows
            )
        )
        # Both draws as the draw service makes them (same permutation and code format), in
        # one bulk UPDATE each, so the recorded seeds reproduce these codes.
        event.entry_draw_seed = f"demo-large-{event.code}-entry"
        event.seat_draw_seed = f"demo-large-{event.code}-seat"
        entry_order = draws.permutation(entry_ids, event.entry_draw_seed)
        seat_order = draws.permutation(entry_ids, event.seat_draw_seed)
        codes = {entry_id: {"id": entry_id} for entry_id in entry_ids}
        for position, entry_id in enumerate(entry_order, start=1):
            codes[entry_id]["entry_code"] = draws.entry_code(event, position)
        for position, entry_id in enumerate(seat_order, start=1):
            codes[entry_id]["seat_code"] = draws.seat_code(event, position)
        db.session.execute(update(Entry), list(codes.values()))
        event.entry_drawn_at = drawn
        event.seat_drawn_at = drawn
        for position, judge in enumerate(judges):
            db.session.add(PanelMember(event_id=event.id, user_id=judge.id, is_chief=position == 0))
        aspects = list(db.session.scalars(select(Aspect).where(Aspect.event_id == event.id)))
        sheet_rows = [
            {
                "event_id": event.id,
                "entry_id": entry_id,
                "user_id": judge.id,
                "status": SheetStatus.LOCKED,
                "version": 1,
                "created_at": drawn,
                "updated_at": drawn,
                "submitted_at": drawn,
            }
            for entry_id in entry_ids
            for judge in judges
        ]
        sheet_ids = list(
            db.session.scalars(
                insert(ScoreSheet).returning(ScoreSheet.id, sort_by_parameter_order=True),
                sheet_rows,
            )
        )
        ability = _Ability(rng)
        skills = {entry_id: min(max(rng.gauss(0.7, 0.13), 0.1), 0.99) for entry_id in entry_ids}
        mark_rows = [
            {
                "sheet_id": sheet_id,
                "aspect_id": aspect.id,
                "value": ability.mark(aspect, skills[sheet["entry_id"]], 0.0),
            }
            for sheet_id, sheet in zip(sheet_ids, sheet_rows, strict=True)
            for aspect in aspects
        ]
        db.session.execute(insert(Mark), mark_rows)
        # What submitting these sheets would have audited, in one INSERT: the trail holds every
        # mark, so `contest audit verify` finds these sheets as it finds any other.
        by_judge = {judge.id: judge for judge in judges}
        sheet_marks: dict[int, dict[str, str]] = {sheet_id: {} for sheet_id in sheet_ids}
        keys = {aspect.id: aspect.key for aspect in aspects}
        for mark in mark_rows:
            sheet_marks[mark["sheet_id"]][keys[mark["aspect_id"]]] = str(mark["value"])
        audit.record_many(
            "sheet.submit",
            "score_sheet",
            (
                (
                    by_judge[sheet["user_id"]],
                    sheet_id,
                    {"status": SheetStatus.SUBMITTED.value, "marks": sheet_marks[sheet_id]},
                )
                for sheet_id, sheet in zip(sheet_ids, sheet_rows, strict=True)
            ),
        )
        event.ended_at = _china(date(2025, 10, 11), 17)
        event.signed_off_at = drawn
        event.signed_off_by_id = judges[0].id
        total += per_event
    contest.status = ContestStatus.REVIEW
    _date_the_day(contest)
    db.session.flush()
    publishing.publish(organizer, contest)
    return total
