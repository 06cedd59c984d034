"""The organizers' 累计排名 tab (issue 12 review item 5): the cumulative standings of their own
competition over every published round — internal ones included and marked 内部 — per track,
with each round's total, the vetoes (the round named), red flags and "why"; shown for a
competition that is not public too (whose public pages are a 404 even for its organizer).

The competition is ``labor_standings_support``'s (4月 published but internal).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.contest.labor_standings_support import NAMES, build_competition

A, B, C, D, W, E, F = (NAMES[k][0] for k in "ABCDWEF")


@pytest.fixture
def world(db: Any, make_org: Any, make_person: Any, make_id_number: Any) -> Any:
    ids = (make_id_number("32010219800101", "123"), make_id_number("32010219850505", "246"))
    return build_competition(db, make_org, make_person, ids)


def _rows(html: str) -> list[str]:
    return html.split("<tbody", 1)[1].split("</tbody>", 1)[0].split("<tr")[1:]


def test_organizers_see_every_published_round_with_why_and_vetoes(
    db: Any, world: Any, make_user: Callable[..., Any], client_for: Callable[..., Any]
) -> None:
    organizer = client_for(make_user("organizer", organization=world.host))
    cid = world.competition.id
    show = organizer.get(f"/labor/{cid}").get_data(as_text=True)
    assert f'href="/labor/{cid}/standings"' in show and "累计排名" in show

    page = organizer.get(f"/labor/{cid}/standings")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'aria-current="page">累计排名' in html
    for month in ("1月", "2月", "3月", "4月"):
        assert f">{month}" in html
    assert "5月" not in html  # still being scored
    assert '4月 <span class="tag">内部</span>' in html
    assert "包括 1 个内部轮次" in html
    rows = _rows(html)
    # internal reading: B 369 (88 + 92 + 90 + 99) before A 320, D last, vetoed in 3月
    assert [next(n for n in (A, B, C, D) if n in row) for row in rows] == [B, A, C, D]
    assert "369" in rows[0] and ">1<" in rows[0]
    assert "一票否决（轮次：3月），不参加排名" in rows[3] and "tag-veto" in rows[3]
    assert "tag-veto" in rows[2]  # C's 2月, vetoed for the round
    assert f"流动红旗：{B}" in html  # 4月's holder of 土建
    assert "/labor/public/" in html  # a link to the public page, not from the names
    assert f"/participants/{world.people['A'].id}" not in html

    electric = organizer.get(f"/labor/{cid}/standings?track={world.tracks['electric'].id}")
    text = electric.get_data(as_text=True)
    assert E in text and F in text and A not in text
    assert organizer.get(f"/labor/{cid}/standings?track=999999").status_code == 404


def test_a_competition_that_is_not_public_is_ranked_for_its_organizers_only(
    db: Any, world: Any, make_user: Callable[..., Any], client_for: Callable[..., Any]
) -> None:
    world.competition.is_public = False
    db.session.commit()
    cid = world.competition.id
    organizer = client_for(make_user("organizer", organization=world.host))
    assert organizer.get(f"/labor/public/{cid}").status_code == 404
    page = organizer.get(f"/labor/{cid}/standings").get_data(as_text=True)
    assert "本竞赛不公开，排名只在此处显示。" in page and B in page
    stranger = client_for(make_user("organizer"))
    assert stranger.get(f"/labor/{cid}/standings").status_code == 403
    judge = client_for(make_user("judge", organization=world.host))
    assert judge.get(f"/labor/{cid}/standings").status_code == 403
    assert client_for(None).get(f"/labor/{cid}/standings").status_code == 302
