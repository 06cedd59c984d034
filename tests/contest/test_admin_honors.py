"""荣誉管理 in the admin area: list, revoke with a reason, roster upload, template, export."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from contest.models import AuditEntry, Honor, HonorStatus
from contest.services.honors import roster
from contest.services.honors.wall import WallQuery, search
from tests.contest.templates_support import check_template
from tests.contest.test_roster import csv_bytes, row

ROUTES = [
    ("get", "/admin/honors"),
    ("get", "/admin/honors/import"),
    ("post", "/admin/honors/import"),
    ("get", "/admin/honors/jobs/x"),
    ("get", "/admin/honors/template.xlsx"),
    ("post", "/admin/honors/export"),
    ("get", "/admin/honors/1/revoke"),
    ("post", "/admin/honors/1/revoke"),
]


def honor_count(db: Any) -> int:
    return db.session.scalar(select(func.count(Honor.id))) or 0


def upload(client: Any, data: bytes, filename: str) -> Any:
    """The upload and, for a file that was read, the page of its import job."""
    return client.post(
        "/admin/honors/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


@pytest.mark.parametrize("role", ["organizer", "judge", "recommender", "reviewer"])
@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_non_admins_get_403(
    login_as: Callable[..., Any], client: Any, role: str, method: str, url: str
) -> None:
    login_as(role)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_anonymous_is_sent_to_login(client: Any, method: str, url: str) -> None:
    response = getattr(client, method)(url)
    assert response.status_code in (302, 401)


def test_admin_nav_has_honor_management(login_as: Callable[..., Any], client: Any) -> None:
    login_as("admin")
    assert "荣誉管理" in client.get("/admin/honors").get_data(as_text=True)


def test_upload_imports_and_reports_counts(
    login_as: Callable[..., Any], client: Any, db: Any
) -> None:
    login_as("admin")
    response = upload(client, csv_bytes([row(), row("李明", 级别="省级")]), "名录.csv")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "导入完成" in page and 'id="import-result"' in page
    db.session.rollback()
    assert honor_count(db) == 2
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "honors.import")).one()
    assert entry.actor_name.startswith("admin")


def test_upload_refusal_shows_the_error_table_and_writes_nothing(
    login_as: Callable[..., Any], client: Any, db: Any, make_id_number: Callable[..., str]
) -> None:
    login_as("admin")
    number = make_id_number("11010519800101", "123")
    bad = number[:-1] + ("0" if number[-1] != "0" else "1")
    data = csv_bytes([row(), row("李明", 级别="特级"), row("赵强", 身份证号=bad)])
    page = upload(client, data, "名录.csv").get_data(as_text=True)
    assert 'id="import-errors"' in page
    assert "级别应为" in page and "校验位" in page
    assert '<td class="num">3</td>' in page and '<td class="num">4</td>' in page
    assert bad not in page
    db.session.rollback()
    assert honor_count(db) == 0


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"MZ\x90\x00\x03 an executable", "名录.xlsx", "不是 .xlsx"),
        (b"PK\x03\x04 a zip pretending to be text", "名录.csv", "不是 CSV"),
        (b"<html></html>", "名录.xls", ".xlsx 或 .csv"),
        (b"PK\x03\x04broken zip", "名录.xlsx", "无法读取"),
    ],
)
def test_upload_checks_content_not_just_the_name(
    login_as: Callable[..., Any], client: Any, db: Any, data: bytes, filename: str, message: str
) -> None:
    login_as("admin")
    page = upload(client, data, filename).get_data(as_text=True)
    assert message in page
    db.session.rollback()
    assert honor_count(db) == 0


def test_upload_without_a_file_asks_for_one(login_as: Callable[..., Any], client: Any) -> None:
    login_as("admin")
    response = client.post("/admin/honors/import", data={}, content_type="multipart/form-data")
    assert "请选择要导入的文件" in response.get_data(as_text=True)


def test_template_download(login_as: Callable[..., Any], client: Any) -> None:
    login_as("admin")
    response = client.get("/admin/honors/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    header = check_template(response.data)
    assert {"姓名", "荣誉称号", "级别", "年份", "身份证号"} <= set(header)


def test_export_download_leaves_out_personal_numbers_by_default(
    login_as: Callable[..., Any], client: Any, db: Any, make_id_number: Callable[..., str]
) -> None:
    number = make_id_number("11010519800101", "123")
    roster.import_roster(None, csv_bytes([row("李明", 身份证号=number)]), "r.csv")
    db.session.commit()
    login_as("admin")
    plain = client.post("/admin/honors/export", data={"format": "csv"})
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "no-store"
    assert "李明" in plain.data.decode("utf-8-sig")
    assert number not in plain.data.decode("utf-8-sig")
    private = client.post("/admin/honors/export", data={"format": "xlsx", "include_private": "y"})
    sheet = load_workbook(io.BytesIO(private.data)).active
    assert number in [c.value for r in sheet.iter_rows() for c in r]
    db.session.rollback()
    exports = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "honors.export")
    ).all()
    assert len(exports) == 2


def test_list_searches_and_shows_status(login_as: Callable[..., Any], client: Any, db: Any) -> None:
    roster.import_roster(None, csv_bytes([row("王秀英"), row("李明")]), "r.csv")
    db.session.commit()
    login_as("admin")
    page = client.get("/admin/honors?q=秀").get_data(as_text=True)
    assert "王秀英" in page and "李明" not in page
    assert "王秀英" not in client.get("/admin/honors?q=%25").get_data(as_text=True)


def test_revoke_requires_a_reason(login_as: Callable[..., Any], client: Any, db: Any) -> None:
    roster.import_roster(None, csv_bytes([row()]), "r.csv")
    db.session.commit()
    honor_id = db.session.scalar(select(Honor.id))
    login_as("admin")
    response = client.post(f"/admin/honors/{honor_id}/revoke", data={"reason": "  "})
    assert response.status_code == 200
    assert "撤销荣誉必须填写原因" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Honor, honor_id).status is HonorStatus.VALID


def test_revoke_with_reason_hides_the_honor(
    app: Any, login_as: Callable[..., Any], client: Any, db: Any
) -> None:
    roster.import_roster(None, csv_bytes([row("王秀英")]), "r.csv")
    db.session.commit()
    honor_id = db.session.scalar(select(Honor.id))
    with app.test_request_context():
        assert search(WallQuery(q="王秀英")).total == 1
    login_as("admin")
    response = client.post(f"/admin/honors/{honor_id}/revoke", data={"reason": "事迹严重失实"})
    assert response.status_code == 302
    db.session.rollback()
    honor = db.session.get(Honor, honor_id)
    assert honor.status is HonorStatus.REVOKED and honor.revoked_reason == "事迹严重失实"
    with app.test_request_context():
        assert search(WallQuery(q="王秀英")).total == 0
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "honor.revoke")).one()
    assert entry.reason == "事迹严重失实"
    assert "已撤销" in client.get("/admin/honors").get_data(as_text=True)
