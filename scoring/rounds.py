"""Cumulative standings across the rounds of a labor competition, and the red flag (流动红旗).

Labor competitions are assessed in rounds (monthly, half-monthly, quarterly, at milestones) and
ranked on the sum of the stages (各阶段得分汇总).  :func:`track_ranks` ranks one round's totals
within each track; :func:`standings` turns the published rounds' totals into ranks with a
deterministic tie-break chain and a sentence per tied participant; :func:`red_flags` hands each
round's flag to the best participants of each track and counts how long each holder has kept it.
Rules and formulas are in ``docs/scoring.md`` (§12, §13).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring._aggregate import to_units
from scoring._sheet import BoolArray, FloatArray, IntArray, _constant, _numbers, _Problems, encode
from scoring.errors import PolicyError, Problem
from scoring.indicators import PARTICIPANT, distinct_keys, key_codes, require_columns

Cumulation = Literal["sum", "mean", "weighted"]
TieBreakKey = Literal["latest_round", "best_round", "rounds_won", "fewer_vetoes"]

CUMULATIONS: Final[tuple[Cumulation, ...]] = ("sum", "mean", "weighted")
TIE_BREAK_KEYS: Final[tuple[TieBreakKey, ...]] = (
    "latest_round",
    "best_round",
    "rounds_won",
    "fewer_vetoes",
)

ROUND: Final = "round"
TOTAL: Final = "total"
VETOED: Final = "vetoed"
VETO_EFFECT: Final = "veto_effect"
TRACK: Final = "track"
RANK: Final = "rank"
POSITION: Final = "position"
STANDING_COLUMNS: Final = (
    PARTICIPANT,
    TRACK,
    TOTAL,
    RANK,
    VETOED,
    "rounds_scored",
    "rounds_won",
    "best_round",
    "latest_round",
    "why",
)
FLAG_COLUMNS: Final = (ROUND, TRACK, PARTICIPANT, "streak", "kept")

# how each tie-break link reads in Chinese: name, word when better, word when worse, is a count
_LINKS: Final[dict[str, tuple[str, str, str, bool]]] = {
    "latest_round": ("最近一轮得分", "更高", "更低", False),
    "best_round": ("单轮最高分", "更高", "更低", False),
    "rounds_won": ("单轮第一次数", "更多", "更少", True),
    "fewer_vetoes": ("被一票否决的轮数", "更少", "更多", True),
}


@dataclass(frozen=True)
class RoundSpec:
    """A published round that counts in the standings; ``weight`` is used by ``weighted``."""

    key: str
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key.strip():
            raise PolicyError("轮次缺少编号（round key is empty）")
        weight = self.weight
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not math.isfinite(weight)
            or weight < 0
        ):
            raise PolicyError(f"轮次 {self.key} 的权重须为不小于 0 的数（weight must be ≥ 0）")


def track_ranks(
    totals: pd.Series,
    tracks: pd.Series | None = None,
    excluded: Collection[Hashable] = (),
    *,
    precision: int = 2,
) -> pd.Series:
    """One round's competition ranks (1, 2, 2, 4) within each track.

    ``totals`` is indexed by participant (a missing total: not scored, no rank).  ``tracks``
    maps participant → track label; a participant missing from it or with an empty label is
    ranked with the others that have none (without ``tracks`` everyone is one track).
    Participants in ``excluded`` (vetoed this round, or for the competition earlier) get no
    rank and take no place from the others.  Totals are rounded half up to ``precision``
    decimals before they are compared, so 89.999999 from float sums ties with 90.

    Returns a nullable ``Int64`` Series with the index of ``totals``: one plus the number of
    participants of the same track with a strictly higher total.  Raises
    :class:`~scoring.errors.PolicyError` for impossible options and
    :class:`~scoring.errors.ScoringInputError` for totals that are not numbers.
    """
    if not isinstance(totals, pd.Series):
        raise PolicyError("totals 须为 参赛单位 → 得分 的 Series（totals must be a pandas Series）")
    if tracks is not None and not isinstance(tracks, pd.Series):
        raise PolicyError("tracks 须为 参赛单位 → 赛道 的 Series（tracks must be a pandas Series）")
    if isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 6:
        raise PolicyError("保留小数位数须在 0 到 6 之间（precision in 0..6）")
    if not totals.index.is_unique:
        raise PolicyError("参赛单位重复（a participant appears twice in totals）")
    problems = _Problems()
    values, bad = _numbers(totals)
    problems.rows(
        np.flatnonzero(bad),
        TOTAL,
        "not_a_number",
        lambda row: (
            f"得分 {totals.iloc[row]!r} 不是有效数字",
            f"total {totals.iloc[row]!r} is not a number",
        ),
    )
    problems.raise_if_any()
    track_code: IntArray = np.zeros(len(totals), dtype=np.intp)
    if tracks is not None:
        if not tracks.index.is_unique:
            raise PolicyError("参赛单位被分到多个赛道（a participant has several tracks）")
        track_code, _labels = encode(tracks.reindex(totals.index))
    ranked = ~np.isnan(values) & ~np.asarray(totals.index.isin(list(excluded)), dtype=bool)
    units = to_units(np.where(ranked, values, 0.0), precision)
    by = pd.DataFrame({"track": np.asarray(track_code)[ranked], "units": units[ranked]})
    place = by.groupby("track")["units"].rank(method="min", ascending=False)
    out = pd.Series(pd.NA, index=totals.index, dtype="Int64", name=RANK)
    out.iloc[np.flatnonzero(ranked)] = place.to_numpy(dtype=np.int64)
    return out


def standings(
    round_totals: pd.DataFrame,
    rounds: Sequence[RoundSpec],
    *,
    method: Cumulation = "sum",
    tie_break: Sequence[TieBreakKey] = ("latest_round",),
    track: pd.Series | None = None,
    precision: int = 2,
    excluded: Collection[Hashable] = (),
) -> pd.DataFrame:
    """Cumulative ranks over the published ``rounds`` (in order: the last is the latest).

    ``round_totals`` has one row per participant and round: ``participant, round, total``, and
    optionally ``vetoed`` (bool) and ``veto_effect`` (``"round"`` / ``"competition"`` /
    empty; read only where ``vetoed`` is true, ``"round"`` when empty; without a ``vetoed``
    column a row is vetoed when it names an effect).  Rows of rounds not in ``rounds`` are
    ignored (not published).  An empty ``total`` means no score in that round.

    Per participant and round the *counted* value is the total, 0 when vetoed, 0 when there is no
    score.  The cumulative total is ``sum`` of counted values; ``mean`` over the rounds the
    participant was scored in (a vetoed round is scored, with 0; no round at all gives 0);
    ``weighted`` = Σ counted × weight / Σ weight over all listed rounds.  Totals are rounded half
    up to ``precision`` decimals before they are compared.

    A participant vetoed with effect ``"competition"`` in any listed round is excluded: ``rank``
    is missing, ``vetoed`` is true, and it is listed after everyone ranked.  The others are ranked
    by total (higher first), then by each ``tie_break`` link in order — ``latest_round`` (counted
    value of the last round, higher first), ``best_round`` (best counted value), ``rounds_won``
    (rounds in which the participant was first in its track), ``fewer_vetoes`` (fewer vetoed
    rounds first); participants equal on all of these share the rank (1, 2, 2, 4) and are listed
    by label.  With ``track`` (participant → track label) ranks are counted within each track
    and the field is the participants of ``track``; the rows are then ordered by track.
    Participants in ``excluded`` are excluded likewise for a competition veto the caller knows
    of outside ``rounds`` (a round not shown: their ``why`` names no round); labels that are
    not in the field are ignored.

    Columns: ``participant``, ``track`` (with ``track``), ``total``, ``rank`` (nullable int),
    ``vetoed``, ``rounds_scored``, ``rounds_won``, ``best_round``, ``latest_round``, ``why``
    (Chinese: what decided the place against the tied neighbour, empty when the total alone
    decided).  Raises :class:`~scoring.errors.PolicyError` for impossible options and
    :class:`~scoring.errors.ScoringInputError` listing every bad row.
    """
    specs = _check_standing_options(rounds, method, tie_break, precision)
    keys = [spec.key for spec in specs]
    problems = _Problems()
    require_columns(round_totals, (PARTICIPANT, ROUND, TOTAL), problems)

    round_code = key_codes(round_totals[ROUND], keys)
    total, bad_total = _numbers(round_totals[TOTAL])
    vetoed, effect = _vetoes(round_totals, problems)
    problems.rows(
        np.flatnonzero((round_code == -1) & (~np.isnan(total) | bad_total | vetoed)),
        ROUND,
        "missing_round",
        _constant("缺少轮次", "round is empty"),
    )
    listed = round_code >= 0
    problems.rows(
        np.flatnonzero(listed & bad_total),
        TOTAL,
        "not_a_number",
        lambda row: (
            f"得分 {round_totals[TOTAL].iloc[row]!r} 不是有效数字",
            f"total {round_totals[TOTAL].iloc[row]!r} is not a number",
        ),
    )
    problems.rows(
        np.flatnonzero(listed & (effect == -1)),
        VETO_EFFECT,
        "unknown_veto_effect",
        lambda row: (
            f"否决范围 {round_totals[VETO_EFFECT].iloc[row]!r} 无效，应为 round 或 competition",
            f"veto effect {round_totals[VETO_EFFECT].iloc[row]!r} is neither round nor competition",
        ),
    )

    rows = np.flatnonzero(listed)
    names = round_totals[PARTICIPANT].iloc[rows]
    extra = track.index.to_series() if track is not None else pd.Series([], dtype=object)
    codes, participants = encode(pd.concat([names, extra], ignore_index=True))
    participant = codes[: len(rows)]
    problems.rows(
        rows[participant < 0],
        PARTICIPANT,
        "missing_participant",
        _constant("缺少参赛单位", "participant is empty"),
    )
    n_p, n_r = len(participants), len(keys)
    track_of, tracks = _tracks(track, participants, participant, rows, round_totals, problems)
    ok = participant >= 0
    cell = np.multiply(participant[ok], n_r, dtype=np.int64)
    cell += round_code[rows[ok]]
    twice = pd.Series(cell).duplicated(keep="first").to_numpy()
    problems.rows(
        rows[ok][twice],
        ROUND,
        "duplicate_round",
        lambda row: (
            f"{round_totals[PARTICIPANT].iloc[row]} 在轮次 {round_totals[ROUND].iloc[row]} "
            f"有两个得分",
            f"{round_totals[PARTICIPANT].iloc[row]} has two totals in round "
            f"{round_totals[ROUND].iloc[row]}",
        ),
    )
    problems.raise_if_any()

    picked = rows[ok]
    flat_score = np.full(n_p * n_r, np.nan)
    flat_score[cell] = total[picked]
    flat_round = np.zeros(n_p * n_r, dtype=bool)
    flat_round[cell] = vetoed[picked] & (effect[picked] != 2)
    flat_comp = np.zeros(n_p * n_r, dtype=bool)
    flat_comp[cell] = vetoed[picked] & (effect[picked] == 2)
    score = flat_score.reshape(n_p, n_r)
    veto_round: BoolArray = flat_round.reshape(n_p, n_r)
    veto_comp: BoolArray = flat_comp.reshape(n_p, n_r)
    any_veto = veto_round | veto_comp
    scored = ~np.isnan(score) | any_veto
    counted = np.where(any_veto, 0.0, np.nan_to_num(score))
    weights = np.array([spec.weight for spec in specs])
    if method == "sum":
        totals = counted.sum(axis=1)
    elif method == "mean":
        totals = counted.sum(axis=1) / np.maximum(scored.sum(axis=1), 1)
    else:
        totals = counted @ weights / weights.sum()
    vetoed_here: BoolArray = np.asarray(veto_comp.any(axis=1), dtype=bool)
    elsewhere = np.asarray(participants.isin(list(excluded)), dtype=bool)
    barred = vetoed_here | elsewhere

    unit = 10.0**precision
    total_units = to_units(totals, precision)
    counted_units = to_units(counted, precision)
    won = _rounds_won(counted_units, scored & ~any_veto & ~barred[:, None], track_of)
    values: dict[str, npt.NDArray[np.int64]] = {
        "latest_round": counted_units[:, -1],
        "best_round": counted_units.max(axis=1),
        "rounds_won": won,
        "fewer_vetoes": veto_round.sum(axis=1).astype(np.int64),
    }
    links: list[str] = list(tie_break)
    sort_keys = [-total_units] + [
        values[link] if link == "fewer_vetoes" else -values[link] for link in links
    ]
    n = n_p
    # participants are encoded in label order, so their code is the last sort key; the excluded
    # come after everyone ranked
    order = np.lexsort([np.arange(n), *reversed(sort_keys), track_of, barred])
    key_matrix = np.stack([k[order] for k in [track_of, *sort_keys]], axis=1)
    ranked: BoolArray = ~barred[order]
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = np.any(key_matrix[1:] != key_matrix[:-1], axis=1)
    new_track = np.ones(n, dtype=bool)
    new_track[1:] = key_matrix[1:, 0] != key_matrix[:-1, 0]
    position = np.arange(n)
    track_start = np.maximum.accumulate(np.where(new_track, position, 0)) if n else position
    group_start = np.maximum.accumulate(np.where(new_group, position, 0)) if n else position
    rank_values = group_start - track_start + 1

    shown = {link: values[link][order] for link in links}
    why = _explanations(
        key_matrix,
        ranked,
        rank_values,
        total_units[order] / unit,
        links,
        shown,
        unit,
        precision,
        [_vetoed_rounds(keys, veto_comp[i]) if barred[i] else "" for i in (int(j) for j in order)],
    )
    out = pd.DataFrame({PARTICIPANT: participants[order]})
    if track is not None:
        out[TRACK] = pd.Series(tracks[track_of[order]], dtype=object)
    out[TOTAL] = total_units[order] / unit
    out[RANK] = pd.array(np.where(ranked, rank_values, 0), dtype="Int64")
    out.loc[~ranked, RANK] = pd.NA
    out[VETOED] = ~ranked
    out["rounds_scored"] = scored.sum(axis=1)[order].astype(np.int64)
    out["rounds_won"] = won[order]
    out["best_round"] = values["best_round"][order] / unit
    out["latest_round"] = values["latest_round"][order] / unit
    out["why"] = pd.Series(why, dtype=object)
    return out


def _check_standing_options(
    rounds: Sequence[RoundSpec], method: str, tie_break: Sequence[str], precision: int
) -> tuple[RoundSpec, ...]:
    specs = tuple(rounds)
    if not specs:
        raise PolicyError("没有已公布的轮次，无法累计排名（no rounds）")
    if not all(isinstance(spec, RoundSpec) for spec in specs):
        raise PolicyError("轮次须为 RoundSpec 对象（rounds must be RoundSpec objects）")
    distinct_keys([spec.key for spec in specs], "轮次", "round")
    if method not in CUMULATIONS:
        raise PolicyError(f"未知的累计方法 {method!r}（use {', '.join(CUMULATIONS)}）")
    if method == "weighted" and sum(spec.weight for spec in specs) <= 0:
        raise PolicyError("各轮权重之和必须大于 0（weights sum to zero）")
    if isinstance(tie_break, str):
        raise PolicyError('并列规则须为列表，如 ["latest_round"]（tie_break must be a sequence）')
    for link in tie_break:
        if link not in TIE_BREAK_KEYS:
            raise PolicyError(f"未知的并列规则 {link!r}（use {', '.join(TIE_BREAK_KEYS)}）")
    if len(set(tie_break)) != len(tie_break):
        raise PolicyError("并列规则重复（a tie-break appears twice）")
    if isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 6:
        raise PolicyError("保留小数位数须在 0 到 6 之间（precision in 0..6）")
    return specs


def _flags(frame: pd.DataFrame, column: str, problems: _Problems) -> BoolArray:
    """A yes/no column: true, 1 → True; false, 0, empty → False; anything else is a problem."""
    values = frame[column]
    yes = values.isin([True]).to_numpy(dtype=bool)
    no = (values.isin([False]) | values.isna()).to_numpy(dtype=bool)
    problems.rows(
        np.flatnonzero(~(yes | no)),
        column,
        "not_yes_or_no",
        lambda row: (
            f"{column} 列的 {values.iloc[row]!r} 应为 True/False 或 1/0",
            f"{column} {values.iloc[row]!r} should be True/False or 1/0",
        ),
    )
    return yes


def _vetoes(frame: pd.DataFrame, problems: _Problems) -> tuple[BoolArray, IntArray]:
    """Per row: vetoed, and the effect code (0 none, 1 round, 2 competition, −1 unknown)."""
    n = len(frame)
    effect = np.zeros(n, dtype=np.intp)
    named = np.zeros(n, dtype=bool)
    if VETO_EFFECT in frame.columns:
        text = frame[VETO_EFFECT].astype("string").str.strip().str.lower()
        named = (text.notna() & (text != "")).to_numpy(dtype=bool, na_value=False)
        effect[named] = -1
        effect[(text == "round").to_numpy(dtype=bool, na_value=False)] = 1
        effect[(text == "competition").to_numpy(dtype=bool, na_value=False)] = 2
    vetoed = _flags(frame, VETOED, problems) if VETOED in frame.columns else named
    effect = np.where(vetoed & (effect == 0), 1, effect)  # vetoed without an effect: the round
    effect = np.where(~vetoed & (effect > 0), 0, effect)  # an effect is read only when vetoed
    return vetoed, effect


def _tracks(
    track: pd.Series | None,
    participants: pd.Index,
    participant: IntArray,
    rows: IntArray,
    frame: pd.DataFrame,
    problems: _Problems,
) -> tuple[npt.NDArray[np.int64], pd.Index]:
    """Each participant's track code and the sorted track labels (one unnamed track without)."""
    if track is None:
        return np.zeros(len(participants), dtype=np.int64), pd.Index([None], dtype=object)
    if not isinstance(track, pd.Series):
        raise PolicyError("track 须为 参赛单位 → 赛道 的 Series（track must be a pandas Series）")
    if not track.index.is_unique:
        twice = "、".join(sorted({str(x) for x in track.index[track.index.duplicated()]}))
        problems.add(
            Problem(
                None,
                TRACK,
                "duplicate_track",
                f"参赛单位 {twice} 被分到多个赛道",
                f"participants {twice} are given several tracks",
            )
        )
        problems.raise_if_any()
    codes, labels = encode(track.reindex(participants))
    blank = codes < 0
    lonely = np.flatnonzero(blank[np.maximum(participant, 0)] & (participant >= 0))
    problems.rows(
        rows[lonely],
        PARTICIPANT,
        "missing_track",
        lambda row: (
            f"参赛单位 {frame[PARTICIPANT].iloc[row]} 没有赛道",
            f"participant {frame[PARTICIPANT].iloc[row]} has no track",
        ),
    )
    in_rows = np.zeros(len(participants), dtype=bool)
    in_rows[participant[participant >= 0]] = True
    for code in np.flatnonzero(blank & ~in_rows):  # named only by ``track``, with a blank label
        label = str(participants[int(code)])
        problems.add(
            Problem(
                None,
                TRACK,
                "missing_track",
                f"参赛单位 {label} 没有赛道",
                f"participant {label} has no track",
                entry=label,
            )
        )
    return np.asarray(codes, dtype=np.int64), labels


