"""What one filled sheet adds up to (``indicators.sheet_total``): the figure a self-assessment or
an assessor's sheet shows before its script takes over, by the maths that confirms the round
(``scoring.round_scores``), so the two cannot disagree — the bonus capped, a rate counted by its
started steps, a figure from data included, flags worth nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from contest.services.labor import round_results
from contest.services.labor.indicators import sheet_total
from tests.contest.labor_rounds_support import build_round_world, full_marks
from tests.contest.test_labor_rounds import assess, open_scoring, results_by_label


@pytest.fixture
def world(db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> SimpleNamespace:
    return build_round_world(db, make_org, make_user)


def test_a_sheet_adds_up_as_the_round_does(db: Any, world: SimpleNamespace) -> None:
    a = world.aspects
    marks = {
        a["Q1"]: Decimal(40),
        a["S1"]: Decimal(2),  # 30 − 2
        a["R1"]: Decimal("93.5"),  # 1.5 short of 95: one started step of 2 → 10 − 1
        a["R2"]: Decimal(96),  # the figure from data: ≥ 95 → 20
        a["B1"]: Decimal(8),  # capped at 5
        a["V1"]: Decimal(0),
        a["M1"]: Decimal(1),
    }
    assert sheet_total(marks, world.competition.bonus_cap) == (7, Decimal(102))
    assert sheet_total(marks, None) == (7, Decimal(105))
    assert sheet_total({a["Q1"]: Decimal("39.5")}, None) == (1, Decimal("39.5"))
    assert sheet_total({}, Decimal(5)) == (0, Decimal(0))

    open_scoring(db, world)
    for user in (world.chief, world.member):
        assess(db, world, user, "P1", full_marks(Q1="40", S1="2", R1="93.5", B1="8"))
    round_results.confirm_round(world.chief, world.round, accept_missing=7)
    assert results_by_label(world)["P1"].total == Decimal(102)
