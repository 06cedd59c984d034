"""Who is due what this year (DOMAIN §3 rule 26; issue #14 item 3): the care role's working lists.

- **Health checks** (健康体检): living, in-service honorees whose last check was in a year
  at most ``year − interval`` (interval :func:`settings.health_check_years`, default 1), or who
  never had one. With the default, a check on 2025-12-31 makes one due in 2026; a check on
  2026-01-01 does not.
- **疗休养**: the same rule with :func:`settings.recuperation_years` (default 2: a stay in
  2024 makes one due in 2026, a stay in 2025 does not).
- **Not yet visited** (走访慰问): living honorees, in service or retired, without a visit for
  the festival dated in the year. Which festival is next cannot be told without its dates
  (春节 moves), so the user picks; the first of :func:`settings.festivals` by default.

Care done after the year asked for is not counted, so last year's list still reads as it did.
Each list is one query (the last care by a grouped subquery, the highest counting honor by a
window function), then sorted in Python by caring union (tree order) and pinyin of the name:
fine for tens of thousands of files. The exports carry only what the hospital, the travel
agency or the visiting team need — never an ID number, phone, contact, birth date or note —
and each is audited.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Subquery, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from contest.extensions import db
from contest.models import (
    CARE_KIND_LABELS,
    GENDER_LABELS,
    CareKind,
    CareRecord,
    Gender,
    Honor,
    HonoreeFile,
    HonorLevel,
    LifeStatus,
    Organization,
    Person,
    User,
)
from contest.services.care import archive, scope, settings
from contest.services.core import audit
from contest.services.core.spreadsheets import SheetSpec, write_workbook
from contest.services.honors.records import sort_key
from contest.services.honors.validity import today, valid_on

__all__ = [
    "YEARS_AHEAD",
    "YEARS_BACK",
    "DueError",
    "DueKind",
    "DueList",
    "DueRow",
    "age_on",
    "count",
    "counts",
    "export_name",
    "export_xlsx",
    "file_count",
    "interval_years",
    "org_choices",
    "parse_festival",
    "parse_year",
    "rows",
    "year_choices",
    "year_today",
]

# The years the page offers around this one: past lists to check, next year's to plan.
YEARS_BACK = 3
YEARS_AHEAD = 1


class DueKind(enum.Enum):
    """The three due lists, each read from one kind of care record."""

    HEALTH_CHECK = "health"
    RECUPERATION = "recuperation"
    VISIT = "visit"

    @property
    def care_kind(self) -> CareKind:
        return _CARE_KINDS[self]

    @property
    def label(self) -> str:
        return str(CARE_KIND_LABELS[self.care_kind])


_CARE_KINDS = {
    DueKind.HEALTH_CHECK: CareKind.HEALTH_CHECK,
    DueKind.RECUPERATION: CareKind.RECUPERATION,
    DueKind.VISIT: CareKind.VISIT,
}


class DueError(ValueError):
    """A year, festival or union the user may not ask for; ``message`` says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DueList:
    """Which list: its kind, year, festival (visits only) and, optionally, a union subtree
    within the user's scope (checked by the caller through :func:`scope.may_see_org`)."""

    kind: DueKind
    year: int
    festival: str | None = None
    organization: Organization | None = None


@dataclass(frozen=True)
class DueRow:
    """One honoree on a due list: what the list shows, nothing private."""

    file_id: int
    name: str
    gender: Gender | None
    age: int | None
    unit: str | None
    caring_union: str
    honor_title: str | None
    honor_level: HonorLevel | None
    honor_year: int | None
    last_on: date | None  # the last care of the list's kind up to the year asked

    @property
    def gender_label(self) -> str:
        return str(GENDER_LABELS[self.gender]) if self.gender else ""


def year_today() -> int:
    """This year on the site's calendar (China time)."""
    return today().year


def year_choices() -> list[int]:
    this = year_today()
    return list(range(this + YEARS_AHEAD, this - YEARS_BACK - 1, -1))


def parse_year(text: str | None) -> int:
    """The year asked for (this year when none is given); refused outside :func:`year_choices`."""
    raw = (text or "").strip()
    if not raw:
        return year_today()
    choices = year_choices()
    if not raw.isascii() or not raw.isdigit() or int(raw) not in choices:
        raise DueError(
            _("请选择 %(low)d 到 %(high)d 年之间的年份", low=min(choices), high=max(choices))
        )
    return int(raw)


