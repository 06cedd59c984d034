"""Reading and writing the spreadsheets union offices exchange (.xlsx and .csv), for every import
and export: the honors roster, registrations, rubrics and whatever the next journey brings.

Reading turns the first sheet into text cells with the row numbers Excel shows, so an import can
report every problem as "第 N 行 [列]: …" before it writes anything (:class:`SheetRefused` carries
them). An 18-digit 身份证号 that Excel stored as a number has lost its last digits: such a cell is
spelled as a float ("1.10105199003071E+17") so the caller's ID check refuses it by name instead of
accepting a wrong number. Nothing here knows which columns an import expects; that is the
caller's contract.

A spreadsheet is a zip of XML: a 1 MB upload can inflate to gigabytes (a "bomb"). Before any
XML is parsed, the zip's directory and the first bytes of its parts are checked against
:class:`SheetLimits` (the ``SHEET_MAX_*`` settings); rows, columns, cells and shared strings
are counted again while streaming, so a file that lies in its directory is stopped at the same
limits; a CSV is read record by record with the same bounds.

Writing is here and nowhere else (:func:`write_workbook`, :func:`write_xlsx`, :func:`write_csv`,
:func:`csv_text`; a test fails if another module builds a workbook or a CSV): every text cell
that Excel would run as a formula is neutralised (:func:`neutralise`), numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, TypeVar
from xml.etree import ElementTree

import pandas as pd
from flask import current_app, has_app_context
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from contest.config import sheet_limit_settings
from contest.validation import full_width_punctuation

ID_HEADER = "身份证号"
SUPPORTED_EXTENSIONS = (".xlsx", ".csv")
XLSX_SIGNATURE = b"PK\x03\x04"
# A text cell starting with one of these is a formula to Excel, LibreOffice or WPS (tab and CR
# are skipped before the sign when a CSV is opened); see :func:`neutralise`.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Column widths (in characters) for the headers most sheets share; callers add their own.
DEFAULT_WIDTHS = {"姓名": 12, "单位": 28, ID_HEADER: 22, "联系电话": 16}


T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` as Excel numbers it (header = 1, 0 = the file as a whole)."""

    row: int
    column: str
    message: str

    def describe(self) -> str:
        if self.row == 0:
            return str(_("文件：%(message)s", message=self.message))
        return str(
            _(
                "第 %(row)d 行 [%(column)s]：%(message)s",
                row=self.row,
                column=self.column,
                message=self.message,
            )
        )


class SheetRefused(ValueError):
    """The file was refused; nothing was written. ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(_("导入被拒绝：发现 %(n)d 处错误，未写入任何数据", n=len(errors)))
        self.errors = errors

    def report(self) -> str:
        return "\n".join(error.describe() for error in self.errors)


@dataclass(frozen=True)
class Sheet:
    """A roster as read: every cell as text, and each row's number as Excel shows it."""

    frame: pd.DataFrame
    row_numbers: list[int]
    headers: list[str]