def _rounds_won(
    counted_units: npt.NDArray[np.int64],
    can_win: BoolArray,
    track_of: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Rounds in which each participant had the best counted value of its track (ties share)."""
    n_tracks = int(track_of.max()) + 1 if len(track_of) else 0
    values = np.where(can_win, counted_units.astype(np.float64), -np.inf)
    best = np.full((n_tracks, counted_units.shape[1]), -np.inf)
    np.maximum.at(best, track_of, values)
    first = can_win & (values == best[track_of])
    return np.asarray(first.sum(axis=1), dtype=np.int64)


def _vetoed_rounds(keys: Sequence[str], hit: BoolArray) -> str:
    return "、".join(key for key, flag in zip(keys, hit, strict=True) if flag)


def _number(value: float, precision: int) -> str:
    """182.50 → 182.5, 91.00 → 91.0: the total as a person writes it."""
    text = f"{value:.{precision}f}"
    if "." in text:
        text = text.rstrip("0")
        if text.endswith("."):
            text += "0"
    return text


def _explanations(
    key_matrix: npt.NDArray[np.int64],
    ranked: BoolArray,
    ranks: IntArray,
    totals: FloatArray,
    links: list[str],
    shown: dict[str, npt.NDArray[np.int64]],
    unit: float,
    precision: int,
    vetoed_rounds: list[str],
) -> list[str]:
    """Per sorted row: why it stands where it does against a neighbour tied on total."""
    n = len(key_matrix)
    texts = [""] * n

    def tied_on_total(i: int, j: int) -> bool:
        return bool(
            0 <= j < n
            and ranked[i]
            and ranked[j]
            and key_matrix[i, 0] == key_matrix[j, 0]
            and key_matrix[i, 1] == key_matrix[j, 1]
        )

    def compare(i: int, j: int) -> str:
        head = f"总分与第{ranks[j]}名同为 {_number(totals[i], precision)}"
        for position, link in enumerate(links):
            if key_matrix[i, position + 2] == key_matrix[j, position + 2]:
                continue
            name, better, worse, is_count = _LINKS[link]
            ahead = key_matrix[i, position + 2] < key_matrix[j, position + 2]
            mine, theirs = int(shown[link][i]), int(shown[link][j])
            if is_count:
                pair = f"{mine} 对 {theirs}"
            else:
                pair = f"{_number(mine / unit, precision)} 对 {_number(theirs / unit, precision)}"
            return f"{head}；{name}{better if ahead else worse}（{pair}）"
        if links:
            same = "、".join(_LINKS[link][0] for link in links)
            return f"{head}；{same}也相同，名次并列"
        return f"{head}，名次并列"

    for i in range(n):
        if not ranked[i] and vetoed_rounds[i]:
            texts[i] = f"一票否决（轮次：{vetoed_rounds[i]}），不参加排名"
        elif not ranked[i]:
            texts[i] = "一票否决，不参加排名"
        elif tied_on_total(i, i - 1):
            texts[i] = compare(i, i - 1)
        elif tied_on_total(i, i + 1):
            texts[i] = compare(i, i + 1)
    return texts


def red_flags(
    round_ranks: pd.DataFrame, *, count: int = 1, keep_after: int | None = None
) -> pd.DataFrame:
    """Who holds the red flag (流动红旗) of each round and track, and for how long.

    ``round_ranks`` has ``round, participant, rank`` (within the track) and optionally ``track``
    (absent = one track), ``vetoed`` and ``position`` (the round's place in time; without it the
    rounds are in order of first appearance).  Per round and track the flag goes to the
    participants that are not vetoed and whose place among the not-vetoed is 1..``count``
    (competition places on ``rank``: everyone tied at the boundary gets a flag; a vetoed
    participant never holds one and the next one up takes it; no rank = not placed).

    One row per holder: ``round, track, participant, streak, kept``.  ``streak`` counts the
    consecutive rounds of that track (rounds in which the track appears) that the participant
    held the flag, this one included.  With ``keep_after = N`` the holder keeps the flag for good
    (永久保留) on the round its streak reaches N: ``kept`` is true there and the streak starts
    again from 0 afterwards.  Rows are ordered by round, track and participant.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise PolicyError("每轮红旗数须为不小于 1 的整数（count must be an int ≥ 1）")
    if keep_after is not None and (
        isinstance(keep_after, bool) or not isinstance(keep_after, int) or keep_after < 1
    ):
        raise PolicyError(
            "连续获得几次后永久保留须为不小于 1 的整数（keep_after must be an int ≥ 1）"
        )
    problems = _Problems()
    require_columns(round_ranks, (ROUND, PARTICIPANT, RANK), problems)
    rank, bad_rank = _numbers(round_ranks[RANK])
    problems.rows(
        np.flatnonzero(bad_rank),
        RANK,
        "not_a_number",
        lambda row: (
            f"名次 {round_ranks[RANK].iloc[row]!r} 不是有效数字",
            f"rank {round_ranks[RANK].iloc[row]!r} is not a number",
        ),
    )
    vetoed = (
        _flags(round_ranks, VETOED, problems)
        if VETOED in round_ranks.columns
        else np.zeros(len(round_ranks), dtype=bool)
    )
    round_code, round_labels = _round_order(round_ranks, problems)
    participant, participants = encode(round_ranks[PARTICIPANT])
    if TRACK in round_ranks.columns:
        track_code, track_labels = encode(round_ranks[TRACK])
    else:
        track_code = np.full(len(round_ranks), -1, dtype=np.intp)
        track_labels = pd.Index([], dtype=object)
    problems.rows(
        np.flatnonzero(participant < 0),
        PARTICIPANT,
        "missing_participant",
        _constant("缺少参赛单位", "participant is empty"),
    )
    # −1 (no track) is a track of its own: shift codes so it is 0
    track_key = np.asarray(track_code, dtype=np.int64) + 1
    frame = pd.DataFrame({"r": round_code, "t": track_key, "p": participant})
    twice = frame.duplicated(["r", "t", "p"], keep="first").to_numpy()
    twice = twice & (participant >= 0) & (round_code >= 0)
    problems.rows(
        np.flatnonzero(twice),
        PARTICIPANT,
        "duplicate_participant",
        lambda row: (
            f"{round_ranks[PARTICIPANT].iloc[row]} 在轮次 {round_ranks[ROUND].iloc[row]} 出现两次",
            f"{round_ranks[PARTICIPANT].iloc[row]} appears twice in round "
            f"{round_ranks[ROUND].iloc[row]}",
        ),
    )
    problems.raise_if_any()

    placed = ~vetoed & ~np.isnan(rank) & (participant >= 0) & (round_code >= 0)
    # place among the placed of the same round and track: 1 + how many rank strictly better
    by = pd.DataFrame({"r": round_code[placed], "t": track_key[placed], "rank": rank[placed]})
    place = by.groupby(["r", "t"])["rank"].rank(method="min").to_numpy(dtype=np.float64)
    holder = np.flatnonzero(placed)[place <= count]
    held: dict[tuple[int, int], list[int]] = {}
    for row in holder[np.lexsort([participant[holder], track_key[holder], round_code[holder]])]:
        key = (int(round_code[row]), int(track_key[row]))
        held.setdefault(key, []).append(int(participant[row]))
    seen = round_code >= 0
    pairs = np.unique(np.stack([track_key[seen], round_code[seen]], axis=1), axis=0)

    out_round: list[int] = []
    out_track: list[int] = []
    out_participant: list[int] = []
    out_streak: list[int] = []
    out_kept: list[bool] = []
    streak: dict[int, int] = {}
    current_track = -1
    for t, r in pairs.tolist():  # by track, then by round in time order
        if t != current_track:
            streak, current_track = {}, t
        now: dict[int, int] = {}
        for p in held.get((r, t), []):
            reached = streak.get(p, 0) + 1
            kept = keep_after is not None and reached >= keep_after
            now[p] = 0 if kept else reached
            out_round.append(r)
            out_track.append(t)
            out_participant.append(p)
            out_streak.append(reached)
            out_kept.append(kept)
        streak = now
    order = np.lexsort(
        [np.array(out_participant, dtype=np.intp), np.array(out_track), np.array(out_round)]
    )
    track_names = pd.Index([None, *track_labels], dtype=object)
    return pd.DataFrame(
        {
            ROUND: round_labels[np.array(out_round, dtype=np.intp)[order]],
            TRACK: track_names[np.array(out_track, dtype=np.intp)[order]],
            PARTICIPANT: participants[np.array(out_participant, dtype=np.intp)[order]],
            "streak": np.array(out_streak, dtype=np.int64)[order],
            "kept": np.array(out_kept, dtype=bool)[order],
        },
        columns=list(FLAG_COLUMNS),
    )


def _round_order(frame: pd.DataFrame, problems: _Problems) -> tuple[IntArray, pd.Index]:
    """Each row's round as its place in time (0 = first) and the round labels in that order."""
    found, labels = pd.factorize(frame[ROUND], sort=False)  # order of first appearance
    codes = np.asarray(found, dtype=np.intp)
    problems.rows(
        np.flatnonzero(codes < 0),
        ROUND,
        "missing_round",
        _constant("缺少轮次", "round is empty"),
    )
    labels = pd.Index(labels, dtype=object)
    if POSITION not in frame.columns or not len(labels):
        return codes, labels
    position, bad = _numbers(frame[POSITION])
    problems.rows(
        np.flatnonzero(bad | np.isnan(position)),
        POSITION,
        "not_a_number",
        lambda row: (
            f"轮次顺序 {frame[POSITION].iloc[row]!r} 不是有效数字",
            f"position {frame[POSITION].iloc[row]!r} is not a number",
        ),
    )
    ok = (codes >= 0) & ~np.isnan(position)
    per_round = pd.Series(position[ok]).groupby(codes[ok]).agg(["min", "max"])
    clash = per_round.index[per_round["min"] != per_round["max"]]
    for code in clash:
        problems.add(
            Problem(
                None,
                POSITION,
                "conflicting_position",
                f"轮次 {labels[int(code)]} 的顺序前后不一致",
                f"round {labels[int(code)]} has different positions",
            )
        )
    first = per_round["min"].reindex(range(len(labels)))
    shared = first[first.duplicated(keep=False) & first.notna()]
    if len(shared):
        names = "、".join(str(labels[int(c)]) for c in shared.index)
        problems.add(
            Problem(
                None,
                POSITION,
                "shared_position",
                f"轮次 {names} 的顺序相同",
                f"rounds {names} share a position",
            )
        )
    problems.raise_if_any()
    rank_of = np.argsort(np.argsort(first.to_numpy(), kind="stable"), kind="stable")
    ordered = labels[np.argsort(first.to_numpy(), kind="stable")]
    return np.where(codes >= 0, rank_of[np.maximum(codes, 0)], -1).astype(np.intp), ordered
