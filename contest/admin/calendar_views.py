"""工作日历: the statutory calendar 公示 periods are counted on, and the admin's corrections.

A year's page shows its twelve months — holidays, 补班 days, ordinary days — marked by where
each comes from (the chinesecalendar package, or an override), the list of its special days,
the form that overrides one day, and for a year the package lacks the bulk form that enters
the State Council's notice for the whole year (the only way such a year gets data: see
:mod:`contest.services.nominations.calendar`). Routes hang off the admin blueprint, whose
guard admits administrators only; every write is the service's, audited there.
"""

from __future__ import annotations

import calendar as month_grid
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import Form

from contest.admin.blueprint import bp
from contest.admin.calendar_forms import OFF, WORKS, DayForm, NoticeForm
from contest.extensions import db
from contest.services.honors.validity import today
from contest.services.nominations import calendar as work_calendar
from contest.services.nominations.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarError,
    DayView,
    YearStatus,
)
from contest.ui.confirm import Consequence, ask, confirmed
from contest.ui.forms import ActionForm


@dataclass(frozen=True)
class Month:
    number: int
    weeks: list[list[DayView | None]]  # Monday first; None outside the month


@dataclass(frozen=True)
class Stretch:
    """Consecutive special days of one kind, name and source (国庆 10-01 … 10-07 in one row);
    an override of a packaged day stands alone, with its own button to undo it."""

    first: DayView
    last: DayView

    @property
    def single(self) -> bool:
        return self.first.day == self.last.day

    @property
    def undoable(self) -> bool:
        return self.first.overridden and self.first.package_works is not None


def _same_stretch(a: DayView, b: DayView) -> bool:
    return (
        (b.day - a.day).days == 1
        and (a.kind, a.name, a.overridden, a.package_works)
        == (b.kind, b.name, b.overridden, b.package_works)
        and not (a.overridden and a.package_works is not None)
    )


def _stretches(days: list[DayView]) -> list[Stretch]:
    found: list[Stretch] = []
    for view in (v for v in days if v.special):
        if found and _same_stretch(found[-1].last, view):
            found[-1] = Stretch(found[-1].first, view)
        else:
            found.append(Stretch(view, view))
    return found


def _months(year: int, days: list[DayView]) -> list[Month]:
    by_day = {view.day: view for view in days}
    grid = month_grid.Calendar(firstweekday=0)
    return [
        Month(
            number,
            [
                [by_day.get(day) if day.month == number else None for day in week]
                for week in grid.monthdatescalendar(year, number)
            ],
        )
        for number in range(1, 13)
    ]


def _year_asked() -> int:
    """``?year=`` when it is a year the page can show, else this year (with a word why)."""
    raw = (request.args.get("year") or "").strip()
    if raw:
        if raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR:
            return int(raw)
        flash(_("年份应在 %(first)d 至 %(last)d 之间", first=FIRST_YEAR, last=LAST_YEAR), "warning")
    return today().year