def read_upload(upload: Any, max_bytes: int) -> tuple[bytes, str]:
    """The bytes and bare file name of an uploaded sheet (a werkzeug ``FileStorage``).

    The name is checked before reading, and at most ``max_bytes`` are read, so a misnamed or
    oversized upload is refused without holding it in memory; the content is checked by
    :func:`read_sheet` when the import reads it.  Raises :class:`SheetRefused`.
    """
    filename = (upload.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    file_kind(filename)
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SheetRefused(
            [RowError(0, "", _("文件超过 %(mb)d MB", mb=max_bytes // (1024 * 1024)))]
        )
    return data, filename


def file_kind(filename: str) -> str:
    """ "xlsx" or "csv" from the name; anything else is refused with a clear message."""
    lower = (filename or "").lower().strip()
    for extension in SUPPORTED_EXTENSIONS:
        if lower.endswith(extension):
            return extension[1:]
    raise SheetRefused([RowError(0, "", _("只支持 .xlsx 或 .csv 文件"))])


def check_content(data: bytes, kind: str) -> None:
    """Refuse content that is not what its name says (a renamed .exe, .xls or .docx …)."""
    if not data:
        raise SheetRefused([RowError(0, "", _("文件是空的"))])
    if kind == "xlsx":
        if not data.startswith(XLSX_SIGNATURE):
            raise SheetRefused([RowError(0, "", _("文件内容不是 .xlsx 工作簿"))])
        return
    head = data[:65_536]
    if data.startswith(XLSX_SIGNATURE) or b"\x00" in head:
        raise SheetRefused([RowError(0, "", _("文件内容不是 CSV 文本"))])


def _decode_csv(data: bytes) -> str:
    # Excel on Chinese Windows saves CSV as GB18030/GBK; other tools write UTF-8 (with BOM).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetRefused([RowError(0, "", _("无法识别 CSV 文件的编码（请另存为 UTF-8）"))])


def _cell_text(value: Any) -> str:
    """A cell as the text the user sees; integral numbers without a trailing ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return str(value.isoformat())[:10]
    return str(value)


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ROW, _CELL, _SI = f"{_SHEET_NS}row", f"{_SHEET_NS}c", f"{_SHEET_NS}si"
_SHEET_DATA = f"{_SHEET_NS}sheetData"
_SHARED_PART = "xl/sharedStrings.xml"

# Excel's own sheet height: no real workbook holds more rows than this, empty ones included.
EXCEL_MAX_ROWS = 1_048_576
# Parts other than sheets and shared strings (workbook, relationships, styles, theme) are small
# in any real workbook, and openpyxl parses them whole.
_MAX_OTHER_PART_BYTES = 16 * 1024 * 1024
# How much of a sheet is inflated to find its <dimension> (it comes before the cells).
_HEAD_BYTES = 16 * 1024
# One CSV record (a line, or lines joined by quoted line breaks), in characters: thirty full
# Excel cells; the csv module holds a whole record before it hands over its fields.
_MAX_CSV_RECORD_CHARS = 1024 * 1024
_DATA_PART = re.compile(r"(?i)(?:^|/)(?:worksheets/[^/]+|sharedStrings)\.xml$")
_XML_PART = re.compile(r"(?i)\.(?:xml|rels|vml)$")
_DIMENSION = re.compile(rb"<(?:[\w.-]{1,32}:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_SHARED_STRING_TAG = re.compile(rb"<(?:[\w.-]{1,32}:)?si[\s/>]")
_START_TAG = re.compile(rb"<([A-Za-z_][\w.:-]{0,64})")


@dataclass(frozen=True)
class SheetLimits:
    """What one sheet may hold: the ``SHEET_MAX_*`` settings (``contest.config``).

    The defaults admit the largest real files with room to spare (a 100,000-row × 15-column
    honors roster, whose sheet openpyxl writes as 84 MB of XML; a 3,000-row union tree) and
    keep what reading one costs to a few hundred MB.
    """

    max_rows: int  # data rows, the header not counted
    max_columns: int
    max_cells: int  # data rows × header columns
    max_part_bytes: int  # one part of the zip, inflated
    max_total_bytes: int  # every part, inflated
    max_parts: int
    max_shared_strings: int
    max_field_chars: int  # one CSV field

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SheetLimits:
        mb = 1024 * 1024
        return cls(
            max_rows=int(config["SHEET_MAX_ROWS"]),
            max_columns=int(config["SHEET_MAX_COLUMNS"]),
            max_cells=int(config["SHEET_MAX_CELLS"]),
            max_part_bytes=int(config["SHEET_MAX_PART_MB"]) * mb,
            max_total_bytes=int(config["SHEET_MAX_TOTAL_MB"]) * mb,
            max_parts=int(config["SHEET_MAX_PARTS"]),
            max_shared_strings=int(config["SHEET_MAX_SHARED_STRINGS"]),
            max_field_chars=int(config["SHEET_MAX_FIELD_CHARS"]),
        )

    @property
    def max_elements(self) -> int:
        """XML elements one sheet or the shared strings may hold besides its cells and rows:
        four per allowed cell (a rich-text cell holds a few runs)."""
        return 4 * max(self.max_cells, self.max_shared_strings)

    @property
    def max_row_elements(self) -> int:
        """XML elements one row (or one shared string) may hold: a few dozen per column.
        ElementTree holds a row whole until it ends, so this bounds that row's memory."""
        return 64 * self.max_columns

    def max_records(self, width: int) -> int:
        """How many data rows a sheet ``width`` columns wide may have."""
        return min(self.max_rows, self.max_cells // max(width, 1))

    def too_many_rows(self, width: int) -> SheetRefused:
        if self.max_records(width) < self.max_rows:
            return self.too_many_cells()
        return _refusal(_("数据超过 %(limit)d 行，请拆分后分批导入", limit=self.max_rows))

    def too_many_columns(self, row: int = 0) -> SheetRefused:
        return _refusal(_("表格超过 %(limit)d 列", limit=self.max_columns), row)

    def too_many_cells(self) -> SheetRefused:
        return _refusal(
            _(
                "数据超过 %(limit)d 个单元格（行数 × 列数），请拆分后分批导入",
                limit=self.max_cells,
            )
        )


def sheet_limits() -> SheetLimits:
    """The running app's limits (its config); the environment's or the defaults outside one."""
    return SheetLimits.from_config(
        current_app.config if has_app_context() else sheet_limit_settings()
    )


def _refusal(message: str, row: int = 0) -> SheetRefused:
    return SheetRefused([RowError(row, "", message)])


def _unreadable() -> SheetRefused:
    return _refusal(_("无法读取 .xlsx 文件（文件已损坏或不是工作簿）"))


def _too_complex() -> SheetRefused:
    return _refusal(_("工作簿的结构过于复杂（嵌套的元素过多），无法读取"))


def _check_directory(data: bytes, limits: SheetLimits) -> None:
    """Refuse a zip listing too many parts before zipfile builds an object for each of them
    (a 30 MB upload can list 600,000 empty parts). zipfile walks the central directory by its
    size, not its count, so both are bounded; an entry is 46 bytes plus a name of a few dozen.
    zip64's markers (0xFFFF, 0xFFFFFFFF) exceed the limits and are refused the same way."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return  # no end record: zipfile refuses the file
    entries = int.from_bytes(data[end + 10 : end + 12], "little")
    directory = int.from_bytes(data[end + 12 : end + 16], "little")
    if entries > limits.max_parts or directory > limits.max_parts * 1024:
        raise _refusal(_("工作簿包含的部件过多（上限 %(limit)d 个）", limit=limits.max_parts))


def _tags(handle: IO[bytes], pattern: re.Pattern[bytes]) -> Iterator[bytes]:
    """Each match of ``pattern`` (a start tag; its group if it has one) in the stream,
    inflated 1 MB at a time."""
    tail = b""
    while chunk := handle.read(1 << 20):
        buffer = tail + chunk
        cut = buffer.rfind(b"<")  # a tag cut by the chunk's end is matched with the next
        if cut < 0 or len(buffer) - cut > 256:
            cut = len(buffer)
        yield from pattern.findall(buffer, 0, cut)
        tail = buffer[cut:]
    yield from pattern.findall(tail)


def _check_dimension(archive: zipfile.ZipFile, name: str, limits: SheetLimits) -> None:
    """A sheet's declared range (``<dimension ref="A1:XFD1048576"/>``) within the limits:
    openpyxl pads every row it reads to that width."""
    with archive.open(name) as handle:
        found = _DIMENSION.search(handle.read(_HEAD_BYTES))
    if found is None:
        return
    ref = found.group(1).decode("ascii", "replace")
    try:
        _min_col, _min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return  # not a range: the reader decides
    if (max_col or 0) > limits.max_columns or (max_row or 0) - 1 > limits.max_rows:
        raise _refusal(
            _(
                "工作表的范围 %(ref)s 超过 %(rows)d 行或 %(columns)d 列，请拆分后分批导入",
                ref=ref[:40],
                rows=limits.max_rows,
                columns=limits.max_columns,
            )
        )


def _open_workbook(data: bytes, limits: SheetLimits) -> zipfile.ZipFile:
    """The workbook's zip once nothing in it can inflate past ``limits``: the number of parts,
    each part's and the total inflated size from the directory (zipfile itself never yields
    more than a part's recorded size, and a part that holds more fails its CRC), each sheet's
    declared range, and the count of shared strings — all before any XML is parsed."""
    _check_directory(data, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if len(members) > limits.max_parts:
            raise _refusal(_("工作簿包含的部件过多（上限 %(limit)d 个）", limit=limits.max_parts))
        for member in members:
            data_part = _DATA_PART.search(member.filename) is not None
            small = not data_part and _XML_PART.search(member.filename) is not None
            limit = min(_MAX_OTHER_PART_BYTES, limits.max_part_bytes) if small else None
            if member.file_size > (limit or limits.max_part_bytes):
                raise _refusal(
                    _(
                        "工作簿的部件 %(part)s 解压后超过 %(mb)d MB，请拆分后分批导入",
                        part=member.filename[:80],
                        mb=(limit or limits.max_part_bytes) // (1024 * 1024),
                    )
                )
        if sum(member.file_size for member in members) > limits.max_total_bytes:
            raise _refusal(
                _(
                    "工作簿解压后超过 %(mb)d MB，请拆分后分批导入",
                    mb=limits.max_total_bytes // (1024 * 1024),
                )
            )
        for member in members:
            if "worksheets/" in member.filename.lower() and _XML_PART.search(member.filename):
                _check_dimension(archive, member.filename, limits)
        if _SHARED_PART in archive.NameToInfo:
            with archive.open(_SHARED_PART) as handle:
                for count, _tag in enumerate(_tags(handle, _SHARED_STRING_TAG), start=1):
                    if count > limits.max_shared_strings:
                        raise _too_many_shared_strings(limits)
    except SheetRefused:
        raise
    except Exception:  # zipfile and zlib raise many kinds for a damaged or foreign file
        raise _unreadable() from None
    return archive


def _too_many_shared_strings(limits: SheetLimits) -> SheetRefused:
    return _refusal(_("工作簿的共享字符串超过 %(limit)d 个", limit=limits.max_shared_strings))


def _check_shapes(archive: zipfile.ZipFile, limits: SheetLimits) -> None:
    """Count the elements of every XML part in its inflated bytes before openpyxl reads the
    workbook, with the limits :func:`_xlsx_cells` applies while it streams: openpyxl holds a
    whole row (or shared string) before handing it over, walks every row number up to the last
    and parses the other parts whole, so none of that may be left to it."""
    for member in archive.infolist():
        if not _XML_PART.search(member.filename):
            continue
        rows = cells = cells_in_row = in_row = elements = 0
        with archive.open(member) as handle:
            for name in _tags(handle, _START_TAG):
                local = name.rpartition(b":")[2]
                if local == b"c":
                    cells, cells_in_row = cells + 1, cells_in_row + 1
                    if cells_in_row > limits.max_columns:
                        raise limits.too_many_columns()
                    if cells > limits.max_cells:
                        raise limits.too_many_cells()
                elif local in (b"row", b"si"):
                    rows, cells_in_row, in_row = rows + 1, 0, 0
                    if rows > max(EXCEL_MAX_ROWS, limits.max_shared_strings):
                        raise limits.too_many_rows(1)
                else:
                    elements, in_row = elements + 1, in_row + 1
                    if in_row > limits.max_row_elements or elements > limits.max_elements:
                        raise _too_complex()


def _column_index(reference: str) -> int:
    index = 0
    for char in reference:
        if not char.isalpha():
            break
        index = index * 26 + (ord(char.upper()) - 64)
    return index - 1


def _sheet_path(archive: zipfile.ZipFile, name: str | None = None) -> str:
    """The part of the sheet called ``name``, else of the first sheet."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = workbook.findall(f"{_SHEET_NS}sheets/{_SHEET_NS}sheet")
    if not sheets:
        raise KeyError("no sheet")
    chosen = next((s for s in sheets if name is not None and s.get("name") == name), sheets[0])
    rel_id = chosen.get(f"{_REL_NS}id")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(rel_id)


def _shared_strings(archive: zipfile.ZipFile, limits: SheetLimits) -> list[str]:
    shared: list[str] = []
    if _SHARED_PART not in archive.NameToInfo:
        return shared
    elements = in_string = 0
    with archive.open(_SHARED_PART) as handle:
        events = ElementTree.iterparse(handle, events=("start", "end"))
        _event, root = next(events)
        for event, element in events:
            if event == "start":
                continue
            if element.tag != _SI:
                elements, in_string = elements + 1, in_string + 1
                if in_string > limits.max_row_elements or elements > limits.max_elements:
                    raise _too_complex()
                continue
            if len(shared) >= limits.max_shared_strings:
                raise _too_many_shared_strings(limits)
            shared.append("".join(t.text or "" for t in element.iter(f"{_SHEET_NS}t")))
            root.remove(element)  # detached once read: memory stays flat
            in_string = 0
    return shared


def _xlsx_cells(
    archive: zipfile.ZipFile, sheet_path: str, limits: SheetLimits
) -> Iterator[tuple[int, dict[int, tuple[str, str | None]]]]:
    """(row number, {column index: (cell type, raw text)}) of one sheet, streamed.

    A plain ElementTree pass over the sheet XML, about three times faster than openpyxl's
    read-only mode on 100,000 rows; the types are kept as written ("n" number, "s" shared
    string, "inlineStr", "str" formula result, "b", "e", "d"). Elements are counted as they
    end, so a row, the cells, the sheet are refused past the limits before they cost more.
    """
    shared = _shared_strings(archive, limits)
    with archive.open(sheet_path) as handle:
        next_row = 1
        rows = cell_count = elements = in_row = 0  # in_row: elements since the last row
        most_in_row = limits.max_row_elements
        for _event, element in ElementTree.iterparse(handle):
            tag = element.tag
            if tag != _ROW:
                if tag == _SHEET_DATA:
                    return  # what follows the cells (merges, links …) is not read
                in_row += 1
                if in_row > most_in_row:
                    raise _too_complex()
                continue
            # A row is held whole until it ends: in_row bounded what it could gather.
            rows += 1
            cell_count += len(element)
            elements += in_row
            in_row = 0
            if len(element) > limits.max_columns:
                raise limits.too_many_columns(next_row)
            if cell_count > limits.max_cells:
                raise limits.too_many_cells()
            if elements > limits.max_elements:
                raise _too_complex()
            if rows > EXCEL_MAX_ROWS:
                raise limits.too_many_rows(1)
            number = int(element.get("r") or next_row)
            next_row = number + 1
            cells: dict[int, tuple[str, str | None]] = {}
            next_column = 0
            for cell in element.iter(_CELL):
                reference = cell.get("r")
                column = _column_index(reference) if reference else next_column
                next_column = column + 1
                kind = cell.get("t", "n")
                if kind == "inlineStr":
                    value: str | None = "".join(t.text or "" for t in cell.iter(f"{_SHEET_NS}t"))
                else:
                    found = cell.find(f"{_SHEET_NS}v")
                    value = found.text if found is not None else None
                    if kind == "s" and value is not None:
                        value = shared[int(value)]
                cells[column] = (kind, value)
            element.clear()
            yield number, cells


def _raw_cell_text(kind: str, value: str | None, is_id: bool) -> str:
    if value is None:
        return ""
    if kind == "n":
        if is_id:  # an ID Excel kept as a number has lost digits: make it look like one
            return repr(float(value))
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else value
    if kind == "b":
        return "TRUE" if value == "1" else "FALSE"
    return value


def _xlsx_frame_fast(
    data: bytes,
    id_columns: Collection[str],
    limits: SheetLimits | None = None,
    sheet_name: str | None = None,
) -> Sheet:
    limits = limits or sheet_limits()
    archive = _open_workbook(data, limits)
    rows = _xlsx_cells(archive, _sheet_path(archive, sheet_name), limits)
    first = next(rows, None)
    if first is None:
        return Sheet(pd.DataFrame(), [], [])
    header_cells = first[1]
    width = max(header_cells) + 1 if header_cells else 0
    if width > limits.max_columns:
        raise limits.too_many_columns(first[0])
    names = [
        header_name(_raw_cell_text(*header_cells.get(i, ("s", None)), is_id=False))
        for i in range(width)
    ]
    ids = {i for i, name in enumerate(names) if name in id_columns}
    records: list[list[str]] = []
    row_numbers: list[int] = []
    most = limits.max_records(width)
    for number, cells in rows:
        texts = [
            _raw_cell_text(*cells[i], is_id=i in ids) if i in cells else "" for i in range(width)
        ]
        if all(not t.strip() for t in texts):
            continue
        if len(records) == most:
            raise limits.too_many_rows(width)
        records.append(texts)
        row_numbers.append(number)
    frame = pd.DataFrame(records, columns=_unique(names), dtype=object)
    return Sheet(frame, row_numbers, names)


def _xlsx_frame(
    data: bytes, id_columns: Collection[str], limits: SheetLimits, sheet_name: str | None
) -> Sheet:
    """The sheet as text: the fast XML pass, or openpyxl for a workbook it cannot read."""
    try:
        return _xlsx_frame_fast(data, id_columns, limits, sheet_name)
    except SheetRefused:
        raise
    except Exception:  # an unusual but possibly valid workbook: let openpyxl decide
        return _xlsx_frame_openpyxl(data, id_columns, limits, sheet_name)


def _xlsx_frame_openpyxl(
    data: bytes,
    id_columns: Collection[str],
    limits: SheetLimits | None = None,
    sheet_name: str | None = None,
) -> Sheet:
    """The sheet as text, read with openpyxl itself rather than ``pd.read_excel``.

    pandas turns a float cell that happens to be integral into an int, so a 身份证号 Excel
    stored as a number (15 significant digits kept, the rest lost) would arrive as an
    innocent-looking 18-digit string. Reading the cells ourselves keeps the type: a numeric
    ID cell becomes its float spelling and is refused as "Excel 当作数字".
    """
    limits = limits or sheet_limits()
    archive = _open_workbook(data, limits)
    try:
        _check_shapes(archive, limits)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = (
                workbook[sheet_name]
                if sheet_name in workbook.sheetnames
                else workbook.worksheets[0]
            )
            return _openpyxl_sheet(sheet.iter_rows(values_only=True), id_columns, limits)
        finally:
            workbook.close()
    except SheetRefused:
        raise
    except Exception:  # zipfile/openpyxl raise many kinds for a damaged or foreign file
        raise _unreadable() from None


def header_name(text: str) -> str:
    """A column header as the importers name it: trimmed, with Chinese punctuation full-width.

    Templates print "赛项（工种）"; a sheet typed by hand or kept from before says "赛项(工种)".
    Both are the same column, so every reader compares headers in one form.
    """
    return full_width_punctuation(text.strip())


def _openpyxl_sheet(
    rows: Iterator[tuple[Any, ...]], id_columns: Collection[str], limits: SheetLimits
) -> Sheet:
    header = next(rows, None) or ()
    names = [header_name(_cell_text(h)) for h in header]
    width = len(names)
    if width > limits.max_columns:
        raise limits.too_many_columns(1)
    ids = {i for i, name in enumerate(names) if name in id_columns}
    records: list[list[str]] = []
    row_numbers: list[int] = []
    most = limits.max_records(width)
    for number, row in enumerate(rows, start=2):
        if number > EXCEL_MAX_ROWS:
            raise limits.too_many_rows(width)
        cells = list(row[:width]) + [None] * (width - len(row))
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if len(records) == most:
            raise limits.too_many_rows(width)
        texts = []
        for i, value in enumerate(cells):
            if i in ids and isinstance(value, int | float) and not isinstance(value, bool):
                texts.append(repr(float(value)))
            else:
                texts.append(_cell_text(value))
        records.append(texts)
        row_numbers.append(number)
    return Sheet(pd.DataFrame(records, columns=_unique(names), dtype=object), row_numbers, names)


def _unique(names: list[str]) -> list[str]:
    """Column labels pandas accepts even when the sheet repeats or leaves out a header."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        label = name or f"__empty_{i}"
        if label in seen:
            label = f"{label}__dup_{i}"
        seen[label] = i
        out.append(label)
    return out


def _csv_records(text: str, limits: SheetLimits) -> Iterator[tuple[int, list[str]]]:
    """(record number, fields) of a CSV text, refusing a record too long, too wide or with a
    field too large before the next one is read (a line of a million commas is stopped at
    :data:`_MAX_CSV_RECORD_CHARS` characters, not held as a million fields)."""
    number = pending = 0

    def lines() -> Iterator[str]:
        nonlocal pending
        for line in io.StringIO(text, newline=""):
            pending += len(line)
            if pending > _MAX_CSV_RECORD_CHARS:
                raise _refusal(
                    _("一行超过 %(limit)d 个字符", limit=_MAX_CSV_RECORD_CHARS), number + 1
                )
            yield line

    reader = csv.reader(lines())
    while True:
        try:
            record = next(reader, None)
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise _field_too_large(limits, number + 1) from None
            raise _refusal(_("无法解析 CSV 文件"), number + 1) from None
        if record is None:
            return
        number, pending = number + 1, 0
        if number > EXCEL_MAX_ROWS:
            raise limits.too_many_rows(1)
        if len(record) > limits.max_columns:
            raise limits.too_many_columns(number)
        if record and max(map(len, record)) > limits.max_field_chars:
            raise _field_too_large(limits, number)
        yield number, record


def _field_too_large(limits: SheetLimits, row: int) -> SheetRefused:
    return _refusal(_("单元格超过 %(limit)d 个字符", limit=limits.max_field_chars), row)


def _csv_frame(data: bytes, limits: SheetLimits) -> Sheet:
    """Every column as text, empty cells as "" — never NaN, never numbers; read record by
    record within ``limits``. A record shorter than the header is padded; one with text
    beyond the header's last column is refused (Excel pads every line to the same width)."""
    records = _csv_records(_decode_csv(data), limits)
    header = next(records, None)
    if header is None or not any(h.strip() for h in header[1]):
        raise SheetRefused([RowError(1, "", _("文件没有表头行"))])
    names = [header_name(h) for h in header[1]]
    width = len(names)
    most = limits.max_records(width)
    body: list[list[str]] = []
    row_numbers: list[int] = []
    for number, record in records:
        if len(record) > width:
            if any(value.strip() for value in record[width:]):
                raise _refusal(_("表头之外的列有内容"), number)
            record = record[:width]
        if not any(value.strip() for value in record):
            continue
        if len(body) == most:
            raise limits.too_many_rows(width)
        body.append(record + [""] * (width - len(record)))
        row_numbers.append(number)
    return Sheet(pd.DataFrame(body, columns=_unique(names), dtype=object), row_numbers, names)


def read_sheet(
    data: bytes,
    filename: str,
    *,
    id_columns: Collection[str] = (ID_HEADER,),
    sheet_name: str | None = None,
    limits: SheetLimits | None = None,
) -> Sheet:
    """The rows of a workbook's sheet ``sheet_name`` (else its first) or of a CSV file, as
    text, with the row numbers Excel shows for them.

    A numeric cell under one of ``id_columns`` is spelled as a float, so a 身份证号 that Excel
    turned into a number (and so lost its last digits) is refused by the ID check, not accepted.
    A file past ``limits`` (by default :func:`sheet_limits`) is refused before it costs more
    than the limits allow: :class:`SheetRefused` with the file's row 0 or the row concerned.
    """
    kind = file_kind(filename)
    check_content(data, kind)
    limits = limits or sheet_limits()
    if kind == "xlsx":
        return _xlsx_frame(data, id_columns, limits, sheet_name)
    return _csv_frame(data, limits)


def unquote(value: str) -> str:
    """Undo :func:`neutralise` so an exported file imports back unchanged."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def neutralise(value: Any) -> Any:
    """A text cell Excel, LibreOffice or WPS would run as a formula (it starts with = + - @,
    tab or CR) gets a leading apostrophe; anything that is not text is left as it is, so
    numbers, negative ones included, stay numbers.

    Why an apostrophe in the text (OWASP's advice for CSV injection) rather than Excel's
    quotePrefix style: it is one convention for .xlsx and .csv (a CSV has no styles), it holds
    in every program that opens the file, and the reader sees that the cell was defused. Our
    imports take it off again (:func:`unquote`), so an export imports back unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _clean_for_xlsx(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


@dataclass(frozen=True)
class SheetSpec:
    """One sheet for :func:`write_workbook`: a bold header row when ``headers`` are given,
    then ``rows``. ``widths`` are column widths in characters, by position; ``header_fill`` an
    RGB colour for a centred header; ``freeze_header`` keeps the header in view while
    scrolling; data cells of the ``wrap`` columns (0-based) wrap, top-aligned."""

    title: str
    rows: Iterable[Sequence[Any]]
    headers: Sequence[str] = ()
    widths: Sequence[float] = ()
    header_fill: str | None = None
    freeze_header: bool = False
    wrap: Collection[int] = ()
    # Columns (0-based) formatted as text, so what is typed into them later keeps every
    # digit: an 18-digit 身份证号 typed into a General cell becomes 1.1E+17.
    text_columns: Collection[int] = ()


_WRAPPED = Alignment(wrap_text=True, vertical="top")


def write_workbook(sheets: Sequence[SheetSpec], out: IO[bytes]) -> None:
    """Write an .xlsx with openpyxl's streaming writer. Every workbook the platform produces
    goes through here: each cell, headers included, passes :func:`neutralise` (after the
    characters XML cannot hold are dropped), so no text becomes a formula; numbers, dates and
    empty cells are written as they are. An ID number given as text stays text."""
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title)
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        for index in spec.text_columns:
            sheet.column_dimensions[get_column_letter(index + 1)].number_format = "@"
        if spec.freeze_header:
            sheet.freeze_panes = "A2"
        if spec.headers:
            header_cells = []
            for header in spec.headers:
                cell = WriteOnlyCell(sheet, value=_clean_for_xlsx(header))
                cell.font = Font(bold=True)
                if spec.header_fill:
                    cell.fill = PatternFill("solid", fgColor=spec.header_fill)
                    cell.alignment = Alignment(horizontal="center")
                header_cells.append(cell)
            sheet.append(header_cells)
        for values in spec.rows:
            cells: list[Any] = [_clean_for_xlsx(v) for v in values]
            for index in spec.wrap:
                if index < len(cells):
                    cells[index] = WriteOnlyCell(sheet, value=cells[index])
                    cells[index].alignment = _WRAPPED
            sheet.append(cells)
    workbook.save(out)


TEMPLATE_NOTES_TITLE = "填写说明"
# Columns whose digits must survive Excel: IDs, phone numbers, codes.
TEXT_HEADERS = frozenset({ID_HEADER, "联系电话", "组织代码", "统一社会信用代码", "赛项代码"})


def template_xlsx(
    title: str,
    headers: Sequence[str],
    *,
    required: Collection[str],
    examples: Sequence[Mapping[str, Any]],
    notes: Mapping[str, str] | None = None,
    widths: Mapping[str, int] | None = None,
) -> bytes:
    """An import template that cannot be imported by accident (#16 item 7).

    The first sheet — the one every import reads — holds only the headers, with the columns of
    :data:`TEXT_HEADERS` formatted as text so Excel keeps an ID's 18 digits. The second sheet,
    填写说明, lists each column (必填 or 选填, with ``notes``) and then the ``examples`` under
    the same headers. An untouched template is an empty file to the importer, which says so,
    instead of registering the example person.
    """
    widths = {**DEFAULT_WIDTHS, **(widths or {})}
    notes = notes or {}
    columns = [widths.get(header, 12) for header in headers]
    data = SheetSpec(
        title,
        [],
        headers=list(headers),
        widths=columns,
        header_fill="DDEBF7",
        freeze_header=True,
        text_columns=[i for i, header in enumerate(headers) if header in TEXT_HEADERS],
    )
    guide: list[list[Any]] = [
        [header, "必填" if header in required else "选填", notes.get(header, "")]
        for header in headers
    ]
    guide += [[], ["示例（请在第一个工作表中填写，示例不会被导入）"], list(headers)]
    guide += [[example.get(header, "") for header in headers] for example in examples]
    explain = SheetSpec(
        TEMPLATE_NOTES_TITLE,
        guide,
        headers=["列名", "是否必填", "说明"],
        widths=[max(14, columns[0]), 10, 60, *columns[3:]],
        wrap=[2],
    )
    buffer = io.BytesIO()
    write_workbook([data, explain], buffer)
    return buffer.getvalue()


def write_xlsx(
    frame: pd.DataFrame,
    out: IO[bytes],
    *,
    sheet_title: str,
    widths: Mapping[str, int] | None = None,
) -> None:
    """A frame as a one-sheet workbook (:func:`write_workbook`); text stays text.

    ``widths`` (characters, by header) adds to :data:`DEFAULT_WIDTHS`; other columns get 12.
    """
    widths = {**DEFAULT_WIDTHS, **(widths or {})}
    headers = [str(header) for header in frame.columns]
    spec = SheetSpec(
        sheet_title,
        frame.itertuples(index=False, name=None),
        headers=headers,
        widths=[widths.get(header, 12) for header in headers],
    )
    write_workbook([spec], out)


def _csv_cell(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return neutralise(value)


def csv_text(frame: pd.DataFrame, *, lineterminator: str = "\r\n") -> str:
    """A frame as CSV text, header first; every cell through :func:`neutralise`, empty for a
    missing value. Every CSV the platform produces is written here."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator=lineterminator)
    writer.writerow([neutralise(str(header)) for header in frame.columns])
    for values in frame.itertuples(index=False, name=None):
        writer.writerow([_csv_cell(v) for v in values])
    return text.getvalue()


def write_csv(frame: pd.DataFrame, out: IO[bytes]) -> None:
    """UTF-8 with a BOM, so Excel on Chinese Windows opens it with the right characters."""
    out.write(csv_text(frame).encode("utf-8-sig"))


def header_problems(
    headers: Sequence[str],
    required: Sequence[str],
    listed: Sequence[str],
    accepted: Collection[str] = (),
) -> list[RowError]:
    """The header row's problems (row 1): a required column missing, a column no one knows
    (the message lists ``listed``; ``accepted`` may allow a few more), a column twice."""
    present = [h for h in headers if h]
    known = set(listed) | set(accepted)
    errors = [RowError(1, name, _("缺少必填列")) for name in required if name not in present]
    unknown = [h for h in present if h not in known]
    if unknown:
        errors.append(
            RowError(
                1,
                "、".join(unknown),
                _("无法识别的列；可用的列为：%(names)s", names="、".join(listed)),
            )
        )
    errors.extend(
        RowError(1, name, _("列名重复"))
        for name in sorted({h for h in present if present.count(h) > 1})
    )
    return errors


def row_cells(sheet: Sheet) -> Iterator[tuple[int, dict[str, str]]]:
    """Each data row as (row number as Excel shows it, {header: stripped text}), with the
    quote an export put before formula-like text taken off again."""
    for number, values in zip(sheet.row_numbers, sheet.frame.itertuples(index=False), strict=True):
        yield (
            number,
            {
                header: unquote(str(value)).strip()
                for header, value in zip(sheet.headers, values, strict=False)
                if header
            },
        )


class RowCheck:
    """One data row being checked: its problems go to the import's shared list as they are
    found, and each cell is read the way every import reads one (empty, required, or parsed by
    a function whose ValueError message is the problem)."""

    def __init__(self, number: int, cells: Mapping[str, str], errors: list[RowError]) -> None:
        self.number = number
        self.cells = cells
        self.errors = errors
        self._start = len(errors)

    def problem(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, str(message)))

    def parsed(self, column: str, parse: Callable[[str], T], *, required: bool = False) -> T | None:
        """``parse`` of the cell; None for an empty cell (a problem if ``required``) or for one
        ``parse`` refused with a ValueError, whose message becomes the problem."""
        raw = self.cells.get(column, "")
        if not raw:
            if required:
                self.problem(column, _("必填"))
            return None
        try:
            return parse(raw)
        except ValueError as error:
            self.problem(column, str(error))
            return None

    @property
    def ok(self) -> bool:
        """No problem found in this row so far."""
        return len(self.errors) == self._start
