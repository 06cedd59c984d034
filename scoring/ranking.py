"""Totals, ranks, awards and titles.

Order of work, for every entry (or team):

1. marks are validated (:func:`scoring._sheet.read_sheet`) and judgement marks converted to points;
2. optionally corrected for judge severity (``zscore`` or ``fair``);
3. combined across judges per criterion (mean, median, trimmed mean or sum);
4. summed into components and the weighted total (:class:`~scoring.rules.Rubric`);
5. for teams, member totals summed or averaged;
6. rounded to ``policy.precision`` decimals (half up) — only rounded values are compared;
7. sorted by total (higher first), then by each link of ``policy.tie_breaks`` in order (component
   or criterion: higher first; time: shorter first, none last); entries equal on all of these
   share a rank (competition ranking 1, 2, 2, 4) and are listed by entry label;
8. awards and titles given by placing among entries eligible for them (see ``docs/scoring.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from math import ceil, floor
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring._aggregate import (
    aggregate,
    check_panels,
    clip,
    fair,
    group_sum,
    to_units,
    zscore,
)
from scoring._sheet import FloatArray, IntArray, Sheet, read_sheet
from scoring.columns import ENTRY
from scoring.errors import PolicyError
from scoring.judges import sheet_spread_flags
from scoring.rules import (
    AwardBand,
    Method,
    Normalize,
    RankingPolicy,
    Rounding,
    Rubric,
    TieBreak,
    parse_awards,
)

RANK_COLUMNS = ("entry", "total", "rank", "award")
_LAST = np.iinfo(np.int64).max


@dataclass(frozen=True)
class RankingResult:
    """Everything :func:`rank_with_policy` found, in rank order.

    - ``table``: one row per ranked entry (or team): ``entry, total, rank, award, titles,
      recommended, raw_total, eligible`` (+ ``standardised`` with a scale, ``members`` for teams).
      ``total`` is after severity correction; ``raw_total`` is the same computation without it.
    - ``components`` / ``raw_components``: component scores per entry (columns = component keys;
      empty frame when the sheet has no components).
    - ``criteria``: aggregated points per entry and criterion (after correction).
    - ``notes``: sentences for the organiser (e.g. field below the minimum size, so no awards).
    - ``leniency``: with ``normalize='fair'``, each judge's estimated leniency in percent of the
      scale (positive = lenient).
    - ``flags``: sheets whose judges differ by more than ``policy.max_spread``.
    """

    table: pd.DataFrame
    components: pd.DataFrame
    raw_components: pd.DataFrame
    criteria: pd.DataFrame
    field_size: int
    awards_given: bool
    notes: tuple[str, ...]
    policy: RankingPolicy
    rubric: Rubric | None
    leniency: pd.Series | None
    flags: pd.DataFrame
    _keys: npt.NDArray[np.int64] = field(repr=False)
    _shown: FloatArray = field(repr=False)
    _links: tuple[str, ...] = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The ``entry, total, rank, award`` frame of :func:`rank` (a copy)."""
        return self.table.loc[:, list(RANK_COLUMNS)].copy()

    @cached_property
    def _rows(self) -> list[dict[str, Any]]:
        """The table's rows as plain dicts: ``_explain`` reads a few cells of many rows, and a
        pandas row per read made explaining 1,800 entries take most of a second."""
        columns = [ENTRY, "rank", "total", "award", "titles", "eligible"]
        return [
            {str(key): value for key, value in record.items()}
            for record in self.table[columns].to_dict("records")
        ]

    @cached_property
    def _tied(self) -> dict[int, list[int]]:
        """Row positions by first sort key (the total): who shares an entry's total, without a
        scan of every row per entry."""
        found: dict[int, list[int]] = {}
        for i, key in enumerate(self._keys[:, 0].tolist()):
            found.setdefault(int(key), []).append(i)
        return found

    @cached_property
    def explanations(self) -> pd.Series:
        """One sentence per entry saying why it is where it is (Simplified Chinese)."""
        return pd.Series(
            [self._explain(i) for i in range(len(self.table))],
            index=pd.Index(self.table[ENTRY], name=ENTRY),
            dtype=object,
            name="explanation",
        )

    def explain(self, entry: object) -> str:
        """The explanation of one entry's rank."""
        matches = np.flatnonzero((self.table[ENTRY] == entry).to_numpy())
        if not len(matches):
            raise KeyError(entry)
        return self._explain(int(matches[0]))

    def _explain(self, i: int) -> str:
        rows = self._rows
        digits = self.policy.precision
        row = rows[i]
        text = f"第 {row['rank']} 名，总分 {row['total']:.{digits}f}"
        others = [j for j in self._tied[int(self._keys[i, 0])] if j != i]
        if others:
            names = [str(rows[j][ENTRY]) for j in others]
            shown = names[:8] + (["等"] if len(names) > 8 else [])
            text += f"；与 {'、'.join(shown)} 总分并列"
            parts: list[str] = []
            for j in others[:8]:
                differs = np.flatnonzero(self._keys[i, 1:] != self._keys[j, 1:])
                other = str(rows[j][ENTRY])
                if not len(differs):
                    parts.append(f"与 {other} 各项并列规则均相同，名次并列")
                    continue
                link = int(differs[0])
                ahead = self._keys[i, link + 1] < self._keys[j, link + 1]
                mine, theirs = self._shown[i, link], self._shown[j, link]
                parts.append(
                    f"{self._links[link]}{'领先' if ahead else '落后'} {other}"
                    f"（{_fmt(mine, digits)} 对 {_fmt(theirs, digits)}）"
                )
            text += "，按并列规则：" + "；".join(parts)
        award = row["award"]
        if award is not None:
            text += f"；获{award}"
        if row["titles"]:
            text += f"；{'、'.join(row['titles'])}"
        if not row["eligible"]:
            text += "；未达到模块及格线，不参与评奖"
        return text


