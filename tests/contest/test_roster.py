"""Roster import and export (issue 5 item 2): the Chinese-header .xlsx/.csv contract.

Import is all-or-nothing with every error reported by Excel row and column; personal numbers
are read as text, validated, encrypted, never echoed; export neutralises formulas and leaves
out personal numbers unless asked; an export imports back to the same honors.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import delete, func, select

from contest.models import (
    AuditEntry,
    ContentVersion,
    Gender,
    Honor,
    HonorLevel,
    HonorSource,
    HonorStatus,
    OrgKind,
    Person,
)
from contest.services.core import spreadsheets
from contest.services.core.spreadsheets import SheetRefused
from contest.services.core.versions import HONORS_CONTENT
from contest.services.honors import roster
from tests.contest.templates_support import check_template, example_upload

HEADERS = [
    "姓名",
    "性别",
    "单位",
    "荣誉称号",
    "级别",
    "年份",
    "授予机关",
    "文号",
    "身份证号",
    "联系电话",
    "事迹",
]


def csv_bytes(rows: list[dict[str, Any]], headers: list[str] | None = None) -> bytes:
    headers = headers or HEADERS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: list[dict[str, Any]], headers: list[str] | None = None) -> bytes:
    headers = headers or HEADERS
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(name: str = "王秀英", **fields: Any) -> dict[str, Any]:
    base = {
        "姓名": name,
        "荣誉称号": "劳动模范",
        "级别": "地市级",
        "年份": "2015",
        "授予机关": "江州市人民政府",
        "文号": "江政发〔2015〕8号",
    }
    base.update(fields)
    return base


def refused(db: Any, data: bytes, filename: str = "roster.csv") -> SheetRefused:
    with pytest.raises(SheetRefused) as info:
        roster.import_roster(None, data, filename)
    db.session.rollback()
    return info.value


def count(db: Any, model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def content_version(db: Any) -> int:
    row = db.session.get(ContentVersion, HONORS_CONTENT)
    return row.version if row else 0


@pytest.fixture
def id_number(make_id_number: Callable[..., str]) -> Callable[[int], str]:
    """Distinct valid 身份证号: odd sequence → male, even → female."""

    def _make(n: int, female: bool = False) -> str:
        sequence = f"{(2 * n + (0 if female else 1)) % 1000:03d}"
        return make_id_number("11010519800101", sequence)

    return _make


# ------------------------------------------------------------------ headers and rows


def test_missing_required_header_is_reported_on_row_1(db: Any) -> None:
    data = csv_bytes([row()], headers=["姓名", "荣誉称号", "级别", "授予机关"])
    error = refused(db, data)
    assert [(e.row, e.column) for e in error.errors] == [(1, "年份"), (1, "文号")]
    assert "缺少必填列" in error.report()


def test_unknown_header_is_listed(db: Any) -> None:
    headers = ["姓名", "荣誉称号", "级别", "年份", "授予机关", "文号", "籍贯"]
    data = csv_bytes([row()], headers=headers)
    error = refused(db, data)
    assert error.errors[0].row == 1
    assert "籍贯" in error.errors[0].column


def test_header_whitespace_is_trimmed(db: Any) -> None:
    data = (
        " 姓名 ,荣誉称号, 级别,年份\t, 授予机关,文号 \n"
        "王秀英,劳动模范,市级,2015,江州市人民政府,江政发〔2015〕8号\n"
    ).encode()
    result = roster.import_roster(None, data, "r.csv")
    assert result.honors_created == 1


@pytest.mark.parametrize(
    ("fields", "column", "message"),
    [
        ({"级别": "特级"}, "级别", "级别应为"),
        ({"年份": "19x9"}, "年份", "四位数字"),
        ({"年份": "1800"}, "年份", "1949"),
        ({"荣誉称号": ""}, "荣誉称号", "请填写"),
        ({"联系电话": "12345"}, "联系电话", "联系电话格式不正确"),
        ({"性别": "未知"}, "性别", "性别应为"),
        ({"荣誉称号": "模" * 101}, "荣誉称号", "不能超过 100"),
        ({"姓名": "名" * 61}, "姓名", "不能超过 60"),
        ({"事迹": "迹" * 20_001}, "事迹", "不能超过 20000"),
    ],
)
def test_bad_cell_is_reported_with_row_and_column(
    db: Any, fields: dict[str, str], column: str, message: str
) -> None:
    error = refused(db, csv_bytes([row("李明"), row("张伟", **fields)]))
    assert [(e.row, e.column) for e in error.errors] == [(3, column)]
    assert message in error.errors[0].message


def test_bad_id_checksum_is_refused_without_echoing_the_number(
    db: Any, id_number: Callable[[int], str]
) -> None:
    good = id_number(1)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    error = refused(db, csv_bytes([row(身份证号=bad)]))
    assert [(e.row, e.column) for e in error.errors] == [(2, "身份证号")]
    assert "校验位" in error.errors[0].message
    assert bad not in error.report() and bad[:17] not in error.report()


def test_id_stored_as_excel_number_is_refused(db: Any, id_number: Callable[[int], str]) -> None:
    number = id_number(2)
    data = xlsx_bytes([row(身份证号=float(number)), row("李明", 身份证号=int(number))])
    error = refused(db, data, "roster.xlsx")
    assert [(e.row, e.column) for e in error.errors] == [(2, "身份证号"), (3, "身份证号")]
    assert all("Excel 当作数字" in e.message for e in error.errors)
    assert number not in error.report()


@pytest.mark.parametrize("spelling", ["1.10105198001010E+17", "110105198001010021.0"])
def test_id_spelled_as_a_number_in_csv_is_refused(db: Any, spelling: str) -> None:
    error = refused(db, csv_bytes([row(身份证号=spelling)]))
    assert "Excel 当作数字" in error.errors[0].message


def test_same_id_with_a_different_name_is_refused(db: Any, id_number: Callable[[int], str]) -> None:
    number = id_number(3)
    error = refused(db, csv_bytes([row("王秀英", 身份证号=number), row("王秀平", 身份证号=number)]))
    assert [(e.row, e.column) for e in error.errors] == [(3, "身份证号")]
    assert "第 2 行" in error.errors[0].message


def test_gender_contradicting_the_id_is_refused(db: Any, id_number: Callable[..., str]) -> None:
    error = refused(db, csv_bytes([row(性别="女", 身份证号=id_number(4))]))
    assert error.errors[0].column == "性别"


def test_every_error_is_collected(db: Any) -> None:
    data = csv_bytes([row(级别="特级"), row("李明"), row("张伟", 年份="abc", 联系电话="1")])
    error = refused(db, data)
    assert [(e.row, e.column) for e in error.errors] == [(2, "级别"), (4, "年份"), (4, "联系电话")]
    lines = error.report().splitlines()
    assert lines[0].startswith("第 2 行 [级别]：")


def test_one_bad_row_in_fifty_writes_nothing(db: Any) -> None:
    rows = [row(f"职工{i:02d}", 单位="某某机械厂") for i in range(50)]
    rows[25]["级别"] = "宇宙级"
    before = content_version(db)
    error = refused(db, csv_bytes(rows))
    assert [(e.row, e.column) for e in error.errors] == [(27, "级别")]
    assert count(db, Honor) == 0
    assert count(db, Person) == 0
    assert count(db, AuditEntry) == 0
    assert content_version(db) == before


def test_refused_file_content_is_not_parsed(db: Any) -> None:
    error = refused(db, b"MZ\x90\x00 not a workbook", "roster.xlsx")
    assert "不是 .xlsx" in error.errors[0].message
    error = refused(db, b"\x00\x01binary", "roster.csv")
    assert "不是 CSV" in error.errors[0].message
    error = refused(db, b"a,b", "roster.xls")
    assert ".xlsx 或 .csv" in error.errors[0].message


# ------------------------------------------------------------------ people and honors


def test_rows_with_the_same_id_are_one_person(db: Any, id_number: Callable[..., str]) -> None:
    number = id_number(5, female=True)
    data = csv_bytes(
        [
            row("王秀英", 身份证号=number, 联系电话="13800138000"),
            row("王秀英", 身份证号=number, 荣誉称号="五一劳动奖章", 年份="2018"),
        ]
    )
    result = roster.import_roster(None, data, "r.csv")
    db.session.commit()
    assert (result.people_created, result.honors_created) == (1, 2)
    person = db.session.scalars(select(Person)).one()
    assert person.reveal_id_number() == number
    assert person.reveal_phone() == "13800138000"
    assert person.gender is Gender.FEMALE  # inferred from the ID
    assert person.id_number_encrypted is not None and number.encode() not in bytes(
        person.id_number_encrypted
    )
    honors = db.session.scalars(select(Honor)).all()
    assert {h.person_id for h in honors} == {person.id}
    assert {h.source for h in honors} == {HonorSource.ROSTER}
    assert all(h.source_ref and h.source_ref.startswith("roster:") for h in honors)


def test_rows_without_id_match_by_name_and_unit(db: Any) -> None:
    data = csv_bytes(
        [
            row("张伟", 单位="第一机械厂"),
            row("张伟", 单位="第一机械厂", 年份="2019"),
            row("张伟", 单位="第二纺织厂"),
        ]
    )
    result = roster.import_roster(None, data, "r.csv")
    db.session.commit()
    assert (result.people_created, result.honors_created) == (2, 3)


def test_row_without_id_joins_the_id_holder_of_that_name_and_unit(
    db: Any, id_number: Callable[..., str]
) -> None:
    data = csv_bytes(
        [
            row("张伟", 单位="第一机械厂", 身份证号=id_number(6)),
            row("张伟", 单位="第一机械厂", 年份="2020"),
        ]
    )
    assert roster.import_roster(None, data, "r.csv").people_created == 1


def test_later_import_matches_existing_people(db: Any, id_number: Callable[..., str]) -> None:
    number = id_number(7)
    roster.import_roster(
        None, csv_bytes([row("李明", 身份证号=number), row("赵强", 单位="第一机械厂")]), "a.csv"
    )
    db.session.commit()
    second = csv_bytes(
        [
            row("李明", 身份证号=number, 年份="2020"),
            row("赵强", 单位="第一机械厂", 年份="2021"),
        ]
    )
    result = roster.import_roster(None, second, "b.csv")
    db.session.commit()
    assert (result.people_created, result.people_matched) == (0, 2)
    assert count(db, Person) == 2 and count(db, Honor) == 4


def test_existing_person_under_another_name_is_refused(
    db: Any, make_person: Callable[..., Any], id_number: Callable[..., str]
) -> None:
    number = id_number(8)
    make_person("陈静", id_number=number)
    error = refused(db, csv_bytes([row("陈敬", 身份证号=number)]))
    assert error.errors[0].column == "身份证号"


def test_reimporting_the_same_honor_is_refused(db: Any, id_number: Callable[..., str]) -> None:
    data = csv_bytes([row("李明", 身份证号=id_number(9))])
    roster.import_roster(None, data, "a.csv")
    db.session.commit()
    error = refused(db, data)
    assert "已有这条荣誉" in error.errors[0].message
    assert count(db, Honor) == 1


def test_duplicate_row_in_file_is_refused(db: Any) -> None:
    error = refused(db, csv_bytes([row("李明"), row("李明")]))
    assert [(e.row, e.column) for e in error.errors] == [(3, "荣誉称号")]


def test_known_unit_links_the_organization_and_its_industry(
    db: Any, make_org: Callable[..., Any]
) -> None:
    org = make_org(name="江州钢铁公司", kind=OrgKind.GRASSROOTS, industry="冶金")
    roster.import_roster(
        None, csv_bytes([row(单位="江州钢铁公司"), row("李明", 单位="已撤销的老厂")]), "r.csv"
    )
    db.session.commit()
    linked = db.session.scalars(select(Honor).where(Honor.recipient_name == "王秀英")).one()
    assert (linked.organization_id, linked.industry, linked.unit_name) == (org.id, "冶金", org.name)
    assert db.session.get(Person, linked.person_id).organization_id == org.id
    old = db.session.scalars(select(Honor).where(Honor.recipient_name == "李明")).one()
    assert (old.organization_id, old.unit_name) == (None, "已撤销的老厂")


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ("全国", HonorLevel.NATIONAL),
        ("国家级", HonorLevel.NATIONAL),
        ("省级", HonorLevel.PROVINCIAL),
        ("省部级", HonorLevel.PROVINCIAL),
        ("市级", HonorLevel.CITY),
        ("区级", HonorLevel.DISTRICT),
        ("县级", HonorLevel.DISTRICT),
        ("企业", HonorLevel.ENTERPRISE),
        (" 企业级 ", HonorLevel.ENTERPRISE),
    ],
)
def test_level_synonyms(db: Any, written: str, level: HonorLevel) -> None:
    roster.import_roster(None, csv_bytes([row(级别=written)]), "r.csv")
    assert db.session.scalars(select(Honor.level)).one() is level


def test_long_deeds_keep_full_text_and_a_summary_cut_at_a_sentence(db: Any) -> None:
    deeds = "他扎根一线三十年,带出徒弟百余名。" * 40  # 680 characters
    roster.import_roster(None, csv_bytes([row(事迹=deeds)]), "r.csv")
    honor = db.session.scalars(select(Honor)).one()
    assert honor.deeds_full == deeds
    assert honor.deeds_summary is not None and len(honor.deeds_summary) <= 500
    assert honor.deeds_summary.endswith("。") and deeds.startswith(honor.deeds_summary)


def test_unit_and_team_titles_create_no_person(db: Any) -> None:
    data = csv_bytes(
        [row("江州钢铁公司炼钢厂", 荣誉称号="五一劳动奖状"), row("甲班", 荣誉称号="工人先锋号")]
    )
    roster.import_roster(None, data, "r.csv")
    assert count(db, Person) == 0
    assert {h.recipient_kind.value for h in db.session.scalars(select(Honor))} == {"unit", "team"}


def test_import_is_audited_once_and_bumps_the_version_once(db: Any) -> None:
    before = content_version(db)
    result = roster.import_roster(None, csv_bytes([row(), row("李明")]), "r.csv")
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry)).all()
    assert [e.action for e in entries] == ["honors.import"]
    assert result.file_sha256 in (entries[0].after or "")
    assert content_version(db) == before + 1


def test_progress_is_reported(db: Any) -> None:
    seen: list[tuple[str, int, int]] = []
    roster.import_roster(
        None,
        csv_bytes([row(f"职工{i}") for i in range(3)]),
        "r.csv",
        progress=lambda *a: seen.append(a),
    )
    assert ("validate", 3, 3) in seen and ("write", 3, 3) in seen


# ------------------------------------------------------------------ export


def _seed(db: Any, id_number: Callable[..., str], make_org: Callable[..., Any]) -> None:
    make_org(name="江州钢铁公司", kind=OrgKind.GRASSROOTS, industry="冶金")
    rows = [
        row(
            "王秀英",
            性别="女",
            单位="江州钢铁公司",
            身份证号=id_number(10, female=True),
            联系电话="13800138000",
            事迹="第一句。\n第二行" * 100,
        ),
        row(
            "王秀英",
            单位="江州钢铁公司",
            身份证号=id_number(10, female=True),
            级别="全国",
            荣誉称号="全国劳动模范",
            年份="2020",
        ),
        row('=HYPERLINK("http://evil")', 单位="+集团", 荣誉称号="@技术能手", 事迹="-1+1"),
        row("欧阳建国", 单位="第一机械厂", 级别="区县级", 年份="1956"),
        row("江州炼钢厂", 荣誉称号="五一劳动奖状", 级别="省部级"),
    ]
    headers = [*HEADERS, "岗位", "技能等级"]
    for r in rows:
        r.update(
            {
                "岗位": "炉前工",
                "技能等级": "高级技师",
                "授予机关": "江州市人民政府",
                "文号": "江政〔2015〕1号",
            }
        )
    roster.import_roster(None, csv_bytes(rows, headers), "seed.csv")
    honor = db.session.scalars(select(Honor).where(Honor.recipient_name == "欧阳建国")).one()
    from contest.services.honors.records import revoke_honor

    revoke_honor(None, honor, "事迹严重失实")
    db.session.commit()


def _honor_facts(db: Any) -> set[tuple[Any, ...]]:
    facts = set()
    for honor, person in db.session.execute(
        select(Honor, Person).outerjoin(Person, Honor.person_id == Person.id)
    ):
        facts.add(
            (
                honor.recipient_kind,
                honor.recipient_name,
                honor.unit_name,
                honor.post,
                honor.skill_level,
                honor.industry,
                honor.organization_id,
                honor.title,
                honor.level,
                honor.year,
                honor.conferring_body,
                honor.document_number,
                honor.deeds_summary,
                honor.deeds_full,
                honor.status,
                honor.revoked_reason,
                honor.sort_key,
                honor.search_text,
                person.gender if person else None,
                person.reveal_id_number() if person else None,
                person.reveal_phone() if person else None,
            )
        )
    return facts


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_export_then_import_into_an_empty_db_gives_the_same_honors(
    db: Any, kind: str, id_number: Callable[..., str], make_org: Callable[..., Any]
) -> None:
    _seed(db, id_number, make_org)
    before = _honor_facts(db)
    buffer = io.BytesIO()
    assert roster.export_roster(buffer, kind, include_private=True) == 5
    db.session.execute(delete(Honor))
    db.session.execute(delete(Person))
    db.session.commit()
    roster.import_roster(None, buffer.getvalue(), f"export.{kind}")
    db.session.commit()
    assert _honor_facts(db) == before
    assert count(db, Person) == 3


def test_export_writes_canonical_levels_and_status_columns(
    db: Any, id_number: Callable[..., str], make_org: Callable[..., Any]
) -> None:
    _seed(db, id_number, make_org)
    buffer = io.BytesIO()
    roster.export_roster(buffer, "csv")
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))
    assert {r["级别"] for r in rows} == {"全国", "省部级", "地市级", "区县级"}
    revoked = [r for r in rows if r["状态"] == "已撤销"]
    assert [(r["姓名"], r["撤销原因"]) for r in revoked] == [("欧阳建国", "事迹严重失实")]
    buffer = io.BytesIO()
    assert roster.export_roster(buffer, "csv", valid_only=True) == 4
    assert "状态" not in buffer.getvalue().decode("utf-8-sig").splitlines()[0]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_export_neutralises_formulas(
    db: Any, kind: str, id_number: Callable[..., str], make_org: Callable[..., Any]
) -> None:
    _seed(db, id_number, make_org)
    buffer = io.BytesIO()
    roster.export_roster(buffer, kind)
    if kind == "csv":
        cells = [
            c for r in csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))) for c in r
        ]
    else:
        sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
        cells = [c.value for r in sheet.iter_rows() for c in r if isinstance(c.value, str)]
        assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)
    assert '\'=HYPERLINK("http://evil")' in cells
    assert {"'+集团", "'@技术能手", "'-1+1"} <= set(cells)
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_personal_numbers_are_left_out_unless_asked(
    db: Any, kind: str, id_number: Callable[..., str], make_org: Callable[..., Any]
) -> None:
    _seed(db, id_number, make_org)
    number = id_number(10, female=True)
    plain = io.BytesIO()
    roster.export_roster(plain, kind)
    private = io.BytesIO()
    roster.export_roster(private, kind, include_private=True)

    def text(data: bytes) -> str:
        if kind == "csv":
            return data.decode("utf-8-sig")
        sheet = load_workbook(io.BytesIO(data)).active
        return "\n".join(str(c.value) for r in sheet.iter_rows() for c in r)

    assert number not in text(plain.getvalue()) and "13800138000" not in text(plain.getvalue())
    assert "身份证号" not in text(plain.getvalue())
    assert number in text(private.getvalue()) and "13800138000" in text(private.getvalue())


def test_exported_id_cells_are_text_in_xlsx(
    db: Any, id_number: Callable[..., str], make_org: Callable[..., Any]
) -> None:
    _seed(db, id_number, make_org)
    buffer = io.BytesIO()
    roster.export_roster(buffer, "xlsx", include_private=True)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    header = [c.value for c in next(sheet.iter_rows())]
    column = header.index("身份证号")
    ids = [r[column] for r in sheet.iter_rows(min_row=2) if r[column].value]
    assert ids and all(c.data_type == "s" for c in ids)


def test_template_has_the_headers_and_an_example_that_imports(db: Any) -> None:
    data = roster.template_workbook()
    header = check_template(data)
    assert header[:4] == ["姓名", "性别", "单位", "岗位"]
    assert {"荣誉称号", "级别", "年份", "身份证号", "联系电话"} <= set(header)
    refused(db, data, "模板.xlsx")  # the untouched template imports nothing
    assert roster.import_roster(None, example_upload(data), "模板.xlsx").honors_created == 1


# ------------------------------------------------------------------ command line


def test_cli_import_prints_counts(runner: Any, db: Any, tmp_path: Any) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes([row(), row("李明")]))
    result = runner.invoke(args=["honors", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 条荣誉" in result.output
    db.session.rollback()
    assert count(db, Honor) == 2


def test_cli_import_refusal_prints_report_and_exits_1(
    runner: Any, db: Any, tmp_path: Any, id_number: Callable[..., str]
) -> None:
    path = tmp_path / "roster.xlsx"
    number = id_number(11)
    path.write_bytes(
        xlsx_bytes([row(), row("李明", 级别="特级"), row("赵强", 身份证号=float(number))])
    )
    result = runner.invoke(args=["honors", "import", str(path)])
    assert result.exit_code == 1
    assert "第 3 行 [级别]：级别应为" in result.output
    assert "第 4 行 [身份证号]：身份证号被 Excel 当作数字" in result.output
    assert number not in result.output
    db.session.rollback()
    assert count(db, Honor) == 0


def test_cli_export_by_extension(runner: Any, db: Any, tmp_path: Any) -> None:
    roster.import_roster(None, csv_bytes([row()]), "r.csv")
    db.session.commit()
    for name in ("out.xlsx", "out.csv"):
        result = runner.invoke(args=["honors", "export", str(tmp_path / name), "--valid-only"])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 0
    result = runner.invoke(args=["honors", "export", str(tmp_path / "out.xls")])
    assert result.exit_code == 1
    assert ".xlsx 或 .csv" in result.output
    assert not (tmp_path / "out.xls").exists()


def test_cli_export_private_only_when_asked(
    runner: Any, db: Any, tmp_path: Any, id_number: Callable[..., str]
) -> None:
    number = id_number(12)
    roster.import_roster(None, csv_bytes([row("李明", 身份证号=number)]), "r.csv")
    db.session.commit()
    runner.invoke(args=["honors", "export", str(tmp_path / "plain.csv")])
    runner.invoke(args=["honors", "export", str(tmp_path / "private.csv"), "--include-private"])
    assert number not in (tmp_path / "plain.csv").read_text(encoding="utf-8-sig")
    assert number in (tmp_path / "private.csv").read_text(encoding="utf-8-sig")
    db.session.rollback()
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("honors.export") == 2


def test_revoked_status_round_trips_through_import(db: Any) -> None:
    headers = [*HEADERS, "状态", "撤销原因"]
    roster.import_roster(
        None,
        csv_bytes([row(状态="已撤销", 撤销原因="弄虚作假"), row("李明", 状态="有效")], headers),
        "r.csv",
    )
    statuses = {h.recipient_name: h.status for h in db.session.scalars(select(Honor))}
    assert statuses == {"王秀英": HonorStatus.REVOKED, "李明": HonorStatus.VALID}
    error = refused(db, csv_bytes([row("赵强", 状态="已撤销")], headers))
    assert error.errors[0].column == "撤销原因"


@pytest.mark.parametrize(
    "name", ["王秀英", "曾国藩", "单雄信", "解缙", "欧阳建国", "阿依古丽·买买提", "A班组", "李𠮷"]
)
def test_fast_sort_key_matches_phrase_aware_pinyin(name: str) -> None:
    from pypinyin import lazy_pinyin

    from contest.services.honors.records import sort_key

    expected = " ".join(lazy_pinyin(name.replace("·", ""), errors=lambda chars: list(chars)))
    assert sort_key(name) == expected


def test_fast_xlsx_reader_agrees_with_openpyxl(id_number: Callable[..., str]) -> None:
    rows = [
        row(年份=2015, 身份证号=id_number(13), 事迹="a & b <c>\n第二行"),
        {},
        row("李明", 年份=1988.0, 联系电话=13800138000, 身份证号=float(id_number(14))),
    ]
    data = xlsx_bytes(rows)
    ids = (spreadsheets.ID_HEADER,)
    fast = spreadsheets._xlsx_frame_fast(data, ids)
    slow = spreadsheets._xlsx_frame_openpyxl(data, ids)
    assert fast.headers == slow.headers
    assert fast.row_numbers == slow.row_numbers == [2, 4]
    assert fast.frame.values.tolist() == slow.frame.values.tolist()
