"""The arbitration panel (仲裁组, DOMAIN §1.8, #16 item 10): the contest's arbitrators decide
appeals; the chief judge, the organizer and anyone on the event's judging panel cannot."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from contest.models import (
    Appeal,
    AppealStatus,
    Arbitrator,
    AuditEntry,
    Event,
    PanelMember,
    RecheckItem,
)
from contest.models.base import utcnow
from contest.services.skills import access, appeals, arbitration, review
from tests.contest.review_support import arbitrator, score_all


def _appeal(db: Any, c: Any) -> Appeal:
    c.event.ended_at = utcnow() - timedelta(minutes=30)
    appeal = appeals.record_appeal(
        c.chief, c.event, entry_code="A001", appellant="领队", content="实操分漏计"
    )
    db.session.commit()
    return appeal


def _actions(db: Any, action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _after(entry: AuditEntry) -> Any:
    return json.loads(entry.after or "null")


# ---------------------------------------------------------------- the service


def test_organizer_names_judges_to_the_panel(db: Any, make_contest: Any, make_user: Any) -> None:
    c = make_contest(status="review", entries=1, judges=2)
    expert = make_user("judge", organization=c.judge_unit)
    assert expert in arbitration.candidates(c.contest)
    arbitration.add_arbitrator(c.organizer, c.contest, expert)
    assert [a.user for a in arbitration.arbitrators_of(c.contest)] == [expert]
    assert expert not in arbitration.candidates(c.contest)
    assert _after(_actions(db, "arbitration.add")[0]) == {"user_id": expert.id}
    with pytest.raises(review.ReviewError, match="已在仲裁组"):
        arbitration.add_arbitrator(c.organizer, c.contest, expert)
    with pytest.raises(review.ReviewError, match="评委账号"):
        arbitration.add_arbitrator(c.organizer, c.contest, c.organizer)
    with pytest.raises(review.NotPermitted):
        arbitration.add_arbitrator(c.chief, c.contest, c.judges[1])
    with pytest.raises(review.NotPermitted):
        arbitration.remove_arbitrator(c.chief, c.contest, expert)
    arbitration.remove_arbitrator(c.organizer, c.contest, expert)
    assert arbitration.arbitrators_of(c.contest) == []
    assert json.loads(_actions(db, "arbitration.remove")[0].before) == {"user_id": expert.id}
    with pytest.raises(review.ReviewError, match="不在仲裁组"):
        arbitration.remove_arbitrator(c.organizer, c.contest, expert)


def test_only_an_arbitrator_off_the_events_panel_decides(
    db: Any, make_contest: Any, make_user: Any
) -> None:
    c = make_contest(status="review", entries=1, judges=2)
    appeal = _appeal(db, c)
    # the chief judge (whose panel's marks are appealed) and the organizer may not decide
    for who in (c.chief, c.organizer, c.judges[1]):
        with pytest.raises(review.NotPermitted, match="不是仲裁组成员"):
            appeals.decide_appeal(who, appeal, upheld=True, reason="改判")
    # a judge of this event named to the arbitration panel must still stand aside
    arbitration.add_arbitrator(c.organizer, c.contest, c.judges[1])
    arbitration.add_arbitrator(c.organizer, c.contest, c.chief)
    db.session.commit()
    with pytest.raises(review.NotPermitted, match="评委，须回避"):
        appeals.decide_appeal(c.judges[1], appeal, upheld=True, reason="改判")
    with pytest.raises(review.NotPermitted, match="裁判长，须回避"):
        appeals.decide_appeal(c.chief, appeal, upheld=True, reason="改判")
    db.session.rollback()
    assert db.session.get(Appeal, appeal.id).status is AppealStatus.PENDING
    assert _actions(db, "appeal.decide") == []
    # ... but may decide another event's appeals, where they do not judge
    other = Event(contest=c.contest, code="B", occupation="钳工", policy={})
    db.session.add(other)
    db.session.flush()
    assert arbitration.refusal(c.judges[1], other) is None
    assert "须回避" in (arbitration.refusal(c.judges[1], c.event) or "")
    # an arbitrator on no panel decides; the trail names them and the event
    arbiter = arbitrator(db, c, make_user)
    appeals.decide_appeal(arbiter, appeal, upheld=True, reason="仲裁组复核：漏计 2 分")
    db.session.commit()
    assert appeal.status is AppealStatus.UPHELD and appeal.decided_by_id == arbiter.id
    (entry,) = _actions(db, "appeal.decide")
    assert entry.actor_id == arbiter.id and entry.reason == "仲裁组复核：漏计 2 分"
    assert _after(entry)["event"] == c.event.id


def test_joining_the_events_panel_later_takes_the_decision_away(
    db: Any, make_contest: Any, make_user: Any
) -> None:
    """The rule is read when deciding, not when naming: a panel change counts at once."""
    c = make_contest(status="review", entries=1, judges=1)
    appeal = _appeal(db, c)
    arbiter = arbitrator(db, c, make_user)
    db.session.add(PanelMember(event_id=c.event.id, user_id=arbiter.id))
    db.session.flush()
    with pytest.raises(review.NotPermitted, match="须回避"):
        appeals.decide_appeal(arbiter, appeal, upheld=False, reason="维持")


def test_docket_groups_appeals_and_says_why_to_stand_aside(
    db: Any, make_contest: Any, make_user: Any
) -> None:
    c = make_contest(status="review", entries=2, judges=2)
    appeal = _appeal(db, c)
    arbiter = arbitrator(db, c, make_user)
    arbitration.add_arbitrator(c.organizer, c.contest, c.judges[1])
    (mine,) = arbitration.docket(arbiter)
    assert mine.contest == c.contest and mine.pending == 1
    assert mine.events[0].appeals == [appeal] and mine.events[0].refusal is None
    (theirs,) = arbitration.docket(c.judges[1])
    assert theirs.pending == 0 and "须回避" in (theirs.events[0].refusal or "")
    assert arbitration.arbitrates_any(arbiter) and not arbitration.arbitrates_any(c.chief)
    assert arbitration.docket(c.chief) == []


# ---------------------------------------------------------------- the pages


def test_organizer_builds_the_panel(
    db: Any, make_contest: Any, make_user: Any, client_for: Any
) -> None:
    c = make_contest(status="review", entries=1, judges=2)
    expert = make_user("judge", organization=c.judge_unit)
    client = client_for(c.organizer)
    url = f"/contests/{c.contest.id}/arbitration"
    contest_page = client.get(f"/contests/{c.contest.id}").get_data(as_text=True)
    assert "尚未组建" in contest_page and url in contest_page
    assert "尚未组建仲裁组" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"arb-user_id": str(expert.id)}).status_code == 302
    assert client.post(url, data={"arb-user_id": str(c.judges[1].id)}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert expert.name in page and f"{c.event.label}（评委）" in page
    assert client.post(url, data={"arb-user_id": "abc"}).status_code == 302
    ids = set(db.session.scalars(select(Arbitrator.user_id)))
    assert ids == {expert.id, c.judges[1].id}
    assert expert.name in client.get(f"/contests/{c.contest.id}").get_data(as_text=True)
    client.post(f"{url}/{c.judges[1].id}/remove")
    db.session.expire_all()
    assert set(db.session.scalars(select(Arbitrator.user_id))) == {expert.id}
    # a judge cannot manage the panel
    assert client_for(c.chief).get(url).status_code == 403


def test_arbitrator_decides_from_their_page(
    db: Any, make_contest: Any, make_user: Any, client_for: Any
) -> None:
    c = make_contest(status="review", entries=1, judges=2)
    appeal = _appeal(db, c)
    arbiter = arbitrator(db, c, make_user)
    db.session.commit()
    client = client_for(arbiter)
    home = client.get("/home").get_data(as_text=True)
    assert "/review/arbitration" in home and "待裁决 1 件" in home
    page = client.get("/review/arbitration").get_data(as_text=True)
    assert "实操分漏计" in page and f"/review/arbitration/appeals/{appeal.id}" in page
    url = f"/review/arbitration/appeals/{appeal.id}"
    # the chief judge (and anyone else) is refused the decision, even posting by hand
    chief = client_for(c.chief)
    assert chief.post(url, data={"decision": "upheld", "reason": "x"}).status_code == 403
    assert client_for(c.chief).get("/review/arbitration").status_code == 403
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status is AppealStatus.PENDING
    # the reason is required
    client.post(url, data={"decision": "upheld", "reason": ""})
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status is AppealStatus.PENDING
    response = client.post(url, data={"decision": "upheld", "reason": "漏计 2 分"})
    assert response.status_code == 302 and "/review/arbitration" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status is AppealStatus.UPHELD
    # the chief judge sees the decision and the way to correct the marks
    chief_page = client_for(c.chief).get(f"/review/events/{c.event.id}/appeals")
    text = chief_page.get_data(as_text=True)
    assert "漏计 2 分" in text and "在评分页更正分数" in text and arbiter.name in text


def test_chief_posting_to_the_arbitration_route_gets_403(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest(status="review", entries=1, judges=1)
    appeal = _appeal(db, c)
    url = f"/review/arbitration/appeals/{appeal.id}"
    response = client_for(c.chief).post(url, data={"decision": "upheld", "reason": "改判"})
    assert response.status_code == 403
    assert client_for(c.chief).post("/review/arbitration/appeals/999999").status_code == 404


# ---------------------------------------------------------------- reading the appealed marks


def test_arbitrator_reads_the_appealed_entrys_marks(
    db: Any, make_contest: Any, make_user: Any
) -> None:
    """The sheets under appeal — each judge's mark per aspect, states, the provisional total
    and the re-check result — for an arbitrator off the event's panel, read-only."""
    c = make_contest(status="review", entries=3, judges=2)
    score_all(db, c)
    appeal = _appeal(db, c)
    item = RecheckItem(event_id=c.event.id, entry_id=appeal.entry_id, reason="top")
    item.checked_at, item.errors_found = utcnow(), 1
    db.session.add(item)
    arbiter = arbitrator(db, c, make_user)
    db.session.commit()
    marks = arbitration.appealed_marks(arbiter, appeal.entry)
    assert marks.row is not None and marks.row.entry.id == appeal.entry_id
    assert marks.row.marks[("T1", c.judges[1].id)] == Decimal("90.5")
    assert set(marks.row.statuses) == {j.id for j in c.judges}
    assert marks.total is not None and Decimal(marks.total) > 0
    assert marks.recheck is not None and marks.recheck.errors_found == 1