def _fmt(value: float, digits: int) -> str:
    return "无" if np.isnan(value) else f"{value:.{digits}f}"


def rank(
    scores: pd.DataFrame,
    *,
    method: Method = "mean",
    trim: int = 0,
    normalize: Normalize = "none",
    awards: str | Sequence[str | float | int | AwardBand] | None = None,
) -> pd.DataFrame:
    """Rank a long score sheet: the function behind ``contest rank``.

    ``scores`` has columns ``entry, judge, criterion, score`` (optional ``component``, ``time``).
    Per entry and criterion the judges' marks are combined by ``method`` (``mean``, ``median``,
    ``trimmed`` with ``trim=K`` dropping the K highest and K lowest, or ``sum``); the total is the
    sum over criteria, rounded to 2 decimals; ``normalize='zscore'`` first standardises each
    judge.  ``awards``: ``["10%", "20%", "30%"]`` (per-band shares, rounded down), ``[1, 2, 5]``
    (counts) or :class:`AwardBand` objects; bands are named 一等奖, 二等奖, 三等奖.

    Returns ``entry, total, rank, award`` ordered by rank (ties share the rank, 1, 2, 2, 4,
    and are listed by entry); ``award`` is the band name or ``None``.
    """
    policy = RankingPolicy(
        method=method, trim=trim, normalize=normalize, awards=parse_awards(awards)
    )
    return rank_with_policy(scores, policy=policy).to_frame()


