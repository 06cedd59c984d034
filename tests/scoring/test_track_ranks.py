"""One round's ranks within each track (scoring.track_ranks): competition ranking, tracks,
participants without a track, the excluded and the not scored, rounding before comparing."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from scoring import PolicyError, ScoringInputError, track_ranks


def ranks(series: pd.Series) -> dict[str, int | None]:
    return {str(k): (None if pd.isna(v) else int(v)) for k, v in series.items()}


def test_competition_ranking_shares_places_and_skips() -> None:
    totals = pd.Series({"a": 90.0, "b": 95.0, "c": 90.0, "d": 80.0})
    out = track_ranks(totals)
    assert str(out.dtype) == "Int64"
    assert list(out.index) == ["a", "b", "c", "d"]
    assert ranks(out) == {"a": 2, "b": 1, "c": 2, "d": 4}


def test_each_track_is_ranked_on_its_own_and_no_track_is_a_group() -> None:
    totals = pd.Series({"a": 90, "b": 95, "e": 70, "f": 85, "x": 60, "y": 99})
    tracks = pd.Series({"a": "土建", "b": "土建", "e": "机电", "f": "机电", "x": None})
    # x has an empty track and y none at all: the two are ranked together
    assert ranks(track_ranks(totals, tracks)) == {
        "a": 2,
        "b": 1,
        "e": 2,
        "f": 1,
        "x": 2,
        "y": 1,
    }


def test_excluded_and_not_scored_take_no_place() -> None:
    totals = pd.Series({"a": 99.0, "b": 95.0, "c": np.nan, "d": 90.0, "e": 95.0})
    out = track_ranks(totals, excluded={"a"})
    assert ranks(out) == {"a": None, "b": 1, "c": None, "d": 3, "e": 1}


def test_totals_are_compared_as_rounded_and_decimals_are_read() -> None:
    totals = pd.Series({"a": 0.1 + 0.2, "b": 0.3, "c": 89.999999999, "d": 90.0})
    assert ranks(track_ranks(totals)) == {"a": 3, "b": 3, "c": 1, "d": 1}
    assert ranks(track_ranks(totals, precision=0)) == {"a": 3, "b": 3, "c": 1, "d": 1}
    decimals = pd.Series({1: Decimal("98.50"), 2: Decimal("100.00"), 3: Decimal("98.5")})
    assert ranks(track_ranks(decimals)) == {"1": 2, "2": 1, "3": 2}


def test_empty_and_all_excluded() -> None:
    assert track_ranks(pd.Series([], dtype=float)).empty
    assert ranks(track_ranks(pd.Series({"a": 1.0}), excluded=["a"])) == {"a": None}


def test_inputs_it_refuses() -> None:
    with pytest.raises(PolicyError):
        track_ranks({"a": 1.0})  # type: ignore[arg-type]
    with pytest.raises(PolicyError):
        track_ranks(pd.Series({"a": 1.0}), {"a": "x"})  # type: ignore[arg-type]
    with pytest.raises(PolicyError):
        track_ranks(pd.Series({"a": 1.0}), precision=7)
    with pytest.raises(PolicyError):
        track_ranks(pd.Series([1.0, 2.0], index=["a", "a"]))
    with pytest.raises(ScoringInputError) as caught:
        track_ranks(pd.Series({"a": "九十", "b": 1.0}))
    assert [p.code for p in caught.value.problems] == ["not_a_number"]
