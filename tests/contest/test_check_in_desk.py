"""The check-in desk's page (#16 item 3): search, the JSON answer the desk's script reads, and
what never leaves the server (full ID numbers)."""

from __future__ import annotations

from typing import Any

import pytest

from contest.models import EntryStatus
from contest.services.skills.draws import draw_entry_codes
from contest.services.skills.registration import EntrantData, register_entry


@pytest.fixture
def desk(db: Any, make_contest: Any, make_id_number: Any, login_as: Any) -> Any:
    c = make_contest(status="registration", entries=0, judges=2)
    c.ids = [make_id_number(sequence=f"{200 + n:03d}") for n in range(3)]
    c.entries = [
        register_entry(
            c.organizer,
            c.contest,
            EntrantData(
                name=name,
                id_number=c.ids[n],
                organization_id=c.units[0].id,
                event_id=c.event.id,
            ),
        )
        for n, name in enumerate(["周敏", "吴涛", "周杰"])
    ]
    draw_entry_codes(c.organizer, c.event, seed="desk")
    db.session.commit()
    login_as(user=c.organizer)
    c.url = f"/contests/{c.contest.id}/events/{c.event.id}/entries"
    return c


def test_the_desk_searches_by_name_and_id_tail_and_shows_masked_ids_only(
    client: Any, desk: Any
) -> None:
    page = client.get(desk.url, query_string={"q": "周"}).get_data(as_text=True)
    assert "周敏" in page and "周杰" in page and "吴涛" not in page
    page = client.get(desk.url, query_string={"q": desk.ids[1][-4:]}).get_data(as_text=True)
    assert "吴涛" in page and "周敏" not in page
    assert desk.ids[1] not in page and desk.ids[1][-8:] not in page
    assert "data-desk-expected>3<" in page.replace(" ", "")


def test_a_full_id_number_typed_into_the_search_is_refused_and_not_echoed(
    client: Any, desk: Any
) -> None:
    answer = client.get(desk.url, query_string={"q": desk.ids[0]})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(desk.url)
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "身份证号只需输入后 4 位" in page
    assert desk.ids[0] not in page and desk.ids[0][-8:] not in page


def test_check_in_answers_the_desk_script_with_the_row_and_counts(
    client: Any, db: Any, desk: Any
) -> None:
    entry = desk.entries[2]
    url = f"{desk.url}/{entry.id}/check-in"
    answer = client.post(url, headers={"Accept": "application/json"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["ok"] is True and (body["checked_in"], body["expected"]) == (1, 3)
    assert f'id="entry-{entry.id}"' in body["row"] and "已检录" in body["row"]
    assert "周杰" in body["message"] and entry.entry_code in body["message"]
    db.session.rollback()
    assert entry.status is EntryStatus.CHECKED_IN
    again = client.post(url, headers={"Accept": "application/json"})
    assert again.status_code == 409 and "已检录" in again.get_json()["message"]
    assert again.get_json()["checked_in"] == 1


def test_check_in_without_the_script_returns_to_the_row_and_search(
    client: Any, db: Any, desk: Any
) -> None:
    entry = desk.entries[0]
    answer = client.post(f"{desk.url}/{entry.id}/check-in", data={"q": "周"})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"{desk.url}?q=%E5%91%A8#entry-{entry.id}")
    db.session.rollback()
    assert entry.status is EntryStatus.CHECKED_IN
