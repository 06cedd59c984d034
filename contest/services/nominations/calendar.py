"""The Chinese statutory working-day calendar that 公示 periods are counted on (DOMAIN 24a).

A 公示 of N working days starts on its first day (day 1 when that is a working day) and ends on
the N-th working day: weekends and statutory holidays do not count, 补班 Saturdays and Sundays
do. The days come from the maintained ``chinesecalendar`` package (the State Council publishes
each year's schedule around November; the package follows), corrected by the admin's override
table :class:`~contest.models.CalendarDay`, which always wins.

A year the package has no data for is **refused** (:class:`CalendarMissing`), never guessed as
Monday–Friday: a 公示 ended a day early is a procedural defect of the whole campaign. Such a year
becomes usable in one way only: an administrator enters the State Council's notice for it
(:func:`enter_year`, the bulk form 按国务院通知录入节假日和补班), which writes an override for
*every* day of the year — holidays and 补班 days as the notice says, the other days by the week.
The rule is therefore simple to state and to check: a year without package data has data when
each of its days has an override, and not otherwise. A single override in such a year changes
that day but cannot make the year usable, and deleting one day of it is refused (it would leave
the year half-known); :func:`clear_year` removes a wrongly entered year as a whole.

The package signals a year it lacks by raising ``NotImplementedError`` ("no available data for
year …") from ``is_workday``; :func:`package_has` turns that into a yes or no.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import chinese_calendar
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from contest.extensions import db
from contest.models import CalendarDay, User
from contest.services.core import audit

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_WORKDAYS",
    "NOTE_MAX",
    "CalendarError",
    "CalendarMissing",
    "DayKind",
    "DayView",
    "Notice",
    "YearStatus",
    "add_workdays",
    "clear_year",
    "delete_day",
    "enter_year",
    "is_workday",
    "package_has",
    "package_version",
    "parse_notice",
    "set_day",
    "workdays_between",
    "year_days",
    "year_status",
]

# Years an administrator may enter or correct: the platform's own era, and a bound that keeps
# every walk over the calendar finite (it stops at the first year without data).
FIRST_YEAR = 2000
LAST_YEAR = 2100
# The longest period anyone counts (公示, 单位公示, 补充材料) is weeks; a bound keeps a typo short.
MAX_WORKDAYS = 1000
NOTE_MAX = 200  # CalendarDay.note

# The package's holiday names (its English values) as people read them.
HOLIDAY_NAMES = {
    "New Year's Day": _l("元旦"),
    "Spring Festival": _l("春节"),
    "Tomb-sweeping Day": _l("清明节"),
    "Labour Day": _l("劳动节"),
    "Dragon Boat Festival": _l("端午节"),
    "National Day": _l("国庆节"),
    "Mid-autumn Festival": _l("中秋节"),
}


class CalendarMissing(ValueError):
    """A year the calendar has no data for: neither the package nor an entered notice."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            _(
                "%(year)d 年没有法定节假日数据，无法计算工作日：请系统管理员在“工作日历”中按国务院"
                "通知录入该年的放假和补班安排，或升级 chinesecalendar 软件包",
                year=year,
            )
        )


class CalendarError(ValueError):
    """A refused change to the overrides, naming the form field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------- the package


def package_version() -> str:
    return str(getattr(chinese_calendar, "__version__", "?"))


def package_has(year: int) -> bool:
    """Whether ``chinesecalendar`` has the State Council's schedule for ``year``."""
    if not 1 <= year <= 9999:
        return False
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:  # "no available data for year …"
        return False
    return True


def _package_workday(day: date) -> bool:
    return bool(chinese_calendar.is_workday(day))


def _package_name(day: date) -> str | None:
    """The holiday a package day belongs to (a holiday, or the holiday a 补班 day serves)."""
    english = chinese_calendar.holidays.get(day) or chinese_calendar.workdays.get(day)
    if english is None:
        return None
    known = HOLIDAY_NAMES.get(english)
    if known is not None:
        return str(known)
    try:
        return str(chinese_calendar.Holiday(english).chinese)
    except ValueError:
        return str(english)


