"""The union tree as a spreadsheet: all-or-nothing import with a row report, export, round trip."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from contest.models import AuditEntry, Organization, OrgKind, Ownership
from contest.services.core import org_sheet
from contest.services.core.spreadsheets import SheetRefused
from tests.contest.templates_support import check_template, example_upload

HEADERS = list(org_sheet.HEADERS)


def xlsx(rows: list[dict[str, Any]], headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(actor: Any, data: bytes, filename: str = "tree.xlsx") -> list[tuple[int, str, str]]:
    with pytest.raises(SheetRefused) as info:
        org_sheet.import_tree(actor, data, filename)
    return [(e.row, e.column, e.message) for e in info.value.errors]


@pytest.fixture
def city(db: Any, make_org: Any) -> Any:
    return make_org(name="江州市总工会", kind=OrgKind.CITY, code="JZ")


def test_a_tree_imports_with_parents_by_name_or_code_in_any_order(db: Any, city: Any) -> None:
    data = xlsx(
        [
            # the workshop comes before its factory, which comes before its district
            {
                "组织名称": "一车间分工会",
                "类型": "分工会",
                "上级工会": "JZ-0101",
                "职工人数": 180,
                "会员人数": 176,
                "统计日期": "2026-06-30",
            },
            {
                "组织名称": "江州机床集团工会",
                "类型": "基层工会",
                "上级工会": "东湖区总工会",
                "组织代码": "JZ-0101",
                "所属单位": "江州机床集团有限公司",
                "统一社会信用代码": "91110000600037341L",
                "所有制": "国有",
                "重点产业": "是",
            },
            {"组织名称": "东湖区总工会", "类型": "区县总工会", "上级工会": "JZ"},
        ]
    )
    result = org_sheet.import_tree(None, data, "tree.xlsx")
    db.session.commit()
    assert result.created == 3
    factory = db.session.query(Organization).filter_by(code="JZ-0101").one()
    workshop = db.session.query(Organization).filter_by(name="一车间分工会").one()
    assert factory.parent.name == "东湖区总工会" and factory.parent.parent_id == city.id
    assert workshop.path == f"{factory.path}{workshop.id}/" and city.contains(workshop)
    assert factory.ownership is Ownership.STATE and factory.is_key_industry
    assert workshop.headcount == 180 and workshop.counted_on == date(2026, 6, 30)
    entries = db.session.query(AuditEntry).filter_by(action="organization.import").all()
    assert len(entries) == 1 and '"created":3' in entries[0].after.replace(" ", "")


def test_every_problem_of_every_row_is_reported_and_nothing_is_written(db: Any, city: Any) -> None:
    before = db.session.query(Organization).count()
    problems = refused(
        None,
        xlsx(
            [
                {"组织名称": "甲工会", "类型": "某某会", "上级工会": "JZ"},
                {"组织名称": "乙工会", "类型": "基层工会", "上级工会": "不存在的工会"},
                {
                    "组织名称": "丙工会",
                    "类型": "基层工会",
                    "上级工会": "JZ",
                    "统一社会信用代码": "91110000600037341X",
                },
                {
                    "组织名称": "丁工会",
                    "类型": "基层工会",
                    "上级工会": "JZ",
                    "职工人数": "很多",
                    "统计日期": "2026-13-40",
                },
                {"组织名称": "戊区总工会", "类型": "区县总工会", "上级工会": "甲工会"},
                {"组织名称": "己市总工会", "类型": "市总工会", "上级工会": "JZ"},
            ]
        ),
    )
    rows = {(row, column) for row, column, _ in problems}
    assert (2, "类型") in rows
    assert (3, "上级工会") in rows and any("找不到上级工会" in m for _, _, m in problems)
    assert (4, "统一社会信用代码") in rows
    assert (5, "职工人数") in rows and (5, "统计日期") in rows
    assert (7, "上级工会") in rows  # a city union below a city union
    # 戊 names 甲, whose own row was refused: reported once, on 甲's row only.
    assert not any(row == 6 for row, _, _ in problems)
    assert db.session.query(Organization).count() == before


def test_missing_and_unknown_headers_are_refused_before_the_rows(db: Any, city: Any) -> None:
    problems = refused(None, xlsx([{"组织名称": "甲"}], headers=["组织名称", "上级", "组织名称"]))
    messages = " ".join(m for _, _, m in problems)
    assert "缺少必填列" in messages and "无法识别的列" in messages and "列名重复" in messages


def test_duplicates_within_the_file_and_against_the_database(
    db: Any, city: Any, make_org: Any
) -> None:
    make_org(name="东湖区总工会", kind=OrgKind.DISTRICT, parent=city)
    problems = refused(
        None,
        xlsx(
            [
                {"组织名称": "东湖区总工会", "类型": "区县总工会", "上级工会": "JZ"},
                {"组织名称": "甲厂工会", "类型": "基层工会", "上级工会": "JZ", "组织代码": "A1"},
                {"组织名称": "乙厂工会", "类型": "基层工会", "上级工会": "JZ", "组织代码": "A1"},
                {"组织名称": "丙厂工会", "类型": "基层工会", "上级工会": "JZ", "组织代码": "JZ"},
            ]
        ),
    )
    text = {(row, column): message for row, column, message in problems}
    assert "已有同名组织" in text[(2, "组织名称")]
    assert "重复" in text[(4, "组织代码")]
    assert "已被使用" in text[(5, "组织代码")]


def test_ambiguous_parent_names_ask_for_the_code(db: Any, city: Any, make_org: Any) -> None:
    district = make_org(name="东湖区总工会", kind=OrgKind.DISTRICT, parent=city)
    make_org(name="机床厂工会", kind=OrgKind.GRASSROOTS, parent=city)
    make_org(name="机床厂工会", kind=OrgKind.GRASSROOTS, parent=district)
    problems = refused(
        None, xlsx([{"组织名称": "车间", "类型": "分工会", "上级工会": "机床厂工会"}])
    )
    assert problems == [(2, "上级工会", "有多个名为“机床厂工会”的组织，请改填组织代码")]


def test_parent_cycles_in_the_file_are_refused(db: Any, city: Any) -> None:
    problems = refused(
        None,
        xlsx(
            [
                {"组织名称": "甲", "类型": "基层工会", "上级工会": "乙"},
                {"组织名称": "乙", "类型": "基层工会", "上级工会": "甲"},
            ]
        ),
    )
    assert any("循环" in m for _, _, m in problems)


def test_an_organizer_imports_only_below_their_union(
    db: Any, city: Any, make_org: Any, make_user: Any
) -> None:
    district = make_org(name="东湖区总工会", kind=OrgKind.DISTRICT, parent=city)
    other = make_org(name="西山区总工会", kind=OrgKind.DISTRICT, parent=city)
    organizer = make_user("organizer", organization=district)
    problems = refused(
        organizer,
        xlsx([{"组织名称": "甲厂工会", "类型": "基层工会", "上级工会": other.name}]),
    )
    assert problems == [(2, "上级工会", "上级工会不在您管理的范围内")]
    result = org_sheet.import_tree(
        organizer, xlsx([{"组织名称": "甲厂工会", "类型": "基层工会"}]), "t.xlsx"
    )
    assert result.created == 1
    assert db.session.query(Organization).filter_by(name="甲厂工会").one().parent_id == district.id


def test_export_then_import_into_an_empty_database_gives_the_same_tree(
    db: Any, city: Any, make_org: Any
) -> None:
    district = make_org(name="东湖区总工会", kind=OrgKind.DISTRICT, parent=city, region="东湖区")
    make_org(
        name="江州机床集团工会",
        kind=OrgKind.GRASSROOTS,
        parent=district,
        code="JZ-0101",
        employer="江州机床集团有限公司",
        ownership=Ownership.NON_PUBLIC,
        headcount=1200,
        member_count=1100,
        counted_on=date(2026, 6, 30),
    )
    out = io.BytesIO()
    assert org_sheet.export_tree(None, out, "xlsx") == 3
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert [c.value for c in sheet[1]] == HEADERS

    def shape() -> list[tuple[Any, ...]]:
        return sorted(
            (
                o.name,
                o.kind,
                o.parent.name if o.parent else None,
                o.code,
                o.employer,
                o.ownership,
                o.headcount,
                o.member_count,
                o.counted_on,
                o.region,
            )
            for o in db.session.query(Organization)
        )

    expected = shape()
    for org in sorted(db.session.query(Organization), key=lambda o: -len(o.path)):
        db.session.delete(org)
    db.session.query(AuditEntry).delete()
    db.session.commit()
    assert org_sheet.import_tree(None, out.getvalue(), "tree.xlsx").created == 3
    assert shape() == expected


def test_csv_export_neutralises_formulas(db: Any, make_org: Any) -> None:
    make_org(name='=HYPERLINK("http://x")', kind=OrgKind.CITY)
    out = io.BytesIO()
    org_sheet.export_tree(None, out, "csv")
    assert "'=HYPERLINK" in out.getvalue().decode("utf-8-sig")


def test_template_imports_below_its_example_district(db: Any, city: Any, make_org: Any) -> None:
    make_org(name="东湖区总工会", kind=OrgKind.DISTRICT, parent=city)
    template = org_sheet.template_workbook()
    check_template(template)
    with pytest.raises(SheetRefused, match="1 处错误") as untouched:
        org_sheet.import_tree(None, template, "template.xlsx")
    assert "没有组织" in untouched.value.report()  # the example is not imported by accident
    result = org_sheet.import_tree(None, example_upload(template), "template.xlsx")
    assert result.created == 2
