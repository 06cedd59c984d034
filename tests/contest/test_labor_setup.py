"""Setting up a labor competition or union rating: the competition and its tracks, the
indicator sheet (templates, items of every kind, .xlsx both ways, the lock), the 参赛名录
(form, members, import), rounds and schedules, the assessment team, and the status moves;
then the organizer's pages, their scope and their refusals."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from contest.models import (
    AspectKind,
    AuditEntry,
    Competition,
    CompetitionKind,
    CompetitionStatus,
    ContentVersion,
    HonorLevel,
    OrgKind,
    Participant,
    ParticipantKind,
    Person,
    Round,
    RoundStatus,
    ScoreSheet,
    SheetRole,
    VetoEffect,
)
from contest.services.assessment.items import AspectData, RubricError
from contest.services.core.audit_words import action_phrase
from contest.services.core.spreadsheets import SheetRefused
from contest.services.core.versions import LABOR_CONTENT
from contest.services.labor import (
    assessors,
    competitions,
    indicator_sheet,
    indicators,
    participant_sheet,
    participants,
    rounds,
)
from contest.services.labor.base import LaborError, today
from contest.services.labor.competitions import CompetitionData
from contest.services.labor.participants import MemberData, ParticipantData, SubtreeChoice
from contest.services.labor.rounds import RoundData

# ---------------------------------------------------------------- fixtures


@pytest.fixture
def union(db: Any, make_org: Any, make_user: Any) -> SimpleNamespace:
    """A city federation with two enterprise unions below it, a stranger city, its organizer,
    two judges and a contact account in one of the units."""
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    builder = make_org(name="江州建工集团工会", kind=OrgKind.GRASSROOTS, parent=host, code="JG01")
    metro = make_org(name="江州地铁公司工会", kind=OrgKind.GRASSROOTS, parent=host)
    other = make_org(name="河州市总工会", kind=OrgKind.CITY)
    return SimpleNamespace(
        host=host,
        builder=builder,
        metro=metro,
        other=other,
        organizer=make_user("organizer", username="zhang_org", organization=host),
        judge=make_user("judge", username="li_judge", organization=host),
        judge2=make_user("judge", username="wang_judge", organization=host),
        contact=make_user("recommender", username="zhao_contact", organization=builder),
    )


def _data(union: SimpleNamespace, **fields: Any) -> CompetitionData:
    values: dict[str, Any] = {
        "name": "江州市重点工程劳动竞赛",
        "kind": CompetitionKind.PROJECT,
        "organization": union.host,
        "level": HonorLevel.CITY,
        "starts_on": date(2026, 3, 10),
        "ends_on": date(2026, 6, 20),
    }
    values.update(fields)
    return CompetitionData(**values)


@pytest.fixture
def comp(db: Any, union: SimpleNamespace) -> Any:
    competition = competitions.create_competition(union.organizer, _data(union))
    db.session.commit()
    return competition


def _actions(db: Any) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def _item(key: str, kind: AspectKind, points: str = "10", **fields: Any) -> AspectData:
    return AspectData(
        key=key, name=f"考核内容{key}", kind=kind, max_points=Decimal(points), **fields
    )


def _ready(db: Any, union: SimpleNamespace, competition: Any) -> None:
    """Everything a competition needs to start."""
    indicators.apply_template(union.organizer, competition, "project_six_compare")
    participants.add_participant(
        union.organizer, competition, ParticipantData(name="一标段", kind=ParticipantKind.PROJECT)
    )
    rounds.generate_schedule(
        union.organizer, competition, rounds.plan_schedule(competition, "monthly")
    )
    assessors.add_assessor(union.organizer, competition, union.judge, is_chief=True)
    db.session.commit()


# ---------------------------------------------------------------- the competition


def test_create_and_update_competition_audited(db: Any, union: SimpleNamespace) -> None:
    competition = competitions.create_competition(union.organizer, _data(union, year=None))
    assert competition.status is CompetitionStatus.DRAFT and competition.year == 2026
    assert competition.valid_months is None
    competitions.update_competition(
        union.organizer, competition, _data(union, name="江州市重点工程建设劳动竞赛")
    )
    assert competition.name == "江州市重点工程建设劳动竞赛"
    assert _actions(db)[-2:] == ["competition.create", "competition.update"]
    rating = competitions.create_competition(
        union.organizer, _data(union, name="六好工会评级", kind=CompetitionKind.SIX_GOOD)
    )
    assert rating.is_rating and rating.valid_months == 12


@pytest.mark.parametrize(
    ("fields", "field", "needle"),
    [
        ({"name": " "}, "name", "竞赛名称"),
        ({"ends_on": date(2026, 1, 1)}, "ends_on", "结束日期"),
        ({"year": 1999}, "year", "2000"),
        ({"aggregation": "trimmed", "trim": 0}, "trim", "至少去掉 1 个"),
        ({"flag_count": 30}, "flag_count", "流动红旗"),
        ({"flag_keep_after": 1}, "flag_keep_after", "永久保留"),
        ({"organization": None}, "organization", "主办工会"),
        ({"name": "全国重点工程劳动竞赛"}, "name", "全国"),
    ],
)
def test_competition_validation(
    db: Any, union: SimpleNamespace, fields: dict[str, Any], field: str, needle: str
) -> None:
    with pytest.raises(LaborError) as info:
        competitions.create_competition(union.organizer, _data(union, **fields))
    assert info.value.field == field and needle in info.value.message


def test_host_must_be_within_the_organizers_scope(db: Any, union: SimpleNamespace) -> None:
    with pytest.raises(LaborError, match="本单位或下级"):
        competitions.create_competition(union.organizer, _data(union, organization=union.other))
    below = competitions.create_competition(
        union.organizer, _data(union, organization=union.builder, level=HonorLevel.ENTERPRISE)
    )
    assert below.can_manage(union.organizer)
    assert {o.id for o in competitions.host_choices(union.organizer)} == {
        union.host.id,
        union.builder.id,
        union.metro.id,
    }


def test_rounds_must_stay_within_new_dates(db: Any, union: SimpleNamespace, comp: Any) -> None:
    rounds.add_round(union.organizer, comp, RoundData("三月", date(2026, 3, 10), date(2026, 3, 31)))
    with pytest.raises(LaborError, match="三月") as info:
        competitions.update_competition(
            union.organizer, comp, _data(union, starts_on=date(2026, 4, 1))
        )
    assert info.value.field == "starts_on"


def test_tracks(db: Any, union: SimpleNamespace, comp: Any) -> None:
    civil = competitions.add_track(union.organizer, comp, "土建组")
    competitions.add_track(union.organizer, comp, "机电组")
    with pytest.raises(LaborError, match="已有名为"):
        competitions.add_track(union.organizer, comp, "土建组")
    competitions.rename_track(union.organizer, civil, "土建施工组")
    assert [t.name for t in comp.tracks] == ["土建施工组", "机电组"]
    unit = participants.add_participant(
        union.organizer, comp, ParticipantData(name="一标段", track=civil)
    )
    competitions.delete_track(union.organizer, civil)
    db.session.commit()
    assert [t.name for t in comp.tracks] == ["机电组"]
    db.session.refresh(unit)
    assert unit.track_id is None
    assert "competition.track.delete" in _actions(db)


# ---------------------------------------------------------------- indicator sheet


def test_apply_the_six_compare_template(db: Any, union: SimpleNamespace, comp: Any) -> None:
    assert next(key for key, _t in indicators.template_choices(comp)) == "project_six_compare"
    component = indicators.apply_template(union.organizer, comp, "project_six_compare")
    db.session.commit()
    assert component.key == "indicators" and component.name == "考核指标"
    assert component.weight == 100 and component.competition_id == comp.id
    items = indicators.items_of(indicators.sheet_of(comp))
    kinds = {a.kind for a in items}
    assert {AspectKind.VETO, AspectKind.BONUS, AspectKind.RATE} <= kinds
    assert component.max_score == indicators.base_total(component) == Decimal(100)
    assert comp.bonus_cap == Decimal(5)
    vetoes = [a for a in items if a.kind is AspectKind.VETO]
    assert {a.veto_effect for a in vetoes} == {VetoEffect.ROUND, VetoEffect.COMPETITION}
    assert indicators.sheet_problems(comp) == []
    assert "competition.indicators.template" in _actions(db)
    with pytest.raises(RubricError, match="适用"):
        indicators.apply_template(union.organizer, comp, "six_good_county")


def test_a_rating_template_brings_its_grades(db: Any, union: SimpleNamespace) -> None:
    rating = competitions.create_competition(
        union.organizer, _data(union, name="六好工会评级", kind=CompetitionKind.SIX_GOOD)
    )
    key = indicators.template_choices(rating)[0][0]
    indicators.apply_template(union.organizer, rating, key)
    assert rating.grades and rating.grades[0][0] == "90"


def test_items_of_every_kind(db: Any, union: SimpleNamespace, comp: Any) -> None:
    assert indicators.sheet_problems(comp) == [
        "还没有考核指标：请套用模板、逐项添加或从 Excel 导入"
    ]
    safety = indicators.add_criterion(union.organizer, comp, "比安全")
    add = indicators.add_item
    add(union.organizer, comp, safety, _item("A1", AspectKind.MEASUREMENT, "60"))
    add(union.organizer, comp, safety, _item("A2", AspectKind.DEDUCTION, "20", step=Decimal(1)))
    rate = _item(
        "A3",
        AspectKind.RATE,
        "20",
        threshold=Decimal(95),
        per_step=Decimal(2),
        step_deduction=Decimal("0.5"),
        source="membership_rate",
    )
    add(union.organizer, comp, safety, rate)
    add(union.organizer, comp, safety, _item("A4", AspectKind.BONUS, "5"))
    add(
        union.organizer,
        comp,
        safety,
        _item("A5", AspectKind.VETO, "0", veto_effect=VetoEffect.COMPETITION),
    )
    add(union.organizer, comp, safety, _item("A6", AspectKind.MANDATORY, "0"))
    db.session.commit()
    sheet = indicators.sheet_of(comp)
    assert sheet is not None and sheet.max_score == Decimal(100)
    assert indicators.bonus_total(sheet) == Decimal(5)
    assert indicators.sheet_problems(comp) == []
    assert indicators.suggested_key(comp, safety) == "A7"
    with pytest.raises(RubricError) as info:
        add(union.organizer, comp, safety, _item("A1", AspectKind.MEASUREMENT))
    assert info.value.field == "key" and "已被使用" in info.value.message
    with pytest.raises(RubricError) as info:
        add(union.organizer, comp, safety, _item("A8", AspectKind.VETO, "0"))
    assert "veto_effect" in info.value.problems
    with pytest.raises(RubricError) as info:
        add(union.organizer, comp, safety, _item("A8", AspectKind.RATE, "5"))
    assert {"threshold", "per_step", "step_deduction"} <= set(info.value.problems)
    with pytest.raises(RubricError) as info:
        add(union.organizer, comp, safety, _item("A8", AspectKind.JUDGEMENT, "5", scale=3))
    assert "kind" in info.value.problems
    aspect = indicators.items_of(sheet)[0]
    indicators.update_item(union.organizer, comp, aspect, _item("A1", AspectKind.MEASUREMENT, "50"))
    assert indicators.sheet_of(comp).max_score == Decimal(90)  # type: ignore[union-attr]
    indicators.delete_item(union.organizer, comp, aspect)
    indicators.delete_criterion(union.organizer, comp, safety)
    db.session.commit()
    assert indicators.items_of(indicators.sheet_of(comp)) == []
    assert {
        "competition.indicators.item.create",
        "competition.indicators.item.update",
        "competition.indicators.item.delete",
        "competition.indicators.criterion.delete",
    } <= set(_actions(db))


def test_grades_and_bonus_cap(db: Any, union: SimpleNamespace, comp: Any) -> None:
    grades = indicators.parse_grades("80 四星\n90：五星\n\n70分 三星")
    assert grades == [["90", "五星"], ["80", "四星"], ["70", "三星"]]
    indicators.set_rules(union.organizer, comp, Decimal(5), grades)
    assert comp.bonus_cap == Decimal(5) and indicators.grades_text(comp).startswith("90 五星")
    for bad in ("九十 五星", "90", "90 五星\n90 四星", "-5 差"):
        with pytest.raises(RubricError) as info:
            indicators.parse_grades(bad)
        assert info.value.field == "grades"
    with pytest.raises(RubricError):
        indicators.set_rules(union.organizer, comp, Decimal(-1), [])


def test_the_sheet_locks_once_a_round_is_assessed(
    db: Any, union: SimpleNamespace, comp: Any
) -> None:
    _ready(db, union, comp)
    round_ = comp.rounds[0]
    unit = participants.roster(comp)[0]
    db.session.add(
        ScoreSheet(
            round_id=round_.id,
            participant_id=unit.id,
            role=SheetRole.SELF,
            user_id=union.contact.id,
        )
    )
    db.session.commit()
    assert indicators.is_editable(comp)  # a self-assessment while 自评中 does not lock it
    round_.status = RoundStatus.SCORING
    db.session.commit()
    assert not indicators.is_editable(comp)
    with pytest.raises(RubricError, match="锁定"):
        indicators.add_criterion(union.organizer, comp, "比进度")
    with pytest.raises(RubricError, match="锁定"):
        indicators.set_rules(union.organizer, comp, None, [])


def test_indicator_sheet_round_trip(db: Any, union: SimpleNamespace, comp: Any) -> None:
    indicators.apply_template(union.organizer, comp, "project_six_compare")
    db.session.commit()
    before = indicators.items_of(indicators.sheet_of(comp))
    snapshot = [(a.key, a.kind, a.max_points, a.threshold, a.veto_effect) for a in before]
    data = indicator_sheet.export_workbook(comp)
    count = indicator_sheet.import_workbook(union.organizer, comp, data, "sheet.xlsx")
    db.session.commit()
    after = indicators.items_of(indicators.sheet_of(comp))
    assert count == len(before)
    assert [(a.key, a.kind, a.max_points, a.threshold, a.veto_effect) for a in after] == snapshot
    assert "competition.indicators.import" in _actions(db)


def _xlsx(headers: list[str], rows: list[list[Any]], title: str = "考核指标") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_unions_four_column_sheet_imports(db: Any, union: SimpleNamespace, comp: Any) -> None:
    data = _xlsx(
        ["考评项目", "考核内容", "分值", "评分细则"],
        [
            ["组织领导", "成立竞赛领导小组", 7, "未成立不得分"],
            [None, "制定竞赛方案", 3, "无方案扣 3 分"],
            ["安全管理", "安全管理制度健全", 90, ""],
        ],
    )
    assert indicator_sheet.import_workbook(union.organizer, comp, data, "a.xlsx") == 3
    sheet = indicators.sheet_of(comp)
    assert [c.name for c in sheet.criteria] == ["组织领导", "安全管理"]  # type: ignore[union-attr]
    assert [a.key for a in indicators.items_of(sheet)] == ["A1", "A2", "B1"]
    assert sheet.max_score == Decimal(100)  # type: ignore[union-attr]


def test_a_bad_indicator_file_reports_every_row_and_writes_nothing(
    db: Any, union: SimpleNamespace, comp: Any
) -> None:
    indicators.apply_template(union.organizer, comp, "project_six_compare")
    db.session.commit()
    data = _xlsx(
        ["考评项目", "编号", "考核内容", "类型", "分值", "评分细则", "否决范围"],
        [
            ["比安全", "A1", "安全制度", "测量", "十", "", ""],
            ["比安全", "A1", "重复编号", "测量", 5, "", ""],
            ["比安全", "A2", "事故", "一票否决", 0, "", ""],
            ["比安全", "A3", "打分", "评价", 5, "", ""],
        ],
    )
    with pytest.raises(SheetRefused) as info:
        indicator_sheet.import_workbook(union.organizer, comp, data, "bad.xlsx")
    found = {(e.row, e.column) for e in info.value.errors}
    assert {(2, "分值"), (3, "编号"), (4, "否决范围"), (5, "类型")} <= found
    db.session.rollback()
    assert len(indicators.items_of(indicators.sheet_of(comp))) > 10  # the template is untouched


# ---------------------------------------------------------------- participants


def test_units_teams_and_projects(db: Any, union: SimpleNamespace, comp: Any) -> None:
    civil = competitions.add_track(union.organizer, comp, "土建组")
    unit = participants.add_participant(
        union.organizer,
        comp,
        ParticipantData(
            name="江州建工一公司",
            organization=union.builder,
            track=civil,
            registered_on=date(2026, 3, 1),
            contact=union.contact,
        ),
    )
    team = participants.add_participant(
        union.organizer,
        comp,
        ParticipantData(name="钢筋班组", kind=ParticipantKind.TEAM, parent=unit),
    )
    assert team.organization is union.builder and team.track is civil
    with pytest.raises(LaborError) as info:
        participants.add_participant(
            union.organizer, comp, ParticipantData(name="外市项目", organization=union.other)
        )
    assert info.value.field == "organization"
    with pytest.raises(LaborError) as info:
        participants.add_participant(
            union.organizer, comp, ParticipantData(name="木工班组", kind=ParticipantKind.TEAM)
        )
    assert info.value.field == "parent"
    with pytest.raises(LaborError, match="已有"):
        participants.add_participant(union.organizer, comp, ParticipantData(name="钢筋班组"))
    with pytest.raises(LaborError, match="班组"):
        participants.update_participant(
            union.organizer,
            unit,
            ParticipantData(name=unit.name, kind=ParticipantKind.PROJECT),
        )
    participants.withdraw_participant(union.organizer, unit, "项目停工")
    db.session.commit()
    assert team.withdrawn_at is not None
    with pytest.raises(LaborError, match="所属单位已退出"):
        participants.reinstate_participant(union.organizer, team)
    participants.reinstate_participant(union.organizer, unit)
    assert participants.counts(comp) == {"unit": 1, "team": 0, "project": 0, "withdrawn": 1}
    participants.delete_participant(union.organizer, unit)
    db.session.commit()
    assert participants.roster(comp) == []
    assert {
        "competition.participant.create",
        "competition.participant.withdraw",
        "competition.participant.reinstate",
        "competition.participant.delete",
    } <= set(_actions(db))


def test_a_participant_with_sheets_is_withdrawn_not_deleted(
    db: Any, union: SimpleNamespace, comp: Any
) -> None:
    _ready(db, union, comp)
    unit = participants.roster(comp)[0]
    db.session.add(
        ScoreSheet(
            round_id=comp.rounds[0].id,
            participant_id=unit.id,
            role=SheetRole.ASSESSOR,
            user_id=union.judge.id,
        )
    )
    db.session.commit()
    with pytest.raises(LaborError, match="办理退出"):
        participants.delete_participant(union.organizer, unit)
    with pytest.raises(LaborError, match="已填写评分表"):
        assessors.remove_assessor(union.organizer, assessors.team(comp)[0])


def test_members_for_individual_titles(
    db: Any, union: SimpleNamespace, comp: Any, make_id_number: Any, make_person: Any
) -> None:
    unit = participants.add_participant(
        union.organizer, comp, ParticipantData(name="江州建工一公司", organization=union.builder)
    )
    number = make_id_number("32058219800101", "111")
    member = participants.add_member(
        union.organizer,
        unit,
        MemberData("刘建国", number, post="钢筋工", on_site_since=date(2025, 2, 1)),
    )
    assert member.person.organization is union.builder and member.person.name == "刘建国"
    with pytest.raises(LaborError, match="已是"):
        participants.add_member(union.organizer, unit, MemberData("刘建国", number))
    known = make_person(name="陈红", id_number=make_id_number("32058219850202", "222"))
    with pytest.raises(LaborError, match="另一姓名"):
        participants.add_member(
            union.organizer, unit, MemberData("陈虹", make_id_number("32058219850202", "222"))
        )
    again = participants.add_member(
        union.organizer, unit, MemberData("陈红", make_id_number("32058219850202", "222"))
    )
    assert again.person.id == known.id
    with pytest.raises(LaborError) as info:
        participants.add_member(union.organizer, unit, MemberData("王五", "12345"))
    assert info.value.field == "id_number"
    participants.update_member(union.organizer, member, "班长", date(2024, 5, 1))
    participants.remove_member(union.organizer, again)
    db.session.commit()
    assert [m.person.name for m in unit.members] == ["刘建国"] and unit.members[0].post == "班长"


def test_contact_and_assessor_may_not_meet(db: Any, union: SimpleNamespace, comp: Any) -> None:
    civil = competitions.add_track(union.organizer, comp, "土建组")
    mech = competitions.add_track(union.organizer, comp, "机电组")
    participants.add_participant(
        union.organizer, comp, ParticipantData(name="一标段", track=civil, contact=union.judge)
    )
    with pytest.raises(LaborError, match="自评联系人") as info:
        assessors.add_assessor(union.organizer, comp, union.judge)
    assert info.value.field == "user"
    # Limited to another track, the judge does not assess that unit.
    assessor = assessors.add_assessor(union.organizer, comp, union.judge, track=mech)
    with pytest.raises(LaborError, match="自评联系人"):
        assessors.update_assessor(union.organizer, assessor, is_chief=False, track=None)
    assessors.add_assessor(union.organizer, comp, union.judge2)
    with pytest.raises(LaborError, match="考评组成员") as info:
        participants.add_participant(
            union.organizer, comp, ParticipantData(name="二标段", contact=union.judge2)
        )
    assert info.value.field == "contact"


def test_find_contact(db: Any, union: SimpleNamespace, comp: Any, make_user: Any) -> None:
    assert participants.find_contact(comp, " zhao_contact ") is union.contact
    outsider = make_user("recommender", username="far_away", organization=union.other)
    with pytest.raises(LaborError, match="不属于"):
        participants.find_contact(comp, outsider.username)
    with pytest.raises(LaborError, match="找不到"):
        participants.find_contact(comp, "nobody")


def _roster_file(rows: list[list[Any]], headers: list[str] | None = None) -> bytes:
    return _xlsx(headers or list(participant_sheet.HEADERS), rows, title="参赛名录")


def test_roster_import(db: Any, union: SimpleNamespace, comp: Any) -> None:
    competitions.add_track(union.organizer, comp, "土建组")
    existing = participants.add_participant(
        union.organizer, comp, ParticipantData(name="江州地铁公司", organization=union.metro)
    )
    db.session.commit()
    data = _roster_file(
        [
            ["木工班组", "班组", "江州建工一公司", "", "", "", ""],
            ["江州建工一公司", "单位", "", "JG01", "土建组", "2026/3/1", "zhao_contact"],
            ["一标段", "项目（标段）", "", "", "土建组", "2026年3月2日", ""],
            ["信号班组", "班组", "江州地铁公司", "", "", "", ""],
        ]
    )
    result = participant_sheet.import_roster(union.organizer, comp, data, "roster.xlsx")
    db.session.commit()
    assert (result.rows, result.units, result.teams, result.projects) == (4, 1, 2, 1)
    by_name = {p.name: p for p in participants.roster(comp)}
    assert by_name["江州建工一公司"].organization is union.builder
    assert by_name["江州建工一公司"].registered_on == date(2026, 3, 1)
    assert by_name["江州建工一公司"].contact_user is union.contact
    assert by_name["木工班组"].parent is by_name["江州建工一公司"]
    assert by_name["木工班组"].track is not None and by_name["木工班组"].track.name == "土建组"
    assert by_name["信号班组"].parent is existing
    assert by_name["一标段"].registered_on == date(2026, 3, 2)
    assert "competition.participants.import" in _actions(db)
    exported = load_workbook(io.BytesIO(participant_sheet.export_workbook(comp))).active
    assert exported.cell(1, 1).value == "名称" and exported.max_row == 6


def test_a_bad_roster_reports_every_problem_and_writes_nothing(
    db: Any, union: SimpleNamespace, comp: Any
) -> None:
    data = _roster_file(
        [
            ["甲单位", "工厂", "", "", "", "", ""],
            ["乙单位", "", "", "外市工会", "", "", ""],
            ["丙班组", "班组", "", "", "", "", ""],
            ["丁班组", "班组", "不存在的单位", "", "", "", ""],
            ["戊单位", "", "", "", "无此赛道", "2026-13-01", "nobody"],
            ["甲单位", "", "", "", "", "", ""],
        ]
    )
    with pytest.raises(SheetRefused) as info:
        participant_sheet.import_roster(union.organizer, comp, data, "roster.xlsx")
    found = {(e.row, e.column) for e in info.value.errors}
    assert {
        (2, "类型"),
        (3, "所属组织"),
        (4, "所属单位"),
        (5, "所属单位"),
        (6, "赛道（分组）"),
        (6, "备案日期"),
        (6, "联系人账号"),
        (7, "名称"),
    } <= found
    db.session.rollback()
    assert db.session.scalar(select(Participant.id)) is None


def test_roster_header_problems(db: Any, union: SimpleNamespace, comp: Any) -> None:
    with pytest.raises(SheetRefused) as info:
        participant_sheet.import_roster(
            union.organizer, comp, _roster_file([["甲"]], headers=["单位全称"]), "r.xlsx"
        )
    assert any(e.row == 1 for e in info.value.errors)
    with pytest.raises(SheetRefused, match="错误"):
        participant_sheet.import_roster(
            union.organizer, comp, _roster_file([], headers=["名称"]), "r.xlsx"
        )
    template = load_workbook(io.BytesIO(participant_sheet.template_workbook(comp)))
    assert template.worksheets[0].title == "参赛名录"
    assert [c.value for c in template.worksheets[0][1]] == list(participant_sheet.HEADERS)


# ---------------------------------------------------------------- rounds


def test_schedules(db: Any, union: SimpleNamespace, comp: Any) -> None:
    monthly = rounds.plan_schedule(comp, "monthly")
    assert [(r.name, r.starts_on, r.ends_on) for r in monthly] == [
        ("2026 年 3 月", date(2026, 3, 10), date(2026, 3, 31)),
        ("2026 年 4 月", date(2026, 4, 1), date(2026, 4, 30)),
        ("2026 年 5 月", date(2026, 5, 1), date(2026, 5, 31)),
        ("2026 年 6 月", date(2026, 6, 1), date(2026, 6, 20)),
    ]
    half = rounds.plan_schedule(comp, "half_monthly")
    assert len(half) == 8 and half[0].name == "2026 年 3 月上半月"
    assert (half[0].starts_on, half[0].ends_on) == (date(2026, 3, 10), date(2026, 3, 15))
    assert half[-1].name == "2026 年 6 月下半月"
    assert (half[-1].starts_on, half[-1].ends_on) == (date(2026, 6, 16), date(2026, 6, 20))
    quarters = rounds.plan_schedule(comp, "quarterly")
    assert [(q.name, q.starts_on, q.ends_on) for q in quarters] == [
        ("2026 年第 1 季度", date(2026, 3, 10), date(2026, 3, 31)),
        ("2026 年第 2 季度", date(2026, 4, 1), date(2026, 6, 20)),
    ]
    assert [r.name for r in rounds.plan_schedule(comp, "once")] == ["2026 年度"]
    created = rounds.generate_schedule(union.organizer, comp, monthly, weight=Decimal(2))
    db.session.commit()
    assert [r.position for r in comp.rounds] == [0, 1, 2, 3]
    assert all(r.weight == 2 and r.status is RoundStatus.SELF for r in created)
    with pytest.raises(LaborError, match="都已存在"):
        rounds.generate_schedule(union.organizer, comp, rounds.plan_schedule(comp, "monthly"))
    rounds.generate_schedule(union.organizer, comp, quarters, replace=True)
    db.session.commit()
    assert [r.name for r in comp.rounds] == ["2026 年第 1 季度", "2026 年第 2 季度"]
    assert "competition.round.schedule" in _actions(db)


def test_schedule_needs_dates(db: Any, union: SimpleNamespace) -> None:
    undated = competitions.create_competition(
        union.organizer, _data(union, starts_on=None, ends_on=None)
    )
    with pytest.raises(LaborError, match="开始和结束日期"):
        rounds.plan_schedule(undated, "monthly")
    milestones = rounds.parse_milestones("基础施工 2026-03-10 2026-05-31\n\n主体封顶 2026/9/30\n")
    assert [(m.name, m.starts_on, m.ends_on) for m in milestones] == [
        ("基础施工", date(2026, 3, 10), date(2026, 5, 31)),
        ("主体封顶", None, date(2026, 9, 30)),
    ]
    rounds.generate_schedule(union.organizer, undated, milestones)
    assert [r.name for r in undated.rounds] == ["基础施工", "主体封顶"]
    for bad in ("", "只有名称", "2026-03-01"):
        with pytest.raises(LaborError) as info:
            rounds.parse_milestones(bad)
        assert info.value.field == "milestones"


def test_round_edits(db: Any, union: SimpleNamespace, comp: Any) -> None:
    first = rounds.add_round(
        union.organizer, comp, RoundData("四月", date(2026, 4, 1), date(2026, 4, 30))
    )
    rounds.add_round(union.organizer, comp, RoundData("三月", date(2026, 3, 10), date(2026, 3, 31)))
    assert [r.name for r in comp.rounds] == ["三月", "四月"]
    for data, field in (
        (RoundData("五月", date(2026, 5, 1), date(2026, 4, 1)), "ends_on"),
        (RoundData("二月", date(2026, 2, 1), date(2026, 2, 28)), "starts_on"),
        (RoundData("七月", date(2026, 7, 1), date(2026, 7, 31)), "ends_on"),
        (RoundData("三月"), "name"),
        (RoundData("五月", weight=Decimal(0)), "weight"),
    ):
        with pytest.raises(LaborError) as info:
            rounds.add_round(union.organizer, comp, data)
        assert info.value.field == field
    first.status = RoundStatus.SCORING
    with pytest.raises(LaborError, match="只能修改名称"):
        rounds.update_round(
            union.organizer, first, RoundData("四月", date(2026, 4, 2), date(2026, 4, 30))
        )
    rounds.update_round(
        union.organizer,
        first,
        RoundData("2026 年 4 月", date(2026, 4, 1), date(2026, 4, 30), is_public=False),
    )
    assert first.name == "2026 年 4 月" and not first.is_public
    with pytest.raises(LaborError, match="不能删除"):
        rounds.delete_round(union.organizer, first)
    rounds.delete_round(union.organizer, comp.rounds[0])
    assert [r.name for r in comp.rounds] == ["2026 年 4 月"]


# ---------------------------------------------------------------- assessors and status


def test_the_team_has_one_chief(db: Any, union: SimpleNamespace, comp: Any, make_user: Any) -> None:
    first = assessors.add_assessor(union.organizer, comp, union.judge, is_chief=True)
    second = assessors.add_assessor(union.organizer, comp, union.judge2, is_chief=True)
    db.session.commit()
    assert not first.is_chief and second.is_chief
    with pytest.raises(LaborError, match="另一名成员"):
        assessors.update_assessor(union.organizer, second, is_chief=False, track=None)
    with pytest.raises(LaborError, match="已在考评组"):
        assessors.add_assessor(union.organizer, comp, union.judge)
    with pytest.raises(LaborError, match="只能选择"):
        assessors.add_assessor(union.organizer, comp, union.contact)
    assert union.judge not in assessors.candidates(comp)
    assessors.remove_assessor(union.organizer, second)
    db.session.commit()
    assert [a.user for a in assessors.team(comp)] == [union.judge]
    assert {"competition.assessor.add", "competition.assessor.remove"} <= set(_actions(db))


def test_status_moves(db: Any, union: SimpleNamespace, comp: Any) -> None:
    problems = competitions.move_problems(comp, CompetitionStatus.RUNNING)
    assert len(problems) == 4
    with pytest.raises(LaborError) as info:
        competitions.change_status(union.organizer, comp, CompetitionStatus.RUNNING)
    assert info.value.problems == problems
    _ready(db, union, comp)
    assessors.update_assessor(union.organizer, assessors.team(comp)[0], is_chief=True, track=None)
    competitions.change_status(union.organizer, comp, CompetitionStatus.RUNNING)
    db.session.commit()
    assert comp.status is CompetitionStatus.RUNNING
    with pytest.raises(LaborError) as info:
        competitions.change_status(union.organizer, comp, CompetitionStatus.FINISHED)
    assert "尚未确认" in info.value.problems[0]
    with pytest.raises(LaborError, match="原因"):
        competitions.change_status(union.organizer, comp, CompetitionStatus.DRAFT)
    competitions.change_status(union.organizer, comp, CompetitionStatus.DRAFT, "日期有误")
    competitions.change_status(union.organizer, comp, CompetitionStatus.RUNNING)
    for round_ in comp.rounds:
        round_.status = RoundStatus.PUBLISHED
    competitions.change_status(union.organizer, comp, CompetitionStatus.FINISHED)
    db.session.commit()
    with pytest.raises(LaborError, match="已结束"):
        participants.add_participant(union.organizer, comp, ParticipantData(name="迟到单位"))
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "competition.status")
    ).all()
    assert [e.reason for e in entry] == [None, "日期有误", None, None]


def test_running_competition_refuses_the_kind_and_the_host(
    db: Any, union: SimpleNamespace, comp: Any
) -> None:
    _ready(db, union, comp)
    competitions.change_status(union.organizer, comp, CompetitionStatus.RUNNING)
    with pytest.raises(LaborError) as info:
        competitions.update_competition(
            union.organizer,
            comp,
            _data(union, organization=union.builder, level=HonorLevel.ENTERPRISE),
        )
    assert info.value.field == "organization"
    with pytest.raises(LaborError, match="不能更改类型"):
        competitions.update_competition(
            union.organizer, comp, _data(union, kind=CompetitionKind.ANKANG)
        )
    with pytest.raises(LaborError, match="开始后不能删除"):
        competitions.delete_track(
            union.organizer, competitions.add_track(union.organizer, comp, "甲")
        )


# ---------------------------------------------------------------- pages


def _login(client: Any, login_as: Any, union: SimpleNamespace) -> None:
    login_as(user=union.organizer)


def test_pages_for_the_organizer(
    db: Any, union: SimpleNamespace, comp: Any, client: Any, login_as: Any
) -> None:
    _login(client, login_as, union)
    home = client.get("/home").get_data(as_text=True)
    assert "我管理的劳动竞赛与工会评级" in home and comp.name in home
    assert "劳动竞赛与评级" in client.get("/labor/").get_data(as_text=True)
    base = f"/labor/{comp.id}"
    for path in (
        "",
        "/edit",
        "/indicators",
        "/participants",
        "/participants/new",
        "/participants/import",
        "/assessors",
        "/rounds",
    ):
        response = client.get(base + path)
        assert response.status_code == 200, path
        assert comp.name in response.get_data(as_text=True)
    for path in (
        "/participants/template.xlsx",
        "/participants/export.xlsx",
        "/indicators/export.xlsx",
        "/indicators/template.xlsx",
    ):
        response = client.get(base + path)
        assert response.status_code == 200 and response.data[:2] == b"PK", path


def test_create_through_the_form(
    db: Any, union: SimpleNamespace, client: Any, login_as: Any
) -> None:
    _login(client, login_as, union)
    form = {
        "name": "江州市安康杯竞赛",
        "kind": "ankang",
        "level": "city",
        "organization_id": str(union.host.id),
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "is_public": "y",
        "aggregation": "mean",
        "cumulation": "sum",
        "flag_count": "1",
    }
    response = client.post("/labor/new", data={**form, "ends_on": "2025-01-01"})
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.get_data(as_text=True)
    response = client.post("/labor/new", data=form)
    assert response.status_code == 302 and response.location.endswith("/indicators")
    page = client.get(response.location).get_data(as_text=True)
    assert "安康杯" in page and "ankang_cup" in page
    # The form's default chain: the latest round first, then a shared place.
    competition = db.session.scalar(select(Competition).where(Competition.name == form["name"]))
    assert competition.tie_break == ["latest_round"]


def test_the_tie_break_chain_is_the_organizers(db: Any, union: SimpleNamespace) -> None:
    """An explicit chain after the cumulative total (issue 12 item 4), in the given order;
    unknown or repeated links are refused."""
    chain = ("rounds_won", "latest_round", "fewer_vetoes")
    competition = competitions.create_competition(union.organizer, _data(union, tie_break=chain))
    assert competition.tie_break == list(chain)
    for bad, needle in ((("coin_toss",), "列表中选择"), (("best_round", "best_round"), "不能重复")):
        with pytest.raises(LaborError, match=needle):
            competitions.update_competition(
                union.organizer, competition, _data(union, tie_break=bad)
            )
    competitions.update_competition(union.organizer, competition, _data(union, tie_break=("", "")))
    assert competition.tie_break == []


def test_setup_through_the_pages(
    db: Any, union: SimpleNamespace, comp: Any, client: Any, login_as: Any
) -> None:
    _login(client, login_as, union)
    base = f"/labor/{comp.id}"
    response = client.post(
        f"{base}/indicators/template", data={"tpl-template": "project_six_compare"}
    )
    assert response.status_code == 302
    assert indicators.sheet_of(comp) is not None
    # Applying again replaces the sheet: without the confirmation the page asks first.
    asked = client.post(f"{base}/indicators/template", data={"tpl-template": "project_six_compare"})
    assert asked.status_code == 200 and "套用模板？" in asked.get_data(as_text=True)
    criterion = indicators.sheet_of(comp).criteria[0]  # type: ignore[union-attr]
    response = client.post(
        f"{base}/indicators/criteria/{criterion.id}/items/new",
        data={"key": "A9", "kind": "rate", "name": "入会率", "max_points": "5"},
    )
    assert response.status_code == 200
    assert "比率项需要达标值" in response.get_data(as_text=True)
    response = client.post(f"{base}/tracks", data={"name": "土建组"})
    assert response.status_code == 302
    response = client.post(
        f"{base}/participants/new",
        data={
            "kind": "unit",
            "name": "江州建工一公司",
            "parent_id": "0",
            "organization_id": str(union.builder.id),
            "track_id": str(comp.tracks[0].id),
            "registered_on": "2026-03-01",
            "contact": "zhao_contact",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"{base}/participants/new",
        data={
            "kind": "unit",
            "name": "乙",
            "parent_id": "0",
            "organization_id": "0",
            "track_id": "0",
            "contact": "nobody",
        },
    )
    assert "找不到启用的账号" in response.get_data(as_text=True)
    upload = _roster_file([["一标段", "项目（标段）", "", "", "土建组", "2026-03-01", ""]])
    response = client.post(
        f"{base}/participants/import",
        data={"file": (io.BytesIO(upload), "roster.xlsx")},
        content_type="multipart/form-data",
    )
    assert "导入完成" in response.get_data(as_text=True)
    bad = _roster_file([["二标段", "工厂", "", "", "", "", ""]])
    response = client.post(
        f"{base}/participants/import",
        data={"file": (io.BytesIO(bad), "roster.xlsx")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "导入被拒绝" in page and "类型应为" in page
    response = client.post(
        f"{base}/rounds/schedule",
        data={"s-pattern": "monthly", "s-weight": "1", "s-is_public": "y"},
    )
    assert response.status_code == 302 and len(comp.rounds) == 4
    response = client.post(
        f"{base}/assessors", data={"user_id": str(union.judge.id), "is_chief": "y", "track_id": "0"}
    )
    assert response.status_code == 302
    response = client.post(f"{base}/status", data={"to": "running"})
    assert response.status_code == 302
    db.session.refresh(comp)
    assert comp.status is CompetitionStatus.RUNNING


def test_destructive_actions_ask_first(
    db: Any, union: SimpleNamespace, comp: Any, client: Any, login_as: Any
) -> None:
    _login(client, login_as, union)
    unit = participants.add_participant(union.organizer, comp, ParticipantData(name="甲单位"))
    db.session.commit()
    url = f"/labor/{comp.id}/participants/{unit.id}/delete"
    asked = client.post(url)
    assert asked.status_code == 200 and "删除参赛单位？" in asked.get_data(as_text=True)
    assert db.session.get(Participant, unit.id) is not None
    assert client.post(url, data={"confirmed": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, unit.id) is None


def test_scope_of_the_pages(
    db: Any,
    union: SimpleNamespace,
    comp: Any,
    client_for: Any,
    make_user: Any,
) -> None:
    stranger = make_user("organizer", organization=union.other)
    assert client_for(stranger).get(f"/labor/{comp.id}").status_code == 403
    assert client_for(stranger).get(f"/labor/{comp.id}/participants").status_code == 403
    assert comp.name not in client_for(stranger).get("/labor/").get_data(as_text=True)
    assert client_for(union.judge).get("/labor/").status_code == 403
    assert client_for(union.judge).get(f"/labor/{comp.id}").status_code == 403
    assert client_for(None).get(f"/labor/{comp.id}").status_code == 302
    organizer = client_for(union.organizer)
    assert organizer.get("/labor/99999").status_code == 404
    other = competitions.create_competition(
        stranger, _data(union, organization=union.other, name="河州市劳动竞赛")
    )
    track = competitions.add_track(stranger, other, "甲组")
    db.session.commit()
    response = organizer.post(f"/labor/{comp.id}/tracks/{track.id}", data={"t1-name": "乙"})
    assert response.status_code == 404


def test_hostile_values_get_messages_not_errors(
    db: Any, union: SimpleNamespace, comp: Any, client: Any, login_as: Any
) -> None:
    _login(client, login_as, union)
    base = f"/labor/{comp.id}"
    response = client.post(
        f"{base}/rounds/new",
        data={"r-name": "三月\u202e", "r-weight": "NaN", "r-starts_on": "2026-99-01"},
    )
    assert response.status_code == 200
    response = client.post(
        f"{base}/rounds/schedule", data={"s-pattern": "milestones", "s-milestones": "x"}
    )
    assert response.status_code == 200 and "第 1 行" in response.get_data(as_text=True)
    response = client.post(f"{base}/indicators/rules", data={"rules-grades": "abc"})
    assert response.status_code == 200 and "分数线" in response.get_data(as_text=True)
    response = client.post(f"{base}/status", data={"to": "nonsense"})
    assert response.status_code == 302
    assert (
        db.session.scalar(select(Round.id)) is None and db.session.scalar(select(Person.id)) is None
    )


# ---------------------------------------------------------------- the unions of a subtree


@pytest.fixture
def district(db: Any, union: SimpleNamespace, make_org: Any) -> SimpleNamespace:
    """A district of the city with a township, five grassroots unions (two with their figures,
    one closed), a 联合工会, and a six-good rating of the city."""
    area = make_org(name="临江区总工会", kind=OrgKind.DISTRICT, parent=union.host)
    town = make_org(name="东关街道工会", kind=OrgKind.TOWNSHIP, parent=area)
    figures = {"headcount": 120, "member_count": 118, "counted_on": date(2025, 12, 31)}
    units = [
        make_org(name="临江机械厂工会", kind=OrgKind.GRASSROOTS, parent=area, **figures),
        make_org(name="临江纺织厂工会", kind=OrgKind.GRASSROOTS, parent=area),
        make_org(name="东关商场工会", kind=OrgKind.GRASSROOTS, parent=town, **figures),
        make_org(
            name="东关酒店工会",
            kind=OrgKind.GRASSROOTS,
            parent=town,
            headcount=40,
            counted_on=date(2025, 12, 31),
        ),
        make_org(name="东关旧厂工会", kind=OrgKind.GRASSROOTS, parent=town),
    ]
    units[-1].closed_at = datetime(2025, 1, 1, tzinfo=UTC)
    joint = make_org(name="东关小微企业联合工会", kind=OrgKind.JOINT, parent=town)
    rating = competitions.create_competition(
        union.organizer,
        _data(union, name="临江区六好工会评级", kind=CompetitionKind.SIX_GOOD),
    )
    db.session.commit()
    return SimpleNamespace(area=area, town=town, units=units, joint=joint, rating=rating)


def _choice(root: Any, *kinds: OrgKind, with_figures: bool = False) -> SubtreeChoice:
    return SubtreeChoice(root, kinds or (OrgKind.GRASSROOTS,), with_figures)


def _labor_version(db: Any) -> int:
    return int(
        db.session.scalar(
            select(ContentVersion.version).where(ContentVersion.name == LABOR_CONTENT)
        )
        or 0
    )


def test_subtree_takes_the_kinds_asked_for(
    db: Any, union: SimpleNamespace, district: SimpleNamespace
) -> None:
    names = lambda plan: [name for _id, name in plan.adding]  # noqa: E731
    rating = district.rating
    plan = participants.subtree_plan(rating, _choice(district.area))
    # Tree order (the township, made first, with its units, then the district's own), the
    # closed one skipped.
    assert names(plan) == ["东关商场工会", "东关酒店工会", "临江机械厂工会", "临江纺织厂工会"]
    assert (plan.existing, plan.closed, plan.no_figures, plan.same_name) == (0, 1, 0, [])
    plan = participants.subtree_plan(rating, _choice(district.town, OrgKind.TOWNSHIP))
    assert names(plan) == ["东关街道工会"]  # the chosen union itself is of its subtree
    plan = participants.subtree_plan(
        rating, _choice(union.host, OrgKind.TOWNSHIP, OrgKind.JOINT, OrgKind.DISTRICT)
    )
    assert names(plan) == ["临江区总工会", "东关街道工会", "东关小微企业联合工会"]
    with pytest.raises(LaborError, match="至少选择一种") as refused:
        participants.subtree_plan(rating, SubtreeChoice(district.area, ()))
    assert refused.value.field == "kinds"


def test_subtree_skips_listed_closed_and_same_name_unions_and_those_without_figures(
    db: Any, union: SimpleNamespace, district: SimpleNamespace
) -> None:
    rating = district.rating
    listed, _textile, mall, *_rest = district.units
    participants.add_participant(
        union.organizer, rating, ParticipantData(name="机械厂", organization=listed)
    )
    participants.add_participant(union.organizer, rating, ParticipantData(name=mall.name))
    plan = participants.subtree_plan(rating, _choice(district.area))
    assert [name for _id, name in plan.adding] == ["东关酒店工会", "临江纺织厂工会"]
    assert (plan.existing, plan.closed, plan.same_name) == (1, 1, ["东关商场工会"])
    assert plan.skipped == 3
    # Only those with both 会员人数 and 职工人数 on file: the hotel has its headcount only.
    plan = participants.subtree_plan(rating, _choice(district.area, with_figures=True))
    assert plan.adding == [] and plan.no_figures == 2
    assert participants.subtree_refusal(plan) == "所选范围内没有可以列入参赛名录的工会"
    plan = participants.subtree_plan(rating, _choice(district.town, with_figures=True))
    assert [name for _id, name in plan.adding] == [] and plan.same_name == ["东关商场工会"]


def test_subtree_adds_registered_units_in_one_audited_step(
    db: Any, union: SimpleNamespace, district: SimpleNamespace
) -> None:
    rating = district.rating
    entries, version = len(_actions(db)), _labor_version(db)
    plan = participants.add_subtree(union.organizer, rating, _choice(district.area))
    db.session.commit()
    added = participants.roster(rating)
    assert [p.name for p in added] == [name for _id, name in plan.adding] and len(added) == 4
    assert {p.organization_id for p in added} == {org_id for org_id, _name in plan.adding}
    assert all(p.kind is ParticipantKind.UNIT and p.registered_on == today() for p in added)
    assert all(p.parent_id is None and p.withdrawn_at is None for p in added)
    assert _actions(db)[entries:] == ["competition.participants.subtree"]
    assert _labor_version(db) == version + 1
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    after = json.loads(entry.after)
    assert after["added"] == 4 and after["skipped_closed"] == 1
    assert after["organization_id"] == district.area.id and after["kinds"] == ["grassroots"]
    assert entry.target_type == "competition" and entry.target_id == str(rating.id)
    assert action_phrase("competition.participants.subtree") is not None
    # Again: everything is listed now, so nothing is added and nothing is audited.
    with pytest.raises(LaborError, match="没有可以列入"):
        participants.add_subtree(union.organizer, rating, _choice(district.area))
    assert _actions(db)[entries:] == ["competition.participants.subtree"]


def test_subtree_is_capped_and_kept_in_the_hosts_tree(
    db: Any,
    union: SimpleNamespace,
    district: SimpleNamespace,
    comp: Any,
    make_org: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rating = district.rating
    monkeypatch.setattr(participants, "SUBTREE_MAX", 3)
    with pytest.raises(LaborError, match="一次最多添加 3 个工会，所选范围内有 4 个"):
        participants.add_subtree(union.organizer, rating, _choice(district.area))
    assert participants.roster(rating) == []
    assert participants.subtree_plan(rating, _choice(district.town)).too_many is False
    stranger = make_org(name="河州机械厂工会", kind=OrgKind.GRASSROOTS, parent=union.other)
    for root in (union.other, stranger):
        with pytest.raises(LaborError, match="主办工会或其下级") as refused:
            participants.add_subtree(union.organizer, rating, _choice(root))
        assert refused.value.field == "organization"
    # A competition (not only a rating) takes them too; a finished one refuses.
    participants.add_subtree(union.organizer, comp, _choice(district.town))
    comp.status = CompetitionStatus.FINISHED
    with pytest.raises(LaborError, match="竞赛已结束"):
        participants.add_subtree(union.organizer, comp, _choice(district.area))
    assert len(participants.roster(comp)) == 2


def test_the_applied_rating_template_suggests_the_kind(
    db: Any, union: SimpleNamespace, district: SimpleNamespace, comp: Any
) -> None:
    rating = district.rating
    assert participants.suggested_kinds(rating) == (OrgKind.GRASSROOTS,)
    indicators.apply_template(union.organizer, rating, "six_good_township")
    assert participants.suggested_kinds(rating) == (OrgKind.TOWNSHIP,)
    indicators.apply_template(union.organizer, rating, "six_good_county")
    assert participants.suggested_kinds(rating) == (OrgKind.DISTRICT,)
    indicators.apply_template(union.organizer, comp, "project_six_compare")
    assert participants.suggested_kinds(comp) == (OrgKind.GRASSROOTS,)
    roots = participants.subtree_roots(rating)
    assert [org.name for org in roots] == ["江州市总工会", "临江区总工会", "东关街道工会"]


def test_subtree_through_the_page_with_the_confirmation(
    db: Any,
    union: SimpleNamespace,
    district: SimpleNamespace,
    client: Any,
    login_as: Any,
) -> None:
    _login(client, login_as, union)
    rating = district.rating
    indicators.apply_template(union.organizer, rating, "six_good_township")
    db.session.commit()
    url = f"/labor/{rating.id}/participants"
    page = client.get(url).get_data(as_text=True)
    assert 'id="subtree"' in page and "批量添加下级工会" in page
    assert f'<option selected value="{union.host.id}">' in page
    assert 'value="township" checked' in page and 'value="grassroots" checked' not in page
    query = {"organization_id": str(district.area.id), "kinds": ["grassroots", "joint"]}
    page = client.get(url, query_string=query).get_data(as_text=True)
    assert 'id="subtree-preview"' in page
    assert 'data-confirm-title="将 5 个工会列入参赛名录？"' in page
    assert "另有 1 个已在名录中、已撤销或不符合条件" in page and "列入 5 个工会" in page
    form = {**query, "with_figures": ""}
    asked = client.post(f"{url}/subtree", data=form)
    assert asked.status_code == 200 and "将 5 个工会列入参赛名录？" in asked.get_data(as_text=True)
    assert participants.roster(rating) == []
    done = client.post(f"{url}/subtree", data={**form, "confirmed": "1"})
    assert done.status_code == 302 and done.location.endswith("#roster")
    db.session.expire_all()
    assert len(participants.roster(rating)) == 5
    listed = client.get(done.location).get_data(as_text=True)
    assert "已将 5 个工会列入参赛名录，跳过 1 个。" in listed and "东关小微企业联合工会" in listed
    # Again: the preview says nothing is left and offers no button; a post is refused.
    page = client.get(url, query_string=query).get_data(as_text=True)
    assert "所选范围内没有可以列入参赛名录的工会" in page and "data-confirm=" not in page
    again = client.post(f"{url}/subtree", data={**form, "confirmed": "1"})
    assert again.status_code == 302 and "#subtree" in again.location
    assert "所选范围内没有可以列入" in client.get(again.location).get_data(as_text=True)


def test_subtree_page_refuses_bad_choices_with_messages(
    db: Any, union: SimpleNamespace, district: SimpleNamespace, client_for: Any
) -> None:
    client = client_for(union.organizer)
    url = f"/labor/{district.rating.id}/participants"
    for query, needle in (
        ({"organization_id": str(union.other.id), "kinds": "grassroots"}, "请从列表中选择工会"),
        ({"organization_id": "abc", "kinds": "grassroots"}, "请从列表中选择工会"),
        ({"organization_id": str(district.area.id), "kinds": "bogus"}, "请从列表中选择工会类型"),
        ({"organization_id": str(district.area.id)}, "请至少选择一种工会类型"),
    ):
        response = client.get(url, query_string=query)
        assert response.status_code == 200 and needle in response.get_data(as_text=True), query
    for data in (
        {"organization_id": str(union.other.id), "kinds": "grassroots", "confirmed": "1"},
        {"organization_id": str(district.area.id), "kinds": "bogus", "confirmed": "1"},
    ):
        response = client.post(f"{url}/subtree", data=data)
        assert response.status_code == 302
    assert participants.roster(district.rating) == []
    district.rating.status = CompetitionStatus.FINISHED
    db.session.commit()
    assert 'id="subtree"' not in client.get(url).get_data(as_text=True)
    response = client.post(
        f"{url}/subtree",
        data={"organization_id": str(district.area.id), "kinds": "grassroots", "confirmed": "1"},
    )
    assert response.status_code == 302
    assert participants.roster(district.rating) == []