def _days_in(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def _by_the_week(day: date) -> bool:
    """Monday–Friday: only ever the *default* of a day inside an entered notice, never a guess
    for a year without data."""
    return day.weekday() < 5


# ---------------------------------------------------------------- counting


class _Calendar:
    """One question's view of the calendar: each year's overrides are read once."""

    def __init__(self) -> None:
        self._years: dict[int, dict[date, bool]] = {}

    def _overrides(self, year: int) -> dict[date, bool]:
        found = self._years.get(year)
        if found is None:
            rows = db.session.execute(
                select(CalendarDay.day, CalendarDay.is_workday).where(
                    CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))
                )
            )
            found = {day: bool(works) for day, works in rows}
            if not package_has(year) and len(found) < _days_in(year):
                raise CalendarMissing(year)
            self._years[year] = found
        return found

    def is_workday(self, day: date) -> bool:
        overrides = self._overrides(day.year)
        if day in overrides:
            return overrides[day]
        return _package_workday(day)


def is_workday(day: date) -> bool:
    """Whether people work on ``day``: an override if there is one, else the package.

    Raises :class:`CalendarMissing` for a year with no data."""
    return _Calendar().is_workday(day)


def add_workdays(start: date, n: int) -> date:
    """The N-th working day from ``start``, which is day 1 when it is a working day.

    ``add_workdays(2026-09-28, 5)`` is 2026-10-09: 09-28, 09-29, 09-30, then 国庆 until 10-07,
    then 10-08 and 10-09. A start on a holiday or weekend counts from the next working day.
    Raises :class:`CalendarMissing` for the first year on the way without data, and
    ``ValueError`` when ``n`` is not between 1 and :data:`MAX_WORKDAYS`.
    """
    if not 1 <= n <= MAX_WORKDAYS:
        raise ValueError(_("工作日天数应在 1 至 %(max)d 之间", max=MAX_WORKDAYS))
    calendar = _Calendar()
    day, counted = start, 0
    while True:
        if calendar.is_workday(day):
            counted += 1
            if counted == n:
                return day
        day += timedelta(days=1)


def workdays_between(first: date, last: date) -> int:
    """The working days from ``first`` to ``last``, both included (0 when ``last`` is earlier).

    E.g. whether a unit's own 公示 lasted its five working days."""
    calendar = _Calendar()
    return sum(
        calendar.is_workday(first + timedelta(days=i)) for i in range((last - first).days + 1)
    )


# ---------------------------------------------------------------- what the admin page shows


@dataclass(frozen=True)
class YearStatus:
    """Where a year's days come from."""

    year: int
    packaged: bool  # chinesecalendar has the year
    overrides: int  # override rows in the year
    days: int

    @property
    def entered(self) -> bool:
        """Entered in full by an administrator (the package lacks it)."""
        return not self.packaged and self.overrides >= self.days

    @property
    def has_data(self) -> bool:
        return self.packaged or self.entered


def year_status(year: int) -> YearStatus:
    count = db.session.scalar(
        select(func.count())
        .select_from(CalendarDay)
        .where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
    )
    return YearStatus(year, package_has(year), int(count or 0), _days_in(year))


class DayKind(StrEnum):
    WORKDAY = "workday"  # a working weekday
    REST = "rest"  # an ordinary weekend day
    HOLIDAY = "holiday"  # a statutory holiday (or a day off the week would make a working day)
    MAKEUP = "makeup"  # 补班: a weekend day worked


@dataclass(frozen=True)
class DayView:
    """One day of the admin page: what counts, and where it comes from."""

    day: date
    works: bool | None  # None: the year has no data
    kind: DayKind | None
    name: str | None  # the holiday (package) or the override's note
    overridden: bool
    package_works: bool | None  # what the package says, None when it lacks the year
    note: str | None = None

    @property
    def special(self) -> bool:
        """Worth listing: a holiday, a 补班 day, or an override — except the ordinary days an
        entered notice fills in (the year has no package data, but each day an override)."""
        return self.kind in (DayKind.HOLIDAY, DayKind.MAKEUP) or (
            self.overridden and (self.package_works is not None or self.works is None)
        )


