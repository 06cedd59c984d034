"""Small builders shared by the scoring tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd


def sheet(rows: Iterable[Sequence[object]], *extra: str) -> pd.DataFrame:
    """A long score sheet from (entry, judge, criterion, score, *extra) tuples."""
    return pd.DataFrame(list(rows), columns=["entry", "judge", "criterion", "score", *extra])


def marks(entry: str, criterion: str, scores: Sequence[float]) -> list[tuple[object, ...]]:
    """One entry's marks on one criterion, judges named J1, J2, … in order."""
    return [(entry, f"J{i + 1}", criterion, s) for i, s in enumerate(scores)]
