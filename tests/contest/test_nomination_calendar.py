"""The working-day calendar of 公示 periods (issue 13 item 8, DOMAIN 24a): the statutory
holidays and 补班 days from chinesecalendar, the admin's overrides winning, a year without data
refused (never Monday–Friday) unless an admin entered its notice; the CLI and the admin page."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from contest.models import AuditEntry, CalendarDay
from contest.services.nominations import calendar
from contest.services.nominations.calendar import (
    CalendarError,
    CalendarMissing,
    add_workdays,
    is_workday,
    workdays_between,
)

D = date.fromisoformat
MISSING = 2031  # a year chinesecalendar 1.x has no data for

# The 2031 notice as an admin would type or paste it (invented for the test, real weekdays).
HOLIDAYS_2031 = "一、元旦：1月1日（周三）放假1天。\n二、春节：1月22日至28日放假调休，共7天。"
MAKEUP_2031 = "1月19日（周日）、2月8日（周六）上班。"


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> Any:
    return make_user("admin")


def _actions(db: Any, prefix: str = "calendar.") -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


def _enter_2031(db: Any, admin: Any) -> None:
    notice = calendar.parse_notice(MISSING, HOLIDAYS_2031, MAKEUP_2031)
    assert not notice.errors, notice.errors
    calendar.enter_year(admin, notice, "国办发明电〔2030〕9号")
    db.session.commit()


# ---------------------------------------------------------------- counting on the package


def test_the_domain_example_crosses_national_day(db: Any) -> None:
    # 09-28, 09-29, 09-30, (10-01 … 10-07 国庆), 10-08, 10-09
    assert add_workdays(D("2026-09-28"), 5) == D("2026-10-09")
    assert workdays_between(D("2026-09-28"), D("2026-10-09")) == 5


def test_the_spring_festival_2026_with_its_makeup_saturdays(db: Any) -> None:
    # The package's 2026 schedule: off 02-15 … 02-23, 补班 Saturday 02-14 and Saturday 02-28.
    assert is_workday(D("2026-02-14")) and is_workday(D("2026-02-28"))
    assert not any(is_workday(D(f"2026-02-{d}")) for d in range(15, 24))
    # 02-12, 02-13, 02-14 (补班), then 02-24, 02-25
    assert add_workdays(D("2026-02-12"), 5) == D("2026-02-25")
    # a 补班 Saturday can be the last day of a period
    assert add_workdays(D("2026-02-26"), 3) == D("2026-02-28")
    assert workdays_between(D("2026-02-14"), D("2026-02-28")) == 6


def test_a_start_on_a_holiday_or_weekend_counts_from_the_next_working_day(db: Any) -> None:
    assert add_workdays(D("2026-10-01"), 1) == D("2026-10-08")
    assert add_workdays(D("2026-10-03"), 3) == D("2026-10-10")  # Saturday 10-10 is 补班
    assert add_workdays(D("2026-09-19"), 1) == D("2026-09-20")  # Sunday 09-20 is 补班
    assert add_workdays(D("2026-03-07"), 1) == D("2026-03-09")  # an ordinary weekend


def test_one_day_on_a_working_day_is_that_day(db: Any) -> None:
    assert add_workdays(D("2026-09-28"), 1) == D("2026-09-28")
    assert workdays_between(D("2026-09-28"), D("2026-09-28")) == 1
    assert workdays_between(D("2026-10-09"), D("2026-09-28")) == 0


@pytest.mark.parametrize("n", [0, -1, calendar.MAX_WORKDAYS + 1])
def test_a_count_out_of_range_is_refused(db: Any, n: int) -> None:
    with pytest.raises(ValueError, match="工作日天数"):
        add_workdays(D("2026-09-28"), n)


# ---------------------------------------------------------------- overrides


def test_an_override_wins_over_the_package(db: Any, admin: Any) -> None:
    calendar.set_day(admin, D("2026-10-08"), False, "本市调休")
    db.session.commit()
    # 10-08 is off now: 09-28, 09-29, 09-30, 10-09, 10-10 (补班)
    assert add_workdays(D("2026-09-28"), 5) == D("2026-10-10")
    calendar.set_day(admin, D("2026-10-07"), True, "本市调休：7 日上班")
    db.session.commit()
    assert add_workdays(D("2026-09-28"), 5) == D("2026-10-09")
    assert add_workdays(D("2026-09-28"), 4) == D("2026-10-07")
    calendar.delete_day(admin, D("2026-10-08"))
    calendar.delete_day(admin, D("2026-10-07"))
    db.session.commit()
    assert add_workdays(D("2026-09-28"), 5) == D("2026-10-09")


def test_overrides_are_audited_with_their_note(db: Any, admin: Any) -> None:
    calendar.set_day(admin, D("2026-10-08"), False, "  本市 调休 ")
    calendar.set_day(admin, D("2026-10-08"), True, "撤回调休")
    calendar.delete_day(admin, D("2026-10-08"))
    db.session.commit()
    entries = _actions(db)
    assert [e.action for e in entries] == ["calendar.day.set"] * 2 + ["calendar.day.delete"]
    assert {e.target_type for e in entries} == {"calendar_day"}
    assert {e.target_id for e in entries} == {"2026-10-08"}
    first, second, gone = (json.loads(e.after) if e.after else None for e in entries)
    assert first == {"day": "2026-10-08", "is_workday": False, "note": "本市 调休"}
    assert json.loads(entries[1].before) == first and second["is_workday"] is True
    assert gone is None and json.loads(entries[2].before)["note"] == "撤回调休"
    assert {e.actor_id for e in entries} == {admin.id}


@pytest.mark.parametrize(
    ("day", "note", "field"),
    [("2026-10-08", "", "note"), ("2026-10-08", "字" * 201, "note"), ("1999-12-31", "x", "day")],
)
def test_a_refused_override_changes_nothing(
    db: Any, admin: Any, day: str, note: str, field: str
) -> None:
    with pytest.raises(CalendarError) as refused:
        calendar.set_day(admin, D(day), False, note)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CalendarDay)) == 0
    assert not _actions(db)


def test_deleting_a_day_that_has_no_override_is_refused(db: Any, admin: Any) -> None:
    with pytest.raises(CalendarError, match="没有手工修改"):
        calendar.delete_day(admin, D("2026-10-08"))


# ---------------------------------------------------------------- a year without data


def test_a_year_without_data_is_refused_never_guessed(db: Any) -> None:
    assert not calendar.package_has(MISSING)
    with pytest.raises(CalendarMissing) as missing:
        is_workday(D("2031-03-03"))  # a Monday: Monday–Friday would have said yes
    assert missing.value.year == MISSING
    assert "2031 年没有法定节假日数据" in str(missing.value)
    assert isinstance(missing.value, ValueError)
    # a period running into the next year stops there: 12-28 … 12-31 are four days
    with pytest.raises(CalendarMissing) as next_year:
        add_workdays(D("2026-12-28"), 5)
    assert next_year.value.year == 2027
    assert add_workdays(D("2026-12-28"), 4) == D("2026-12-31")
    with pytest.raises(CalendarMissing):
        workdays_between(D("2026-12-28"), D("2027-01-04"))
    with pytest.raises(CalendarMissing):
        add_workdays(D("2003-12-30"), 1)  # the package starts in 2004


def test_single_overrides_do_not_make_a_year_known(db: Any, admin: Any) -> None:
    calendar.set_day(admin, D("2031-01-02"), True, "试填")
    db.session.commit()
    with pytest.raises(CalendarMissing):
        is_workday(D("2031-01-02"))
    assert not calendar.year_status(MISSING).has_data


def test_an_entered_notice_covers_a_year_the_package_lacks(db: Any, admin: Any) -> None:
    _enter_2031(db, admin)
    status = calendar.year_status(MISSING)
    assert (status.entered, status.has_data, status.overrides) == (True, True, 365)
    assert not is_workday(D("2031-01-01"))
    assert is_workday(D("2031-01-19"))  # 补班 Sunday
    assert is_workday(D("2031-02-08"))  # 补班 Saturday
    assert not is_workday(D("2031-01-25"))  # a Saturday inside 春节
    assert not is_workday(D("2031-03-01"))  # an ordinary Saturday
    # 01-20, 01-21, (春节 01-22 … 01-28), 01-29, 01-30, 01-31
    assert add_workdays(D("2031-01-20"), 5) == D("2031-01-31")
    assert add_workdays(D("2031-01-18"), 1) == D("2031-01-19")
    with pytest.raises(CalendarMissing) as missing:  # 2030 is still unknown
        add_workdays(D("2030-12-30"), 3)
    assert missing.value.year == 2030
    [entry] = _actions(db)
    assert (entry.action, entry.target_type, entry.target_id) == (
        "calendar.year.enter",
        "calendar_year",
        "2031",
    )
    after = json.loads(entry.after)
    assert after["holidays"] == ["元旦：2031-01-01", "春节：2031-01-22～2031-01-28"]
    assert after["makeup_days"] == ["2031-01-19", "2031-02-08"]
    assert after["note"] == "国办发明电〔2030〕9号"


def test_an_entered_year_is_changed_day_by_day_or_cleared_whole(db: Any, admin: Any) -> None:
    _enter_2031(db, admin)
    calendar.set_day(admin, D("2031-01-29"), False, "春节延长一天")
    db.session.commit()
    assert add_workdays(D("2031-01-20"), 5) == D("2031-02-03")
    with pytest.raises(CalendarError, match="整年"):
        calendar.delete_day(admin, D("2031-01-29"))
    db.session.rollback()
    # entering again replaces the year (one row a day, no duplicate)
    _enter_2031(db, admin)
    assert add_workdays(D("2031-01-20"), 5) == D("2031-01-31")
    assert calendar.year_status(MISSING).overrides == 365
    assert calendar.clear_year(admin, MISSING) == 365
    db.session.commit()
    assert calendar.year_status(MISSING).overrides == 0
    with pytest.raises(CalendarMissing):
        is_workday(D("2031-01-20"))
    assert [e.action for e in _actions(db, "calendar.year")] == [
        "calendar.year.enter",
        "calendar.year.enter",
        "calendar.year.clear",
    ]
    with pytest.raises(CalendarError, match="没有手工修改"):
        calendar.clear_year(admin, MISSING)


def test_a_year_the_package_has_is_not_entered_in_bulk(db: Any, admin: Any) -> None:
    notice = calendar.parse_notice(2026, "10月1日至7日", "")
    with pytest.raises(CalendarError, match="逐日修改"):
        calendar.enter_year(admin, notice, "x")
    assert not _actions(db)


def test_the_notice_reads_iso_dates_ranges_and_the_state_council_wording() -> None:
    notice = calendar.parse_notice(
        2031,
        "2031-05-01 至 2031-05-05\n国庆节：10月1日（周三）至7日（周二）放假调休，共7天；2031/6/2",
        "9月28日（周日）、10月11日（周六）上班",
    )
    assert not notice.errors
    assert notice.holidays == (
        (D("2031-05-01"), D("2031-05-05"), None),
        (D("2031-10-01"), D("2031-10-07"), "国庆节"),
        (D("2031-06-02"), D("2031-06-02"), None),
    )
    assert [day for day, _label in notice.makeup_days] == [D("2031-09-28"), D("2031-10-11")]


@pytest.mark.parametrize(
    ("holidays", "makeup", "message"),
    [
        ("", "", "至少填写一段放假日期"),
        ("元旦", "", "看不出"),
        ("2月30日", "", "不是有效的日期"),
        ("2030-12-31", "", "不在 2031 年内"),
        ("1月28日至1月22日", "", "结束日期早于开始日期"),
        ("1月1日", "1月20日", "不是周六或周日"),
        ("1月25日至26日", "1月25日", "既是放假日期又是补班日期"),
        ("1月1日放假，1月19日上班", "", "补班日期一栏"),
    ],
)
def test_a_notice_that_cannot_be_read_is_refused_with_its_reason(
    db: Any, admin: Any, holidays: str, makeup: str, message: str
) -> None:
    notice = calendar.parse_notice(MISSING, holidays, makeup)
    assert any(message in error for error in notice.errors), notice.errors
    with pytest.raises(CalendarError):
        calendar.enter_year(admin, notice, "x")
    db.session.rollback()
    assert calendar.year_status(MISSING).overrides == 0


def test_the_year_view_marks_holidays_makeup_days_and_their_source(
    db: Any, admin: Any
) -> None:
    calendar.set_day(admin, D("2026-10-12"), False, "本市调休")
    db.session.commit()
    status, days = calendar.year_days(2026)
    assert status.packaged and status.overrides == 1 and len(days) == 365
    by_day = {v.day: v for v in days}
    national = by_day[D("2026-10-01")]
    assert (national.kind, national.name, national.overridden) == (
        calendar.DayKind.HOLIDAY,
        "国庆节",
        False,
    )
    assert by_day[D("2026-10-03")].kind is calendar.DayKind.HOLIDAY  # a Saturday within 国庆
    makeup = by_day[D("2026-10-10")]
    assert (makeup.kind, makeup.name) == (calendar.DayKind.MAKEUP, "国庆节")
    ours = by_day[D("2026-10-12")]
    assert (ours.kind, ours.overridden, ours.package_works, ours.name) == (
        calendar.DayKind.HOLIDAY,
        True,
        True,
        "本市调休",
    )
    assert by_day[D("2026-03-07")].kind is calendar.DayKind.REST
    assert not by_day[D("2026-03-07")].special and ours.special and makeup.special
    missing, unknown = calendar.year_days(MISSING)
    assert not missing.has_data and all(v.works is None for v in unknown)


# ---------------------------------------------------------------- the command line


def test_cli_add_workdays_prints_the_iso_date(db: Any, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["calendar", "add-workdays", "2026-09-28", "5"])
    assert (result.exit_code, result.output) == (0, "2026-10-09\n")
    result = runner.invoke(args=["calendar", "add-workdays", "2026-02-12", "5"])
    assert (result.exit_code, result.output) == (0, "2026-02-25\n")


def test_cli_add_workdays_refuses_a_year_without_data(db: Any, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["calendar", "add-workdays", "2026-12-28", "5"])
    assert result.exit_code == 1
    assert "2027 年没有法定节假日数据" in result.output
    assert "no calendar data for 2027" in result.output
    assert "Traceback" not in result.output


def test_cli_add_workdays_follows_an_entered_year(
    db: Any, admin: Any, runner: FlaskCliRunner
) -> None:
    _enter_2031(db, admin)
    result = runner.invoke(args=["calendar", "add-workdays", "2031-01-20", "5"])
    assert (result.exit_code, result.output) == (0, "2031-01-31\n")


@pytest.mark.parametrize(
    "args",
    [
        ["2026-13-01", "5"],
        ["28/09/2026", "5"],
        ["2026-09-28", "0"],
        ["2026-09-28", "five"],
        ["2026-09-28", "1001"],
        ["2026-09-28"],
    ],
)
def test_cli_add_workdays_bad_input_exits_2_with_the_usage(
    db: Any, runner: FlaskCliRunner, args: list[str]
) -> None:
    result = runner.invoke(args=["calendar", "add-workdays", *args])
    assert result.exit_code == 2
    assert "Usage: " in result.output and "YYYY-MM-DD N" in result.output
    assert "Traceback" not in result.output


def test_cli_check_says_where_a_year_comes_from(
    db: Any, admin: Any, runner: FlaskCliRunner
) -> None:
    packaged = runner.invoke(args=["calendar", "check", "2026"])
    assert packaged.exit_code == 0
    assert "2026：有数据（has data）" in packaged.output and "chinesecalendar" in packaged.output
    missing = runner.invoke(args=["calendar", "check", str(MISSING)])
    assert missing.exit_code == 1 and "no calendar data for 2031" in missing.output
    _enter_2031(db, admin)
    entered = runner.invoke(args=["calendar", "check", str(MISSING)])
    assert entered.exit_code == 0 and "由管理员按国务院通知录入" in entered.output
    assert runner.invoke(args=["calendar", "check", "soon"]).exit_code == 2
