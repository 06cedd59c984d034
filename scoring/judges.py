"""Judge quality: leniency, spread, agreement with the panel, and sheets that need discussion."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring._sheet import Sheet, read_sheet
from scoring.rules import Rubric

SPREAD_COLUMNS = ("entry", "criterion", "low", "high", "spread", "judges")


def judge_report(scores: pd.DataFrame, rubric: Rubric | None = None) -> pd.DataFrame:
    """Per judge: how they mark compared with the other judges of the same sheets.

    Columns (index ``judge``):

    - ``marks``: marks given; ``shared``: of those, marks on sheets other judges also marked;
    - ``leniency``: mean of (own mark − mean of the other judges' marks), in points; positive =
      lenient, negative = severe;
    - ``leniency_pct``: the same in percent of the criterion's maximum (rubric max, else the
      largest mark seen on that criterion);
    - ``spread``: standard deviation of the judge's marks around each criterion's mean, divided
      by the same for all judges (1 = typical, < 1 = uses a narrow band of the scale);
    - ``correlation``: Pearson correlation of the judge's marks with the other judges' mean on
      the same sheets, both centred per criterion (NaN with fewer than 3 shared marks).

    Marks are compared as entered (judgement marks on their 0..N scale).
    """
    sheet = read_sheet(scores, rubric)
    x = sheet.mark
    n_j = len(sheet.judges)
    counts = sheet.layout.counts
    group_sum = np.bincount(sheet.group, weights=x, minlength=len(counts))
    others = counts[sheet.group] - 1
    shared = others > 0
    others_mean = np.where(shared, (group_sum[sheet.group] - x) / np.maximum(others, 1), np.nan)
    diff = np.where(shared, x - others_mean, 0.0)

    if sheet.criterion_max is not None and sheet.points_factor is None:
        scale = sheet.criterion_max
    elif sheet.criterion_max is not None:
        scale = sheet.criterion_max / sheet.points_factor  # type: ignore[operator]
    else:
        scale = np.zeros(sheet.n_criteria)
        np.maximum.at(scale, sheet.criterion, np.abs(x))
    scale = np.where(scale > 0, scale, 1.0)

    marks = np.bincount(sheet.judge, minlength=n_j)
    n_shared = np.bincount(sheet.judge, weights=shared.astype(np.float64), minlength=n_j)
    with np.errstate(invalid="ignore", divide="ignore"):
        leniency = np.bincount(sheet.judge, weights=diff, minlength=n_j) / n_shared
        leniency_pct = (
            np.bincount(sheet.judge, weights=diff / scale[sheet.criterion], minlength=n_j)
            / n_shared
            * 100
        )
    crit_count = np.maximum(np.bincount(sheet.criterion, minlength=sheet.n_criteria), 1)
    crit_mean = np.bincount(sheet.criterion, weights=x, minlength=sheet.n_criteria) / crit_count
    centred = x - crit_mean[sheet.criterion]
    pooled = float(np.sqrt(np.mean(centred**2))) if len(x) else 0.0
    own = np.sqrt(
        np.bincount(sheet.judge, weights=centred**2, minlength=n_j) / np.maximum(marks, 1)
    )
    spread = own / pooled if pooled > 0 else np.full(n_j, np.nan)

    correlation = np.full(n_j, np.nan)
    panel = others_mean - crit_mean[sheet.criterion]
    frame = pd.DataFrame({"judge": sheet.judge[shared], "a": centred[shared], "b": panel[shared]})
    for code, part in frame.groupby("judge", sort=True):
        a, b = part["a"].to_numpy(), part["b"].to_numpy()
        if len(a) >= 3 and a.std() > 0 and b.std() > 0:
            correlation[int(str(code))] = float(np.corrcoef(a, b)[0, 1])

    report = pd.DataFrame(
        {
            "marks": marks.astype(np.int64),
            "shared": n_shared.astype(np.int64),
            "leniency": leniency,
            "leniency_pct": leniency_pct,
            "spread": spread,
            "correlation": correlation,
        },
        index=pd.Index(sheet.judges, name="judge"),
    )
    return report


def spread_flags(
    scores: pd.DataFrame, max_spread: float, rubric: Rubric | None = None
) -> pd.DataFrame:
    """Sheets (entry, criterion) whose judges' marks differ by more than ``max_spread``.

    WorldSkills-style rule for judgement marks: when the highest and lowest mark of a panel are
    more than the allowed spread apart (commonly 1 on a 0–3 scale; a setting, not a constant),
    the judges re-discuss.  Marks are compared as entered; with a rubric only judgement criteria
    are checked.  Columns: ``entry, criterion, low, high, spread, judges``.
    """
    return sheet_spread_flags(read_sheet(scores, rubric), max_spread, rubric)


def sheet_spread_flags(sheet: Sheet, max_spread: float, rubric: Rubric | None) -> pd.DataFrame:
    empty = pd.DataFrame({name: [] for name in SPREAD_COLUMNS})
    if not np.isfinite(max_spread) or not len(sheet.mark):
        return empty
    n_groups = len(sheet.layout.counts)
    low = np.full(n_groups, np.inf)
    high = np.full(n_groups, -np.inf)
    np.minimum.at(low, sheet.group, sheet.mark)
    np.maximum.at(high, sheet.group, sheet.mark)
    spread = high - low
    hit = (sheet.layout.counts >= 2) & (spread > max_spread + 1e-9)
    if rubric is not None:
        judged = np.array(
            [
                str(c) in {k.key for k in rubric.criteria if k.kind == "judgement"}
                for c in sheet.criteria
            ],
            dtype=bool,
        )
        hit &= np.tile(judged, sheet.n_entries)
    groups = np.flatnonzero(hit)
    if not len(groups):
        return empty
    entry, crit = np.divmod(groups, sheet.n_criteria)
    return pd.DataFrame(
        {
            "entry": sheet.entries[entry],
            "criterion": sheet.criteria[crit],
            "low": low[groups],
            "high": high[groups],
            "spread": spread[groups],
            "judges": sheet.layout.counts[groups].astype(np.int64),
        }
    )
