"""The judges' JSON API: assignments by code, reading and saving sheets, 401/403/409/422."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from contest.models import Conflict, ContestStatus, Mark, SheetStatus
from contest.services.core.users import create_token
from contest.services.skills import judging

FULL = {"T1": 88, "P1": 35.5, "P2": 2, "P3": 3}


@pytest.fixture
def api(client: FlaskClient, db: Any) -> Any:
    """``api(user)`` → a function (method, path, json=None) → response, with the user's token."""

    def _for(user: Any) -> Any:
        token = create_token(None, user)
        db.session.commit()
        headers = {"Authorization": f"Bearer {token}"}

        def call(method: str, path: str, json: Any = None) -> Any:
            return client.open(path, method=method, json=json, headers=headers)

        return call

    return _for


def _names(c: Any) -> list[str]:
    return [e.person.name for e in c.entries] + [u.name for u in c.units]


def test_without_a_token_every_judge_endpoint_is_401(
    client: FlaskClient, make_contest: Any
) -> None:
    make_contest()
    for method, path in [
        ("GET", "/api/v1/judge/assignments"),
        ("GET", "/api/v1/judge/scores/A-01"),
        ("PUT", "/api/v1/judge/scores/A-01"),
    ]:
        response = client.open(path, method=method, json={"scores": {}})
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized"


def test_assignments_list_codes_criteria_and_status_never_names(
    api: Any, make_contest: Any
) -> None:
    c = make_contest()
    call = api(c.judges[1])
    assert call("PUT", "/api/v1/judge/scores/A-02", {"scores": {"T1": 5}}).status_code == 200
    response = call("GET", "/api/v1/judge/assignments")
    assert response.status_code == 200
    data = response.get_json()
    assert [a["entry_code"] for a in data["assignments"]] == ["A-01", "A-02", "A-03", "A-04"]
    assert [a["status"] for a in data["assignments"]] == ["empty", "draft", "empty", "empty"]
    first = data["assignments"][0]
    assert first["event"] == "数控车工（职工组）"
    criteria = {cr["key"]: cr for cr in first["criteria"]}
    assert (criteria["P1"]["kind"], criteria["P1"]["max"], criteria["P1"]["step"]) == (
        "measurement",
        40,
        0.5,
    )
    assert (criteria["P2"]["kind"], criteria["P2"]["min"], criteria["P2"]["max"]) == (
        "judgement",
        0,
        3,
    )
    assert criteria["P3"]["deduction"] is True and criteria["P3"]["kind"] == "measurement"
    text = response.get_data(as_text=True)
    for name in _names(c):
        assert name not in text


def test_put_saves_merges_submits_and_locks(api: Any, make_contest: Any) -> None:
    c = make_contest()
    call = api(c.judges[1])
    first = call("PUT", "/api/v1/judge/scores/A-01", {"scores": {"T1": 80, "P2": 1}})
    assert first.status_code == 200
    assert first.get_json() == {
        "entry_code": "A-01",
        "code_kind": "seat",
        "contest": c.contest.id,
        "status": "draft",
        "version": 1,
        "scores": {"T1": 80, "P2": 1},
    }
    second = call("PUT", "/api/v1/judge/scores/A-01", {"scores": {"P1": 12.5}, "version": 1})
    assert second.get_json()["scores"] == {"T1": 80, "P1": 12.5, "P2": 1}
    done = call("PUT", "/api/v1/judge/scores/A-01", {"scores": FULL, "submit": True})
    assert done.status_code == 200 and done.get_json()["status"] == "submitted"
    got = call("GET", "/api/v1/judge/scores/A-01").get_json()
    assert got["status"] == "submitted" and got["scores"]["P1"] == 35.5
    locked = call("PUT", "/api/v1/judge/scores/A-01", {"scores": {"T1": 1}})
    assert locked.status_code == 409 and locked.get_json()["error"] == "locked"


