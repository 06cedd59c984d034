"""Cumulative standings of a labor competition and its public side (issue 12, items 4 and 6):
sum / mean / weighted over the published public rounds, a round veto counting 0, a competition
veto listed last, the tie-break chain and its "why", ranks per track, internal rounds and
hidden competitions kept off every public page and the API, no personal data anywhere public,
and the public caches following the labor content version.

The competition is built from model rows (``labor_standings_support``): RoundResult and
RoundFlag rows as confirming and publishing rounds leave them.
"""

from __future__ import annotations

import re
from collections import deque
from decimal import Decimal
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from contest.models import CompetitionStatus, RoundStatus
from contest.services.labor import round_results
from contest.services.labor import standings as service
from tests.contest.labor_standings_support import (
    NAMES,
    PHONES,
    build_competition,
    write_results,
)

A, B, C, D, W, E, F = (NAMES[k][0] for k in "ABCDWEF")


@pytest.fixture
def world(db: Any, make_org: Any, make_person: Any, make_id_number: Any) -> Any:
    ids = (make_id_number("32010219800101", "123"), make_id_number("32010219850505", "246"))
    ns = build_competition(db, make_org, make_person, ids)
    ns.id_numbers = ids
    return ns


def _by_track(table: service.Standings) -> dict[str, list[tuple[str, int | None, str]]]:
    return {
        t.name: [(row.name, row.rank, format(row.total.normalize(), "f")) for row in t.rows]
        for t in table.tracks
    }


def _row(table: service.Standings, name: str) -> service.Row:
    return next(row for row in table.rows if row.name == name)


# ------------------------------------------------------------------ the service


def test_sum_ranks_each_track_with_round_and_competition_vetoes(app: Any, world: Any) -> None:
    with app.test_request_context():
        table = service.standings(world.competition)
    assert [r.name for r in table.rounds] == ["1月", "2月", "3月"]
    assert _by_track(table) == {
        "土建": [(A, 1, "270"), (B, 2, "270"), (C, 3, "175"), (D, None, "145")],
        "机电": [(E, 1, "240"), (F, 2, "167")],
    }
    rounds = {r.name: r.id for r in table.rounds}
    c = _row(table, C)
    # a round veto counts 0 and is listed; a round not scored is None
    assert c.rounds[rounds["2月"]] == Decimal("0.00") and c.vetoed_rounds == (rounds["2月"],)
    assert not c.vetoed and c.rank == 3
    assert _row(table, F).rounds[rounds["2月"]] is None
    d = _row(table, D)
    assert d.vetoed and d.rank is None
    assert d.why == "一票否决（轮次：3月），不参加排名"
    assert _row(table, A).why == "总分与第2名同为 270.0；最近一轮得分更高（95.0 对 90.0）"
    assert _row(table, B).why == "总分与第1名同为 270.0；最近一轮得分更低（90.0 对 95.0）"
    assert _row(table, E).why == ""
    assert W not in {row.name for row in table.rows}  # withdrawn
    flags = {row.name: row.flags for row in table.rows}
    assert flags == {A: 1, B: 1, C: 1, D: 0, E: 1, F: 2}
    assert [(t.name, t.holders) for t in table.tracks] == [("土建", (A,)), ("机电", (F,))]
    assert table.latest is not None and table.latest.flags == (A, F)
    assert {row.kind for row in table.rows} == {"project", "unit", "team"}


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (
            "mean",
            {
                # mean over the rounds scored in: C's vetoed 2月 is scored (0), F's 2月 is not
                "土建": [(A, 1, "90"), (B, 2, "90"), (C, 3, "58.33"), (D, None, "48.33")],
                "机电": [(F, 1, "83.5"), (E, 2, "80")],
            },
        ),
        (
            "weighted",
            {
                # weights 1, 1, 2: A (90 + 85 + 190) / 4, B (88 + 92 + 180) / 4 …
                "土建": [(A, 1, "91.25"), (B, 2, "90"), (C, 3, "63.75"), (D, None, "36.25")],
                "机电": [(E, 1, "80"), (F, 2, "62.25")],
            },
        ),
    ],
)
def test_mean_and_weighted_cumulation(
    app: Any, db: Any, world: Any, method: str, expected: dict[str, Any]
) -> None:
    world.competition.cumulation = method
    db.session.commit()
    with app.test_request_context():
        table = service.standings(world.competition)
    assert table.method == method
    assert _by_track(table) == expected