def rank_with_policy(
    scores: pd.DataFrame,
    rubric: Rubric | None = None,
    policy: RankingPolicy | None = None,
) -> RankingResult:
    """Rank ``scores`` under a rubric and a ranking policy, with explanations.

    Raises :class:`~scoring.errors.ScoringInputError` for bad marks and
    :class:`~scoring.errors.PolicyError` for rules that do not fit the sheet (a tie-break on a
    component the sheet does not have, teams without a ``team`` column, …).
    """
    policy = policy or RankingPolicy()
    sheet = read_sheet(scores, rubric)
    check_panels(sheet, policy.method, policy.trim)
    _check_policy(sheet, policy)

    raw_points = sheet.points()
    leniency: pd.Series | None = None
    if policy.normalize == "zscore":
        points = zscore(sheet, raw_points)
    elif policy.normalize == "fair":
        points, b = fair(sheet, raw_points)
        leniency = pd.Series(b * 100, index=sheet.judges.copy(), name="leniency_pct")
        leniency.index.name = "judge"
    else:
        points = raw_points
    by_criterion = aggregate(sheet, points, policy.method, policy.trim)
    if policy.normalize != "none":
        by_criterion = clip(sheet, by_criterion)
    del points
    comps, totals = _combine(sheet, rubric, by_criterion)
    if policy.normalize == "none":
        raw_comps, raw_totals = comps, totals
    else:
        raw_by_criterion = aggregate(sheet, raw_points, policy.method, policy.trim)
        raw_comps, raw_totals = _combine(sheet, rubric, raw_by_criterion)
    del raw_points

    labels: pd.Index = sheet.entries
    time = sheet.time
    members: list[tuple[object, ...]] | None = None
    if policy.team_total is not None:
        assert sheet.team_of is not None and sheet.teams is not None  # _check_policy
        team_of, n_teams = sheet.team_of, len(sheet.teams)
        size = np.bincount(team_of, minlength=n_teams).astype(np.float64)
        divisor = size[:, None] if policy.team_total == "mean" else 1.0
        comps = group_sum(team_of, comps, n_teams) / divisor
        raw_comps = group_sum(team_of, raw_comps, n_teams) / divisor
        by_criterion = group_sum(team_of, by_criterion, n_teams) / divisor
        divisor_1d = size if policy.team_total == "mean" else 1.0
        totals = group_sum(team_of, totals, n_teams) / divisor_1d
        raw_totals = group_sum(team_of, raw_totals, n_teams) / divisor_1d
        if time is not None:
            time = np.asarray(
                pd.Series(time).groupby(team_of).max().reindex(range(n_teams)),
                dtype=np.float64,
            )
        grouped = pd.Series(labels).groupby(team_of).agg(tuple)
        members = [tuple(grouped.get(t, ())) for t in range(n_teams)]
        labels = sheet.teams

    digits = policy.precision
    total_units = to_units(totals, digits)
    keys = [-total_units]
    shown: list[FloatArray] = []
    link_names: list[str] = []
    for link in policy.tie_breaks:
        value, label = _tie_value(sheet, rubric, link, comps, by_criterion, time)
        if link.kind == "time":
            unit = np.where(np.isnan(value), _LAST, to_units(np.nan_to_num(value), digits))
        else:
            unit = -to_units(value, digits)
        keys.append(unit)
        shown.append(value)
        link_names.append(label)

    n = len(labels)
    order = np.lexsort([np.arange(n), *reversed(keys)])
    key_matrix = np.stack([k[order] for k in keys], axis=1)
    if n:
        new = np.ones(n, dtype=bool)
        new[1:] = np.any(key_matrix[1:] != key_matrix[:-1], axis=1)
        start = np.maximum.accumulate(np.where(new, np.arange(n), 0))
        ranks = start + 1
    else:
        new = np.zeros(0, dtype=bool)
        ranks = np.zeros(0, dtype=np.int64)

    comp_keys = _component_keys(sheet)
    eligible = _eligible(rubric, comps)[order]
    notes: list[str] = []
    awards_given = bool(policy.awards or policy.titles)
    if policy.min_field and n < policy.min_field:
        awards_given = False
        if policy.awards or policy.titles:
            notes.append(
                f"参赛{'队' if policy.team_total else '人'}数 {n} 少于最低要求 "
                f"{policy.min_field}，本项目不评奖、不授予称号"
            )
    sorted_units = total_units[order]
    award: npt.NDArray[np.object_] = np.full(n, None, dtype=object)
    titles: list[tuple[str, ...]] = [() for _ in range(n)]
    recommended: list[tuple[str, ...]] = [() for _ in range(n)]
    if awards_given and n:
        award_rank, group_end = _award_ranks(key_matrix, eligible)
        award = _award_bands(policy, award_rank, group_end, sorted_units, eligible, n)
        for title in policy.titles:
            hit = eligible & (award_rank >= title.best) & (award_rank <= title.worst)
            into = recommended if title.recommend else titles
            for i in np.flatnonzero(hit):
                into[i] = (*into[i], title.name)

    table = pd.DataFrame(
        {
            ENTRY: labels[order],
            "total": sorted_units / 10.0**digits,
            "rank": ranks.astype(np.int64),
            "award": pd.Series(award, dtype=object),
            "titles": pd.Series(titles, dtype=object),
            "recommended": pd.Series(recommended, dtype=object),
            "raw_total": to_units(raw_totals, digits)[order] / 10.0**digits,
            "eligible": eligible,
        }
    )
    if policy.scale is not None:
        table["standardised"] = _standardise(totals, policy, digits)[order]
    if members is not None:
        table["members"] = pd.Series([members[i] for i in order], dtype=object)
    index = pd.Index(labels[order], name=ENTRY)
    components = pd.DataFrame(comps[order], index=index, columns=list(comp_keys))
    raw_components = pd.DataFrame(raw_comps[order], index=index, columns=list(comp_keys))
    if not sheet.components:
        components = components.iloc[:, :0]
        raw_components = raw_components.iloc[:, :0]
    criteria = pd.DataFrame(
        by_criterion[order], index=index, columns=pd.Index(sheet.criteria, name="criterion")
    )
    flags = sheet_spread_flags(
        sheet, np.inf if policy.max_spread is None else policy.max_spread, rubric
    )
    return RankingResult(
        table=table,
        components=components,
        raw_components=raw_components,
        criteria=criteria,
        field_size=n,
        awards_given=awards_given,
        notes=tuple(notes),
        policy=policy,
        rubric=rubric,
        leniency=leniency,
        flags=flags,
        _keys=key_matrix,
        _shown=(np.stack([s[order] for s in shown], axis=1) if shown else np.zeros((n, 0))),
        _links=tuple(link_names),
    )


