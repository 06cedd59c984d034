"""优胜奖 for the rest of the top half (DOMAIN §1.10), recommended titles kept apart from
conferred ones (§1.11), and the standardised 700 scale beside the ranks (§1.13)."""

import pytest
from test_ranking import awards_of, ladder

from scoring import (
    AwardBand,
    PolicyError,
    RankingPolicy,
    StandardScale,
    Title,
    parse_awards,
    rank_with_policy,
)

MERIT = AwardBand("优胜奖", upto=0.5)


def _counts_then_merit(**options: object) -> RankingPolicy:
    return RankingPolicy(awards=(*parse_awards("1,2,5"), MERIT), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "merit"),
    [
        (20, 2),  # half is 10: ranks 9 and 10 after the 8 numbered prizes
        (21, 2),  # half of an odd field is rounded down (10.5 → 10): never more than half
        (18, 1),
        (16, 0),  # exactly half are numbered prizes already
        (15, 0),  # the numbered prizes already pass half: nobody more
        (3, 0),  # a field smaller than the prizes
    ],
)
def test_merit_fills_the_top_half_after_numbered_prizes(field: int, merit: int) -> None:
    got = awards_of(
        rank_with_policy(ladder(*range(field, 0, -1)), policy=_counts_then_merit()).table
    )
    assert got.count("优胜奖") == merit
    assert got[: min(field, 8)] == (["一等奖"] + ["二等奖"] * 2 + ["三等奖"] * 5)[:field]
    assert got[8 + merit :] == [None] * max(field - 8 - merit, 0)


def test_rounding_half_up_lets_an_odd_field_give_the_middle_entrant_merit() -> None:
    policy = _counts_then_merit(award_rounding="half_up")
    got = awards_of(rank_with_policy(ladder(*range(21, 0, -1)), policy=policy).table)
    assert got.count("优胜奖") == 3  # 10.5 → 11


def test_a_tie_across_the_half_way_line_is_included_or_excluded_whole() -> None:
    # 20 entrants; the 10th and 11th are tied, so the group straddles the half-way line
    totals = [*range(100, 91, -1), 50, 50, *range(40, 31, -1)]
    included = awards_of(rank_with_policy(ladder(*totals), policy=_counts_then_merit()).table)
    assert included.count("优胜奖") == 3  # ranks 9, 10, 10
    excluded = rank_with_policy(ladder(*totals), policy=_counts_then_merit(edge_ties="exclude"))
    assert awards_of(excluded.table).count("优胜奖") == 1  # rank 9 only


def test_merit_after_share_bands() -> None:
    policy = RankingPolicy(awards=(*parse_awards("10%,20%,10%"), MERIT))
    got = awards_of(rank_with_policy(ladder(*range(20, 0, -1)), policy=policy).table)
    assert got.count("优胜奖") == 2  # 40% of 20 = 8 awarded, half = 10


@pytest.mark.parametrize(
    "band",
    [
        {"upto": 0},
        {"upto": 1.5},
        {"upto": 0.5, "share": 0.1},
        {"upto": 0.5, "count": 3},
    ],
)
def test_merit_band_is_checked(band: dict[str, float]) -> None:
    with pytest.raises(PolicyError):
        AwardBand("优胜奖", **band)  # type: ignore[arg-type]


def test_recommendations_are_reported_apart_from_titles() -> None:
    titles = (Title("五一劳动奖章", 1, 1, recommend=True), Title("技术能手", 1, 5))
    table = rank_with_policy(
        ladder(10, 10, 8, 7, 6, 5, 4), policy=RankingPolicy(titles=titles)
    ).table
    # the two tied firsts are both recommended; nobody holds the medal as a title
    assert table["recommended"].tolist() == [("五一劳动奖章",)] * 2 + [()] * 5
    assert table["titles"].tolist() == [("技术能手",)] * 5 + [()] * 2


def test_a_short_field_recommends_nobody() -> None:
    titles = (Title("五一劳动奖章", 1, 1, recommend=True),)
    policy = RankingPolicy(titles=titles, min_field=30)
    table = rank_with_policy(ladder(3, 2, 1), policy=policy).table
    assert table["recommended"].tolist() == [(), (), ()]


@pytest.mark.parametrize("totals", [(90, 80, 70, 60), (90, 80, 80, 70, 60)])
def test_the_standardised_scale_never_changes_ranks(totals: tuple[int, ...]) -> None:
    plain = rank_with_policy(ladder(*totals), policy=RankingPolicy()).table
    scaled = rank_with_policy(ladder(*totals), policy=RankingPolicy(scale=StandardScale())).table
    assert scaled["entry"].tolist() == plain["entry"].tolist()
    assert scaled["rank"].tolist() == plain["rank"].tolist()
    # the median entrant is at 700 (an even field's median lies between the middle two)
    assert sorted(scaled["standardised"])[len(totals) // 2] >= 700.0
    assert float(scaled["standardised"].median()) == 700.0
