"""Judges' area: assignments by code and the score sheet, on a phone, tablet or PC."""

from contest.judging import views  # noqa: F401  (their routes register on bp)
from contest.judging.blueprint import bp

__all__ = ["bp"]