def _check_policy(sheet: Sheet, policy: RankingPolicy) -> None:
    comp_keys = _component_keys(sheet)
    crit_keys = {str(c) for c in sheet.criteria}
    for link in policy.tie_breaks:
        if link.kind == "component" and link.key not in comp_keys:
            raise PolicyError(
                f"并列规则引用了不存在的模块 {link.key} (sheet components："
                f"{', '.join(comp_keys) or 'none'})"
            )
        if link.kind == "criterion" and link.key not in crit_keys:
            raise PolicyError(f"并列规则引用了不存在的评分项 {link.key}")
        if link.kind == "time" and sheet.time is None:
            raise PolicyError("并列规则按用时比较，但评分表没有 time 列")
    if policy.team_total is not None and sheet.team_of is None:
        raise PolicyError("团体排名需要评分表中的 team 列")


def _component_keys(sheet: Sheet) -> tuple[str, ...]:
    return sheet.components or ("",)


def _combine(
    sheet: Sheet, rubric: Rubric | None, by_criterion: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Component scores (``n × n_components``) and totals."""
    n_comp = max(len(sheet.components), 1)
    member = np.zeros((sheet.n_criteria, n_comp))
    member[np.arange(sheet.n_criteria), sheet.component_of] = 1.0
    points = by_criterion @ member
    if rubric is not None and rubric.components:
        assert sheet.criterion_max is not None
        comp_max = sheet.criterion_max @ member
        scale = np.array([c.max for c in rubric.components])
        weight = np.array([c.weight for c in rubric.components])
        scores = points / np.where(comp_max > 0, comp_max, 1.0) * scale
        return scores, scores @ weight / weight.sum()
    return points, by_criterion.sum(axis=1)


def _tie_value(
    sheet: Sheet,
    rubric: Rubric | None,
    link: TieBreak,
    comps: FloatArray,
    by_criterion: FloatArray,
    time: FloatArray | None,
) -> tuple[FloatArray, str]:
    if link.kind == "time":
        assert time is not None
        return time, link.label
    if link.kind == "component":
        position = _component_keys(sheet).index(str(link.key))
        name = link.name
        if not name and rubric is not None and rubric.components:
            name = f"{rubric.component(str(link.key)).label}成绩"
        return comps[:, position], name or link.label
    position = [str(c) for c in sheet.criteria].index(str(link.key))
    name = link.name
    if not name and rubric is not None:
        name = f"评分项「{rubric.criterion(str(link.key)).label}」"
    return by_criterion[:, position], name or link.label


def _eligible(rubric: Rubric | None, comps: FloatArray) -> npt.NDArray[np.bool_]:
    ok = np.ones(len(comps), dtype=bool)
    if rubric is not None and rubric.components:
        for position, comp in enumerate(rubric.components):
            if comp.pass_mark is not None:
                ok &= comps[:, position] >= comp.pass_mark - 1e-9
    return ok


def _award_ranks(
    key_matrix: npt.NDArray[np.int64], eligible: npt.NDArray[np.bool_]
) -> tuple[IntArray, IntArray]:
    """Competition rank among eligible entries and the last such rank of each tie group."""
    n = len(key_matrix)
    award_rank = np.zeros(n, dtype=np.intp)
    group_end = np.zeros(n, dtype=np.intp)
    idx = np.flatnonzero(eligible)
    if not len(idx):
        return award_rank, group_end
    keys = key_matrix[idx]
    m = len(idx)
    new = np.ones(m, dtype=bool)
    new[1:] = np.any(keys[1:] != keys[:-1], axis=1)
    start = np.maximum.accumulate(np.where(new, np.arange(m), 0))
    last = np.ones(m, dtype=bool)
    last[:-1] = new[1:]
    end = np.minimum.accumulate(np.where(last, np.arange(m), m)[::-1])[::-1]
    award_rank[idx] = start + 1
    group_end[idx] = end + 1
    return award_rank, group_end


def _boundary(value: Fraction, rounding: Rounding) -> int:
    if rounding == "floor":
        return floor(value)
    if rounding == "ceil":
        return ceil(value)
    return floor(value + Fraction(1, 2))


def _award_bands(
    policy: RankingPolicy,
    award_rank: IntArray,
    group_end: IntArray,
    sorted_units: npt.NDArray[np.int64],
    eligible: npt.NDArray[np.bool_],
    n: int,
) -> npt.NDArray[np.object_]:
    award: npt.NDArray[np.object_] = np.full(n, None, dtype=object)
    free = eligible.copy()
    cumulative = Fraction(0)
    for band in policy.awards:
        share = band.exact_share
        if share is not None:
            cumulative += share * n
            limit = _boundary(cumulative, policy.award_rounding)
        elif band.exact_upto is not None:
            # "the rest up to": everyone not yet awarded, until this share of the field is
            cumulative = max(cumulative, band.exact_upto * n)
            limit = _boundary(cumulative, policy.award_rounding)
        elif band.count is not None:
            cumulative += band.count
            limit = int(cumulative)
        else:
            limit = n
        place = award_rank if policy.edge_ties == "include" else group_end
        hit = free & (place <= limit)
        if band.min_total is not None:
            hit &= sorted_units >= to_units([band.min_total], policy.precision)[0]
        award[hit] = band.name
        free &= ~hit
    return award


def _standardise(totals: FloatArray, policy: RankingPolicy, digits: int) -> FloatArray:
    assert policy.scale is not None
    if not len(totals):
        return totals.copy()
    median = float(np.median(totals))
    sd = float(np.std(totals))
    if sd <= 1e-12:
        values = np.full(len(totals), policy.scale.centre)
    else:
        values = policy.scale.centre + policy.scale.width * (totals - median) / sd
    return to_units(values, digits) / 10.0**digits
