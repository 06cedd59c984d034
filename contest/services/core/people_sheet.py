"""职工 as a spreadsheet: an all-or-nothing import with a row report, and an export.

The import checks every row the way the person form does (the same ``people`` rules) plus what
only a file can get wrong: a 身份证号 that Excel turned into a number, a 性别 that contradicts
the ID, the same ID twice in the file or already registered, a 单位 outside the importer's part
of the tree. Every problem of every row is reported (row, column, message — never the number
itself) and nothing is written unless the whole file is clean.

The export is for the union office: names, units, posts and categories. 身份证号 and 联系电话
are added only when an admin asks for them explicitly, and the export is audited either way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import Gender, Organization, Person, Role, User, WorkerCategory
from contest.security import crypto
from contest.services.core import audit
from contest.services.core.batches import Batches, UndoNote
from contest.services.core.orgs import UnitFinder
from contest.services.core.people import PersonData, create_person, parse_gender
from contest.services.core.spreadsheets import (
    ID_HEADER,
    RowCheck,
    RowError,
    SheetRefused,
    header_problems,
    read_sheet,
    row_cells,
    template_xlsx,
    write_csv,
    write_xlsx,
)
from contest.validation import (
    gender_from_id,
    id_check_digit,
    normalise_id_number,
    normalise_phone,
    text_problems,
)

COL_NAME, COL_UNIT, COL_ID, COL_GENDER = "姓名", "单位", ID_HEADER, "性别"
COL_ETHNICITY, COL_PHONE, COL_OCCUPATION = "民族", "联系电话", "工种"
COL_POST, COL_SKILL, COL_CATEGORY = "岗位", "技能等级", "人员类别"
HEADERS = (
    COL_NAME,
    COL_UNIT,
    COL_ID,
    COL_GENDER,
    COL_ETHNICITY,
    COL_PHONE,
    COL_OCCUPATION,
    COL_POST,
    COL_SKILL,
    COL_CATEGORY,
)
PRIVATE = (COL_ID, COL_PHONE)
REQUIRED = (COL_NAME, COL_UNIT)
MAX_LENGTHS = {COL_NAME: 60, COL_ETHNICITY: 20, COL_OCCUPATION: 60, COL_POST: 100, COL_SKILL: 60}
WIDTHS = {COL_POST: 20, COL_CATEGORY: 14}

ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ImportResult:
    created: int
    file_sha256: str


def _category_names() -> dict[str, WorkerCategory]:
    return {str(category.label): category for category in WorkerCategory}


def _parse_category(raw: str) -> WorkerCategory | None:
    value = raw.strip()
    if not value:
        return None
    names = _category_names()
    if value in names:
        return names[value]
    raise ValueError(_("人员类别应为：%(names)s", names="、".join(names)))


def _check_row(
    number: int,
    cells: dict[str, str],
    units: UnitFinder,
    seen_ids: dict[str, int],
    errors: list[RowError],
) -> PersonData | None:
    check = RowCheck(number, cells, errors)
    name = cells.get(COL_NAME, "")
    if not name:
        check.problem(COL_NAME, _("必填"))
    for column, limit in MAX_LENGTHS.items():
        if len(cells.get(column, "")) > limit:
            check.problem(column, _("不能超过 %(n)s 个字", n=limit))
    for column, problem in text_problems(cells).items():
        check.problem(column, problem)
    unit = check.parsed(COL_UNIT, units.find, required=True)
    id_number = check.parsed(COL_ID, normalise_id_number)
    gender = check.parsed(COL_GENDER, parse_gender)
    if id_number:
        if gender is not None and gender is not Gender(gender_from_id(id_number)):
            check.problem(COL_GENDER, _("与身份证号所示性别不一致"))
        if id_number in seen_ids:
            check.problem(COL_ID, _("与第 %(n)s 行的身份证号重复", n=seen_ids[id_number]))
        else:
            seen_ids[id_number] = number
    phone = check.parsed(COL_PHONE, normalise_phone)
    category = check.parsed(COL_CATEGORY, _parse_category)
    if not check.ok:
        return None
    return PersonData(
        name=name,
        organization=unit,
        gender=gender,
        ethnicity=cells.get(COL_ETHNICITY),
        id_number=id_number or "",
        phone=phone or "",
        occupation=cells.get(COL_OCCUPATION),
        post=cells.get(COL_POST),
        skill_level=cells.get(COL_SKILL),
        category=category,
    )


def _registered(numbers: dict[str, int]) -> set[str]:
    """Which of these ID numbers are already registered (by blind index, in chunks)."""
    digests = {crypto.blind_index(number): number for number in numbers}
    found: set[str] = set()
    keys = list(digests)
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        for digest in db.session.scalars(
            select(Person.id_number_hash).where(Person.id_number_hash.in_(chunk))
        ):
            found.add(digests[digest])
    return found


def import_people(
    actor: User | None,
    data: bytes,
    filename: str,
    *,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Check every row, then create every person, or refuse the file with every problem.

    ``actor`` None is the command line (admin scope). Raises :class:`SheetRefused`. The checks
    only read; the people are written in short batches that commit themselves, and removed
    again if a later one fails (``core.batches``).
    """
    sheet = read_sheet(data, filename)
    header_errors = header_problems(sheet.headers, REQUIRED, HEADERS)
    if header_errors:
        raise SheetRefused(header_errors)
    if sheet.frame.empty:
        raise SheetRefused([RowError(0, "", _("文件中没有职工"))])
    units = UnitFinder(actor)
    errors: list[RowError] = []
    seen_ids: dict[str, int] = {}
    planned: list[tuple[int, PersonData]] = []
    for number, cells in row_cells(sheet):
        person = _check_row(number, cells, units, seen_ids, errors)
        if person is not None:
            planned.append((number, person))
    for number in sorted(seen_ids[n] for n in _registered(seen_ids)):
        errors.append(RowError(number, COL_ID, _("该身份证号已登记在另一位职工名下")))
    if progress:
        progress("validate", len(sheet.row_numbers), len(sheet.row_numbers))
    if errors:
        raise SheetRefused(sorted(errors, key=lambda e: (e.row, e.column)))
    sha = hashlib.sha256(data).hexdigest()

    undo_note = UndoNote(Person.__tablename__, {"file_sha256": sha})
    with Batches(actor, undo_note) as batches:
        batches.each(planned, lambda item: create_person(actor, item[1]), progress=progress)
        with batches.last():
            audit.record(
                actor,
                "person.import",
                "person",
                None,
                after={"created": len(planned), "file_sha256": sha, "filename": filename[-200:]},
            )
    return ImportResult(created=len(planned), file_sha256=sha)


