"""Participants excluded from the cumulative standings for a competition veto the caller knows
of outside the listed rounds (an internal round the public does not see)."""

from __future__ import annotations

import pandas as pd

from scoring import RoundSpec, standings


def test_excluded_participants_are_listed_last_without_naming_a_round() -> None:
    frame = pd.DataFrame(
        {
            "participant": ["甲", "乙", "丙", "丁"],
            "round": ["r1"] * 4,
            "total": [90.0, 95.0, 80.0, 70.0],
            "vetoed": [False, False, False, True],
            "veto_effect": ["", "", "", "competition"],
        }
    )
    table = standings(frame, [RoundSpec("r1")], excluded={"乙", "无此单位"})
    rows = {row["participant"]: row for row in table.to_dict("records")}
    assert list(table["participant"]) == ["甲", "丙", "乙", "丁"]  # the excluded last, by total
    assert (rows["甲"]["rank"], rows["丙"]["rank"]) == (1, 2)
    assert pd.isna(rows["乙"]["rank"]) and rows["乙"]["vetoed"]
    assert rows["乙"]["why"] == "一票否决，不参加排名"
    assert rows["丁"]["why"] == "一票否决（轮次：r1），不参加排名"
    assert rows["乙"]["total"] == 95.0  # still shown, just not ranked
