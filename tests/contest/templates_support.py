"""Import templates (#16 item 7): the sheet an import reads holds only headers; the example
rows live on the 填写说明 sheet. These helpers check that shape and turn the example into the
upload a user would make by copying it across."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook

from contest.services.core.spreadsheets import TEMPLATE_NOTES_TITLE, TEXT_HEADERS


def check_template(data: bytes) -> list[str]:
    """Assert the template's shape; return its headers."""
    book = load_workbook(io.BytesIO(data))
    first, notes = book.worksheets[0], book[TEMPLATE_NOTES_TITLE]
    assert book.sheetnames.index(TEMPLATE_NOTES_TITLE) == 1
    headers = [cell.value for cell in first[1]]
    assert first.max_row == 1, "the sheet an import reads must hold no example row"
    for index, header in enumerate(headers, start=1):
        letter = first.cell(row=1, column=index).column_letter
        expected = "@" if header in TEXT_HEADERS else "General"
        assert first.column_dimensions[letter].number_format == expected, header
    listed = [row[0] for row in notes.iter_rows(min_row=2, max_col=1, values_only=True)]
    assert set(headers) <= set(listed)
    return headers


def example_upload(data: bytes) -> bytes:
    """The template with its example rows copied into the first sheet, as a user would."""
    book = load_workbook(io.BytesIO(data))
    headers = [cell.value for cell in book.worksheets[0][1]]
    rows = list(book[TEMPLATE_NOTES_TITLE].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if list(row[: len(headers)]) == headers)
    examples: list[Any] = [r[: len(headers)] for r in rows[start + 1 :] if any(r)]
    out = Workbook()
    out.active.append(headers)
    for row in examples:
        out.active.append(list(row))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