def people_frame(actor: User | None, *, include_private: bool = False) -> pd.DataFrame:
    """The people of ``actor``'s part of the tree, one row each; private columns only on
    request (and never for an organizer: :func:`export_people` enforces it)."""
    query = (
        select(Person)
        .options(selectinload(Person.organization))
        .join(Organization, Person.organization_id == Organization.id)
        .order_by(Organization.path, Person.id)
    )
    if actor is not None and actor.role is not Role.ADMIN:
        root = actor.organization
        query = query.where(Organization.path.startswith(root.path if root else "-"))
    headers = [h for h in HEADERS if include_private or h not in PRIVATE]
    records = []
    for person in db.session.scalars(query):
        row: dict[str, Any] = {
            COL_NAME: person.name,
            COL_UNIT: person.organization.code or person.organization.name
            if person.organization
            else "",
            COL_GENDER: {Gender.MALE: "男", Gender.FEMALE: "女"}.get(person.gender, "")
            if person.gender
            else "",
            COL_ETHNICITY: person.ethnicity or "",
            COL_OCCUPATION: person.occupation or "",
            COL_POST: person.post or "",
            COL_SKILL: person.skill_level or "",
            COL_CATEGORY: str(person.category.label) if person.category else "",
        }
        if include_private:
            row[COL_ID] = person.reveal_id_number() or ""
            row[COL_PHONE] = person.reveal_phone() or ""
        records.append(row)
    return pd.DataFrame.from_records(records, columns=headers)


def export_people(
    actor: User | None, out: IO[bytes], kind: str, *, include_private: bool = False
) -> int:
    """Write the people ``actor`` manages; personal numbers only for an admin who asks."""
    if include_private and actor is not None and actor.role is not Role.ADMIN:
        raise PermissionError("only an admin may export personal numbers")
    frame = people_frame(actor, include_private=include_private)
    if kind == "xlsx":
        write_xlsx(frame, out, sheet_title="职工名册", widths=WIDTHS)
    elif kind == "csv":
        write_csv(frame, out)
    else:
        raise ValueError(kind)
    audit.record(
        actor,
        "person.export",
        "person",
        None,
        after={"rows": len(frame), "format": kind, "include_private": include_private},
    )
    return len(frame)


def template_workbook() -> bytes:
    """The import template; its example (a valid test ID number, not a real person's) is on
    the 填写说明 sheet, which the import does not read."""
    first17 = "11010519880312004"
    example = {
        COL_NAME: "李秀兰",
        COL_UNIT: "江州精密机床股份有限公司工会",
        COL_ID: first17 + id_check_digit(first17),
        COL_GENDER: "女",
        COL_ETHNICITY: "汉族",
        COL_PHONE: "13800138000",
        COL_OCCUPATION: "数控车工",
        COL_POST: "数控车间班组长",
        COL_SKILL: "高级技师",
        COL_CATEGORY: "一线职工",
    }
    return template_xlsx(
        "职工导入模板",
        HEADERS,
        required=REQUIRED,
        examples=[example],
        notes={
            COL_UNIT: "组织名称或组织代码",
            COL_ID: "请保持本列为“文本”格式",
            COL_GENDER: "男 或 女，须与身份证号一致",
        },
        widths=WIDTHS,
    )


__all__ = [
    "HEADERS",
    "ImportResult",
    "export_people",
    "import_people",
    "people_frame",
    "template_workbook",
]
