"""Re-check (复核) of marks after judging: which sheets to re-check, and what the result means."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import ceil

import numpy as np
import pandas as pd

from scoring.errors import PolicyError


def recheck_sample(
    ranking: pd.DataFrame,
    *,
    top: int = 10,
    fraction: float = 0.15,
    seed: int = 0,
) -> pd.DataFrame:
    """The entries to re-check: all of the top ``top`` plus a seeded random sample of the rest.

    ``ranking`` needs columns ``entry`` and ``rank`` (e.g. the frame returned by ``rank``).
    Entries tied at rank ``top`` are all "top".  The sample is ``ceil(fraction × rest)``
    entries, at least ``fraction`` of the rest, drawn with ``numpy.random.default_rng(seed)``
    from the rest in rank order — the same seed and ranking always give the same sample, so the
    draw can be reproduced in front of the arbitration panel.  Returns ``entry, rank, reason``
    (``top`` or ``sample``) in rank order.
    """
    if top < 0 or not 0 <= fraction <= 1:
        raise PolicyError("复核范围无效（top must be ≥ 0 and fraction in [0, 1]）")
    ordered = ranking.loc[:, ["entry", "rank"]].sort_values(
        ["rank", "entry"], kind="stable", ignore_index=True
    )
    is_top = (ordered["rank"] <= top).to_numpy()
    rest = np.flatnonzero(~is_top)
    size = ceil(Fraction(repr(float(fraction))) * len(rest))
    rng = np.random.default_rng(seed)
    drawn = rng.choice(rest, size=size, replace=False) if size else np.zeros(0, dtype=np.intp)
    chosen = is_top.copy()
    chosen[drawn] = True
    out = ordered.loc[chosen].reset_index(drop=True)
    out["reason"] = np.where(is_top[chosen], "top", "sample")
    return out


@dataclass(frozen=True)
class RecheckOutcome:
    """Result of a re-check: ``remark_all`` when the error rate is above the limit."""

    checked: int
    errors: int
    error_rate: float
    limit: float
    remark_all: bool

    @property
    def message(self) -> str:
        verdict = "超过" if self.remark_all else "未超过"
        action = "，须全部重新评分" if self.remark_all else ""
        return (
            f"复核 {self.checked} 份，发现错误 {self.errors} 份，错误率 {self.error_rate:.1%}，"
            f"{verdict} {self.limit:.0%}{action}"
        )


def recheck_outcome(checked: int, errors: int, limit: float = 0.05) -> RecheckOutcome:
    """Apply the error-rate rule: more than ``limit`` (5 %) of re-checked sheets wrong → re-mark
    all.  Exactly at the limit does not trigger it; the comparison is exact (no float noise)."""
    if checked <= 0 or not 0 <= errors <= checked:
        raise PolicyError("复核数量无效（need checked > 0 and 0 ≤ errors ≤ checked）")
    rate = Fraction(errors, checked)
    return RecheckOutcome(
        checked=checked,
        errors=errors,
        error_rate=float(rate),
        limit=limit,
        remark_all=rate > Fraction(repr(float(limit))),
    )
