"""Vectorised building blocks: judge-severity corrections and aggregation across judges."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from scoring._sheet import FloatArray, IntArray, Sheet
from scoring.errors import Problem, ScoringInputError
from scoring.rules import Method

_FAIR_MAX_ITERATIONS = 1000
_FAIR_TOLERANCE = 1e-10
_CHUNK = 1 << 18


def bincount(codes: IntArray, weights: FloatArray | None, size: int) -> FloatArray:
    """``np.bincount`` as float64 (weights) with a fixed length."""
    return np.asarray(np.bincount(codes, weights=weights, minlength=size), dtype=np.float64)


def zscore(sheet: Sheet, points: FloatArray) -> FloatArray:
    """Per-judge standardisation, rescaled back to each criterion's own mean and spread.

    For judge *j* and criterion *c*: ``x' = (x - mean_jc) / sd_jc * sd_c + mean_c`` where
    ``mean_c`` and ``sd_c`` are over all marks of *c* (population standard deviations).  A judge
    who gave the same mark to every entry on *c* (``sd_jc = 0``) contributes ``mean_c``.
    """
    n_c = sheet.n_criteria
    n_judges = len(sheet.judges)
    n_keys = n_judges * n_c
    key = np.multiply(sheet.judge, n_c, dtype=np.int64)
    key += sheet.criterion
    count = bincount(key, None, n_keys)
    seen = count > 0
    safe = np.maximum(count, 1)
    mean_k = bincount(key, points, n_keys) / safe
    var_k = np.maximum(bincount(key, points * points, n_keys) / safe - mean_k**2, 0.0)
    # criterion-wide mean and variance from the per-judge pieces (law of total variance)
    count_jc = count.reshape(-1, n_c)
    mean_jc = mean_k.reshape(-1, n_c)
    count_c = count_jc.sum(axis=0)
    mean_c = (count_jc * mean_jc).sum(axis=0) / np.maximum(count_c, 1)
    var_c = (count_jc * (var_k.reshape(-1, n_c) + (mean_jc - mean_c) ** 2)).sum(axis=0)
    sd_c = np.sqrt(var_c / np.maximum(count_c, 1))
    sd_k = np.sqrt(var_k)
    ratio = np.zeros(n_keys)
    spread = seen & (sd_k > 1e-9 * np.maximum(1.0, np.abs(mean_k)))
    ratio[spread] = np.tile(sd_c, n_judges)[spread] / sd_k[spread]
    # x' = x * ratio + (mean_c - mean_k * ratio): one gather each, in cache-sized chunks
    shift = np.tile(mean_c, n_judges) - mean_k * ratio
    out = np.empty(len(points))
    for lo in range(0, len(points), _CHUNK):
        hi = lo + _CHUNK
        part = key[lo:hi]
        np.multiply(points[lo:hi], ratio[part], out=out[lo:hi])
        out[lo:hi] += shift[part]
    return out


def clip(sheet: Sheet, values: FloatArray) -> FloatArray:
    """Keep corrected criterion scores (``n_entries × n_c``) within 0..max (rubric only)."""
    if sheet.criterion_max is not None and not np.isnan(sheet.criterion_max).any():
        np.clip(values, 0.0, sheet.criterion_max[None, :], out=values)
    return values


def fair_leniency(sheet: Sheet, points: FloatArray) -> FloatArray:
    """Each judge's additive leniency, as a fraction of the criterion's scale.

    Model: ``x / s_c = θ_(entry, c) + b_judge + noise``, with ``s_c`` the criterion's maximum
    (from the rubric, else the largest mark seen) and the leniencies summing to zero.  Fitted by
    alternating least squares, which uses exactly the entries a judge shares with other judges:
    a mark given by a judge alone carries no information on leniency.
    """
    scale = _criterion_scale(sheet, points)
    y = points / scale[sheet.criterion]
    n_groups = len(sheet.layout.counts)
    n_judges = len(sheet.judges)
    group_count = np.maximum(sheet.layout.counts, 1).astype(np.float64)
    judge_count = np.maximum(np.bincount(sheet.judge, minlength=n_judges), 1).astype(np.float64)
    active = np.bincount(sheet.judge, minlength=n_judges) > 0
    b = np.zeros(n_judges)
    for _ in range(_FAIR_MAX_ITERATIONS):
        theta = bincount(sheet.group, y - b[sheet.judge], n_groups)
        theta /= group_count
        new = bincount(sheet.judge, y - theta[sheet.group], n_judges)
        new /= judge_count
        new[active] -= new[active].mean()
        step = float(np.max(np.abs(new - b))) if n_judges else 0.0
        b = new
        if step < _FAIR_TOLERANCE:
            break
    return b


def fair(sheet: Sheet, points: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Marks corrected for each judge's leniency, and the leniencies (fractions of scale)."""
    b = fair_leniency(sheet, points)
    scale = _criterion_scale(sheet, points)
    return points - b[sheet.judge] * scale[sheet.criterion], b


