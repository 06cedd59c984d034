"""Agreement between judges: intraclass correlation and Krippendorff's alpha."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from scoring._sheet import FloatArray
from scoring.errors import PolicyError, Problem, ScoringInputError

Level = Literal["nominal", "ordinal", "interval", "ratio"]
ICC_FORMS = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
ICC_COLUMNS = ("icc", "F", "df1", "df2", "pval", "ci95_low", "ci95_high")


@np.errstate(divide="ignore", invalid="ignore")
def icc(ratings: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Intraclass correlations in the six Shrout & Fleiss (1979) forms, with confidence intervals.

    ``ratings``: one row per entry (target), one column per judge, complete (no missing value).
    From the two-way ANOVA mean squares — rows ``MSR``, columns ``MSC``, residual ``MSE`` and
    within-target ``MSW`` — with *n* targets and *k* judges:

    - ICC1 (one-way random, single judge) ``(MSR - MSW) / (MSR + (k-1) MSW)``;
    - ICC2 (two-way random, absolute agreement)
      ``(MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n)``;
    - ICC3 (two-way mixed, consistency) ``(MSR - MSE) / (MSR + (k-1) MSE)``;
    - ICC1k, ICC2k, ICC3k: the same for the mean of the *k* judges.

    ``F``, ``df1``, ``df2`` and ``pval`` test ICC = 0; the confidence intervals follow McGraw &
    Wong (1996), with Satterthwaite's approximation for ICC2/ICC2k.
    """
    values = _matrix(ratings)
    n, k = values.shape
    if n < 2 or k < 2:
        raise ScoringInputError(
            [
                Problem(
                    None,
                    None,
                    "too_small",
                    "ICC 至少需要 2 个参赛对象和 2 位评委",
                    "ICC needs at least 2 entries and 2 judges",
                )
            ]
        )
    grand = values.mean()
    ss_rows = k * float(((values.mean(axis=1) - grand) ** 2).sum())
    ss_cols = n * float(((values.mean(axis=0) - grand) ** 2).sum())
    ss_total = float(((values - grand) ** 2).sum())
    ss_err = ss_total - ss_rows - ss_cols
    # numpy scalars, so that perfect agreement (MSE = 0) gives inf instead of raising
    msr = np.float64(ss_rows / (n - 1))
    msc = np.float64(ss_cols / (k - 1))
    mse = np.float64(max(ss_err, 0.0) / ((n - 1) * (k - 1)))
    msw = np.float64((ss_cols + max(ss_err, 0.0)) / (n * (k - 1)))

    alpha = 1 - confidence
    df1, df1_w, df2 = n - 1, n * (k - 1), (n - 1) * (k - 1)

    with np.errstate(divide="ignore", invalid="ignore"):
        icc1 = (msr - msw) / (msr + (k - 1) * msw)
        icc2 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
        icc3 = (msr - mse) / (msr + (k - 1) * mse)
        icc1k = (msr - msw) / msr
        icc2k = (msr - mse) / (msr + (msc - mse) / n)
        icc3k = (msr - mse) / msr
        f1 = msr / msw
        f3 = msr / mse

        # one-way (ICC1, ICC1k)
        fl1 = f1 / stats.f.ppf(1 - alpha / 2, df1, df1_w)
        fu1 = f1 * stats.f.ppf(1 - alpha / 2, df1_w, df1)
        # two-way consistency (ICC3, ICC3k)
        fl3 = f3 / stats.f.ppf(1 - alpha / 2, df1, df2)
        fu3 = f3 * stats.f.ppf(1 - alpha / 2, df2, df1)
        # two-way absolute agreement (ICC2): Satterthwaite degrees of freedom
        a = k * icc2 / (n * (1 - icc2))
        b = 1 + k * icc2 * (n - 1) / (n * (1 - icc2))
        v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / df2)
        fs_low = stats.f.ppf(1 - alpha / 2, df1, v)
        fs_high = stats.f.ppf(1 - alpha / 2, v, df1)
        low2 = n * (msr - fs_low * mse) / (fs_low * (k * msc + (k * n - k - n) * mse) + n * msr)
        high2 = n * (fs_high * msr - mse) / (k * msc + (k * n - k - n) * mse + n * fs_high * msr)

    rows = {
        "ICC1": (icc1, f1, df1, df1_w, (fl1 - 1) / (fl1 + k - 1), (fu1 - 1) / (fu1 + k - 1)),
        "ICC2": (icc2, f3, df1, df2, low2, high2),
        "ICC3": (icc3, f3, df1, df2, (fl3 - 1) / (fl3 + k - 1), (fu3 - 1) / (fu3 + k - 1)),
        "ICC1k": (icc1k, f1, df1, df1_w, 1 - 1 / fl1, 1 - 1 / fu1),
        "ICC2k": (
            icc2k,
            f3,
            df1,
            df2,
            low2 * k / (1 + low2 * (k - 1)),
            high2 * k / (1 + high2 * (k - 1)),
        ),
        "ICC3k": (icc3k, f3, df1, df2, 1 - 1 / fl3, 1 - 1 / fu3),
    }
    table = pd.DataFrame(
        {
            "icc": [float(r[0]) for r in rows.values()],
            "F": [float(r[1]) for r in rows.values()],
            "df1": [int(r[2]) for r in rows.values()],
            "df2": [int(r[3]) for r in rows.values()],
            "pval": [float(stats.f.sf(r[1], r[2], r[3])) for r in rows.values()],
            "ci95_low": [float(r[4]) for r in rows.values()],
            "ci95_high": [float(r[5]) for r in rows.values()],
        },
        index=pd.Index(list(rows), name="type"),
    )
    return table


