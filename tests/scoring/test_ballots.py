"""The ballot rules of a selection committee (scoring.ballots), at their edges: exactly half
never passes "more than half", exactly two thirds passes "two thirds or more", a stored 0.6667
is two thirds, and places are filled by most 赞成 with ties at the boundary left open."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from scoring.ballots import (
    HALF,
    TWO_THIRDS,
    exact_share,
    is_strict,
    passes,
    place,
    quorum_met,
    quorum_needed,
    votes_needed,
)


@pytest.mark.parametrize(
    ("stored", "exact"),
    [
        (Decimal("0.5"), HALF),
        (Decimal("0.6667"), TWO_THIRDS),
        (Decimal("0.3333"), Fraction(1, 3)),
        (Decimal("0.75"), Fraction(3, 4)),
        (Decimal("0.55"), Fraction(11, 20)),
        ("0.6", Fraction(3, 5)),
        (1, Fraction(1)),
    ],
)
def test_a_stored_share_reads_as_the_simple_fraction_it_was_rounded_from(
    stored: object, exact: Fraction
) -> None:
    assert exact_share(stored) == exact  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [Decimal("0"), Decimal("1.2"), Decimal("-0.5")])
def test_a_share_outside_zero_to_one_is_refused(bad: Decimal) -> None:
    with pytest.raises(ValueError):
        exact_share(bad)


def test_only_more_than_half_is_strict() -> None:
    assert is_strict(HALF)
    assert not is_strict(TWO_THIRDS)
    assert not is_strict(Fraction(3, 5))


@pytest.mark.parametrize(
    ("share", "base", "needed"),
    [
        (HALF, 8, 5),  # exactly 4 is half: not more than half
        (HALF, 7, 4),
        (HALF, 1, 1),
        (TWO_THIRDS, 9, 6),  # exactly two thirds is enough
        (TWO_THIRDS, 10, 7),  # 6.67 → 7
        (TWO_THIRDS, 3, 2),
        (Fraction(3, 5), 5, 3),
        (HALF, 0, 1),  # nobody to count: still at least one 赞成
    ],
)
def test_votes_needed(share: Fraction, base: int, needed: int) -> None:
    assert votes_needed(share, base) == needed


def test_exactly_half_of_the_members_does_not_pass_more_than_half() -> None:
    assert not passes(4, members=8, present=8, share=HALF, base="members")
    assert passes(5, members=8, present=8, share=HALF, base="members")


def test_more_than_half_of_the_members_counts_the_absent_too() -> None:
    # 4 of the 6 present is a majority of those present but not of the 9 members.
    assert not passes(4, members=9, present=6, share=HALF, base="members")
    assert passes(4, members=9, present=6, share=HALF, base="present")
    assert not passes(3, members=9, present=6, share=HALF, base="present")  # exactly half


def test_exactly_two_thirds_passes_two_thirds_or_more() -> None:
    assert passes(6, members=9, present=9, share=TWO_THIRDS, base="members")
    assert not passes(5, members=9, present=9, share=TWO_THIRDS, base="members")
    # The stored four-decimal share gives the same answer, not 0.6667 × 9 = 6.0003 → 7.
    stored = exact_share(Decimal("0.6667"))
    assert passes(6, members=9, present=9, share=stored, base="members")
    assert passes(2, members=3, present=3, share=stored, base="members")


def test_two_thirds_of_those_present() -> None:
    assert passes(4, members=9, present=6, share=TWO_THIRDS, base="present")
    assert not passes(3, members=9, present=6, share=TWO_THIRDS, base="present")


def test_nobody_present_passes_nobody() -> None:
    assert not passes(0, members=5, present=0, share=HALF, base="present")


@pytest.mark.parametrize(
    ("yes", "members", "present"),
    [(-1, 5, 5), (6, 5, 5), (4, 5, 3), (1, 0, 0), (1, 5, 6)],
)
def test_impossible_counts_are_refused(yes: int, members: int, present: int) -> None:
    with pytest.raises(ValueError):
        passes(yes, members=members, present=present, share=HALF, base="members")


def test_a_base_that_is_neither_members_nor_present_is_refused() -> None:
    with pytest.raises(ValueError):
        passes(3, 5, 5, HALF, "voters")  # type: ignore[arg-type]


def test_the_quorum_is_two_thirds_or_more_of_the_members() -> None:
    two_thirds = exact_share(Decimal("0.6667"))
    assert quorum_needed(9, two_thirds) == 6
    assert quorum_met(6, 9, two_thirds)
    assert not quorum_met(5, 9, two_thirds)
    assert quorum_needed(3, two_thirds) == 2
    assert quorum_met(2, 3, two_thirds)
    assert quorum_needed(10, two_thirds) == 7
    assert not quorum_met(6, 10, two_thirds)


def test_a_majority_quorum_is_more_than_half() -> None:
    assert quorum_needed(8, HALF) == 5
    assert not quorum_met(4, 8, HALF)


def test_without_places_everyone_who_passed_is_elected() -> None:
    result = place({"a": 5, "b": 2, "c": 7}, passed={"a", "c"}, places=None)
    assert result.elected == ("c", "a")
    assert result.out == ("b",)
    assert result.resolved


def test_places_go_to_most_yes() -> None:
    result = place({"a": 6, "b": 9, "c": 7, "d": 6}, passed="abcd", places=2)
    assert result.elected == ("b", "c")
    assert result.tied == ()
    assert set(result.out) == {"a", "d"}


def test_a_tie_at_the_boundary_is_left_open_never_decided_by_order() -> None:
    result = place({"a": 6, "b": 9, "c": 6, "d": 6, "e": 2}, passed="abcd", places=2)
    assert result.elected == ("b",)
    assert result.tied == ("a", "c", "d")
    assert result.places_left == 1
    assert result.out == ("e",)
    assert not result.resolved


def test_a_tie_for_every_place() -> None:
    result = place({"a": 5, "b": 5, "c": 5}, passed="abc", places=2)
    assert result.elected == ()
    assert result.tied == ("a", "b", "c")
    assert result.places_left == 2


def test_a_tie_that_fits_the_places_is_no_tie() -> None:
    result = place({"a": 5, "b": 5, "c": 3}, passed="abc", places=2)
    assert result.elected == ("a", "b")
    assert result.resolved


def test_no_places_left_elects_nobody() -> None:
    result = place({"a": 5}, passed="a", places=0)
    assert result.elected == ()
    assert result.out == ("a",)


def test_a_passed_nominee_without_a_count_is_refused() -> None:
    with pytest.raises(ValueError):
        place({"a": 5}, passed="ab", places=None)
