"""The 劳模 archive (issue #14 item 1): one file per honoree in scope, who has one, and what a
care worker may read and change in it.

- **Which honors count** (:func:`counting_honors`): an honor of a person whose title contains
  one of the care settings' words, at the lowest level of the settings or above. A person
  holding such an honor today (not revoked, not lapsed) is due a file; :func:`sync_files`
  creates the missing ones in two statements however many honors there are.
- **Scope**: every read goes through :mod:`contest.services.care.scope`; a file out of scope
  is answered like a missing one, so a care worker cannot learn that it exists.
- **Every view is audited** (:func:`open_file`), as the issue asks: a file holds contact
  details, and its care records hold health details (PIPL Art. 28).
- **Contact details** are stored only encrypted (``HonoreeFile.set_contact``) and never reach
  the audit trail: an update records that they changed, not what they are.
- **Status** (在职 / 退休 / 去世) is what the wall reads to mark a deceased honoree, so a change
  bumps the honors content version and the wall's caches follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from contest.extensions import db
from contest.models import (
    GENDER_LABELS,
    Gender,
    Honor,
    HonoreeFile,
    HonorLevel,
    LifeStatus,
    Organization,
    Person,
    RecipientKind,
    Role,
    User,
)
from contest.services.care import scope, settings
from contest.services.core import audit
from contest.services.core.versions import HONORS_CONTENT, bump_version
from contest.services.honors.validity import today, valid_on
from contest.services.honors.wall import escape_like
from contest.validation import text_problem

__all__ = [
    "CONTACT_MAX",
    "PER_PAGE",
    "UNIT_MAX",
    "ArchiveError",
    "FilePage",
    "FileRow",
    "counting_honors",
    "find_file",
    "honors_of",
    "note_view",
    "open_file",
    "search",
    "set_status",
    "sync_files",
    "top_union",
    "unfiled_count",
    "update_file",
]

PER_PAGE = 30
UNIT_MAX = 200
CONTACT_MAX = 200
SEARCH_MAX = 50


class ArchiveError(ValueError):
    """A change the archive refuses; ``field`` names the form field, ``message`` says why."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# ---------------------------------------------------------------- which honors count


def counting_honors() -> ColumnElement[bool]:
    """SQL: the honor counts for the archive (a person's, with a title word and a level of the
    care settings). Whether it is still held is the caller's business (:func:`valid_on`)."""
    words = settings.title_words()
    return and_(
        Honor.recipient_kind == RecipientKind.PERSON,
        Honor.person_id.is_not(None),
        Honor.level_rank <= settings.lowest_level().rank,
        or_(*(Honor.title.contains(word, autoescape=True) for word in words)),
    )


def top_union() -> Organization | None:
    """The union that looks after honorees with no organisation: the first top of the tree."""
    return db.session.scalars(
        select(Organization).where(Organization.parent_id.is_(None)).order_by(Organization.id)
    ).first()


def _unfiled(root: Organization | None, orphans: bool) -> Select[Any]:
    """People due a file and without one: ``root``'s subtree (everyone when None), people with
    no organisation only when ``orphans``. Columns: person id, organisation id, its name, and
    the unit of their latest counting honor."""
    latest_unit = (
        select(Honor.unit_name)
        .where(Honor.person_id == Person.id, counting_honors(), Honor.unit_name.is_not(None))
        .order_by(Honor.year.desc(), Honor.id.desc())
        .limit(1)
        .correlate(Person)
        .scalar_subquery()
    )
    # One pass over the honors for the set of holders (a correlated EXISTS let SQLite walk the
    # status index once per person: seconds for a few thousand people).
    holders = select(Honor.person_id).where(counting_honors(), valid_on())
    filed = exists().where(HonoreeFile.person_id == Person.id)
    statement = (
        select(Person.id, Person.organization_id, Organization.name, latest_unit)
        .outerjoin(Organization, Organization.id == Person.organization_id)
        .where(Person.id.in_(holders), ~filed)
    )
    if root is not None:
        return statement.where(Person.organization_id.in_(root.subtree_ids_query()))
    if not orphans:
        return statement.where(Person.organization_id.is_not(None))
    return statement


def _sync_root(user: User) -> tuple[Organization | None, bool] | None:
    """Whose people ``user`` files: (subtree root, people without organisation too), or None
    for someone who files nobody's."""
    if user.role is Role.ADMIN:
        return None, True
    if user.role is Role.CARE and user.organization is not None:
        return user.organization, False
    return None