def _appealed_with_arbitrators(db: Any, make_contest: Any, make_user: Any) -> tuple[Any, ...]:
    """A scored event with an appeal on A001; an arbitrator off its panel, its judge 2 also on
    the arbitration panel, and an arbitrator of another contest."""
    c = make_contest(status="review", entries=3, judges=2)
    score_all(db, c)
    appeal = _appeal(db, c)
    arbiter = arbitrator(db, c, make_user)
    arbitration.add_arbitrator(c.organizer, c.contest, c.judges[1])
    other = make_contest(status="review", entries=1, judges=1)
    outsider = arbitrator(db, other, make_user)
    db.session.commit()
    return c, appeal, arbiter, outsider


def test_only_an_arbitrator_off_the_panel_reads_an_appealed_entry(
    db: Any, make_contest: Any, make_user: Any
) -> None:
    c, appeal, arbiter, outsider = _appealed_with_arbitrators(db, make_contest, make_user)
    assert access.can_read_appealed_marks(arbiter, appeal.entry)
    unappealed = next(e for e in c.entries if e.id != appeal.entry_id)
    refused = [
        (c.judges[1], appeal.entry),  # an arbitrator on the event's judging panel
        (outsider, appeal.entry),  # an arbitrator of another contest
        (arbiter, unappealed),  # an entry nobody appealed
        (c.organizer, appeal.entry),
        (c.chief, appeal.entry),
    ]
    for user, entry in refused:
        assert not access.can_read_appealed_marks(user, entry)
        with pytest.raises(review.NotPermitted):
            arbitration.appealed_marks(user, entry)


