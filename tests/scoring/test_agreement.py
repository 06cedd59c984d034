"""Published reference values for ICC and Krippendorff's alpha."""

import math

import numpy as np
import pandas as pd
import pytest

from scoring import ScoringInputError, icc, krippendorff_alpha

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges
SHROUT_FLEISS = pd.DataFrame(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    columns=["J1", "J2", "J3", "J4"],
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers × 12 units
NAN = np.nan
KRIPPENDORFF = pd.DataFrame(
    {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        "C": [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    }
)

# Wikipedia's computational example (3 coders × 15 units), used by the krippendorff package
WIKIPEDIA = pd.DataFrame(
    {
        "A": [NAN] * 5 + [3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
        "B": [1, NAN, 2, 1, 3, 3, 4, 3] + [NAN] * 7,
        "C": [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
    }
)


def test_icc_matches_shrout_and_fleiss():
    table = icc(SHROUT_FLEISS)
    assert list(table.index) == ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
    published = {
        "ICC1": 0.17,
        "ICC2": 0.29,
        "ICC3": 0.71,
        "ICC1k": 0.44,
        "ICC2k": 0.62,
        "ICC3k": 0.91,
    }
    assert table["icc"].round(2).to_dict() == published


def test_icc_f_tests_and_degrees_of_freedom():
    table = icc(SHROUT_FLEISS)
    assert table.loc["ICC1", ["df1", "df2"]].tolist() == [5, 18]
    assert table.loc["ICC3", ["df1", "df2"]].tolist() == [5, 15]
    assert table.loc["ICC1", "F"] == pytest.approx(1.795, abs=1e-3)
    assert table.loc["ICC2", "F"] == pytest.approx(11.027, abs=1e-3)
    assert table.loc["ICC1", "pval"] == pytest.approx(0.165, abs=1e-3)


def test_icc_confidence_intervals():
    table = icc(SHROUT_FLEISS)
    # ICC3: F_L = 11.027 / F(.975; 5, 15) = 3.0836 → (F_L − 1) / (F_L + 3) = 0.342
    expected = {
        "ICC1": (-0.13, 0.72),
        "ICC2": (0.02, 0.76),
        "ICC3": (0.34, 0.95),
        "ICC1k": (-0.88, 0.91),
        "ICC2k": (0.07, 0.93),
        "ICC3k": (0.68, 0.99),
    }
    for form, (low, high) in expected.items():
        assert table.loc[form, "ci95_low"] == pytest.approx(low, abs=0.005), form
        assert table.loc[form, "ci95_high"] == pytest.approx(high, abs=0.005), form
        assert low <= table.loc[form, "icc"] <= high


def test_icc_perfect_consistency():
    table = icc(pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 3, 4, 5]}))
    assert table.loc["ICC3", "icc"] == pytest.approx(1.0)
    assert table.loc["ICC1", "icc"] < 1.0  # a constant offset is disagreement in absolute terms


def test_icc_needs_complete_ratings():
    ratings = SHROUT_FLEISS.astype(float)
    ratings.iloc[2, 1] = np.nan
    with pytest.raises(ScoringInputError) as caught:
        icc(ratings)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "J2")


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_reference_values(level, published):
    assert round(krippendorff_alpha(KRIPPENDORFF, level), 3) == published


def test_krippendorff_wikipedia_example():
    assert krippendorff_alpha(WIKIPEDIA, "nominal") == pytest.approx(0.691358, abs=1e-6)
    assert krippendorff_alpha(WIKIPEDIA, "interval") == pytest.approx(0.810845, abs=1e-6)


def test_krippendorff_perfect_agreement_and_degenerate_data():
    same = pd.DataFrame({"a": [1, 2, 3], "b": [1, 2, 3]})
    assert krippendorff_alpha(same, "interval") == 1.0
    assert math.isnan(krippendorff_alpha(pd.DataFrame({"a": [1, 1], "b": [1, 1]})))
    assert math.isnan(krippendorff_alpha(pd.DataFrame({"a": [1, NAN], "b": [NAN, 2]})))


def test_krippendorff_ignores_unit_order_and_coder_order():
    shuffled = KRIPPENDORFF.sample(frac=1, random_state=3)[["D", "B", "A", "C"]]
    assert krippendorff_alpha(shuffled, "ordinal") == pytest.approx(
        krippendorff_alpha(KRIPPENDORFF, "ordinal")
    )
