"""The team form's member rows speak Chinese too (a WTForms subform has no catalogue of its own)."""

from __future__ import annotations

from typing import Any


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
