"""Care records (关爱, issue #14 item 2): health checks, 疗休养 stays, festival visits (走访慰问),
hardship help (困难帮扶) and allowances (津贴补助), each with its day and its place, amount or
festival, and notes.

The notes may hold health details — sensitive personal information (PIPL Art. 28) — so they
are stored only encrypted (``CareRecord.set_notes``), never written to the audit trail (an
entry says only whether there are notes) and leave the platform only in :func:`export_records`,
which a care worker asks for on purpose and which is audited. Every write checks that the file
is in the actor's scope (:mod:`contest.services.care.scope`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from contest.extensions import db
from contest.models import CareKind, CareRecord, HonoreeFile, User
from contest.services.care import scope, settings
from contest.services.core import audit
from contest.services.core.spreadsheets import SheetSpec, write_workbook
from contest.services.honors.validity import today
from contest.validation import parse_decimal, text_problem

__all__ = [
    "AMOUNT_MAX",
    "MONEY_KINDS",
    "NOTES_MAX",
    "PLACE_KINDS",
    "PLACE_MAX",
    "RecordData",
    "RecordError",
    "add_record",
    "amount_text",
    "delete_record",
    "export_name",
    "export_records",
    "find_record",
    "update_record",
]

PLACE_MAX = 200
NOTES_MAX = 2000
AMOUNT_MIN = Decimal("0.01")
AMOUNT_MAX = Decimal("1000000")
EARLIEST = date(1949, 10, 1)
# Kinds that need a place (the hospital, the resort) and kinds that are money.
PLACE_KINDS = frozenset({CareKind.HEALTH_CHECK, CareKind.RECUPERATION})
MONEY_KINDS = frozenset({CareKind.HARDSHIP, CareKind.ALLOWANCE})


class RecordError(ValueError):
    """A care record refused; ``field`` names the form field (None: the whole record)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class RecordData:
    """What a care worker enters: ``amount`` as typed, in yuan (up to 2 decimals)."""

    kind: CareKind
    on_date: date | None
    place: str | None = None
    amount: str | None = None
    festival: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class _Clean:
    kind: CareKind
    on_date: date
    place: str | None
    amount_fen: int | None
    festival: str | None
    notes: str | None


def amount_text(fen: int | None) -> str:
    """``12345`` fen as ``123.45`` (yuan), blank for none."""
    if fen is None:
        return ""
    return f"{Decimal(fen) / 100:.2f}"


def _text(field: str, value: str | None, limit: int, label: str, multiline: bool = False) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise RecordError(field, _("%(label)s不能超过 %(n)d 个字", label=label, n=limit))
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise RecordError(field, problem)
    return value


def _amount(kind: CareKind, raw: str | None) -> int | None:
    text = (raw or "").strip()
    if kind not in MONEY_KINDS:
        if text:
            raise RecordError("amount", _("只有困难帮扶和津贴补助需要填写金额"))
        return None
    if not text:
        raise RecordError("amount", _("请填写金额（元）"))
    message = _("金额应在 0.01 到 1000000 元之间，最多两位小数")
    try:
        value = parse_decimal(text, minimum=AMOUNT_MIN, maximum=AMOUNT_MAX)
    except ValueError:
        raise RecordError("amount", message) from None
    if value != value.quantize(Decimal("0.01")):
        raise RecordError("amount", message)
    return int(value * 100)


def _festival(kind: CareKind, raw: str | None, kept: str | None) -> str | None:
    """A visit's festival, one of the settings' (or the one the record already had, in case
    the setting has changed since)."""
    value = (raw or "").strip()
    if kind is not CareKind.VISIT:
        if value:
            raise RecordError("festival", _("只有走访慰问需要选择节日"))
        return None
    if not value:
        raise RecordError("festival", _("请选择走访慰问的节日"))
    if value not in settings.festivals() and value != kept:
        raise RecordError("festival", _("请从列表中选择节日"))
    return value


def _clean(data: RecordData, kept_festival: str | None = None) -> _Clean:
    """The record's values, checked; raises :class:`RecordError` naming the first bad field."""
    if not isinstance(data.kind, CareKind):
        raise RecordError("kind", _("请选择关爱类型"))
    if data.on_date is None:
        raise RecordError("on_date", _("请填写日期"))
    if data.on_date > today():
        raise RecordError("on_date", _("日期不能晚于今天"))
    if data.on_date < EARLIEST:
        raise RecordError("on_date", _("日期不能早于 1949 年 10 月 1 日"))
    place = _text("place", data.place, PLACE_MAX, _("地点"))
    if data.kind in PLACE_KINDS and not place:
        raise RecordError("place", _("请填写%(kind)s的地点", kind=data.kind.label))
    return _Clean(
        kind=data.kind,
        on_date=data.on_date,
        place=place or None,
        amount_fen=_amount(data.kind, data.amount),
        festival=_festival(data.kind, data.festival, kept_festival),
        notes=_text("notes", data.notes, NOTES_MAX, _("备注"), multiline=True) or None,
    )