def _kind(day: date, works: bool, named: bool) -> DayKind:
    weekday = _by_the_week(day)
    if works:
        return DayKind.WORKDAY if weekday else DayKind.MAKEUP
    return DayKind.HOLIDAY if weekday or named else DayKind.REST


def year_days(year: int) -> tuple[YearStatus, list[DayView]]:
    """Every day of ``year`` with its status (``works`` is None throughout a year without
    data, overrides still shown)."""
    status = year_status(year)
    overrides = {
        row.day: row
        for row in db.session.scalars(
            select(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
        )
    }
    views = []
    for i in range(status.days):
        day = date(year, 1, 1) + timedelta(days=i)
        row = overrides.get(day)
        package_works = _package_workday(day) if status.packaged else None
        package_name = _package_name(day) if status.packaged else None
        name = (row.note if row is not None else None) or package_name
        if row is not None and status.packaged:
            works: bool | None = row.is_workday
        elif status.packaged:
            works = package_works
        elif status.entered and row is not None:
            works = row.is_workday
        else:
            works = None
        kind = None if works is None else _kind(day, works, bool(name))
        views.append(
            DayView(
                day=day,
                works=works,
                kind=kind,
                name=name if kind in (DayKind.HOLIDAY, DayKind.MAKEUP) or row else None,
                overridden=row is not None,
                package_works=package_works,
                note=row.note if row is not None else None,
            )
        )
    return status, views


# ---------------------------------------------------------------- overrides


def _check_year(day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CalendarError(
            "day",
            _("日期应在 %(first)d 年至 %(last)d 年之间", first=FIRST_YEAR, last=LAST_YEAR),
        )


def _clean_note(note: str | None) -> str:
    text = " ".join((note or "").split())
    if not text:
        raise CalendarError("note", _("请填写说明，例如国务院通知的文号或本地调休的依据"))
    if len(text) > NOTE_MAX:
        raise CalendarError("note", _("说明不能超过 %(max)d 个字", max=NOTE_MAX))
    return text


def _snapshot(row: CalendarDay) -> dict[str, object]:
    return {"day": row.day.isoformat(), "is_workday": row.is_workday, "note": row.note}


def set_day(actor: User, day: date, works: bool, note: str | None) -> CalendarDay:
    """Make ``day`` a working day or a day off, whatever the package says; audited."""
    _check_year(day)
    text = _clean_note(note)
    actor_id = actor.id
    row = db.session.get(CalendarDay, day)
    before = _snapshot(row) if row is not None else None
    if row is None:
        row = CalendarDay(day=day, is_workday=works, note=text, updated_by_id=actor_id)
        db.session.add(row)
    else:
        row.is_workday, row.note, row.updated_by_id = works, text, actor_id
    db.session.flush()
    audit.record(
        actor, "calendar.day.set", "calendar_day", day.isoformat(), before=before,
        after=_snapshot(row),
    )  # fmt: skip
    return row


def delete_day(actor: User, day: date) -> None:
    """Remove an override: the package's answer applies again. Refused in a year the package
    lacks, where it would leave the year without data (change the day, or clear the year)."""
    row = db.session.get(CalendarDay, day)
    if row is None:
        raise CalendarError("day", _("%(day)s 没有手工修改", day=day.isoformat()))
    if not package_has(day.year):
        raise CalendarError(
            "day",
            _(
                "%(year)d 年的日历全部由手工录入：删除一天会使整年失去数据；请改为修改这一天，"
                "或清除整年后重新录入",
                year=day.year,
            ),
        )
    before = _snapshot(row)
    db.session.delete(row)
    db.session.flush()
    audit.record(actor, "calendar.day.delete", "calendar_day", day.isoformat(), before=before)


# ---------------------------------------------------------------- a year from the notice


@dataclass(frozen=True)
class Notice:
    """A year's schedule as the State Council's notice gives it."""

    year: int
    holidays: tuple[tuple[date, date, str | None], ...]  # first, last, label (元旦 …)
    makeup_days: tuple[tuple[date, str | None], ...]  # 补班 days and their label
    errors: tuple[str, ...] = field(default=())

    def holiday_days(self) -> dict[date, str | None]:
        days: dict[date, str | None] = {}
        for first, last, label in self.holidays:
            for i in range((last - first).days + 1):
                days[first + timedelta(days=i)] = label
        return days


# "2031-01-01", "2031/1/1", "2031年1月1日", "1月1日", "1-1"; a range's end may be just "3日".
_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s*[-/年]\s*)?(?P<m>\d{1,2})\s*[-/月]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
)
_RANGE_TO = re.compile(r"^\s*(?:至|到|~|～|—|－|--)\s*$")
_DAY_ONLY_END = re.compile(r"^\s*(?:至|到|~|～|—|－|--)\s*(?P<d>\d{1,2})\s*日")
_ASIDE = re.compile(r"（[^）]*）|\([^)]*\)")
_SENTENCES = re.compile(r"[\n；;。]")
_ENUMERATOR = re.compile(r"^\s*(?:[一二三四五六七八九十]+|\d+)\s*[、.．]\s*")
_LABEL_TAIL = re.compile(r"[\s：:，,]+$")


