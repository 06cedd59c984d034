"""Aggregates for the wall's statistics page: GROUP BY in SQL, small DataFrames out.

Every query counts honors **held today** only (revoked and lapsed ones have left the wall: the
filter of ``contest.services.honors.validity``) and groups in the database, so the page costs
the same few queries at 300 honors or 100,000 and never loads honor rows into Python. Each
function is the one adapter from its query to a DataFrame whose columns are the constants
below (the wall's chart builders import them from here).

Counting unit: an *honor* (one conferral). A person honored three times counts three times in
every chart and share, which is how union yearbooks tally their 表彰 statistics; only the
"people honored" headline counts distinct people.

Shares, and what they are shares *of*:

* **Women**: among person honors whose recipient's gender is recorded. Honors of units and
  teams, and of people whose gender is unknown, are left out of numerator and denominator
  (reported as ``gender_unknown``) rather than silently counted as men.
* **Front-line workers**: among person honors whose recipient's worker category is recorded.
  Front-line means 一线职工, 产业工人 **and 农民工**: DOMAIN.md §19 lists 农民工 separately only as
  a slate quota, but they are production-line workers (our own demo data makes a migrant
  worker by re-labelling an industrial or front-line one), and leaving them out would make the
  front-line share fall whenever a roster records migrant status. 专业技术人员, 科教人员,
  企业负责人 and 机关干部 are not front-line.

Two figures count otherwise (issue #14 item 7):

* **The 工匠 pyramid** counts person honors whose title contains 工匠 (大国工匠, 省级工匠 …) per
  level — honors, as above; a 工匠创新工作室 (a unit's or team's title) is not a craftsman.
  The top three tiers stand beside the 2035 national targets
  (:data:`contest.services.honors.craftsmen.NATIONAL_TARGETS_2035`) scaled by the union's share
  of the country's workers (the setting :data:`contest.services.honors.craftsmen.SHARE`, read
  here, so a change shows when the honors' content version next moves or the cached copy
  expires); the lower tiers have no national target.
* **Honorees by status** counts *people* with a valid person honor by what their 劳模 file says
  (在职, 退休, 去世). Someone without a file (the archive keeps only the titles its setting
  names, or the union has not filed them yet) counts as 在职, and ``unfiled`` says how many.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, distinct, func, select

from contest.extensions import db
from contest.models import (
    Gender,
    Honor,
    HonoreeFile,
    HonorLevel,
    LifeStatus,
    Person,
    RecipientKind,
)
from contest.models.person import WorkerCategory
from contest.services.core import settings
from contest.services.honors import craftsmen
from contest.services.honors.validity import valid_on

# The columns of the frames below; the wall's chart builders read these names.
YEAR = "year"
LEVEL = "level"  # HonorLevel value, highest first when sorted by rank
TITLE = "title"
INDUSTRY = "industry"
DECADE = "decade"  # first year of the decade: 1950, 1960, ...
CATEGORY = "category"  # WorkerCategory value, or None when not recorded
COUNT = "count"
WOMEN = "women"
KNOWN = "known"  # person honors whose recipient's gender is recorded
TARGET = "target"  # the scaled 2035 target of a 工匠 tier, or None below 市级
STATUS = "status"  # LifeStatus value
UNFILED = "unfiled"  # of the 在职 count: people without a 劳模 file

CRAFTSMAN_WORD = "工匠"

TOP_TITLES = 15
TOP_INDUSTRIES = 15

FRONTLINE_CATEGORIES: frozenset[WorkerCategory] = frozenset(
    {WorkerCategory.FRONTLINE, WorkerCategory.INDUSTRIAL, WorkerCategory.MIGRANT}
)


@dataclass(frozen=True)
class Headline:
    """The figures above the charts."""

    honors: int
    people: int
    first_year: int | None
    last_year: int | None
    women: int
    gender_known: int
    gender_unknown: int
    frontline: int
    category_known: int

    @property
    def women_share(self) -> float | None:
        return self.women / self.gender_known if self.gender_known else None

    @property
    def frontline_share(self) -> float | None:
        return self.frontline / self.category_known if self.category_known else None


@dataclass(frozen=True)
class WallStats:
    """Everything the statistics page shows, small enough to cache per content version."""

    headline: Headline
    by_year_level: pd.DataFrame
    by_level: pd.DataFrame
    by_title: pd.DataFrame
    by_industry: pd.DataFrame
    women_by_decade: pd.DataFrame
    categories: pd.DataFrame
    craftsmen: pd.DataFrame
    statuses: pd.DataFrame
    craftsman_share: float  # per cent of the country's workers


def _valid() -> ColumnElement[bool]:
    return valid_on()


def _person_honor() -> ColumnElement[bool]:
    return Honor.recipient_kind == RecipientKind.PERSON


def _frame(rows: Iterable[Sequence[Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def honors_by_year_level() -> pd.DataFrame:
    """(year, level, count) for every year and level that has valid honors, by year."""
    rows = db.session.execute(
        select(Honor.year, Honor.level, func.count())
        .where(_valid())
        .group_by(Honor.year, Honor.level)
        .order_by(Honor.year)
    ).all()
    return _frame(((y, lv.value, n) for y, lv, n in rows), [YEAR, LEVEL, COUNT])


def honors_by_level() -> pd.DataFrame:
    """(level, count), highest level first."""
    rows = db.session.execute(
        select(Honor.level, func.count()).where(_valid()).group_by(Honor.level)
    ).all()
    ordered = sorted(rows, key=lambda row: row[0].rank)
    return _frame(((lv.value, n) for lv, n in ordered), [LEVEL, COUNT])


def honors_by_title(limit: int = TOP_TITLES) -> pd.DataFrame:
    """(title, count) of the ``limit`` most frequent titles; ties in title order (stable)."""
    count = func.count().label("n")
    rows = db.session.execute(
        select(Honor.title, count)
        .where(_valid())
        .group_by(Honor.title)
        .order_by(count.desc(), Honor.title)
        .limit(limit)
    ).all()
    return _frame(rows, [TITLE, COUNT])


def honors_by_industry(limit: int = TOP_INDUSTRIES) -> pd.DataFrame:
    """(industry, count) of the ``limit`` largest industries; ``None`` is "not recorded"."""
    count = func.count().label("n")
    rows = db.session.execute(
        select(Honor.industry, count)
        .where(_valid())
        .group_by(Honor.industry)
        .order_by(count.desc(), Honor.industry)
        .limit(limit)
    ).all()
    return _frame(rows, [INDUSTRY, COUNT])


def women_by_decade() -> pd.DataFrame:
    """(decade, women, known) over person honors: women, and honors with a recorded gender.

    The decade is ``year - year % 10`` (integer arithmetic, identical on SQLite and
    PostgreSQL).
    """
    decade = (Honor.year - Honor.year % 10).label("decade")
    rows = db.session.execute(
        select(decade, Person.gender, func.count())
        .select_from(Honor)
        .outerjoin(Person, Person.id == Honor.person_id)
        .where(_valid(), _person_honor())
        .group_by(decade, Person.gender)
    ).all()
    tally: dict[int, list[int]] = {}
    for dec, gender, n in rows:
        women_known = tally.setdefault(int(dec), [0, 0, 0])
        if gender is Gender.FEMALE:
            women_known[0] += n
        if gender is not None:
            women_known[1] += n
        else:
            women_known[2] += n
    return _frame(
        ((dec, w, k) for dec, (w, k, _unknown) in sorted(tally.items())), [DECADE, WOMEN, KNOWN]
    ).astype({DECADE: "int64", WOMEN: "int64", KNOWN: "int64"})


def worker_categories() -> pd.DataFrame:
    """(category, count) over person honors; category ``None`` when it is not recorded."""
    rows = db.session.execute(
        select(Person.category, func.count())
        .select_from(Honor)
        .outerjoin(Person, Person.id == Honor.person_id)
        .where(_valid(), _person_honor())
        .group_by(Person.category)
    ).all()
    order: dict[WorkerCategory | None, int] = {c: i for i, c in enumerate(WorkerCategory)}
    ordered = sorted(rows, key=lambda row: order.get(row[0], len(order)))
    return _frame(((c.value if c else None, n) for c, n in ordered), [CATEGORY, COUNT])


def craftsman_target(level: HonorLevel, share: float) -> int | None:
    """The 2035 national target of ``level``'s 工匠 tier scaled to ``share`` per cent, rounded
    and at least 1; ``None`` for a tier without a national target."""
    national = craftsmen.NATIONAL_TARGETS_2035.get(level.value)
    if national is None:
        return None
    return max(1, round(national * share / 100))


def craftsmen_by_level(share: float) -> pd.DataFrame:
    """(level, count, target) for every level, highest first: valid person honors whose title
    contains 工匠, and the tier's scaled 2035 target (:func:`craftsman_target`)."""
    rows = db.session.execute(
        select(Honor.level, func.count())
        .where(
            _valid(),
            _person_honor(),
            Honor.title.contains(CRAFTSMAN_WORD, autoescape=True),
        )
        .group_by(Honor.level)
    ).all()
    counts = {level: int(n) for level, n in rows}
    frame = _frame(((lv.value, counts.get(lv, 0)) for lv in HonorLevel), [LEVEL, COUNT])
    # Integers and None (no target), not floats and NaN.
    frame[TARGET] = pd.Series([craftsman_target(lv, share) for lv in HonorLevel], dtype=object)
    return frame


