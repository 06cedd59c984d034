"""The score sheet's server-rendered helpers for phones (issue #16 item 5): filled count,
subtotals and total, the error summary after a refused save, the level points sheet.js sums,
and "下一个未评分" once a sheet is submitted."""

from __future__ import annotations

import re
from typing import Any

from contest.services.skills import judging


def _fields(c: Any, **values: object) -> dict[str, object]:
    return {f"m_{c.aspects[key].id}": value for key, value in values.items()}


def _url(c: Any, code: str = "A-01") -> str:
    return f"/judging/{c.contest.id}/{code}"


def _strong(html: str, name: str) -> list[str]:
    return re.findall(rf"<strong {name}>([^<]*)</strong>", html)


def test_the_sheet_shows_the_filled_count_subtotals_and_total_of_the_stored_marks(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest()
    judging.save_sheet(
        c.judges[1], c.entries[0], {"T1": "80.5", "P2": "2"}, submit=False, expected_version=0
    )
    db.session.commit()
    html = client_for(c.judges[1]).get(_url(c)).get_data(as_text=True)
    assert _strong(html, "data-filled") == ["2"]
    assert "已填" in html and "<span data-aspect-count>4</span>" in html
    assert _strong(html, "data-total") == ["100.5"]  # 80.5 + level 2 of 3 × 30 points
    assert _strong(html, "data-subtotal") == ["80.5", "20"]


def test_each_level_button_carries_the_points_it_is_worth(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest()
    html = client_for(c.judges[1]).get(_url(c)).get_data(as_text=True)
    p2 = c.aspects["P2"].id
    for level, points in enumerate(["0", "10", "20", "30"]):
        tag = re.search(rf'<input[^>]*id="m_{p2}-{level}"[^>]*>', html)
        assert tag is not None and f'data-points="{points}"' in tag.group(0)


def test_a_refused_save_counts_the_errors_at_the_top_with_links_to_each(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest()
    data = {"version": 0, "action": "save", **_fields(c, T1="80", P1="41", P2="2", P3="0.5")}
    response = client_for(c.judges[1]).post(_url(c), data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "有 2 处需要更正" in html
    for key in ("P1", "P3"):
        assert f'href="#aspect-{c.aspects[key].id}"' in html
    assert f'href="#aspect-{c.aspects["T1"].id}"' not in html
    assert _strong(html, "data-filled") == ["2"]  # invalid values are not counted as filled


def test_a_clean_sheet_hides_the_error_summary(db: Any, make_contest: Any, client_for: Any) -> None:
    c = make_contest()
    html = client_for(c.judges[1]).get(_url(c)).get_data(as_text=True)
    assert re.search(r"data-error-summary\s+hidden", html)
    assert "下一个未评分" not in html


def test_after_a_submit_the_sheet_links_to_the_next_unscored_entry(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest()
    judge = c.judges[1]
    full = {"T1": 1, "P1": 1, "P2": 1, "P3": 1}
    judging.save_sheet(judge, c.entries[1], full, submit=True, expected_version=0)
    db.session.commit()
    client = client_for(judge)
    data = {"version": 0, "action": "submit", "confirmed": "1", **_fields(c, **full)}
    html = client.post(_url(c), data=data, follow_redirects=True).get_data(as_text=True)
    # A-02 is already submitted: the next unscored sheet is A-03.
    assert re.search(rf'href="{_url(c, "A-03")}">下一个未评分 · 工位 A-03', html)


def test_when_every_sheet_is_submitted_the_link_leads_back_to_the_task_list(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest()
    judge = c.judges[1]
    full = {"T1": 1, "P1": 1, "P2": 1, "P3": 1}
    for entry in c.entries:
        judging.save_sheet(judge, entry, full, submit=True, expected_version=0)
    db.session.commit()
    html = client_for(judge).get(_url(c, "A-04")).get_data(as_text=True)
    assert "下一个未评分" not in html
    assert 'href="/judging/">本赛项已全部提交，返回任务列表' in html
