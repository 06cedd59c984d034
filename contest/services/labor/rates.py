"""Percentages a union rating reads from data instead of an assessor's entry (rate items).

A rate item (e.g. 入会率 ≥ 95%, −0.5 per 2% short) is scored from a figure; when the figure
cannot be had — a headcount never entered, a survey too few members answered — there is no
number to score, and the assessor must see why rather than a silent zero. :class:`RateFigure`
carries either the value or that reason, and the day it was counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["RateFigure", "percent"]

HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class RateFigure:
    """A percentage with 2 decimals, or None and a Chinese ``reason`` saying what is missing.

    ``counted_on``: the day the figures were counted (an organisation's 统计日期, the day a
    survey closed); None when unknown.
    """

    value: Decimal | None
    reason: str | None = None
    counted_on: date | None = None

    @property
    def counts(self) -> bool:
        return self.value is not None


def percent(part: int, whole: int) -> Decimal:
    """``part / whole × 100`` to 2 decimals, halves rounded up (as a union's 统计表 does);
    ``whole`` must be positive."""
    return (Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
