"""An event's provisional standings: its counted marks ranked under its rubric and policy.

The one door from the database to ``scoring.rank_with_policy``: the review pages rank with it
to build the re-check list (top N), and publishing ranks with it to freeze the results, so both
see the same marks (:func:`contest.services.skills.marks.marks_frame`), the same rubric
(:func:`contest.services.skills.rubrics.scoring_rubric`) and the same policy
(:func:`contest.services.skills.policies.policy_for`).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

import scoring
from contest.extensions import db
from contest.models import Entry, Event
from contest.services.skills.marks import marks_frame
from contest.services.skills.policies import policy_for, team_total_of
from contest.services.skills.rubrics import scoring_rubric
from scoring import ENTRY, TEAM

__all__ = ["ranking", "team_captains", "team_ranking"]


def ranking(event: Event) -> scoring.RankingResult:
    """Rank the event's submitted and locked sheets (entry ids in ``result.table["entry"]``).

    Raises ``scoring.ScoringError`` (``ScoringInputError`` for marks the rubric refuses,
    ``PolicyError`` for a policy that does not fit, e.g. trimming more marks than a panel has,
    or an event with no counted marks yet); callers show its message.
    """
    return scoring.rank_with_policy(marks_frame(event), scoring_rubric(event), policy_for(event))


def team_captains(event: Event) -> dict[int, int]:
    """A member-scored team event's entries → their team's captain entry (the team's key).

    A team is the entries of one unit under one 队名 (registration keeps the name unique per
    unit and event); its captain registered first, so has the lowest id.
    """
    rows = db.session.execute(
        select(Entry.id, Entry.organization_id, Entry.team_name)
        .where(Entry.event_id == event.id)
        .order_by(Entry.id)
    )
    captains: dict[tuple[int, str | None], int] = {}
    return {
        entry_id: captains.setdefault((unit_id, team_name), entry_id)
        for entry_id, unit_id, team_name in rows
    }


def team_ranking(event: Event) -> tuple[scoring.RankingResult, scoring.RankingResult]:
    """A member-scored team event (policy ``team_total`` sum or mean) ranked twice over the
    same marks: the teams (``table["entry"]`` the captain's entry, ``table["members"]`` the
    entries that were scored) and the members alone, for each member's own total.

    Only members with counted marks are in a team's total: a member who did not compete (缺考,
    退赛) adds nothing to a sum and is not counted in a mean.
    """
    mode = team_total_of(event)
    if mode is None:
        raise ValueError(f"event {event.id} is not a member-scored team event")
    marks, rubric, policy = marks_frame(event), scoring_rubric(event), policy_for(event)
    teams = marks.assign(**{TEAM: marks[ENTRY].map(team_captains(event))})
    team_policy = replace(policy, team_total=mode)
    return (
        scoring.rank_with_policy(teams, rubric, team_policy),
        scoring.rank_with_policy(marks, rubric, policy),
    )
