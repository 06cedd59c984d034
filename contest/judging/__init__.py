"""Judges' area: assignments by code and the score sheet, on a phone, tablet or PC."""

from contest.judging import views  # noqa: F401  (routes register on import)
from contest.judging.blueprint import bp

__all__ = ["bp"]
