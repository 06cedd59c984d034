"""Ranking policy JSON → scoring objects, and the rubric seen by scoring (H1 contracts)."""

from __future__ import annotations

from typing import Any

import pytest

import scoring
from contest.services.skills import policies
from contest.services.skills.policies import PolicyInvalid, RecheckSettings
from contest.services.skills.rubrics import scoring_rubric


def test_default_policy_builds() -> None:
    policy = policies.build_policy({})
    assert policy.method == "mean"
    assert [b.share for b in policy.awards] == [0.1, 0.2, 0.3]
    assert [(t.kind, t.key) for t in policy.tie_breaks] == [
        ("component", "practical"),
        ("time", None),
    ]
    assert policy.max_spread == 1


def test_policy_for_event_and_recheck(db: Any, make_contest: Any) -> None:
    made = make_contest()
    made.event.policy = {"method": "trimmed", "trim": 1, "recheck_top": 5, "max_spread": None}
    policy = policies.policy_for(made.event)
    assert policy.method == "trimmed" and policy.trim == 1
    assert policies.recheck_settings(made.event) == RecheckSettings(5, 0.15, 0.05)
    assert policies.max_spread(made.event) is None
    made.event.policy = {}
    assert policies.recheck_settings(made.event) == RecheckSettings()
    assert policies.max_spread(made.event) == 1.0


@pytest.mark.parametrize(
    ("raw", "field", "needle"),
    [
        ({"method": "mean", "trim": 1}, "trim", "trimmed"),
        ({"method": "best"}, "method", "汇总方法"),
        ({"normalize": "x"}, "normalize", "标准化"),
        (
            {"awards": [{"name": "一等奖", "share": 0.6}, {"name": "二等奖", "share": 0.6}]},
            "awards",
            "100%",
        ),
        (
            {"awards": [{"name": "一等奖", "share": 0.1}, {"name": "二等奖", "count": 2}]},
            "awards",
            "混用",
        ),
        ({"awards": [{"name": "", "share": 0.1}]}, "awards", "名称"),
        ({"titles": [{"name": "技术能手", "best": 5, "worst": 1}]}, "titles", "名次范围"),
        ({"tie_breaks": ["speed"]}, "tie_breaks", "并列规则"),
        ({"min_field": -1}, "min_field", "最低参赛人数"),
        ({"recheck_share": 2}, "recheck_share", "抽样比例"),
        ({"precision": "x"}, "precision", "整数"),
        # Rules scoring checks itself: the field is found by rebuilding, not by the wording.
        ({"precision": 7}, "precision", "小数"),
        ({"edge_ties": "split"}, "edge_ties", "并列边界"),
        ({"award_rounding": "up"}, "award_rounding", "取整"),
        ({"max_spread": -1}, "max_spread", "评分差"),
        ({"tie_breaks": ["time", "time"]}, "tie_breaks", "重复"),
        (
            {"awards": [{"name": "一等奖", "count": 1}, {"name": "一等奖", "count": 2}]},
            "awards",
            "重复",
        ),
    ],
)
def test_bad_policies_refused(app: Any, raw: dict[str, Any], field: str, needle: str) -> None:
    with app.test_request_context(), pytest.raises(PolicyInvalid) as info:
        policies.validate(raw)
    assert info.value.field == field
    assert needle in info.value.message


def test_tie_break_must_name_existing_component(db: Any, make_contest: Any) -> None:
    made = make_contest()
    with pytest.raises(PolicyInvalid, match="oral"):
        policies.validate({"tie_breaks": ["component:oral"]}, made.event)
    with pytest.raises(PolicyInvalid, match="P9"):
        policies.validate({"tie_breaks": ["criterion:P9"]}, made.event)
    data = policies.validate({"tie_breaks": ["criterion:P2", "time"]}, made.event)
    assert data["tie_breaks"] == ["criterion:P2", "time"]


def test_scoring_rubric_of_event(db: Any, make_contest: Any) -> None:
    made = make_contest()
    rubric = scoring_rubric(made.event)
    assert [c.key for c in rubric.components] == ["theory", "practical"]
    assert [c.weight for c in rubric.components] == [30.0, 70.0]
    by_key = {c.key: c for c in rubric.criteria}
    assert by_key["T1"].component == "theory" and by_key["T1"].max == 100
    assert by_key["P2"].kind == "judgement" and by_key["P2"].scale == 3
    assert by_key["P2"].max == 30
    assert by_key["P3"].kind == "measurement" and by_key["P3"].scale is None
    assert isinstance(rubric, scoring.Rubric)
