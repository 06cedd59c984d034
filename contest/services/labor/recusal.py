"""Who on a labor competition's assessment team stands aside for which participant (回避).

DOMAIN rule 6: an assessor with an interest in a participant must not mark it, and one stands
aside when their own team competes. The skills contest's rule (a judge whose unit is the
entrant's unit or lies below it, ``contest.services.skills.access.unit_recusal``) is the first
half here; labor adds the line above the unit, as the nomination review does for the
recommending unit, because a union competition is assessed down the union tree:

1. **Same unit or below it**: the assessor's organisation is the participant's organisation,
   or lies below it (a JUDGE account of the unit's own union, of one of its branch unions).
2. **The line above it, below the host**: the assessor's organisation is an ancestor of the
   participant's organisation and lies strictly below the host union — a district union's
   people do not assess the grassroots unions of their own district in a city competition.
   The host itself and whatever is above it do not stand aside: the competition is theirs,
   and otherwise nobody could assess anyone.

Organisations on other branches never stand aside. A participant without an organisation, or
an assessor account without one, has no unit to compare: no automatic recusal. The rule is
applied wherever marking is decided (``scoring.assesses`` and ``scoring.assess_refusal``: task
lists, the round's progress and expected sheets, the Excel template and import) and shown on
the 考评组 page (:func:`stand_asides`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from contest.models import Assessor, Competition, Organization, Participant
from contest.services.labor.base import covers

__all__ = ["StandAside", "recusal_reason", "stand_asides"]


def recusal_reason(
    user: Any, participant: Participant, host: Organization | None = None
) -> str | None:
    """Why ``user`` (an assessor's account) stands aside for ``participant`` by the unit rule
    of the module docstring, None when they need not. ``host``: the competition's union
    (read from the participant's competition when not given)."""
    own: Organization | None = getattr(user, "organization", None)
    if own is None or participant.organization_id is None:
        return None
    if participant.organization_id in own.path_ids:
        return _("考评人员与该参赛单位同属一个单位（或其下属单位），自动回避")
    host = host if host is not None else participant.competition.organization
    if own.id == host.id or not host.contains(own):
        return None  # the host and the rest of the tree: only the first rule applies
    unit = participant.organization
    if unit is not None and own.contains(unit):
        return _("考评人员所在单位是该参赛单位的上级工会，自动回避")
    return None


@dataclass(frozen=True)
class StandAside:
    """A participant an assessor stands aside for, and why."""

    participant: Participant
    reason: str


def stand_asides(
    competition: Competition, team: Sequence[Assessor], participants: Iterable[Participant]
) -> dict[int, list[StandAside]]:
    """Assessor id → the competing participants (of the ones given, not withdrawn, in the
    assessor's track) they stand aside for under the unit rule, for the 考评组 page."""
    host = competition.organization
    competing = [p for p in participants if p.withdrawn_at is None]
    found: dict[int, list[StandAside]] = {}
    for assessor in team:
        if assessor.user.organization is None:
            continue
        for participant in competing:
            if not covers(assessor, participant):
                continue
            reason = recusal_reason(assessor.user, participant, host)
            if reason is not None:
                found.setdefault(assessor.id, []).append(StandAside(participant, reason))
    return found
