"""A participant that withdraws (退出) stays in the rounds it was scored in (issue 12 review item
12): its past results and the red flag it held are still shown, marked 已退出 and not linked
(its own page is gone), while the cumulative standings no longer rank it.

The competition is ``labor_standings_support``'s: W 江州路桥公司 (土建) was scored 99 in 1月 and
2月 and withdrew on 2026-04-01; here it also held 1月's flag of 土建 (instead of C).
"""

from __future__ import annotations

from typing import Any

import pytest

from contest.models import RoundFlag
from contest.services.labor import standings as service
from tests.contest.labor_standings_support import NAMES, build_competition

A, B, C, D, W, E, F = (NAMES[k][0] for k in "ABCDWEF")


@pytest.fixture
def world(db: Any, make_org: Any, make_person: Any, make_id_number: Any) -> Any:
    ids = (make_id_number("32010219800101", "123"), make_id_number("32010219850505", "246"))
    ns = build_competition(db, make_org, make_person, ids)
    flag = (
        db.session.query(RoundFlag)
        .filter_by(round_id=ns.rounds["1月"].id, participant_id=ns.people["C"].id)
        .one()
    )
    flag.participant_id = ns.people["W"].id
    db.session.commit()
    return ns


def test_past_rounds_keep_the_withdrawn_participant_and_its_flag(app: Any, world: Any) -> None:
    with app.test_request_context():
        january = service.round_table(world.competition, world.rounds["1月"])
        table = service.standings(world.competition)
    rows = {row.name: row for _tid, _name, rows in january.tracks for row in rows}
    assert W in rows and rows[W].withdrawn and rows[W].total == 99 and rows[W].flag
    assert not rows[A].withdrawn
    assert january.round.flags == (W, F)
    assert table.rounds[0].flags == (W, F)
    assert W not in {row.name for row in table.rows}  # not ranked any more
    assert table.tracks[0].holders == (A,)  # 3月's holder


def test_the_round_page_and_api_show_it_marked_and_unlinked(client: Any, world: Any) -> None:
    cid, w = world.competition.id, world.people["W"].id
    text = client.get(f"/labor/public/{cid}/rounds/{world.rounds['1月'].id}").get_data(as_text=True)
    w_row = next(line for line in text.split("<tbody", 1)[1].split("<tr") if W in line)
    assert "已退出" in w_row and "99" in w_row and "red-flag.svg" in w_row
    assert f"/participants/{w}" not in text
    assert f"流动红旗：{W}、{F}" in text
    body = client.get(f"/api/v1/competitions/{cid}/standings").get_json()
    assert body["rounds"][0]["flag"] == [W, F]
    assert W not in {row["participant"] for row in body["standings"]}
