"""Times people read are China time (BABEL_DEFAULT_TIMEZONE) everywhere: pages, exports and
certificates show the same value for a stored UTC time; contest years follow their dates.
That the demo's contest times lie within their dates read in China time is checked on the one
load of the demo's contests, in tests/contest/test_demo_contests.py."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select, update

from contest.models import Contest, Entry, HonorLevel, OrgKind, ScoreSheet
from contest.models.base import local_text
from contest.services.skills import appeals, contests, result_exports
from contest.services.skills.certificates import _chinese_date
from contest.services.skills.contests import ContestData, ContestError
from contest.services.skills.review import ReviewError
from tests.contest.review_support import score_all

LATE_EVENING = datetime(2026, 10, 20, 15, 30, tzinfo=UTC)  # 23:30 in China
PAST_MIDNIGHT = datetime(2026, 10, 20, 16, 5, tzinfo=UTC)  # 00:05 on the 21st in China


@pytest.mark.parametrize("stored", [LATE_EVENING, LATE_EVENING.replace(tzinfo=None)])
def test_a_stored_time_reads_as_china_time_aware_or_naive(stored: datetime) -> None:
    assert local_text(stored) == "2026-10-20 23:30"
    assert local_text(stored, seconds=True) == "2026-10-20 23:30:00"


def test_just_after_midnight_in_china_is_the_next_day_in_text_and_on_certificates() -> None:
    assert local_text(PAST_MIDNIGHT) == "2026-10-21 00:05"
    assert _chinese_date(PAST_MIDNIGHT) == "2026年10月21日"
    assert _chinese_date(PAST_MIDNIGHT.replace(tzinfo=None)) == "2026年10月21日"
    assert _chinese_date(LATE_EVENING) == "2026年10月20日"
    assert _chinese_date(date(2026, 10, 20)) == "2026年10月20日"


def test_the_page_and_the_score_export_show_the_same_china_time(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest(status="review", entries=2, judges=1)
    score_all(db, c)
    c.event.ended_at = LATE_EVENING
    db.session.execute(update(ScoreSheet).values(submitted_at=PAST_MIDNIGHT))
    db.session.commit()
    db.session.expire_all()  # read back as the engine returns it (naive on SQLite)

    page = client_for(c.organizer).get(f"/review/events/{c.event.id}/appeals")
    text = page.get_data(as_text=True)
    assert "2026-10-20 23:30" in text  # the end
    assert "2026-10-21 01:30" in text  # the deadline, 2 hours later

    book = openpyxl.load_workbook(io.BytesIO(result_exports.sheets_workbook(c.contest)))
    cells = {cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row}
    assert "2026-10-21 00:05:00" in cells


def test_the_appeal_window_is_counted_from_the_stored_end(
    db: Any, make_contest: Any, app: Any
) -> None:
    c = make_contest(status="review", entries=2, judges=1)
    ended = datetime.now(UTC) - timedelta(hours=3)
    c.event.ended_at = ended
    db.session.commit()
    db.session.expire_all()
    code = db.session.scalar(select(Entry.entry_code).where(Entry.event_id == c.event.id))
    appeal = appeals.record_appeal(
        c.organizer,
        c.event,
        entry_code=code or "",
        appellant="选手本人",
        content="理论成绩有误",
        received_at=ended + timedelta(minutes=119),
    )
    assert appeal.id is not None
    with pytest.raises(ReviewError, match="超过期限"):
        appeals.record_appeal(
            c.organizer,
            c.event,
            entry_code=code or "",
            appellant="选手本人",
            content="理论成绩有误",
            received_at=ended + timedelta(minutes=121),
        )


def _data(org: Any, **fields: Any) -> ContestData:
    values: dict[str, Any] = {
        "name": "江州市焊工技能大赛",
        "level": HonorLevel.CITY,
        "year": None,
        "organization": org,
        "starts_on": date(2027, 1, 5),
        "ends_on": date(2027, 1, 6),
    }
    values.update(fields)
    return ContestData(**values)


def test_a_blank_year_follows_the_start_date(db: Any, make_org: Any, make_user: Any) -> None:
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    organizer = make_user("organizer", organization=host)
    contest = contests.create_contest(organizer, _data(host))
    assert contest.year == 2027
    contests.update_contest(
        organizer, contest, _data(host, starts_on=date(2028, 3, 1), ends_on=None)
    )
    assert contest.year == 2028


def test_a_year_that_disagrees_with_the_dates_needs_confirming(
    db: Any, make_org: Any, make_user: Any
) -> None:
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    organizer = make_user("organizer", organization=host)
    with pytest.raises(ContestError) as refused:
        contests.create_contest(organizer, _data(host, year=2026))
    assert refused.value.field == "year" and "2026" in str(refused.value)
    contest = contests.create_contest(organizer, _data(host, year=2026, year_confirmed=True))
    assert contest.year == 2026  # 2026 年度, held in January 2027: on purpose


def test_the_contest_form_leaves_the_year_blank_and_derives_it(
    db: Any, make_org: Any, make_user: Any, client_for: Any
) -> None:
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    client = client_for(make_user("organizer", organization=host))
    form = {
        "name": "江州市焊工技能大赛",
        "level": "city",
        "organization_id": str(host.id),
        "starts_on": "2027-01-05",
        "appeal_window_hours": "2",
    }
    refused = client.post("/contests/new", data={**form, "year": "2026"})
    assert refused.status_code == 200 and "不一致" in refused.get_data(as_text=True)
    assert client.post("/contests/new", data=form).status_code == 302
    assert db.session.scalar(select(Contest.year)) == 2027
