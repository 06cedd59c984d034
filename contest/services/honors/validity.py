"""Which honors count today: the one filter behind the wall, its search, profiles, kiosk,
statistics and API, and behind anyone else who asks whether an honor is held (nomination
eligibility, a labor competition's prior-title check).

An honor counts while it is not revoked and has not lapsed. Most honors never lapse
(``valid_until`` empty); a union rating's grade (六好, 星级职工之家) is re-rated yearly and
lapses after its ``valid_until`` day, or the day before a new rating of the same union replaces
it (DOMAIN §2 rule 17c: stars can be lowered or withdrawn). A lapsed honor leaves every public
place but stays in the record and in the admin lists, marked 已过期.

"Today" is the site's day (China time), so an honor valid until 31 December is on the wall
for all of that day in China and gone at the first request after midnight there; the public
caches key on the day for that reason (``contest.caching``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, or_

from contest.models import Honor, HonorStatus
from contest.models.base import local_time, utcnow

__all__ = ["is_current", "is_lapsed", "not_lapsed", "today", "valid_on"]


def today() -> date:
    """The site's day (China time, ``BABEL_DEFAULT_TIMEZONE``)."""
    return local_time(utcnow()).date()


def not_lapsed(day: date | None = None) -> ColumnElement[bool]:
    """SQL: the honor does not lapse, or is still valid on ``day`` (default today)."""
    return or_(Honor.valid_until.is_(None), Honor.valid_until >= (day or today()))


def valid_on(day: date | None = None) -> ColumnElement[bool]:
    """SQL: the honor is held on ``day`` (default today): not revoked and not lapsed.

    Callers add it to their ``where``; for a lapsed rating's grade in an eligibility rule ask
    with the day that matters (a nomination's closing day), not today."""
    return and_(Honor.status == HonorStatus.VALID, not_lapsed(day))


def is_lapsed(honor: Honor, day: date | None = None) -> bool:
    """Whether ``honor`` had lapsed by ``day`` (default today); revocation is another matter."""
    return honor.valid_until is not None and honor.valid_until < (day or today())


def is_current(honor: Honor, day: date | None = None) -> bool:
    """The Python twin of :func:`valid_on`, for one honor already loaded."""
    return honor.status is HonorStatus.VALID and not is_lapsed(honor, day)
