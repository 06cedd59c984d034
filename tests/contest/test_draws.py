"""The 参赛号 and 赛位号 draws: seeded, recorded, reproducible, done once; check-in between."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from contest.models import AuditEntry, ContestStatus, EntryStatus, ScoreSheet, SheetStatus
from contest.services.skills.draws import (
    DrawError,
    check_in,
    draw_entry_codes,
    draw_seat_codes,
    permutation,
)
from contest.services.skills.registration import EntrantData, register_entry, withdraw_entry


@pytest.fixture
def c(make_contest: Any, make_id_number: Any) -> Any:
    """A contest in registration with six fresh (code-less) entrants."""
    c = make_contest(status="registration", entries=0, judges=2)
    c.entries = [
        register_entry(
            c.organizer,
            c.contest,
            EntrantData(
                name=f"选手{n}",
                id_number=make_id_number(sequence=f"{100 + n:03d}"),
                organization_id=c.units[n % 2].id,
                event_id=c.event.id,
            ),
        )
        for n in range(6)
    ]
    return c


def test_entry_draw_gives_codes_records_seed_and_audits(db: Any, c: Any) -> None:
    result = draw_entry_codes(c.organizer, c.event, seed="open-day-2026")
    db.session.commit()
    codes = sorted(e.entry_code for e in c.entries)
    assert codes == [f"A{i:03d}" for i in range(1, 7)]
    assert c.event.entry_draw_seed == "open-day-2026" and c.event.entry_drawn_at is not None
    record = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "event.draw_entry_codes")
    ).one()
    after = json.loads(record.after or "{}")
    assert after["seed"] == "open-day-2026" and after["entries"] == 6
    assert result.codes == {e.id: e.entry_code for e in c.entries}


def test_draw_is_reproducible_from_the_recorded_seed(db: Any, c: Any) -> None:
    draw_entry_codes(c.organizer, c.event)
    seed = c.event.entry_draw_seed
    assert seed and len(seed) == 32  # secrets.token_hex(16)
    order = permutation([e.id for e in c.entries], seed)
    assert {entry_id: f"A{i:03d}" for i, entry_id in enumerate(order, start=1)} == {
        e.id: e.entry_code for e in c.entries
    }
    assert permutation([e.id for e in reversed(c.entries)], seed) == order
    assert permutation([e.id for e in c.entries], seed + "x") != order or len(c.entries) < 3


def test_redraw_is_refused(db: Any, c: Any) -> None:
    draw_entry_codes(c.organizer, c.event)
    codes = {e.id: e.entry_code for e in c.entries}
    with pytest.raises(DrawError, match="不能重新抽签"):
        draw_entry_codes(c.organizer, c.event)
    assert {e.id: e.entry_code for e in c.entries} == codes


def test_withdrawn_entries_get_no_code(db: Any, c: Any) -> None:
    withdraw_entry(c.organizer, c.entries[0], "退赛")
    draw_entry_codes(c.organizer, c.event)
    assert c.entries[0].entry_code is None
    assert sorted(e.entry_code for e in c.entries[1:]) == [f"A{i:03d}" for i in range(1, 6)]


def test_entry_draw_needs_registration_status_and_entrants(db: Any, make_contest: Any) -> None:
    judging = make_contest(status="judging", entries=2, judges=0)
    with pytest.raises(DrawError, match="比赛评分中"):
        draw_entry_codes(judging.organizer, judging.event)
    empty = make_contest(status="registration", entries=0, judges=0)
    with pytest.raises(DrawError, match="还没有报名选手"):
        draw_entry_codes(empty.organizer, empty.event)


def test_seed_length_is_checked(db: Any, c: Any) -> None:
    with pytest.raises(DrawError):
        draw_entry_codes(c.organizer, c.event, seed="x" * 65)
    assert c.event.entry_drawn_at is None


def test_check_in_needs_codes_and_happens_once(db: Any, c: Any) -> None:
    with pytest.raises(DrawError, match="请先抽取参赛号"):
        check_in(c.organizer, c.entries[0])
    draw_entry_codes(c.organizer, c.event)
    check_in(c.organizer, c.entries[0])
    assert c.entries[0].status is EntryStatus.CHECKED_IN and c.entries[0].checked_in_at
    with pytest.raises(DrawError, match="已检录"):
        check_in(c.organizer, c.entries[0])
    withdraw_entry(c.organizer, c.entries[1], "缺考")
    with pytest.raises(DrawError, match="已退赛"):
        check_in(c.organizer, c.entries[1])


def test_seat_draw_covers_checked_in_entries_only(db: Any, c: Any) -> None:
    draw_entry_codes(c.organizer, c.event)
    for entry in c.entries[:4]:
        check_in(c.organizer, entry)
    result = draw_seat_codes(c.organizer, c.event, seed="seats")
    assert sorted(e.seat_code for e in c.entries[:4]) == ["A-01", "A-02", "A-03", "A-04"]
    assert all(e.seat_code is None for e in c.entries[4:])
    assert c.event.seat_draw_seed == "seats"
    order = permutation([e.id for e in c.entries[:4]], "seats")
    assert result.codes == {entry_id: f"A-{i:02d}" for i, entry_id in enumerate(order, start=1)}
    assert c.entries[0].code == c.entries[0].seat_code
    with pytest.raises(DrawError, match="不能重新抽签"):
        draw_seat_codes(c.organizer, c.event)
    with pytest.raises(DrawError, match="赛位号已抽取"):
        check_in(c.organizer, c.entries[5])


def test_seat_draw_needs_check_ins(db: Any, c: Any) -> None:
    draw_entry_codes(c.organizer, c.event)
    with pytest.raises(DrawError, match="还没有选手检录"):
        draw_seat_codes(c.organizer, c.event)


def test_seat_draw_refused_once_a_sheet_exists(db: Any, make_contest: Any) -> None:
    c = make_contest(status="judging", entries=3, judges=1)
    c.event.entry_drawn_at = c.event.created_at
    db.session.add(
        ScoreSheet(
            event_id=c.event.id,
            entry_id=c.entries[0].id,
            user_id=c.judges[0].id,
            status=SheetStatus.DRAFT,
        )
    )
    db.session.flush()
    before = [e.seat_code for e in c.entries]
    with pytest.raises(DrawError, match="已有评分表"):
        draw_seat_codes(c.organizer, c.event)
    assert [e.seat_code for e in c.entries] == before


def test_seat_draw_replaces_existing_codes_without_collisions(db: Any, make_contest: Any) -> None:
    c = make_contest(status="judging", entries=4, judges=0)  # seat codes A-01.. already set
    c.event.entry_drawn_at = c.event.created_at
    draw_seat_codes(c.organizer, c.event, seed="s")
    db.session.commit()
    assert sorted(e.seat_code for e in c.entries) == ["A-01", "A-02", "A-03", "A-04"]


# ---------------------------------------------------------------- pages


def test_draw_pages_and_printable_lists(db: Any, c: Any, client_for: Any) -> None:
    client = client_for(c.organizer)
    base = f"/contests/{c.contest.id}/events/{c.event.id}"
    page = client.get(f"{base}/draws")
    assert page.status_code == 200 and "抽取参赛号" in page.get_data(as_text=True)
    response = client.post(f"{base}/draws/entry", data={"entry-seed": "abc", "confirmed": "1"})
    assert response.status_code == 302
    assert c.event.entry_draw_seed == "abc"
    again = client.post(
        f"{base}/draws/entry", data={"entry-seed": "", "confirmed": "1"}, follow_redirects=True
    )
    assert "不能重新抽签" in again.get_data(as_text=True)
    listing = client.get(f"{base}/draws/entry-list").get_data(as_text=True)
    assert "A001" in listing and "选手0" in listing and "abc" in listing
    client.post(f"{base}/entries/{c.entries[0].id}/check-in")
    assert c.entries[0].status is EntryStatus.CHECKED_IN
    client.post(f"{base}/draws/seat", data={"seat-seed": "xyz", "confirmed": "1"})
    seats = client.get(f"{base}/draws/seat-list").get_data(as_text=True)
    assert "A-01" in seats and c.entries[0].entry_code in seats
    assert "选手0" not in seats  # the check-in desk's list has no names


def test_contest_status_refusal_is_flashed(db: Any, c: Any, client_for: Any) -> None:
    c.contest.status = ContestStatus.DRAFT
    db.session.commit()
    client = client_for(c.organizer)
    base = f"/contests/{c.contest.id}/events/{c.event.id}"
    response = client.post(f"{base}/draws/entry", data={"confirmed": "1"}, follow_redirects=True)
    assert "筹备中" in response.get_data(as_text=True)
    assert c.event.entry_drawn_at is None


def test_draw_page_counts_checked_in_of_entrants_not_withdrawn(
    db: Any, c: Any, client_for: Any
) -> None:
    withdraw_entry(c.organizer, c.entries[5], "本人申请退赛")
    draw_entry_codes(c.organizer, c.event, seed="abc")
    check_in(c.organizer, c.entries[0])
    db.session.commit()
    client = client_for(c.organizer)
    page = client.get(f"/contests/{c.contest.id}/events/{c.event.id}/draws")
    assert "已检录 1 / 5 人" in page.get_data(as_text=True)
