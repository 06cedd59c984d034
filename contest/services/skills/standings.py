"""An event's provisional standings: its counted marks ranked under its rubric and policy.

The one door from the database to ``scoring.rank_with_policy``: the review pages rank with it
to build the re-check list (top N), and publishing ranks with it to freeze the results, so both
see the same marks (:func:`contest.services.skills.marks.marks_frame`), the same rubric
(:func:`contest.services.skills.rubrics.scoring_rubric`) and the same policy
(:func:`contest.services.skills.policies.policy_for`).
"""

from __future__ import annotations

import scoring
from contest.models import Event
from contest.services.skills.marks import marks_frame
from contest.services.skills.policies import policy_for
from contest.services.skills.rubrics import scoring_rubric

__all__ = ["ranking"]


def ranking(event: Event) -> scoring.RankingResult:
    """Rank the event's submitted and locked sheets (entry ids in ``result.table["entry"]``).

    Raises ``scoring.ScoringError`` (``ScoringInputError`` for marks the rubric refuses,
    ``PolicyError`` for a policy that does not fit, e.g. trimming more marks than a panel has,
    or an event with no counted marks yet); callers show its message.
    """
    return scoring.rank_with_policy(marks_frame(event), scoring_rubric(event), policy_for(event))
