"""Competition ranking, the tie-break chain, rounding, explanations, awards and titles."""

import pytest
from helpers import marks, sheet

from scoring import (
    AwardBand,
    Component,
    Criterion,
    RankingPolicy,
    Rubric,
    TieBreak,
    Title,
    parse_awards,
    rank,
    rank_with_policy,
)


def ladder(*totals: float) -> "object":
    """One judge, one criterion: entry E01 gets the first total, E02 the second, …"""
    return sheet([(f"E{i + 1:02d}", "J1", "c", t) for i, t in enumerate(totals)])


def test_competition_ranking_skips_after_ties_and_lists_ties_by_entry():
    frame = rank(ladder(7, 9, 9, 5))
    assert frame["entry"].tolist() == ["E02", "E03", "E01", "E04"]
    assert frame["rank"].tolist() == [1, 1, 3, 4]


def test_float_noise_neither_makes_nor_breaks_a_tie():
    scores = sheet(
        [
            ("P", "J1", "c1", 0.1),
            ("P", "J1", "c2", 0.2),
            ("Q", "J1", "c1", 0.3),
            ("Q", "J1", "c2", 0.0),
        ]
    )
    frame = rank(scores)
    assert frame["rank"].tolist() == [1, 1]
    assert frame["total"].tolist() == [0.3, 0.3]


def test_totals_are_rounded_half_up_at_the_declared_precision():
    scores = sheet(marks("A", "c", [0.285]) + marks("B", "c", [0.284]))
    table = rank_with_policy(scores, policy=RankingPolicy(precision=2)).table
    assert table["total"].tolist() == [0.29, 0.28]
    coarse = rank_with_policy(scores, policy=RankingPolicy(precision=1)).table
    assert coarse["rank"].tolist() == [1, 1]


RUBRIC = Rubric(
    (Criterion("T", 100, component="theory"), Criterion("P", 100, component="practical")),
    (Component("theory", 50, name="理论"), Component("practical", 50, name="实操")),
)


def contest(rows: list[tuple[str, float, float, float]]):
    """(entry, theory, practical, minutes) → long sheet with a time column."""
    out = []
    for entry, theory, practical, minutes in rows:
        out.append((entry, "J1", "T", theory, minutes))
        out.append((entry, "J1", "P", practical, minutes))
    return sheet(out, "time")


def test_tie_break_on_a_component():
    scores = contest([("X", 80, 90, 100), ("Y", 90, 80, 90)])
    policy = RankingPolicy(tie_breaks=(TieBreak.component("practical"),))
    result = rank_with_policy(scores, RUBRIC, policy)
    assert result.table["entry"].tolist() == ["X", "Y"]
    assert result.table["rank"].tolist() == [1, 2]
    assert result.table["total"].tolist() == [85.0, 85.0]


def test_tie_break_on_shorter_time():
    scores = contest([("X", 80, 90, 100), ("Y", 90, 80, 90)])
    policy = RankingPolicy(tie_breaks=(TieBreak.shorter_time(),))
    assert rank_with_policy(scores, RUBRIC, policy).table["entry"].tolist() == ["Y", "X"]


def test_tie_break_chain_is_applied_in_order_then_equal_rank():
    scores = contest([("X", 80, 90, 100), ("Y", 90, 80, 90), ("Z", 80, 90, 100), ("W", 80, 90, 95)])
    policy = RankingPolicy(tie_breaks=(TieBreak.component("practical"), TieBreak.shorter_time()))
    table = rank_with_policy(scores, RUBRIC, policy).table
    assert table["entry"].tolist() == ["W", "X", "Z", "Y"]
    assert table["rank"].tolist() == [1, 2, 2, 4]


def test_tie_break_on_a_criterion_and_missing_time_comes_last():
    scores = sheet(
        [
            ("A", "J1", "c1", 5, None),
            ("A", "J1", "c2", 5, None),
            ("B", "J1", "c1", 4, 50),
            ("B", "J1", "c2", 6, 50),
            ("C", "J1", "c1", 4, 40),
            ("C", "J1", "c2", 6, 40),
        ],
        "time",
    )
    policy = RankingPolicy(tie_breaks=(TieBreak.criterion("c1"), TieBreak.shorter_time()))
    assert rank_with_policy(scores, policy=policy).table["entry"].tolist() == ["A", "C", "B"]
    by_time = RankingPolicy(tie_breaks=(TieBreak.shorter_time(),))
    assert rank_with_policy(scores, policy=by_time).table["entry"].tolist() == ["C", "B", "A"]


def test_tie_break_on_unknown_component_is_a_policy_error():
    from scoring import PolicyError

    policy = RankingPolicy(tie_breaks=(TieBreak.component("oral"),))
    with pytest.raises(PolicyError):
        rank_with_policy(contest([("X", 1, 1, 1)]), RUBRIC, policy)


def test_explanation_names_the_tied_entry_and_the_deciding_link():
    scores = contest([("E12", 90, 80, 90), ("E07", 80, 90, 100), ("E30", 10, 10, 10)])
    policy = RankingPolicy(tie_breaks=(TieBreak.component("practical"),))
    result = rank_with_policy(scores, RUBRIC, policy)
    assert result.explain("E07") == (
        "第 1 名，总分 85.00；与 E12 总分并列，按并列规则：实操成绩领先 E12（90.00 对 80.00）"
    )
    assert "实操成绩落后 E07" in result.explain("E12")
    assert result.explain("E30") == "第 3 名，总分 10.00"
    assert list(result.explanations.index) == ["E07", "E12", "E30"]


