"""standings.ranking: marks → scoring with the event's rubric and policy."""

from __future__ import annotations

from typing import Any

import pytest

import scoring
from contest.services.skills.standings import ranking
from tests.contest.review_support import score_all


def test_ranking_orders_entries_by_total(db: Any, make_contest: Any) -> None:
    c = make_contest(entries=4, judges=3)
    score_all(db, c)
    result = ranking(c.event)
    assert list(result.table["entry"]) == [e.id for e in c.entries]
    assert list(result.table["rank"]) == [1, 2, 3, 4]
    first = result.table.iloc[0]
    # T1 mean 90.5 → 0.3 × 90.5; practical (38 + 30 + 30) / 100 × 100 × 0.7
    assert first["total"] == pytest.approx(0.3 * 90.5 + 0.7 * 98, abs=0.01)


def test_ranking_uses_the_event_policy(db: Any, make_contest: Any) -> None:
    c = make_contest(entries=10, judges=3)
    score_all(db, c)
    c.event.policy = {"awards": [{"name": "金奖", "count": 1}]}
    db.session.commit()
    result = ranking(c.event)
    assert list(result.table["award"][:2]) == ["金奖", None]


def test_ranking_without_marks_raises_scoring_error(db: Any, make_contest: Any) -> None:
    c = make_contest(entries=2, judges=1)
    with pytest.raises(scoring.ScoringError):
        ranking(c.event)