def test_the_arbitration_page_links_each_appeal_to_its_marks(
    db: Any, make_contest: Any, make_user: Any, client_for: Any
) -> None:
    c, appeal, arbiter, outsider = _appealed_with_arbitrators(db, make_contest, make_user)
    url = f"/review/arbitration/entries/{appeal.entry_id}"
    client = client_for(arbiter)
    assert url in client.get("/review/arbitration").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "选手 工位 A-01 的评分表" in page and "90.5" in page and "实操分漏计" in page
    assert c.judges[1].name in page
    assert appeal.entry.entrant_name not in page  # by code until sign-off
    assert 'action="' not in page.split("<main", 1)[1]  # read-only: no form in the page body
    # the judge-arbitrator gets no link and no page; the others are refused too
    assert url not in client_for(c.judges[1]).get("/review/arbitration").get_data(as_text=True)
    for user in (c.judges[1], outsider, c.organizer):
        assert client_for(user).get(url).status_code == 403
    unappealed = next(e for e in c.entries if e.id != appeal.entry_id)
    assert client.get(f"/review/arbitration/entries/{unappealed.id}").status_code == 403
    assert client.get("/review/arbitration/entries/999999").status_code == 404
    # after sign-off the page names the entrant, as the chief judge's entry page does
    c.event.signed_off_at = utcnow()
    db.session.commit()
    assert appeal.entry.entrant_name in client.get(url).get_data(as_text=True)
