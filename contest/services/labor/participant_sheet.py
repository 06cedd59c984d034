"""The 参赛名录 as a spreadsheet: a template to fill in, an all-or-nothing import, an export.

One row per participant: 名称 (required), 类型 (单位 / 班组 / 项目（标段）, blank = 单位), 所属单位
(a 班组's unit: a unit of the file or already in the 名录), 所属组织 (an organisation of the
host union's tree, by 组织代码 or name), 赛道（分组）, 备案日期, 联系人账号 (the user name of the
account that fills in the self-assessment). Every row is checked by the same rules as the form
(``participants.check``) and every problem is reported by row and column before anything is
written (:class:`~contest.services.core.spreadsheets.SheetRefused`); units are written before
the teams that name them, in the caller's transaction, and one audit entry records the import.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from contest.extensions import db
from contest.models import Competition, Organization, Participant, ParticipantKind, User
from contest.models.labor import PARTICIPANT_KIND_LABELS
from contest.services.core import audit
from contest.services.core.spreadsheets import (
    RowError,
    SheetRefused,
    SheetSpec,
    header_problems,
    read_sheet,
    row_cells,
    template_xlsx,
    write_workbook,
)
from contest.services.labor import participants
from contest.services.labor.base import LaborError, ensure_open, parse_day
from contest.services.labor.participants import ParticipantData

COL_NAME, COL_KIND, COL_PARENT, COL_ORG = "名称", "类型", "所属单位", "所属组织"
COL_TRACK, COL_REGISTERED, COL_CONTACT = "赛道（分组）", "备案日期", "联系人账号"
COL_STATUS, COL_MEMBERS = "状态", "参赛人员数"
HEADERS = (COL_NAME, COL_KIND, COL_PARENT, COL_ORG, COL_TRACK, COL_REGISTERED, COL_CONTACT)
REQUIRED = (COL_NAME,)
ALIASES = {
    "参赛单位": COL_NAME,
    "参赛单位名称": COL_NAME,
    "单位名称": COL_NAME,
    "赛道": COL_TRACK,
    "分组": COL_TRACK,
    "组织": COL_ORG,
    "组织代码": COL_ORG,
    "备案时间": COL_REGISTERED,
    "联系人用户名": COL_CONTACT,
}
# Service field → the column it is reported on.
FIELD_COLUMNS = {
    "name": COL_NAME,
    "kind": COL_KIND,
    "parent": COL_PARENT,
    "organization": COL_ORG,
    "track": COL_TRACK,
    "registered_on": COL_REGISTERED,
    "contact": COL_CONTACT,
}
SHEET_TITLE = "参赛名录"


@dataclass(frozen=True)
class ImportResult:
    rows: int
    units: int
    teams: int
    projects: int


def parse_kind(raw: str) -> ParticipantKind:
    """单位 / 班组 / 项目（标段） as typed (项目, 标段 and the enum values too); blank = 单位."""
    value = raw.replace(" ", "").replace("(", "（").replace(")", "）")
    if not value:
        return ParticipantKind.UNIT
    for kind, label in PARTICIPANT_KIND_LABELS.items():
        if value in (str(label), kind.value, kind.label):
            return kind
    if value in ("项目", "标段", "项目标段"):
        return ParticipantKind.PROJECT
    if value in ("参赛单位", "企业"):
        return ParticipantKind.UNIT
    raise ValueError(_("类型应为 单位、班组 或 项目（标段）"))


class _Orgs:
    """Organisations of the host tree by 组织代码 and by name."""

    def __init__(self, competition: Competition) -> None:
        self.by_code: dict[str, Organization] = {}
        self.by_name: dict[str, list[Organization]] = {}
        for org in participants.org_choices(competition):
            if org.code:
                self.by_code[org.code] = org
            for name in {org.name, org.short_name or ""} - {""}:
                self.by_name.setdefault(name, []).append(org)

    def find(self, competition: Competition, ref: str) -> Organization:
        if ref in self.by_code:
            return self.by_code[ref]
        found = self.by_name.get(ref, [])
        if len(found) > 1:
            raise ValueError(_("有多个名为“%(name)s”的组织，请改填组织代码", name=ref))
        if not found:
            raise ValueError(
                _(
                    "找不到组织“%(name)s”：不在主办工会“%(host)s”的组织树中",
                    name=ref,
                    host=competition.organization.name,
                )
            )
        return found[0]


def _canonical(headers: list[str]) -> list[str]:
    return [ALIASES.get(h, h) for h in headers]


def _read(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    sheet = read_sheet(data, filename, id_columns=())
    headers = _canonical(list(sheet.headers))
    errors = header_problems(headers, REQUIRED, HEADERS, accepted=(COL_STATUS, COL_MEMBERS))
    if errors:
        raise SheetRefused(errors)
    rows = []
    for number, cells in row_cells(sheet):
        cells = {ALIASES.get(k, k): v for k, v in cells.items()}
        if any(cells.values()):
            rows.append((number, cells))
    if not rows:
        raise SheetRefused([RowError(0, "", _("文件中没有数据行"))])
    return headers, rows


@dataclass
class _Row:
    number: int
    data: ParticipantData
    parent_name: str


def _row_data(
    competition: Competition,
    number: int,
    cells: Mapping[str, str],
    orgs: _Orgs,
    errors: list[RowError],
) -> _Row | None:
    start = len(errors)

    def problem(column: str, message: str) -> None:
        errors.append(RowError(number, column, str(message)))

    kind = ParticipantKind.UNIT
    try:
        kind = parse_kind(cells.get(COL_KIND, ""))
    except ValueError as error:
        problem(COL_KIND, str(error))
    organization = None
    if cells.get(COL_ORG) and kind is not ParticipantKind.TEAM:
        try:
            organization = orgs.find(competition, cells[COL_ORG])
        except ValueError as error:
            problem(COL_ORG, str(error))
    track = None
    if cells.get(COL_TRACK):
        track = next((t for t in competition.tracks if t.name == cells[COL_TRACK]), None)
        if track is None:
            names = "、".join(t.name for t in competition.tracks) or _("（未设置）")
            problem(
                COL_TRACK,
                _(
                    "没有赛道（分组）“%(name)s”；本竞赛的赛道：%(names)s",
                    name=cells[COL_TRACK],
                    names=names,
                ),
            )
    registered = None
    try:
        registered = parse_day(cells.get(COL_REGISTERED, ""))
    except ValueError as error:
        problem(COL_REGISTERED, str(error))
    contact = None
    if cells.get(COL_CONTACT):
        try:
            contact = participants.find_contact(competition, cells[COL_CONTACT])
        except LaborError as error:
            problem(COL_CONTACT, error.message)
    parent_name = cells.get(COL_PARENT, "")
    if kind is ParticipantKind.TEAM and not parent_name:
        problem(COL_PARENT, _("班组须填写所属单位"))
    if len(errors) > start:
        return None
    data = ParticipantData(
        name=cells.get(COL_NAME, ""),
        kind=kind,
        track=track,
        organization=organization,
        registered_on=registered,
        contact=contact,
    )
    return _Row(number, data, parent_name)


def _checked(competition: Competition, row: _Row, errors: list[RowError]) -> bool:
    try:
        participants.check(competition, row.data)
    except LaborError as error:
        errors.append(RowError(row.number, FIELD_COLUMNS.get(error.field or "", ""), error.message))
        return False
    return True


def import_roster(
    actor: User, competition: Competition, data: bytes, filename: str
) -> ImportResult:
    """Add every row of the file to the 名录, or none: raises SheetRefused with every problem.
    Writes in the caller's transaction (the view rolls back on a refusal)."""
    ensure_open(competition)
    _headers, rows = _read(data, filename)
    orgs = _Orgs(competition)
    errors: list[RowError] = []
    parsed: list[_Row] = []
    first_row: dict[str, int] = {}
    for number, cells in rows:
        row = _row_data(competition, number, cells, orgs, errors)
        name = cells.get(COL_NAME, "").strip()
        if name and name in first_row:
            errors.append(
                RowError(number, COL_NAME, _("名称与第 %(row)d 行重复", row=first_row[name]))
            )
            continue
        if name:
            first_row[name] = number
        if row is not None:
            parsed.append(row)
    file_units = {r.data.name.strip(): r for r in parsed if r.data.kind is ParticipantKind.UNIT}
    # Units and projects first: they are checked as the form checks them.
    firsts = [r for r in parsed if r.data.kind is not ParticipantKind.TEAM]
    teams = [r for r in parsed if r.data.kind is ParticipantKind.TEAM]
    for row in firsts:
        _checked(competition, row, errors)
    for row in teams:
        if row.parent_name in file_units:
            continue
        parent = _existing_unit(competition, row.parent_name)
        if parent is None:
            errors.append(
                RowError(
                    row.number,
                    COL_PARENT,
                    _("“%(name)s”不是本文件或参赛名录中的参赛单位", name=row.parent_name),
                )
            )
            continue
        row.data.parent = parent
        _checked(competition, row, errors)
    if errors:
        raise SheetRefused(sorted(errors, key=lambda e: e.row))
    created: dict[str, Participant] = {}
    for row in firsts:
        created[row.data.name] = _create(competition, row.data)
    db.session.flush()
    for row in teams:
        if row.data.parent is None:
            row.data.parent = created[row.parent_name]
            if not _checked(competition, row, errors):
                continue
        created[row.data.name] = _create(competition, row.data)
    if errors:
        raise SheetRefused(errors)
    db.session.flush()
    kinds = [r.data.kind for r in parsed]
    result = ImportResult(
        rows=len(parsed),
        units=kinds.count(ParticipantKind.UNIT),
        teams=kinds.count(ParticipantKind.TEAM),
        projects=kinds.count(ParticipantKind.PROJECT),
    )
    audit.record(
        actor,
        "competition.participants.import",
        "competition",
        competition.id,
        after={
            "rows": result.rows,
            "participants": [r.data.name for r in parsed][:200],
            "file_sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    return result


def _existing_unit(competition: Competition, name: str) -> Participant | None:
    return next((p for p in participants.unit_choices(competition) if p.name == name), None)


def _create(competition: Competition, data: ParticipantData) -> Participant:
    participant = Participant(
        competition=competition,
        name=data.name,
        kind=data.kind,
        track=data.track,
        organization=data.organization,
        parent=data.parent,
        registered_on=data.registered_on,
        contact_user=data.contact,
    )
    db.session.add(participant)
    return participant


# ------------------------------------------------------------------ template and export


def template_workbook(competition: Competition) -> bytes:
    """The 名录 to fill in; the examples are on the 填写说明 sheet, which is not imported."""
    track = competition.tracks[0].name if competition.tracks else ""
    examples: list[dict[str, Any]] = [
        {
            COL_NAME: "中建某局某项目部",
            COL_KIND: "单位",
            COL_TRACK: track,
            COL_REGISTERED: "2026-03-01",
        },
        {COL_NAME: "钢筋班组", COL_KIND: "班组", COL_PARENT: "中建某局某项目部", COL_TRACK: track},
        {COL_NAME: "一标段", COL_KIND: "项目（标段）", COL_TRACK: track},
    ]
    tracks = "、".join(t.name for t in competition.tracks) or "（未设置赛道，留空）"
    return template_xlsx(
        SHEET_TITLE,
        HEADERS,
        required=REQUIRED,
        examples=examples,
        notes={
            COL_NAME: "参赛单位、班组或项目（标段）的名称，在本竞赛中唯一",
            COL_KIND: "单位、班组 或 项目（标段）；留空按单位",
            COL_PARENT: "班组必填：所属参赛单位的名称（本文件中或已在参赛名录中）",
            COL_ORG: "可选：组织树中的单位，填组织代码或名称（须是主办工会或其下级）",
            COL_TRACK: f"可选：本竞赛的赛道（分组）：{tracks}",
            COL_REGISTERED: "备案日期，如 2026-03-01；未备案的不能获评称号",
            COL_CONTACT: "可选：负责填写自评的账号的用户名",
        },
        widths={
            COL_NAME: 28,
            COL_PARENT: 24,
            COL_ORG: 28,
            COL_TRACK: 14,
            COL_REGISTERED: 12,
            COL_CONTACT: 14,
        },
    )


def export_workbook(competition: Competition) -> bytes:
    """The 名录 with the import's columns (so it can be edited and imported elsewhere), plus
    each entry's status and number of listed people."""
    rows = [
        [
            p.name,
            p.kind.label,
            p.parent.name if p.parent else "",
            (p.organization.code or p.organization.name) if p.organization else "",
            p.track.name if p.track else "",
            p.registered_on,
            p.contact_user.username if p.contact_user else "",
            _("已退出") if p.withdrawn_at else _("参赛中"),
            len(p.members),
        ]
        for p in participants.roster(competition)
    ]
    buffer = io.BytesIO()
    write_workbook(
        [
            SheetSpec(
                SHEET_TITLE,
                rows,
                headers=[*HEADERS, COL_STATUS, COL_MEMBERS],
                widths=(28, 10, 24, 28, 14, 12, 14, 8, 10),
                freeze_header=True,
            )
        ],
        buffer,
    )
    return buffer.getvalue()
