"""Spreadsheet bombs are refused before they cost memory (#11 item 4).

An .xlsx is a zip of XML: a 1 MB upload inflated to 2.9 GB in a worker, and a 1.8 MB one kept it
busy for 250 s. ``core.spreadsheets`` now checks the zip's directory (parts, each part's and
the total inflated size), each sheet's declared range and the number of shared strings before
any XML is parsed, and counts rows, cells and elements again while it streams; a CSV is read
record by record within the same limits. The bombs are built here; "before parsing" is shown by
making the XML parsers and openpyxl fail the test if they are reached, never by timing.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from types import SimpleNamespace
from typing import IO, Any

import pytest
from flask import Flask
from openpyxl import Workbook

from contest.config import SHEET_LIMIT_DEFAULTS, sheet_limit_settings
from contest.services.core import spreadsheets
from contest.services.core.spreadsheets import SheetLimits, SheetRefused, read_sheet
from contest.services.skills import rubric_io

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'.encode()
CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
SMALL = SheetLimits(
    max_rows=50,
    max_columns=8,
    max_cells=200,
    max_part_bytes=1024 * 1024,
    max_total_bytes=2 * 1024 * 1024,
    max_parts=20,
    max_shared_strings=100,
    max_field_chars=100,
)
SMALL_TOTAL = SheetLimits(**{**SMALL.__dict__, "max_total_bytes": 1024 * 1024})


def workbook(
    sheet: Callable[[IO[bytes]], None],
    *,
    head: str = "",
    shared: Callable[[IO[bytes]], None] | None = None,
    rels: bool = True,
    extra_parts: int = 0,
) -> bytes:
    """A minimal .xlsx whose first sheet's XML (after ``head``) ``sheet`` streams into the zip,
    so a part inflating to hundreds of MB is built without holding it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {NS} xmlns:r="{REL}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        if rels:
            archive.writestr(
                "xl/_rels/workbook.xml.rels",
                f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                f'Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
            )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f"<worksheet {NS}>{head}<sheetData>".encode())
            sheet(part)
            part.write(b"</sheetData></worksheet>")
        if shared is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                shared(part)
        for n in range(extra_parts):
            archive.writestr(f"xl/media/image{n}.xml", "")
    return buffer.getvalue()


def rows(count: int, cells: int = 1, start: int = 2) -> Callable[[IO[bytes]], None]:
    """``count`` identical rows of ``cells`` short text cells, after a one-column header."""

    def write(part: IO[bytes]) -> None:
        part.write(HEADER)
        cell = b'<c t="inlineStr"><is><t>x</t></is></c>' * cells
        chunk = 1000
        for first in range(start, start + count, chunk):
            part.write(
                b"".join(
                    b'<row r="%d">%s</row>' % (n, cell)
                    for n in range(first, min(first + chunk, start + count))
                )
            )

    return write


