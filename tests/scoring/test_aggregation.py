"""Hand-computed totals for every aggregation method and severity correction."""

import math

import numpy as np
import pandas as pd
import pytest
from helpers import marks, sheet

from scoring import (
    Component,
    Criterion,
    RankingPolicy,
    Rubric,
    StandardScale,
    rank,
    rank_with_policy,
)


def totals(frame: pd.DataFrame) -> dict[object, float]:
    return dict(zip(frame["entry"], frame["total"], strict=True))


def test_mean_is_per_criterion_mean_summed_over_criteria():
    scores = sheet(
        marks("A", "c1", [8, 9])
        + marks("A", "c2", [5, 7])
        + marks("B", "c1", [9, 9])
        + marks("B", "c2", [4, 6])
    )
    assert totals(rank(scores)) == {"A": 14.5, "B": 14.0}


def test_median_takes_middle_mark_or_mean_of_the_two_middle_marks():
    scores = sheet(marks("A", "c", [1, 9, 5]) + marks("B", "c", [9, 1, 2, 8]))
    assert totals(rank(scores, method="median")) == {"A": 5.0, "B": 5.0}


def test_trimmed_drops_k_highest_and_k_lowest_marks():
    scores = sheet(marks("A", "c", [10, 2, 7, 8, 6]) + marks("B", "c", [9, 9, 1, 1, 5]))
    result = totals(rank(scores, method="trimmed", trim=1))
    assert result == {"A": 7.0, "B": pytest.approx(5.0)}  # (7+8+6)/3 and (9+1+5)/3


def test_trimmed_with_two_dropped_each_side():
    scores = sheet(marks("A", "c", [1, 2, 3, 40, 50]))
    assert totals(rank(scores, method="trimmed", trim=2)) == {"A": 3.0}


def test_sum_adds_the_judges_marks():
    scores = sheet(marks("A", "c", [1, 2, 3]))
    assert totals(rank_with_policy(scores, policy=RankingPolicy(method="sum")).table) == {"A": 6.0}


def test_judges_who_did_not_mark_are_excluded_not_zero():
    scores = sheet(
        [
            ("A", "J1", "c", 8),
            ("A", "J2", "c", 6),
            ("A", "J3", "c", None),
            *marks("B", "c", [7, 7, 7]),
        ]
    )
    assert totals(rank(scores)) == {"A": 7.0, "B": 7.0}


def test_trimmed_refuses_when_no_mark_would_remain():
    from scoring import ScoringInputError

    scores = sheet(marks("A", "c", [1, 2, 3, 4, 5]) + marks("B", "c", [1, 2]))
    with pytest.raises(ScoringInputError) as caught:
        rank(scores, method="trimmed", trim=1)
    [problem] = caught.value.problems
    assert problem.code == "too_few_judges"
    assert problem.entry == "B"
    assert problem.row == 5
    assert "B" in problem.message and "3" in problem.message


def test_trim_without_trimmed_method_is_a_policy_error():
    from scoring import PolicyError

    with pytest.raises(PolicyError):
        rank(sheet(marks("A", "c", [1])), method="mean", trim=1)


def test_judgement_marks_convert_to_the_aspect_max():
    rubric = Rubric(
        (
            Criterion("J1", 6, kind="judgement", scale=3),
            Criterion("M1", 4),
        )
    )
    scores = sheet(marks("A", "J1", [2, 3]) + marks("A", "M1", [4, 3]))
    result = rank_with_policy(scores, rubric)
    # judgement: mean 2.5 of 3 → 5 of 6 points; measurement mean 3.5
    assert result.table["total"].tolist() == [8.5]
    assert result.criteria.loc["A", "J1"] == pytest.approx(5.0)


def test_weighted_components_each_on_100():
    rubric = Rubric(
        (
            Criterion("T1", 40, component="theory"),
            Criterion("T2", 60, component="theory"),
            Criterion("P1", 50, component="practical"),
        ),
        (Component("theory", 30), Component("practical", 70)),
    )
    scores = sheet(marks("A", "T1", [40]) + marks("A", "T2", [20]) + marks("A", "P1", [45]))
    result = rank_with_policy(scores, rubric)
    # theory 60/100 → 60; practical 45/50 → 90; 0.3·60 + 0.7·90 = 81
    assert result.table["total"].tolist() == [81.0]
    assert result.components.loc["A"].tolist() == [60.0, 90.0]


