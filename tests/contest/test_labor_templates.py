"""The built-in indicator sheets of labor competitions and union ratings are sound data.

Pure checks on ``contest.services.labor.templates`` (no rows are written): each sheet passes
its own validator, totals 100, keeps the figures its source names (安康杯 section points, the
六好 text's 入会率 and 会员满意率, the vetoes of a 重大工程 competition) and reads as Chinese.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from contest.services.labor import templates as labor
from tests.contest.punctuation import marks_in

SIX_GOOD = ("six_good_county", "six_good_township", "six_good_grassroots")


@pytest.fixture
def built(app: Flask) -> Iterator[dict[str, dict[str, Any]]]:
    """The templates as a Chinese request sees them (gettext needs a request context)."""
    with app.test_request_context():
        yield labor.builtin_templates()


@pytest.fixture
def check(app: Flask) -> Iterator[Any]:
    """``validate_template`` inside a request context, for the messages it builds."""
    with app.test_request_context():
        yield labor.validate_template


def _items(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for c in template["data"]["criteria"] for item in c["aspects"]]


def _criterion(template: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in template["data"]["criteria"] if c["name"] == name)


def _points(items: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(i["max_points"]) for i in items if i["kind"] != "bonus"), Decimal(0))


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _texts(inner)


def test_the_six_templates_are_there(built: dict[str, dict[str, Any]]) -> None:
    assert set(built) == {
        "project_six_compare",
        "ankang_cup",
        *SIX_GOOD,
        "workers_home_model",
    }


def test_every_builtin_passes_its_own_validator(built: dict[str, dict[str, Any]], check) -> None:
    for key, template in built.items():
        assert check(template) == [], key
        assert check(template["data"]) == [], key


def test_non_bonus_points_sum_to_100(built: dict[str, dict[str, Any]]) -> None:
    for key, template in built.items():
        assert _points(_items(template)) == 100, key


def test_keys_are_unique_and_names_fit(built: dict[str, dict[str, Any]]) -> None:
    for key, template in built.items():
        keys = [item["key"] for item in _items(template)]
        assert len(keys) == len(set(keys)), key
        assert all(len(item["name"]) <= 300 for item in _items(template))
        assert all(len(c["name"]) <= 200 for c in template["data"]["criteria"])
        assert set(template["kinds"]) <= set(labor.COMPETITION_KINDS)


def test_ankang_cup_keeps_the_published_section_points(built: dict[str, dict[str, Any]]) -> None:
    ankang = built["ankang_cup"]
    for name, points in (
        ("组织领导", 7),
        ("法规学习培训宣传", 18),
        ("班组安全建设", 10),
        ("安全管理", 20),
    ):
        assert _points(_criterion(ankang, name)["aspects"]) == points, name
    vetoes = [item for item in _items(ankang) if item["kind"] == "veto"]
    assert any("死亡" in v["name"] and v["veto_effect"] == "competition" for v in vetoes)


def test_project_sheet_has_the_six_compares_and_its_vetoes(
    built: dict[str, dict[str, Any]],
) -> None:
    project = built["project_six_compare"]
    names = [c["name"] for c in project["data"]["criteria"]]
    for name in (
        "比质量",
        "比安全",
        "比进度",
        "比技术创新",
        "比科学管理",
        "比文明施工",
        "创和谐团队",
    ):
        assert name in names
    vetoes = {i["name"]: i["veto_effect"] for i in _items(project) if i["kind"] == "veto"}
    assert vetoes["发生较大及以上生产安全事故"] == "competition"
    assert vetoes["发生重大质量事故"] == "competition"
    assert vetoes["当期发生一般生产安全事故"] == "round"
    assert all(i["max_points"] == "0" for i in _items(project) if i["kind"] == "veto")
    assert project["data"]["bonus_cap"] == "5"
    assert any(i["kind"] == "bonus" and "省部级" in i["name"] for i in _items(project))


def test_six_good_sheets_follow_the_pingdingshan_text(built: dict[str, dict[str, Any]]) -> None:
    for key in SIX_GOOD:
        template = built[key]
        criteria = template["data"]["criteria"]
        assert len(criteria) == 6, key
        assert all(c["name"].endswith("好") for c in criteria), key
        assert template["kinds"] == ["six_good"]
        rates = [i for i in _items(template) if i["kind"] == "rate"]
        assert any(i.get("source") == "membership_rate" for i in rates), key
        assert template["data"]["grades"][0][0] == "90"
    grassroots = _items(built["six_good_grassroots"])
    membership = next(i for i in grassroots if i.get("source") == "membership_rate")
    assert membership["threshold"] == "95"
    satisfaction = next(i for i in grassroots if i.get("source") == "satisfaction")
    assert satisfaction["threshold"] == "90"
    must = [i["name"] for i in grassroots if i["kind"] == "mandatory"]
    for thing in ("牌子", "印章", "人员", "经费", "办公地点", "活动场地"):
        assert any(thing in name for name in must), thing
    township = _items(built["six_good_township"])
    assert any(i.get("source") == "satisfaction" for i in township)


def test_workers_home_has_must_haves_rates_and_stars(built: dict[str, dict[str, Any]]) -> None:
    home = built["workers_home_model"]
    assert home["kinds"] == ["workers_home", "star"]
    assert home["data"]["grades"] == [["90", "五星"], ["80", "四星"], ["70", "三星"]]
    items = _items(home)
    assert sum(i["kind"] == "mandatory" for i in items) >= 2
    sources = {i["source"]: i["threshold"] for i in items if i["kind"] == "rate" and "source" in i}
    assert sources == {"membership_rate": "90", "satisfaction": "90"}


def test_templates_for_filters_by_kind(app: Flask) -> None:
    with app.test_request_context():
        assert [key for key, _ in labor.templates_for("ankang")] == ["ankang_cup"]
        assert [key for key, _ in labor.templates_for("six_good")] == list(SIX_GOOD)
        assert [key for key, _ in labor.templates_for("star")] == ["workers_home_model"]
        assert [key for key, _ in labor.templates_for("leading")] == ["project_six_compare"]
        assert labor.templates_for("nonsense") == []


def test_chinese_text_uses_full_width_punctuation(built: dict[str, dict[str, Any]]) -> None:
    found = [(text, marks_in(text)) for text in _texts(built) if marks_in(text)]
    assert found == []


def test_validator_names_what_is_wrong(built: dict[str, dict[str, Any]], check) -> None:
    broken = copy.deepcopy(built["six_good_grassroots"])
    items = broken["data"]["criteria"][0]["aspects"]
    items[1]["key"] = items[0]["key"]
    items[0]["max_points"] = "五"
    broken["kinds"] = ["six_good", "nonsense"]
    veto = copy.deepcopy(next(i for i in _items(built["ankang_cup"]) if i["kind"] == "veto"))
    del veto["veto_effect"]
    rate = copy.deepcopy(next(i for i in _items(broken) if i["kind"] == "rate"))
    rate.update(key="Z1", threshold="120")
    del rate["per_step"]
    items[2]["max_points"] = "0"  # a mandatory item: worth nothing, rightly
    broken["data"]["grades"] = [["90", "六好"], ["90", "又一个"]]
    items += [veto, rate]
    problems = "\n".join(check(broken))
    assert "重复" in problems
    # Item checks are the engine's own (assessment.items), the same a union's sheet meets.
    assert "评分项 A1：分值必须是数字" in problems
    assert "竞赛类型无效" in problems
    assert "一票否决项需要说明否决范围" in problems
    assert "比率项需要达标值" in problems
    assert "比率项需要扣分步长" in problems
    assert "合计应为 100 分" in problems
    assert "与其他等级的分数线相同" in problems


def test_validator_refuses_what_is_not_a_sheet(check) -> None:
    assert check([]) == ["模板格式无效"]
    assert check({"criteria": []}) == ["模板没有任何指标"]
    assert check({"name": "x", "kinds": ["custom"], "data": None})
