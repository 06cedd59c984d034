"""The two codes kept apart (#16 item 1) and the check-in desk's search (#16 item 3).

参赛号 (A001) and 赛位号 (stored A-07, shown 工位 A-07) name different people of the same
event; a list uses one kind, and a typed code reaches exactly one entrant or is refused.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from contest.models import EntryStatus
from contest.services.skills import codes, judging, result_exports
from contest.services.skills.appeals import find_entry
from contest.services.skills.draws import (
    DrawError,
    check_in,
    desk_count,
    desk_search,
    draw_entry_codes,
    draw_seat_codes,
)
from contest.services.skills.registration import EntrantData, register_entry, withdraw_entry

# ------------------------------------------------------------------ reading what was typed


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("A001", codes.CodeKind.ENTRY, "A001"),
        (" a012 ", codes.CodeKind.ENTRY, "A012"),
        ("Ａ００７", codes.CodeKind.ENTRY, "A007"),  # full-width, as a Chinese IME types it
        ("参赛号 A001", codes.CodeKind.ENTRY, "A001"),
        ("A-07", codes.CodeKind.SEAT, "A-07"),
        ("工位 A-07", codes.CodeKind.SEAT, "A-07"),
        ("工位a-7", codes.CodeKind.SEAT, "A-07"),
        ("赛位号：B-12", codes.CodeKind.SEAT, "B-12"),
        ("A－07", codes.CodeKind.SEAT, "A-07"),  # full-width hyphen
    ],
)
def test_a_typed_code_is_one_kind_in_its_stored_form(
    typed: str, kind: codes.CodeKind, value: str
) -> None:
    assert codes.parse(typed) == codes.TypedCode(kind, value)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("A07", "不完整"),  # seat without its hyphen or entry code short of a digit
        ("张三", "不是编号"),
        ("", "请输入编号"),
        ("A-07-1", "不是编号"),
    ],
)
def test_text_that_is_not_exactly_one_code_is_refused_with_the_reason(
    typed: str, message: str
) -> None:
    with pytest.raises(codes.CodeError, match=message):
        codes.parse(typed)


def test_a_code_of_the_other_kind_is_refused_where_one_kind_is_expected() -> None:
    with pytest.raises(codes.CodeError, match="A007 是参赛号"):
        codes.parse("A007", codes.CodeKind.SEAT)
    with pytest.raises(codes.CodeError, match="工位 A-07"):
        codes.parse("A-07", codes.CodeKind.ENTRY)


def test_codes_sort_by_number_past_two_and_three_digits() -> None:
    seats = ["A-100", "A-09", "A-10", "A-99"]
    assert sorted(seats, key=codes.sort_key) == ["A-09", "A-10", "A-99", "A-100"]
    assert sorted(["A1000", "A999", None], key=codes.sort_key) == ["A999", "A1000", None]


# ------------------------------------------------------------------ one kind per event


@pytest.fixture
def c(make_contest: Any, make_id_number: Any) -> Any:
    """A contest in registration with five fresh entrants (ID sequences 100 … 104)."""
    c = make_contest(status="registration", entries=0, judges=2)
    c.entries = [
        register_entry(
            c.organizer,
            c.contest,
            EntrantData(
                name=name,
                id_number=make_id_number(sequence=f"{100 + n:03d}"),
                organization_id=c.units[n % 2].id,
                event_id=c.event.id,
            ),
        )
        for n, name in enumerate(["王小明", "李华", "张伟", "王芳", "刘洋"])
    ]
    return c


def test_before_the_seat_draw_an_event_shows_entry_codes_after_it_seats_only(
    db: Any, c: Any
) -> None:
    draw_entry_codes(c.organizer, c.event, seed="s1")
    assert codes.kind_of(c.event) is codes.CodeKind.ENTRY
    assert [codes.shown(e) for e in c.entries] == [e.entry_code for e in c.entries]
    for entry in c.entries[:3]:
        check_in(c.organizer, entry)
    draw_seat_codes(c.organizer, c.event, seed="s2")
    db.session.commit()
    assert codes.kind_of(c.event) is codes.CodeKind.SEAT
    shown = [codes.shown(e) for e in c.entries]
    assert all(s.startswith("工位 A-") for s in shown[:3])
    # Not checked in: no seat, and never the 参赛号 in its place (a list of seats stays seats).
    assert shown[3:] == ["—", "—"]
    assert c.entries[3].code is None


def test_an_appeal_code_reaches_exactly_the_entrant_it_names(db: Any, c: Any) -> None:
    draw_entry_codes(c.organizer, c.event, seed="s1")
    for entry in c.entries:
        check_in(c.organizer, entry)
    draw_seat_codes(c.organizer, c.event, seed="s2")
    db.session.commit()
    # Pick an entrant whose seat number differs from its entry number: the two must not meet.
    entry = next(e for e in c.entries if e.entry_code[1:] != "0" + e.seat_code[2:])
    assert find_entry(c.event, f"工位 {entry.seat_code}") is entry
    assert find_entry(c.event, entry.entry_code) is entry
    lookalike = "A0" + entry.seat_code[2:]  # the seat's number written as an entry code
    found = find_entry(c.event, lookalike)
    assert found is None or found.entry_code == lookalike
    with pytest.raises(codes.CodeError):
        find_entry(c.event, entry.seat_code.replace("-", ""))


# ------------------------------------------------------------------ the desk's search


def test_desk_search_finds_by_name_id_tail_and_code(db: Any, c: Any, make_id_number: Any) -> None:
    draw_entry_codes(c.organizer, c.event, seed="s1")
    db.session.commit()
    assert {e.person.name for e in desk_search(c.event, "王")} == {"王小明", "王芳"}
    tail = make_id_number(sequence="102")[-4:]
    assert [e.person.name for e in desk_search(c.event, tail)] == ["张伟"]
    assert [e.person.name for e in desk_search(c.event, tail.lower())] == ["张伟"]
    li = c.entries[1]
    assert desk_search(c.event, li.entry_code.lower()) == [li]
    assert desk_search(c.event, "  ") == desk_search(c.event, "")
    assert len(desk_search(c.event, "")) == 5


def test_desk_search_refuses_more_than_the_id_tail_and_half_codes(
    db: Any, c: Any, make_id_number: Any
) -> None:
    draw_entry_codes(c.organizer, c.event, seed="s1")
    with pytest.raises(DrawError, match="后 4 位"):
        desk_search(c.event, make_id_number(sequence="102"))
    with pytest.raises(DrawError, match="后 4 位"):
        desk_search(c.event, "12")
    with pytest.raises(codes.CodeError, match="不完整"):
        desk_search(c.event, "A01")


def test_desk_count_is_checked_in_over_entrants_still_in(db: Any, c: Any) -> None:
    draw_entry_codes(c.organizer, c.event, seed="s1")
    withdraw_entry(c.organizer, c.entries[4], "本人申请退赛")
    check_in(c.organizer, c.entries[0])
    check_in(c.organizer, c.entries[1])
    db.session.commit()
    count = desk_count(c.event)
    assert (count.checked_in, count.expected) == (2, 4)
    assert c.entries[0].status is EntryStatus.CHECKED_IN


def test_the_score_export_prints_each_code_in_its_own_labelled_form(
    db: Any, make_contest: Any
) -> None:
    c = make_contest(entries=2, judges=1)
    judging.save_sheet(c.judges[0], c.entries[0], {"T1": 80}, submit=False, expected_version=0)
    db.session.commit()
    book = openpyxl.load_workbook(io.BytesIO(result_exports.sheets_workbook(c.contest)))
    header, first = list(book.active.iter_rows(values_only=True))[:2]
    assert header[:2] == ("参赛号", "赛位号")
    assert first[:2] == (c.entries[0].entry_code, f"工位 {c.entries[0].seat_code}")
