"""Judge leniency, spread, correlation, spread flags and the re-check rules."""

import numpy as np
import pandas as pd
import pytest
from helpers import sheet

from scoring import (
    Criterion,
    RankingPolicy,
    Rubric,
    judge_report,
    rank,
    rank_with_policy,
    recheck_outcome,
    recheck_sample,
    spread_flags,
)


def panel():
    # judges a and b agree; c is 2 points more lenient on every sheet
    rows = []
    for entry, base in {"E1": 3, "E2": 5, "E3": 7, "E4": 4}.items():
        rows += [(entry, "a", "c", base), (entry, "b", "c", base), (entry, "c", "c", base + 2)]
    return sheet(rows)


def test_leniency_against_the_other_judges():
    report = judge_report(panel())
    assert report.loc["c", "leniency"] == pytest.approx(2.0)
    assert report.loc["a", "leniency"] == pytest.approx(-1.0)  # a vs mean(b, c) = base + 1
    assert report.loc["c", "marks"] == 4
    assert report.loc["c", "correlation"] == pytest.approx(1.0)


def test_leniency_in_percent_of_the_rubric_max():
    report = judge_report(panel(), Rubric((Criterion("c", 10),)))
    assert report.loc["c", "leniency_pct"] == pytest.approx(20.0)


def test_spread_compares_a_judge_with_the_panel():
    rows = []
    for entry, base in {"E1": 2, "E2": 5, "E3": 8}.items():
        rows += [(entry, "wide", "c", base + (base - 5)), (entry, "narrow", "c", 5)]
    report = judge_report(sheet(rows))
    assert report.loc["narrow", "spread"] == 0.0
    assert report.loc["wide", "spread"] > 1.0
    assert np.isnan(report.loc["narrow", "correlation"])


def test_spread_flags_only_sheets_beyond_the_allowed_difference():
    rubric = Rubric((Criterion("J", 3, kind="judgement", scale=3), Criterion("M", 10)))
    scores = sheet(
        [
            ("E1", "a", "J", 0),
            ("E1", "b", "J", 2),
            ("E1", "c", "J", 1),
            ("E2", "a", "J", 1),
            ("E2", "b", "J", 2),
            ("E2", "c", "J", 2),
            ("E1", "a", "M", 0),
            ("E1", "b", "M", 9),
            ("E2", "a", "M", 5),
            ("E2", "b", "M", 5),
        ]
    )
    flags = spread_flags(scores, 1, rubric)
    assert flags[["entry", "criterion", "low", "high", "spread", "judges"]].values.tolist() == [
        ["E1", "J", 0, 2, 2, 3]
    ]
    assert len(spread_flags(scores, 1)) == 2  # without a rubric every criterion is checked
    result = rank_with_policy(scores, rubric, RankingPolicy(max_spread=1))
    assert result.flags["entry"].tolist() == ["E1"]


def test_recheck_sample_takes_the_top_and_at_least_fifteen_percent_of_the_rest():
    ranking = rank(sheet([(f"E{i:03d}", "J", "c", 200 - i) for i in range(100)]))
    chosen = recheck_sample(ranking, top=10, fraction=0.15, seed=7)
    top = chosen[chosen["reason"] == "top"]
    assert top["rank"].tolist() == list(range(1, 11))
    sample = chosen[chosen["reason"] == "sample"]
    assert len(sample) == 14  # ceil(0.15 × 90) = 13.5 → 14
    assert sample["rank"].min() > 10
    again = recheck_sample(ranking, top=10, fraction=0.15, seed=7)
    pd.testing.assert_frame_equal(chosen, again)
    other = recheck_sample(ranking, top=10, fraction=0.15, seed=8)
    assert other["entry"].tolist() != chosen["entry"].tolist()


def test_recheck_sample_includes_ties_at_the_top_edge():
    ranking = pd.DataFrame({"entry": ["a", "b", "c", "d"], "rank": [1, 2, 2, 4]})
    chosen = recheck_sample(ranking, top=2, fraction=0)
    assert chosen["entry"].tolist() == ["a", "b", "c"]


def test_error_rate_rule():
    assert not recheck_outcome(100, 5).remark_all  # exactly 5 % is not above 5 %
    assert recheck_outcome(100, 6).remark_all
    assert recheck_outcome(20, 2).remark_all
    assert "须全部重新评分" in recheck_outcome(20, 2).message
