"""Reading and writing the spreadsheets union offices exchange (.xlsx and .csv), for every import
and export: the honors roster, registrations, rubrics and whatever the next journey brings.

Reading turns the first sheet into text cells with the row numbers Excel shows, so an import can
report every problem as "第 N 行 [列]: …" before it writes anything (:class:`SheetRefused` carries
them). An 18-digit 身份证号 that Excel stored as a number has lost its last digits: such a cell is
spelled as a float ("1.10105199003071E+17") so the caller's ID check refuses it by name instead of
accepting a wrong number. Nothing here knows which columns an import expects; that is the
caller's contract.

Writing is here and nowhere else (:func:`write_workbook`, :func:`write_xlsx`, :func:`write_csv`,
:func:`csv_text`; a test fails if another module builds a workbook or a CSV): every text cell
that Excel would run as a formula is neutralised (:func:`neutralise`), numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, TypeVar
from xml.etree import ElementTree

import pandas as pd
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

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
            return str(_("文件: %(message)s", message=self.message))
        return str(
            _(
                "第 %(row)d 行 [%(column)s]: %(message)s",
                row=self.row,
                column=self.column,
                message=self.message,
            )
        )


class SheetRefused(ValueError):
    """The file was refused; nothing was written. ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(_("导入被拒绝:发现 %(n)d 处错误,未写入任何数据", n=len(errors)))
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
    raise SheetRefused([RowError(0, "", _("无法识别 CSV 文件的编码(请另存为 UTF-8)"))])


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


# Decompressed size allowed for one sheet: a 100,000-row roster is ~60 MB; a zip bomb is not.
_MAX_SHEET_BYTES = 600 * 1024 * 1024


def _column_index(reference: str) -> int:
    index = 0
    for char in reference:
        if not char.isalpha():
            break
        index = index * 26 + (ord(char.upper()) - 64)
    return index - 1


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    first = workbook.find(f"{_SHEET_NS}sheets/{_SHEET_NS}sheet")
    if first is None:
        raise KeyError("no sheet")
    rel_id = first.get(f"{_REL_NS}id")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(rel_id)


def _xlsx_cells(data: bytes) -> Iterator[tuple[int, dict[int, tuple[str, str | None]]]]:
    """(row number, {column index: (cell type, raw text)}) of the first sheet, streamed.

    A plain ElementTree pass over the sheet XML, about three times faster than openpyxl's
    read-only mode on 100,000 rows; the types are kept as written ("n" number, "s" shared
    string, "inlineStr", "str" formula result, "b", "e", "d").
    """
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheet_path = _first_sheet_path(archive)
    if archive.getinfo(sheet_path).file_size > _MAX_SHEET_BYTES:
        raise SheetRefused([RowError(0, "", _("工作表过大,请拆分后分批导入"))])
    shared: list[str] = []
    if "xl/sharedStrings.xml" in archive.namelist():
        with archive.open("xl/sharedStrings.xml") as handle:
            for _event, element in ElementTree.iterparse(handle):
                if element.tag == f"{_SHEET_NS}si":
                    shared.append("".join(t.text or "" for t in element.iter(f"{_SHEET_NS}t")))
                    element.clear()
    with archive.open(sheet_path) as handle:
        next_row = 1
        for _event, element in ElementTree.iterparse(handle):
            if element.tag != f"{_SHEET_NS}row":
                continue
            number = int(element.get("r") or next_row)
            next_row = number + 1
            cells: dict[int, tuple[str, str | None]] = {}
            next_column = 0
            for cell in element.iter(f"{_SHEET_NS}c"):
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


