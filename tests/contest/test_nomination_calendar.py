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


def test_the_year_view_marks_holidays_makeup_days_and_their_source(db: Any, admin: Any) -> None:
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


# ---------------------------------------------------------------- the admin page


def _rows(db: Any) -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(CalendarDay)) or 0)


def _notice(**extra: str) -> dict[str, str]:
    return {
        "holidays": HOLIDAYS_2031,
        "makeup": MAKEUP_2031,
        "note": "国办发明电〔2030〕9号",
    } | extra


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/calendar"),
        ("get", "/admin/calendar?year=2031"),
        ("post", "/admin/calendar/days"),
        ("post", "/admin/calendar/days/2026-10-08/delete"),
        ("post", "/admin/calendar/2031/notice"),
        ("post", "/admin/calendar/2031/clear"),
    ],
)
def test_only_an_administrator_reaches_the_calendar(
    db: Any,
    client: FlaskClient,
    login_as: Callable[..., Any],
    client_for: Callable[[Any], FlaskClient],
    make_user: Callable[..., Any],
    method: str,
    url: str,
) -> None:
    data = {"day": "2026-10-08", "works": "0", "note": "x"} | _notice(confirmed="1")
    anonymous = getattr(client, method)(url, data=data)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for role in ("organizer", "recommender", "reviewer", "judge"):
        response = getattr(client_for(make_user(role)), method)(url, data=data)
        assert response.status_code == 403, role
    assert _rows(db) == 0 and not _actions(db)


def test_the_page_shows_holidays_and_makeup_days_marked_by_source(
    db: Any, admin: Any, client_for: Callable[[Any], FlaskClient]
) -> None:
    calendar.set_day(admin, D("2026-10-12"), False, "本市调休")
    db.session.commit()
    page = client_for(admin).get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "chinesecalendar" in page and "另有 1 天手工修改" in page
    special = page.split('id="special-days"', 1)[1].split('id="day-form"', 1)[0]
    # a holiday reads as one stretch, 补班 days one by one
    national = special.split("2026-10-01 至 2026-10-07", 1)[1].split("</tr>", 1)[0]
    assert "国庆节" in national and "7 天" in national and "软件包" in national
    assert "2026-02-15 至 2026-02-23" in special
    assert "2026-10-10 周六" in special and "补班" in special
    assert "2026-02-14 周六" in special and "2026-02-28 周六" in special
    row = special.split("2026-10-12 周一", 1)[1].split("</tr>", 1)[0]
    assert "本市调休" in row and "手工修改" in row and "软件包为：上班" in row
    assert "/admin/calendar/days/2026-10-12/delete" in row
    assert "2026-03-07" not in special  # an ordinary Saturday is not listed
    assert 'class="cal-makeup' in page and 'class="cal-holiday' in page
    assert 'id="notice-form"' not in page  # the package has 2026
    # the menu's 系统管理 has the entry
    assert 'href="/admin/calendar"' in page


def test_a_year_without_data_says_so_and_offers_the_notice_form(
    db: Any, admin: Any, client_for: Callable[[Any], FlaskClient]
) -> None:
    page = client_for(admin).get(f"/admin/calendar?year={MISSING}").get_data(as_text=True)
    assert "不会按周一至周五推算" in page
    assert 'id="notice-form"' in page and "按国务院通知录入节假日和补班" in page
    assert 'class="cal-unknown' in page and 'class="cal-workday' not in page


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "２０２６"])
def test_an_unreadable_year_shows_this_year_with_a_word_why(
    db: Any, admin: Any, client_for: Callable[[Any], FlaskClient], year: str
) -> None:
    response = client_for(admin).get("/admin/calendar", query_string={"year": year})
    assert response.status_code == 200
    assert "年份应在 2000 至 2100 之间" in response.get_data(as_text=True)


def test_a_day_link_fills_the_override_form(
    db: Any, admin: Any, client_for: Callable[[Any], FlaskClient]
) -> None:
    page = client_for(admin).get("/admin/calendar?year=2026&day=2026-10-08").get_data(as_text=True)
    form = page.split('id="day-form"', 1)[1]
    assert 'value="2026-10-08"' in form
    assert '<option selected value="0">' in form  # a working day: the override makes it off


