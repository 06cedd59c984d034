"""Pure judging mathematics: marks in, totals, ranks, awards and agreement statistics out.

The library never imports Flask, SQLAlchemy, WTForms or the ``contest`` application; it takes
pandas DataFrames and frozen rule objects and returns new DataFrames, leaving its inputs alone.
Formulas, tie-break order and award rules are documented in ``docs/scoring.md``.
"""

from scoring.agreement import icc, krippendorff_alpha
from scoring.columns import COMPONENT, CRITERION, ENTRY, JUDGE, SCORE, TEAM, TIME
from scoring.errors import PolicyError, Problem, ScoringError, ScoringInputError
from scoring.indicators import Item, RoundScores, grade, item_points, round_scores
from scoring.judges import judge_report, spread_flags
from scoring.ranking import RankingResult, rank, rank_with_policy
from scoring.recheck import RecheckOutcome, recheck_outcome, recheck_sample
from scoring.rounds import RoundSpec, red_flags, standings, track_ranks
from scoring.rules import (
    AwardBand,
    Component,
    Criterion,
    RankingPolicy,
    Rubric,
    StandardScale,
    TieBreak,
    Title,
    parse_awards,
)

__all__ = [
    "COMPONENT",
    "CRITERION",
    "ENTRY",
    "JUDGE",
    "SCORE",
    "TEAM",
    "TIME",
    "AwardBand",
    "Component",
    "Criterion",
    "Item",
    "PolicyError",
    "Problem",
    "RankingPolicy",
    "RankingResult",
    "RecheckOutcome",
    "RoundScores",
    "RoundSpec",
    "Rubric",
    "ScoringError",
    "ScoringInputError",
    "StandardScale",
    "TieBreak",
    "Title",
    "grade",
    "icc",
    "item_points",
    "judge_report",
    "krippendorff_alpha",
    "parse_awards",
    "rank",
    "rank_with_policy",
    "recheck_outcome",
    "recheck_sample",
    "red_flags",
    "round_scores",
    "spread_flags",
    "standings",
    "track_ranks",
]
