"""Shared by the demo tests: load only the steps a test looks at (a full load takes half a
minute per engine, most of it the journeys' steps)."""

from __future__ import annotations

import pytest

from contest import demo
from contest.demo.care import add_care
from contest.demo.labor import add_labor
from contest.demo.nominations import add_nominations


def skip_labor_and_campaigns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave out the labor competitions, the honor campaigns and the care step after them
    (the contests stay)."""
    skipped = (add_labor, add_nominations, add_care)
    monkeypatch.setattr(demo, "STEPS", [s for s in demo.STEPS if s not in skipped])
