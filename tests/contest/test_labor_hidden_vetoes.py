"""A competition veto the public cannot see the round of (issue 12 review item 4): a participant
vetoed for the whole competition in an internal round is shown on the public side as 一票否决
and unranked — never ranked first on the public rounds alone — without naming the round or the
item; and a round after a competition veto says why the participant has no rank there.

The competition is ``labor_standings_support``'s: 4月 is published but internal, 5月 is being
scored.
"""

from __future__ import annotations

from typing import Any

import pytest

from contest.models import RoundResult, RoundStatus, VetoEffect
from contest.services.labor import standings as service
from tests.contest.labor_standings_support import NAMES, build_competition, write_results

A, B, C, D, W, E, F = (NAMES[k][0] for k in "ABCDWEF")


@pytest.fixture
def world(db: Any, make_org: Any, make_person: Any, make_id_number: Any) -> Any:
    ids = (make_id_number("32010219800101", "123"), make_id_number("32010219850505", "246"))
    ns = build_competition(db, make_org, make_person, ids)
    # E, first of 机电 on the public rounds, is vetoed for the competition in internal 4月
    found = (
        db.session.query(RoundResult)
        .filter_by(round_id=ns.rounds["4月"].id, participant_id=ns.people["E"].id)
        .one()
    )
    found.vetoed, found.veto_effect, found.vetoed_by, found.rank = (
        True,
        VetoEffect.COMPETITION,
        "V1",
        None,
    )
    db.session.commit()
    return ns


def _row(table: service.Standings, name: str) -> service.Row:
    return next(row for row in table.rows if row.name == name)


def test_public_standings_do_not_rank_a_participant_vetoed_in_an_internal_round(
    app: Any, world: Any
) -> None:
    with app.test_request_context():
        public = service.standings(world.competition)
        internal = service.standings(world.competition, public=False)
    assert [r.name for r in public.rounds] == ["1月", "2月", "3月"]
    electric = public.track(world.tracks["electric"].id)
    assert electric is not None
    assert [(row.name, row.rank, row.vetoed) for row in electric.rows] == [
        (F, 1, False),
        (E, None, True),
    ]
    e = _row(public, E)
    assert e.why == "一票否决，不参加排名" and "4月" not in e.why
    # the organizers' reading names the round
    assert _row(internal, E).why == "一票否决（轮次：4月），不参加排名"
    # the others keep their places
    assert [(row.name, row.rank) for row in public.tracks[0].rows][:3] == [(A, 1), (B, 2), (C, 3)]


def test_public_pages_and_api_show_the_veto_without_the_round(client: Any, world: Any) -> None:
    cid = world.competition.id
    body = client.get(f"/api/v1/competitions/{cid}/standings").get_json()
    rows = {row["participant"]: row for row in body["standings"]}
    assert rows[E]["vetoed"] is True and rows[E]["rank"] is None
    assert rows[F]["rank"] == 1
    html = client.get(f"/labor/public/{cid}/standings?track={world.tracks['electric'].id}")
    text = html.get_data(as_text=True)
    assert "一票否决，不参加排名" in text and "4月" not in text and "V1" not in text
    screen = client.get(f"/labor/public/{cid}/screen.json").get_json()
    electric = next(t for t in screen["tracks"] if t["name"] == "机电")
    assert [(r["name"], r["rank"], r["vetoed"]) for r in electric["rows"]] == [
        (F, 1, False),
        (E, None, True),
    ]


def test_a_later_round_says_why_a_participant_has_no_rank(
    app: Any, db: Any, client: Any, world: Any
) -> None:
    # D was vetoed for the competition in 3月; 5月 is published with D scored but unranked
    may = world.rounds["5月"]
    write_results(
        db,
        may,
        world.people,
        {"A": ("60", None), "B": ("100", None), "D": ("99", None), "F": ("80", None)},
        {"B": 1, "A": 2, "F": 1},
    )
    may.status = RoundStatus.PUBLISHED
    db.session.commit()
    with app.test_request_context():
        table = service.round_table(world.competition, may)
    rows = {row.name: row for _tid, _name, rows in table.tracks for row in rows}
    assert rows[D].rank is None and rows[D].excluded and not rows[D].vetoed
    assert not rows[A].excluded and not rows[B].excluded
    page = client.get(f"/labor/public/{world.competition.id}/rounds/{may.id}")
    text = page.get_data(as_text=True)
    d_row = next(line for line in text.split("<tr") if D in line)
    assert "一票否决" in d_row and "99" in d_row
    assert "3月" not in d_row
