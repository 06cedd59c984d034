"""Bad sheets are refused with problems that name the row and the column."""

import pandas as pd
import pytest
from helpers import marks, sheet

from scoring import Criterion, Rubric, ScoringInputError, rank, rank_with_policy

RUBRIC = Rubric((Criterion("c1", 10), Criterion("c2", 3, kind="judgement", scale=3)))


def problems_of(scores, rubric=None):
    with pytest.raises(ScoringInputError) as caught:
        rank_with_policy(scores, rubric)
    return caught.value.problems


def test_missing_column():
    [problem] = problems_of(pd.DataFrame({"entry": ["A"], "judge": ["J"], "score": [1]}))
    assert (problem.code, problem.column, problem.row) == ("missing_column", "criterion", None)


def test_unknown_criterion_names_row_and_column():
    scores = sheet([("A", "J1", "c1", 5), ("A", "J1", "c2", 2), ("A", "J1", "c9", 1)])
    [problem] = problems_of(scores, RUBRIC)
    assert (problem.code, problem.row, problem.column) == ("unknown_criterion", 2, "criterion")
    assert "c9" in problem.message
    assert problem.describe(first_line=2).startswith("第 4 行, 列 criterion")


def test_score_above_max_uses_the_judgement_scale():
    scores = sheet([("A", "J1", "c1", 10), ("A", "J1", "c2", 4)])
    [problem] = problems_of(scores, RUBRIC)
    assert (problem.code, problem.row, problem.column) == ("above_max", 1, "score")
    assert "3" in problem.message


def test_negative_and_non_numeric_scores():
    scores = sheet([("A", "J1", "c1", "-1"), ("A", "J1", "c2", "abc")])
    found = {(p.code, p.row) for p in problems_of(scores, RUBRIC)}
    assert found == {("below_min", 0), ("not_a_number", 1)}


def test_duplicate_mark_points_at_both_rows():
    scores = sheet([*marks("A", "c", [1, 2]), ("A", "J1", "c", 3)])
    [problem] = problems_of(scores)
    assert (problem.code, problem.row, problem.column) == ("duplicate_mark", 2, "judge")
    assert "第 1 行" in problem.message


def test_missing_judge():
    scores = sheet([("A", "J1", "c", 1), ("A", None, "c", 2), ("A", " ", "c", 2)])
    found = [(p.code, p.row, p.column) for p in problems_of(scores)]
    assert found == [("missing_judge", 1, "judge"), ("missing_judge", 2, "judge")]


def test_criterion_nobody_marked_for_an_entry():
    scores = sheet([("A", "J1", "c1", 1), ("A", "J1", "c2", 1), ("B", "J1", "c1", 1)])
    [problem] = problems_of(scores)
    assert (problem.code, problem.entry) == ("criterion_missing", "B")
    assert "c2" in problem.message


def test_conflicting_time_for_one_entry():
    scores = sheet([("A", "J1", "c1", 1, 50), ("A", "J2", "c1", 1, 55)], "time")
    [problem] = problems_of(scores)
    assert (problem.code, problem.column) == ("conflicting_time", "time")


def test_english_messages_are_available():
    scores = sheet([("A", "J1", "c9", 1)])
    [problem] = problems_of(scores, RUBRIC.__class__((Criterion("c9", 0.5),)))
    assert problem.message_en == "score 1 is above the maximum 0.5 of criterion c9"


def test_all_problems_are_reported_at_once():
    scores = sheet([("A", "J1", "c1", 11), ("A", "J1", "zz", 1), ("A", None, "c1", 1)])
    with pytest.raises(ScoringInputError) as caught:
        rank_with_policy(scores, RUBRIC)
    error = caught.value
    assert {p.code for p in error.problems} >= {"above_max", "unknown_criterion", "missing_judge"}
    assert error.total == len(error.problems)


def test_empty_score_means_not_marked():
    scores = sheet([("A", "J1", "c", 4), ("A", "J2", "c", None), ("A", "J3", "c", "")])
    assert rank(scores)["total"].tolist() == [4.0]
