"""Seals of published labor rounds: what a round's results were when it was published, checked
whenever the public side reads them.

Publishing a round records, in its audit entry (``competition.round.publish``, whose hash chain
the database alone cannot rewrite), the SHA-256 of the round's results — per participant its
total, rank, 一票否决 and grade, in participant order (:func:`round_rows`). The public pages
read a round through :func:`check`: the stored results must hash to the digest of the latest
publish entry of that round, and that entry must hold in the chain. A result changed behind the
publication (a total edited in the database, a rank rewritten) shows as a warning to the
competition's organizers and is logged; a round reopened and published again is sealed again.
The same canonical JSON and digest as the skills contest's snapshots
(``contest.services.core.digests``).

Rounds published before seals existed have no digest in their entry: they are *unsealed*, not
broken, and nothing is shown.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from contest.extensions import db
from contest.models import AuditEntry, Round, RoundResult
from contest.services.core import audit
from contest.services.core.digests import rows_digest

log = logging.getLogger(__name__)
PUBLISH_ACTION = "competition.round.publish"
CENT = Decimal("0.01")


def round_rows(round_id: int) -> list[dict[str, Any]]:
    """The round's results as the seal records them, by participant id."""
    rows = db.session.execute(
        select(
            RoundResult.participant_id,
            RoundResult.total,
            RoundResult.rank,
            RoundResult.vetoed,
            RoundResult.grade,
        )
        .where(RoundResult.round_id == round_id)
        .order_by(RoundResult.participant_id)
    )
    return [
        {
            "participant": int(pid),
            "total": str(Decimal(str(total)).quantize(CENT)),
            "rank": None if rank is None else int(rank),
            "vetoed": bool(vetoed),
            "grade": grade or None,
        }
        for pid, total, rank, vetoed, grade in rows
    ]


def digest(round_id: int) -> str:
    """The digest of the round's stored results (what :func:`publish_fields` records)."""
    return rows_digest(round_rows(round_id))


def publish_fields(round_: Round) -> dict[str, Any]:
    """What the publish audit entry records to seal ``round_`` (its id and results' digest)."""
    return {"round_id": round_.id, "digest": digest(round_.id)}


@dataclass(frozen=True)
class Seal:
    """How a published round's stored results compare with its publication.

    ``sealed``: a digest was recorded when it was published; ``problem`` (English, for the log
    and the organizers' warning) is set when the results do not match it.
    """

    sealed: bool
    problem: str = ""

    @property
    def broken(self) -> bool:
        return bool(self.problem)


def _entry(round_: Round) -> tuple[AuditEntry, dict[str, Any]] | None:
    """The latest publish entry of ``round_`` that records a digest, with its fields."""
    for entry, after in audit.recorded(
        PUBLISH_ACTION, "competition", round_.competition_id, newest_first=True
    ):
        if after.get("round_id") == round_.id and after.get("digest"):
            return entry, after
    return None


def check(round_: Round) -> Seal:
    """Whether ``round_``'s stored results are the ones published (logged when not)."""
    found = _entry(round_)
    if found is None:
        return Seal(sealed=False)
    entry, after = found
    problem = ""
    if not audit.entry_holds(entry):
        problem = f"its publish audit entry {entry.id} does not match its hash"
    elif not hmac.compare_digest(str(after["digest"]), digest(round_.id)):
        problem = f"its results do not hash to the digest audit entry {entry.id} recorded"
    if problem:
        log.warning(
            "labor round %s of competition %s: %s", round_.id, round_.competition_id, problem
        )
    return Seal(sealed=True, problem=problem)


def warning(seal: Seal) -> str:
    """The organizers' warning for a broken seal ('' when it holds)."""
    if not seal.broken:
        return ""
    return _(
        "本轮成绩与公布时记录的校验值不一致，可能在公布后被改动；请核对并重新开放本轮后重新公布。"
    )
