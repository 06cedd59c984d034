"""The two-yearly review (动态管理复核, issue #14 item 4): rounds over the living files of a
union's subtree, outcomes by the unions in scope, closing, and the review pages."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select

from contest.models import (
    AuditEntry,
    Honor,
    HonoreeFile,
    HonorLevel,
    LifeStatus,
    OrgKind,
    ReviewOutcome,
    ReviewRound,
    ReviewStatus,
    ReviewVerdict,
    Role,
)
from contest.services.care import reviews
from contest.services.care.reviews import ReviewError
from contest.services.honors import records
from contest.services.honors.records import HonorData
from contest.services.honors.validity import today


@pytest.fixture
def tree(db: Any, make_org: Any, make_user: Any, make_person: Any) -> SimpleNamespace:
    """江州市总工会 → 东区总工会 → 东区机床厂工会, and 西区总工会 → 西区电厂工会; files of a
    living and a deceased honoree in the east factory, a retired one cared for by the east
    district itself, and one in the west."""
    city = make_org(name="江州市总工会", kind=OrgKind.CITY)
    east = make_org(name="东区总工会", kind=OrgKind.DISTRICT, parent=city)
    factory = make_org(name="东区机床厂工会", kind=OrgKind.GRASSROOTS, parent=east)
    west = make_org(name="西区总工会", kind=OrgKind.DISTRICT, parent=city)
    plant = make_org(name="西区电厂工会", kind=OrgKind.GRASSROOTS, parent=west)

    def file(name: str, org: Any, status: LifeStatus = LifeStatus.IN_SERVICE) -> HonoreeFile:
        person = make_person(name, organization=org)
        data = HonorData(
            name,
            "江州市劳动模范",
            HonorLevel.CITY,
            2020,
            person=person,
            conferring_body="江州市人民政府",
            document_number="江政发〔2020〕8号",
        )
        records.add_honor(None, data)
        row = HonoreeFile(person_id=person.id, care_organization_id=org.id, status=status)
        db.session.add(row)
        db.session.commit()
        return row

    return SimpleNamespace(
        city=city,
        east=east,
        west=west,
        living=file("王秀英", factory),
        deceased=file("李老根", factory, LifeStatus.DECEASED),
        retired=file("赵志强", east, LifeStatus.RETIRED),
        western=file("陈桂兰", plant),
        east_care=make_user(Role.CARE, username="east_care", organization=east),
        west_care=make_user(Role.CARE, username="west_care", organization=west),
        city_care=make_user(Role.CARE, username="city_care", organization=city),
    )


def _count(db: Any, model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _start(db: Any, actor: Any, org: Any, year: int | None = None) -> reviews.Started:
    started = reviews.start_round(actor, org, year or today().year, "东区劳模动态管理复核", None)
    db.session.commit()
    return started


def _finish(db: Any, actor: Any, round_: ReviewRound) -> None:
    for outcome in round_.outcomes:
        reviews.record_outcome(actor, outcome, ReviewVerdict.OK, "")
    reviews.close_round(actor, round_)
    db.session.commit()


def test_a_round_covers_the_living_files_of_the_subtree_only(db: Any, tree: Any) -> None:
    started = _start(db, tree.east_care, tree.east)
    files = {o.file_id for o in started.round.outcomes}
    assert files == {tree.living.id, tree.retired.id}  # not the deceased, not the west
    assert all(o.verdict is None for o in started.round.outcomes)
    assert started.timing == "东区总工会此前没有复核记录。" and not started.early
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "care.review.create"))
    assert json.loads(entry.one().after)["files"] == 2


def test_a_union_out_of_scope_or_with_an_open_round_is_refused(db: Any, tree: Any) -> None:
    with pytest.raises(ReviewError):
        reviews.start_round(tree.west_care, tree.east, today().year, "复核", None)
    _start(db, tree.east_care, tree.east)
    with pytest.raises(ReviewError, match="未结束的复核"):
        reviews.start_round(tree.city_care, tree.east, today().year, "再来一次", None)
    db.session.rollback()
    assert _count(db, ReviewRound) == 1 and _count(db, ReviewOutcome) == 2


def test_a_round_before_the_interval_is_a_warning_not_a_refusal(db: Any, tree: Any) -> None:
    year = today().year - 3
    first = _start(db, tree.east_care, tree.east, year)
    _finish(db, tree.east_care, first.round)
    early = _start(db, tree.east_care, tree.east, year + 1)
    assert early.early
    assert f"上次复核是 {year} 年" in early.timing and "不满 2 年" in early.timing
    _finish(db, tree.east_care, early.round)
    due = _start(db, tree.east_care, tree.east, year + 3)
    assert not due.early and "已满 2 年" in due.timing


def test_an_outcome_needs_a_note_when_it_is_not_ok_and_a_user_in_scope(db: Any, tree: Any) -> None:
    round_ = _start(db, tree.city_care, tree.city).round
    outcome = next(o for o in round_.outcomes if o.file_id == tree.living.id)
    with pytest.raises(ReviewError, match="您不负责"):
        reviews.record_outcome(tree.west_care, outcome, ReviewVerdict.OK, "")
    with pytest.raises(ReviewError, match="请填写说明") as refused:
        reviews.record_outcome(tree.east_care, outcome, ReviewVerdict.REVOKE, "  ")
    assert refused.value.field == "note"
    with pytest.raises(ReviewError, match="最长 1000"):
        reviews.record_outcome(tree.east_care, outcome, "attention", "很" * 1001)
    with pytest.raises(ReviewError, match="请选择"):
        reviews.record_outcome(tree.east_care, outcome, "excellent", "")
    db.session.rollback()
    db.session.refresh(outcome)
    assert outcome.verdict is None and outcome.note is None
    reviews.record_outcome(tree.east_care, outcome, ReviewVerdict.ATTENTION, "因病长期休养")
    db.session.commit()
    assert outcome.verdict is ReviewVerdict.ATTENTION and outcome.decided_by_id == tree.east_care.id
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "care.review.outcome")
    ).one()
    assert "因病" not in entry.after and json.loads(entry.after)["verdict"] == "attention"


def test_closing_is_refused_while_outcomes_are_pending(db: Any, tree: Any) -> None:
    round_ = _start(db, tree.east_care, tree.east).round
    first, second = round_.outcomes
    reviews.record_outcome(tree.east_care, first, ReviewVerdict.OK, "")
    with pytest.raises(ReviewError, match="还有 1 份档案未登记"):
        reviews.close_round(tree.east_care, round_)
    reviews.record_outcome(tree.east_care, second, ReviewVerdict.REVOKE, "受到刑事处罚")
    assert reviews.progress([round_])[round_.id] == reviews.Progress(2, ok=1, revoke=1)
    reviews.close_round(tree.east_care, round_)
    db.session.commit()
    assert round_.status is ReviewStatus.CLOSED
    with pytest.raises(ReviewError, match="已经结束"):
        reviews.record_outcome(tree.east_care, first, ReviewVerdict.ATTENTION, "再看看")


def test_the_review_pages(db: Any, tree: Any, client_for: Any) -> None:
    """Start a round from the list page, give a verdict on the round's page, close it."""
    client = client_for(tree.east_care)
    page = client.get("/care/reviews")
    assert page.status_code == 200 and "东区总工会" in page.text
    refused = client.post(
        "/care/reviews",
        data={"organization_id": tree.east.id, "year": today().year, "name": ""},
    )
    assert refused.status_code == 400 and "请填写复核名称" in refused.text
    assert _count(db, ReviewRound) == 0
    started = client.post(
        "/care/reviews",
        data={"organization_id": tree.east.id, "year": today().year, "name": "东区复核"},
    )
    round_ = db.session.scalars(select(ReviewRound)).one()
    assert started.status_code == 302 and started.location.endswith(f"/care/reviews/{round_.id}")
    shown = client.get(f"/care/reviews/{round_.id}")
    assert "王秀英" in shown.text and "赵志强" in shown.text and "李老根" not in shown.text
    assert client_for(tree.west_care).get(f"/care/reviews/{round_.id}").status_code == 404
    outcome = next(o for o in round_.outcomes if o.file_id == tree.living.id)
    prefix = f"o{outcome.id}-"
    answer = client.post(
        f"/care/reviews/{round_.id}/outcomes/{outcome.id}",
        data={prefix + "verdict": "revoke", prefix + "note": "受到刑事处罚"},
    )
    assert answer.status_code == 302
    shown = client.get(f"/care/reviews/{round_.id}?show=all")
    assert "发起撤销" in shown.text
    honor_id = db.session.scalars(
        select(Honor.id).where(Honor.person_id == tree.living.person_id)
    ).one()
    assert f"/care/revocations/new?honor={honor_id}&amp;outcome={outcome.id}" in shown.text
    refused = client.post(f"/care/reviews/{round_.id}/close", data={"confirmed": "1"})
    assert refused.status_code == 302
    db.session.refresh(round_)
    assert round_.status is ReviewStatus.OPEN
    assert "还有 1 份档案未登记" in client.get(f"/care/reviews/{round_.id}").text
