"""The union tree as a spreadsheet: how a federation loads its 3,000 基层工会, and takes them out.

One row per organisation with Chinese headers (:data:`HEADERS`); 上级工会 names the parent by its
组织代码 or by its name, and the parent may be a union already in the database or another row of
the same file, above or below it. The import is all-or-nothing like every other import: every
row is checked (the same :func:`orgs.clean` and :func:`orgs.placement_problem` as the form) and
every problem is reported by row and column before anything is written; a clean file is written
parents first, audited once.

Scope: an admin may import anywhere (a blank 上级工会 makes a top-level union); an organizer only
below their own union (a blank 上级工会 means their union).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO, Any

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import select

from contest.extensions import db
from contest.models import Organization, OrgKind, Ownership, Role, User
from contest.services.core import audit, orgs
from contest.services.core.batches import Batches, UndoNote
from contest.services.core.orgs import OrganizationError, OrgData
from contest.services.core.spreadsheets import (
    RowError,
    SheetRefused,
    header_problems,
    read_sheet,
    row_cells,
    template_xlsx,
    write_csv,
    write_xlsx,
)

COL_NAME, COL_KIND, COL_PARENT, COL_CODE = "组织名称", "类型", "上级工会", "组织代码"
COL_SHORT, COL_EMPLOYER, COL_CREDIT, COL_OWNERSHIP = (
    "简称",
    "所属单位",
    "统一社会信用代码",
    "所有制",
)
COL_INDUSTRY, COL_KEY, COL_REGION = "行业", "重点产业", "地区"
COL_HEADCOUNT, COL_MEMBERS, COL_COUNTED = "职工人数", "会员人数", "统计日期"
HEADERS = (
    COL_NAME,
    COL_KIND,
    COL_PARENT,
    COL_CODE,
    COL_SHORT,
    COL_EMPLOYER,
    COL_CREDIT,
    COL_OWNERSHIP,
    COL_INDUSTRY,
    COL_KEY,
    COL_REGION,
    COL_HEADCOUNT,
    COL_MEMBERS,
    COL_COUNTED,
)
REQUIRED = (COL_NAME, COL_KIND)
WIDTHS = {COL_NAME: 28, COL_PARENT: 28, COL_EMPLOYER: 28, COL_CREDIT: 22, COL_KIND: 14}
# Which column a form field's error belongs to.
FIELD_COLUMNS = {
    "name": COL_NAME,
    "kind": COL_KIND,
    "parent": COL_PARENT,
    "code": COL_CODE,
    "short_name": COL_SHORT,
    "employer": COL_EMPLOYER,
    "credit_code": COL_CREDIT,
    "industry": COL_INDUSTRY,
    "region": COL_REGION,
    "headcount": COL_HEADCOUNT,
    "member_count": COL_MEMBERS,
    "counted_on": COL_COUNTED,
}

KIND_NAMES: dict[str, OrgKind] = {
    "全国总工会": OrgKind.NATIONAL,
    "全总": OrgKind.NATIONAL,
    "省总工会": OrgKind.PROVINCIAL,
    "省总": OrgKind.PROVINCIAL,
    "市总工会": OrgKind.CITY,
    "市总": OrgKind.CITY,
    "区县总工会": OrgKind.DISTRICT,
    "区总工会": OrgKind.DISTRICT,
    "县总工会": OrgKind.DISTRICT,
    "区县总": OrgKind.DISTRICT,
    "乡镇（街道）工会": OrgKind.TOWNSHIP,
    "乡镇工会": OrgKind.TOWNSHIP,
    "街道工会": OrgKind.TOWNSHIP,
    "产业工会": OrgKind.INDUSTRY,
    "行业工会": OrgKind.INDUSTRY,
    "联合工会": OrgKind.JOINT,
    "基层工会": OrgKind.GRASSROOTS,
    "企业工会": OrgKind.GRASSROOTS,
    "分工会": OrgKind.GRASSROOTS,
}
KIND_CANONICAL = {
    OrgKind.NATIONAL: "全国总工会",
    OrgKind.PROVINCIAL: "省总工会",
    OrgKind.CITY: "市总工会",
    OrgKind.DISTRICT: "区县总工会",
    OrgKind.TOWNSHIP: "乡镇（街道）工会",
    OrgKind.INDUSTRY: "产业工会",
    OrgKind.JOINT: "联合工会",
    OrgKind.GRASSROOTS: "基层工会",
}
OWNERSHIP_NAMES: dict[str, Ownership] = {
    "国有": Ownership.STATE,
    "国有企业": Ownership.STATE,
    "集体": Ownership.COLLECTIVE,
    "集体企业": Ownership.COLLECTIVE,
    "非公有制": Ownership.NON_PUBLIC,
    "非公": Ownership.NON_PUBLIC,
    "民营": Ownership.NON_PUBLIC,
    "私营": Ownership.NON_PUBLIC,
    "外资": Ownership.NON_PUBLIC,
    "机关事业": Ownership.PUBLIC_SECTOR,
    "机关": Ownership.PUBLIC_SECTOR,
    "事业单位": Ownership.PUBLIC_SECTOR,
}
OWNERSHIP_CANONICAL = {
    Ownership.STATE: "国有",
    Ownership.COLLECTIVE: "集体",
    Ownership.NON_PUBLIC: "非公有制",
    Ownership.PUBLIC_SECTOR: "机关事业",
}
YES, NO = ("是", "Y", "YES", "TRUE", "1"), ("否", "N", "NO", "FALSE", "0", "")
_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")

ProgressCallback = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stage is "validate" or "write"."""


