"""Exceptions raised by the scoring library.

Bad *data* raises :class:`ScoringInputError` carrying one :class:`Problem` per offending cell, so
that a web form or a command line can show them row by row.  Bad *rules* (an impossible policy)
raise :class:`PolicyError`.  Both are ``ValueError`` subclasses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ScoringError(ValueError):
    """Base class of every error raised on purpose by :mod:`scoring`."""


class PolicyError(ScoringError):
    """The rubric or ranking policy is inconsistent (e.g. ``trim`` without ``method='trimmed'``)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the score sheet.

    ``row`` is the 0-based *position* of the offending row in the DataFrame (``None`` when the
    problem concerns an entry or the sheet as a whole); a spreadsheet with one header line shows
    it as line ``row + 2``.  ``code`` is stable and meant for programs (translations, tests);
    ``message`` is Simplified Chinese, ``message_en`` English.
    """

    row: int | None
    column: str | None
    code: str
    message: str
    message_en: str
    entry: str | None = None

    def describe(self, first_line: int = 1, *, english: bool = False) -> str:
        """Human-readable line; ``first_line`` is the number shown for position 0."""
        text = self.message_en if english else self.message
        where: list[str] = []
        if self.row is not None:
            where.append(
                f"row {self.row + first_line}" if english else f"第 {self.row + first_line} 行"
            )
        if self.column is not None:
            where.append(f"column {self.column}" if english else f"列 {self.column}")
        return f"{', '.join(where)}: {text}" if where else text

    def __str__(self) -> str:
        return self.describe()


class ScoringInputError(ScoringError):
    """The score sheet cannot be ranked; ``problems`` says where and why.

    Only the first problems are kept (``len(problems) <= MAX_PROBLEMS``); ``total`` counts all.
    """

    MAX_PROBLEMS = 200

    def __init__(self, problems: Sequence[Problem], total: int | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.total: int = len(self.problems) if total is None else total
        head = "; ".join(p.describe() for p in self.problems[:5])
        more = f"（共 {self.total} 处问题）" if self.total > 5 else ""
        super().__init__(f"评分表有误：{head}{more}")
