"""Excel/CSV registration import: every error kind, all-or-nothing, the template, the page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from contest.models import AuditEntry, Entry, EventGroup, OrgKind, Person
from contest.services.skills.registration import (
    TEMPLATE_HEADERS,
    EntryImportRefused,
    import_entries,
    template_workbook,
)
from tests.contest.templates_support import check_template, example_upload

HEADERS = ["姓名", "身份证号", "性别", "单位", "赛项（工种）", "组别", "联系电话", "岗位"]


def xlsx(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    lines = [",".join(headers)] + [",".join(str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


@pytest.fixture
def c(make_contest: Any) -> Any:
    return make_contest(status="registration", entries=0, judges=1)


@pytest.fixture
def ids(make_id_number: Any) -> list[str]:
    return [make_id_number("11010519900307", f"{n:03d}") for n in range(101, 131, 2)]


def row(c: Any, number: str, name: str = "李明", unit: Any = None, **over: Any) -> list[Any]:
    values = {
        "姓名": name,
        "身份证号": number,
        "性别": "男",
        "单位": (unit or c.units[0]).name,
        "赛项（工种）": "数控车工",
        "组别": "职工组",
        "联系电话": "13800138000",
        "岗位": "车工",
    }
    values.update(over)
    return [values[h] for h in HEADERS]


def entries_count(db: Any) -> int:
    return int(db.session.scalar(select(func.count(Entry.id))) or 0)


def refused(db: Any, c: Any, data: bytes, filename: str = "报名.xlsx") -> list[Any]:
    with pytest.raises(EntryImportRefused) as refusal:
        import_entries(c.organizer, c.contest, data, filename)
    db.session.rollback()
    assert entries_count(db) == 0
    return refusal.value.errors


def test_clean_file_registers_everyone_and_audits_each_entry(
    db: Any, c: Any, ids: list[str], make_person: Any
) -> None:
    make_person(name="王芳", organization=c.units[1], id_number=ids[1])
    data = xlsx([row(c, ids[0]), row(c, ids[1], name="王芳", unit=c.units[1], 性别="")])
    result = import_entries(c.organizer, c.contest, data, "报名.xlsx")
    db.session.commit()
    assert (result.entries_created, result.people_created, result.people_matched) == (2, 1, 1)
    assert entries_count(db) == 2
    created = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "entry.create")
    ).all()
    assert len(created) == 2
    for record in db.session.scalars(select(AuditEntry)):
        assert ids[0] not in (record.after or "") and "13800138000" not in (record.after or "")


def test_csv_and_short_names_and_event_code(db: Any, c: Any, ids: list[str]) -> None:
    c.units[0].short_name = "机床厂"
    headers = ["姓名", "身份证号", "单位", "赛项代码"]
    data = csv_bytes([["李明", ids[0], "机床厂", "a"]], headers)
    result = import_entries(c.organizer, c.contest, data, "报名.csv")
    assert result.entries_created == 1


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [
        ({"单位": "不存在的厂"}, "单位", "未知单位"),
        ({"赛项（工种）": "焊工"}, "赛项（工种）", "没有工种"),
        ({"组别": "学生组"}, "赛项（工种）", "没有学生组"),
        ({"组别": "老年组"}, "赛项（工种）", "组别应为"),
        ({"性别": "未知"}, "性别", "性别应为"),
        ({"性别": "女"}, "性别", "性别与身份证号不符"),
        ({"联系电话": "12345"}, "联系电话", "联系电话格式"),
        ({"姓名": ""}, "姓名", "请填写姓名"),
    ],
)
def test_each_row_error_is_reported_and_nothing_written(
    db: Any, c: Any, ids: list[str], change: dict[str, str], column: str, words: str
) -> None:
    errors = refused(db, c, xlsx([row(c, ids[0]), row(c, ids[1], **change)]))
    assert [(e.row, e.column) for e in errors] == [(3, column)]
    assert words in errors[0].message


def test_bad_checksum_is_reported_without_the_number(db: Any, c: Any, ids: list[str]) -> None:
    bad = ids[0][:-1] + ("0" if ids[0][-1] != "0" else "1")
    errors = refused(db, c, xlsx([row(c, bad)]))
    assert errors[0].column == "身份证号" and "校验位" in errors[0].message
    assert bad not in errors[0].describe()


def test_id_number_stored_as_excel_number_is_refused(db: Any, c: Any, ids: list[str]) -> None:
    errors = refused(db, c, xlsx([row(c, int(ids[0][:-1]) * 10 if ids[0][-1] != "X" else 0)]))
    assert errors[0].column == "身份证号"
    assert "Excel 当作数字" in errors[0].message and len(errors) == 1


def test_duplicate_in_file_names_the_first_row(db: Any, c: Any, ids: list[str]) -> None:
    errors = refused(db, c, xlsx([row(c, ids[0]), row(c, ids[1]), row(c, ids[0])]))
    assert errors[0].row == 4 and "第 2 行" in errors[0].message


def test_already_registered_is_reported(db: Any, c: Any, ids: list[str]) -> None:
    import_entries(c.organizer, c.contest, xlsx([row(c, ids[0])]), "a.xlsx")
    db.session.commit()
    with pytest.raises(EntryImportRefused) as refusal:
        import_entries(c.organizer, c.contest, xlsx([row(c, ids[1]), row(c, ids[0])]), "b.xlsx")
    db.session.rollback()
    assert entries_count(db) == 1
    assert refusal.value.errors[0].row == 3 and "已报名" in refusal.value.errors[0].message


def test_the_report_names_no_one_for_a_number_recorded_in_another_district(
    db: Any, make_org: Any, make_contest: Any, make_person: Any, ids: list[str]
) -> None:
    city = make_org(name="江州市总工会", kind=OrgKind.CITY)
    east = make_org(name="东城区总工会", kind=OrgKind.DISTRICT, parent=city)
    west = make_org(name="西城区总工会", kind=OrgKind.DISTRICT, parent=city)
    west_mill = make_org(name="西城纺织厂工会", kind=OrgKind.GRASSROOTS, parent=west)
    make_person(name="王芳", organization=west_mill, id_number=ids[0])
    district = make_contest(status="registration", entries=0, judges=1, host=east)
    errors = refused(db, district, xlsx([row(district, ids[0], name="王方")]))
    assert [(e.row, e.column, e.message) for e in errors] == [
        (2, "身份证号", "该身份证号已被登记，请联系上级工会核实")
    ]


def test_quota_counts_earlier_rows_of_the_file(
    db: Any, c: Any, ids: list[str], make_org: Any
) -> None:
    c.event.quota_per_unit = 2
    workshop = make_org(name="机床厂二车间", kind=OrgKind.GRASSROOTS, parent=c.units[0])
    rows = [
        row(c, ids[0]),
        row(c, ids[1], unit=workshop),
        row(c, ids[2]),
        row(c, ids[3], unit=c.units[1]),
    ]
    errors = refused(db, c, xlsx(rows))
    assert [(e.row, e.column) for e in errors] == [(4, "单位")]
    assert "名额已满" in errors[0].message


def test_age_limit_is_reported(db: Any, c: Any, ids: list[str]) -> None:
    c.event.max_age = 30
    errors = refused(db, c, xlsx([row(c, ids[0])]))
    assert "年龄不符合要求" in errors[0].message


def test_unit_outside_host_tree_is_unknown(db: Any, c: Any, ids: list[str], make_org: Any) -> None:
    outsider = make_org(name="外市机床厂", kind=OrgKind.GRASSROOTS)
    errors = refused(db, c, xlsx([row(c, ids[0], unit=outsider)]))
    assert "未知单位" in errors[0].message


def test_occupation_in_two_groups_needs_the_group(db: Any, c: Any, ids: list[str]) -> None:
    from contest.models import Event

    db.session.add(
        Event(
            contest=c.contest, code="B", occupation="数控车工", group=EventGroup.STUDENT, policy={}
        )
    )
    db.session.flush()
    errors = refused(db, c, xlsx([row(c, ids[0], 组别="")]))
    assert "请填写组别" in errors[0].message


def test_file_level_problems(db: Any, c: Any, ids: list[str]) -> None:
    assert "只支持" in refused(db, c, b"x", "a.xls")[0].message
    assert "不是 .xlsx" in refused(db, c, b"not a zip", "a.xlsx")[0].message
    missing = refused(db, c, xlsx([["李明"]], ["姓名"]))
    assert {e.column for e in missing} >= {"身份证号", "单位", "赛项（工种）"}
    assert "没有数据行" in refused(db, c, xlsx([]))[0].message


def test_every_error_of_a_file_is_listed(db: Any, c: Any, ids: list[str]) -> None:
    rows = [
        row(c, ids[0], 单位="某厂"),
        row(c, ids[1], 赛项="x", **{"赛项（工种）": "焊工"}),
        row(c, "123"),
    ]
    errors = refused(db, c, xlsx(rows))
    assert [e.row for e in errors] == [2, 3, 4]


def test_import_refused_outside_registration(db: Any, make_contest: Any, ids: list[str]) -> None:
    c = make_contest(status="judging", entries=0, judges=0)
    errors = refused(db, c, xlsx([row(c, ids[0])]))
    assert errors[0].row == 0 and "报名中" in errors[0].message


def test_template_has_chinese_headers_and_imports_back(db: Any, c: Any) -> None:
    data = template_workbook(c.contest)
    assert check_template(data) == list(TEMPLATE_HEADERS)
    with pytest.raises(EntryImportRefused):
        import_entries(c.organizer, c.contest, data, "模板.xlsx")
    upload = example_upload(data)
    assert import_entries(c.organizer, c.contest, upload, "模板.xlsx").entries_created == 1


# ---------------------------------------------------------------- the page


def test_import_page_shows_the_report_and_writes_nothing(
    db: Any, c: Any, ids: list[str], client_for: Any
) -> None:
    client = client_for(c.organizer)
    url = f"/contests/{c.contest.id}/entries/import"
    assert client.get(url).status_code == 200
    data = xlsx([row(c, ids[0]), row(c, ids[1], 单位="不存在的厂")])
    response = client.post(url, data={"file": (io.BytesIO(data), "报名.xlsx")})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "导入被拒绝" in body and "未知单位" in body and "不存在的厂" in body
    assert ids[0] not in body and ids[1] not in body
    assert db.session.scalar(select(func.count(Person.id))) == 0


def test_import_page_success_and_template_download(
    db: Any, c: Any, ids: list[str], client_for: Any
) -> None:
    client = client_for(c.organizer)
    response = client.post(
        f"/contests/{c.contest.id}/entries/import",
        data={"file": (io.BytesIO(xlsx([row(c, ids[0])])), "报名.xlsx")},
    )
    assert "导入完成" in response.get_data(as_text=True)
    assert entries_count(db) == 1
    template = client.get(f"/contests/{c.contest.id}/entries/template.xlsx")
    assert template.status_code == 200 and template.data.startswith(b"PK")


def test_a_row_with_several_problems_reports_each(db: Any, c: Any, ids: list[str]) -> None:
    errors = refused(db, c, xlsx([row(c, "123", 单位="某厂", 联系电话="1")]))
    assert sorted(e.column for e in errors) == ["单位", "联系电话", "身份证号"]


def test_a_refused_row_takes_no_quota_place(db: Any, c: Any, ids: list[str]) -> None:
    c.event.quota_per_unit = 1
    errors = refused(db, c, xlsx([row(c, ids[0], 性别="?"), row(c, ids[1])]))
    assert [e.column for e in errors] == ["性别"]


def test_import_page_refuses_a_file_that_is_not_a_sheet(db: Any, c: Any, client_for: Any) -> None:
    client = client_for(c.organizer)
    url = f"/contests/{c.contest.id}/entries/import"
    wrong_kind = client.post(url, data={"file": (io.BytesIO(b"x"), "报名.xls")})
    assert "只支持" in wrong_kind.get_data(as_text=True)
    renamed = client.post(url, data={"file": (io.BytesIO(b"MZ\x00\x00"), "报名.xlsx")})
    assert "不是 .xlsx" in renamed.get_data(as_text=True)
    assert entries_count(db) == 0
