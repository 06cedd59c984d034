"""Invariants that must hold for any sheet (hypothesis)."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import rank

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def sheets(draw, min_judges=1):
    n_entries = draw(st.integers(2, 6))
    n_judges = draw(st.integers(min_judges, 4))
    n_criteria = draw(st.integers(1, 3))
    cells = n_entries * n_judges * n_criteria
    values = draw(st.lists(st.integers(0, 10), min_size=cells, max_size=cells))
    rows = []
    it = iter(values)
    for e in range(n_entries):
        for j in range(n_judges):
            for c in range(n_criteria):
                rows.append((f"E{e}", f"J{j}", f"C{c}", next(it) / 2))
    return pd.DataFrame(rows, columns=["entry", "judge", "criterion", "score"])


METHODS = st.sampled_from(["mean", "median", "trimmed"])


def options(method: str, frame: pd.DataFrame) -> dict[str, object]:
    judges = frame["judge"].nunique()
    trim = 1 if method == "trimmed" and judges >= 3 else 0
    return {"method": method, "trim": trim}


@SETTINGS
@given(sheets(), METHODS, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(frame, method, random):
    order = list(range(len(frame)))
    random.shuffle(order)
    shuffled = frame.iloc[order].reset_index(drop=True)
    kwargs = options(method, frame)
    pd.testing.assert_frame_equal(rank(shuffled, **kwargs), rank(frame, **kwargs))


@SETTINGS
@given(sheets(), METHODS, st.permutations(["J0", "J1", "J2", "J3"]))
def test_judge_labels_do_not_matter(frame, method, relabel):
    renamed = frame.assign(
        judge=frame["judge"].map(dict(zip(["J0", "J1", "J2", "J3"], relabel, strict=True)))
    )
    kwargs = options(method, frame)
    pd.testing.assert_frame_equal(rank(renamed, **kwargs), rank(frame, **kwargs))


@SETTINGS
@given(sheets(), METHODS, st.data())
def test_raising_a_mark_never_lowers_the_rank(frame, method, data):
    row = data.draw(st.integers(0, len(frame) - 1))
    raised = frame.copy()
    raised.loc[row, "score"] = raised.loc[row, "score"] + data.draw(st.integers(1, 10)) / 2
    entry = frame.loc[row, "entry"]
    kwargs = options(method, frame)

    def rank_of(sheet):
        ranked = rank(sheet, **kwargs)
        return int(ranked.loc[ranked["entry"] == entry, "rank"].iloc[0])

    assert rank_of(raised) <= rank_of(frame)


@SETTINGS
@given(sheets(), METHODS)
def test_identical_marks_give_identical_ranks(frame, method):
    twin = frame[frame["entry"] == "E0"].assign(entry="Twin")
    both = pd.concat([frame, twin], ignore_index=True)
    ranked = rank(both, **options(method, frame)).set_index("entry")
    assert ranked.loc["E0", "rank"] == ranked.loc["Twin", "rank"]
    assert ranked.loc["E0", "total"] == ranked.loc["Twin", "total"]


@SETTINGS
@given(sheets())
def test_trimmed_with_nothing_dropped_equals_mean(frame):
    pd.testing.assert_frame_equal(rank(frame, method="trimmed", trim=0), rank(frame))


@SETTINGS
@given(sheets(min_judges=3))
def test_ranks_are_competition_ranks(frame):
    ranked = rank(frame, method="trimmed", trim=1)
    totals = ranked["total"].to_numpy()
    expected = [1 + int(np.sum(totals > t)) for t in totals]
    assert ranked["rank"].tolist() == expected
    assert list(totals) == sorted(totals, reverse=True)
