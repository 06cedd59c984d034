"""评委 accounts from a sheet (用户名, 姓名, 单位, 联系电话), each with a one-time password.

All or nothing, like every import: every problem of every row is reported (row, column,
message — never the phone itself) and no account is created unless the whole file is clean.
What a row can get wrong: the username (the rules :func:`users.create_user` applies, twice in
the file, already taken), the name, the unit (unknown, ambiguous, closed or outside the
importer's part of the tree), the phone's format, and naming a worker who already has an
account or appears twice.

The judge is a worker of their unit, so the account is linked to a person there
(``User.person``) and the phone is stored where every phone is: encrypted on the person. A
person of that unit with the same name and the same phone is reused; otherwise a new one is
created. Existing personal data is never changed by this sheet.

Every account gets a random one-time password and must choose its own at first login. The
passwords exist only in the returned :class:`ImportResult`, for the one page that prints
them; the audit trail records the accounts and the file's digest, never a password or phone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from contest.extensions import db
from contest.models import Organization, Person, Role, User
from contest.services.core import audit
from contest.services.core.orgs import UnitFinder
from contest.services.core.people import PersonData, create_person
from contest.services.core.spreadsheets import (
    RowCheck,
    RowError,
    SheetRefused,
    header_problems,
    read_sheet,
    row_cells,
    template_xlsx,
)
from contest.services.core.users import clean_username, create_user, one_time_password
from contest.validation import check_text, normalise_phone

COL_USERNAME, COL_NAME, COL_UNIT, COL_PHONE = "用户名", "姓名", "单位", "联系电话"
HEADERS = (COL_USERNAME, COL_NAME, COL_UNIT, COL_PHONE)
NAME_MAX = 60
# Each password is hashed with argon2 (about 0.1–0.2 s with the production cost), and the whole
# file is one request: 200 accounts stay well inside the server's 60 s timeout.
MAX_ACCOUNTS = 200
WIDTHS = {COL_USERNAME: 16}


@dataclass(frozen=True)
class IssuedAccount:
    """One slip: who logs in where, and the password they must replace at first login."""

    username: str
    name: str
    unit: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class ImportResult:
    accounts: list[IssuedAccount]
    people_created: int
    people_linked: int
    file_sha256: str

    @property
    def created(self) -> int:
        return len(self.accounts)


@dataclass
class _Row:
    number: int
    username: str
    name: str
    unit: Organization
    phone: str
    person: Person | None = None


def _name(raw: str) -> str:
    if len(raw) > NAME_MAX:
        raise ValueError(_("不能超过 %(n)s 个字", n=NAME_MAX))
    return check_text(raw)


def _check_row(
    number: int,
    cells: dict[str, str],
    units: UnitFinder,
    usernames: dict[str, int],
    errors: list[RowError],
) -> _Row | None:
    check = RowCheck(number, cells, errors)
    username = check.parsed(COL_USERNAME, clean_username, required=True)
    if username in usernames:
        check.problem(COL_USERNAME, _("与第 %(n)s 行的用户名重复", n=usernames[username]))
    elif username:
        usernames[username] = number
    name = check.parsed(COL_NAME, _name, required=True)
    unit = check.parsed(COL_UNIT, units.find, required=True)
    phone = check.parsed(COL_PHONE, normalise_phone, required=True)
    if not (check.ok and username and name and unit and phone):
        return None
    return _Row(number, username, name, unit, phone)


def _taken(usernames: dict[str, int]) -> list[tuple[int, str]]:
    """(row, username) of the file's usernames that an account already has."""
    found = db.session.scalars(select(User.username).where(User.username.in_(list(usernames))))
    return sorted((usernames[name], name) for name in found)


