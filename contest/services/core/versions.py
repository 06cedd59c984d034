"""Content versions: the one way public caches learn that what they show has changed.

A write that changes public content bumps its content's version in the same transaction;
readers in every process key their cached copies on the current version (``contest.caching``),
so a change is visible everywhere as soon as it commits, without a message bus. The names are
here, in the core, because several journeys write the same content: a published contest adds
honors, a person edit changes what the wall reads.
"""

from __future__ import annotations

from sqlalchemy import select

from contest.extensions import db
from contest.models import ContentVersion
from contest.models.base import utcnow

HONORS_CONTENT = "honors"
RESULTS_CONTENT = "results"
# Published rounds of labor competitions: their standings, red flags and public pages.
LABOR_CONTENT = "labor"
# Nomination campaigns' public side: 公示 lists (and the campaigns API), changed by a start, a
# supplementary notice, a nominee removed on an objection, a conferral.
PUBLICITY_CONTENT = "publicity"


def bump_version(name: str) -> int:
    """Mark ``name`` as changed; the row lock keeps two concurrent bumps from losing one."""
    row = db.session.scalars(
        select(ContentVersion).where(ContentVersion.name == name).with_for_update()
    ).first()
    if row is None:
        row = ContentVersion(name=name, version=0)
        db.session.add(row)
    row.version = (row.version or 0) + 1
    row.changed_at = utcnow()
    db.session.flush()
    return row.version