def _check_scope(actor: User, file: HonoreeFile) -> None:
    if not scope.may_see(actor, file):
        raise RecordError(None, _("该档案不在您的服务范围内"))


def _snapshot(record: CareRecord) -> dict[str, Any]:
    """What the audit trail keeps of a record: never the notes, only whether there are any."""
    return {
        "record_id": record.id,
        "care_kind": record.kind.value,
        "on_date": record.on_date,
        "place": record.place,
        "amount": amount_text(record.amount_fen) or None,
        "festival": record.festival,
        "has_notes": record.notes_encrypted is not None,
    }


def _apply(record: CareRecord, clean: _Clean) -> None:
    record.kind = clean.kind
    record.on_date = clean.on_date
    record.place = clean.place
    record.amount_fen = clean.amount_fen
    record.festival = clean.festival
    record.set_notes(clean.notes)


def add_record(actor: User, file: HonoreeFile, data: RecordData) -> CareRecord:
    """Record an act of care in ``file``; audited without the notes. The caller commits."""
    _check_scope(actor, file)
    clean = _clean(data)
    record = CareRecord(file=file, created_by_id=actor.id)
    _apply(record, clean)
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "care.record.create", "honoree_file", file.id, after=_snapshot(record))
    return record


def update_record(actor: User, record: CareRecord, data: RecordData) -> bool:
    """Correct a record; audited before and after (without the notes). False when nothing
    changed. The caller commits."""
    _check_scope(actor, record.file)
    clean = _clean(data, kept_festival=record.festival)
    before = _snapshot(record)
    notes_changed = clean.notes != record.reveal_notes()
    values = (record.kind, record.on_date, record.place, record.amount_fen, record.festival)
    wanted = (clean.kind, clean.on_date, clean.place, clean.amount_fen, clean.festival)
    if values == wanted and not notes_changed:
        return False
    _apply(record, clean)
    db.session.flush()
    after = _snapshot(record)
    if notes_changed:
        after["notes_changed"] = True
    audit.record(
        actor, "care.record.update", "honoree_file", record.file_id, before=before, after=after
    )
    return True


def delete_record(actor: User, record: CareRecord) -> None:
    """Remove a record entered by mistake; the trail keeps what it was (without the notes)."""
    _check_scope(actor, record.file)
    before = _snapshot(record)
    file_id = record.file_id
    db.session.delete(record)
    db.session.flush()
    audit.record(actor, "care.record.delete", "honoree_file", file_id, before=before)


def find_record(file: HonoreeFile, record_id: int) -> CareRecord | None:
    """The record ``record_id`` of ``file`` (None when it belongs to another file)."""
    record = db.session.get(CareRecord, record_id)
    return record if record is not None and record.file_id == file.id else None


_HEADERS = ("日期", "关爱类型", "地点", "金额（元）", "节日", "备注")


def export_name(file: HonoreeFile) -> str:
    return f"{file.person.name}-关爱记录.xlsx"


def export_records(actor: User, file: HonoreeFile) -> bytes:
    """Every care record of ``file``, newest first, notes included: an .xlsx for the care
    worker who asks for it on purpose (the page asks to confirm). Audited with the number of
    records; the caller commits."""
    _check_scope(actor, file)
    records = sorted(file.records, key=lambda r: (r.on_date, r.id), reverse=True)
    buffer = io.BytesIO()
    write_workbook(
        [
            SheetSpec(
                "关爱记录",
                (
                    [
                        r.on_date,
                        r.kind.label,
                        r.place or "",
                        float(Decimal(r.amount_fen) / 100) if r.amount_fen is not None else "",
                        r.festival or "",
                        r.reveal_notes() or "",
                    ]
                    for r in records
                ),
                headers=_HEADERS,
                widths=(12, 10, 28, 12, 8, 60),
                freeze_header=True,
                wrap=(5,),
            )
        ],
        buffer,
    )
    audit.record(
        actor, "care.records.export", "honoree_file", file.id, after={"rows": len(records)}
    )
    return buffer.getvalue()
