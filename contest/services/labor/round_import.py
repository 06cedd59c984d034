"""Round scores from Excel: the organizer downloads a sheet of participants × items, the
assessors' marks are typed into it offline, and the upload stores them as assessor sheets.

One row per participant and assessor: 参赛单位, 赛道 (for reading only), 考评人 (an assessor's
name or user name, or 「考评组」 for the marks the assessment team agreed together, which are
kept on the chief assessor's sheet), then one column per typed item headed「编号 名称」(only
the 编号 is read, so a shortened name still matches). A download holds the rows of one
assessor, or of the team; an upload may hold any assessors' rows. Flags take 是/否 (or 1/0),
rate items the percentage (96 or 96%; those columns are text so Excel keeps the % sign).
Rate items filled from data (入会率, 满意率) have no column.

Every row is checked — participant, assessor, that the assessor assesses that participant,
every mark by the engine's own rules (``validate_values``), that no sheet submitted before is
overwritten — and every problem is reported by row and column in Chinese before anything is
stored (:class:`~contest.services.core.spreadsheets.SheetRefused`). The rows are then saved
through ``write_sheet`` as submitted sheets (versioned, audited per sheet) inside one
SAVEPOINT: a save refused at that point rolls them all back. A row whose marks are all blank
is skipped (a template row nobody filled in).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from contest.extensions import db
from contest.models import (
    Aspect,
    AspectKind,
    Assessor,
    Participant,
    Round,
    RoundStatus,
    ScoreSheet,
    SheetRole,
    SheetStatus,
    User,
)
from contest.services.assessment.sheets import SheetError, validate_values, write_sheet
from contest.services.core import audit
from contest.services.core.spreadsheets import (
    RowCheck,
    RowError,
    SheetRefused,
    SheetSpec,
    read_sheet,
    row_cells,
    write_workbook,
)
from contest.services.labor import assessors as team
from contest.services.labor.base import LaborError
from contest.services.labor.participants import roster
from contest.services.labor.scoring import assesses, round_items, typed_items

COL_UNIT, COL_TRACK, COL_ASSESSOR = "参赛单位", "赛道", "考评人"
TEAM = "考评组"
YES = frozenset({"1", "是", "Y", "YES", "TRUE", "√", "✓"})
NO = frozenset({"0", "否", "N", "NO", "FALSE", "×", "✗"})
_KIND_HINTS = {
    AspectKind.MEASUREMENT: _l("得分"),
    AspectKind.DEDUCTION: _l("扣分"),
    AspectKind.BONUS: _l("加分"),
    AspectKind.VETO: _l("是否触发（是/否）"),
    AspectKind.MANDATORY: _l("是否达到（是/否）"),
    AspectKind.RATE: _l("百分数"),
}


def item_header(aspect: Aspect) -> str:
    return f"{aspect.key} {aspect.name}"


def _hint(aspect: Aspect) -> str:
    hint = str(_KIND_HINTS.get(aspect.kind, ""))
    if aspect.kind in (AspectKind.MEASUREMENT, AspectKind.DEDUCTION, AspectKind.BONUS):
        return f"{hint} 0–{aspect.max_points.normalize():f}"
    return hint


def _ensure_importable(actor: User, round_: Round) -> None:
    if not round_.competition.can_manage(actor):
        raise LaborError(_("只有竞赛的组织者可以导入考评分"))
    if round_.status is not RoundStatus.SCORING:
        raise LaborError(
            _("只有考评中的轮次可以导入考评分（当前为%(status)s）", status=round_.status.label)
        )


# ---------------------------------------------------------------- the template


def template(round_: Round, assessor: Assessor | None) -> bytes:
    """A workbook for one assessor's marks (``None``: the team's), its rows the participants
    they assess, and a 填写说明 sheet listing every item."""
    competition = round_.competition
    items = typed_items(round_items(competition))
    chief = next((a for a in team.team(competition) if a.is_chief), None)
    who = assessor or chief
    label = TEAM if assessor is None else assessor.user.name
    rows = [
        [p.name, p.track.name if p.track else "", label] + [""] * len(items)
        for p in roster(competition)
        if p.withdrawn_at is None and (who is None or assesses(who, p))
    ]
    headers = [COL_UNIT, COL_TRACK, COL_ASSESSOR] + [item_header(a) for a in items]
    rate_columns = [3 + i for i, a in enumerate(items) if a.kind is AspectKind.RATE]
    marks = SheetSpec(
        "考评分",
        rows,
        headers=headers,
        widths=[28, 10, 12] + [14] * len(items),
        header_fill="DDEBF7",
        freeze_header=True,
        text_columns=rate_columns,
    )
    guide = [
        [item_header(a), a.kind.label, f"{a.max_points.normalize():f}", _hint(a)] for a in items
    ]
    guide += [
        [],
        [_("考评人填写考评组成员的姓名或用户名；填写「考评组」时，记为考评组组长的评分表。")],
        [_("一行的分数全部留空时，该行不导入；导入的评分表即为已提交，不能再修改。")],
        [_("达标率填写百分数，如 96 或 96%；由数据计算的指标（入会率、满意率）无需填写。")],
    ]
    notes = SheetSpec(
        "填写说明",
        guide,
        headers=["指标", "类型", "标准分", "填写"],
        widths=[30, 12, 10, 24],
    )
    buffer = io.BytesIO()
    write_workbook([marks, notes], buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- the import


@dataclass
class _Planned:
    number: int
    participant: Participant
    assessor: Assessor
    sheet: ScoreSheet | None
    values: dict[str, object]


@dataclass(frozen=True)
class ImportReport:
    sheets: int
    participants: int


def _columns(
    headers: list[str], items: list[Aspect], data_keys: set[str], errors: list[RowError]
) -> dict[str, Aspect]:
    """Header → item of the marks columns; the header's problems go to ``errors``."""
    by_key = {a.key: a for a in items}
    found: dict[str, Aspect] = {}
    for required in (COL_UNIT, COL_ASSESSOR):
        if required not in headers:
            errors.append(RowError(1, required, _("缺少必填列")))
    for header in headers:
        if not header or header in (COL_UNIT, COL_TRACK, COL_ASSESSOR):
            continue
        key = header.split()[0]
        aspect = by_key.get(key)
        if aspect is None:
            message = (
                _("此指标由数据计算，不需填写，请删除此列")
                if key in data_keys
                else _(
                    "无法识别的列；指标列应以指标编号开头，如「%(example)s」",
                    example=item_header(items[0]),
                )
            )
            errors.append(RowError(1, header, message))
        elif aspect in found.values():
            errors.append(RowError(1, header, _("指标 %(key)s 的列重复", key=key)))
        else:
            found[header] = aspect
    for aspect in items:
        if aspect not in found.values():
            errors.append(RowError(1, item_header(aspect), _("缺少此指标的列")))
    return found


