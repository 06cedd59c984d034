"""Review pages: permissions (role × route), dashboard content, codes before sign-off, forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from contest.models import (
    Appeal,
    AppealStatus,
    AuditEntry,
    Mark,
    RecheckItem,
    ScoreSheet,
    SheetStatus,
)
from contest.services.skills import recheck
from tests.contest.review_support import put_sheet, score_all

GET_ROUTES = [
    "/review/events/{e}",
    "/review/events/{e}/panel",
    "/review/events/{e}/entries/{entry}",
    "/review/events/{e}/recheck",
    "/review/events/{e}/appeals",
    "/review/events/{e}/sign-off",
]
POST_ROUTES = [
    "/review/events/{e}/reopen",
    "/review/events/{e}/correct",
    "/review/events/{e}/recheck/build",
    "/review/events/{e}/remark",
    "/review/events/{e}/appeals",
    "/review/events/{e}/sign-off",
]


def _urls(c: Any, routes: list[str]) -> list[str]:
    return [r.format(e=c.event.id, entry=c.entries[0].id) for r in routes]


@pytest.fixture
def contest_in_review(db: Any, make_contest: Any) -> Any:
    c = make_contest(status="review", entries=4, judges=3)
    score_all(db, c)
    return c


def test_public_is_sent_to_login(contest_in_review: Any, client_for: Any) -> None:
    client = client_for(None)
    for url in [*_urls(contest_in_review, GET_ROUTES), "/review/"]:
        response = client.get(url)
        assert response.status_code in (302, 401), url
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]


def test_plain_judge_and_other_union_get_403(
    contest_in_review: Any, client_for: Any, make_user: Any, make_contest: Any
) -> None:
    c = contest_in_review
    other = make_contest(status="review", entries=1, judges=1)  # another union's organizer
    for user in (c.judges[1], other.organizer, other.chief):
        client = client_for(user)
        for url in _urls(c, GET_ROUTES):
            assert client.get(url).status_code == 403, (user.username, url)
        for url in _urls(c, POST_ROUTES):
            assert client.post(url, data={}).status_code == 403, (user.username, url)
    assert db_untouched(c)


def db_untouched(c: Any) -> bool:
    from contest.extensions import db

    return (
        db.session.scalar(select(RecheckItem.id)) is None
        and db.session.scalar(select(Appeal.id)) is None
        and set(db.session.scalars(select(ScoreSheet.status))) == {SheetStatus.SUBMITTED}
    )


@pytest.mark.parametrize("who", ["chief", "organizer", "admin"])
def test_reviewers_see_every_page(
    contest_in_review: Any, client_for: Any, make_user: Any, who: str
) -> None:
    c = contest_in_review
    user = make_user("admin") if who == "admin" else getattr(c, who)
    client = client_for(user)
    for url in _urls(c, GET_ROUTES):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<script>" not in response.get_data(as_text=True)  # CSP: no inline scripts
    index = client.get("/review/").get_data(as_text=True)
    assert c.event.label in index


def test_rows_of_another_event_are_not_found(
    db: Any, contest_in_review: Any, make_contest: Any, client_for: Any
) -> None:
    """An entry, re-check item or appeal id is looked up within the event in the URL: the
    other event's rows (here one the same organizer manages) answer 404 and nothing changes."""
    c = contest_in_review
    other = make_contest(status="review", entries=1, judges=1, host=c.host)
    score_all(db, other)
    item = recheck.build_recheck(other.chief, other.event, seed=1)[0]
    appeal = Appeal(
        event_id=other.event.id,
        entry_id=other.entries[0].id,
        received_at=datetime.now(UTC),
        appellant="张三",
        content="复核请求",
        status=AppealStatus.PENDING,
    )
    db.session.add(appeal)
    db.session.commit()
    client = client_for(c.organizer)
    e = c.event.id
    assert client.get(f"/review/events/{e}/entries/{other.entries[0].id}").status_code == 404
    assert client.get(f"/review/events/{e}/entries/999999").status_code == 404
    posts = [
        (f"/review/events/{e}/recheck/{item.id}", {"errors_found": "0"}),
        (f"/review/events/{e}/reopen", {"entry_id": str(other.entries[0].id), "reason": "x"}),
        (f"/review/events/{e}/correct", {"entry_id": "A-01", "reason": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 404, url
    db.session.expire_all()
    assert item.checked_at is None and appeal.status is AppealStatus.PENDING


def test_dashboard_shows_progress_flags_and_chart(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest(status="judging", entries=3, judges=3)
    for j, judge in enumerate(c.judges):
        put_sheet(db, c, judge, c.entries[0], {"T1": 60 + 5 * j, "P2": [0, 2, 3][j]})
    put_sheet(db, c, c.judges[0], c.entries[1], {"T1": 50}, SheetStatus.DRAFT)
    db.session.commit()
    page = client_for(c.chief).get(f"/review/events/{c.event.id}").get_data(as_text=True)
    assert "3 / 9" in page  # sheets done / total
    assert 'http-equiv="refresh" content="30"' in page
    assert 'data-chart="leniency-chart"' in page and "plotly-basic.min.js" in page
    assert "表面质量" in page  # the flagged judgement aspect
    assert "A-02" in page and "A-03" in page  # entries missing sheets
    assert c.judges[1].name in page
    assert "选手" + "1-" not in page  # no names before sign-off


def test_panel_codes_only_until_sign_off(db: Any, contest_in_review: Any, client_for: Any) -> None:
    c = contest_in_review
    name = c.entries[0].person.name
    client = client_for(c.chief)
    page = client.get(f"/review/events/{c.event.id}/panel").get_data(as_text=True)
    assert "A-01" in page and name not in page
    assert c.entries[0].organization.name not in page
    entry_page = client.get(f"/review/events/{c.event.id}/entries/{c.entries[0].id}")
    assert name not in entry_page.get_data(as_text=True)
    items = recheck.build_recheck(c.chief, c.event, seed=3)
    for item in items:
        recheck.record_check(c.chief, item, errors_found=0)
    db.session.commit()
    response = client.post(f"/review/events/{c.event.id}/sign-off", data={"confirmed": "1"})
    assert response.status_code == 302
    page = client.get(f"/review/events/{c.event.id}/panel").get_data(as_text=True)
    assert name in page and c.entries[0].organization.name in page
    assert set(db.session.scalars(select(ScoreSheet.status))) == {SheetStatus.LOCKED}


def test_panel_flags_spread_and_filters(db: Any, make_contest: Any, client_for: Any) -> None:
    c = make_contest(status="review", entries=2, judges=2)
    put_sheet(db, c, c.judges[0], c.entries[0], {"P2": 0})
    put_sheet(db, c, c.judges[1], c.entries[0], {"P2": 3})
    put_sheet(db, c, c.judges[0], c.entries[1], {"P2": 2})
    db.session.commit()
    client = client_for(c.organizer)
    page = client.get(f"/review/events/{c.event.id}/panel?flagged=1").get_data(as_text=True)
    assert "cell-flagged" in page and "A-01" in page and "A-02" not in page


def test_reopen_from_panel_needs_reason(db: Any, contest_in_review: Any, client_for: Any) -> None:
    c = contest_in_review
    client = client_for(c.chief)
    url = f"/review/events/{c.event.id}/reopen"
    data = {"entry_id": c.entries[0].id, "judge_id": c.judges[1].id, "reason": ""}
    client.post(url, data=data)
    sheet = db.session.scalar(
        select(ScoreSheet).where(
            ScoreSheet.entry_id == c.entries[0].id, ScoreSheet.user_id == c.judges[1].id
        )
    )
    db.session.refresh(sheet)
    assert sheet.status is SheetStatus.SUBMITTED
    response = client.post(url, data={**data, "reason": "P1 录入错误"})
    assert response.status_code == 302
    db.session.refresh(sheet)
    assert sheet.status is SheetStatus.DRAFT


def test_recheck_build_record_and_correct(db: Any, contest_in_review: Any, client_for: Any) -> None:
    c = contest_in_review
    client = client_for(c.chief)
    assert client.post(f"/review/events/{c.event.id}/recheck/build").status_code == 302
    items = list(db.session.scalars(select(RecheckItem)))
    assert len(items) == 4  # all four are "top" with top 10
    page = client.get(f"/review/events/{c.event.id}/recheck").get_data(as_text=True)
    assert "随机种子" in page
    # a correction through judging.correct_mark, then the record
    entry, judge = c.entries[0], c.judges[2]
    response = client.post(
        f"/review/events/{c.event.id}/correct",
        data={
            "entry_id": entry.id,
            "judge_id": judge.id,
            "aspect_key": "P1",
            "value": "37.5",
            "reason": "复核:测量值抄错",
        },
    )
    assert response.status_code == 302
    value = db.session.scalar(
        select(Mark.value)
        .join(ScoreSheet, ScoreSheet.id == Mark.sheet_id)
        .where(ScoreSheet.entry_id == entry.id, ScoreSheet.user_id == judge.id)
        .where(Mark.aspect_id == c.aspects["P1"].id)
    )
    assert float(value) == 37.5
    # an out-of-range correction changes nothing and says why
    response = client.post(
        f"/review/events/{c.event.id}/correct",
        data={
            "entry_id": entry.id,
            "judge_id": judge.id,
            "aspect_key": "P1",
            "value": "99",
            "reason": "x",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert (
        float(db.session.scalar(select(Mark.value).where(Mark.id == _mark_id(db, entry, judge, c))))
        == 37.5
    )
    item = next(i for i in items if i.entry_id == entry.id)
    response = client.post(
        f"/review/events/{c.event.id}/recheck/{item.id}",
        data={"errors_found": "5", "note": ""},
        follow_redirects=True,
    )
    assert "0 到 3" in response.get_data(as_text=True)
    client.post(
        f"/review/events/{c.event.id}/recheck/{item.id}",
        data={"errors_found": "1", "note": "评委3 P1 抄错,已更正"},
    )
    db.session.expire_all()
    assert db.session.get(RecheckItem, item.id).errors_found == 1
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"recheck.build", "mark.correct", "recheck.record"} <= actions


def _mark_id(db: Any, entry: Any, judge: Any, c: Any) -> int:
    return db.session.scalar(
        select(Mark.id)
        .join(ScoreSheet, ScoreSheet.id == Mark.sheet_id)
        .where(ScoreSheet.entry_id == entry.id, ScoreSheet.user_id == judge.id)
        .where(Mark.aspect_id == c.aspects["P1"].id)
    )


def test_remark_alarm_shown_and_only_organizer_may_reopen_all(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest(status="review", entries=2, judges=2)
    score_all(db, c)
    items = recheck.build_recheck(c.chief, c.event, seed=1)
    recheck.record_check(c.chief, items[0], errors_found=1, note="错")
    recheck.record_check(c.chief, items[1], errors_found=0)
    db.session.commit()
    chief = client_for(c.chief)
    page = chief.get(f"/review/events/{c.event.id}/recheck").get_data(as_text=True)
    assert "全部重新评分" in page and "review-alarm" in page
    assert (
        chief.post(f"/review/events/{c.event.id}/remark", data={"reason": "超标"}).status_code
        == 403
    )
    sign = chief.get(f"/review/events/{c.event.id}/sign-off").get_data(as_text=True)
    assert "全部重新评分" in sign and "签字确认并锁定" not in sign
    organizer = client_for(c.organizer)
    organizer.post(f"/review/events/{c.event.id}/remark", data={"reason": "差错率 25%"})
    db.session.expire_all()
    assert set(db.session.scalars(select(ScoreSheet.status))) == {SheetStatus.DRAFT}


def test_appeal_form_inside_and_outside_window(db: Any, make_contest: Any, client_for: Any) -> None:
    c = make_contest(status="review", entries=2, judges=1)
    c.event.ended_at = datetime.now(UTC) - timedelta(hours=3)
    db.session.commit()
    client = client_for(c.organizer)
    data = {"entry_code": "A001", "appellant": "江州机床厂领队", "content": "理论成绩有误"}
    late = client.post(f"/review/events/{c.event.id}/appeals", data=data)
    assert late.status_code == 422
    assert "申诉已超过期限" in late.get_data(as_text=True)
    assert db.session.scalar(select(Appeal.id)) is None
    # received (in Beijing time) 30 minutes after the end: inside the window
    received = (c.event.ended_at + timedelta(hours=8, minutes=30)).strftime("%Y-%m-%dT%H:%M")
    ok = client.post(f"/review/events/{c.event.id}/appeals", data={**data, "received_at": received})
    assert ok.status_code == 302
    appeal = db.session.scalar(select(Appeal))
    assert appeal is not None and appeal.status is AppealStatus.PENDING
    # the organizer records, but does not decide: that is the arbitration panel's
    page = client.get(f"/review/events/{c.event.id}/appeals").get_data(as_text=True)
    assert "待仲裁组裁决" in page and "尚未组建仲裁组" in page
    assert f"/arbitration/appeals/{appeal.id}" not in page


def test_sign_off_page_lists_blockers_and_only_chief_signs(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest(status="review", entries=2, judges=2)
    put_sheet(db, c, c.judges[0], c.entries[0], {"T1": 50})
    db.session.commit()
    organizer = client_for(c.organizer)
    page = organizer.get(f"/review/events/{c.event.id}/sign-off").get_data(as_text=True)
    assert "只有本赛项的裁判长可以签字确认" in page
    assert "3 份评分表未提交" in page and "复核名单尚未生成" in page
    signed = {"confirmed": "1"}
    assert organizer.post(f"/review/events/{c.event.id}/sign-off", data=signed).status_code == 403
    chief = client_for(c.chief)
    chief.post(f"/review/events/{c.event.id}/sign-off", data=signed)
    db.session.refresh(c.event)
    assert c.event.signed_off_at is None


def test_chief_home_section(db: Any, contest_in_review: Any, client_for: Any) -> None:
    c = contest_in_review
    home = client_for(c.chief).get("/home").get_data(as_text=True)
    assert "裁判长" in home and f"/review/events/{c.event.id}" in home
    plain = client_for(c.judges[1]).get("/home").get_data(as_text=True)
    assert f'/review/events/{c.event.id}"' not in plain