def honorees_by_status() -> pd.DataFrame:
    """(status, count, unfiled) for 在职, 退休, 去世: people with a valid person honor by their
    劳模 file's status; people without a file are counted 在职 (``unfiled`` of them)."""
    rows = db.session.execute(
        select(HonoreeFile.status, func.count(distinct(Honor.person_id)))
        .select_from(Honor)
        .outerjoin(HonoreeFile, HonoreeFile.person_id == Honor.person_id)
        .where(_valid(), _person_honor(), Honor.person_id.is_not(None))
        .group_by(HonoreeFile.status)
    ).all()
    counts = {status: int(n) for status, n in rows}  # one file per person: groups are disjoint
    unfiled = counts.pop(None, 0)
    return _frame(
        (
            (
                status.value,
                counts.get(status, 0) + (unfiled if status is LifeStatus.IN_SERVICE else 0),
                unfiled if status is LifeStatus.IN_SERVICE else 0,
            )
            for status in LifeStatus
        ),
        [STATUS, COUNT, UNFILED],
    )


def headline(women: pd.DataFrame, categories: pd.DataFrame) -> Headline:
    """Totals, distinct people and the year span in one query; shares from the frames above."""
    row = db.session.execute(
        select(
            func.count(),
            func.count(distinct(Honor.person_id)),
            func.min(Honor.year),
            func.max(Honor.year),
        ).where(_valid())
    ).one()
    person_honors = int(categories[COUNT].sum()) if not categories.empty else 0
    known_women = int(women[KNOWN].sum()) if not women.empty else 0
    frontline_values = {c.value for c in FRONTLINE_CATEGORIES}
    known_categories = categories[categories[CATEGORY].notna()]
    is_frontline = known_categories[CATEGORY].isin(frontline_values)
    return Headline(
        honors=int(row[0]),
        people=int(row[1]),
        first_year=int(row[2]) if row[2] is not None else None,
        last_year=int(row[3]) if row[3] is not None else None,
        women=int(women[WOMEN].sum()) if not women.empty else 0,
        gender_known=known_women,
        gender_unknown=person_honors - known_women,
        frontline=int(known_categories[is_frontline][COUNT].sum()),
        category_known=int(known_categories[COUNT].sum()),
    )


def collect() -> WallStats:
    """All aggregates of the page: ten small GROUP BY queries and the 工匠 share setting."""
    women = women_by_decade()
    categories = worker_categories()
    share = float(settings.read(craftsmen.SHARE))
    return WallStats(
        headline=headline(women, categories),
        by_year_level=honors_by_year_level(),
        by_level=honors_by_level(),
        by_title=honors_by_title(),
        by_industry=honors_by_industry(),
        women_by_decade=women,
        categories=categories,
        craftsmen=craftsmen_by_level(share),
        statuses=honorees_by_status(),
        craftsman_share=share,
    )


__all__ = [
    "FRONTLINE_CATEGORIES",
    "Headline",
    "WallStats",
    "collect",
    "craftsman_target",
    "craftsmen_by_level",
    "headline",
    "honorees_by_status",
    "honors_by_industry",
    "honors_by_level",
    "honors_by_title",
    "honors_by_year_level",
    "women_by_decade",
    "worker_categories",
]