def _matrix(ratings: pd.DataFrame) -> FloatArray:
    frame = ratings.apply(pd.to_numeric, errors="coerce")
    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.argwhere(np.isnan(values))
    if len(missing):
        problems = [
            Problem(
                int(r),
                str(ratings.columns[c]),
                "missing_rating",
                "ICC 需要完整的评分矩阵，此处缺少分数",
                "ICC needs complete ratings; this cell is empty or not a number",
                entry=str(ratings.index[r]),
            )
            for r, c in missing[: ScoringInputError.MAX_PROBLEMS]
        ]
        raise ScoringInputError(problems, len(missing))
    return np.asarray(values, dtype=np.float64)


def krippendorff_alpha(ratings: pd.DataFrame, level: Level = "interval") -> float:
    """Krippendorff's alpha for reliability data with missing values.

    ``ratings``: rows are entries (units), columns judges (coders), NaN = not marked.  Units with
    fewer than two marks are not pairable and are left out.  ``alpha = 1 - D_o / D_e`` computed
    from the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability")
    with the difference function of ``level``: nominal (0/1), ordinal (rank sums of the values
    between), interval (squared difference) or ratio (squared relative difference).
    Returns NaN when there is no pairable unit or only one distinct value.
    """
    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise PolicyError(f"未知的测量尺度 {level!r} (use nominal, ordinal, interval, ratio)")
    frame = ratings.apply(pd.to_numeric, errors="coerce")
    data = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    present = ~np.isnan(data)
    domain = np.unique(data[present])
    if len(domain) < 2:
        return float("nan")
    m_u = present.sum(axis=1)
    pairable = m_u >= 2
    if not pairable.any():
        return float("nan")
    data, present, m_u = data[pairable], present[pairable], m_u[pairable]
    # value counts per unit: units × values
    counts = np.zeros((len(data), len(domain)))
    rows, cols = np.nonzero(present)
    np.add.at(counts, (rows, np.searchsorted(domain, data[rows, cols])), 1.0)
    weighted = counts / (m_u - 1)[:, None]
    coincidence = weighted.T @ counts
    coincidence[np.diag_indices_from(coincidence)] -= weighted.sum(axis=0)
    n_c = coincidence.sum(axis=0)
    n = n_c.sum()
    delta = _delta(domain, n_c, level)
    observed = float((coincidence * delta).sum())
    expected = float((np.outer(n_c, n_c) * delta).sum()) / (n - 1)
    if expected == 0:
        return float("nan")
    return float(1.0 - observed / expected)


def _delta(domain: FloatArray, n_c: FloatArray, level: Level) -> FloatArray:
    c = domain[:, None]
    k = domain[None, :]
    if level == "nominal":
        return np.asarray(c != k, dtype=np.float64)
    if level == "interval":
        return np.asarray((c - k) ** 2, dtype=np.float64)
    if level == "ratio":
        total = c + k
        with np.errstate(invalid="ignore", divide="ignore"):
            out = ((c - k) / total) ** 2
        return np.asarray(np.where(total == 0, 0.0, out), dtype=np.float64)
    cumulative = np.cumsum(n_c)
    # sum of n_g for g from c to k inclusive, minus half of n_c and n_k
    i = np.arange(len(domain))
    low = np.minimum(i[:, None], i[None, :])
    high = np.maximum(i[:, None], i[None, :])
    between = cumulative[high] - np.where(low > 0, cumulative[low - 1], 0.0)
    return np.asarray((between - (n_c[:, None] + n_c[None, :]) / 2) ** 2, dtype=np.float64)
