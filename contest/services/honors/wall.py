"""Reading the honor wall: public fields only, by construction.

Queries here select named columns and build :class:`PublicHonor` objects, which have no field
for an ID number, phone, address or birth date, so no template or API response fed from this
module can leak one. Revoked honors never leave this module, nor do lapsed ones (a rating's
grade past its ``valid_until``): every query here filters through
:mod:`contest.services.honors.validity`, except :func:`lapsed`, which says that one has lapsed.

A deceased honoree stays on the wall, marked 已故: the one thing the wall reads of the private
劳模 archive is a file's ``status`` (never its dates or contact details), for the people of the
page being built, in one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from flask import url_for
from sqlalchemy import Select, and_, func, select, text

from contest.extensions import db
from contest.models import (
    Gender,
    Honor,
    HonoreeFile,
    HonorLevel,
    HonorStatus,
    LifeStatus,
    Organization,
    OrgKind,
    Person,
    RecipientKind,
)
from contest.models.honor import title_with_trade
from contest.services.honors.validity import not_lapsed, valid_on
from contest.validation import db_int

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 24


@dataclass(frozen=True)
class PublicHonor:
    """One honor as the public may see it (DOMAIN.md §27, §30)."""

    id: int
    name: str
    is_female: bool
    recipient_kind: str
    title: str
    level: str  # HonorLevel value
    level_label: str
    year: int
    organization: str | None
    post: str | None
    skill_level: str | None
    industry: str | None
    conferring_body: str | None
    document_number: str | None
    photo_url: str | None
    deeds_summary: str | None
    url: str
    trade: str | None = None  # 工种 of a contest title
    is_deceased: bool = False  # the 劳模 archive says 去世: the page marks 已故

    @property
    def display_title(self) -> str:
        return title_with_trade(self.title, self.trade)

    def to_api(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("level_label")
        data.pop("is_deceased")
        return data


@dataclass(frozen=True)
class WallQuery:
    q: str = ""
    title: str = ""
    level: str = ""
    year_from: int | None = None
    year_to: int | None = None
    org: int | None = None
    industry: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def from_args(cls, args: Any, *, per_page_default: int = DEFAULT_PER_PAGE) -> WallQuery:
        def _int(name: str) -> int | None:
            try:
                return db_int(args.get(name) or "")
            except ValueError:
                return None  # absent, not plain digits, or past the database's range

        level = (args.get("level") or "").strip()
        return cls(
            q=(args.get("q") or "").strip()[:50],
            title=(args.get("title") or "").strip()[:100],
            level=level if level in {lv.value for lv in HonorLevel} else "",
            year_from=_int("year_from") or _int("year"),
            year_to=_int("year_to") or _int("year"),
            org=_int("org"),
            industry=(args.get("industry") or "").strip()[:60],
            page=max(_int("page") or 1, 1),
            per_page=min(max(_int("per_page") or per_page_default, 1), MAX_PER_PAGE),
        )

    def cache_key(self) -> str:
        return repr(asdict(self))


@dataclass(frozen=True)
class WallPage:
    items: list[PublicHonor]
    total: int
    query: WallQuery

    @property
    def pages(self) -> int:
        return max((self.total + self.query.per_page - 1) // self.query.per_page, 1)


@dataclass(frozen=True)
class PublicProfile:
    main: PublicHonor
    honors: list[PublicHonor]
    deeds_full: str | None


@dataclass
class WallFacets:
    # (HonorLevel value, titles): highest level first, each title once, under the highest
    # level it is held at, the most held first.
    title_groups: list[tuple[str, list[str]]] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    years: tuple[int, int] | None = None
    organizations: list[tuple[int, str, int]] = field(default_factory=list)  # id, name, depth


# ------------------------------------------------------------------ queries


_COLUMNS = (
    Honor.id,
    Honor.recipient_name,
    Honor.recipient_kind,
    Honor.title,
    Honor.level,
    Honor.year,
    Honor.unit_name,
    Honor.post,
    Honor.skill_level,
    Honor.trade,
    Honor.industry,
    Honor.conferring_body,
    Honor.document_number,
    Honor.deeds_summary,
    Honor.person_id,
    Person.gender,
    Person.photo_filename,
    Person.consent_photo,
    Person.consent_deeds,
)


def escape_like(text: str) -> str:
    """``%``, ``_`` and ``\\`` are plain characters in a search, not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _public_rows(searching: bool = False) -> Select[Any]:
    return (
        select(*_COLUMNS)
        .select_from(Honor)
        .outerjoin(Person, Person.id == Honor.person_id)
        .where(_valid(searching))
    )


