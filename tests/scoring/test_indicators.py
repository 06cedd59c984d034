"""Indicator items and one round's score per participant: hand-computed reference values."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pytest

from scoring import (
    Item,
    PolicyError,
    RoundScores,
    ScoringInputError,
    grade,
    item_points,
    round_scores,
)
from scoring.indicators import grades

RATE = Item("入会率", "rate", 10, threshold=95, per_step=2, step_deduction=0.5)


def frame(rows: Iterable[Sequence[object]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["participant", "assessor", "item", "mark"])


def codes(error: pytest.ExceptionInfo[ScoringInputError]) -> list[tuple[int | None, str]]:
    return [(p.row, p.code) for p in error.value.problems]


# --- item kinds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mark", "points"),
    [
        (100, 10.0),  # above the threshold
        (95, 10.0),  # exactly at the threshold
        (94.9, 9.5),  # 0.1 short: a started step is a whole step
        (93, 9.5),  # exactly one step short
        (92.9, 9.0),  # just into the second step
        (93.9, 9.5),  # the brief's example
        (76, 5.0),  # 19 short → 10 steps → 5 off
        (55, 0.0),  # 40 short → 20 steps → exactly 0
        (0, 0.0),  # far short: floors at 0, never negative
    ],
)
def test_rate_item_steps(mark: float, points: float) -> None:
    assert item_points(RATE, mark) == points


def test_rate_item_binary_noise_does_not_start_a_step() -> None:
    item = Item("满意度", "rate", 5, threshold=95, per_step=0.2, step_deduction=1)
    # 95 − 94.6 = 0.4000000000000057 → 2.0000000000000284 steps in floating point
    assert item_points(item, 94.6) == 3.0
    assert item_points(item, 94.59) == 2.0


def test_judgement_measurement_deduction_bonus() -> None:
    assert item_points(Item("j", "judgement", 20, scale=4), 3) == 15.0
    assert item_points(Item("j", "judgement", 20, scale=4), 4) == 20.0
    assert item_points(Item("j", "judgement", 10, scale=3), 1) == pytest.approx(10 / 3, abs=1e-6)
    assert item_points(Item("m", "measurement", 10), 7.25) == 7.25
    assert item_points(Item("d", "deduction", 5), 0) == 5.0
    assert item_points(Item("d", "deduction", 5), 1.5) == 3.5
    assert item_points(Item("d", "deduction", 5), 5) == 0.0
    assert item_points(Item("b", "bonus", 3), 2) == 2.0


def test_veto_and_mandatory_carry_no_points() -> None:
    assert item_points(Item("v", "veto", 0, veto_effect="round"), 1) == 0.0
    assert item_points(Item("v", "veto", 0, veto_effect="competition"), 0) == 0.0
    assert item_points(Item("必备", "mandatory", 0), 1) == 0.0


@pytest.mark.parametrize(
    ("item", "mark", "code"),
    [
        (Item("m", "measurement", 10), 10.5, "above_max"),
        (Item("m", "measurement", 10), -1, "below_min"),
        (Item("j", "judgement", 20, scale=4), 5, "above_max"),
        (Item("d", "deduction", 5), 6, "above_max"),
        (Item("b", "bonus", 3), 3.5, "above_max"),
        (Item("v", "veto", 0, veto_effect="round"), 0.5, "not_zero_or_one"),
        (Item("必备", "mandatory", 0), 2, "not_zero_or_one"),
        (RATE, -3, "below_min"),
        (RATE, float("nan"), "not_a_number"),
    ],
)
def test_item_points_refuses_marks_outside_the_range(item: Item, mark: float, code: str) -> None:
    with pytest.raises(ScoringInputError) as error:
        item_points(item, mark)
    assert codes(error) == [(None, code)]
    assert error.value.problems[0].message_en


@pytest.mark.parametrize(
    "make",
    [
        lambda: Item("r", "rate", 10, threshold=95, per_step=2),
        lambda: Item("r", "rate", 10, threshold=95, step_deduction=0.5),
        lambda: Item("r", "rate", 10, per_step=2, step_deduction=0.5),
        lambda: Item("r", "rate", 10, threshold=95, per_step=0, step_deduction=0.5),
        lambda: Item("v", "veto", 0),
        lambda: Item("m", "measurement", 10, veto_effect="round"),
        lambda: Item("j", "judgement", 10),
        lambda: Item("j", "judgement", 10, scale=0),
        lambda: Item("m", "measurement", 10, scale=3),
        lambda: Item("m", "measurement", 10, threshold=90),
        lambda: Item("m", "measurement", 0),
        lambda: Item("m", "measurement", -5),
        lambda: Item("m", "measurement", float("nan")),
        lambda: Item("", "measurement", 10),
        lambda: Item("x", "weight", 10),  # type: ignore[arg-type]
    ],
)
def test_impossible_items_are_refused(make: object) -> None:
    assert callable(make)
    with pytest.raises(PolicyError) as error:
        make()
    message = str(error.value)
    assert "（" in message and "）" in message  # Chinese, then English in full-width brackets


# --- one round -------------------------------------------------------------------------------

ITEMS = (
    Item("安全", "measurement", 30),
    Item("质量", "judgement", 20, scale=4),
    Item("文明", "deduction", 10),
    Item("创新", "bonus", 5),
    Item("表彰", "bonus", 5),
    Item("事故", "veto", 0, veto_effect="competition"),
    Item("投诉", "veto", 0, veto_effect="round"),
    Item("备案", "mandatory", 0),
    RATE,
)


def test_round_scores_reference_case() -> None:
    marks = frame(
        [
            ("甲", "A", "安全", 27),
            ("甲", "B", "安全", 25),
            ("甲", "A", "质量", 3),
            ("甲", "B", "质量", 4),
            ("甲", "A", "文明", 2),
            ("甲", "A", "创新", 4),
            ("甲", "A", "表彰", 3),
            ("甲", "A", "备案", 1),
            ("甲", "B", "备案", 1),
            ("甲", "A", "入会率", 93.9),
            ("甲", "A", "事故", 0),
            ("乙", "A", "安全", 20),
            ("乙", "B", "安全", None),  # not marked: left out, not a 0
            ("乙", "A", "事故", 0),
            ("乙", "B", "事故", 1),  # any assessor → triggered
            ("乙", "A", "投诉", 1),
            ("乙", "A", "备案", 1),
            ("乙", "B", "备案", 0),  # not every assessor → not met
            ("丙", "A", "安全", None),
        ]
    )
    result = round_scores(marks, ITEMS)
    assert isinstance(result, RoundScores)
    table = result.table
    assert list(table.index) == sorted(["甲", "乙", "丙"])
    assert list(table.columns) == [
        "base",
        "bonus",
        "total",
        "vetoed",
        "veto_effect",
        "vetoed_by",
        "missing_mandatory",
        "marked",
    ]
    a = table.loc["甲"]
    # 安全 26 + 质量 3.5/4×20 = 17.5 + 文明 10 − 2 = 8 + 入会率 9.5
    assert a["base"] == 61.0
    assert a["bonus"] == 7.0
    assert a["total"] == 68.0
    assert not a["vetoed"] and a["veto_effect"] is None and a["vetoed_by"] == ""
    assert a["missing_mandatory"] == ""
    assert a["marked"] == 8
    b = table.loc["乙"]
    assert b["base"] == 20.0 and b["total"] == 20.0  # a veto leaves the total alone
    assert b["vetoed"]
    assert b["veto_effect"] == "competition"  # competition wins over round
    assert b["vetoed_by"] == "事故,投诉"
    assert b["missing_mandatory"] == "备案"
    assert b["marked"] == 4
    c = table.loc["丙"]
    assert c["total"] == 0.0 and c["marked"] == 0
    assert c["missing_mandatory"] == "备案"  # not marked counts as not met
    breakdown = result.items
    assert list(breakdown.columns) == [item.key for item in ITEMS]
    assert breakdown.loc["甲", "质量"] == 17.5
    assert breakdown.loc["甲", "入会率"] == 9.5
    assert breakdown.loc["甲", "事故"] == 0.0
    assert math.isnan(breakdown.loc["乙", "质量"])
    assert math.isnan(breakdown.loc["丙", "安全"])


def test_round_veto_only() -> None:
    marks = frame([("甲", "A", "安全", 30), ("甲", "A", "投诉", 1), ("甲", "B", "投诉", 0)])
    row = round_scores(marks, ITEMS).table.loc["甲"]
    assert row["vetoed"] and row["veto_effect"] == "round" and row["vetoed_by"] == "投诉"
    assert row["total"] == 30.0


def test_bonus_cap() -> None:
    marks = frame([("甲", "A", "安全", 20), ("甲", "A", "创新", 5), ("甲", "A", "表彰", 4)])
    assert round_scores(marks, ITEMS).table.loc["甲", "bonus"] == 9.0
    capped = round_scores(marks, ITEMS, bonus_cap=6).table.loc["甲"]
    assert capped["bonus"] == 6.0 and capped["total"] == 26.0 and capped["base"] == 20.0
    assert round_scores(marks, ITEMS, bonus_cap=0).table.loc["甲", "total"] == 20.0


def panel(values: Sequence[float], item: str = "安全") -> pd.DataFrame:
    return frame([("甲", f"J{i}", item, v) for i, v in enumerate(values)])


@pytest.mark.parametrize(
    ("method", "trim", "values", "expected"),
    [
        ("mean", 0, [20, 24, 29], 24.333333),
        ("median", 0, [20, 24, 29], 24.0),
        ("median", 0, [20, 24, 26, 29], 25.0),
        ("trimmed", 1, [10, 20, 24, 26, 30], 70 / 3),  # drop 10 and 30
        ("trimmed", 1, [20, 24, 29], 24.0),  # exactly 2·1 + 1 marks: one remains
        ("trimmed", 1, [20, 24], 22.0),  # too few marks to trim: plain mean
        ("trimmed", 2, [1, 2, 3, 4, 30], 3.0),
        ("trimmed", 0, [20, 24, 29], 24.333333),
    ],
)
def test_aggregation_methods(method: str, trim: int, values: list[float], expected: float) -> None:
    result = round_scores(panel(values), ITEMS, method=method, trim=trim)  # type: ignore[arg-type]
    assert result.table.loc["甲", "base"] == pytest.approx(expected, abs=1e-6)


def test_rate_is_applied_to_the_combined_figure() -> None:
    # two assessors read 94 and 96: mean 95 reaches the threshold (per mark it would not)
    result = round_scores(panel([94, 96], "入会率"), ITEMS)
    assert result.items.loc["甲", "入会率"] == 10.0


def test_judgement_median_of_levels() -> None:
    result = round_scores(panel([1, 3, 4], "质量"), ITEMS, method="median")
    assert result.items.loc["甲", "质量"] == 15.0


def test_rows_order_does_not_matter_and_input_is_untouched() -> None:
    marks = frame(
        [
            ("乙", "A", "安全", 20),
            ("甲", "B", "安全", 10),
            ("甲", "A", "安全", 12),
            ("甲", "C", "安全", 30),
            ("乙", "B", "质量", 2),
        ]
    )
    before = marks.copy()
    one = round_scores(marks, ITEMS, method="median").table
    two = round_scores(marks.iloc[::-1], ITEMS, method="median").table
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(marks, before)
    assert one.loc["甲", "base"] == 12.0


def test_bad_input_lists_every_problem() -> None:
    marks = frame(
        [
            ("甲", "A", "安全", 31),  # above max
            ("甲", "A", "无此项", 1),  # unknown item
            ("甲", "A", "投诉", 0.5),  # veto takes 0 or 1
            ("甲", "B", "安全", "abc"),  # not a number
            ("", "A", "质量", 2),  # no participant
            ("乙", "A", "质量", 5),  # above the scale 4
            ("乙", "A", "文明", -1),  # negative
            ("乙", "B", "质量", 2),
            ("乙", "B", "质量", 3),  # twice by the same assessor
            ("丙", None, "质量", 3),  # no assessor
            ("丙", "A", " ", 3),  # no item
        ]
    )
    with pytest.raises(ScoringInputError) as error:
        round_scores(marks, ITEMS)
    assert sorted(codes(error)) == [
        (0, "above_max"),
        (1, "unknown_item"),
        (2, "not_zero_or_one"),
        (3, "not_a_number"),
        (4, "missing_participant"),
        (5, "above_max"),
        (6, "below_min"),
        (8, "duplicate_mark"),
        (9, "missing_assessor"),
        (10, "missing_item"),
    ]
    problems = {p.row: p for p in error.value.problems}
    assert problems[5].message == "指标 质量 的分数 5 超过上限 4"
    assert problems[5].entry == "乙"
    assert problems[1].message == "评分表中没有指标 无此项"
    assert "第 6 行" in problems[5].describe(first_line=1)


def test_missing_columns() -> None:
    with pytest.raises(ScoringInputError) as error:
        round_scores(pd.DataFrame({"participant": ["甲"], "mark": [1]}), ITEMS)
    assert codes(error) == [(None, "missing_column"), (None, "missing_column")]


@pytest.mark.parametrize(
    "options",
    [
        {"method": "sum"},
        {"method": "mean", "trim": 1},
        {"method": "trimmed", "trim": -1},
        {"bonus_cap": -1},
    ],
)
def test_bad_options(options: dict[str, object]) -> None:
    with pytest.raises(PolicyError):
        round_scores(panel([1]), ITEMS, **options)  # type: ignore[arg-type]


def test_duplicate_item_keys_and_no_items() -> None:
    with pytest.raises(PolicyError, match="指标编号重复"):
        round_scores(panel([1]), [Item("安全", "measurement", 1), Item("安全", "bonus", 1)])
    with pytest.raises(PolicyError):
        round_scores(panel([1]), [])


def test_numeric_item_labels_match_string_keys() -> None:
    marks = frame([("甲", "A", 1, 8.0)])
    result = round_scores(marks, [Item("1", "measurement", 10)])
    assert result.table.loc["甲", "total"] == 8.0


def test_a_thousand_participants_forty_items_five_assessors_in_well_under_a_second() -> None:
    rng = np.random.default_rng(7)
    items = [Item(f"i{k}", "measurement", 10) for k in range(36)] + [
        Item("r", "rate", 10, threshold=95, per_step=2, step_deduction=0.5),
        Item("b", "bonus", 5),
        Item("v", "veto", 0, veto_effect="round"),
        Item("must", "mandatory", 0),
    ]
    participant, item, assessor = np.meshgrid(
        [f"P{i:04d}" for i in range(1000)],
        [it.key for it in items],
        [f"A{a}" for a in range(5)],
        indexing="ij",
    )
    values = rng.uniform(0, 5, participant.shape)
    values[:, -2:, :] = rng.integers(0, 2, (1000, 2, 5))
    values[:, -4, :] += 90  # rates 90..95
    marks = pd.DataFrame(
        {
            "participant": participant.ravel(),
            "assessor": assessor.ravel(),
            "item": item.ravel(),
            "mark": values.ravel(),
        }
    ).sample(frac=1.0, random_state=3)
    started = time.perf_counter()
    result = round_scores(marks, items, method="trimmed", trim=1)
    elapsed = time.perf_counter() - started
    assert len(result.table) == 1000 and result.items.shape == (1000, 40)
    assert elapsed < 1.0
    # spot-check one participant against a direct computation
    first = marks[marks.participant == "P0000"]
    safe = first[first.item == "i0"].mark.sort_values().to_numpy()[1:-1].mean()
    assert result.items.loc["P0000", "i0"] == pytest.approx(safe, abs=1e-6)


# --- grades ----------------------------------------------------------------------------------

STARS = [(90, "五星"), (80, "四星"), (70, "三星")]


@pytest.mark.parametrize(
    ("total", "eligible", "label"),
    [
        (95, True, "五星"),
        (90, True, "五星"),
        (89.99, True, "四星"),
        (89.99999999999, True, "五星"),  # float noise of a sum
        (80, True, "四星"),
        (70, True, "三星"),
        (69.5, True, None),
        (95, False, None),
        (float("nan"), True, None),
    ],
)
def test_grade(total: float, eligible: bool, label: str | None) -> None:
    assert grade(total, STARS, eligible=eligible) == label


def test_grade_bands_in_any_order_and_vectorised() -> None:
    assert grade(85, list(reversed(STARS))) == "四星"
    totals = pd.Series([95.0, 85.0, 60.0, 91.0], index=["a", "b", "c", "d"])
    eligible = pd.Series([True, True, True, False], index=["a", "b", "c", "d"])
    got = grades(totals, STARS, eligible=eligible)
    assert got.tolist() == ["五星", "四星", None, None]
    assert list(got.index) == ["a", "b", "c", "d"]


def test_bad_bands() -> None:
    with pytest.raises(PolicyError):
        grade(90, [(90, "五星"), (90, "四星")])
    with pytest.raises(PolicyError):
        grade(90, [(90, "")])
    with pytest.raises(PolicyError):
        grade(90, [(float("nan"), "五星")])


def test_an_empty_sheet_gives_an_empty_table() -> None:
    empty = pd.DataFrame({"participant": [], "assessor": [], "item": [], "mark": []})
    result = round_scores(empty, ITEMS)
    assert result.table.empty and result.items.shape == (0, len(ITEMS))