@dataclass
class _Row:
    number: int
    data: OrgData
    parent_ref: str
    parent: Organization | None = None  # an existing parent
    parent_row: _Row | None = None  # a parent defined in the file
    created: Organization | None = None


@dataclass
class _Check:
    errors: list[RowError] = field(default_factory=list)
    # Names and codes of rows refused on their own: a child naming one as its parent is not
    # reported a second time ("找不到上级工会") — the parent's row already says what is wrong.
    refused_refs: set[str] = field(default_factory=set)

    def add(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, str(message)))


@dataclass(frozen=True)
class ImportResult:
    created: int
    file_sha256: str


# ------------------------------------------------------------------ cells


def _parse_kind(raw: str) -> OrgKind:
    value = raw.replace(" ", "").replace("（", "(").replace("）", ")")
    if value in KIND_NAMES:
        return KIND_NAMES[value]
    for kind in OrgKind:
        if value in (kind.value, kind.label):
            return kind
    raise ValueError(_("类型应为：%(names)s", names="、".join(KIND_CANONICAL.values())))


def _parse_ownership(raw: str) -> Ownership | None:
    value = raw.replace(" ", "")
    if not value:
        return None
    if value in OWNERSHIP_NAMES:
        return OWNERSHIP_NAMES[value]
    raise ValueError(_("所有制应为：国有、集体、非公有制 或 机关事业"))


def _parse_flag(raw: str) -> bool:
    value = raw.strip().upper()
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(_("应填写 是 或 否"))


