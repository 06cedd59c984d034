"""Cumulative standings and the red flag: hand-computed reference values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pytest

from scoring import (
    Item,
    PolicyError,
    RoundSpec,
    ScoringInputError,
    red_flags,
    round_scores,
    standings,
)

R12 = [RoundSpec("r1"), RoundSpec("r2")]


def totals(rows: Iterable[Sequence[object]]) -> pd.DataFrame:
    """Rows of (participant, round, total) or (participant, round, total, vetoed, effect)."""
    full = [tuple(row) + (False, None)[len(row) - 3 :] for row in rows]
    return pd.DataFrame(full, columns=["participant", "round", "total", "vetoed", "veto_effect"])


def by_participant(table: pd.DataFrame) -> dict[str, dict[str, object]]:
    return {str(row["participant"]): row for row in table.to_dict("records")}


def codes(error: pytest.ExceptionInfo[ScoringInputError]) -> list[tuple[int | None, str]]:
    return sorted(((p.row, p.code) for p in error.value.problems), key=lambda x: (x[0] or -1, x[1]))


# --- cumulation ------------------------------------------------------------------------------

FIELD = totals(
    [
        ("甲", "r1", 90),
        ("甲", "r2", 80),
        ("乙", "r1", 70),
        ("乙", "r2", 95),
        ("丙", "r1", 100),  # no score in r2
        ("丁", "r3", 100),  # r3 is not published: ignored, 丁 is not in the field
    ]
)


def test_sum() -> None:
    table = standings(FIELD, R12)
    assert table["participant"].tolist() == ["甲", "乙", "丙"]
    assert table["total"].tolist() == [170.0, 165.0, 100.0]
    assert table["rank"].tolist() == [1, 2, 3]
    assert table["rounds_scored"].tolist() == [2, 2, 1]
    assert table["latest_round"].tolist() == [80.0, 95.0, 0.0]
    assert table["best_round"].tolist() == [90.0, 95.0, 100.0]
    assert table["why"].tolist() == ["", "", ""]
    assert list(table.columns) == [
        "participant",
        "total",
        "rank",
        "vetoed",
        "rounds_scored",
        "rounds_won",
        "best_round",
        "latest_round",
        "why",
    ]


def test_mean_divides_by_the_rounds_the_participant_was_scored_in() -> None:
    table = standings(FIELD, R12, method="mean")
    rows = by_participant(table)
    assert rows["丙"]["total"] == 100.0  # one round scored: 100 / 1
    assert rows["甲"]["total"] == 85.0
    assert rows["乙"]["total"] == 82.5
    assert table["participant"].tolist() == ["丙", "甲", "乙"]


def test_weighted() -> None:
    rounds = [RoundSpec("r1", 1), RoundSpec("r2", 3)]
    rows = by_participant(standings(FIELD, rounds, method="weighted"))
    assert rows["甲"]["total"] == 82.5  # (90 + 3·80) / 4
    assert rows["乙"]["total"] == 88.75  # (70 + 3·95) / 4
    assert rows["丙"]["total"] == 25.0  # (100 + 0) / 4
    assert rows["乙"]["rank"] == 1


def test_only_listed_rounds_count_and_the_last_listed_is_the_latest() -> None:
    table = standings(FIELD, [RoundSpec("r2"), RoundSpec("r1")])
    rows = by_participant(table)
    assert rows["甲"]["latest_round"] == 90.0  # r1 is listed last
    table = standings(FIELD, [RoundSpec("r1")])
    assert by_participant(table)["丙"]["total"] == 100.0
    assert "丁" not in set(table["participant"])


def test_round_veto_counts_zero_for_that_round() -> None:
    field = totals(
        [
            ("甲", "r1", 90),
            ("甲", "r2", 95, True, "round"),
            ("乙", "r1", 80),
            ("乙", "r2", 70),
        ]
    )
    rows = by_participant(standings(field, R12))
    assert rows["甲"]["total"] == 90.0
    assert rows["甲"]["rank"] == 2
    assert not rows["甲"]["vetoed"]  # still ranked
    assert rows["甲"]["latest_round"] == 0.0
    assert rows["甲"]["rounds_scored"] == 2
    assert rows["乙"]["total"] == 150.0
    mean = by_participant(standings(field, R12, method="mean"))
    assert mean["甲"]["total"] == 45.0  # the vetoed round is scored, with 0


def test_vetoed_without_an_effect_is_a_round_veto() -> None:
    field = totals([("甲", "r1", 90, True, None), ("乙", "r1", 80)])
    rows = by_participant(standings(field, R12))
    assert rows["甲"]["total"] == 0.0 and rows["甲"]["rank"] == 2


def test_competition_veto_excludes_and_lists_last() -> None:
    field = totals(
        [
            ("甲", "r1", 99),
            ("甲", "r2", 99, True, "competition"),
            ("乙", "r1", 80),
            ("乙", "r2", 70),
            ("丙", "r1", 60),
        ]
    )
    table = standings(field, R12)
    assert table["participant"].tolist() == ["乙", "丙", "甲"]
    last = table.iloc[-1]
    assert pd.isna(last["rank"]) and last["vetoed"]
    assert last["why"] == "一票否决（轮次：r2），不参加排名"
    assert table["rank"].tolist()[:2] == [1, 2]
    assert table["vetoed"].tolist() == [False, False, True]


def test_competition_veto_in_an_unpublished_round_does_not_count() -> None:
    field = totals([("甲", "r1", 99), ("甲", "r3", 0, True, "competition"), ("乙", "r1", 80)])
    rows = by_participant(standings(field, R12))
    assert rows["甲"]["rank"] == 1 and not rows["甲"]["vetoed"]


def test_totals_are_compared_after_rounding() -> None:
    field = totals([("甲", "r1", 0.1), ("甲", "r2", 0.2), ("乙", "r1", 0.3)])
    table = standings(field, R12, tie_break=())
    assert table["rank"].tolist() == [1, 1]


# --- tie-breaks and explanations --------------------------------------------------------------

TIED = totals(
    [
        ("甲", "r1", 91.5),
        ("甲", "r2", 91.0),
        ("乙", "r1", 93.0),
        ("乙", "r2", 89.5),
        ("丙", "r1", 89.5),
        ("丙", "r2", 93.0),
        ("丁", "r1", 80.0),
    ]
)


def test_latest_round_breaks_the_tie() -> None:
    table = standings(TIED, R12)
    assert table["participant"].tolist() == ["丙", "甲", "乙", "丁"]
    assert table["total"].tolist() == [182.5, 182.5, 182.5, 80.0]
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert table["why"].tolist() == [
        "总分与第2名同为 182.5；最近一轮得分更高（93.0 对 91.0）",
        "总分与第1名同为 182.5；最近一轮得分更低（91.0 对 93.0）",
        "总分与第2名同为 182.5；最近一轮得分更低（89.5 对 91.0）",
        "",
    ]


def test_best_round_then_latest_round() -> None:
    table = standings(TIED, R12, tie_break=("best_round", "latest_round"))
    # 乙 and 丙 share the best round 93.0; 丙 wins on the latest round; 甲 (best 91.5) last
    assert table["participant"].tolist() == ["丙", "乙", "甲", "丁"]
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert table["why"].tolist()[:3] == [
        "总分与第2名同为 182.5；最近一轮得分更高（93.0 对 89.5）",
        "总分与第1名同为 182.5；最近一轮得分更低（89.5 对 93.0）",
        "总分与第2名同为 182.5；单轮最高分更低（91.5 对 93.0）",
    ]


def test_rounds_won() -> None:
    field = totals(
        [
            ("甲", "r1", 95),
            ("甲", "r2", 85),
            ("甲", "r3", 95),
            ("乙", "r1", 90),
            ("乙", "r2", 90),
            ("乙", "r3", 95),
        ]
    )
    rounds = [RoundSpec("r1"), RoundSpec("r2"), RoundSpec("r3")]
    table = standings(field, rounds, tie_break=("rounds_won",))
    # both 275; 甲 won r1 and r3 (shared), 乙 won r2 and r3 (shared): still tied
    assert table["rounds_won"].tolist() == [2, 2]
    assert table["rank"].tolist() == [1, 1]
    assert table["why"].tolist() == [
        "总分与第1名同为 275.0；单轮第一次数也相同，名次并列",
        "总分与第1名同为 275.0；单轮第一次数也相同，名次并列",
    ]
    field.loc[5, "total"] = 94  # 乙 no longer shares r3; 甲 275 vs 乙 274: total decides
    table = standings(field, rounds, tie_break=("rounds_won",))
    assert table["rounds_won"].tolist() == [2, 1] and table["why"].tolist() == ["", ""]


def test_rounds_won_decides() -> None:
    field = totals(
        [
            ("甲", "r1", 95),
            ("甲", "r2", 85),
            ("乙", "r1", 90),
            ("乙", "r2", 90),
            ("丙", "r1", 60),
            ("丙", "r2", 60),
            ("丙", "r3", 100),
            ("甲", "r3", 80),
            ("乙", "r3", 80),
        ]
    )
    rounds = [RoundSpec("r1"), RoundSpec("r2"), RoundSpec("r3")]
    table = standings(field, rounds, tie_break=("rounds_won", "best_round"))
    # 甲 and 乙 both 260; each won one round; 甲's best round 95 beats 乙's 90
    assert table["participant"].tolist() == ["甲", "乙", "丙"]
    assert table["rounds_won"].tolist() == [1, 1, 1]
    assert table["why"].tolist()[1] == "总分与第1名同为 260.0；单轮最高分更低（90.0 对 95.0）"
    field.loc[field["participant"] == "丙", "total"] = 0
    table = standings(field, rounds, tie_break=("rounds_won", "best_round"))
    # now 甲 and 乙 share r3 (80): 甲 won r1, r3; 乙 won r2, r3
    assert table["rounds_won"].tolist()[:2] == [2, 2]
    field.loc[(field["participant"] == "乙") & (field["round"] == "r3"), "total"] = 79
    field.loc[(field["participant"] == "乙") & (field["round"] == "r2"), "total"] = 91
    table = standings(field, rounds, tie_break=("rounds_won", "best_round"))
    assert table["participant"].tolist()[:2] == ["甲", "乙"]
    assert table["why"].tolist()[:2] == [
        "总分与第2名同为 260.0；单轮第一次数更多（2 对 1）",
        "总分与第1名同为 260.0；单轮第一次数更少（1 对 2）",
    ]


def test_fewer_vetoes() -> None:
    field = totals(
        [
            ("甲", "r1", 100, True, "round"),
            ("甲", "r2", 100),
            ("乙", "r1", 50),
            ("乙", "r2", 50),
        ]
    )
    table = standings(field, R12, tie_break=("fewer_vetoes",))
    assert table["participant"].tolist() == ["乙", "甲"]
    assert table["why"].tolist() == [
        "总分与第2名同为 100.0；被一票否决的轮数更少（0 对 1）",
        "总分与第1名同为 100.0；被一票否决的轮数更多（1 对 0）",
    ]
    # the default chain (latest round) puts 甲 first instead
    assert standings(field, R12)["participant"].tolist() == ["甲", "乙"]


def test_no_tie_break_leaves_ties_equal() -> None:
    table = standings(TIED, R12, tie_break=())
    assert table["participant"].tolist() == ["丙", "乙", "甲", "丁"]  # by label
    assert table["rank"].tolist() == [1, 1, 1, 4]
    assert table["why"].tolist()[:3] == ["总分与第1名同为 182.5，名次并列"] * 3


def test_a_chain_that_ends_tied_shares_the_rank() -> None:
    field = totals([("甲", "r1", 90), ("甲", "r2", 80), ("乙", "r1", 90), ("乙", "r2", 80)])
    chain = ("latest_round", "best_round", "rounds_won", "fewer_vetoes")
    table = standings(field, R12, tie_break=chain)
    assert table["rank"].tolist() == [1, 1]
    assert table["why"].tolist()[0] == (
        "总分与第1名同为 170.0；最近一轮得分、单轮最高分、单轮第一次数、被一票否决的轮数也相同，"
        "名次并列"
    )


def test_ranks_per_track() -> None:
    field = totals(
        [
            ("甲", "r1", 90),
            ("乙", "r1", 80),
            ("丙", "r1", 85),
            ("丁", "r1", 85),
            ("戊", "r1", 70),
            ("己", "r1", 99, True, "competition"),
        ]
    )
    track = pd.Series(
        {"甲": "土建", "乙": "土建", "丙": "安装", "丁": "安装", "戊": "安装", "己": "土建"}
    )
    table = standings(field, R12, track=track, tie_break=())
    assert list(table.columns)[:2] == ["participant", "track"]
    # tracks in label order (土建 U+571F before 安装 U+5B89), the excluded after everyone ranked
    assert table["participant"].tolist() == ["甲", "乙", "丁", "丙", "戊", "己"]
    assert table["track"].tolist() == ["土建", "土建", "安装", "安装", "安装", "土建"]
    assert table["rank"].tolist()[:5] == [1, 2, 1, 1, 3]
    assert pd.isna(table["rank"].iloc[5])
    # rounds won within the track: 甲 wins 土建 (己 is excluded), 丁 and 丙 share 安装
    assert table["rounds_won"].tolist() == [1, 0, 1, 1, 0, 0]


def test_track_names_the_field() -> None:
    field = totals([("甲", "r1", 90)])
    track = pd.Series({"甲": "A", "乙": "A"})
    rows = by_participant(standings(field, R12, track=track))
    assert rows["乙"]["total"] == 0.0 and rows["乙"]["rank"] == 2
    assert rows["乙"]["rounds_scored"] == 0


def test_round_totals_from_round_scores() -> None:
    items = [Item("安全", "measurement", 100), Item("事故", "veto", 0, veto_effect="round")]
    per_round = []
    for key, marks in (
        ("r1", [("甲", "A", "安全", 90), ("乙", "A", "安全", 80)]),
        ("r2", [("甲", "A", "安全", 95), ("甲", "A", "事故", 1), ("乙", "A", "安全", 85)]),
    ):
        frame = pd.DataFrame(marks, columns=["participant", "assessor", "item", "mark"])
        table = round_scores(frame, items).table.reset_index()
        per_round.append(table.assign(round=key))
    rows = by_participant(standings(pd.concat(per_round), R12))
    assert rows["甲"]["total"] == 90.0 and rows["乙"]["total"] == 165.0


def test_bad_round_totals() -> None:
    field = pd.DataFrame(
        [
            ("甲", "r1", "abc", False, None),
            ("甲", "r2", 80, "maybe", None),
            ("乙", "r1", 80, True, "forever"),
            ("乙", "r1", 81, False, None),
            ("", "r1", 80, False, None),
            ("丙", None, 80, False, None),
            ("丁", "r9", "ignored", False, None),  # unpublished round: not read
        ],
        columns=["participant", "round", "total", "vetoed", "veto_effect"],
    )
    with pytest.raises(ScoringInputError) as error:
        standings(field, R12)
    assert codes(error) == [
        (0, "not_a_number"),
        (1, "not_yes_or_no"),
        (2, "unknown_veto_effect"),
        (3, "duplicate_round"),
        (4, "missing_participant"),
        (5, "missing_round"),
    ]


def test_missing_columns_and_tracks() -> None:
    with pytest.raises(ScoringInputError) as error:
        standings(pd.DataFrame({"participant": ["甲"]}), R12)
    assert [p.code for p in error.value.problems] == ["missing_column", "missing_column"]
    field = totals([("甲", "r1", 90), ("乙", "r1", 80)])
    with pytest.raises(ScoringInputError) as error:
        standings(field, R12, track=pd.Series({"甲": "A"}))
    assert codes(error) == [(1, "missing_track")]


@pytest.mark.parametrize(
    ("rounds", "options"),
    [
        ([], {}),
        ([RoundSpec("r1"), RoundSpec("r1")], {}),
        (R12, {"method": "median"}),
        (R12, {"tie_break": ("time",)}),
        (R12, {"tie_break": ("latest_round", "latest_round")}),
        (R12, {"tie_break": "latest_round"}),
        ([RoundSpec("r1", 0), RoundSpec("r2", 0)], {"method": "weighted"}),
        (R12, {"precision": 9}),
    ],
)
def test_bad_options(rounds: list[RoundSpec], options: dict[str, object]) -> None:
    with pytest.raises(PolicyError):
        standings(FIELD, rounds, **options)  # type: ignore[arg-type]


def test_bad_round_specs() -> None:
    with pytest.raises(PolicyError):
        RoundSpec("")
    with pytest.raises(PolicyError):
        RoundSpec("r1", -1)
    with pytest.raises(PolicyError):
        RoundSpec("r1", float("nan"))


def test_input_is_untouched_and_row_order_does_not_matter() -> None:
    before = TIED.copy()
    one = standings(TIED, R12)
    two = standings(TIED.iloc[::-1].reset_index(drop=True), R12)
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(TIED, before)


def test_many_participants_and_rounds() -> None:
    rng = np.random.default_rng(5)
    rounds = [RoundSpec(f"m{k:02d}") for k in range(24)]
    names = [f"P{i:04d}" for i in range(1000)]
    field = pd.DataFrame(
        {
            "participant": np.repeat(names, 24),
            "round": np.tile([r.key for r in rounds], 1000),
            "total": rng.integers(60, 100, 24_000).astype(float),
            "vetoed": False,
            "veto_effect": None,
        }
    )
    table = standings(field, rounds, tie_break=("latest_round", "best_round"))
    expected = field.groupby("participant")["total"].sum().sort_values(ascending=False)
    assert table["total"].iloc[0] == expected.iloc[0]
    assert (np.diff(table["total"].to_numpy()) <= 0).all()
    assert table["rank"].min() == 1 and len(table) == 1000


# --- red flags -------------------------------------------------------------------------------


def ranks(rows: Iterable[Sequence[object]]) -> pd.DataFrame:
    full = [tuple(row) + (False,)[len(row) - 4 :] for row in rows]
    return pd.DataFrame(full, columns=["round", "track", "participant", "rank", "vetoed"])


def flags(table: pd.DataFrame) -> list[tuple[object, ...]]:
    return [tuple(row) for row in table.itertuples(index=False)]


def test_red_flag_goes_to_the_first() -> None:
    table = red_flags(ranks([("1月", "土建", "甲", 1), ("1月", "土建", "乙", 2)]))
    assert list(table.columns) == ["round", "track", "participant", "streak", "kept"]
    assert flags(table) == [("1月", "土建", "甲", 1, False)]


def test_count_two_with_ties_at_the_boundary() -> None:
    rows = [
        ("1月", "土建", "甲", 1),
        ("1月", "土建", "乙", 2),
        ("1月", "土建", "丙", 2),
        ("1月", "土建", "丁", 4),
    ]
    assert [f[2] for f in flags(red_flags(ranks(rows), count=2))] == ["丙", "乙", "甲"]
    rows[1] = ("1月", "土建", "乙", 1)  # 1, 1, 2, 4: exactly two flags
    rows[2] = ("1月", "土建", "丙", 3)
    assert [f[2] for f in flags(red_flags(ranks(rows), count=2))] == ["乙", "甲"]


def test_vetoed_top_is_skipped() -> None:
    rows = [
        ("1月", "土建", "甲", 1, True),
        ("1月", "土建", "乙", 2),
        ("1月", "土建", "丙", 3),
        ("1月", "安装", "丁", 1, True),  # the whole track vetoed: no flag there
    ]
    assert flags(red_flags(ranks(rows))) == [("1月", "土建", "乙", 1, False)]
    assert [f[2] for f in flags(red_flags(ranks(rows), count=2))] == ["丙", "乙"]


def test_streaks_per_track_and_keep_after() -> None:
    rows = []
    holders = ["甲", "甲", "甲", "乙", "甲", "甲", "甲", "甲"]
    for month, holder in enumerate(holders, 1):
        other = "乙" if holder == "甲" else "甲"
        rows += [(f"{month}月", "土建", holder, 1), (f"{month}月", "土建", other, 2)]
    rows += [("2月", "安装", "丙", 1), ("3月", "安装", "丙", 1)]
    table = red_flags(ranks(rows), keep_after=3)
    built = [f for f in flags(table) if f[1] == "土建"]
    assert [(f[0], f[2], f[3], f[4]) for f in built] == [
        ("1月", "甲", 1, False),
        ("2月", "甲", 2, False),
        ("3月", "甲", 3, True),  # kept for good; the streak starts again
        ("4月", "乙", 1, False),
        ("5月", "甲", 1, False),  # broken by 乙 in 4月
        ("6月", "甲", 2, False),
        ("7月", "甲", 3, True),
        ("8月", "甲", 1, False),
    ]
    install = [f for f in flags(table) if f[1] == "安装"]
    # 安装 has rounds 2月 and 3月 only: consecutive within its own rounds
    assert install == [("2月", "安装", "丙", 1, False), ("3月", "安装", "丙", 2, False)]
    no_keep = red_flags(ranks(rows))
    assert [f[3] for f in flags(no_keep) if f[1] == "土建"] == [1, 2, 3, 1, 1, 2, 3, 4]
    assert not no_keep["kept"].any()


def test_position_orders_the_rounds() -> None:
    frame = ranks([("三月", "t", "甲", 1), ("一月", "t", "甲", 1), ("二月", "t", "乙", 1)])
    frame["position"] = [3, 1, 2]
    table = red_flags(frame)
    assert [(f[0], f[2], f[3]) for f in flags(table)] == [
        ("一月", "甲", 1),
        ("二月", "乙", 1),
        ("三月", "甲", 1),
    ]
    # without positions the rows' order of first appearance is the order of time
    table = red_flags(frame.drop(columns="position"))
    assert [(f[0], f[3]) for f in flags(table)] == [("三月", 1), ("一月", 2), ("二月", 1)]


def test_without_a_track_column_everyone_is_one_track() -> None:
    frame = pd.DataFrame({"round": ["a", "a", "b"], "participant": ["甲", "乙", "甲"]})
    frame["rank"] = [1, 2, 1]
    table = red_flags(frame)
    assert [(f[0], f[2], f[3]) for f in flags(table)] == [("a", "甲", 1), ("b", "甲", 2)]
    assert table["track"].isna().all()


def test_unranked_rows_hold_no_flag() -> None:
    rows = [("1月", "t", "甲", None), ("1月", "t", "乙", 3)]
    assert [f[2] for f in flags(red_flags(ranks(rows)))] == ["乙"]


def test_bad_round_ranks_and_options() -> None:
    frame = ranks([("1月", "t", "甲", "first"), ("1月", "t", "甲", 1), ("1月", "t", "乙", 2)])
    with pytest.raises(ScoringInputError) as error:
        red_flags(frame)
    assert codes(error) == [(0, "not_a_number"), (1, "duplicate_participant")]
    frame = ranks([("1月", "t", "甲", 1), ("2月", "t", "甲", 1)])
    frame["position"] = [1, 1]
    with pytest.raises(ScoringInputError) as error:
        red_flags(frame)
    assert [p.code for p in error.value.problems] == ["shared_position"]
    with pytest.raises(PolicyError):
        red_flags(frame, count=0)
    with pytest.raises(PolicyError):
        red_flags(frame, keep_after=0)


def test_empty_inputs_give_empty_tables() -> None:
    empty = standings(pd.DataFrame({"participant": [], "round": [], "total": []}), R12)
    assert empty.empty and "why" in empty.columns
    flags_table = red_flags(pd.DataFrame({"round": [], "participant": [], "rank": []}))
    assert flags_table.empty and list(flags_table.columns)[-1] == "kept"