def test_zscore_rescales_each_judge_to_the_criterion_mean_and_spread():
    # judge b is 4 points more lenient than judge a with the same spread
    scores = sheet(
        [
            ("E1", "a", "c", 1),
            ("E2", "a", "c", 2),
            ("E3", "a", "c", 3),
            ("E1", "b", "c", 5),
            ("E2", "b", "c", 6),
            ("E3", "b", "c", 7),
        ]
    )
    result = rank_with_policy(scores, policy=RankingPolicy(normalize="zscore", precision=4))
    table = result.table.set_index("entry")
    # z = −1.2247, 0, 1.2247 for both judges; sd_c / sd_judge = sqrt(28/6) / sqrt(2/3) = sqrt(7)
    assert table.loc["E1", "total"] == pytest.approx(4 - math.sqrt(7), abs=1e-4)
    assert table.loc["E3", "total"] == pytest.approx(4 + math.sqrt(7), abs=1e-4)
    assert table["raw_total"].to_dict() == {"E3": 5.0, "E2": 4.0, "E1": 3.0}


def test_zscore_removes_a_severe_judge_from_an_incomplete_looking_result():
    # same entries, judge b scores everyone 2 lower: ranking by z-scores equals ranking by a
    scores = sheet(
        [
            ("E1", "a", "c", 9),
            ("E2", "a", "c", 5),
            ("E3", "a", "c", 7),
            ("E1", "b", "c", 7),
            ("E2", "b", "c", 3),
            ("E3", "b", "c", 5),
        ]
    )
    ranked = rank(scores, normalize="zscore")
    assert ranked["entry"].tolist() == ["E1", "E3", "E2"]


def test_fair_score_recovers_additive_leniency_on_an_incomplete_panel():
    theta = {"E1": 6.0, "E2": 5.0, "E3": 4.0, "E4": 7.0}
    lenient = {"a": 1.0, "b": 0.0, "c": -1.0}
    panels = {"E1": "ab", "E2": "bc", "E3": "ac", "E4": "a"}
    rows = [(e, j, "c", theta[e] + lenient[j]) for e, panel in panels.items() for j in panel]
    rubric = Rubric((Criterion("c", 10),))
    result = rank_with_policy(sheet(rows), rubric, RankingPolicy(normalize="fair"))
    assert result.leniency is not None
    assert result.leniency.to_dict() == pytest.approx({"a": 10.0, "b": 0.0, "c": -10.0}, abs=1e-6)
    assert totals(result.table) == pytest.approx(theta, abs=0.01)
    # raw: E4 only seen by the lenient judge looks better than it is
    assert result.table.set_index("entry").loc["E4", "raw_total"] == 8.0


def test_team_total_is_sum_or_mean_of_members():
    rows = [
        ("m1", "J1", "c", 8, "T1"),
        ("m2", "J1", "c", 6, "T1"),
        ("m3", "J1", "c", 9, "T2"),
    ]
    scores = sheet(rows, "team")
    by_sum = rank_with_policy(scores, policy=RankingPolicy(team_total="sum")).table
    assert totals(by_sum) == {"T1": 14.0, "T2": 9.0}
    assert by_sum.set_index("entry").loc["T1", "members"] == ("m1", "m2")
    by_mean = rank_with_policy(scores, policy=RankingPolicy(team_total="mean")).table
    assert totals(by_mean) == {"T2": 9.0, "T1": 7.0}


def test_standardised_scale_puts_the_median_at_the_centre():
    scores = sheet(marks("A", "c", [10]) + marks("B", "c", [20]) + marks("C", "c", [30]))
    policy = RankingPolicy(scale=StandardScale(centre=700, width=100))
    table = rank_with_policy(scores, policy=policy).table.set_index("entry")
    sd = math.sqrt(200 / 3)
    assert table.loc["B", "standardised"] == 700.0
    assert table.loc["A", "standardised"] == pytest.approx(700 - 1000 / sd, abs=0.01)
    assert table.loc["C", "standardised"] == pytest.approx(700 + 1000 / sd, abs=0.01)


def test_input_frame_is_not_modified():
    scores = sheet(marks("A", "c", [3, 1, 2]) + marks("B", "c", [2, 2, 2]))
    scores["entry"] = scores["entry"].astype("category")
    before = scores.copy(deep=True)
    rank_with_policy(scores, policy=RankingPolicy(method="median", normalize="zscore"))
    pd.testing.assert_frame_equal(scores, before)


def test_categorical_input_with_unsorted_unused_categories_gives_same_result():
    scores = sheet(marks("B", "c", [3, 4]) + marks("A", "c", [5, 6]))
    plain = rank(scores)
    categorical = scores.copy()
    categorical["entry"] = pd.Categorical(scores["entry"], categories=["Z", "B", "A"])
    pd.testing.assert_frame_equal(rank(categorical), plain)


def test_output_columns_and_types():
    frame = rank(sheet(marks("A", "c", [3])))
    assert list(frame.columns) == ["entry", "total", "rank", "award"]
    assert frame["rank"].dtype == np.int64
    assert frame["award"].tolist() == [None]
