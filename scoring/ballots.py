"""The rules of a secret ballot (无记名投票) of a selection committee: quorum, the pass threshold,
places in a quota and ties at their boundary.

Everything is counted in exact fractions, never floats: "more than half of 7 members" needs 4
votes, "two thirds of 9 present" needs 6, and a share stored with four decimals (0.6667) is read
as the simple fraction it was rounded from (2/3) — otherwise 2 of 3 members would fall short of a
two-thirds quorum by 0.0000333.

Strict or not — written once here, tested at the edges (``tests/scoring/test_ballots.py``):

- **过半数 (share 1/2) is strict**: more than half. Exactly half never passes (4 of 8 fails; 5 of
  8 passes), so two halves can never both win.
- **every other share is inclusive** ("三分之二以上" includes the number itself, as "以上" does
  in Chinese legal usage, 《民法典》第一千二百五十九条): exactly two thirds passes (6 of 9).

The same reading applies to the quorum (到会人数达到全体委员的三分之二以上). A nominee also needs
at least one 赞成 whatever the share. The base of the threshold is the committee's members (the
default, 应到) or those present (实到); present means those who voted (or the chair's count of a
paper ballot).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final, Generic, Literal, TypeVar

__all__ = [
    "BASES",
    "HALF",
    "TWO_THIRDS",
    "Base",
    "Placing",
    "exact_share",
    "is_strict",
    "passes",
    "place",
    "quorum_met",
    "quorum_needed",
    "votes_needed",
]

Base = Literal["members", "present"]
BASES: Final[tuple[Base, ...]] = ("members", "present")
HALF: Final = Fraction(1, 2)
TWO_THIRDS: Final = Fraction(2, 3)

# A stored share has four decimals; one within half a unit of the fourth decimal of a fraction
# with a small denominator is that fraction (0.6667 → 2/3, 0.3333 → 1/3, 0.75 → 3/4).
_STORED_PLACES: Final = 4
_SIMPLE_DENOMINATORS: Final = range(2, 13)

K = TypeVar("K", bound=Hashable)


def exact_share(value: Decimal | Fraction | int | str) -> Fraction:
    """``value`` (a share between 0 and 1) as an exact fraction.

    A value that is the four-decimal rounding of a fraction with a denominator up to 12 is read
    as that fraction; anything else as the exact decimal it is (0.55 → 11/20).
    """
    share = Fraction(value)
    if not 0 < share <= 1:
        raise ValueError(f"a share must be above 0 and at most 1, not {value}")
    tolerance = Fraction(1, 2 * 10**_STORED_PLACES)
    for denominator in _SIMPLE_DENOMINATORS:
        numerator = round(share * denominator)
        simple = Fraction(numerator, denominator)
        if abs(simple - share) <= tolerance:
            return simple
    return share


def is_strict(share: Fraction) -> bool:
    """Whether the share must be exceeded (过半数) rather than reached (三分之二以上)."""
    return share == HALF


def votes_needed(share: Fraction, base: int) -> int:
    """The fewest votes that meet ``share`` of ``base`` (at least 1)."""
    if base < 0:
        raise ValueError("the base cannot be negative")
    exact = share * base
    needed = math.floor(exact) + 1 if is_strict(share) else math.ceil(exact)
    return max(needed, 1)


def _check_counts(members: int, present: int) -> None:
    if members < 1:
        raise ValueError("a committee has at least one member")
    if not 0 <= present <= members:
        raise ValueError(f"present ({present}) must be between 0 and the members ({members})")


def quorum_needed(members: int, share: Fraction) -> int:
    """How many members must be present (have voted) for the ballot to count."""
    _check_counts(members, 0)
    return votes_needed(share, members)


def quorum_met(present: int, members: int, share: Fraction) -> bool:
    """Whether ``present`` of ``members`` make the quorum."""
    _check_counts(members, present)
    return present >= quorum_needed(members, share)


def passes(yes: int, members: int, present: int, share: Fraction, base: Base) -> bool:
    """Whether ``yes`` 赞成 pass: at least :func:`votes_needed` of the base (members or present)."""
    _check_counts(members, present)
    if not 0 <= yes <= present:
        raise ValueError(f"yes ({yes}) must be between 0 and present ({present})")
    if base not in BASES:
        raise ValueError(f"unknown base {base!r}")
    counted = members if base == "members" else present
    return counted > 0 and yes >= votes_needed(share, counted)


@dataclass(frozen=True)
class Placing(Generic[K]):
    """Who takes the places: ``elected`` for sure; ``tied`` share the boundary's 赞成 count and
    compete for ``places_left`` places (a run-off or the chair decides — never list order);
    ``out`` passed nothing or fell below the boundary."""

    elected: tuple[K, ...]
    tied: tuple[K, ...]
    places_left: int
    out: tuple[K, ...]

    @property
    def resolved(self) -> bool:
        return not self.tied


def place(yes: Mapping[K, int], passed: Iterable[K], places: int | None) -> Placing[K]:
    """The nominees that passed, within ``places`` (None: no limit) by most 赞成.

    When more passed than there are places, those with more 赞成 than the boundary (the count of
    the last place) are elected; those *at* the boundary are tied for the places still left,
    unless all of them fit. Order within each group follows ``yes`` (most first), then the
    mapping's order — for display only; it never decides a place.
    """
    passing = set(passed)
    unknown = passing - set(yes)
    if unknown:
        raise ValueError(f"passed nominees without a count: {sorted(map(str, unknown))}")
    if places is not None and places < 0:
        raise ValueError("places cannot be negative")
    order = {key: index for index, key in enumerate(yes)}
    ranked = sorted(passing, key=lambda key: (-yes[key], order[key]))
    losers = tuple(sorted((k for k in yes if k not in passing), key=lambda k: (-yes[k], order[k])))
    if places is None or len(ranked) <= places:
        return Placing(tuple(ranked), (), 0, losers)
    if places == 0:
        return Placing((), (), 0, tuple(ranked) + losers)
    boundary = yes[ranked[places - 1]]
    above = tuple(k for k in ranked if yes[k] > boundary)
    at = tuple(k for k in ranked if yes[k] == boundary)
    below = tuple(k for k in ranked if yes[k] < boundary)
    left = places - len(above)
    if len(at) <= left:  # the next count is lower: the places are filled without a tie
        return Placing(above + at, (), 0, below + losers)
    return Placing(above, at, left, below + losers)