def test_the_override_form_saves_and_audits(
    db: Any, admin: Any, client_for: Callable[[Any], FlaskClient]
) -> None:
    browser = client_for(admin)
    response = browser.post(
        "/admin/calendar/days", data={"day": "2026-10-08", "works": "0", "note": "本市调休"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/calendar?year=2026#special-days")
    assert add_workdays(D("2026-09-28"), 5) == D("2026-10-10")
    [entry] = _actions(db)
    assert (entry.action, entry.actor_id) == ("calendar.day.set", admin.id)
    audit_page = browser.get("/admin/audit").get_data(as_text=True)
    assert "修改了工作日历的日期" in audit_page
    removed = browser.post("/admin/calendar/days/2026-10-08/delete")
    assert removed.status_code == 302
    assert _rows(db) == 0
    assert [e.action for e in _actions(db)] == ["calendar.day.set", "calendar.day.delete"]
    assert "撤销了工作日历对日期" in browser.get("/admin/audit").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "2026-13-01", "works": "0", "note": "x"}, "不是有效的日期值"),
        ({"day": "", "works": "0", "note": "x"}, "请填写日期"),
        ({"day": "2026-10-08", "works": "0", "note": "  "}, "请填写说明"),
        ({"day": "2026-10-08", "works": "maybe", "note": "x"}, "不是有效的选择"),
        ({"day": "2026-10-08", "works": "0", "note": "字" * 201}, "200"),
        ({"day": "1999-10-08", "works": "0", "note": "x"}, "日期应在 2000 年至 2100 年之间"),
    ],
)
def test_a_refused_override_answers_in_chinese_and_changes_nothing(
    db: Any,
    admin: Any,
    client_for: Callable[[Any], FlaskClient],
    data: dict[str, str],
    message: str,
) -> None:
    response = client_for(admin).post("/admin/calendar/days", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _rows(db) == 0 and not _actions(db)


def test_deleting_an_unknown_or_malformed_day(
    db: Any, admin: Any, client_for: Callable[[Any], FlaskClient]
) -> None:
    browser = client_for(admin)
    assert browser.post("/admin/calendar/days/2026-99-01/delete").status_code == 404
    response = browser.post("/admin/calendar/days/2026-10-08/delete", follow_redirects=True)
    assert "没有手工修改" in response.get_data(as_text=True)
    assert not _actions(db)


def test_the_notice_form_enters_a_missing_year(
    db: Any, admin: Any, client_for: Callable[[Any], FlaskClient]
) -> None:
    browser = client_for(admin)
    response = browser.post(f"/admin/calendar/{MISSING}/notice", data=_notice())
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "已录入 2031 年：放假 8 天，补班 2 天，共 365 天。" in page
    assert "该年已由管理员按国务院通知整年录入" in page
    assert "2031-01-19 周日" in page and "管理员录入" in page
    assert add_workdays(D("2031-01-20"), 5) == D("2031-01-31")
    assert [e.action for e in _actions(db)] == ["calendar.year.enter"]
    assert "按国务院通知录入了年度" in browser.get("/admin/audit").get_data(as_text=True)


@pytest.mark.parametrize(
    ("year", "data", "message"),
    [
        (MISSING, _notice(makeup="1月20日"), "不是周六或周日"),
        (MISSING, _notice(holidays=""), "请至少填写一段放假日期"),
        (MISSING, _notice(note=""), "请填写说明"),
        (MISSING, _notice(holidays="x" * 5001), "5000"),
        (2026, _notice(holidays="10月1日至7日", makeup=""), "请逐日修改"),
    ],
)
def test_a_refused_notice_shows_its_reasons_and_writes_nothing(
    db: Any,
    admin: Any,
    client_for: Callable[[Any], FlaskClient],
    year: int,
    data: dict[str, str],
    message: str,
) -> None:
    response = client_for(admin).post(f"/admin/calendar/{year}/notice", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _rows(db) == 0 and not _actions(db)


def test_a_notice_for_a_year_out_of_range_is_not_found(
    db: Any, admin: Any, client_for: Callable[[Any], FlaskClient]
) -> None:
    assert client_for(admin).post("/admin/calendar/1999/notice", data=_notice()).status_code == 404
    assert client_for(admin).post("/admin/calendar/2101/clear").status_code == 404


def test_replacing_or_clearing_an_entered_year_asks_first(
    db: Any, admin: Any, client_for: Callable[[Any], FlaskClient]
) -> None:
    _enter_2031(db, admin)
    browser = client_for(admin)
    page = browser.get(f"/admin/calendar?year={MISSING}").get_data(as_text=True)
    assert "data-confirm=" in page and "重新录入 2031 年？" in page
    asked = browser.post(f"/admin/calendar/{MISSING}/notice", data=_notice(makeup=""))
    assert asked.status_code == 200 and 'name="confirmed" value="1"' in asked.get_data(as_text=True)
    assert is_workday(D("2031-01-19"))  # unchanged until confirmed
    done = browser.post(f"/admin/calendar/{MISSING}/notice", data=_notice(makeup="", confirmed="1"))
    assert done.status_code == 302
    assert not is_workday(D("2031-01-19"))  # the new notice has no 补班 on that Sunday
    asked = browser.post(f"/admin/calendar/{MISSING}/clear")
    assert "将删除该年 365 天的录入" in asked.get_data(as_text=True)
    assert calendar.year_status(MISSING).entered
    cleared = browser.post(f"/admin/calendar/{MISSING}/clear", data={"confirmed": "1"})
    assert cleared.status_code == 302
    assert _rows(db) == 0
    assert [e.action for e in _actions(db, "calendar.year")] == [
        "calendar.year.enter",
        "calendar.year.enter",
        "calendar.year.clear",
    ]


@pytest.mark.parametrize("year", ["2026", str(MISSING)])
def test_the_page_reads_in_english_too(
    db: Any, admin: Any, client_for: Callable[[Any], FlaskClient], year: str
) -> None:
    response = client_for(admin).get("/admin/calendar", query_string={"year": year, "lang": "en"})
    assert response.status_code == 200