def parse_festival(text: str | None) -> str:
    """The festival asked for (the first of the setting when none is given)."""
    festivals = settings.festivals()
    raw = (text or "").strip()
    if not raw:
        return festivals[0]
    if raw not in festivals:
        raise DueError(_("请从列表中选择节日"))
    return raw


def age_on(birth: date | None, day: date) -> int | None:
    """Whole years from ``birth`` to ``day`` (None when the birth date is unknown)."""
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def interval_years(kind: DueKind) -> int:
    """Every how many years a health check or a 疗休养 stay is due (the care settings)."""
    if kind is DueKind.HEALTH_CHECK:
        return settings.health_check_years()
    return settings.recuperation_years()


# ---------------------------------------------------------------- queries


def _last_care(kind: CareKind, year: int) -> Subquery:
    """Each file's last care of ``kind`` up to the end of ``year``."""
    return (
        select(CareRecord.file_id, func.max(CareRecord.on_date).label("last_on"))
        .where(CareRecord.kind == kind, CareRecord.on_date <= date(year, 12, 31))
        .group_by(CareRecord.file_id)
        .subquery()
    )


def _conditions(user: User, due: DueList, last: Subquery) -> list[ColumnElement[bool]]:
    """The WHERE of a list: scope, the union filter, who the list is for and who is due."""
    where = [scope.file_filter(user)]
    if due.organization is not None:
        where.append(HonoreeFile.care_organization_id.in_(due.organization.subtree_ids_query()))
    if due.kind is DueKind.VISIT:
        where.append(HonoreeFile.status != LifeStatus.DECEASED)
        visited = exists().where(
            CareRecord.file_id == HonoreeFile.id,
            CareRecord.kind == CareKind.VISIT,
            CareRecord.festival == (due.festival or settings.festivals()[0]),
            CareRecord.on_date.between(date(due.year, 1, 1), date(due.year, 12, 31)),
        )
        where.append(~visited)
        return where
    interval = interval_years(due.kind)
    where.append(HonoreeFile.status == LifeStatus.IN_SERVICE)
    # Due when the last one was in a year ≤ year − interval, i.e. before 1 January of the
    # year after that.
    where.append(
        or_(last.c.last_on.is_(None), last.c.last_on < date(due.year - interval + 1, 1, 1))
    )
    return where


def _counting_honors() -> Subquery:
    """Each person's counting honors (the care settings' titles and lowest level, held
    today), ranked: rank 1 is the highest level, the latest year among equals."""
    order = func.row_number().over(
        partition_by=Honor.person_id,
        order_by=(Honor.level_rank, Honor.year.desc(), Honor.id.desc()),
    )
    return (
        select(
            Honor.person_id,
            Honor.title,
            Honor.level,
            Honor.year,
            order.label("place"),
        )
        .where(
            Honor.person_id.in_(select(HonoreeFile.person_id)),
            archive.counting_honors(),
            valid_on(),
        )
        .subquery()
    )


def rows(user: User, due: DueList) -> list[DueRow]:
    """The list, in the order union offices print it: by caring union (tree order), then by
    the pinyin of the name."""
    last = _last_care(due.kind.care_kind, due.year)
    honor = _counting_honors()
    care_org = aliased(Organization)
    person_org = aliased(Organization)
    statement = (
        select(
            HonoreeFile.id,
            Person.name,
            Person.gender,
            Person.birth_date,
            func.coalesce(HonoreeFile.current_unit, person_org.name),
            care_org.name,
            care_org.path,
            honor.c.title,
            honor.c.level,
            honor.c.year,
            last.c.last_on,
        )
        .join(Person, Person.id == HonoreeFile.person_id)
        .join(care_org, care_org.id == HonoreeFile.care_organization_id)
        .outerjoin(person_org, person_org.id == Person.organization_id)
        .outerjoin(last, last.c.file_id == HonoreeFile.id)
        .outerjoin(honor, and_(honor.c.person_id == HonoreeFile.person_id, honor.c.place == 1))
        .where(*_conditions(user, due, last))
    )
    day = today()
    found = [
        (
            _tree_order(path),
            sort_key(name),
            DueRow(
                file_id=file_id,
                name=name,
                gender=gender,
                age=age_on(birth, day),
                unit=unit,
                caring_union=union,
                honor_title=title,
                honor_level=level,
                honor_year=year,
                last_on=last_on,
            ),
        )
        for (file_id, name, gender, birth, unit, union, path, title, level, year, last_on) in (
            db.session.execute(statement)
        )
    ]
    found.sort(key=lambda item: (item[0], item[1], item[2].file_id))
    return [row for _order, _key, row in found]


