"""到期名单 (issue #14 item 3): health checks and 疗休养 at the interval edges, festival visits,
scope, the exports for others (only their columns, nothing private; audited; POST only) and the
care role's page and home section."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import url_for
from openpyxl import load_workbook
from sqlalchemy import select

from contest.models import (
    AuditEntry,
    CareKind,
    CareRecord,
    Gender,
    HonoreeFile,
    HonorLevel,
    LifeStatus,
    OrgKind,
    Role,
)
from contest.services.care import due
from contest.services.care import settings as care_settings
from contest.services.core import settings as store
from contest.services.honors.records import HonorData, add_honor

Y = 2026
HEALTH, STAY, VISIT = due.DueKind.HEALTH_CHECK, due.DueKind.RECUPERATION, due.DueKind.VISIT


@pytest.fixture
def world(db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> dict[str, Any]:
    """A city union with two districts; an admin and a care user of district A."""
    city = make_org(name="测试市总工会")
    a = make_org(name="甲区总工会", kind=OrgKind.DISTRICT, parent=city)
    b = make_org(name="乙区总工会", kind=OrgKind.DISTRICT, parent=city)
    return {
        "city": city,
        "a": a,
        "b": b,
        "admin": make_user(Role.ADMIN),
        "care": make_user(Role.CARE, organization=a),
    }


@pytest.fixture
def make_file(db: Any, make_person: Callable[..., Any]) -> Callable[..., HonoreeFile]:
    def _make(
        name: str,
        union: Any,
        *,
        status: LifeStatus = LifeStatus.IN_SERVICE,
        care: tuple[tuple[CareKind, date, str | None], ...] = (),
        **person: Any,
    ) -> HonoreeFile:
        file = HonoreeFile(
            person=make_person(name, organization=union, **person),
            care_organization=union,
            status=status,
            current_unit=f"{name}所在厂",
        )
        db.session.add(file)
        for kind, day, festival in care:
            db.session.add(CareRecord(file=file, kind=kind, on_date=day, festival=festival))
        db.session.commit()
        return file

    return _make


def _honor(person: Any, title: str, level: HonorLevel, year: int) -> None:
    add_honor(
        None,
        HonorData(
            person.name,
            title,
            level,
            year,
            person=person,
            conferring_body="某某人民政府",
            document_number=f"某发〔{year}〕1号",
        ),
    )


def _names(user: Any, kind: due.DueKind, year: int = Y, **options: Any) -> set[str]:
    return {row.name for row in due.rows(user, due.DueList(kind, year, **options))}


def test_health_checks_are_due_a_calendar_year_after_the_last(
    world: dict[str, Any], make_file: Callable[..., HonoreeFile]
) -> None:
    a = world["a"]
    make_file("赵年末", a, care=((CareKind.HEALTH_CHECK, date(2025, 12, 31), None),))
    make_file("钱年初", a, care=((CareKind.HEALTH_CHECK, date(2026, 1, 1), None),))
    make_file("孙从无", a)
    # A check after the year asked for does not count for that year.
    make_file(
        "李后来",
        a,
        care=(
            (CareKind.HEALTH_CHECK, date(2025, 6, 1), None),
            (CareKind.HEALTH_CHECK, date(2027, 2, 1), None),
        ),
    )
    # Another kind of care is not a health check.
    make_file("周疗养", a, care=((CareKind.RECUPERATION, date(2026, 5, 1), None),))
    care = world["care"]
    assert _names(care, HEALTH) == {"赵年末", "孙从无", "李后来", "周疗养"}
    last = {row.name: row.last_on for row in due.rows(care, due.DueList(HEALTH, Y))}
    assert last["赵年末"] == date(2025, 12, 31) and last["孙从无"] is None
    assert last["李后来"] == date(2025, 6, 1)
    assert due.counts(care, Y)[HEALTH] == 4


def test_stays_are_due_two_years_after_the_last_by_default(
    world: dict[str, Any], make_file: Callable[..., HonoreeFile]
) -> None:
    a = world["a"]
    make_file("赵二四", a, care=((CareKind.RECUPERATION, date(2024, 12, 31), None),))
    make_file("钱二五", a, care=((CareKind.RECUPERATION, date(2025, 1, 1), None),))
    make_file("孙从无", a)
    assert _names(world["care"], STAY) == {"赵二四", "孙从无"}


def test_intervals_follow_the_settings(
    world: dict[str, Any], make_file: Callable[..., HonoreeFile], db: Any
) -> None:
    a, admin = world["a"], world["admin"]
    make_file("赵二四", a, care=((CareKind.HEALTH_CHECK, date(2024, 12, 31), None),))
    make_file("钱二五", a, care=((CareKind.HEALTH_CHECK, date(2025, 12, 31), None),))
    make_file("孙二三", a, care=((CareKind.RECUPERATION, date(2023, 7, 1), None),))
    make_file("李二四", a, care=((CareKind.RECUPERATION, date(2024, 1, 1), None),))
    store.store(admin, care_settings.HEALTH_CHECK_YEARS, "2")
    store.store(admin, care_settings.RECUPERATION_YEARS, "3")
    db.session.commit()
    assert _names(world["care"], HEALTH) == {"赵二四", "孙二三", "李二四"}
    assert _names(world["care"], STAY) == {"赵二四", "钱二五", "孙二三"}


def test_checks_and_stays_are_for_the_in_service_and_visits_for_the_living(
    world: dict[str, Any], make_file: Callable[..., HonoreeFile]
) -> None:
    a = world["a"]
    make_file("赵在职", a)
    make_file("钱退休", a, status=LifeStatus.RETIRED)
    make_file("孙去世", a, status=LifeStatus.DECEASED)
    care = world["care"]
    assert _names(care, HEALTH) == _names(care, STAY) == {"赵在职"}
    assert _names(care, VISIT, festival="春节") == {"赵在职", "钱退休"}


def test_a_visit_counts_for_its_festival_and_year_only(
    world: dict[str, Any], make_file: Callable[..., HonoreeFile]
) -> None:
    a = world["a"]
    make_file("赵今年", a, care=((CareKind.VISIT, date(2026, 1, 20), "春节"),))
    make_file("钱去年", a, care=((CareKind.VISIT, date(2025, 1, 20), "春节"),))
    care = world["care"]
    assert _names(care, VISIT, festival="春节") == {"钱去年"}
    assert _names(care, VISIT, festival="中秋") == {"赵今年", "钱去年"}
    assert due.counts(care, Y)[VISIT] == 1  # the first festival, 春节, by default


def test_a_row_shows_the_highest_counting_honor_and_the_age(
    world: dict[str, Any], make_file: Callable[..., HonoreeFile], db: Any
) -> None:
    file = make_file("赵模范", world["a"], gender=Gender.FEMALE, birth_date=date(1970, 12, 31))
    for title, level, year in (
        ("市劳动模范", HonorLevel.CITY, 2010),
        ("全国劳动模范", HonorLevel.NATIONAL, 2015),
        ("全国技术能手", HonorLevel.NATIONAL, 2020),  # not a title that counts
        ("区先进工作者", HonorLevel.DISTRICT, 2022),  # below the lowest level
    ):
        _honor(file.person, title, level, year)
    db.session.commit()
    (row,) = due.rows(world["care"], due.DueList(HEALTH, Y))
    assert (row.honor_title, row.honor_level, row.honor_year) == (
        "全国劳动模范",
        HonorLevel.NATIONAL,
        2015,
    )
    assert row.gender is Gender.FEMALE and row.unit == "赵模范所在厂"
    assert row.age == due.age_on(date(1970, 12, 31), due.today())
    assert due.age_on(date(1970, 12, 31), date(2026, 12, 30)) == 55
    assert due.age_on(date(1970, 12, 31), date(2026, 12, 31)) == 56


def test_rows_are_by_caring_union_then_pinyin(
    world: dict[str, Any], make_file: Callable[..., HonoreeFile]
) -> None:
    make_file("张三", world["b"])
    make_file("王五", world["a"])
    make_file("安宁", world["a"])
    make_file("白雪", world["city"])
    names = [row.name for row in due.rows(world["admin"], due.DueList(HEALTH, Y))]
    assert names == ["白雪", "安宁", "王五", "张三"]


def test_the_care_role_sees_its_subtree_only(
    world: dict[str, Any], make_file: Callable[..., HonoreeFile], login_as: Callable[..., Any]
) -> None:
    make_file("甲区人", world["a"])
    make_file("乙区人", world["b"])
    care = world["care"]
    assert _names(care, HEALTH) == {"甲区人"}
    assert _names(world["admin"], HEALTH) == {"甲区人", "乙区人"}
    assert [org.name for org in due.org_choices(care)] == ["甲区总工会"]
    assert due.file_count(care) == 1


def test_the_page_refuses_an_out_of_scope_union_and_a_bad_year(
    world: dict[str, Any],
    make_file: Callable[..., HonoreeFile],
    client_for: Callable[..., Any],
) -> None:
    file = make_file("甲区人", world["a"])
    make_file("乙区人", world["b"])
    client = client_for(world["care"])
    page = client.get(f"/care/due?org={world['b'].id}&year=1850&festival=元宵").get_data(
        as_text=True
    )
    assert "所选工会不在您的服务范围内" in page
    assert "请选择" in page and "年之间的年份" in page
    assert "请从列表中选择节日" in page
    assert "甲区人" in page and "乙区人" not in page
    for bad in ("year=abc", "year=99999999999999999999", "org=x", "tab=nope", "page=-3"):
        assert client.get(f"/care/due?{bad}").status_code == 200, bad
    with client.application.test_request_context():
        assert f'href="{url_for("care.file", file_id=file.id)}"' in page


def test_the_page_is_for_the_care_role_only(
    world: dict[str, Any],
    make_file: Callable[..., HonoreeFile],
    client_for: Callable[..., Any],
    make_user: Callable[..., Any],
) -> None:
    make_file("甲区人", world["a"])
    page = client_for(world["care"]).get("/care/due?tab=visit")
    assert page.status_code == 200 and "甲区人" in page.get_data(as_text=True)
    organizer = make_user(Role.ORGANIZER, organization=world["a"])
    assert client_for(organizer).get("/care/due").status_code == 403
    assert client_for(organizer).post("/care/due/export").status_code == 403


def _export(client: Any, kind: due.DueKind, **extra: Any) -> Any:
    data = {"tab": kind.value, "year": str(due.year_today()), **extra}
    return client.post("/care/due/export", data=data)


PHONE, CONTACT, NOTES = "13912345678", "幸福路8号", "高血压随访"


def test_exports_hold_only_the_receivers_columns(
    world: dict[str, Any],
    make_file: Callable[..., HonoreeFile],
    client_for: Callable[..., Any],
    make_id_number: Callable[..., str],
    db: Any,
) -> None:
    id_number = make_id_number("11010519701231", "001")
    file = make_file(
        "赵模范",
        world["a"],
        gender=Gender.MALE,
        birth_date=date(1970, 12, 31),
        phone=PHONE,
        id_number=id_number,
    )
    file.set_contact(CONTACT)
    record = CareRecord(file=file, kind=CareKind.HEALTH_CHECK, on_date=date(2020, 3, 4))
    record.set_notes(NOTES)
    db.session.add(record)
    _honor(file.person, "全国劳动模范", HonorLevel.NATIONAL, 2015)
    db.session.commit()
    client = client_for(world["care"])
    expected = {
        HEALTH: ["序号", "姓名", "性别", "年龄", "单位", "上次体检日期"],
        STAY: ["序号", "姓名", "性别", "单位", "荣誉称号", "上次疗休养年份"],
        VISIT: ["序号", "姓名", "单位", "联系单位"],
    }
    for kind, headers in expected.items():
        response = _export(client, kind, festival="中秋")
        assert response.status_code == 200, kind
        assert response.mimetype.endswith("spreadsheetml.sheet")
        data = response.get_data()
        sheet = load_workbook(io.BytesIO(data), read_only=True).active
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert table[0] == headers and len(table) == 2
        assert table[1][:2] == [1, "赵模范"]
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            text = "".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
        for secret in (PHONE, id_number, CONTACT, NOTES, "1970-12-31", "1970"):
            assert secret not in text, (kind, secret)
    assert table[1] == [1, "赵模范", "赵模范所在厂", "甲区总工会"]
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "care.due.export").order_by(AuditEntry.id)
    ).all()
    assert [json.loads(e.after)["kind"] for e in entries] == ["health", "recuperation", "visit"]
    assert all(json.loads(e.after)["rows"] == 1 for e in entries)
    assert all("赵模范" not in (e.after or "") for e in entries)
    assert json.loads(entries[-1].after)["festival"] == "中秋"


def test_an_export_is_a_post_and_refuses_bad_input(
    world: dict[str, Any], client_for: Callable[..., Any], db: Any
) -> None:
    client = client_for(world["care"])
    assert client.get("/care/due/export").status_code == 405
    refused = _export(client, HEALTH, year="1850")
    assert refused.status_code == 302
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "care.due.export")) is None
    )


def test_the_home_section_counts_the_lists(
    world: dict[str, Any], make_file: Callable[..., HonoreeFile], client_for: Callable[..., Any]
) -> None:
    make_file("赵在职", world["a"])
    make_file("钱退休", world["a"], status=LifeStatus.RETIRED)
    make_file("乙区人", world["b"])
    page = client_for(world["care"]).get("/home")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "今年应安排健康体检" in text and "春节尚未走访慰问" in text
    assert "/care/due?tab=visit" in text
    section = text.split("care-home")[1]
    values = [part.split("</span>")[0] for part in section.split('figure-value">')[1:5]]
    assert values == ["2", "1", "1", "2"]