def _cell_value(aspect: Aspect, raw: str) -> str:
    """A cell as the engine reads a mark: 是/否 as 1/0, 96% as 96."""
    text = raw.strip()
    if aspect.kind.is_flag:
        upper = text.upper()
        return "1" if upper in YES else "0" if upper in NO else text
    if aspect.kind is AspectKind.RATE:
        return re.sub(r"\s*[%％]$", "", text)
    return text


def _assessor_lookup(members: list[Assessor]) -> tuple[dict[str, Assessor], set[str]]:
    """Assessors by user name and by name; names two members share are ambiguous."""
    by_text: dict[str, Assessor] = {}
    twice: set[str] = set()
    for member in members:
        by_text[member.user.username] = member
    names: dict[str, list[Assessor]] = {}
    for member in members:
        names.setdefault(member.user.name, []).append(member)
    for name, group in names.items():
        if len(group) > 1:
            twice.add(name)
        elif name not in by_text:
            by_text[name] = group[0]
    return by_text, twice


def import_scores(actor: User, round_: Round, data: bytes, filename: str) -> ImportReport:
    """Store every row of the file as a submitted assessor sheet, or none (SheetRefused)."""
    _ensure_importable(actor, round_)
    competition = round_.competition
    everything = round_items(competition)
    items = typed_items(everything)
    if not items:
        raise LaborError(_("竞赛还没有需要填写的考核指标"))
    keys = [a.key for a in everything]
    sheet = read_sheet(data, filename, id_columns=())
    errors: list[RowError] = []
    columns = _columns(sheet.headers, items, {a.key for a in everything if a.source}, errors)
    if errors:
        raise SheetRefused(errors)

    members = team.team(competition)
    chief = next((a for a in members if a.is_chief), None)
    by_text, ambiguous = _assessor_lookup(members)
    competing = {p.name: p for p in roster(competition)}
    stored = {
        (s.participant_id, s.user_id): s
        for s in db.session.scalars(
            select(ScoreSheet).where(
                ScoreSheet.round_id == round_.id, ScoreSheet.role == SheetRole.ASSESSOR
            )
        )
    }
    planned: list[_Planned] = []
    seen: dict[tuple[int, int], int] = {}
    for number, cells in row_cells(sheet):
        check = RowCheck(number, cells, errors)
        raw = {header: cells.get(header, "") for header in columns}
        if not any(raw.values()):
            continue
        name = cells.get(COL_UNIT, "")
        participant = competing.get(name)
        if not name:
            check.problem(COL_UNIT, _("必填"))
        elif participant is None:
            check.problem(COL_UNIT, _("本竞赛没有名为“%(name)s”的参赛单位", name=name))
        elif participant.withdrawn_at is not None:
            check.problem(COL_UNIT, _("该参赛单位已退出竞赛"))
            participant = None
        who = cells.get(COL_ASSESSOR, "")
        assessor = chief if who == TEAM else by_text.get(who)
        if not who:
            check.problem(COL_ASSESSOR, _("必填"))
        elif who == TEAM and chief is None:
            check.problem(COL_ASSESSOR, _("考评组还没有组长，不能以考评组名义导入"))
        elif who in ambiguous:
            check.problem(COL_ASSESSOR, _("考评组中有两人名为“%(name)s”，请填写用户名", name=who))
        elif assessor is None:
            check.problem(COL_ASSESSOR, _("“%(name)s”不是本竞赛考评组的成员", name=who))
        values: dict[str, object] = {}
        for header, aspect in columns.items():
            text = raw[header]
            if not text:
                check.problem(header, _("必填"))
                continue
            value = _cell_value(aspect, text)
            _parsed, problems = validate_values([aspect], {aspect.key: value})
            if problems:
                check.problem(header, problems[aspect.key])
            values[aspect.key] = value
        if participant is None or assessor is None:
            continue
        if not assesses(assessor, participant):
            check.problem(
                COL_ASSESSOR,
                _(
                    "%(name)s 不考评“%(unit)s”（不在其赛道或是该单位的自评填报人）",
                    name=assessor.user.name,
                    unit=participant.name,
                ),
            )
            continue
        pair = (participant.id, assessor.user_id)
        if pair in seen:
            check.problem(
                COL_UNIT,
                _("与第 %(row)d 行重复（同一考评人、同一参赛单位）", row=seen[pair]),
            )
            continue
        seen[pair] = number
        existing = stored.get(pair)
        if existing is not None and existing.status is not SheetStatus.DRAFT:
            check.problem(
                COL_ASSESSOR,
                _(
                    "%(name)s 对该单位的评分表已提交，不能覆盖；如需更正请组长先退回",
                    name=assessor.user.name,
                ),
            )
            continue
        if check.ok:
            planned.append(_Planned(number, participant, assessor, existing, values))
    if errors:
        raise SheetRefused(sorted(errors, key=lambda e: e.row))
    if not planned:
        raise SheetRefused([RowError(0, "", _("表中没有填写任何分数"))])
    _write(actor, round_, items, keys, planned)
    audit.record(
        actor,
        "competition.round.import",
        "competition",
        competition.id,
        after={
            "round": round_.name,
            "file": filename,
            "sheets": len(planned),
            "participants": len({p.participant.id for p in planned}),
        },
    )
    return ImportReport(len(planned), len({p.participant.id for p in planned}))


def _write(
    actor: User, round_: Round, items: list[Aspect], keys: list[str], planned: list[_Planned]
) -> None:
    failures: list[RowError] = []
    savepoint = db.session.begin_nested()
    for row in planned:

        def new_sheet(row: _Planned = row) -> ScoreSheet:
            return ScoreSheet(
                round_id=round_.id,
                participant_id=row.participant.id,
                role=SheetRole.ASSESSOR,
                user_id=row.assessor.user_id,
            )

        try:
            write_sheet(
                actor,
                row.sheet,
                new_sheet,
                items,
                row.values,
                submit=True,
                expected_version=row.sheet.version if row.sheet is not None else 0,
                all_keys=keys,
            )
        except SheetError as error:
            failures.append(RowError(row.number, COL_ASSESSOR, error.message))
    if failures:
        savepoint.rollback()
        raise SheetRefused(failures)
    savepoint.commit()