def test_a_put_reads_each_thing_once(api: Any, db: Any, make_contest: Any) -> None:
    """The judges' PUT is the hot path (every save holds SQLite's write lock for the whole
    request): the panel membership, the sheet and the event's aspects are read once each, the
    answer comes from the saved sheet rather than reading it back, and new marks go in with
    one INSERT."""
    from sqlalchemy import event as sa_event

    c = make_contest()
    call = api(c.judges[1])
    assert call("PUT", "/api/v1/judge/scores/A-01", {"scores": {"T1": 80}}).status_code == 200
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    db.session.remove()
    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = call("PUT", "/api/v1/judge/scores/A-01", {"scores": FULL, "version": 1})
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200 and response.get_json()["version"] == 2

    def reads(table: str) -> int:
        return sum(1 for s in statements if s.startswith("SELECT") and f"FROM {table} " in s + " ")

    assert reads("panel_members") == 1
    assert reads("score_sheets") == 1
    assert reads("aspects") == 1  # the rubric
    assert reads("marks") == 2  # as stored before the save, and as saved for the answer
    assert sum(s.startswith("INSERT INTO marks") for s in statements) == 1  # 3 new marks


def test_get_before_any_save_is_an_empty_sheet(api: Any, make_contest: Any) -> None:
    c = make_contest()
    got = api(c.judges[1])("GET", "/api/v1/judge/scores/A-03")
    assert got.status_code == 200
    assert got.get_json()["status"] == "empty" and got.get_json()["scores"] == {}


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({"T1": 101}, "T1"),
        ({"P1": 12.3}, "P1"),
        ({"P2": 2.5}, "P2"),
        ({"P2": 4}, "P2"),
        ({"P3": -1}, "P3"),
        ({"P1": "abc"}, "P1"),
        ({"P1": True}, "P1"),
        ({"Z1": 1}, "Z1"),
    ],
)
def test_bad_values_answer_422_per_field_and_store_nothing(
    api: Any, db: Any, make_contest: Any, scores: dict[str, Any], field: str
) -> None:
    c = make_contest()
    call = api(c.judges[1])
    call("PUT", "/api/v1/judge/scores/A-01", {"scores": {"T1": 50}})
    response = call("PUT", "/api/v1/judge/scores/A-01", {"scores": {"P1": 10, **scores}})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid" and body["message"]
    assert list(body["fields"]) == [field]
    stored = call("GET", "/api/v1/judge/scores/A-01").get_json()
    assert stored["scores"] == {"T1": 50} and stored["version"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scores": [1, 2]}, "scores"),
        ({"scores": {}, "submit": "yes"}, "submit"),
        ({"scores": {}, "version": "2"}, "version"),
    ],
)
def test_a_malformed_body_is_422(api: Any, make_contest: Any, body: Any, field: str) -> None:
    c = make_contest()
    response = api(c.judges[1])("PUT", "/api/v1/judge/scores/A-01", body)
    assert response.status_code == 422 and field in response.get_json()["fields"]


def test_not_json_is_422(client: FlaskClient, api: Any, make_contest: Any, db: Any) -> None:
    c = make_contest()
    token = create_token(None, c.judges[1])
    db.session.commit()
    response = client.put(
        "/api/v1/judge/scores/A-01",
        data="T1=5",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
    )
    assert response.status_code == 422 and response.get_json()["error"] == "invalid"


def test_submit_with_missing_criteria_is_422_naming_them(api: Any, make_contest: Any) -> None:
    c = make_contest()
    response = api(c.judges[1])(
        "PUT", "/api/v1/judge/scores/A-01", {"scores": {"T1": 50}, "submit": True}
    )
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"P1", "P2", "P3"}


def test_a_stale_version_is_409_with_the_current_version(api: Any, make_contest: Any) -> None:
    c = make_contest()
    call = api(c.judges[1])
    call("PUT", "/api/v1/judge/scores/A-01", {"scores": {"T1": 50}, "version": 0})
    other_device = call("PUT", "/api/v1/judge/scores/A-01", {"scores": {"T1": 70}, "version": 0})
    assert other_device.status_code == 409
    assert other_device.get_json()["error"] == "stale"
    assert other_device.get_json()["version"] == 1
    assert call("GET", "/api/v1/judge/scores/A-01").get_json()["scores"] == {"T1": 50}


