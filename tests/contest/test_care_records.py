"""Care records (issue #14 item 2): what each kind needs, the notes kept encrypted and out of
the audit trail, scope, and the export of a file's records only on purpose."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import text

from contest.models import CareKind, CareRecord
from contest.services.care import archive, records
from contest.services.care.records import RecordData, RecordError
from contest.services.honors.validity import today
from tests.contest.care_archive_support import Tree, entries, filed_tree

NOTES = "血压偏高"
CONTACT = "13800138000"


def _add(tree: Tree, data: RecordData, name: str = "张伟") -> CareRecord:
    return records.add_record(tree.care_east, tree.file_of(name), data)  # type: ignore[arg-type]


@pytest.fixture
def tree(db: Any) -> Tree:
    return filed_tree()


def test_each_kind_keeps_what_it_needs(db: Any, tree: Tree) -> None:
    day = today()
    check = _add(tree, RecordData(CareKind.HEALTH_CHECK, day, place="市第一人民医院"))
    help_ = _add(tree, RecordData(CareKind.HARDSHIP, day, amount=" 1000000 "))
    allowance = _add(tree, RecordData(CareKind.ALLOWANCE, day, amount="0.01"))
    visit = _add(tree, RecordData(CareKind.VISIT, day, festival="中秋", place="家中"))
    assert (check.place, check.amount_fen, check.festival) == ("市第一人民医院", None, None)
    assert (help_.amount_fen, allowance.amount_fen) == (100_000_000, 1)
    assert records.amount_text(help_.amount_fen) == "1000000.00"
    assert (visit.festival, visit.place) == ("中秋", "家中")


REFUSED = [
    (RecordData(CareKind.HEALTH_CHECK, date(2024, 5, 1)), "place", "请填写健康体检的地点"),
    (RecordData(CareKind.RECUPERATION, date(2024, 5, 1), place=" "), "place", "疗休养"),
    (RecordData(CareKind.HARDSHIP, date(2024, 5, 1)), "amount", "请填写金额"),
    (RecordData(CareKind.HARDSHIP, date(2024, 5, 1), amount="0"), "amount", "0.01"),
    (RecordData(CareKind.HARDSHIP, date(2024, 5, 1), amount="0.001"), "amount", "两位小数"),
    (RecordData(CareKind.ALLOWANCE, date(2024, 5, 1), amount="1000000.01"), "amount", "元"),
    (RecordData(CareKind.ALLOWANCE, date(2024, 5, 1), amount="-5"), "amount", "元"),
    (RecordData(CareKind.ALLOWANCE, date(2024, 5, 1), amount="1e3"), "amount", "元"),
    (RecordData(CareKind.ALLOWANCE, date(2024, 5, 1), amount="１００"), "amount", "元"),
    (RecordData(CareKind.VISIT, date(2024, 5, 1), amount="100", festival="春节"), "amount", "只有"),
    (RecordData(CareKind.VISIT, date(2024, 5, 1)), "festival", "请选择走访慰问的节日"),
    (RecordData(CareKind.VISIT, date(2024, 5, 1), festival="元宵"), "festival", "列表"),
    (
        RecordData(CareKind.HEALTH_CHECK, date(2024, 5, 1), place="医院", festival="春节"),
        "festival",
        "只有走访慰问",
    ),
    (RecordData(CareKind.VISIT, None, festival="春节"), "on_date", "请填写日期"),
    (RecordData(CareKind.VISIT, date(1949, 9, 30), festival="春节"), "on_date", "1949"),
    (
        RecordData(CareKind.HEALTH_CHECK, date(2024, 5, 1), place="医" * 201),
        "place",
        "200",
    ),
    (
        RecordData(CareKind.VISIT, date(2024, 5, 1), festival="春节", notes="好" * 2001),
        "notes",
        "2000",
    ),
]


def test_a_record_missing_what_its_kind_needs_is_refused(db: Any, tree: Tree) -> None:
    for data, field, message in REFUSED:  # one tree for all: each case changes nothing
        with pytest.raises(RecordError, match=message) as refused:
            _add(tree, data)
        assert refused.value.field == field, data
    assert not tree.file_of("张伟").records


def test_care_dated_in_the_future_is_refused_and_today_is_not(db: Any, tree: Tree) -> None:
    tomorrow = today() + timedelta(days=1)
    with pytest.raises(RecordError, match="日期不能晚于今天"):
        _add(tree, RecordData(CareKind.VISIT, tomorrow, festival="春节"))
    assert _add(tree, RecordData(CareKind.VISIT, today(), festival="春节")).id


def test_writes_are_audited_without_the_notes(db: Any, tree: Tree) -> None:
    record = _add(tree, RecordData(CareKind.HEALTH_CHECK, date(2024, 5, 1), "医院", notes=NOTES))
    changed = records.update_record(
        tree.care_east,  # type: ignore[arg-type]
        record,
        RecordData(CareKind.HEALTH_CHECK, date(2024, 5, 2), "医院", notes=NOTES + "，复查"),
    )
    assert changed and record.reveal_notes() == NOTES + "，复查"
    records.delete_record(tree.care_east, record)  # type: ignore[arg-type]
    db.session.commit()
    written = [
        *entries("care.record.create"),
        *entries("care.record.update"),
        *entries("care.record.delete"),
    ]
    assert len(written) == 3
    trail = " ".join(f"{e.before} {e.after}" for e in written)
    assert NOTES not in trail and "复查" not in trail
    assert '"has_notes": true' in trail and '"notes_changed": true' in trail


def test_a_file_out_of_scope_is_refused(
    db: Any, tree: Tree, client_for: Callable[..., FlaskClient]
) -> None:
    outside = tree.file_of("李娜")
    with pytest.raises(RecordError):
        records.add_record(
            tree.care_east, outside, RecordData(CareKind.VISIT, today(), festival="春节")
        )  # type: ignore[arg-type]
    with pytest.raises(RecordError):
        records.export_records(tree.care_east, outside)  # type: ignore[arg-type]
    client = client_for(tree.care_east)
    form = {"kind": "visit", "on_date": "2024-05-01", "festival": "春节"}
    assert client.post(f"/care/files/{outside.id}/records", data=form).status_code == 404
    mine = _add(tree, RecordData(CareKind.VISIT, today(), festival="春节"), name="张伟")
    db.session.commit()
    # a record of one file reached through another file's address
    assert client.get(f"/care/files/{outside.id}/records/{mine.id}").status_code == 404


def test_notes_and_contact_never_reach_the_database_in_plain_text(
    db: Any, tree: Tree, app: Any
) -> None:
    file = tree.file_of("张伟")
    archive.update_file(tree.care_east, file, None, CONTACT, tree.east)  # type: ignore[arg-type]
    _add(tree, RecordData(CareKind.HEALTH_CHECK, date(2024, 5, 1), "医院", notes=NOTES))
    db.session.commit()
    raw = db.session.execute(
        text(
            "SELECT r.notes_encrypted, f.contact_encrypted FROM care_records r "
            "JOIN honoree_files f ON f.id = r.file_id"
        )
    ).one()
    for value, plain in ((raw[0], NOTES), (raw[1], CONTACT)):
        stored = bytes(value)
        assert plain.encode() not in stored and plain.encode("utf-16-le") not in stored
    assert file.reveal_contact() == CONTACT
    engine = db.engine
    if engine.dialect.name == "sqlite":
        db.session.remove()
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(engine.url.database)
        written = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        assert NOTES.encode() not in written and CONTACT.encode() not in written
        assert "江州机床厂工会".encode() in written  # the file was read: plain text is there


def test_the_page_adds_corrects_and_deletes_records(
    db: Any, tree: Tree, client_for: Callable[..., FlaskClient]
) -> None:
    file = tree.file_of("张伟")
    client = client_for(tree.care_east)
    base = f"/care/files/{file.id}"
    bad = client.post(f"{base}/records", data={"kind": "hardship", "on_date": "2024-05-01"})
    assert bad.status_code == 400 and "请填写金额" in bad.get_data(as_text=True)
    form = {"kind": "hardship", "on_date": "2024-05-01", "amount": "800.5", "notes": NOTES}
    assert client.post(f"{base}/records", data=form).status_code == 302
    (record,) = file.records
    page = client.get(base).get_data(as_text=True)
    assert "800.50 元" in page and NOTES in page
    edit = client.get(f"{base}/records/{record.id}").get_data(as_text=True)
    assert "800.50" in edit and NOTES in edit
    changed = client.post(f"{base}/records/{record.id}", data={**form, "amount": "900"})
    assert changed.status_code == 302 and record.amount_fen == 90000
    asked = client.post(f"{base}/records/{record.id}/delete")
    assert asked.status_code == 200 and "不能恢复" in asked.get_data(as_text=True)
    assert db.session.get(CareRecord, record.id) is not None
    done = client.post(f"{base}/records/{record.id}/delete", data={"confirmed": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(CareRecord, record.id) is None
    # the edit page showed notes: it was a view of the file too
    assert len(entries("care.file.view")) == 3  # the page, the edit page, the refused add


def test_the_export_is_a_confirmed_post_with_the_notes_and_is_audited(
    db: Any, tree: Tree, client_for: Callable[..., FlaskClient]
) -> None:
    file = tree.file_of("张伟")
    _add(tree, RecordData(CareKind.HEALTH_CHECK, date(2024, 5, 1), "市第一人民医院", notes=NOTES))
    _add(tree, RecordData(CareKind.ALLOWANCE, date(2025, 1, 10), amount="1200"))
    db.session.commit()
    client = client_for(tree.care_east)
    url = f"/care/files/{file.id}/records/export"
    assert client.get(url).status_code == 405
    asked = client.post(url)
    assert asked.status_code == 200 and "敏感信息" in asked.get_data(as_text=True)
    assert entries("care.records.export") == []
    response = client.post(url, data={"confirmed": "1"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["日期", "关爱类型", "地点", "金额（元）", "节日", "备注"]
    assert rows[1][1:4] == ["津贴补助", None, 1200] and rows[2][5] == NOTES
    (entry,) = entries("care.records.export")
    assert entry.actor_name == "care-east" and entry.target_id == str(file.id)
    assert NOTES not in (entry.after or "")