def _tree_order(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def count(user: User, due: DueList) -> int:
    last = _last_care(due.kind.care_kind, due.year)
    statement = (
        select(func.count(HonoreeFile.id))
        .outerjoin(last, last.c.file_id == HonoreeFile.id)
        .where(*_conditions(user, due, last))
    )
    return db.session.scalar(statement) or 0


def counts(
    user: User, year: int, festival: str | None = None, organization: Organization | None = None
) -> dict[DueKind, int]:
    """How many are due on each list (visits: for ``festival``, the first one by default)."""
    festival = festival or settings.festivals()[0]
    return {
        kind: count(
            user,
            DueList(kind, year, festival if kind is DueKind.VISIT else None, organization),
        )
        for kind in DueKind
    }


def file_count(user: User) -> int:
    """The files ``user`` sees, every status."""
    statement = select(func.count(HonoreeFile.id)).where(scope.file_filter(user))
    return db.session.scalar(statement) or 0


def org_choices(user: User) -> list[Organization]:
    """The unions a list can be narrowed to: every caring union of a file in scope and the
    unions between it and the top of the user's scope, in tree order."""
    caring = select(HonoreeFile.care_organization_id).where(scope.file_filter(user))
    paths = db.session.scalars(select(Organization.path).where(Organization.id.in_(caring)))
    ids = {node for path in paths for node in _tree_order(path)}
    if not ids:
        return []
    found = db.session.scalars(select(Organization).where(Organization.id.in_(ids))).all()
    return sorted(
        (org for org in found if scope.may_see_org(user, org)),
        key=lambda org: _tree_order(org.path),
    )


# ---------------------------------------------------------------- exports


@dataclass(frozen=True)
class _Export:
    title: str
    headers: Sequence[str]
    widths: Sequence[float]


def _cells(kind: DueKind, number: int, row: DueRow) -> list[Any]:
    """One row of an export: only what the receiver needs (never IDs, phones, contacts,
    birth dates or notes)."""
    if kind is DueKind.HEALTH_CHECK:
        last = row.last_on.isoformat() if row.last_on else ""
        return [number, row.name, row.gender_label, row.age, row.unit or "", last]
    if kind is DueKind.RECUPERATION:
        last_year = row.last_on.year if row.last_on else ""
        title = row.honor_title or ""
        return [number, row.name, row.gender_label, row.unit or "", title, last_year]
    return [number, row.name, row.unit or "", row.caring_union]


# The workbooks' headers are the receivers' words (a hospital, a travel agency), not the UI's.
_EXPORTS = {
    DueKind.HEALTH_CHECK: _Export(
        "体检名单", ("序号", "姓名", "性别", "年龄", "单位", "上次体检日期"), (6, 12, 6, 6, 28, 14)
    ),
    DueKind.RECUPERATION: _Export(
        "疗休养名单",
        ("序号", "姓名", "性别", "单位", "荣誉称号", "上次疗休养年份"),
        (6, 12, 6, 28, 24, 14),
    ),
    DueKind.VISIT: _Export("走访慰问名单", ("序号", "姓名", "单位", "联系单位"), (6, 12, 28, 24)),
}


def export_name(due: DueList) -> str:
    """The download's file name: the year, the festival of a visit list, the list."""
    festival = due.festival if due.kind is DueKind.VISIT else ""
    return f"{due.year}年{festival}{_EXPORTS[due.kind].title}.xlsx"


def export_xlsx(user: User, due: DueList, out: IO[bytes]) -> int:
    """Write the list for the hospital, the travel agency or the visiting team, and audit the
    export (kind, year, festival, union and row count; no names). Returns the row count; the
    caller commits."""
    spec = _EXPORTS[due.kind]
    found = rows(user, due)
    write_workbook(
        [
            SheetSpec(
                spec.title,
                (_cells(due.kind, number, row) for number, row in enumerate(found, start=1)),
                headers=spec.headers,
                widths=spec.widths,
                freeze_header=True,
            )
        ],
        out,
    )
    audit.record(
        user,
        "care.due.export",
        "honoree_file",
        after={
            "kind": due.kind.value,
            "year": due.year,
            "festival": due.festival if due.kind is DueKind.VISIT else None,
            "organization_id": due.organization.id if due.organization else None,
            "rows": len(found),
        },
    )
    return len(found)