def test_unassigned_and_recused_judges_get_403(
    api: Any, db: Any, make_contest: Any, make_user: Any
) -> None:
    c = make_contest()
    outsider = api(make_user("judge"))
    assert outsider("GET", "/api/v1/judge/scores/A-01").status_code == 403
    assert outsider("PUT", "/api/v1/judge/scores/A-01", {"scores": {"T1": 1}}).status_code == 403
    assert outsider("GET", "/api/v1/judge/assignments").get_json() == {"assignments": []}
    judge = c.judges[1]
    db.session.add(
        Conflict(event_id=c.event.id, entry_id=c.entries[0].id, user_id=judge.id, reason="同事")
    )
    db.session.commit()
    call = api(judge)
    refused = call("PUT", "/api/v1/judge/scores/A-01", {"scores": {"T1": 1}})
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    assert call("GET", "/api/v1/judge/scores/A-01").status_code == 403
    codes = [
        a["entry_code"] for a in call("GET", "/api/v1/judge/assignments").get_json()["assignments"]
    ]
    assert "A-01" not in codes
    assert db.session.scalar(select(func.count(Mark.id))) == 0


def test_the_entry_code_is_not_accepted_once_the_seat_code_is_drawn(
    api: Any, make_contest: Any
) -> None:
    c = make_contest()
    refused = api(c.judges[1])("GET", "/api/v1/judge/scores/A001")
    # Refused with the reason: A001 is the 参赛号 of someone; seats are what judges score under.
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "bad_code"
    assert "参赛号" in refused.get_json()["message"]
    assert "A-01" not in refused.get_json()["message"]  # the entrant's seat is not revealed


def test_a_seat_typed_with_its_label_or_without_padding_is_the_same_seat(
    api: Any, make_contest: Any
) -> None:
    c = make_contest()
    for typed in ("工位 A-01", "a-1", "A-01"):
        answer = api(c.judges[1])("GET", f"/api/v1/judge/scores/{typed}")
        assert answer.status_code == 200, typed
        assert answer.get_json()["entry_code"] == "A-01"
    assert api(c.judges[1])("GET", "/api/v1/judge/scores/A01").get_json()["error"] == "bad_code"


def test_a_code_in_two_contests_needs_the_contest_parameter(
    api: Any, db: Any, make_contest: Any
) -> None:
    from contest.models import Assignment, PanelMember

    first = make_contest()
    second = make_contest(name="江州市焊工技能大赛")
    judge = first.judges[1]
    db.session.add(PanelMember(event_id=second.event.id, user_id=judge.id))
    db.session.add(
        Assignment(event_id=second.event.id, entry_id=second.entries[0].id, user_id=judge.id)
    )
    db.session.commit()
    call = api(judge)
    ambiguous = call("PUT", "/api/v1/judge/scores/A-01", {"scores": {"T1": 1}})
    assert ambiguous.status_code == 409 and ambiguous.get_json()["error"] == "ambiguous"
    assert db.session.scalar(select(func.count(Mark.id))) == 0
    path = f"/api/v1/judge/scores/A-01?contest={second.contest.id}"
    assert call("PUT", path, {"scores": {"T1": 1}}).status_code == 200
    assert judging.sheet_for(judge, second.entries[0]) is not None
    assert judging.sheet_for(judge, first.entries[0]) is None
    assert call("GET", "/api/v1/judge/scores/A-01?contest=x").status_code == 400


def test_a_contest_not_in_judging_is_403_and_a_signed_off_event_409(
    api: Any, db: Any, make_contest: Any
) -> None:
    from contest.models.base import utcnow

    c = make_contest(status=ContestStatus.REGISTRATION)
    call = api(c.judges[1])
    assert call("PUT", "/api/v1/judge/scores/A-01", {"scores": {"T1": 1}}).status_code == 403
    c.contest.status = ContestStatus.REVIEW
    c.event.signed_off_at = utcnow()
    db.session.commit()
    locked = call("PUT", "/api/v1/judge/scores/A-01", {"scores": {"T1": 1}})
    assert locked.status_code == 409 and locked.get_json()["error"] == "locked"


def test_judge_paths_are_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/judge/scores/{entry_code}"]) == {"get", "put"}
    assert "get" in paths["/api/v1/judge/assignments"]
    put = paths["/api/v1/judge/scores/{entry_code}"]["put"]
    assert {"200", "401", "403", "409", "422"} <= set(put["responses"])


def test_a_submitted_sheet_via_the_api_is_the_same_sheet_as_on_the_page(
    api: Any, db: Any, make_contest: Any
) -> None:
    c = make_contest()
    api(c.judges[1])("PUT", "/api/v1/judge/scores/A-02", {"scores": FULL, "submit": True})
    sheet = judging.sheet_for(c.judges[1], c.entries[1])
    assert sheet.status is SheetStatus.SUBMITTED
    assert judging.marks_of(sheet)["P1"] == Decimal("35.5")
