"""The team form's member rows speak Chinese too (a WTForms subform has no catalogue of its own)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from contest.contests import registration_views
from contest.models import Entry


def test_a_hostile_member_value_is_refused_in_chinese(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest(status="registration", entries=0, judges=1)
    c.event.entry_drawn_at = c.event.seat_drawn_at = None
    c.event.team_min, c.event.team_max = 2, 3
    db.session.commit()
    url = f"/contests/{c.contest.id}/events/{c.event.id}/teams/new"
    data = {
        "team_name": "先锋队",
        "organization_id": str(c.units[1].id),
        "members-0-name": "张三",
        "members-0-gender": "<script>",
    }
    response = client_for(c.organizer).post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 400)
    assert "Not a valid choice" not in html
    assert "不是有效的选择" in html


def test_more_member_rows_than_the_team_max_are_refused_unread(
    db: Any, make_contest: Any, client_for: Any, monkeypatch: Any
) -> None:
    """400 posted rows are not 400 checks: the form reads team_max rows and refuses the post."""
    c = make_contest(status="registration", entries=0, judges=1)
    c.event.entry_drawn_at = c.event.seat_drawn_at = None
    c.event.team_min, c.event.team_max = 2, 3
    db.session.commit()
    called: list[int] = []
    monkeypatch.setattr(registration_views, "register_team", lambda *a: called.append(1))
    url = f"/contests/{c.contest.id}/events/{c.event.id}/teams/new"
    data = {"team_name": "先锋队", "organization_id": str(c.units[1].id)}
    for i in range(400):
        data[f"members-{i}-name"] = f"队员{i}"
        data[f"members-{i}-id_number"] = "110101199003077777"
    html = client_for(c.organizer).post(url, data=data).get_data(as_text=True)
    assert "每队最多 3 人，表单提交了 400 行，未保存" in html
    assert html.count('name="members-') < 3 * 10  # only the three rows are shown back
    assert called == []
    assert db.session.scalar(select(func.count(Entry.id))) == 0