@pytest.mark.parametrize(
    ("chain", "a_why", "ranks"),
    [
        (["best_round"], "总分与第2名同为 270.0；单轮最高分更高（95.0 对 92.0）", (1, 2)),
        # A and B each won one round of 土建 (C won 1月), so the next link decides
        (
            ["rounds_won", "latest_round"],
            "总分与第2名同为 270.0；最近一轮得分更高（95.0 对 90.0）",
            (1, 2),
        ),
        (["rounds_won"], "总分与第1名同为 270.0；单轮第一次数也相同，名次并列", (1, 1)),
        ([], "总分与第1名同为 270.0，名次并列", (1, 1)),
        # a link the engine does not know is dropped, not a broken page
        (
            ["bogus", "latest_round"],
            "总分与第2名同为 270.0；最近一轮得分更高（95.0 对 90.0）",
            (1, 2),
        ),
    ],
)
def test_tie_break_chain_and_why(
    app: Any, db: Any, world: Any, chain: list[str], a_why: str, ranks: tuple[int, int]
) -> None:
    world.competition.tie_break = chain
    db.session.commit()
    with app.test_request_context():
        table = service.standings(world.competition)
    assert (_row(table, A).rank, _row(table, B).rank) == ranks
    assert _row(table, A).why == a_why
    assert [row.name for row in table.tracks[0].rows] == [A, B, C, D]


def test_internal_rounds_count_only_for_internal_reading(app: Any, world: Any) -> None:
    with app.test_request_context():
        public = service.standings(world.competition)
        internal = service.standings(world.competition, public=False)
    assert [r.name for r in internal.rounds] == ["1月", "2月", "3月", "4月"]
    assert _by_track(internal)["土建"][:2] == [(B, 1, "369"), (A, 2, "320")]
    assert _row(internal, B).flags == 2 and internal.tracks[0].holders == (B,)
    assert "4月" not in {r.name for r in public.rounds}
    assert _row(public, A).rank == 1


def test_no_published_round_lists_the_field_without_ranks(app: Any, db: Any, world: Any) -> None:
    for round_ in world.rounds.values():
        round_.status = RoundStatus.CONFIRMED
    db.session.commit()
    with app.test_request_context():
        table = service.standings(world.competition)
    assert table.rounds == () and table.latest is None
    assert {row.rank for row in table.rows} == {None}
    assert len(table.rows) == 6


def test_a_rule_the_engine_refuses_is_a_message_not_an_error(app: Any, db: Any, world: Any) -> None:
    world.competition.cumulation = "weighted"
    for round_ in world.rounds.values():
        round_.weight = Decimal(0)
    db.session.commit()
    with app.test_request_context():
        table = service.standings(world.competition)
    assert table.tracks == () and "权重" in table.problem


def test_participant_detail_trend_and_breakdown(app: Any, world: Any) -> None:
    a = world.people["A"]
    with app.test_request_context():
        detail = service.participant_detail(world.competition, a.id)
        january = service.participant_detail(
            world.competition, a.id, round_id=world.rounds["1月"].id
        )
        internal = service.participant_detail(
            world.competition, a.id, round_id=world.rounds["4月"].id
        )
        withdrawn = service.participant_detail(world.competition, world.people["W"].id)
    assert detail is not None and january is not None
    assert internal is None and withdrawn is None
    assert [(p.round.name, p.total, p.rank, p.best) for p in detail.trend] == [
        ("1月", Decimal("90.00"), 2, Decimal("95.00")),
        ("2月", Decimal("85.00"), 2, Decimal("92.00")),
        ("3月", Decimal("95.00"), 1, Decimal("95.00")),
    ]
    # the track's mean counts C's vetoed 0 and leaves out D, vetoed for the competition
    assert detail.trend[1].mean == Decimal("59.00")  # (85 + 92 + 0) / 3
    assert detail.breakdown_round is not None and detail.breakdown_round.name == "3月"
    assert [(c.name, c.points, c.max_points) for c in detail.breakdown] == [
        ("工程质量", Decimal("57.00"), Decimal("60.00")),
        ("安全生产", Decimal("28.00"), Decimal("30.00")),
        ("技术创新", Decimal("10.00"), Decimal("10.00")),
    ]
    assert [c.points for c in january.breakdown] == [
        Decimal("54.00"),
        Decimal("30.00"),
        Decimal("6.00"),
    ]


# ------------------------------------------------------------------ public pages