def _label(before_first_date: str) -> str | None:
    label = _LABEL_TAIL.sub("", _ENUMERATOR.sub("", before_first_date)).strip()
    return label[:20] or None


def _date_of(
    match: re.Match[str], day: str | None, year: int, what: str, errors: list[str]
) -> date | None:
    """The date a match names (``day`` replacing its day), or None with the reason noted."""
    given = int(match["y"]) if match["y"] else year
    try:
        value = date(given, int(match["m"]), int(day or match["d"]))
    except ValueError:
        errors.append(_("%(what)s：“%(text)s”不是有效的日期", what=what, text=match[0].strip()))
        return None
    if value.year != year:
        errors.append(
            _("%(what)s：%(day)s 不在 %(year)d 年内", what=what, day=value.isoformat(), year=year)
        )
        return None
    return value


def _parse_dates(
    text: str, year: int, what: str, errors: list[str]
) -> list[tuple[date, date, str | None]]:
    """Dates and ranges of ``text``, one sentence or line at a time."""
    found: list[tuple[date, date, str | None]] = []
    for sentence in _SENTENCES.split(text):
        plain = _ASIDE.sub("", sentence).strip()
        if not plain:
            continue
        matches = list(_DATE.finditer(plain))
        if not matches:
            errors.append(_("%(what)s：看不出“%(text)s”中的日期", what=what, text=plain[:40]))
            continue
        label = _label(plain[: matches[0].start()])

        i = 0
        while i < len(matches):
            match = matches[i]
            first = _date_of(match, None, year, what, errors)
            after = plain[match.end() : matches[i + 1].start()] if i + 1 < len(matches) else ""
            rest = plain[match.end() :]
            if i + 1 < len(matches) and _RANGE_TO.match(after):
                last = _date_of(matches[i + 1], None, year, what, errors)
                i += 2
            elif (end := _DAY_ONLY_END.match(rest)) is not None:
                last = _date_of(match, end["d"], year, what, errors)
                i += 1
            else:
                last = first
                i += 1
            if first is None or last is None:
                continue
            if last < first:
                errors.append(
                    _(
                        "%(what)s：%(first)s 至 %(last)s 的结束日期早于开始日期",
                        what=what,
                        first=first.isoformat(),
                        last=last.isoformat(),
                    )
                )
                continue
            found.append((first, last, label))
    return found


