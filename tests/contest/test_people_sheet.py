"""职工 import and export: all-or-nothing with a row report; personal numbers kept private."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from contest.models import AuditEntry, Gender, OrgKind, Person, WorkerCategory
from contest.services.core import people_sheet
from contest.services.core.spreadsheets import SheetRefused
from tests.contest.templates_support import check_template, example_upload

HEADERS = list(people_sheet.HEADERS)


def xlsx(rows: list[dict[str, Any]], headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def units(db: Any, make_org: Any) -> Any:
    from types import SimpleNamespace

    city = make_org(name="江州市总工会", kind=OrgKind.CITY)
    district = make_org(name="东湖区总工会", kind=OrgKind.DISTRICT, parent=city)
    factory = make_org(name="江州机床厂工会", kind=OrgKind.GRASSROOTS, parent=district, code="G1")
    other = make_org(name="西山纺织厂工会", kind=OrgKind.GRASSROOTS, parent=city)
    return SimpleNamespace(city=city, district=district, factory=factory, other=other)


def refused(actor: Any, data: bytes) -> dict[tuple[int, str], str]:
    with pytest.raises(SheetRefused) as info:
        people_sheet.import_people(actor, data, "people.xlsx")
    return {(e.row, e.column): e.message for e in info.value.errors}


def test_people_import_with_units_by_name_or_code(
    db: Any, units: Any, make_id_number: Callable[..., str]
) -> None:
    woman = make_id_number("11010519900307", "124")  # 17th digit even: female
    result = people_sheet.import_people(
        None,
        xlsx(
            [
                {
                    "姓名": "李秀兰",
                    "单位": "G1",
                    "身份证号": woman,
                    "性别": "女",
                    "联系电话": "13800138000",
                    "工种": "数控车工",
                    "人员类别": "一线职工",
                },
                {"姓名": "王建国", "单位": "西山纺织厂工会"},
            ]
        ),
        "people.xlsx",
    )
    db.session.commit()
    assert result.created == 2
    li = db.session.query(Person).filter_by(name="李秀兰").one()
    assert li.organization_id == units.factory.id and li.gender is Gender.FEMALE
    assert li.reveal_id_number() == woman and li.category is WorkerCategory.FRONTLINE
    assert db.session.query(AuditEntry).filter_by(action="person.import").count() == 1


def test_every_row_problem_is_reported_without_the_numbers_and_nothing_written(
    db: Any, units: Any, make_id_number: Callable[..., str]
) -> None:
    man = make_id_number("11010519900307", "135")
    registered = make_id_number("11010519850101", "111")
    people_sheet.import_people(
        None, xlsx([{"姓名": "老职工", "单位": "G1", "身份证号": registered}]), "a.xlsx"
    )
    before = db.session.query(Person).count()
    problems = refused(
        None,
        xlsx(
            [
                {
                    "姓名": "甲",
                    "单位": "G1",
                    "身份证号": man[:-1] + ("0" if man[-1] != "0" else "1"),
                },
                {"姓名": "乙", "单位": "G1", "身份证号": man, "性别": "女"},
                {"姓名": "丙", "单位": "G1", "身份证号": float(man)},
                {"姓名": "丁", "单位": "G1", "身份证号": man},
                {"姓名": "戊", "单位": "G1", "身份证号": man},
                {"姓名": "己", "单位": "不存在的厂"},
                {"姓名": "", "单位": "G1", "联系电话": "123", "人员类别": "神仙"},
                {"姓名": "庚", "单位": "G1", "身份证号": registered},
            ]
        ),
    )
    assert "校验" in problems[(2, "身份证号")] or "身份证" in problems[(2, "身份证号")]
    assert "不一致" in problems[(3, "性别")]
    assert "Excel" in problems[(4, "身份证号")] or "数字" in problems[(4, "身份证号")]
    assert "重复" in problems[(6, "身份证号")]
    assert "找不到单位" in problems[(7, "单位")]
    assert (8, "姓名") in problems and (8, "联系电话") in problems and (8, "人员类别") in problems
    assert "已登记" in problems[(9, "身份证号")]
    for message in problems.values():
        assert man not in message and registered not in message
    assert db.session.query(Person).count() == before


def test_an_organizer_imports_only_into_their_subtree(db: Any, units: Any, make_user: Any) -> None:
    organizer = make_user("organizer", organization=units.district)
    problems = refused(organizer, xlsx([{"姓名": "甲", "单位": "西山纺织厂工会"}]))
    assert "不在您管理的范围内" in problems[(2, "单位")]
    assert (
        people_sheet.import_people(
            organizer, xlsx([{"姓名": "甲", "单位": "江州机床厂工会"}]), "p.xlsx"
        ).created
        == 1
    )


def test_export_leaves_out_personal_numbers_unless_an_admin_asks(
    db: Any, units: Any, make_user: Any, make_person: Any, make_id_number: Callable[..., str]
) -> None:
    number = make_id_number()
    make_person("张伟", organization=units.factory, id_number=number, phone="13900139000")
    make_person("外区人", organization=units.other)
    organizer = make_user("organizer", organization=units.district)
    out = io.BytesIO()
    assert people_sheet.export_people(organizer, out, "xlsx") == 1
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "身份证号" not in values[0] and "联系电话" not in values[0]
    assert values[1][0] == "张伟" and number not in str(values)
    with pytest.raises(PermissionError):
        people_sheet.export_people(organizer, io.BytesIO(), "xlsx", include_private=True)
    admin_out = io.BytesIO()
    people_sheet.export_people(make_user("admin"), admin_out, "csv", include_private=True)
    assert number in admin_out.getvalue().decode("utf-8-sig")
    exports = (
        db.session.query(AuditEntry).filter_by(action="person.export").order_by(AuditEntry.id).all()
    )
    assert [e.after.count("true") for e in exports] == [0, 1]


def test_export_imports_back_into_another_tree(db: Any, units: Any, make_person: Any) -> None:
    make_person("张伟", organization=units.factory, occupation="钳工")
    out = io.BytesIO()
    people_sheet.export_people(None, out, "xlsx")
    db.session.query(Person).delete()
    db.session.commit()
    assert people_sheet.import_people(None, out.getvalue(), "p.xlsx").created == 1
    assert db.session.query(Person).one().occupation == "钳工"


def test_the_template_imports(db: Any, make_org: Any) -> None:
    make_org(name="江州精密机床股份有限公司工会", kind=OrgKind.GRASSROOTS)
    template = people_sheet.template_workbook()
    assert "身份证号" in check_template(template)
    with pytest.raises(SheetRefused):
        people_sheet.import_people(None, template, "t.xlsx")
    assert people_sheet.import_people(None, example_upload(template), "t.xlsx").created == 1
