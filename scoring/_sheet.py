"""The boundary of the library: validate a long score sheet and encode it as integer codes.

Everything downstream works on numpy arrays of codes (entry, judge, criterion) and float marks, so
that ranking a national sheet of ten million marks needs no Python loop over entries.  Codes are
assigned in sorted label order, so results never depend on the order of the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.columns import COMPONENT, CRITERION, ENTRY, JUDGE, REQUIRED, SCORE, TEAM, TIME
from scoring.errors import Problem, ScoringInputError
from scoring.rules import Rubric

IntArray = npt.NDArray[np.integer[Any]]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_LIMIT = ScoringInputError.MAX_PROBLEMS
_CHUNK = 1 << 20
_T = TypeVar("_T", bound=np.generic)
_NO_ROWS: IntArray = np.zeros(0, dtype=np.intp)


@dataclass(frozen=True)
class Sheet:
    """A validated sheet: one element per mark that was given (empty scores are left out)."""

    entry: IntArray
    judge: IntArray
    criterion: IntArray
    mark: FloatArray  # as entered (judgement marks on their 0..scale)
    rows: IntArray | None  # position of each mark in the input frame; None = identity
    entries: pd.Index
    judges: pd.Index
    criteria: pd.Index
    components: tuple[str, ...]  # () when the sheet has no components
    component_of: IntArray  # per criterion: index into components (0 when none)
    points_factor: FloatArray | None  # per criterion: mark → points; None = 1
    criterion_max: FloatArray | None  # per criterion, in points (rubric only)
    time: FloatArray | None  # per entry
    team_of: IntArray | None  # per entry
    teams: pd.Index | None
    group: npt.NDArray[np.int64]  # per mark: entry * n_criteria + criterion
    layout: GroupLayout

    @property
    def n_entries(self) -> int:
        return len(self.entries)

    @property
    def n_criteria(self) -> int:
        return len(self.criteria)

    def points(self) -> FloatArray:
        """Marks converted to points; treat as read-only (it may be the input's own buffer)."""
        if self.points_factor is None:
            return self.mark  # read-only for callers
        return self.mark * self.points_factor[self.criterion]

    def row_of(self, marks: IntArray) -> IntArray:
        return marks if self.rows is None else self.rows[marks]


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.total = 0

    def add(self, problem: Problem) -> None:
        self.total += 1
        if len(self.items) < _LIMIT:
            self.items.append(problem)

    def rows(
        self,
        rows: IntArray,
        column: str,
        code: str,
        messages: Callable[[int], tuple[str, str]],
    ) -> None:
        self.total += len(rows)
        room = _LIMIT - len(self.items)
        for row in rows[: max(room, 0)]:
            zh, en = messages(int(row))
            self.items.append(Problem(int(row), column, code, zh, en))

    def raise_if_any(self) -> None:
        if self.total:
            ordered = sorted(self.items, key=lambda p: (p.row is None, p.row or 0, p.code))
            raise ScoringInputError(ordered, self.total)


def encode(values: pd.Series) -> tuple[IntArray, pd.Index]:
    """Integer codes (−1 = missing or blank) and the sorted labels they index.

    A categorical column whose categories are already sorted, all used and non-blank is used as
    it is: its codes are returned as a read-only view, without a copy.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        categorical = values.array
        assert isinstance(categorical, pd.Categorical)
        raw: IntArray = np.asarray(categorical.codes)
        categories = categorical.categories
        missing = bool((raw < 0).any())
        used = np.bincount(raw[raw >= 0] if missing else raw, minlength=len(categories)) > 0
        if (
            used.all()
            and categories.is_monotonic_increasing
            and categories.is_unique
            and not _blank(categories).any()
        ):
            return raw, categories
        kept = np.flatnonzero(used)
        labels = categories[kept]
        order = _label_order(labels)
        remap = np.full(len(categories) + 1, -1, dtype=np.int32)  # slot −1 keeps missing missing
        remap[kept[order]] = np.arange(len(kept), dtype=np.int32)
        codes: IntArray = remap[raw]
        labels = labels[order]
    else:
        try:
            found, uniques = pd.factorize(values, sort=True)
        except TypeError:  # mixed label types: order by their text
            found, uniques = pd.factorize(values)
        order = _label_order(pd.Index(uniques))
        remap = np.full(len(uniques) + 1, -1, dtype=np.int32)
        remap[order] = np.arange(len(uniques), dtype=np.int32)
        codes = remap[np.asarray(found)]
        labels = pd.Index(uniques)[order]
    blank = _blank(labels)
    if blank.any():
        remap = np.full(len(labels) + 1, -1, dtype=np.int32)
        remap[np.flatnonzero(~blank)] = np.arange(int((~blank).sum()), dtype=np.int32)
        codes = remap[codes]
        labels = labels[~blank]
    return codes, labels


def _blank(labels: pd.Index) -> BoolArray:
    if labels.dtype.kind in "iufb" or not len(labels):
        return np.zeros(len(labels), dtype=bool)
    if labels.inferred_type == "string":  # all text: one vectorised pass, no Python loop
        text = labels.to_numpy(dtype=object).astype(np.dtypes.StringDType())
        return np.asarray(np.strings.strip(text) == "", dtype=bool)
    return np.array([isinstance(v, str) and not v.strip() for v in labels], dtype=bool)


def _label_order(labels: pd.Index) -> IntArray:
    try:
        return np.asarray(labels.argsort(), dtype=np.intp)
    except TypeError:
        text = pd.Index([str(label) for label in labels])
        return np.asarray(text.argsort(), dtype=np.intp)


def _numbers(values: pd.Series) -> tuple[FloatArray, BoolArray]:
    """Float copy of a column and a mask of cells that hold something that is not a number."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        out = values.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.isinf(out)
        if not bad.any():
            return out, bad  # may be a read-only view of the frame: never written to
    else:
        out = pd.to_numeric(values, errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan, copy=True
        )
        text = values.astype("string").str.strip()
        given = (text.notna() & (text != "")).to_numpy(dtype=bool, na_value=False)
        bad = (np.isnan(out) & given) | np.isinf(out)
    out = out.copy()
    out[bad] = np.nan
    return out, bad


def _label(index: pd.Index, code: int) -> str:
    return str(index[code])


def read_sheet(scores: pd.DataFrame, rubric: Rubric | None = None) -> Sheet:
    """Validate ``scores`` against ``rubric`` and encode it; raises :class:`ScoringInputError`.

    The frame is never modified.  A row whose score is empty means "not marked" and is left out.
    """
    if not isinstance(scores, pd.DataFrame):
        raise TypeError("scores must be a pandas DataFrame")
    problems = _Problems()
    missing = [name for name in REQUIRED if name not in scores.columns]
    for name in missing:
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

    mark, bad = _numbers(scores[SCORE])
    problems.rows(
        np.flatnonzero(bad),
        SCORE,
        "not_a_number",
        lambda row: (
            f"分数 {scores[SCORE].iloc[row]!r} 不是有效数字",
            f"score {scores[SCORE].iloc[row]!r} is not a number",
        ),
    )
    given = ~np.isnan(mark) | bad
    keep: IntArray | None = None if given.all() else np.flatnonzero(given)

    def kept(values: npt.NDArray[_T]) -> npt.NDArray[_T]:
        return values if keep is None else values[keep]

    def among_given(mask: BoolArray) -> IntArray:
        """Rows of ``mask`` that hold a mark (every row does on a complete sheet)."""
        return np.flatnonzero(mask if keep is None else given & mask)

    entry, entries = encode(scores[ENTRY])
    judge, judges = encode(scores[JUDGE])
    criterion, criteria = encode(scores[CRITERION])
    for column, codes in ((ENTRY, entry), (JUDGE, judge), (CRITERION, criterion)):
        if not len(codes) or codes.min() >= 0:
            continue
        absent = among_given(codes < 0)
        zh_name = {ENTRY: "参赛号", JUDGE: "评委", CRITERION: "评分项"}[column]
        problems.rows(
            absent,
            column,
            f"missing_{column}",
            _constant(f"缺少{zh_name}", f"{column} is empty"),
        )

    n_criteria = len(criteria)
    points_factor: FloatArray | None = None
    criterion_max: FloatArray | None = None
    mark_max: FloatArray | None = None
    components: tuple[str, ...] = ()
    component_of: IntArray = np.zeros(n_criteria, dtype=np.intp)
    if rubric is not None:
        by_key = {c.key: c for c in rubric.criteria}
        keys = [str(label) for label in criteria]
        unknown = np.array([key not in by_key for key in keys] + [False], dtype=bool)
        if unknown.any():
            problems.rows(
                among_given(unknown[criterion]),
                CRITERION,
                "unknown_criterion",
                lambda row: (
                    f"评分细则中没有评分项 {_label(criteria, int(criterion[row]))}",
                    f"unknown criterion {_label(criteria, int(criterion[row]))}",
                ),
            )
        for key in by_key:
            if key not in keys:
                problems.add(
                    Problem(
                        None,
                        CRITERION,
                        "criterion_not_marked",
                        f"评分项 {key} 没有任何分数",
                        f"criterion {key} has no marks at all",
                    )
                )
        mark_max = np.array([by_key[k].mark_max if k in by_key else np.inf for k in keys])
        criterion_max = np.array([by_key[k].max if k in by_key else np.nan for k in keys])
        factors = [by_key[k].max / by_key[k].mark_max if k in by_key else 1.0 for k in keys]
        if any(f != 1.0 for f in factors):
            points_factor = np.array(factors)
        if rubric.components:
            components = tuple(c.key for c in rubric.components)
            component_of = np.array(
                [components.index(str(by_key[k].component)) if k in by_key else 0 for k in keys],
                dtype=np.intp,
            )
        limits = np.append(mark_max, np.inf)  # code −1 (missing) reads the last slot
        # NaN (no mark, or not a number) compares false, so no ``given`` mask is needed
        above = _rows_differing(mark, limits, criterion, np.greater)
        problems.rows(
            above,
            SCORE,
            "above_max",
            lambda row: (
                f"分数 {mark[row]:g} 超过评分项 {_label(criteria, int(criterion[row]))} "
                f"的满分 {limits[criterion[row]]:g}",
                f"score {mark[row]:g} is above the maximum {limits[criterion[row]]:g} of criterion "
                f"{_label(criteria, int(criterion[row]))}",
            ),
        )
        negative = bool(len(mark)) and bool(np.fmin.reduce(mark) < 0)  # fmin skips NaN
        below = np.flatnonzero(mark < 0) if negative else _NO_ROWS
        problems.rows(
            below,
            SCORE,
            "below_min",
            lambda row: (f"分数 {mark[row]:g} 不能为负", f"score {mark[row]:g} is negative"),
        )

    if COMPONENT in scores.columns:
        comp_codes, comp_labels = encode(scores[COMPONENT])
        if components:
            names = np.array(
                [components.index(str(x)) if str(x) in components else -2 for x in comp_labels]
                + [-1],
                dtype=np.intp,
            )
            expected_of = np.append(component_of, -1)  # code −1 (missing) reads the last slot
            # check each (criterion, component label) pair that occurs, not each row: one pass
            width = len(comp_labels) + 1
            pair = np.add(criterion, 1, dtype=np.intp)
            pair *= width
            pair += comp_codes
            pair += 1
            cells = (n_criteria + 1) * width
            seen = np.bincount(pair if keep is None else pair[given], minlength=cells) > 0
            wrong = names[None, :-1] != component_of[:, None]  # criterion × label
            bad_pair = np.zeros((n_criteria + 1, width), dtype=bool)
            bad_pair[1:, 1:] = wrong
            bad_pair &= seen.reshape(n_criteria + 1, width)
            clash = among_given(bad_pair.ravel()[pair]) if bad_pair.any() else pair[:0]
            expected = expected_of[criterion] if len(clash) else criterion
            del pair
            problems.rows(
                clash,
                COMPONENT,
                "conflicting_component",
                lambda row: (
                    f"评分项 {_label(criteria, int(criterion[row]))} 属于模块 "
                    f"{components[int(expected[row])]}，不是 {scores[COMPONENT].iloc[row]}",
                    f"criterion {_label(criteria, int(criterion[row]))} belongs to component "
                    f"{components[int(expected[row])]}, not {scores[COMPONENT].iloc[row]}",
                ),
            )
        elif len(comp_labels):
            ok = given & (criterion >= 0) & (comp_codes >= 0)
            per_crit = _first_value(criterion[ok], comp_codes[ok], n_criteria, -1)
            clash = np.flatnonzero(ok & (per_crit[np.maximum(criterion, 0)] != comp_codes))
            problems.rows(
                clash,
                COMPONENT,
                "conflicting_component",
                lambda row: (
                    f"评分项 {_label(criteria, int(criterion[row]))} 出现在不同模块中",
                    f"criterion {_label(criteria, int(criterion[row]))} appears in several "
                    f"components",
                ),
            )
            components = tuple(str(x) for x in comp_labels)
            unassigned = per_crit < 0
            if unassigned.any():
                components = (*components, "")
                per_crit[unassigned] = len(components) - 1
            component_of = per_crit

    time: FloatArray | None = None
    if TIME in scores.columns:
        raw_time, bad_time = _numbers(scores[TIME])
        problems.rows(
            among_given(bad_time) if bad_time.any() else _NO_ROWS,
            TIME,
            "not_a_number",
            lambda row: (
                f"用时 {scores[TIME].iloc[row]!r} 不是有效数字",
                f"time {scores[TIME].iloc[row]!r} is not a number",
            ),
        )
        negative = bool(len(raw_time)) and bool(np.fmin.reduce(raw_time) < 0)
        problems.rows(
            among_given(raw_time < 0) if negative else _NO_ROWS,
            TIME,
            "below_min",
            lambda row: (f"用时 {raw_time[row]:g} 不能为负", f"time {raw_time[row]:g} is negative"),
        )
        time = np.full(len(entries), np.nan)
        nan_time = np.isnan(raw_time)
        if keep is None and not nan_time.any() and (not len(entry) or entry.min() >= 0):
            for lo in range(0, len(entry), _CHUNK):  # complete sheet: no row to leave out
                np.put(time, entry[lo : lo + _CHUNK], raw_time[lo : lo + _CHUNK])
            clash = _rows_differing(raw_time, time, entry, np.not_equal)
        else:
            ok = given & (entry >= 0) & ~nan_time
            time[entry[ok]] = raw_time[ok]
            clash = np.flatnonzero(ok & (time[np.maximum(entry, 0)] != raw_time))
        del nan_time
        problems.rows(
            clash,
            TIME,
            "conflicting_time",
            lambda row: (
                f"参赛号 {_label(entries, int(entry[row]))} 的用时前后不一致",
                f"entry {_label(entries, int(entry[row]))} has different times",
            ),
        )

    team_of: IntArray | None = None
    teams: pd.Index | None = None
    if TEAM in scores.columns:
        team_codes, teams = encode(scores[TEAM])
        ok = given & (entry >= 0)
        team_of = _first_value(entry[ok], team_codes[ok], len(entries), -1)
        clash = np.flatnonzero(ok & (team_of[np.maximum(entry, 0)] != team_codes))
        problems.rows(
            clash,
            TEAM,
            "conflicting_team",
            lambda row: (
                f"参赛号 {_label(entries, int(entry[row]))} 出现在不同团队中或缺少团队",
                f"entry {_label(entries, int(entry[row]))} has several teams or none",
            ),
        )

    problems.raise_if_any()

    entry, judge, criterion, mark = (kept(entry), kept(judge), kept(criterion), kept(mark))
    group = np.multiply(entry, n_criteria, dtype=np.int64)
    group += criterion
    counts = np.bincount(group, minlength=len(entries) * n_criteria)
    sheet = Sheet(
        entry=entry,
        judge=judge,
        criterion=criterion,
        mark=mark,
        rows=keep,
        entries=entries,
        judges=judges,
        criteria=criteria,
        components=components,
        component_of=component_of,
        points_factor=points_factor,
        criterion_max=criterion_max,
        time=time,
        team_of=team_of,
        teams=teams,
        group=group,
        layout=GroupLayout.build(
            group,
            counts,
            _panel_slots(entry, judge, criterion, len(entries), len(judges), n_criteria),
        ),
    )
    _check_marks(scores, sheet)
    return sheet


def _rows_differing(
    values: FloatArray,
    table: FloatArray,
    codes: IntArray,
    compare: np.ufunc,
) -> IntArray:
    """Rows where ``compare(values, table[codes])`` holds (code −1 reads ``table[-1]``).

    Chunked with reused buffers, so checking ten million marks allocates no full-size
    temporaries.
    """
    n = len(values)
    size = min(n, _CHUNK)
    looked_up = np.empty(size)
    hit = np.empty(size, dtype=bool)
    found: list[IntArray] = []
    for lo in range(0, n, _CHUNK):
        hi = min(lo + _CHUNK, n)
        np.take(table, codes[lo:hi], out=looked_up[: hi - lo], mode="wrap")
        compare(values[lo:hi], looked_up[: hi - lo], out=hit[: hi - lo])
        if hit[: hi - lo].any():
            found.append(np.flatnonzero(hit[: hi - lo]) + lo)
    return np.concatenate(found) if found else _NO_ROWS


def _constant(zh: str, en: str) -> Callable[[int], tuple[str, str]]:
    return lambda _row: (zh, en)


def _first_value(keys: IntArray, values: IntArray, size: int, fill: int) -> IntArray:
    """Per key, one of its values (the last one written); ``fill`` where a key has none."""
    out = np.full(size, fill, dtype=np.intp)
    out[keys] = values
    return out


def _check_marks(scores: pd.DataFrame, sheet: Sheet) -> None:
    """Entry-level checks: duplicate marks and criteria nobody marked for an entry."""
    problems = _Problems()
    counts = sheet.layout.counts
    if sheet.layout.has_duplicates(sheet.judge):
        frame = pd.DataFrame({"e": sheet.entry, "j": sheet.judge, "c": sheet.criterion}, copy=False)
        twice = np.flatnonzero(frame.duplicated(keep="first").to_numpy())
        first_row = frame.drop_duplicates(keep="first").reset_index()
        first = pd.merge(frame.iloc[twice], first_row, on=["e", "j", "c"], how="left")
        origin = sheet.row_of(first["index"].to_numpy(dtype=np.intp))
        rows = sheet.row_of(twice.astype(np.intp))
        lookup = dict(zip(rows.tolist(), origin.tolist(), strict=True))
        problems.rows(
            rows,
            JUDGE,
            "duplicate_mark",
            lambda row: (
                f"评委 {scores[JUDGE].iloc[row]} 对 {scores[ENTRY].iloc[row]} 的 "
                f"{scores[CRITERION].iloc[row]} 重复评分（与第 {lookup[row] + 1} 行重复）",
                f"judge {scores[JUDGE].iloc[row]} marked {scores[CRITERION].iloc[row]} of "
                f"{scores[ENTRY].iloc[row]} twice (same as row {lookup[row] + 1})",
            ),
        )
    empty = np.flatnonzero(counts == 0)
    for group_code in empty[:_LIMIT]:
        e, c = divmod(int(group_code), sheet.n_criteria)
        entry, crit = _label(sheet.entries, e), _label(sheet.criteria, c)
        problems.add(
            Problem(
                None,
                CRITERION,
                "criterion_missing",
                f"参赛号 {entry} 的评分项 {crit} 没有任何评委打分",
                f"no judge marked criterion {crit} of entry {entry}",
                entry=entry,
            )
        )
    problems.total += max(len(empty) - _LIMIT, 0)
    problems.raise_if_any()


def _panel_slots(
    entry: IntArray,
    judge: IntArray,
    criterion: IntArray,
    n_entries: int,
    n_judges: int,
    n_criteria: int,
) -> tuple[npt.NDArray[np.int64], IntArray] | None:
    """Each judge's place in the entry's panel — when the rows say so without a sort.

    That is the case when the sheet lists marks entry by entry, judge by judge (each row's
    ``(entry, judge, criterion)`` strictly after the previous row's, as an export of the marking
    sheets gives them).  Then no judge marked a group twice, each judge's marks of an entry form
    one run of rows, and the run's position among the entry's runs is a slot that is unique
    within every group of the entry.  Returned per run of rows: the slot and the run's length.
    ``None`` when the rows are in any other order.
    """
    n = len(entry)
    if n < 2 or n_entries * max(n_judges, 1) * max(n_criteria, 1) >= 2**62:
        return None
    key = np.empty(_CHUNK + 1, dtype=np.int64)
    for lo in range(0, n - 1, _CHUNK):  # chunked: cache-sized, and stops early on other orders
        hi = min(lo + _CHUNK + 1, n)
        part = key[: hi - lo]
        np.multiply(entry[lo:hi], n_judges, out=part, dtype=np.int64, casting="unsafe")
        part += judge[lo:hi]
        part *= n_criteria
        part += criterion[lo:hi]
        if not bool(np.all(part[1:] > part[:-1])):
            return None
    del key
    new_run = entry[1:] != entry[:-1]
    new_run |= judge[1:] != judge[:-1]
    starts = np.flatnonzero(new_run)
    del new_run
    starts += 1
    starts = np.concatenate(([0], starts))
    run_entry = entry[starts]
    index = np.arange(len(starts), dtype=np.int64)
    first = np.ones(len(starts), dtype=bool)
    first[1:] = run_entry[1:] != run_entry[:-1]
    slot = index - np.maximum.accumulate(np.where(first, index, 0))
    return slot, np.diff(starts, append=n)


@dataclass(frozen=True)
class GroupLayout:
    """Marks arranged by group (one group = one entry and criterion) without a Python loop.

    ``flat`` gives, for each mark, its cell in a dense ``width × n_groups`` matrix whose column
    holds the marks of one group; ``width`` is the largest panel.  When the rows come entry by
    entry and judge by judge (:func:`_panel_slots`) the cell follows from the judge's place in
    the panel; otherwise it comes from a stable sort that is close to linear on sheets already
    grouped by entry, and a radix sort otherwise.  Columns are sorted with a sorting network
    over the ``width`` rows (vectorised across groups).  ``distinct``: it is already known that
    no judge marked a group twice.
    """

    flat: npt.NDArray[np.int64]
    counts: IntArray
    width: int
    distinct: bool = False

    @classmethod
    def build(
        cls,
        group: npt.NDArray[np.int64],
        counts: IntArray,
        runs: tuple[npt.NDArray[np.int64], IntArray] | None = None,
    ) -> GroupLayout:
        width = int(counts.max()) if len(counts) else 0
        n = len(group)
        n_groups = len(counts)
        if n == 0:
            return cls(np.empty(0, dtype=np.int64), counts, 0)
        if runs is not None and int(runs[0].max()) < width:  # else the matrix would grow
            slot, length = runs
            flat = np.repeat(slot * n_groups, length)  # cell = slot * n_groups + group
            flat += group
            return cls(flat, counts, width, distinct=True)
        flat = np.empty(n, dtype=np.int64)
        order = _group_order(group, n_groups)
        starts = np.cumsum(counts) - counts
        # cell = (position in sorted order − first position of the group) * n_groups + group
        for lo in range(0, n, _CHUNK):
            hi = min(lo + _CHUNK, n)
            part = group[lo:hi] if order is None else group[order[lo:hi]]
            cell = np.arange(lo, hi, dtype=np.int64)
            cell -= starts[part]
            cell *= n_groups
            cell += part
            if order is None:
                flat[lo:hi] = cell
            else:
                flat[order[lo:hi]] = cell
        return cls(flat, counts, width)

    def dense(self, values: FloatArray, fill: float) -> FloatArray:
        """``width × n_groups`` matrix of ``values``, each column sorted ascending."""
        size = len(self.counts) * self.width
        full = bool(size) and int(self.counts.min()) == self.width  # every cell is written
        matrix = np.empty(size) if full else np.full(size, fill)
        matrix[self.flat] = values
        return _sort_columns(matrix.reshape(self.width, len(self.counts)))

    def has_duplicates(self, judge: IntArray) -> bool:
        if self.width < 2 or self.distinct:
            return False
        matrix = np.full(len(self.counts) * self.width, -1, dtype=np.int32)
        matrix[self.flat] = judge
        shaped = _sort_columns(matrix.reshape(self.width, len(self.counts)))
        return bool(np.any((shaped[1:] == shaped[:-1]) & (shaped[1:] >= 0)))


_A = TypeVar("_A", bound=np.generic)


def _sort_columns(matrix: npt.NDArray[_A]) -> npt.NDArray[_A]:
    """Sort each column in place: an odd–even transposition network for small panels."""
    width = matrix.shape[0]
    if width > 12:
        matrix.sort(axis=0)
        return matrix
    low = np.empty_like(matrix[0])
    for step in range(width):
        for i in range(step % 2, width - 1, 2):
            np.minimum(matrix[i], matrix[i + 1], out=low)
            np.maximum(matrix[i], matrix[i + 1], out=matrix[i + 1])
            matrix[i] = low
    return matrix


def _group_order(group: IntArray, n_groups: int) -> IntArray | None:
    """A stable permutation sorting ``group``; ``None`` when it is already sorted."""
    descents = int(np.count_nonzero(group[1:] < group[:-1]))
    if descents == 0:
        return None
    if descents * 8 < len(group) or n_groups > 2**32:
        return np.asarray(np.argsort(group, kind="stable"), dtype=np.intp)
    low = np.argsort((group & 0xFFFF).astype(np.uint16), kind="stable")
    if n_groups <= 0x10000:
        return np.asarray(low, dtype=np.intp)
    high = np.argsort((group[low] >> 16).astype(np.uint16), kind="stable")
    return np.asarray(low[high], dtype=np.intp)