def parse_notice(year: int, holidays_text: str, makeup_text: str) -> Notice:
    """Read the holidays and the 补班 days of ``year`` as typed or pasted from the notice.

    One holiday or range per line or sentence ("春节：2月10日至16日", "2031-10-01 至
    2031-10-07"); the year may be left out; asides in brackets (（周六）) are ignored. 补班
    days must be Saturdays or Sundays, no day may be both, and at least one holiday is needed.
    """
    errors: list[str] = []
    if not FIRST_YEAR <= year <= LAST_YEAR:
        errors.append(_("年份应在 %(first)d 至 %(last)d 之间", first=FIRST_YEAR, last=LAST_YEAR))
        return Notice(year, (), (), tuple(errors))
    for sentence in _SENTENCES.split(holidays_text or ""):
        if "上班" in sentence:
            errors.append(
                _(
                    "放假日期：“%(text)s”写的是上班日，请填到补班日期一栏",
                    text=sentence.strip()[:40],
                )
            )
    holidays = _parse_dates(holidays_text or "", year, _("放假日期"), errors)
    makeup: list[tuple[date, str | None]] = []
    for first, last, label in _parse_dates(makeup_text or "", year, _("补班日期"), errors):
        for i in range((last - first).days + 1):
            makeup.append((first + timedelta(days=i), label))
    if not holidays and not errors:
        errors.append(_("请至少填写一段放假日期"))
    notice = Notice(year, tuple(holidays), tuple(makeup))
    off = notice.holiday_days()
    for day, _name in makeup:
        if _by_the_week(day):
            errors.append(_("补班日期：%(day)s 不是周六或周日，本来就上班", day=day.isoformat()))
        if day in off:
            errors.append(_("%(day)s 既是放假日期又是补班日期", day=day.isoformat()))
    return Notice(year, notice.holidays, notice.makeup_days, tuple(errors))


def enter_year(actor: User, notice: Notice, note: str | None) -> YearStatus:
    """Write ``notice`` as the whole year's calendar: every day gets an override (holidays off,
    补班 days worked, other days by the week), replacing the year's earlier overrides.

    Only for a year the package lacks (a packaged year is corrected day by day); audited with
    the notice as entered."""
    year = notice.year
    if notice.errors:
        raise CalendarError("holidays", "；".join(notice.errors))
    if package_has(year):
        raise CalendarError(
            "year",
            _(
                "chinesecalendar 已有 %(year)d 年的数据：个别日期如有出入，请逐日修改",
                year=year,
            ),
        )
    text = _clean_note(note)
    actor_id = actor.id
    off = notice.holiday_days()
    worked = dict(notice.makeup_days)
    before = year_status(year).overrides
    db.session.execute(
        delete(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
    )
    rows = []
    for i in range(_days_in(year)):
        day = date(year, 1, 1) + timedelta(days=i)
        row_note: str | None = None
        if day in off:
            works, row_note = False, "；".join(p for p in (off[day], text) if p)
        elif day in worked:
            works, row_note = True, "；".join(p for p in (worked[day] or _("补班"), text) if p)
        else:
            works = _by_the_week(day)  # the notice's other days go by the week
        rows.append(
            CalendarDay(
                day=day,
                is_workday=works,
                note=row_note[:NOTE_MAX] if row_note else None,
                updated_by_id=actor_id,
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    audit.record(
        actor,
        "calendar.year.enter",
        "calendar_year",
        year,
        before={"overrides": before} if before else None,
        after={
            "holidays": [_range_text(first, last, label) for first, last, label in notice.holidays],
            "makeup_days": [day.isoformat() for day, _name in notice.makeup_days],
            "note": text,
        },
    )
    return year_status(year)


def _range_text(first: date, last: date, label: str | None) -> str:
    span = first.isoformat() if first == last else f"{first.isoformat()}～{last.isoformat()}"
    return f"{label}：{span}" if label else span


def clear_year(actor: User, year: int) -> int:
    """Remove every override of ``year`` (a wrongly entered notice); audited. Returns how many."""
    days = sorted(
        db.session.scalars(
            select(CalendarDay.day).where(
                CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))
            )
        )
    )
    if not days:
        raise CalendarError("year", _("%(year)d 年没有手工修改", year=year))
    db.session.execute(
        delete(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
    )
    db.session.flush()
    audit.record(
        actor, "calendar.year.clear", "calendar_year", year, before={"overrides": len(days)}
    )
    return len(days)