@pytest.fixture
def no_parsing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every XML parse, openpyxl load and CSV read the reader attempts, recorded and made to
    fail: a test using this asserts the list stays empty, i.e. the refusal came first."""
    calls: list[str] = []

    def forbidden(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            raise AssertionError(f"{name} reached")

        return call

    monkeypatch.setattr(
        spreadsheets,
        "ElementTree",
        SimpleNamespace(iterparse=forbidden("iterparse"), fromstring=forbidden("fromstring")),
    )
    monkeypatch.setattr(spreadsheets, "load_workbook", forbidden("load_workbook"))
    monkeypatch.setattr(spreadsheets, "csv", SimpleNamespace(reader=forbidden("csv.reader")))
    return calls


def refusal(data: bytes, name: str = "bomb.xlsx", limits: SheetLimits | None = None) -> str:
    with pytest.raises(SheetRefused) as info:
        read_sheet(data, name, limits=limits or SheetLimits.from_config(SHEET_LIMIT_DEFAULTS))
    return info.value.report()


# ------------------------------------------------------------------ the zip's directory


def test_a_small_upload_inflating_past_the_part_limit_is_refused_unparsed(
    no_parsing: list[str],
) -> None:
    # The finding: ~1.4 MB on the wire, a 210 MB sheet once inflated.
    megabyte_of_rows = (b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 21_000)[
        : 1024 * 1024
    ]

    def huge(part: IO[bytes]) -> None:
        for _ in range(210):
            part.write(megabyte_of_rows)

    data = workbook(huge)
    assert len(data) < 2 * 1024 * 1024
    report = refusal(data)
    assert "xl/worksheets/sheet1.xml 解压后超过 200 MB" in report and "分批导入" in report
    assert no_parsing == []


def test_parts_together_past_the_total_limit_are_refused_unparsed(no_parsing: list[str]) -> None:
    def strings(part: IO[bytes]) -> None:  # ~0.6 MB, like the sheet: each under 1 MB
        part.write(f"<sst {NS}>".encode() + b"<si><t>x</t></si>" * 36_000 + b"</sst>")

    data = workbook(rows(10_000), shared=strings)
    assert "工作簿解压后超过 1 MB" in refusal(data, limits=SMALL_TOTAL)
    assert no_parsing == []


def test_a_zip_of_too_many_parts_is_refused_before_zipfile_lists_them(
    no_parsing: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = workbook(rows(1), extra_parts=30)
    monkeypatch.setattr(spreadsheets.zipfile, "ZipFile", None)  # reached: a TypeError
    assert "部件过多（上限 20 个）" in refusal(data, limits=SMALL)
    assert no_parsing == []


def test_a_corrupt_zip_is_refused_as_unreadable() -> None:
    data = bytearray(workbook(rows(2_000)))
    at = data.find(b"xl/worksheets/sheet1.xml") + 100  # inside the sheet's compressed bytes
    data[at : at + 40] = b"\xff" * 40
    assert "无法读取 .xlsx 文件" in refusal(bytes(data))


# ------------------------------------------------------------------ what the parts declare


def test_a_sheet_declaring_a_range_of_a_whole_excel_sheet_is_refused_unparsed(
    no_parsing: list[str],
) -> None:
    data = workbook(rows(1), head='<dimension ref="A1:XFD1048576"/>')
    assert "A1:XFD1048576 超过 200000 行或 256 列" in refusal(data)
    assert no_parsing == []


def test_a_shared_strings_bomb_is_refused_unparsed(no_parsing: list[str]) -> None:
    def strings(part: IO[bytes]) -> None:
        part.write(f'<sst {NS} uniqueCount="1">'.encode())
        for _ in range(20):
            part.write(b"<si><t>x</t></si>" * 1_000)
        part.write(b"</sst>")

    data = workbook(rows(1), shared=strings)
    assert "共享字符串超过 100 个" in refusal(data, limits=SMALL)
    assert no_parsing == []


def test_shared_strings_are_counted_again_while_read() -> None:
    def strings(part: IO[bytes]) -> None:
        part.write(f"<sst {NS}>".encode() + b"<si><t>x</t></si>" * 101 + b"</sst>")

    data = workbook(rows(1), shared=strings)
    limits = SheetLimits(**{**SMALL.__dict__, "max_shared_strings": 100})
    archive = zipfile.ZipFile(io.BytesIO(data))
    with pytest.raises(SheetRefused, match="导入被拒绝") as info:
        spreadsheets._shared_strings(archive, limits)
    assert "共享字符串超过 100 个" in info.value.report()


# ------------------------------------------------------------------ while streaming


@pytest.mark.parametrize("reader", ["fast", "openpyxl"])
def test_rows_past_the_limit_are_refused(reader: str) -> None:
    data = workbook(rows(51))
    read = spreadsheets._xlsx_frame_fast if reader == "fast" else spreadsheets._xlsx_frame_openpyxl
    with pytest.raises(SheetRefused) as info:
        read(data, (), SMALL)
    assert "数据超过 50 行" in info.value.report()
    assert len(read(workbook(rows(50)), (), SMALL).frame) == 50


def test_rows_times_columns_past_the_cell_limit_are_refused() -> None:
    def wide(part: IO[bytes]) -> None:
        header = "".join(f'<c t="inlineStr"><is><t>列{i}</t></is></c>' for i in range(8))
        part.write(f"<row>{header}</row>".encode())
        part.write((b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * 8 + b"</row>") * 26)

    assert "超过 200 个单元格" in refusal(workbook(wide), limits=SMALL)


def test_a_row_wider_than_the_limit_is_refused() -> None:
    data = workbook(rows(1, cells=300))
    assert "超过 256 列" in refusal(data)


def test_empty_cells_stop_the_reader_at_the_cell_limit() -> None:
    # The 250-second file: rows of empty cells, nothing to keep and everything to walk.
    def empty(part: IO[bytes]) -> None:
        part.write(HEADER)
        part.write((b"<row>" + b"<c/>" * 8 + b"</row>") * 30)

    assert "超过 200 个单元格" in refusal(workbook(empty), limits=SMALL)


def test_a_cell_nesting_thousands_of_runs_is_refused() -> None:
    runs = b"<r><t>x</t></r>" * 400  # 800 elements in one cell; a row may hold 64 × 8

    def rich(part: IO[bytes]) -> None:
        part.write(HEADER + b'<row><c t="inlineStr"><is>' + runs + b"</is></c></row>")

    assert "结构过于复杂" in refusal(workbook(rich), limits=SMALL)


def test_the_openpyxl_fallback_counts_before_openpyxl_reads(no_parsing: list[str]) -> None:
    # No relationships part: the fast reader cannot find the sheet and hands over to openpyxl.
    data = workbook(rows(1, cells=9), rels=False)
    assert "超过 8 列" in refusal(data, limits=SMALL)
    assert no_parsing == ["fromstring"]  # the fast reader's look at workbook.xml, nothing more


def test_a_real_workbook_within_the_limits_is_read() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "单位"])
    for n in range(40):
        sheet.append([f"职工{n}", "江州机床厂工会"])
    buffer = io.BytesIO()
    book.save(buffer)
    read = read_sheet(buffer.getvalue(), "ok.xlsx", limits=SMALL)
    assert len(read.frame) == 40 and read.headers == ["姓名", "单位"]


# ------------------------------------------------------------------ CSV


def test_a_csv_line_of_millions_of_columns_is_refused_while_read() -> None:
    data = "姓名\n".encode() + b"," * 3_000_000
    assert "第 2 行 []：一行超过 1048576 个字符" in refusal(data, "bomb.csv")


def test_a_csv_row_wider_than_the_limit_is_refused() -> None:
    data = ("姓名\n" + "x," * 300 + "\n").encode()
    assert "第 2 行 []：表格超过 256 列" in refusal(data, "wide.csv")


def test_a_csv_field_past_the_limit_is_refused() -> None:
    assert "单元格超过 100 个字符" in refusal(("姓名\n" + "x" * 101).encode(), "f.csv", SMALL)
    # Past the csv module's own limit (131,072) the message is the same.
    assert "单元格超过 32767 个字符" in refusal(('姓名\n"' + "x" * 200_000 + '"').encode(), "f.csv")


def test_csv_rows_past_the_limit_are_refused() -> None:
    data = ("姓名\n" + "x\n" * 51).encode()
    assert "数据超过 50 行" in refusal(data, "rows.csv", SMALL)
    assert len(read_sheet(("姓名\n" + "x\n" * 50).encode(), "ok.csv", limits=SMALL).frame) == 50


def test_csv_text_beyond_the_header_is_refused_and_empty_trailing_cells_are_not() -> None:
    assert "第 3 行 []：表头之外的列有内容" in refusal("姓名\n王芳,,\n李明,,x\n".encode(), "c.csv")
    read = read_sheet("姓名,单位\n王芳,,\n李明\n".encode(), "c.csv")
    assert read.frame.values.tolist() == [["王芳", ""], ["李明", ""]]


# ------------------------------------------------------------------ settings and the journeys


def test_the_defaults_admit_the_largest_real_imports() -> None:
    limits = SheetLimits.from_config(SHEET_LIMIT_DEFAULTS)
    # bench/roster_import_bench.py: 100,000 rows × 15 columns, an 84 MB sheet part.
    assert limits.max_records(15) >= 100_000
    assert limits.max_part_bytes >= 2 * 84 * 1024 * 1024
    assert limits.max_records(5) >= 3_000  # the union tree of a federation


def test_limits_come_from_the_environment_and_the_app(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTEST_SHEET_MAX_ROWS", "1234")
    assert sheet_limit_settings()["SHEET_MAX_ROWS"] == 1234
    monkeypatch.setitem(app.config, "SHEET_MAX_COLUMNS", 9)
    with app.app_context():
        assert spreadsheets.sheet_limits().max_columns == 9


def test_a_bomb_uploaded_to_the_roster_import_gets_the_refusal_page(
    login_as: Callable[..., Any], client: Any, db: Any
) -> None:
    login_as("admin")
    page = client.post(
        "/admin/honors/import",
        data={"file": (io.BytesIO(workbook(rows(1, cells=300))), "名录.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert page.status_code == 200
    assert "超过 256 列" in page.get_data(as_text=True)


def test_a_bomb_given_to_contest_honors_import_exits_1_with_the_message(
    runner: Any, db: Any, tmp_path: Any
) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(workbook(rows(1), head='<dimension ref="A1:XFD1048576"/>'))
    result = runner.invoke(args=["honors", "import", str(path)])
    assert result.exit_code == 1
    assert "A1:XFD1048576" in result.output


def test_a_bomb_given_as_a_rubric_is_refused(db: Any, make_contest: Any) -> None:
    made = make_contest(status="draft")
    data = workbook(rows(1), head='<dimension ref="A1:XFD1048576"/>')
    with pytest.raises(rubric_io.RubricImportRefused) as info:
        rubric_io.import_xlsx(made.organizer, made.event, data)
    assert "A1:XFD1048576" in info.value.problems[0].describe()