def _xlsx_frame_fast(data: bytes, id_columns: Collection[str]) -> Sheet:
    rows = _xlsx_cells(data)
    first = next(rows, None)
    if first is None:
        return Sheet(pd.DataFrame(), [], [])
    header_cells = first[1]
    width = max(header_cells) + 1 if header_cells else 0
    names = [
        _raw_cell_text(*header_cells.get(i, ("s", None)), is_id=False).strip() for i in range(width)
    ]
    ids = {i for i, name in enumerate(names) if name in id_columns}
    records: list[list[str]] = []
    row_numbers: list[int] = []
    for number, cells in rows:
        texts = [
            _raw_cell_text(*cells[i], is_id=i in ids) if i in cells else "" for i in range(width)
        ]
        if all(not t.strip() for t in texts):
            continue
        records.append(texts)
        row_numbers.append(number)
    frame = pd.DataFrame(records, columns=_unique(names), dtype=object)
    return Sheet(frame, row_numbers, names)


def _xlsx_frame(data: bytes, id_columns: Collection[str]) -> Sheet:
    """The first sheet as text: the fast XML pass, or openpyxl for a workbook it cannot read."""
    try:
        return _xlsx_frame_fast(data, id_columns)
    except SheetRefused:
        raise
    except Exception:  # an unusual but possibly valid workbook: let openpyxl decide
        return _xlsx_frame_openpyxl(data, id_columns)


def _xlsx_frame_openpyxl(data: bytes, id_columns: Collection[str]) -> Sheet:
    """The first sheet as text, read with openpyxl itself rather than ``pd.read_excel``.

    pandas turns a float cell that happens to be integral into an int, so a 身份证号 Excel
    stored as a number (15 significant digits kept, the rest lost) would arrive as an
    innocent-looking 18-digit string. Reading the cells ourselves keeps the type: a numeric
    ID cell becomes its float spelling and is refused as "Excel 当作数字".
    """
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # zipfile/openpyxl raise many kinds for a damaged or foreign file
        raise SheetRefused(
            [RowError(0, "", _("无法读取 .xlsx 文件(文件已损坏或不是工作簿)"))]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        names = [_cell_text(h).strip() for h in header]
        ids = {i for i, name in enumerate(names) if name in id_columns}
        records: list[list[str]] = []
        row_numbers: list[int] = []
        width = len(names)
        for number, row in enumerate(rows, start=2):
            cells = list(row[:width]) + [None] * (width - len(row))
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            texts = []
            for i, value in enumerate(cells):
                if i in ids and isinstance(value, int | float) and not isinstance(value, bool):
                    texts.append(repr(float(value)))
                else:
                    texts.append(_cell_text(value))
            records.append(texts)
            row_numbers.append(number)
    finally:
        workbook.close()
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


def _csv_frame(data: bytes) -> Sheet:
    """Every column as text (``dtype=str``), empty cells as "" — never NaN, never numbers."""
    text = _decode_csv(data)
    try:
        raw = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            header=None,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError):
        raise SheetRefused([RowError(0, "", _("无法解析 CSV 文件"))]) from None
    if raw.empty:
        raise SheetRefused([RowError(1, "", _("文件没有表头行"))])
    names = [str(h).strip() for h in raw.iloc[0].tolist()]
    body = raw.iloc[1:].astype(object)
    body.columns = _unique(names)
    keep = [not all(not str(v).strip() for v in values) for values in body.itertuples(index=False)]
    row_numbers = [i + 2 for i, k in enumerate(keep) if k]
    return Sheet(body[keep].reset_index(drop=True), row_numbers, names)


def read_sheet(data: bytes, filename: str, *, id_columns: Collection[str] = (ID_HEADER,)) -> Sheet:
    """The first sheet's rows as text, with the row numbers Excel shows for them.

    A numeric cell under one of ``id_columns`` is spelled as a float, so a 身份证号 that Excel
    turned into a number (and so lost its last digits) is refused by the ID check, not accepted.
    """
    kind = file_kind(filename)
    check_content(data, kind)
    return _xlsx_frame(data, id_columns) if kind == "xlsx" else _csv_frame(data)


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
                _("无法识别的列;可用的列为:%(names)s", names="、".join(listed)),
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