def _parse_count(raw: str) -> int | None:
    value = raw.replace(",", "").replace(",", "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValueError(_("应为整数")) from None
    if not number.is_integer():
        raise ValueError(_("应为整数"))
    return int(number)


def _parse_date(raw: str) -> date | None:
    value = raw.strip()
    if not value:
        return None
    if value.isdigit() and len(value) == 5:  # an Excel date serial the sheet kept as a number
        return _EXCEL_EPOCH + timedelta(days=int(value))
    match = _DATE_RE.match(value[:10] if len(value) > 10 and "T" in value else value)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValueError(_("日期格式应为 2026-06-30"))


# ------------------------------------------------------------------ import


def _row_data(number: int, cells: dict[str, str], check: _Check) -> OrgData | None:
    ok = True
    values: dict[str, Any] = {}
    parsers: list[tuple[str, str, Callable[[str], Any]]] = [
        ("kind", COL_KIND, _parse_kind),
        ("ownership", COL_OWNERSHIP, _parse_ownership),
        ("is_key_industry", COL_KEY, _parse_flag),
        ("headcount", COL_HEADCOUNT, _parse_count),
        ("member_count", COL_MEMBERS, _parse_count),
        ("counted_on", COL_COUNTED, _parse_date),
    ]
    for attribute, column, parse in parsers:
        raw = cells.get(column, "")
        if attribute == "kind" and not raw.strip():
            check.add(number, column, _("必填"))
            ok = False
            continue
        try:
            values[attribute] = parse(raw)
        except ValueError as error:
            check.add(number, column, str(error))
            ok = False
    if not ok:
        return None
    return OrgData(
        name=cells.get(COL_NAME, ""),
        short_name=cells.get(COL_SHORT),
        code=cells.get(COL_CODE),
        employer=cells.get(COL_EMPLOYER),
        credit_code=cells.get(COL_CREDIT),
        industry=cells.get(COL_INDUSTRY),
        region=cells.get(COL_REGION),
        **values,
    )


class _Directory:
    """Existing organisations by code and by name, for resolving 上级工会."""

    def __init__(self) -> None:
        self.by_code: dict[str, Organization] = {}
        self.by_name: dict[str, list[Organization]] = {}
        self.credit_codes: set[str] = set()
        self.children: set[tuple[int | None, str]] = set()
        for org in db.session.scalars(select(Organization)):
            if org.code:
                self.by_code[org.code] = org
            if org.credit_code:
                self.credit_codes.add(org.credit_code)
            self.by_name.setdefault(org.name, []).append(org)
            self.children.add((org.parent_id, org.name))


def _validate(actor: User | None, sheet: Any, check: _Check) -> list[_Row]:
    directory = _Directory()
    rows: list[_Row] = []
    refused: list[tuple[int, str]] = []  # (row, 上级工会) of rows refused for other reasons
    for number, cells in row_cells(sheet):
        data = _row_data(number, cells, check)
        if data is not None:
            try:
                data = orgs.clean(data)
            except OrganizationError as error:
                check.add(number, FIELD_COLUMNS.get(error.field or "", ""), str(error))
                data = None
        if data is None:
            check.refused_refs.update(v for v in (cells.get(COL_NAME), cells.get(COL_CODE)) if v)
            refused.append((number, cells.get(COL_PARENT, "")))
            continue
        rows.append(_Row(number, data, cells.get(COL_PARENT, "")))
    _check_file_duplicates(rows, directory, check)
    _resolve_parents(actor, rows, directory, check)
    # A row refused for its own cells still gets its 上级工会 checked, so one round of fixes
    # is enough: every problem of every row is in the report.
    known = (
        set(directory.by_code)
        | set(directory.by_name)
        | {r.data.name for r in rows}
        | {r.data.code for r in rows if r.data.code}
        | check.refused_refs
    )
    for number, ref in refused:
        if ref and ref not in known:
            check.add(number, COL_PARENT, _("找不到上级工会“%(name)s”", name=ref))
    return rows


def _check_file_duplicates(rows: list[_Row], directory: _Directory, check: _Check) -> None:
    seen_codes: dict[str, int] = {}
    seen_credit: dict[str, int] = {}
    for row in rows:
        code, credit = row.data.code, row.data.credit_code
        if code:
            if code in seen_codes:
                check.add(
                    row.number, COL_CODE, _("与第 %(n)s 行的组织代码重复", n=seen_codes[code])
                )
            seen_codes.setdefault(code, row.number)
        if credit:
            if credit in seen_credit:
                check.add(
                    row.number, COL_CREDIT, _("与第 %(n)s 行的信用代码重复", n=seen_credit[credit])
                )
            seen_credit.setdefault(credit, row.number)


def _resolve_parents(
    actor: User | None, rows: list[_Row], directory: _Directory, check: _Check
) -> None:
    file_codes = {row.data.code: row for row in rows if row.data.code}
    file_names: dict[str, list[_Row]] = {}
    for row in rows:
        file_names.setdefault(row.data.name, []).append(row)
    home = actor.organization if actor is not None and actor.role is not Role.ADMIN else None
    for row in rows:
        ref = row.parent_ref
        if not ref:
            if actor is not None and actor.role is not Role.ADMIN:
                row.parent = home
        elif ref in file_codes:
            row.parent_row = file_codes[ref]
        elif ref in directory.by_code:
            row.parent = directory.by_code[ref]
        else:
            in_file = file_names.get(ref, [])
            existing = directory.by_name.get(ref, [])
            if len(in_file) + len(existing) > 1:
                check.add(
                    row.number,
                    COL_PARENT,
                    _("有多个名为“%(name)s”的组织，请改填组织代码", name=ref),
                )
                continue
            if in_file:
                row.parent_row = in_file[0]
            elif existing:
                row.parent = existing[0]
            elif ref in check.refused_refs:
                continue
            else:
                check.add(row.number, COL_PARENT, _("找不到上级工会“%(name)s”", name=ref))
                continue
        if row.parent_row is row:
            check.add(row.number, COL_PARENT, _("上级工会不能是它自己"))
            row.parent_row = None
            continue
        if row.parent is not None and row.parent.is_closed:
            check.add(row.number, COL_PARENT, _("上级工会“%(name)s”已撤销", name=row.parent.name))
        elif (
            row.parent is not None and actor is not None and not orgs.can_manage(actor, row.parent)
        ):
            check.add(row.number, COL_PARENT, _("上级工会不在您管理的范围内"))
        elif row.parent is not None and (row.parent.id, row.data.name) in directory.children:
            check.add(
                row.number,
                COL_NAME,
                _("“%(parent)s”下已有同名组织", parent=row.parent.name),
            )
        if row.data.code and row.data.code in directory.by_code:
            check.add(row.number, COL_CODE, _("组织代码“%(code)s”已被使用", code=row.data.code))
        if row.data.credit_code and row.data.credit_code in directory.credit_codes:
            check.add(row.number, COL_CREDIT, _("该统一社会信用代码已登记在另一个组织"))
    _check_placement_and_cycles(rows, check)


def _check_placement_and_cycles(rows: list[_Row], check: _Check) -> None:
    for row in rows:
        seen = {id(row)}
        parent_row = row.parent_row
        while parent_row is not None:
            if id(parent_row) in seen:
                check.add(row.number, COL_PARENT, _("上级工会形成了循环"))
                break
            seen.add(id(parent_row))
            parent_row = parent_row.parent_row
        parent = row.parent
        if row.parent_row is not None:
            parent = Organization(kind=row.parent_row.data.kind, path="")
        problem = orgs.placement_problem(row.data.kind, parent)
        if problem:
            check.add(row.number, COL_PARENT, problem)


def _order(rows: list[_Row]) -> list[_Row]:
    """Parents before children (the rows are known to be acyclic)."""
    ordered: list[_Row] = []
    placed: set[int] = set()

    def place(row: _Row) -> None:
        if id(row) in placed:
            return
        if row.parent_row is not None:
            place(row.parent_row)
        placed.add(id(row))
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


def import_tree(
    actor: User | None,
    data: bytes,
    filename: str,
    *,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Check every row, then create every organisation, or refuse the file with every problem.

    ``actor`` None is the command line (admin scope). Raises :class:`SheetRefused`. The checks
    only read; the organisations are written parents first in short batches that commit
    themselves, and removed again if a later one fails (``core.batches``).
    """
    sheet = read_sheet(data, filename, id_columns=())
    check = _Check()
    check.errors.extend(header_problems(sheet.headers, REQUIRED, HEADERS))
    if check.errors:
        raise SheetRefused(check.errors)
    if sheet.frame.empty:
        raise SheetRefused([RowError(0, "", _("文件中没有组织"))])
    rows = _validate(actor, sheet, check)
    if progress:
        progress("validate", len(sheet.row_numbers), len(sheet.row_numbers))
    if check.errors:
        raise SheetRefused(sorted(check.errors, key=lambda e: (e.row, e.column)))
    ordered = _order(rows)

    def add(row: _Row) -> Organization:
        parent = row.parent_row.created if row.parent_row is not None else row.parent
        try:
            row.created = orgs.add_organization(
                actor, parent=parent, audited=False, **vars(row.data)
            )
        except OrganizationError as error:  # someone took its code meanwhile: checked again
            column = FIELD_COLUMNS.get(error.field or "", "")
            raise SheetRefused([RowError(row.number, column, str(error))]) from None
        return row.created

    sha = hashlib.sha256(data).hexdigest()
    with Batches(actor, UndoNote(Organization.__tablename__, {"file_sha256": sha})) as batches:
        batches.each(ordered, add, progress=progress)
        with batches.last():
            audit.record(
                actor,
                "organization.import",
                "organization",
                None,
                after={
                    "created": len(ordered),
                    "file_sha256": sha,
                    "filename": filename.rsplit("/", 1)[-1][:200],
                },
            )
    return ImportResult(created=len(ordered), file_sha256=sha)


# ------------------------------------------------------------------ export


def tree_frame(actor: User | None) -> pd.DataFrame:
    """The open organisations ``actor`` manages (all for None or an admin), parents first."""
    query = select(Organization).where(Organization.closed_at.is_(None))
    if actor is not None and actor.role is not Role.ADMIN:
        root = actor.organization
        if root is None:
            return pd.DataFrame(columns=list(HEADERS))
        query = query.where(Organization.path.startswith(root.path))
    found = list(db.session.scalars(query))
    by_id = {org.id: org for org in found}
    records = []
    for org in sorted(found, key=lambda o: o.path_ids):
        parent = by_id.get(org.parent_id or 0) or (org.parent if org.parent_id else None)
        records.append(
            {
                COL_NAME: org.name,
                COL_KIND: KIND_CANONICAL[org.kind],
                COL_PARENT: (parent.code or parent.name) if parent is not None else "",
                COL_CODE: org.code or "",
                COL_SHORT: org.short_name or "",
                COL_EMPLOYER: org.employer or "",
                COL_CREDIT: org.credit_code or "",
                COL_OWNERSHIP: OWNERSHIP_CANONICAL[org.ownership] if org.ownership else "",
                COL_INDUSTRY: org.industry or "",
                COL_KEY: "是" if org.is_key_industry else "",
                COL_REGION: org.region or "",
                COL_HEADCOUNT: org.headcount if org.headcount is not None else "",
                COL_MEMBERS: org.member_count if org.member_count is not None else "",
                COL_COUNTED: org.counted_on.isoformat() if org.counted_on else "",
            }
        )
    return pd.DataFrame.from_records(records, columns=list(HEADERS))


def export_tree(actor: User | None, out: IO[bytes], kind: str) -> int:
    """Write the tree ``actor`` manages as .xlsx or .csv; audited; returns the row count."""
    frame = tree_frame(actor)
    if kind == "xlsx":
        write_xlsx(frame, out, sheet_title="组织", widths=WIDTHS)
    elif kind == "csv":
        write_csv(frame, out)
    else:
        raise ValueError(kind)
    audit.record(
        actor,
        "organization.export",
        "organization",
        None,
        after={"rows": len(frame), "format": kind},
    )
    return len(frame)


def template_workbook() -> bytes:
    """The import template; two example rows (a union and one below it) are on its 填写说明
    sheet, which the import does not read."""
    examples = [
        {
            COL_NAME: "江州机床集团工会",
            COL_KIND: "基层工会",
            COL_PARENT: "东湖区总工会",
            COL_CODE: "JZ-0101",
            COL_EMPLOYER: "江州机床集团有限公司",
            COL_CREDIT: "91110000600037341L",
            COL_OWNERSHIP: "国有",
            COL_INDUSTRY: "装备制造",
            COL_KEY: "是",
            COL_REGION: "东湖区",
            COL_HEADCOUNT: 1200,
            COL_MEMBERS: 1150,
            COL_COUNTED: "2026-06-30",
        },
        {
            COL_NAME: "一车间分工会",
            COL_KIND: "基层工会",
            COL_PARENT: "JZ-0101",
            COL_HEADCOUNT: 180,
            COL_MEMBERS: 176,
            COL_COUNTED: "2026-06-30",
        },
    ]
    return template_xlsx(
        "组织导入模板",
        HEADERS,
        required=REQUIRED,
        examples=examples,
        notes={
            COL_PARENT: "上级工会的组织代码或名称；可以是系统中已有的组织，也可以是本文件的另一行",
            COL_KEY: "是 或 否",
            COL_COUNTED: "职工人数、会员人数的统计日期，例如 2026-06-30",
        },
        widths=WIDTHS,
    )
