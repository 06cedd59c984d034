"""Organizers' area: contests, events, rubrics, registration, draws and judge panels."""

from contest.contests import entries, panels, rubric_views, views  # noqa: F401  (their routes register on bp)
from contest.contests.blueprint import bp

__all__ = ["bp"]
