"""Indicator items of labor competitions and union ratings, and one round's score per participant.

A labor competition (劳动竞赛) or a union rating (职工之家, 六好, 安康杯) assesses *participants*
(units, teams, projects, unions) on *items* (指标) of seven kinds — see :class:`Item`.  Several
assessors (考评人) may mark the same participant; their marks are combined per participant and
item first, then turned into points, so a rate item compares the combined figure with its
threshold.  Formulas are in ``docs/scoring.md`` (§11).

Everything is vectorised over the long ``participant, assessor, item, mark`` frame: no Python loop
runs per participant or per mark, only per item.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring._aggregate import bincount, to_units
from scoring._sheet import (
    BoolArray,
    FloatArray,
    GroupLayout,
    IntArray,
    _constant,
    _numbers,
    _Problems,
    encode,
)
from scoring.errors import PolicyError, Problem, ScoringInputError

ItemKind = Literal["measurement", "judgement", "deduction", "bonus", "veto", "mandatory", "rate"]
VetoEffect = Literal["round", "competition"]
RoundMethod = Literal["mean", "median", "trimmed"]

ITEM_KINDS: Final[tuple[ItemKind, ...]] = (
    "measurement",
    "judgement",
    "deduction",
    "bonus",
    "veto",
    "mandatory",
    "rate",
)
ROUND_METHODS: Final[tuple[RoundMethod, ...]] = ("mean", "median", "trimmed")

PARTICIPANT: Final = "participant"
ASSESSOR: Final = "assessor"
ITEM: Final = "item"
MARK: Final = "mark"
MARK_COLUMNS: Final = (PARTICIPANT, ASSESSOR, ITEM, MARK)
TABLE_COLUMNS: Final = (
    "base",
    "bonus",
    "total",
    "vetoed",
    "veto_effect",
    "vetoed_by",
    "missing_mandatory",
    "marked",
)

_KIND_ZH: Final[dict[str, str]] = {
    "measurement": "测量",
    "judgement": "评价",
    "deduction": "扣分",
    "bonus": "加分",
    "veto": "一票否决",
    "mandatory": "必备",
    "rate": "达标率",
}
# decimals kept in the points of a round: removes binary noise (0.1 + 0.2) and nothing else
_POINT_DECIMALS: Final = 6


@dataclass(frozen=True)
class Item:
    """One indicator of a score sheet (评分表的一项指标).

    ``mark`` is what an assessor enters; ``max_points`` the item's standard score (标准分).

    - ``measurement``: the mark is the points, 0..``max_points``.
    - ``judgement``: the mark is a level 0..``scale``; points ``mark / scale * max_points``.
    - ``deduction``: the mark is the points taken off, 0..``max_points``; points
      ``max_points - mark``.
    - ``bonus``: the mark is extra points on top of the base, 0..``max_points``.
    - ``veto`` (一票否决): mark 1 = triggered, 0 = not; no points.  ``veto_effect`` says whether
      the participant loses the ``round`` or the whole ``competition``.
    - ``mandatory`` (必备项): mark 1 = met, 0 = not; no points.  An unmet mandatory item makes
      the participant ineligible for a grade (see :func:`grade`).
    - ``rate`` (达标率, e.g. 入会率 ≥ 95%): the mark is the figure (≥ 0); full points when it
      reaches ``threshold``, else ``step_deduction`` off per started ``per_step`` of shortfall,
      never below 0 — 93.9 against 95 with steps of 2 is one step.
    """

    key: str
    kind: ItemKind
    max_points: float
    scale: int | None = None
    threshold: float | None = None
    per_step: float | None = None
    step_deduction: float | None = None
    veto_effect: VetoEffect | None = None

    def __post_init__(self) -> None:
        key = self.key
        if not isinstance(key, str) or not key.strip():
            raise PolicyError("指标缺少编号（item key is empty）")
        if self.kind not in ITEM_KINDS:
            raise PolicyError(
                f"指标 {key} 的类型 {self.kind!r} 无效（kind must be one of "
                f"{', '.join(ITEM_KINDS)}）"
            )
        binary = self.kind in ("veto", "mandatory")
        if not _finite(self.max_points) or self.max_points < 0:
            raise PolicyError(f"指标 {key} 的标准分须为不小于 0 的数（max_points must be ≥ 0）")
        if not binary and self.max_points == 0:
            raise PolicyError(f"指标 {key} 的标准分须大于 0（max_points must be > 0）")
        if self.kind == "judgement":
            if not isinstance(self.scale, int) or isinstance(self.scale, bool) or self.scale < 1:
                raise PolicyError(
                    f"评价指标 {key} 需要最高等级 scale（不小于 1 的整数）"
                    f"（judgement needs an integer scale ≥ 1）"
                )
        elif self.scale is not None:
            raise PolicyError(
                f"{_KIND_ZH[self.kind]}指标 {key} 不使用 scale（only judgement items have a scale）"
            )
        rate_fields = (self.threshold, self.per_step, self.step_deduction)
        if self.kind == "rate":
            if any(value is None for value in rate_fields):
                raise PolicyError(
                    f"达标率指标 {key} 需要达标值 threshold、每档差距 per_step 和每档扣分 "
                    f"step_deduction（rate needs threshold, per_step and step_deduction）"
                )
            assert self.threshold is not None
            assert self.per_step is not None
            assert self.step_deduction is not None
            if not _finite(self.threshold) or self.threshold < 0:
                raise PolicyError(f"指标 {key} 的达标值不能为负（threshold must be ≥ 0）")
            if not _finite(self.per_step) or self.per_step <= 0:
                raise PolicyError(f"指标 {key} 的每档差距须大于 0（per_step must be > 0）")
            if not _finite(self.step_deduction) or self.step_deduction <= 0:
                raise PolicyError(f"指标 {key} 的每档扣分须大于 0（step_deduction must be > 0）")
        elif any(value is not None for value in rate_fields):
            raise PolicyError(
                f"{_KIND_ZH[self.kind]}指标 {key} 不使用达标值、每档差距或每档扣分"
                f"（threshold, per_step and step_deduction are for rate items only）"
            )
        if self.kind == "veto":
            if self.veto_effect not in ("round", "competition"):
                raise PolicyError(
                    f"一票否决指标 {key} 需要说明否决范围：本轮（round）或整个竞赛（competition）"
                    f"（veto needs veto_effect 'round' or 'competition'）"
                )
        elif self.veto_effect is not None:
            raise PolicyError(
                f"{_KIND_ZH[self.kind]}指标 {key} 不是一票否决项，不能设置否决范围"
                f"（veto_effect is for veto items only）"
            )

    @property
    def mark_min(self) -> float:
        """Smallest mark an assessor may enter."""
        return 0.0

    @property
    def mark_max(self) -> float:
        """Largest mark an assessor may enter (``inf`` for a rate)."""
        if self.kind == "judgement":
            assert self.scale is not None
            return float(self.scale)
        if self.kind in ("veto", "mandatory"):
            return 1.0
        if self.kind == "rate":
            return math.inf
        return float(self.max_points)


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _convert(item: Item, marks: FloatArray) -> FloatArray:
    """Points of combined marks (NaN stays NaN: not marked)."""
    if item.kind == "measurement" or item.kind == "bonus":
        return marks.astype(np.float64, copy=True)
    if item.kind == "judgement":
        assert item.scale is not None
        return np.asarray(marks / item.scale * item.max_points, dtype=np.float64)
    if item.kind == "deduction":
        return np.asarray(item.max_points - marks, dtype=np.float64)
    if item.kind == "rate":
        assert item.threshold is not None and item.per_step is not None
        assert item.step_deduction is not None
        shortfall = np.maximum(item.threshold - marks, 0.0)
        # a started step is a whole step; binary noise (94.6 vs 95 by 0.2 → 2.0000000000003)
        # must not start one
        steps = np.ceil(np.round(shortfall / item.per_step, 9))
        points = np.maximum(item.max_points - item.step_deduction * steps, 0.0)
        return np.asarray(points, dtype=np.float64)
    # veto and mandatory carry no points
    return np.where(np.isnan(marks), np.nan, 0.0)


def _out_of_range(item: Item, marks: FloatArray) -> BoolArray:
    """Marks an assessor may not enter for ``item`` (NaN is not out of range)."""
    if item.kind in ("veto", "mandatory"):
        return np.asarray(~np.isnan(marks) & (marks != 0) & (marks != 1), dtype=bool)
    return np.asarray((marks < item.mark_min) | (marks > item.mark_max), dtype=bool)


def _range_problem(item: Item, mark: float, row: int | None, participant: str | None) -> Problem:
    if item.kind in ("veto", "mandatory"):
        return Problem(
            row,
            MARK,
            "not_zero_or_one",
            f"{_KIND_ZH[item.kind]}指标 {item.key} 只能填 1（是）或 0（否），不能填 {mark:g}",
            f"{item.kind} item {item.key} takes 1 (yes) or 0 (no), not {mark:g}",
            entry=participant,
        )
    if mark < item.mark_min:
        return Problem(
            row,
            MARK,
            "below_min",
            f"指标 {item.key} 的分数 {mark:g} 不能为负",
            f"mark {mark:g} of item {item.key} is negative",
            entry=participant,
        )
    return Problem(
        row,
        MARK,
        "above_max",
        f"指标 {item.key} 的分数 {mark:g} 超过上限 {item.mark_max:g}",
        f"mark {mark:g} of item {item.key} is above its maximum {item.mark_max:g}",
        entry=participant,
    )


def item_points(item: Item, mark: float) -> float:
    """Points of one (combined) mark on ``item``; see :class:`Item` for the formula of each kind.

    Raises :class:`~scoring.errors.ScoringInputError` for a mark that is not a number or lies
    outside the item's range.
    """
    try:
        value = float(mark)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise ScoringInputError(
            [
                Problem(
                    None,
                    MARK,
                    "not_a_number",
                    f"指标 {item.key} 的分数 {mark!r} 不是有效数字",
                    f"mark {mark!r} of item {item.key} is not a number",
                )
            ]
        )
    marks = np.array([value])
    if _out_of_range(item, marks)[0]:
        raise ScoringInputError([_range_problem(item, value, None, None)])
    return float(np.round(_convert(item, marks)[0], _POINT_DECIMALS))


@dataclass(frozen=True)
class RoundScores:
    """One round's result per participant (:func:`round_scores`).

    ``table`` is indexed by participant (sorted by label) with columns ``base`` (sum of the
    points of every item that is not a bonus), ``bonus`` (sum of bonus points, capped),
    ``total`` (``base + bonus``), ``vetoed``, ``veto_effect`` (``"round"``, ``"competition"`` —
    which wins when both were triggered — or ``None``), ``vetoed_by`` (keys of the triggered veto
    items joined by ``","``, ``""`` when none), ``missing_mandatory`` (keys of the mandatory items
    not met or not marked, ``","``-joined) and ``marked`` (number of items with at least one
    mark).  **A veto does not change ``total``**: the caller decides what it means (a round veto
    counts 0 for the round in :func:`scoring.rounds.standings`, a competition veto excludes).

    ``items`` is participant × item key: the combined points of every item (NaN = not marked,
    0 for veto and mandatory items), for indicator breakdowns.
    """

    table: pd.DataFrame
    items: pd.DataFrame


def round_scores(
    marks: pd.DataFrame,
    items: Sequence[Item],
    *,
    method: RoundMethod = "mean",
    trim: int = 0,
    bonus_cap: float | None = None,
) -> RoundScores:
    """Combine the assessors' marks of one round into points per participant.

    ``marks`` is long: ``participant, assessor, item, mark`` (an empty mark = not marked, left
    out, never counted as 0).  Per participant and item the marks are combined — numeric kinds by
    ``method`` (``mean``; ``median``; ``trimmed``: drop the ``trim`` highest and ``trim`` lowest
    when at least ``2 * trim + 1`` marks were given, else the plain mean), a veto is triggered if
    *any* assessor marked 1, a mandatory item is met only if *every* assessor who marked it
    marked 1 — and then converted to points (:class:`Item`).  ``bonus_cap`` caps the sum of bonus
    points (``None`` = no cap).  Points are kept to 6 decimals (binary noise removed).

    Raises :class:`~scoring.errors.PolicyError` for bad items or options and
    :class:`~scoring.errors.ScoringInputError` listing every bad row (missing columns, marks that
    are not numbers or lie outside their item's range, unknown or empty item keys, empty
    participants or assessors, an assessor marking the same item of a participant twice).
    The input frame is never modified.
    """
    items = tuple(items)
    _check_options(items, method, trim, bonus_cap)
    if not isinstance(marks, pd.DataFrame):
        raise TypeError("marks must be a pandas DataFrame")
    problems = _Problems()
    require_columns(marks, MARK_COLUMNS, problems)

    value, bad = _numbers(marks[MARK])
    problems.rows(
        np.flatnonzero(bad),
        MARK,
        "not_a_number",
        lambda row: (
            f"分数 {marks[MARK].iloc[row]!r} 不是有效数字",
            f"mark {marks[MARK].iloc[row]!r} is not a number",
        ),
    )
    given = ~np.isnan(value) | bad
    participant, participants = encode(marks[PARTICIPANT])
    assessor, _assessors = encode(marks[ASSESSOR])
    item_code = key_codes(marks[ITEM], [item.key for item in items])
    for column, codes, code, zh, en in (
        (PARTICIPANT, participant, "missing_participant", "缺少参赛单位", "participant is empty"),
        (ASSESSOR, assessor, "missing_assessor", "缺少考评人", "assessor is empty"),
        (ITEM, item_code, "missing_item", "缺少指标编号", "item is empty"),
    ):
        problems.rows(np.flatnonzero(given & (codes == -1)), column, code, _constant(zh, en))
    problems.rows(
        np.flatnonzero(given & (item_code == -2)),
        ITEM,
        "unknown_item",
        lambda row: (
            f"评分表中没有指标 {marks[ITEM].iloc[row]}",
            f"unknown item {marks[ITEM].iloc[row]}",
        ),
    )
    known = np.flatnonzero(~np.isnan(value) & (item_code >= 0))
    for position, item in enumerate(items):
        rows = known[item_code[known] == position]
        out = rows[_out_of_range(item, value[rows])]
        for row in out[: max(ScoringInputError.MAX_PROBLEMS - len(problems.items), 0)]:
            label = str(marks[PARTICIPANT].iloc[row])
            problems.items.append(_range_problem(item, float(value[row]), int(row), label))
        problems.total += len(out)

    n_p, n_i = len(participants), len(items)
    ok = np.flatnonzero(~np.isnan(value) & (participant >= 0) & (assessor >= 0) & (item_code >= 0))
    group = np.multiply(participant[ok], n_i, dtype=np.int64)
    group += item_code[ok]
    _check_duplicates(marks, ok, group, assessor[ok], problems)
    problems.raise_if_any()

    v = value[ok]
    counts = np.bincount(group, minlength=n_p * n_i)
    combined = _combine(group, counts, v, method, trim).reshape(n_p, n_i)
    ones = bincount(group, (v == 1).astype(np.float64), n_p * n_i).reshape(n_p, n_i)
    counts_2d = counts.reshape(n_p, n_i)
    return _assemble(items, participants, combined, ones, counts_2d, bonus_cap)


def require_columns(frame: pd.DataFrame, names: Sequence[str], problems: _Problems) -> None:
    """Stop with one problem per required column ``frame`` lacks."""
    for name in names:
        if name not in frame.columns:
            problems.add(
                Problem(
                    None,
                    name,
                    "missing_column",
                    f"缺少必需的列 {name}",
                    f"required column {name} is missing",
                )
            )
    problems.raise_if_any()


def distinct_keys(keys: Sequence[str], noun: str, noun_en: str) -> None:
    """Refuse a rule list that names the same key twice (``noun``: 指标, 轮次 …)."""
    if len(set(keys)) != len(keys):
        twice = "、".join(sorted({k for k in keys if keys.count(k) > 1}))
        raise PolicyError(f"{noun}编号重复：{twice}（duplicate {noun_en} keys）")


def _check_options(
    items: tuple[Item, ...], method: str, trim: int, bonus_cap: float | None
) -> None:
    if not items:
        raise PolicyError("评分表至少需要一项指标（no items）")
    if not all(isinstance(item, Item) for item in items):
        raise PolicyError("指标须为 Item 对象（items must be Item objects）")
    distinct_keys([item.key for item in items], "指标", "item")
    if method not in ROUND_METHODS:
        raise PolicyError(f"未知的汇总方法 {method!r}（use {', '.join(ROUND_METHODS)}）")
    if isinstance(trim, bool) or not isinstance(trim, int) or trim < 0:
        raise PolicyError("去掉的最高/最低分个数须为不小于 0 的整数（trim must be an int ≥ 0）")
    if trim and method != "trimmed":
        raise PolicyError(
            "只有去掉最高最低分的平均（method='trimmed'）才能设置 trim"
            "（trim requires method='trimmed'）"
        )
    if bonus_cap is not None and (not _finite(bonus_cap) or bonus_cap < 0):
        raise PolicyError("加分上限须为不小于 0 的数（bonus_cap must be ≥ 0）")


def key_codes(column: pd.Series, keys: Sequence[str]) -> IntArray:
    """Position of each row's label among ``keys``: −1 when blank, −2 when unknown.

    Labels are compared as stripped text, so a sheet's ``1`` matches the key ``"1"``.
    """
    codes, labels = encode(column)
    known = pd.Index(list(keys), dtype=object)
    position = known.get_indexer(pd.Index([str(label).strip() for label in labels], dtype=object))
    position = np.where(position < 0, -2, position)
    lookup = np.append(position, -1).astype(np.intp)  # code −1 (blank) reads the last slot
    return np.asarray(lookup[codes], dtype=np.intp)


def _check_duplicates(
    marks: pd.DataFrame,
    ok: IntArray,
    group: npt.NDArray[np.int64],
    assessor: IntArray,
    problems: _Problems,
) -> None:
    frame = pd.DataFrame({"g": group, "a": assessor}, copy=False)
    twice = frame.duplicated(keep="first").to_numpy()
    if not twice.any():
        return
    problems.rows(
        ok[twice],
        ASSESSOR,
        "duplicate_mark",
        lambda row: (
            f"考评人 {marks[ASSESSOR].iloc[row]} 对 {marks[PARTICIPANT].iloc[row]} 的指标 "
            f"{marks[ITEM].iloc[row]} 重复评分",
            f"assessor {marks[ASSESSOR].iloc[row]} marked item {marks[ITEM].iloc[row]} of "
            f"{marks[PARTICIPANT].iloc[row]} twice",
        ),
    )


def _combine(
    group: npt.NDArray[np.int64],
    counts: IntArray,
    values: FloatArray,
    method: RoundMethod,
    trim: int,
) -> FloatArray:
    """Per group (participant × item) the marks combined by ``method``; NaN where none."""
    n_groups = len(counts)
    have = counts > 0
    if method == "mean" or (method == "trimmed" and trim == 0) or not len(values):
        out = bincount(group, values, n_groups)
    else:
        dense = GroupLayout.build(group, counts).dense(values, np.inf)  # width × groups, sorted
        if method == "median":
            columns = np.arange(n_groups)
            low = np.maximum((counts - 1) // 2, 0)
            high = np.maximum(counts // 2, 0)
            out = np.where(have, (dense[low, columns] + dense[high, columns]) / 2, 0.0)
            return np.where(have, out, np.nan)
        enough = counts >= 2 * trim + 1
        first = np.where(enough, trim, 0)
        stop = np.where(enough, counts - trim, counts)
        out = np.zeros(n_groups)
        for position in range(dense.shape[0]):
            keep = (position >= first) & (position < stop)
            out += np.where(keep, dense[position], 0.0)
        counts = stop - first
    return np.where(have, out / np.maximum(counts, 1), np.nan)


def _assemble(
    items: tuple[Item, ...],
    participants: pd.Index,
    combined: FloatArray,
    ones: FloatArray,
    counts: IntArray,
    bonus_cap: float | None,
) -> RoundScores:
    n_p = len(participants)
    marked_cell = counts > 0
    points = np.full(combined.shape, np.nan)
    base = np.zeros(n_p)
    bonus = np.zeros(n_p)
    vetoed_round = np.zeros(n_p, dtype=bool)
    vetoed_comp = np.zeros(n_p, dtype=bool)
    vetoed_by = np.full(n_p, "", dtype=object)
    missing = np.full(n_p, "", dtype=object)
    for j, item in enumerate(items):
        column = np.round(_convert(item, combined[:, j]), _POINT_DECIMALS)
        points[:, j] = column
        if item.kind == "bonus":
            bonus += np.nan_to_num(column)
        elif item.kind == "veto":
            hit = ones[:, j] > 0
            if item.veto_effect == "competition":
                vetoed_comp |= hit
            else:
                vetoed_round |= hit
            vetoed_by = vetoed_by + np.where(hit, item.key + ",", "")
        elif item.kind == "mandatory":
            met = marked_cell[:, j] & (ones[:, j] == counts[:, j])
            missing = missing + np.where(met, "", item.key + ",")
        else:
            base += np.nan_to_num(column)
    if bonus_cap is not None:
        bonus = np.minimum(bonus, bonus_cap)
    base = np.round(base, _POINT_DECIMALS)
    bonus = np.round(bonus, _POINT_DECIMALS)
    index = pd.Index(participants, name=PARTICIPANT)
    effect: npt.NDArray[np.object_] = np.full(n_p, None, dtype=object)
    effect[vetoed_round] = "round"
    effect[vetoed_comp] = "competition"  # the wider effect wins when both were triggered
    table = pd.DataFrame(
        {
            "base": base,
            "bonus": bonus,
            "total": np.round(base + bonus, _POINT_DECIMALS),
            "vetoed": vetoed_comp | vetoed_round,
            "veto_effect": pd.Series(effect, index=index, dtype=object),
            "vetoed_by": pd.Series(vetoed_by, index=index, dtype=object).str.rstrip(","),
            "missing_mandatory": pd.Series(missing, index=index, dtype=object).str.rstrip(","),
            "marked": marked_cell.sum(axis=1).astype(np.int64),
        },
        index=index,
    )
    by_item = pd.DataFrame(
        points, index=index.copy(), columns=pd.Index([item.key for item in items], name=ITEM)
    )
    return RoundScores(table=table, items=by_item)


def grade(total: float, bands: Sequence[tuple[float, str]], *, eligible: bool = True) -> str | None:
    """The label of the highest band whose minimum ≤ ``total`` (星级 / 等级).

    ``bands`` like ``[(90, "五星"), (80, "四星"), (70, "三星")]``, in any order.  ``None`` when
    not ``eligible`` (e.g. a mandatory item not met, or vetoed: the caller decides) or when the
    total is below every band or missing.  Totals are compared to 6 decimals, so 89.9999999999
    from float sums reaches the 90 band.
    """
    labels = grades(pd.Series([total], dtype=np.float64), bands, eligible=eligible)
    label = labels.iloc[0]
    return None if label is None else str(label)


def grades(
    totals: pd.Series,
    bands: Sequence[tuple[float, str]],
    *,
    eligible: pd.Series | bool = True,
) -> pd.Series:
    """:func:`grade` for a Series of totals (``eligible`` a bool or a bool Series, same index)."""
    checked = _check_bands(bands)
    values = pd.to_numeric(totals, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    out: npt.NDArray[np.object_] = np.full(len(values), None, dtype=object)
    if isinstance(eligible, pd.Series):
        allowed = eligible.reindex(totals.index).fillna(False).to_numpy(dtype=bool)
    else:
        allowed = np.full(len(values), bool(eligible))
    have = ~np.isnan(values) & allowed
    units = to_units(np.nan_to_num(values), _POINT_DECIMALS)
    # lowest band first, so each higher band overwrites
    for minimum, label in sorted(checked, key=lambda band: band[0]):
        out[have & (units >= to_units([minimum], _POINT_DECIMALS)[0])] = label
    return pd.Series(out, index=totals.index, dtype=object, name="grade")


def _check_bands(bands: Sequence[tuple[float, str]]) -> list[tuple[float, str]]:
    checked: list[tuple[float, str]] = []
    for band in bands:
        try:
            minimum, label = band
        except (TypeError, ValueError):
            raise PolicyError(
                f"等级设置 {band!r} 应为（最低分，名称）（a band is a pair of minimum and label）"
            ) from None
        if not _finite(minimum):
            raise PolicyError(f"等级 {label} 的最低分须为数字（band minimum must be a number）")
        if not isinstance(label, str) or not label.strip():
            raise PolicyError("等级名称不能为空（band label is empty）")
        checked.append((float(minimum), label))
    minima = [m for m, _ in checked]
    if len(set(minima)) != len(minima):
        raise PolicyError("两个等级的最低分相同（two bands share a minimum）")
    return checked