def _year_or_404(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    return year


def _clear_consequence(status: YearStatus) -> Consequence:
    return Consequence(
        title=_("清除 %(year)d 年的全部手工修改？", year=status.year),
        text=(
            _(
                "将删除该年 %(n)d 天的手工修改，恢复 chinesecalendar 的数据。",
                n=status.overrides,
            )
            if status.packaged
            else _(
                "将删除该年 %(n)d 天的录入：chinesecalendar 没有该年数据，清除后该年的工作日"
                "将无法计算，直到重新录入。",
                n=status.overrides,
            )
        ),
        action=_("清除"),
    )


def _replace_consequence(status: YearStatus) -> Consequence:
    return Consequence(
        title=_("重新录入 %(year)d 年？", year=status.year),
        text=_(
            "该年已有 %(n)d 天的录入或修改，将全部由这次录入替换。",
            n=status.overrides,
        ),
        action=_("替换并录入"),
    )


def _render(year: int, day_form: DayForm, notice_form: NoticeForm) -> Any:
    status, days = work_calendar.year_days(year)
    return render_template(
        "admin/calendar.html",
        year=year,
        status=status,
        months=_months(year, days),
        special=_stretches(days),
        day_form=day_form,
        notice_form=notice_form,
        action_form=ActionForm(),
        clear_consequence=_clear_consequence(status) if status.overrides else None,
        replace_consequence=_replace_consequence(status) if status.overrides else None,
        package_version=work_calendar.package_version(),
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
        today=today(),
        works_value=WORKS,
    )


def _refused(form: Form, error: CalendarError) -> None:
    db.session.rollback()
    target = getattr(form, error.field, None)
    if target is None:
        form.form_errors.append(str(error))
    else:
        target.errors = [*target.errors, str(error)]


def _back(year: int, anchor: str | None = None) -> Any:
    return redirect(url_for("admin.calendar", year=year, _anchor=anchor))


@bp.route("/calendar")
def calendar():  # type: ignore[no-untyped-def]
    """A year's calendar; ``?day=`` fills the override form with that day."""
    year = _year_asked()
    day_form = DayForm(formdata=None)
    try:
        chosen = date.fromisoformat(request.args.get("day") or "")
    except ValueError:
        chosen = None
    if chosen is not None and chosen.year == year:
        day_form.day.data = chosen
        _status, views = work_calendar.year_days(year)
        view = next(v for v in views if v.day == chosen)
        if view.overridden:  # edit the override as it stands
            day_form.works.data = WORKS if view.works else OFF
            day_form.note.data = view.note
        else:  # an override turns the day around
            day_form.works.data = OFF if view.works else WORKS
    return _render(year, day_form, NoticeForm(formdata=None))


@bp.route("/calendar/days", methods=["POST"])
def calendar_set_day():  # type: ignore[no-untyped-def]
    """Override one day (make it a working day or a day off)."""
    form = DayForm()
    if form.validate_on_submit():
        try:
            work_calendar.set_day(
                current_user, form.day.data, form.works.data == WORKS, form.note.data
            )
        except CalendarError as error:
            _refused(form, error)
        else:
            db.session.commit()
            day = form.day.data
            flash(
                _(
                    "已将 %(day)s 设为%(what)s。",
                    day=day.isoformat(),
                    what=_("上班") if form.works.data == WORKS else _("放假"),
                ),
                "success",
            )
            return _back(day.year, "special-days")
    year = form.day.data.year if form.day.data else today().year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        year = today().year
    return _render(year, form, NoticeForm(formdata=None))


@bp.route("/calendar/days/<day>/delete", methods=["POST"])
def calendar_delete_day(day: str):  # type: ignore[no-untyped-def]
    """Remove one override: the package's answer applies again."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        work_calendar.delete_day(current_user, when)
    except CalendarError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("已撤销对 %(day)s 的修改。", day=when.isoformat()), "success")
    return _back(when.year, "special-days")


@bp.route("/calendar/<int:year>/notice", methods=["POST"])
def calendar_enter_year(year: int):  # type: ignore[no-untyped-def]
    """按国务院通知录入节假日和补班: the whole year, for a year the package lacks."""
    _year_or_404(year)
    form = NoticeForm()
    if form.validate_on_submit():
        notice = work_calendar.parse_notice(year, form.holidays.data or "", form.makeup.data or "")
        status = work_calendar.year_status(year)
        if notice.errors:
            form.holidays.errors = [*form.holidays.errors, *notice.errors]
        elif status.overrides and not status.packaged and not confirmed():
            return ask(_replace_consequence(status), url_for("admin.calendar", year=year))
        else:
            try:
                entered = work_calendar.enter_year(current_user, notice, form.note.data)
            except CalendarError as error:
                _refused(form, error)
            else:
                db.session.commit()
                flash(
                    _(
                        "已录入 %(year)d 年：放假 %(off)d 天，补班 %(worked)d 天，共 %(days)d 天。",
                        year=year,
                        off=len(notice.holiday_days()),
                        worked=len(notice.makeup_days),
                        days=entered.overrides,
                    ),
                    "success",
                )
                return _back(year)
    return _render(year, DayForm(formdata=None), form)


@bp.route("/calendar/<int:year>/clear", methods=["POST"])
def calendar_clear_year(year: int):  # type: ignore[no-untyped-def]
    """Remove every override of a year (a wrongly entered notice), after a confirmation."""
    _year_or_404(year)
    if not ActionForm().validate_on_submit():
        abort(400)
    status = work_calendar.year_status(year)
    if status.overrides and not confirmed():
        return ask(_clear_consequence(status), url_for("admin.calendar", year=year))
    try:
        removed = work_calendar.clear_year(current_user, year)
    except CalendarError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("已清除 %(year)d 年 %(n)d 天的手工修改。", year=year, n=removed), "success")
    return _back(year)