def _valid(searching: bool) -> Any:
    """Held today (:func:`~contest.services.honors.validity.valid_on`). For a substring search
    on SQLite the status test is written ``+honors.status``: otherwise SQLite walks the status
    index and fetches every row by rowid to test the LIKE, about 4× slower on 100,000 honors
    than the plain table scan the unary plus asks for."""
    if searching and db.session.get_bind().dialect.name == "sqlite":
        return and_(text(f"+honors.status = '{HonorStatus.VALID.name}'"), not_lapsed())
    return valid_on()


def _filtered(query: WallQuery) -> Select[Any]:
    stmt = _public_rows(searching=bool(query.q))
    if query.q:
        stmt = stmt.where(Honor.search_text.like(f"%{escape_like(query.q)}%", escape="\\"))
    if query.title:
        stmt = stmt.where(Honor.title.like(f"%{escape_like(query.title)}%", escape="\\"))
    if query.level:
        stmt = stmt.where(Honor.level == HonorLevel(query.level))
    if query.year_from is not None:
        stmt = stmt.where(Honor.year >= query.year_from)
    if query.year_to is not None:
        stmt = stmt.where(Honor.year <= query.year_to)
    if query.industry:
        stmt = stmt.where(Honor.industry == query.industry)
    if query.org is not None:
        org = db.session.get(Organization, query.org)
        path = org.path if org is not None else "/none/"
        stmt = stmt.where(
            Honor.organization_id.in_(
                select(Organization.id).where(Organization.path.startswith(path))
            )
        )
    return stmt


def _deceased(rows: Iterable[Any]) -> set[int]:
    """The people among ``rows`` whose archive file says 去世 (one query per page)."""
    ids = {row.person_id for row in rows if row.person_id is not None}
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(HonoreeFile.person_id).where(
                HonoreeFile.person_id.in_(ids), HonoreeFile.status == LifeStatus.DECEASED
            )
        )
    )


def _to_public(row: Any, deceased: set[int] | frozenset[int] = frozenset()) -> PublicHonor:
    is_person = row.recipient_kind is RecipientKind.PERSON
    photo_ok = bool(row.person_id and row.consent_photo and row.photo_filename)
    # A unit's or team's deeds are not personal data; a person's need their consent.
    deeds_ok = (not is_person) or bool(row.consent_deeds)
    return PublicHonor(
        id=row.id,
        name=row.recipient_name,
        is_female=row.gender is Gender.FEMALE,
        recipient_kind=row.recipient_kind.value,
        title=row.title,
        level=row.level.value,
        level_label=row.level.label,
        year=row.year,
        organization=row.unit_name,
        post=row.post,
        skill_level=row.skill_level,
        industry=row.industry,
        conferring_body=row.conferring_body,
        document_number=row.document_number,
        photo_url=url_for("wall.photo", person_id=row.person_id) if photo_ok else None,
        deeds_summary=row.deeds_summary if deeds_ok else None,
        url=url_for("wall.profile", honor_id=row.id),
        trade=row.trade,
        is_deceased=row.person_id in deceased,
    )


ORDER = (Honor.level_rank, Honor.year.desc(), Honor.sort_key, Honor.id)


def search(query: WallQuery) -> WallPage:
    """One page of the wall: highest level first, newest year, then names in pinyin order."""
    stmt = _filtered(query)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(
        stmt.order_by(*ORDER).limit(query.per_page).offset((query.page - 1) * query.per_page)
    ).all()
    deceased = _deceased(rows)
    return WallPage([_to_public(r, deceased) for r in rows], int(total or 0), query)