def unfiled_count(user: User) -> int:
    """How many honorees in ``user``'s scope hold a counting honor and have no file yet."""
    found = _sync_root(user)
    if found is None:
        return 0
    root, orphans = found
    if root is None and orphans and top_union() is None:
        orphans = False
    statement = _unfiled(root, orphans)
    return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def sync_files(actor: User, root: Organization | None) -> int:
    """Create the missing files of ``root``'s subtree (admins: of everyone with None; people
    with no organisation are looked after by :func:`top_union`, and skipped when there is no
    union at all). In service, cared for by their own union, unit from their organisation or
    their latest counting honor. One SELECT, one INSERT and one audit entry; returns the
    number of files created; the caller commits."""
    if root is None and actor.role is not Role.ADMIN:
        raise ArchiveError(None, _("只有系统管理员可以为全部荣誉获得者建档"))
    if root is not None and not scope.may_see_org(actor, root):
        raise ArchiveError(None, _("该工会不在您的服务范围内"))
    top = top_union() if root is None else None
    rows = [
        {
            "person_id": person_id,
            "status": LifeStatus.IN_SERVICE,
            "care_organization_id": org_id if org_id is not None else top.id,  # type: ignore[union-attr]
            "current_unit": (org_name or honor_unit or None),
        }
        for person_id, org_id, org_name, honor_unit in db.session.execute(
            _unfiled(root, orphans=top is not None)
        )
    ]
    if rows:
        db.session.execute(insert(HonoreeFile), rows)
        bump_version(HONORS_CONTENT)  # /wall/stats counts the honorees still without a file
    audit.record(
        actor,
        "care.files.sync",
        "honoree_file",
        after={"organization_id": root.id if root else None, "created": len(rows)},
    )
    return len(rows)


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class FileRow:
    """One file on the list: what a care worker needs to pick the right person."""

    file_id: int
    name: str
    gender: Gender | None
    unit: str | None
    status: LifeStatus
    caring_union: str
    honor_title: str | None
    honor_level: HonorLevel | None
    honor_year: int | None

    @property
    def gender_label(self) -> str:
        return str(GENDER_LABELS[self.gender]) if self.gender else ""


@dataclass(frozen=True)
class FilePage:
    items: list[FileRow]
    total: int
    page: int
    per_page: int = PER_PAGE


def _highest_honors(person_ids: list[int]) -> dict[int, tuple[str, HonorLevel, int]]:
    """Each person's highest held counting honor (title, level, year), or their highest honor
    of any kind when none is held any more; for one page of the list, in one query."""
    held_first = case((and_(valid_on(), counting_honors()), 0), else_=1)
    rows = db.session.execute(
        select(Honor.person_id, Honor.title, Honor.level, Honor.year)
        .where(Honor.person_id.in_(person_ids))
        .order_by(Honor.person_id, held_first, Honor.level_rank, Honor.year.desc(), Honor.id.desc())
    )
    best: dict[int, tuple[str, HonorLevel, int]] = {}
    for person_id, title, level, year in rows:
        best.setdefault(person_id, (title, level, year))
    return best


