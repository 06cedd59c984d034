"""Excel exports for the organizer: the published results and every score sheet.

Neither contains an ID number, a phone or a birth date (DESIGN.md "Privacy"): the results
workbook is the published snapshot as it is, and the score-sheet workbook names an entrant
only once the chief judge has signed the event off (before that, judges' anonymity holds).
Both are written by ``spreadsheets.write_workbook``, so a name that looks like a formula stays
text.
"""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from contest.extensions import db
from contest.models import (
    Aspect,
    Contest,
    Entry,
    Mark,
    Person,
    ResultRow,
    ResultSnapshot,
    ScoreSheet,
    User,
)
from contest.models.base import local_text
from contest.services.core.spreadsheets import SheetSpec, write_workbook
from contest.services.skills.codes import seat_text
from contest.services.skills.policies import team_total_of

HEADER_FILL = "F3E3E3"

__all__ = ["results_workbook", "sheets_workbook"]


def _sheet_title(text: str, used: set[str]) -> str:
    """An Excel sheet name: ≤ 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "-", text)[:31] or "Sheet"
    title, n = base, 2
    while title in used:
        suffix = f"~{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def _table(title: str, headers: list[str], rows: list[list[Any]]) -> SheetSpec:
    """An event's sheet: shaded, frozen header; widths from the header and the first rows."""
    widths = [
        min(max(max([len(header) * 2] + [len(str(r[i] or "")) for r in rows[:200]]) + 2, 8), 48)
        for i, header in enumerate(headers)
    ]
    return SheetSpec(
        title, rows, headers=headers, widths=widths, header_fill=HEADER_FILL, freeze_header=True
    )


def _number(value: str | Decimal | None) -> float | None:
    return None if value in (None, "") else float(value)  # type: ignore[arg-type]


def _save(sheets: list[SheetSpec]) -> bytes:
    buffer = io.BytesIO()
    write_workbook(sheets, buffer)
    return buffer.getvalue()


def results_workbook(contest: Contest, snapshot: ResultSnapshot) -> bytes:
    """The published snapshot, one sheet per event, Chinese headers."""
    sheets: list[SheetSpec] = []
    used: set[str] = set()
    rows_by_event: dict[int, list[ResultRow]] = {}
    for row in db.session.scalars(
        select(ResultRow)
        .where(ResultRow.snapshot_id == snapshot.id)
        .order_by(ResultRow.event_id, ResultRow.position)
    ):
        rows_by_event.setdefault(row.event_id, []).append(row)
    notes = _event_notes(snapshot)
    for event in contest.events:
        components = [(c.key, c.name) for c in event.components]
        event_rows = rows_by_event.get(event.id, [])
        absent = set(notes.get(event.id, {}).get("absent", ()))
        # A team event lists every member under the team's name.
        teams = any(row.team for row in event_rows)
        # The standardised 700 scale and recommendations: columns only when the event has them.
        scaled = any(row.standard_score is not None for row in event_rows)
        recommends = any(row.recommended for row in event_rows)
        # A member-scored team event: each member's own total beside the team's.
        own = any(row.member_total is not None for row in event_rows)
        headers = ["名次", "参赛号", *(["队名"] if teams else []), "姓名", "性别标注", "单位"]
        headers += [f"{name}成绩" for _, name in components]
        headers += [
            *(["个人成绩"] if own else []),
            "总成绩",
            *(["标准分"] if scaled else []),
            "奖项",
            "称号",
        ]
        headers += [*(["推荐"] if recommends else []), "证书编号"]
        data = [
            [
                row.rank,
                row.entry_code,
                *([row.team or ""] if teams else []),
                row.name,
                "女" if row.is_female else "",
                row.organization,
                *[_number((row.components or {}).get(key)) for key, _ in components],
                *([_number(row.member_total)] if own else []),
                _number(row.total)
                if row.total is not None
                else ("缺考" if row.entry_code in absent else "缺考/退赛"),
                *([_number(row.standard_score)] if scaled else []),
                row.award or "",
                "、".join(row.titles or []),
                *(["、".join(row.recommended or [])] if recommends else []),
                row.certificate_no or "",
            ]
            for row in event_rows
        ]
        sheets.append(_table(_sheet_title(f"{event.code} {event.label}", used), headers, data))
    info = [
        ["大赛", contest.name],
        ["公布时间", local_text(snapshot.created_at)],
        ["成绩快照 SHA-256", snapshot.digest],
    ]
    for event in contest.events:
        if notes.get(event.id, {}).get("cancelled"):
            info.append([f"{event.code} {event.label}", "参赛人数不足最低要求，赛项已取消"])
        elif notes.get(event.id, {}).get("no_awards"):
            info.append([f"{event.code} {event.label}", "参赛人数不足最低要求，只排名、不评奖"])
    sheets.append(SheetSpec(_sheet_title("说明", used), info, widths=(18, 70)))
    return _save(sheets)


def _event_notes(snapshot: ResultSnapshot) -> dict[int, dict[str, Any]]:
    """Each event's entry in the snapshot document (its 取消 / 不评奖 flags and 缺考 codes)."""
    document = json.loads(snapshot.document)
    return {int(event["id"]): event for event in document.get("events", [])}


def _local(value: datetime | None) -> str:
    return local_text(value, seconds=True)


def sheets_workbook(contest: Contest) -> bytes:
    """Every mark of every score sheet: entry code, name (after sign-off), judge, aspect, mark,
    sheet status and submission time, one sheet per event."""
    sheets: list[SheetSpec] = []
    used: set[str] = set()
    headers = [
        "参赛号",
        "赛位号",
        "姓名",
        "评委",
        "评分要素",
        "要素名称",
        "分值",
        "状态",
        "提交时间",
    ]
    for event in contest.events:
        revealed = event.is_signed_off
        query = (
            select(
                Entry.entry_code,
                Entry.seat_code,
                # a team scored as one has one sheet, the team's; a member-scored team's
                # member has their own
                Person.name
                if team_total_of(event)
                else func.coalesce(Entry.team_name, Person.name),
                func.coalesce(User.display_name, User.username),
                Aspect.key,
                Aspect.name,
                Mark.value,
                ScoreSheet.status,
                ScoreSheet.submitted_at,
            )
            .select_from(ScoreSheet)
            .join(Entry, Entry.id == ScoreSheet.entry_id)
            .join(Person, Person.id == Entry.person_id)
            .join(User, User.id == ScoreSheet.user_id)
            .join(Mark, Mark.sheet_id == ScoreSheet.id)
            .join(Aspect, Aspect.id == Mark.aspect_id)
            .where(ScoreSheet.event_id == event.id)
            .order_by(Entry.entry_code, User.username, Aspect.position, Aspect.key)
        )
        data = [
            [
                entry_code or "",
                seat_text(seat_code) if seat_code else "",
                name if revealed else "（签字确认后揭晓）",
                judge,
                key,
                aspect_name,
                float(value),
                status.label,
                _local(submitted_at),
            ]
            for (
                entry_code,
                seat_code,
                name,
                judge,
                key,
                aspect_name,
                value,
                status,
                submitted_at,
            ) in db.session.execute(query)
        ]
        sheets.append(_table(_sheet_title(f"{event.code} {event.label}", used), headers, data))
    return _save(sheets or [SheetSpec("评分表", [])])