def profile(honor_id: int) -> PublicProfile | None:
    """An honoree's page: this honor's recipient and all their valid honors, oldest first."""
    row = db.session.execute(_public_rows().where(Honor.id == honor_id)).first()
    if row is None:
        return None
    deceased = _deceased([row])
    main = _to_public(row, deceased)
    if row.person_id is not None:
        others = _public_rows().where(Honor.person_id == row.person_id)
    else:
        others = _public_rows().where(
            and_(
                Honor.person_id.is_(None),
                Honor.recipient_name == row.recipient_name,
                Honor.recipient_kind == row.recipient_kind,
            )
        )
    honors = [
        _to_public(r, deceased) for r in db.session.execute(others.order_by(Honor.year, Honor.id))
    ]
    deeds_full = None
    deeds_allowed = row.recipient_kind is not RecipientKind.PERSON or bool(row.consent_deeds)
    if deeds_allowed:
        deeds_full = db.session.scalar(
            select(Honor.deeds_full)
            .where(Honor.id.in_([h.id for h in honors]), Honor.deeds_full.is_not(None))
            .order_by(Honor.year.desc())
            .limit(1)
        )
    return PublicProfile(
        main=main,
        honors=honors,
        deeds_full=deeds_full,
    )


@dataclass(frozen=True)
class LapsedHonor:
    """What a link to a lapsed honor still tells (a printed QR card outlives a rating's year):
    whose title it was and until when, public fields only."""

    name: str
    title: str
    level_label: str
    year: int
    conferring_body: str | None
    valid_until: date


def lapsed(honor_id: int) -> LapsedHonor | None:
    """The honor ``honor_id`` if it is not revoked but has lapsed (None otherwise: held honors
    are read through :func:`profile`, revoked and unknown ones are not found)."""
    row = db.session.execute(
        select(
            Honor.recipient_name,
            Honor.title,
            Honor.trade,
            Honor.level,
            Honor.year,
            Honor.conferring_body,
            Honor.valid_until,
        ).where(
            Honor.id == honor_id,
            Honor.status == HonorStatus.VALID,
            ~not_lapsed(),
        )
    ).first()
    if row is None:
        return None
    return LapsedHonor(
        name=row.recipient_name,
        title=title_with_trade(row.title, row.trade),
        level_label=row.level.label,
        year=row.year,
        conferring_body=row.conferring_body,
        valid_until=row.valid_until,
    )


def facets() -> WallFacets:
    """Filter choices built from what the wall actually holds."""
    valid = valid_on()
    industries = db.session.scalars(
        select(Honor.industry)
        .where(valid, Honor.industry.is_not(None))
        .group_by(Honor.industry)
        .order_by(Honor.industry)
    ).all()
    span = db.session.execute(
        select(func.min(Honor.year), func.max(Honor.year)).where(valid)
    ).first()
    orgs = db.session.execute(
        select(Organization.id, Organization.name, Organization.path)
        .where(Organization.kind.in_(_WALL_ORG_KINDS))
        .order_by(Organization.path)
    ).all()
    return WallFacets(
        title_groups=_title_groups(),
        industries=list(industries),
        years=(int(span[0]), int(span[1])) if span and span[0] is not None else None,
        organizations=[(o.id, o.name, o.path.count("/") - 2) for o in orgs],
    )


TITLES_PER_LEVEL = 15


def _title_groups() -> list[tuple[str, list[str]]]:
    """The title filter's choices grouped by level (HonorLevel order), at most
    ``TITLES_PER_LEVEL`` per level: a visitor looking for 全国劳动模范 finds it first, not
    among forty titles in order of how many hold them."""
    best = func.min(Honor.level_rank)
    rows = db.session.execute(
        select(Honor.title, best)
        .where(valid_on())
        .group_by(Honor.title)
        .order_by(best, func.count().desc(), Honor.title)
    ).all()
    levels = list(HonorLevel)
    groups: dict[str, list[str]] = {}
    for title, rank in rows:
        titles = groups.setdefault(levels[rank].value, [])
        if len(titles) < TITLES_PER_LEVEL:
            titles.append(title)
    return list(groups.items())


# The union tree down to district level keeps the filter short; units are found by search.
_WALL_ORG_KINDS = [
    OrgKind.NATIONAL,
    OrgKind.PROVINCIAL,
    OrgKind.CITY,
    OrgKind.DISTRICT,
    OrgKind.INDUSTRY,
]


def photo_filename(person_id: int) -> str | None:
    """The stored photo of a person, only when they consented to publishing it."""
    row = db.session.execute(
        select(Person.photo_filename, Person.consent_photo)
        .where(Person.id == person_id, Person.consent_photo.is_(True))
        .where(select(Honor.id).where(Honor.person_id == person_id, valid_on()).exists())
    ).first()
    return row.photo_filename if row and row.photo_filename else None