def search(
    user: User,
    q: str = "",
    status: LifeStatus | None = None,
    level: HonorLevel | None = None,
    org_id: int | None = None,
    page: int = 1,
) -> FilePage:
    """A page of the files ``user`` sees, in pinyin order of the name: ``q`` a substring of the
    name or the unit, ``level`` the level of the highest held counting honor, ``org_id`` a
    caring union whose subtree is asked for (ignored unless it is in scope).

    The name's pinyin is a correlated subquery on the honors' person index and the honors
    shown are read for the page alone: a join with a ranked subquery of all honors made SQLite
    scan it once per file (seconds at 3,000 files)."""
    org = db.session.get(Organization, org_id) if org_id is not None else None
    care_org = aliased(Organization)
    statement = (
        select(
            HonoreeFile.id,
            HonoreeFile.person_id,
            Person.name,
            Person.gender,
            HonoreeFile.current_unit,
            HonoreeFile.status,
            care_org.name,
        )
        .join(Person, Person.id == HonoreeFile.person_id)
        .join(care_org, care_org.id == HonoreeFile.care_organization_id)
        .where(scope.file_filter(user))
    )
    q = (q or "").strip()[:SEARCH_MAX]
    if q:
        pattern = f"%{escape_like(q)}%"
        statement = statement.where(
            or_(
                Person.name.like(pattern, escape="\\"),
                HonoreeFile.current_unit.like(pattern, escape="\\"),
            )
        )
    if status is not None:
        statement = statement.where(HonoreeFile.status == status)
    if level is not None:
        # The people whose highest held counting honor is at ``level``: one grouped pass over
        # the honors (correlated per file, SQLite walked the status index for each).
        at_level = (
            select(Honor.person_id)
            .where(counting_honors(), valid_on())
            .group_by(Honor.person_id)
            .having(func.min(Honor.level_rank) == level.rank)
        )
        statement = statement.where(HonoreeFile.person_id.in_(at_level))
    if org is not None and scope.may_see_org(user, org):
        statement = statement.where(HonoreeFile.care_organization_id.in_(org.subtree_ids_query()))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    page = max(1, min(page, max(1, -(-total // PER_PAGE))))
    pinyin = (
        select(func.min(Honor.sort_key))
        .where(Honor.person_id == HonoreeFile.person_id)
        .correlate(HonoreeFile)
        .scalar_subquery()
    )
    rows = db.session.execute(
        statement.order_by(func.coalesce(pinyin, Person.name), HonoreeFile.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    best = _highest_honors([row[1] for row in rows])
    items = []
    for file_id, person_id, name, gender, unit, life, union in rows:
        title, honor_level, year = best.get(person_id, (None, None, None))
        items.append(
            FileRow(
                file_id=file_id,
                name=name,
                gender=gender,
                unit=unit,
                status=life,
                caring_union=union,
                honor_title=title,
                honor_level=honor_level,
                honor_year=year,
            )
        )
    return FilePage(items, total, page)


# ---------------------------------------------------------------- one file


def find_file(user: User, file_id: int) -> HonoreeFile | None:
    """The file when ``user`` may see it, else None (missing and out of scope alike). Not a
    view: for a change posted to the file."""
    file = db.session.get(HonoreeFile, file_id)
    if file is None or not scope.may_see(user, file):
        return None
    return file


def note_view(user: User, file: HonoreeFile) -> None:
    """Audit that ``user`` is shown ``file`` (its contact details and care records)."""
    audit.record(user, "care.file.view", "honoree_file", file.id)


def open_file(user: User, file_id: int) -> HonoreeFile | None:
    """The file for showing, audited, or None when it is missing or out of ``user``'s scope
    (the caller answers 404 for both). The caller commits."""
    file = find_file(user, file_id)
    if file is not None:
        note_view(user, file)
    return file


def honors_of(file: HonoreeFile) -> list[Honor]:
    """Every honor of the file's person, revoked and lapsed ones too (the page marks them),
    newest first."""
    return list(
        db.session.scalars(
            select(Honor)
            .where(Honor.person_id == file.person_id)
            .order_by(Honor.year.desc(), Honor.level_rank, Honor.id.desc())
        )
    )


def _check_scope(actor: User, file: HonoreeFile) -> None:
    if not scope.may_see(actor, file):
        raise ArchiveError(None, _("该档案不在您的服务范围内"))


def _text(field: str, value: str | None, limit: int, label: str) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise ArchiveError(field, _("%(label)s不能超过 %(n)d 个字", label=label, n=limit))
    problem = text_problem(value)
    if problem:
        raise ArchiveError(field, problem)
    return value or None


def update_file(
    actor: User,
    file: HonoreeFile,
    current_unit: str | None,
    contact: str | None,
    care_organization: Organization | None,
) -> bool:
    """Change the unit, the contact details (encrypted) and the caring union (within the
    actor's scope). Audited with the unit and union before and after and only whether the
    contact changed; False when nothing changed. The caller commits."""
    _check_scope(actor, file)
    unit = _text("current_unit", current_unit, UNIT_MAX, _("现工作单位"))
    plain = _text("contact", contact, CONTACT_MAX, _("联系方式"))
    if care_organization is None:
        raise ArchiveError("care_organization_id", _("请选择服务工会"))
    if not scope.may_see_org(actor, care_organization):
        raise ArchiveError("care_organization_id", _("该工会不在您的服务范围内"))
    contact_changed = plain != file.reveal_contact()
    before = {"current_unit": file.current_unit, "care_organization_id": file.care_organization_id}
    after = {"current_unit": unit, "care_organization_id": care_organization.id}
    if before == after and not contact_changed:
        return False
    file.current_unit = unit
    file.care_organization = care_organization
    if contact_changed:
        file.set_contact(plain)
        after["contact_changed"] = True
    db.session.flush()
    audit.record(actor, "care.file.update", "honoree_file", file.id, before=before, after=after)
    return True


def _status_snapshot(file: HonoreeFile) -> dict[str, Any]:
    return {"status": file.status.value, "retired_on": file.retired_on, "died_on": file.died_on}


def set_status(actor: User, file: HonoreeFile, status: LifeStatus, day: date | None) -> bool:
    """在职, 退休 on ``day`` or 去世 on ``day`` (China time, not in the future; death not
    before retirement). Back to 在职 clears both dates (a mistake corrected). Audited; the wall
    follows (a deceased honoree stays on it, marked). False when nothing changed."""
    _check_scope(actor, file)
    if day is not None and day > today():
        raise ArchiveError("day", _("日期不能晚于今天"))
    retired_on, died_on = file.retired_on, file.died_on
    if status is LifeStatus.IN_SERVICE:
        retired_on = died_on = None
    elif status is LifeStatus.RETIRED:
        if day is None:
            raise ArchiveError("day", _("请填写退休日期"))
        retired_on, died_on = day, None
    else:
        if day is None:
            raise ArchiveError("day", _("请填写去世日期"))
        if retired_on is not None and day < retired_on:
            raise ArchiveError("day", _("去世日期不能早于退休日期"))
        died_on = day
    before = _status_snapshot(file)
    file.status, file.retired_on, file.died_on = status, retired_on, died_on
    after = _status_snapshot(file)
    if before == after:
        return False
    db.session.flush()
    audit.record(actor, "care.file.status", "honoree_file", file.id, before=before, after=after)
    bump_version(HONORS_CONTENT)
    return True