def test_explanation_of_a_full_tie():
    result = rank_with_policy(ladder(5, 5))
    assert "与 E02 各项并列规则均相同，名次并列" in result.explain("E01")


# --- awards -------------------------------------------------------------------------------


def awards_of(frame) -> list[object]:
    return frame["award"].tolist()


def test_proportion_bands_round_down_by_default():
    # 25 entries: 10 % → 2.5 → 2; 10+20 % → 7.5 → 7; 60 % → 15
    frame = rank(ladder(*range(25, 0, -1)), awards=["10%", "20%", "30%"])
    got = awards_of(frame)
    assert got[:2] == ["一等奖"] * 2
    assert got[2:7] == ["二等奖"] * 5
    assert got[7:15] == ["三等奖"] * 8
    assert got[15:] == [None] * 10


def test_proportion_bands_half_up_and_ceil():
    bands = parse_awards("10%,20%,30%")
    scores = ladder(*range(25, 0, -1))
    half_up = rank_with_policy(scores, policy=RankingPolicy(awards=bands, award_rounding="half_up"))
    assert awards_of(half_up.table).count("一等奖") == 3  # 2.5 → 3
    assert awards_of(half_up.table).count("二等奖") == 5  # 7.5 → 8, minus 3
    ceil = rank_with_policy(scores, policy=RankingPolicy(awards=bands, award_rounding="ceil"))
    assert awards_of(ceil.table).count("三等奖") == 7  # 15 − 8


def test_shares_are_exact_fractions_not_floats():
    # 0.1 + 0.2 of 10 entries is exactly 3, not 2.9999… rounded down to 2
    frame = rank(ladder(*range(10, 0, -1)), awards=[0.1, 0.2])
    assert awards_of(frame).count("二等奖") == 2


def test_fixed_count_bands():
    frame = rank(ladder(*range(10, 0, -1)), awards=[1, 2, 5])
    assert awards_of(frame) == ["一等奖"] + ["二等奖"] * 2 + ["三等奖"] * 5 + [None] * 2


def test_ties_at_a_band_edge_are_included_by_default():
    frame = rank(ladder(10, 9, 9, 8), awards=[2])
    assert awards_of(frame) == ["一等奖", "一等奖", "一等奖", None]


def test_ties_at_a_band_edge_can_be_excluded():
    policy = RankingPolicy(awards=parse_awards([2, 1]), edge_ties="exclude")
    table = rank_with_policy(ladder(10, 9, 9, 8), policy=policy).table
    assert awards_of(table) == ["一等奖", "二等奖", "二等奖", None]


def test_threshold_band_and_share_with_minimum():
    bands = (AwardBand("优秀", share=0.5, min_total=90), AwardBand("合格", min_total=60))
    table = rank_with_policy(ladder(95, 85, 70, 59), policy=RankingPolicy(awards=bands)).table
    assert awards_of(table) == ["优秀", "合格", "合格", None]


def test_minimum_field_size_gives_no_awards_and_says_so():
    policy = RankingPolicy(awards=parse_awards("10%,20%,30%"), min_field=30)
    result = rank_with_policy(ladder(*range(12)), policy=policy)
    assert awards_of(result.table) == [None] * 12
    assert not result.awards_given
    assert result.notes == ("参赛人数 12 少于最低要求 30，本项目不评奖、不授予称号",)


def test_linked_titles_by_placing_including_ties_at_the_edge():
    titles = (
        Title("五一劳动奖章推荐资格", 1, 1),
        Title("技术能手", 1, 5),
        Title("高级工", 6, 20),
    )
    table = rank_with_policy(
        ladder(10, 9, 8, 7, 6, 6, 5), policy=RankingPolicy(titles=titles)
    ).table
    assert table["titles"].tolist() == [
        ("五一劳动奖章推荐资格", "技术能手"),
        ("技术能手",),
        ("技术能手",),
        ("技术能手",),
        ("技术能手",),
        ("技术能手",),
        ("高级工",),
    ]


def test_failing_a_component_pass_mark_removes_eligibility_not_rank():
    rubric = Rubric(
        RUBRIC.criteria,
        (Component("theory", 50, pass_mark=60), Component("practical", 50)),
    )
    scores = contest([("X", 50, 100, 1), ("Y", 70, 60, 1), ("Z", 60, 50, 1)])
    table = rank_with_policy(scores, rubric, RankingPolicy(awards=parse_awards([1]))).table
    assert table["entry"].tolist() == ["X", "Y", "Z"]
    assert table["eligible"].tolist() == [False, True, True]
    assert awards_of(table) == [None, "一等奖", None]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("10%,20%,30%", [0.1, 0.2, 0.3]),
        ([0.15], [0.15]),
        ("1,2,5", [1, 2, 5]),
    ],
)
def test_parse_awards_forms(spec, expected):
    bands = parse_awards(spec)
    assert [b.share if b.share is not None else b.count for b in bands] == expected
    assert [b.name for b in bands][:3] == ["一等奖", "二等奖", "三等奖"][: len(bands)]


@pytest.mark.parametrize("spec", ["ten", [1.5], "120%", [True]])
def test_parse_awards_rejects_nonsense(spec):
    from scoring import PolicyError

    with pytest.raises(PolicyError):
        parse_awards(spec)
