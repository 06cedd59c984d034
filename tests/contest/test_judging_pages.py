"""The judges' pages: task list, score sheet, saving, submitting, stale forms, permissions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient

from contest.models import Conflict, ContestStatus, SheetStatus
from contest.services.skills import judging


def _fields(c: Any, **values: object) -> dict[str, object]:
    """Form data for the sheet: aspect key → field name ``m_<aspect id>``."""
    return {f"m_{c.aspects[key].id}": value for key, value in values.items()}


def _url(c: Any, code: str = "A-01") -> str:
    return f"/judging/{c.contest.id}/{code}"


def _secret_strings(c: Any) -> list[str]:
    """What a judge must never see before sign-off: names, units, entry codes behind seats."""
    people = [e.person.name for e in c.entries]
    return [*people, *(u.name for u in c.units), "A001", "A002"]


def test_the_task_list_shows_codes_progress_and_status_only(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest()
    judge = c.judges[1]
    judging.save_sheet(
        judge, c.entries[0], {"T1": 1, "P1": 1, "P2": 1, "P3": 1}, submit=True, expected_version=0
    )
    judging.save_sheet(judge, c.entries[1], {"T1": 1}, submit=False, expected_version=0)
    db.session.commit()
    html = client_for(judge).get("/judging/").get_data(as_text=True)
    for code in ("A-01", "A-02", "A-03", "A-04"):
        assert code in html
    assert "已提交 1 / 4" in html
    assert "sheet-submitted" in html and "sheet-draft" in html and "sheet-empty" in html
    for secret in _secret_strings(c):
        assert secret not in html


def test_recused_entries_are_not_listed(db: Any, make_contest: Any, client_for: Any) -> None:
    c = make_contest()
    judge = c.judges[1]
    db.session.add(
        Conflict(event_id=c.event.id, entry_id=c.entries[2].id, user_id=judge.id, reason="亲属")
    )
    db.session.commit()
    client = client_for(judge)
    html = client.get("/judging/").get_data(as_text=True)
    assert "A-03" not in html and "A-02" in html
    assert client.get(_url(c, "A-03")).status_code == 403
    assert client.post(_url(c, "A-03"), data={"version": 0, "action": "save"}).status_code == 403


def test_the_sheet_is_built_from_the_rubric(db: Any, make_contest: Any, client_for: Any) -> None:
    c = make_contest()
    response = client_for(c.judges[1]).get(_url(c))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    p1, p2 = c.aspects["P1"].id, c.aspects["P2"].id
    assert f'name="m_{p1}" step="0.5" type="number"' in html or (
        f'id="m_{p1}"' in html and 'max="40"' in html and 'step="0.5"' in html
    )
    assert 'inputmode="decimal"' in html
    for level, descriptor in enumerate(["不合格", "基本符合", "良好", "优秀"]):
        assert f'id="m_{p2}-{level}"' in html and descriptor in html
    for heading in ("理论", "实操", "零件加工", "安全文明生产", "满分 30 分"):
        assert heading in html
    assert 'name="version" type="hidden" value="0"' in html
    assert "保存草稿" in html and "提交" in html and "js/sheet.js" in html
    assert "<script>" not in html and 'style="' not in html
    for secret in _secret_strings(c):
        assert secret not in html


def test_saving_a_draft_flashes_and_shows_the_sheet_again(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest()
    client = client_for(c.judges[1])
    data = {"version": 0, "action": "save", **_fields(c, T1="80.5", P2="2", P1="", P3="")}
    response = client.post(_url(c), data=data, follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "草稿已保存" in html and 'value="80.5"' in html
    assert 'name="version" type="hidden" value="1"' in html
    sheet = judging.sheet_for(c.judges[1], c.entries[0])
    assert judging.marks_of(sheet) == {"T1": Decimal("80.5"), "P2": Decimal(2)}


def test_server_errors_are_shown_per_field_and_nothing_is_stored(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest()
    client = client_for(c.judges[1])
    data = {"version": 0, "action": "save", **_fields(c, T1="80", P1="41", P2="2", P3="0.5")}
    response = client.post(_url(c), data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "分值应在 0 到 40 之间" in html and "分值应为 1 的整数倍" in html
    assert 'value="41"' in html  # what the judge typed stays in the form to correct
    assert judging.sheet_for(c.judges[1], c.entries[0]) is None


def test_submit_with_javascript_confirmation_locks_the_sheet(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest()
    client = client_for(c.judges[1])
    data = {
        "version": 0,
        "action": "submit",
        "confirmed": "1",
        **_fields(c, T1="80", P1="30", P2="3", P3="2"),
    }
    response = client.post(_url(c), data=data, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "已提交" in html and "联系裁判长重新开放" in html
    assert "保存草稿" not in html and "disabled" in html
    sheet = judging.sheet_for(c.judges[1], c.entries[0])
    assert sheet.status is SheetStatus.SUBMITTED
    again = client.post(_url(c), data={**data, "version": sheet.version, "action": "save"})
    assert again.status_code == 302
    assert judging.sheet_for(c.judges[1], c.entries[0]).version == sheet.version


def test_submit_without_javascript_saves_a_draft_then_asks_to_confirm(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest()
    client = client_for(c.judges[1])
    data = {"version": 0, "action": "submit", **_fields(c, T1="80", P1="30", P2="3", P3="2")}
    response = client.post(_url(c), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "确认提交" in html
    sheet = judging.sheet_for(c.judges[1], c.entries[0])
    assert sheet.status is SheetStatus.DRAFT and sheet.version == 1
    confirm = {**data, "version": 1, "action": "submit-confirmed"}
    client.post(_url(c), data=confirm)
    assert judging.sheet_for(c.judges[1], c.entries[0]).status is SheetStatus.SUBMITTED


def test_submit_without_javascript_of_an_incomplete_sheet_keeps_the_draft_and_names_the_gaps(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest()
    client = client_for(c.judges[1])
    data = {"version": 0, "action": "submit", **_fields(c, T1="80", P2="1")}
    response = client.post(_url(c), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "确认提交" not in html
    assert html.count("提交前请填写此项") == 2  # P1 and P3
    assert 'name="version" type="hidden" value="1"' in html  # the saved draft's version
    sheet = judging.sheet_for(c.judges[1], c.entries[0])
    assert sheet.status is SheetStatus.DRAFT
    assert judging.marks_of(sheet) == {"T1": Decimal(80), "P2": Decimal(1)}


def test_submit_of_an_incomplete_sheet_names_the_missing_fields(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest()
    client = client_for(c.judges[1])
    data = {"version": 0, "action": "submit", "confirmed": "1", **_fields(c, T1="80")}
    response = client.post(_url(c), data=data)
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("提交前请填写此项") == 3
    assert judging.sheet_for(c.judges[1], c.entries[0]) is None


def test_a_stale_form_is_refused_and_the_stored_values_are_shown(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest()
    judge = c.judges[1]
    tab_one, tab_two = client_for(judge), client_for(judge)
    assert 'value="0"' in tab_two.get(_url(c)).get_data(as_text=True)
    tab_one.post(_url(c), data={"version": 0, "action": "save", **_fields(c, T1="60")})
    response = tab_two.post(_url(c), data={"version": 0, "action": "save", **_fields(c, T1="75")})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "已被保存过" in html
    assert 'value="60"' in html  # the stored value, not the refused one
    assert "您刚才填写（未保存）：75" in html
    assert 'name="version" type="hidden" value="1"' in html
    sheet = judging.sheet_for(judge, c.entries[0])
    assert judging.marks_of(sheet) == {"T1": Decimal(60)}


def test_an_unassigned_judge_gets_403_and_the_public_is_sent_to_login(
    db: Any, make_contest: Any, client_for: Any, make_user: Any
) -> None:
    c = make_contest()
    outsider = client_for(make_user("judge"))
    assert outsider.get(_url(c)).status_code == 403
    assert outsider.get(f"/judging/{c.contest.id}/NOPE").status_code == 403
    assert "目前没有需要您评分的选手" in outsider.get("/judging/").get_data(as_text=True)
    public = client_for(None)
    response = public.get("/judging/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert public.post(_url(c), data={"version": 0}).status_code == 302


@pytest.mark.parametrize("role", ["organizer", "admin"])
def test_non_judges_get_403_on_the_judging_area(
    db: Any, make_contest: Any, client_for: Any, make_user: Any, role: str
) -> None:
    c = make_contest()
    user = c.organizer if role == "organizer" else make_user("admin")
    client = client_for(user)
    assert client.get("/judging/").status_code == 403
    assert client.get(_url(c)).status_code == 403


def test_a_contest_outside_judging_is_403_and_a_signed_off_sheet_is_read_only(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    from contest.models.base import utcnow

    c = make_contest(status=ContestStatus.REGISTRATION)
    client = client_for(c.judges[1])
    assert client.get(_url(c)).status_code == 403
    c.contest.status = ContestStatus.REVIEW
    db.session.commit()
    judging.save_sheet(
        c.judges[1],
        c.entries[0],
        {"T1": 1, "P1": 1, "P2": 1, "P3": 1},
        submit=True,
        expected_version=0,
    )
    c.event.signed_off_at = utcnow()
    db.session.commit()
    html = client.get(_url(c)).get_data(as_text=True)
    assert "评分表已锁定" in html and "保存草稿" not in html


def test_the_judge_home_lists_events_with_progress(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest()
    html = client_for(c.judges[1]).get("/home").get_data(as_text=True)
    assert "我的评分任务" in html and "0 / 4" in html and "/judging/" in html
    assert 'href="/judging/"' in html  # the nav item 评分
    for secret in _secret_strings(c):
        assert secret not in html


def test_a_reopened_sheet_is_editable_again(db: Any, make_contest: Any, client_for: Any) -> None:
    c = make_contest()
    judge = c.judges[1]
    sheet = judging.save_sheet(
        judge, c.entries[0], {"T1": 1, "P1": 1, "P2": 1, "P3": 1}, submit=True, expected_version=0
    )
    judging.reopen_sheet(c.chief, sheet, "尺寸录错")
    db.session.commit()
    html = client_for(judge).get(_url(c)).get_data(as_text=True)
    assert "保存草稿" in html and 'value="2"' in html


def test_the_public_landing_page_has_no_judging_link(client: FlaskClient) -> None:
    """The public client sees no judging link on the landing page."""
    assert "/judging/" not in client.get("/").get_data(as_text=True)
