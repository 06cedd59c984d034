"""Contest, event and component set-up through the services (validation, scope, audit)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from contest.models import AuditEntry, ContestStatus, EventGroup, HonorLevel, OrgKind
from contest.services.skills import contests
from contest.services.skills.contests import (
    ComponentRow,
    ContestData,
    ContestError,
    EventData,
)
from contest.services.skills.rubrics import RubricError


def _data(org: Any, **fields: Any) -> ContestData:
    values: dict[str, Any] = {
        "name": "江州市焊工技能大赛",
        "level": HonorLevel.CITY,
        "year": 2026,
        "organization": org,
        "starts_on": date(2026, 5, 1),
        "ends_on": date(2026, 5, 2),
    }
    values.update(fields)
    return ContestData(**values)


def test_create_and_update_contest(db: Any, make_org: Any, make_user: Any) -> None:
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    organizer = make_user("organizer", organization=host)
    contest = contests.create_contest(organizer, _data(host))
    assert contest.status is ContestStatus.DRAFT and contest.created_by_id == organizer.id
    contests.update_contest(
        organizer, contest, _data(host, name="江州市焊工大赛", year=2027, year_confirmed=True)
    )
    assert contest.name == "江州市焊工大赛"
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["contest.create", "contest.update"]


@pytest.mark.parametrize(
    ("fields", "field", "needle"),
    [
        ({"name": " "}, "name", "大赛名称"),
        ({"year": 1990}, "year", "2000"),
        ({"organization": None}, "organization", "主办工会"),
        ({"ends_on": date(2026, 4, 1)}, "ends_on", "结束日期"),
        ({"appeal_window_hours": -1}, "appeal_window_hours", "申诉时限"),
    ],
)
def test_contest_validation(
    db: Any, make_org: Any, make_user: Any, fields: dict[str, Any], field: str, needle: str
) -> None:
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    organizer = make_user("organizer", organization=host)
    with pytest.raises(ContestError) as info:
        contests.create_contest(organizer, _data(host, **fields))
    assert info.value.field == field and needle in info.value.message


def test_organizer_hosts_only_below_own_union(db: Any, make_org: Any, make_user: Any) -> None:
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    other = make_org(name="河州市总工会", kind=OrgKind.CITY)
    below = make_org(name="江州机床厂工会", kind=OrgKind.GRASSROOTS, parent=host)
    organizer = make_user("organizer", organization=host)
    with pytest.raises(ContestError, match="本单位或下级"):
        contests.create_contest(organizer, _data(other))
    in_plant = _data(below, level=HonorLevel.ENTERPRISE)
    assert contests.create_contest(organizer, in_plant).organization is below
    assert {o.id for o in contests.host_choices(organizer)} == {host.id, below.id}
    mine = contests.create_contest(organizer, _data(host))
    theirs = contests.create_contest(make_user("organizer", organization=other), _data(other))
    listed = db.session.scalars(contests.managed_contests_query(organizer)).all()
    assert mine in listed and theirs not in listed
    admin = make_user("admin")
    assert theirs in db.session.scalars(contests.managed_contests_query(admin)).all()
    judge = make_user("judge", organization=host)
    assert db.session.scalars(contests.managed_contests_query(judge)).all() == []


def test_events(db: Any, make_contest: Any) -> None:
    made = make_contest(status=ContestStatus.DRAFT)
    organizer = made.organizer
    event = contests.create_event(
        organizer,
        made.contest,
        EventData(code="b", occupation="电工", group=EventGroup.STUDENT, quota_per_unit=2),
    )
    assert event.code == "B" and event.position == 1
    with pytest.raises(ContestError, match="已有代码为 A") as info:
        contests.create_event(organizer, made.contest, EventData(code="A", occupation="钳工"))
    assert info.value.field == "code"
    with pytest.raises(ContestError, match="大写字母"):
        contests.create_event(organizer, made.contest, EventData(code="1", occupation="钳工"))
    with pytest.raises(ContestError, match="最低年龄") as info:
        contests.create_event(
            organizer, made.contest, EventData(code="C", occupation="钳工", min_age=40, max_age=30)
        )
    assert info.value.field == "max_age"
    with pytest.raises(ContestError, match="参赛号"):
        contests.update_event(organizer, made.event, EventData(code="Z", occupation="数控车工"))
    contests.delete_event(organizer, event)
    with pytest.raises(ContestError, match="已有报名选手"):
        contests.delete_event(organizer, made.event)


def test_event_after_registration_only_end_time(db: Any, make_contest: Any) -> None:
    made = make_contest(status=ContestStatus.JUDGING)
    with pytest.raises(ContestError, match="只能修改赛项的结束时间"):
        contests.update_event(made.organizer, made.event, EventData(code="A", occupation="车工"))
    from datetime import UTC, datetime

    ended = datetime(2026, 10, 21, 17, 0, tzinfo=UTC)
    contests.update_event(
        made.organizer, made.event, EventData(code="A", occupation="数控车工", ended_at=ended)
    )
    assert made.event.ended_at is not None
    with pytest.raises(ContestError, match="不能再增加赛项"):
        contests.create_event(made.organizer, made.contest, EventData(code="B", occupation="电工"))


def test_components(db: Any, make_contest: Any) -> None:
    made = make_contest(status=ContestStatus.DRAFT)
    event = made.event
    with pytest.raises(ContestError, match="权重之和为 90%") as info:
        contests.save_components(
            made.organizer,
            event,
            [ComponentRow("theory", Decimal(20)), ComponentRow("practical", Decimal(70))],
        )
    assert info.value.field == "theory-weight"
    with pytest.raises(ContestError, match="已有评分细则"):
        contests.save_components(made.organizer, event, [ComponentRow("practical", Decimal(100))])
    rows = [
        ComponentRow("theory", Decimal(25), Decimal(60)),
        ComponentRow("practical", Decimal(55), Decimal(60)),
        ComponentRow("oral", Decimal(20), Decimal(60)),
    ]
    saved = contests.save_components(made.organizer, event, rows)
    assert [(c.key, c.name, c.weight) for c in saved] == [
        ("theory", "理论", 25),
        ("practical", "实操", 55),
        ("oral", "答辩", 20),
    ]
    assert contests.weight_problems(event) == []
    saved = contests.save_components(
        made.organizer,
        event,
        [ComponentRow("theory", Decimal(30)), ComponentRow("practical", Decimal(70))],
    )
    assert [c.key for c in saved] == ["theory", "practical"]


def test_components_locked_after_registration(db: Any, make_contest: Any) -> None:
    made = make_contest(status=ContestStatus.JUDGING)
    with pytest.raises(RubricError, match="评分细则已锁定"):
        contests.save_components(
            made.organizer,
            made.event,
            [ComponentRow("theory", Decimal(30)), ComponentRow("practical", Decimal(70))],
        )
