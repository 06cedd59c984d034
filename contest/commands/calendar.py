"""``contest calendar add-workdays|check`` (DESIGN.md "Command line"): the working-day calendar.

``add-workdays YYYY-MM-DD N`` prints the ISO date of the N-th working day, the given day counting
as the first when it is a working day (DOMAIN 24a); ``check YEAR`` says whether the calendar has
the year. Both exit 1 with a Chinese and English message when a year has no data (the calendar
never guesses Monday–Friday) and 2 with the usage for input they cannot read. The work is
:mod:`contest.services.nominations.calendar`'s, imported when a command runs.
"""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

# contest.services.nominations.calendar.MAX_WORKDAYS, not imported here (``--help`` stays light)
MAX_WORKDAYS = 1000


def _day(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"“{value}”不是 YYYY-MM-DD 格式的日期（not a date in YYYY-MM-DD form）"
        ) from None


def _count(_ctx: click.Context, _param: click.Parameter, value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_WORKDAYS):
        raise click.BadParameter(
            f"天数应为 1 至 {MAX_WORKDAYS} 的整数（N must be a whole number from 1 to "
            f"{MAX_WORKDAYS}）"
        )
    return int(text)


def _year(_ctx: click.Context, _param: click.Parameter, value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 9999):
        raise click.BadParameter(f"“{value}”不是年份（not a year）")
    return int(text)


def _missing(year: int, message: str) -> click.ClickException:
    return click.ClickException(
        f"{message}（no calendar data for {year}: an admin enters that year's holidays and "
        f"make-up working days on the admin's working-day calendar page, or chinesecalendar is "
        f"upgraded）"
    )


@click.group("calendar")
def calendar_group() -> None:
    """The Chinese statutory working-day calendar (holidays, 补班 days, admin overrides)."""


@calendar_group.command("add-workdays")
@click.argument("start", metavar="YYYY-MM-DD", callback=_day)
@click.argument("n", metavar="N", callback=_count)
@with_appcontext
def add_workdays_command(start: date, n: int) -> None:
    """Print the N-th working day, counting YYYY-MM-DD as day 1 when it is a working day."""
    from contest.services.nominations.calendar import CalendarMissing, add_workdays

    try:
        click.echo(add_workdays(start, n).isoformat())
    except CalendarMissing as missing:
        raise _missing(missing.year, str(missing)) from None


@calendar_group.command("check")
@click.argument("year", metavar="YEAR", callback=_year)
@with_appcontext
def check_command(year: int) -> None:
    """Say where YEAR's calendar comes from; exit 1 when it has no data."""
    from contest.services.nominations.calendar import (
        CalendarMissing,
        package_version,
        year_status,
    )

    status = year_status(year)
    if status.packaged:
        extra = f"，另有 {status.overrides} 天手工修改" if status.overrides else ""
        click.echo(f"{year}：有数据（has data），来自 chinesecalendar {package_version()}{extra}")
    elif status.entered:
        click.echo(f"{year}：有数据（has data），由管理员按国务院通知录入（entered by an admin）")
    else:
        raise _missing(year, str(CalendarMissing(year)))