def _match_people(rows: list[_Row], errors: list[RowError]) -> None:
    """Point each row at the person of its unit with the same name and phone, if there is one;
    refuse a worker who already has an account or is named twice in the file."""
    candidates: dict[tuple[int, str], list[Person]] = {}
    for person in db.session.scalars(
        select(Person).where(
            Person.organization_id.in_({row.unit.id for row in rows}),
            Person.name.in_({row.name for row in rows}),
        )
    ):
        candidates.setdefault((person.organization_id or 0, person.name), []).append(person)
    seen: dict[tuple[int, str, str], int] = {}
    for row in rows:
        key = (row.unit.id, row.name, row.phone)
        if key in seen:
            errors.append(
                RowError(
                    row.number,
                    COL_NAME,
                    _("与第 %(n)s 行是同一位职工（姓名、单位和联系电话都相同）", n=seen[key]),
                )
            )
            continue
        seen[key] = row.number
        same = [
            p for p in candidates.get((row.unit.id, row.name), []) if p.reveal_phone() == row.phone
        ]
        row.person = same[0] if same else None
    linked = [row for row in rows if row.person is not None]
    if not linked:
        return
    accounts: dict[int | None, str] = {
        person_id: username
        for person_id, username in db.session.execute(
            select(User.person_id, User.username).where(
                User.person_id.in_([row.person.id for row in linked if row.person])
            )
        )
    }
    for row in linked:
        if row.person and row.person.id in accounts:
            username = accounts[row.person.id]
            errors.append(
                RowError(row.number, COL_NAME, _("该职工已有账号“%(username)s”", username=username))
            )


def import_judges(actor: User | None, data: bytes, filename: str) -> ImportResult:
    """Check every row, then create every judge account, or refuse the file with every problem.

    ``actor`` None is the command line (the whole tree). Raises :class:`SheetRefused`; the
    caller commits, and shows the one-time passwords once.
    """
    sheet = read_sheet(data, filename)
    header_errors = header_problems(sheet.headers, HEADERS, HEADERS)
    if header_errors:
        raise SheetRefused(header_errors)
    if sheet.frame.empty:
        raise SheetRefused([RowError(0, "", _("文件中没有评委账号"))])
    if len(sheet.row_numbers) > MAX_ACCOUNTS:
        raise SheetRefused(
            [RowError(0, "", _("一次最多创建 %(n)d 个账号，请分批导入", n=MAX_ACCOUNTS))]
        )
    units = UnitFinder(actor)
    errors: list[RowError] = []
    usernames: dict[str, int] = {}
    rows = [
        row
        for number, cells in row_cells(sheet)
        if (row := _check_row(number, cells, units, usernames, errors)) is not None
    ]
    for number, username in _taken(usernames):
        errors.append(RowError(number, COL_USERNAME, _("用户名“%(name)s”已存在", name=username)))
    if rows:
        _match_people(rows, errors)
    if errors:
        raise SheetRefused(sorted(errors, key=lambda e: (e.row, e.column)))
    accounts = []
    for row in rows:
        person = row.person or create_person(
            actor, PersonData(name=row.name, organization=row.unit, phone=row.phone)
        )
        password = one_time_password()
        create_user(
            actor,
            row.username,
            password,
            Role.JUDGE,
            row.unit,
            row.name,
            person=person,
            must_change_password=True,
        )
        accounts.append(IssuedAccount(row.username, row.name, row.unit.name, password))
    linked = sum(1 for row in rows if row.person is not None)
    sha = hashlib.sha256(data).hexdigest()
    audit.record(
        actor,
        "user.import",
        "user",
        None,
        after={
            "created": len(accounts),
            "role": Role.JUDGE.value,
            "people_created": len(rows) - linked,
            "people_linked": linked,
            "file_sha256": sha,
            "filename": filename[-200:],
        },
    )
    db.session.flush()
    return ImportResult(accounts, len(rows) - linked, linked, sha)


def template_workbook() -> bytes:
    """The import template; its example (a test phone number, not a real person's) is on the
    填写说明 sheet, which the import does not read."""
    example = {
        COL_USERNAME: "zhangwei_jsxy",
        COL_NAME: "张伟",
        COL_UNIT: "江州技师学院工会",
        COL_PHONE: "13800138000",
    }
    return template_xlsx(
        "评委账号导入模板",
        HEADERS,
        required=HEADERS,
        examples=[example],
        notes={COL_UNIT: "组织名称或组织代码", COL_USERNAME: "登录用的用户名，不能与已有账号重复"},
        widths=WIDTHS,
    )


__all__ = ["HEADERS", "ImportResult", "IssuedAccount", "import_judges", "template_workbook"]
