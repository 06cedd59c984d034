"""A union rating's public side is not a race (issue 12 review item 8): its pages, the big screen
and the API show each union's grade — or why it has none, 「未评定：必备项未达标」,
「未评定：一票否决」, 「未达等级线」 — instead of ranks, and no red flags at all.

The rating is ``labor_rounds_support``'s world as a 星级 rating (五星 ≥ 90, 四星 ≥ 80), its one
round published through the services: P1 100 (五星), P2 misses 必备项 M1, P3 60 (below every
band), P4 vetoed for the round.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from contest.services.labor import standings as service
from tests.contest.labor_rounds_support import build_round_world
from tests.contest.test_labor_rounds import publish

NOTES = {
    "P1": ("五星", ""),
    "P2": (None, "未评定：必备项未达标"),
    "P3": (None, "未达等级线"),
    "P4": (None, "未评定：一票否决"),
}


@pytest.fixture
def world(db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> SimpleNamespace:
    ns = build_round_world(db, make_org, make_user, rating=True)
    publish(db, ns, ns.round, P2={"M1": "0"}, P3={"Q1": "0"}, P4={"V1": "1"})
    return ns


def _label(world: SimpleNamespace) -> dict[str, str]:
    return {p.name: label for label, p in world.participants.items()}


def test_the_standings_carry_each_unions_grade(app: Any, world: SimpleNamespace) -> None:
    labels = _label(world)
    with app.test_request_context():
        table = service.standings(world.competition)
        round_table = service.round_table(world.competition, world.round)
    assert {labels[r.name]: (r.grade, r.grade_note) for r in table.rows} == NOTES
    rows = [row for _tid, _name, rows in round_table.tracks for row in rows]
    assert {labels[r.name]: (r.grade, r.grade_note) for r in rows} == NOTES


def test_the_api_gives_grades_not_ranks_or_flags(client: Any, world: SimpleNamespace) -> None:
    labels = _label(world)
    body = client.get(f"/api/v1/competitions/{world.competition.id}/standings").get_json()
    rows = {labels[row["participant"]]: row for row in body["standings"]}
    assert {k: (r["grade"], r["grade_note"]) for k, r in rows.items()} == NOTES
    assert {r["rank"] for r in rows.values()} == {None}
    assert not any("flags" in r or "why" in r for r in rows.values())
    assert body["rounds"][0]["flag"] == []
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert {"grade", "grade_note"} <= set(schema["CompetitionStanding"]["properties"])


def test_public_pages_and_the_big_screen_show_grades_without_flags(
    client: Any, world: SimpleNamespace
) -> None:
    cid = world.competition.id
    electric = world.tracks["机电"].id
    pages = [
        [f"/labor/public/{cid}"],
        [f"/labor/public/{cid}/standings", f"/labor/public/{cid}/standings?track={electric}"],
        [f"/labor/public/{cid}/rounds/{world.round.id}"],
    ]
    for paths in pages:
        path = paths[0]
        html = "".join(client.get(p).get_data(as_text=True) for p in paths)
        for grade, note in NOTES.values():
            assert (grade or note) in html, (path, grade, note)
        assert "red-flag.svg" not in html and "flag-holders" not in html, path
        assert ">名次</th>" not in html and ">红旗</th>" not in html, path
        assert ">等级</th>" in html, path
        assert "名次说明" not in html, path
    p1 = world.participants["P1"].id
    person = client.get(f"/labor/public/{cid}/participants/{p1}").get_data(as_text=True)
    assert "评定等级" in person and "五星" in person and "获流动红旗次数" not in person
    screen = client.get(f"/labor/public/{cid}/screen").get_data(as_text=True)
    assert "screen-flags" not in screen and ">红旗</th>" not in screen and ">等级</th>" in screen
    data = client.get(f"/labor/public/{cid}/screen.json").get_json()
    assert data["rating"] is True
    labels = _label(world)
    rows = {labels[r["name"]]: r for t in data["tracks"] for r in t["rows"]}
    assert {k: r["grade"] for k, r in rows.items()} == {
        k: grade or note for k, (grade, note) in NOTES.items()
    }
    assert {r["rank"] for r in rows.values()} == {None}
    assert all("flags" not in r for r in rows.values())
    assert all(t["holders"] == [] for t in data["tracks"])
