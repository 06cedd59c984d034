"""Who the published results put forward for a title (推荐, DOMAIN §1.11): what a nomination
campaign (评选表彰) reads when it opens, e.g. each event's champion for the 五一劳动奖章.

A recommendation is not an honor: it is stored on the published result rows
(``ResultRow.recommended``), never on the wall, and only the current snapshot of a published
contest counts, so a correction republished after an appeal changes who is put forward.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from contest.extensions import db
from contest.models import Contest, ContestStatus, Event, ResultRow, ResultSnapshot


@dataclass(frozen=True)
class Recommendation:
    """One entrant put forward for ``title`` by a contest's published results."""

    title: str
    person_id: int | None
    name: str
    organization: str
    contest_id: int
    contest_name: str
    year: int
    level: str
    event_label: str
    rank: int | None


def recommendations(title: str | None = None, *, year: int | None = None) -> list[Recommendation]:
    """Every recommendation of the current snapshots of published contests (optionally one
    title, one year), newest contest first, then by event and rank."""
    query = (
        select(ResultRow, Contest, Event)
        .join(ResultSnapshot, ResultRow.snapshot_id == ResultSnapshot.id)
        .join(Contest, ResultSnapshot.contest_id == Contest.id)
        .join(Event, ResultRow.event_id == Event.id)
        .where(
            ResultSnapshot.is_current.is_(True),
            Contest.status.in_((ContestStatus.PUBLISHED, ContestStatus.ARCHIVED)),
        )
        .order_by(Contest.year.desc(), Contest.id.desc(), Event.position, ResultRow.position)
    )
    if year is not None:
        query = query.where(Contest.year == year)
    found = []
    for row, contest, event in db.session.execute(query):
        for name in row.recommended or []:
            if title is not None and name != title:
                continue
            found.append(
                Recommendation(
                    title=name,
                    person_id=row.person_id,
                    name=row.name,
                    organization=row.organization,
                    contest_id=contest.id,
                    contest_name=contest.name,
                    year=contest.year,
                    level=contest.level.value,
                    event_label=event.label,
                    rank=row.rank,
                )
            )
    return found