def _criterion_scale(sheet: Sheet, points: FloatArray) -> FloatArray:
    if sheet.criterion_max is not None and not np.isnan(sheet.criterion_max).any():
        return sheet.criterion_max
    observed = np.zeros(sheet.n_criteria)
    np.maximum.at(observed, sheet.criterion, np.abs(points))
    observed[observed == 0] = 1.0
    return observed


def check_panels(sheet: Sheet, method: Method, trim: int) -> None:
    """Refuse a trimmed mean where fewer than one mark would remain."""
    if method != "trimmed" or trim == 0:
        return
    short = np.flatnonzero(sheet.layout.counts < 2 * trim + 1)
    if not len(short):
        return
    first_mark = np.full(len(sheet.layout.counts), len(sheet.group), dtype=np.intp)
    np.minimum.at(first_mark, sheet.group, np.arange(len(sheet.group), dtype=np.intp))
    problems: list[Problem] = []
    for group in short[: ScoringInputError.MAX_PROBLEMS]:
        e, c = divmod(int(group), sheet.n_criteria)
        entry, crit = str(sheet.entries[e]), str(sheet.criteria[c])
        have = int(sheet.layout.counts[group])
        mark = int(first_mark[group])
        row = int(sheet.row_of(np.array([mark], dtype=np.intp))[0]) if have else None
        problems.append(
            Problem(
                row,
                "judge",
                "too_few_judges",
                f"参赛号 {entry} 的评分项 {crit} 只有 {have} 位评委打分，"
                f"去掉 {trim} 个最高分和 {trim} 个最低分后没有剩余分数"
                f"（至少需要 {2 * trim + 1} 位）",
                f"entry {entry}, criterion {crit}: {have} judges, dropping {trim} highest and "
                f"{trim} lowest leaves none (needs {2 * trim + 1})",
                entry=entry,
            )
        )
    raise ScoringInputError(problems, len(short))


def aggregate(sheet: Sheet, points: FloatArray, method: Method, trim: int) -> FloatArray:
    """Per entry and criterion, the judges' marks combined by ``method``: ``n_entries × n_c``."""
    counts = sheet.layout.counts
    n_groups = len(counts)
    if method == "sum":
        out = bincount(sheet.group, points, n_groups)
    elif method == "mean" or (method == "trimmed" and trim == 0):
        out = bincount(sheet.group, points, n_groups)
        out /= np.maximum(counts, 1)
    elif method == "trimmed":
        dense = sheet.layout.dense(points, np.inf)
        out = np.zeros(n_groups)
        for position in range(trim, sheet.layout.width):
            out += np.where(position < counts - trim, dense[position], 0.0)
        out /= np.maximum(counts - 2 * trim, 1)
    else:  # median
        dense = sheet.layout.dense(points, np.inf)
        rows = np.arange(n_groups)
        low = np.maximum((counts - 1) // 2, 0)
        high = np.maximum(counts // 2, 0)
        out = (dense[low, rows] + dense[high, rows]) / 2
    result: FloatArray = out.reshape(sheet.n_entries, sheet.n_criteria)
    return result


def to_units(values: npt.ArrayLike, precision: int) -> npt.NDArray[np.int64]:
    """Values as integers in units of ``10**-precision``, rounded half up.

    Binary noise below a millionth of a unit is removed first, so 0.285 (stored as
    0.28499999…) rounds to 0.29 as written, and ``0.1 + 0.2`` equals ``0.3``.
    """
    scaled = np.round(np.asarray(values, dtype=np.float64) * 10.0**precision, 6)
    return np.floor(scaled + 0.5).astype(np.int64)


def group_sum(codes: IntArray, values: FloatArray, size: int) -> FloatArray:
    """Sum of rows of ``values`` (1-D or 2-D) per code."""
    if values.ndim == 1:
        return bincount(codes, values, size)
    out = np.zeros((size, values.shape[1]))
    np.add.at(out, codes, values)
    return out