def test_public_pages_show_the_latest_round_flags_and_why(client: Any, world: Any) -> None:
    cid = world.competition.id
    listing = client.get("/labor/public/").get_data(as_text=True)
    assert world.competition.name in listing
    page = client.get(f"/labor/public/{cid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "最新一轮：3月" in html
    assert "red-flag.svg" in html and f'<strong class="holder-names">{A}</strong>' in html
    assert "一票否决" in html
    assert "总分与第2名同为 270.0；最近一轮得分更高（95.0 对 90.0）" in html
    assert "4月" not in html and "5月" not in html
    assert "V1" not in html  # the item that triggered a veto is not shown
    standings = client.get(f"/labor/public/{cid}/standings").get_data(as_text=True)
    assert A in standings and E not in standings  # first track only
    electric = client.get(
        f"/labor/public/{cid}/standings?track={world.tracks['electric'].id}"
    ).get_data(as_text=True)
    assert E in electric and A not in electric
    assert client.get(f"/labor/public/{cid}/standings?track=999999").status_code == 404
    assert client.get(f"/labor/public/{cid}/standings?page=2").status_code == 404
    round_page = client.get(f"/labor/public/{cid}/rounds/{world.rounds['2月'].id}")
    assert round_page.status_code == 200 and "一票否决" in round_page.get_data(as_text=True)
    person = client.get(f"/labor/public/{cid}/participants/{world.people['A'].id}")
    assert person.status_code == 200
    text = person.get_data(as_text=True)
    assert 'data-chart="trend"' in text and 'data-chart="breakdown"' in text
    assert "3月各考评项目得分" in text
    screen = client.get(f"/labor/public/{cid}/screen")
    assert screen.status_code == 200 and "labor-screen.js" in screen.get_data(as_text=True)
    data = client.get(f"/labor/public/{cid}/screen.json").get_json()
    assert data["round"]["name"] == "3月"
    assert [t["name"] for t in data["tracks"]] == ["土建", "机电"]
    assert data["tracks"][0]["holders"] == [A]
    assert data["tracks"][0]["rows"][0] == {
        "rank": 1,
        "name": A,
        "latest": "95",
        "total": "270",
        "flags": 1,
        "vetoed": False,
        "latest_vetoed": False,
    }
    assert data["tracks"][0]["rows"][-1]["vetoed"] is True


def test_internal_rounds_and_hidden_competitions_are_not_found(
    client: Any, db: Any, world: Any
) -> None:
    cid = world.competition.id
    rounds = world.rounds
    assert client.get(f"/labor/public/{cid}/rounds/{rounds['4月'].id}").status_code == 404
    assert client.get(f"/labor/public/{cid}/rounds/{rounds['5月'].id}").status_code == 404
    a = world.people["A"].id
    assert (
        client.get(f"/labor/public/{cid}/participants/{a}?round={rounds['4月'].id}").status_code
        == 404
    )
    assert client.get(f"/labor/public/{cid}/participants/{a}?round=x").status_code == 404
    w = world.people["W"].id
    assert client.get(f"/labor/public/{cid}/participants/{w}").status_code == 404
    assert client.get("/labor/public/999999").status_code == 404
    for hide in ("private", "draft"):
        if hide == "private":
            world.competition.is_public = False
        else:
            world.competition.is_public = True
            world.competition.status = CompetitionStatus.DRAFT
        db.session.commit()
        for path in ("", "/standings", "/screen", "/screen.json", f"/participants/{a}"):
            assert client.get(f"/labor/public/{cid}{path}").status_code == 404, (hide, path)
        assert world.competition.name not in client.get("/labor/public/").get_data(as_text=True)
        refused = client.get(f"/api/v1/competitions/{cid}/standings")
        assert refused.status_code == 404 and refused.is_json
        assert set(refused.get_json()) >= {"error", "message"}
        assert client.get("/api/v1/competitions").get_json() == {"competitions": []}


# ------------------------------------------------------------------ the API


def test_api_lists_public_competitions(client: Any, world: Any) -> None:
    body = client.get("/api/v1/competitions").get_json()
    assert body == {
        "competitions": [
            {
                "id": world.competition.id,
                "name": "江州地铁二号线劳动竞赛",
                "kind": "project",
                "status": "running",
                "url": f"http://localhost/labor/public/{world.competition.id}",
            }
        ]
    }


def test_api_standings_shape_and_numbers(client: Any, world: Any) -> None:
    cid = world.competition.id
    response = client.get(f"/api/v1/competitions/{cid}/standings")
    assert response.status_code == 200
    body = response.get_json()
    assert body["competition"] == {
        "id": cid,
        "name": "江州地铁二号线劳动竞赛",
        "kind": "project",
        "status": "running",
        "url": f"http://localhost/labor/public/{cid}",
    }
    ids = {name: r.id for name, r in world.rounds.items()}
    assert body["rounds"] == [
        {
            "id": ids["1月"],
            "name": "1月",
            "period": "2026-01-01 – 2026-01-28",
            "published": True,
            "flag": [C, F],
        },
        {
            "id": ids["2月"],
            "name": "2月",
            "period": "2026-02-01 – 2026-02-28",
            "published": True,
            "flag": [B, E],
        },
        {
            "id": ids["3月"],
            "name": "3月",
            "period": "2026-03-01 – 2026-03-28",
            "published": True,
            "flag": [A, F],
        },
    ]
    rows = {row["participant"]: row for row in body["standings"]}
    assert [row["participant"] for row in body["standings"]] == [A, B, C, D, E, F]
    a, c, d, f = rows[A], rows[C], rows[D], rows[F]
    assert {k: a[k] for k in ("rank", "participant", "kind", "rounds", "total", "vetoed")} == {
        "rank": 1,
        "participant": A,
        "kind": "project",
        "rounds": {str(ids["1月"]): 90.0, str(ids["2月"]): 85.0, str(ids["3月"]): 95.0},
        "total": 270.0,
        "vetoed": False,
    }
    assert c["rounds"][str(ids["2月"])] == 0 and c["vetoed_rounds"] == [ids["2月"]]
    assert f["rounds"][str(ids["2月"])] is None and f["rank"] == 2 and f["kind"] == "unit"
    assert d["rank"] is None and d["vetoed"] is True and d["kind"] == "team"
    assert isinstance(a["total"], float) and isinstance(rows[E]["total"], float)
    # JSON numbers, not strings
    assert re.search(r'"total": ?270(\.0)?[,}]', response.get_data(as_text=True))
    assert client.get("/api/v1/competitions/999999/standings").status_code == 404


def test_openapi_documents_both_paths(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/competitions" in paths
    assert "/api/v1/competitions/{competition_id}/standings" in paths


# ------------------------------------------------------------------ privacy


LINK = re.compile(r'(?:href|src|data-api)="([^"]+)"')


def test_no_personal_data_on_any_public_page_or_api(client: Any, world: Any) -> None:
    cid = world.competition.id
    start = [
        "/labor/public/",
        f"/labor/public/{cid}",
        f"/labor/public/{cid}/screen",
        f"/labor/public/{cid}/screen.json",
        "/api/v1/competitions",
        f"/api/v1/competitions/{cid}/standings",
    ]
    secrets = [*world.id_numbers, *PHONES, "王建国", "李秀英", "项目经理", "V1", "4月"]
    queue, seen, crawled = deque(start), set(start), 0
    while queue:
        path = queue.popleft()
        response = client.get(path)
        crawled += 1
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        for secret in secrets:
            assert secret not in body, f"{secret} on {path}"
        links = LINK.findall(body) + re.findall(r'"url": ?"([^"]+)"', body)
        for link in links:
            target, _ = urldefrag(urljoin("http://localhost" + path, link.replace("&amp;", "&")))
            parts = urlsplit(target)
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if (
                parts.netloc in ("", "localhost")
                and parts.path.startswith(("/labor/public", "/api/v1/competitions"))
                and local not in seen
            ):
                seen.add(local)
                queue.append(local)
    assert crawled >= 15, "the crawl should reach every participant, round and track page"


# ------------------------------------------------------------------ caching


def test_a_new_publish_moves_the_cached_public_pages(
    make_app: Any,
    make_org: Any,
    make_person: Any,
    make_user: Any,
    make_id_number: Any,
    db: Any,
) -> None:
    application = make_app(CACHE_TYPE="SimpleCache", WALL_VERSION_TTL=0)
    ids = (make_id_number("32010219800101", "123"), make_id_number("32010219850505", "246"))
    ns = build_competition(db, make_org, make_person, ids)
    cid = ns.competition.id
    client = application.test_client()
    first = client.get(f"/labor/public/{cid}")
    assert "最新一轮：3月" in first.get_data(as_text=True)
    assert "public" in first.headers["Cache-Control"] and first.headers.get("ETag")
    api = client.get(f"/api/v1/competitions/{cid}/standings").get_json()
    assert len(api["rounds"]) == 3

    # May is confirmed (its rows arrive) …
    may = ns.rounds["5月"]
    write_results(
        db,
        may,
        ns.people,
        {"A": ("60", None), "B": ("100", None), "E": ("90", None), "F": ("80", None)},
        {"B": 1, "A": 2, "E": 1, "F": 2},
    )
    may.status = RoundStatus.CONFIRMED
    ns.competition.description = "五月起增设文明施工专项考评。"  # changed without a bump
    db.session.commit()
    cached = client.get(f"/labor/public/{cid}").get_data(as_text=True)
    assert "最新一轮：3月" in cached and "文明施工专项" not in cached  # the shared copy
    # … and published: the publish service bumps the labor version in its transaction
    round_results.publish_round(make_user("admin"), may)
    db.session.commit()
    page = client.get(f"/labor/public/{cid}").get_data(as_text=True)
    assert "最新一轮：5月" in page and "文明施工专项" in page
    assert (
        client.get(
            f"/labor/public/{cid}", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 200
    )  # the old ETag no longer matches
    body = client.get(f"/api/v1/competitions/{cid}/standings").get_json()
    assert [r["name"] for r in body["rounds"]] == ["1月", "2月", "3月", "5月"]
    top = body["standings"][0]
    assert (top["participant"], top["rank"], top["total"]) == (B, 1, 370.0)
