"""Actions that cannot be undone act only with the confirmation field (contest.ui.confirm).

Each of the seven POSTs — 抽取参赛号, 抽取赛位号, 删除评分项 (and 删除评分要素), 移出评委, 停用账号,
签字确认, 公布成绩 — sent without ``confirmed=1`` (no JavaScript, a script, a stale page) changes
nothing and answers with a page that names the consequence and offers a form with the field
set; sent with it, the action happens.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from contest.models import (
    Aspect,
    AuditEntry,
    ContestStatus,
    RubricCriterion,
    ScoreSheet,
    SheetStatus,
)
from contest.services.skills import access, results
from contest.ui import confirm
from tests.contest.results_fixtures import ready_contest_fixture  # noqa: F401
from tests.contest.review_support import put_sheet, ready_to_sign

YES = {"confirmed": "1"}


def _asks(response: Any, *words: str) -> str:
    """The confirmation page: it names the consequence and re-posts with the field set."""
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="confirmed" value="1"' in page
    for word in words:
        assert word in page, word
    return page


def test_entry_draw_asks_then_draws(db: Any, make_contest: Any, client_for: Any) -> None:
    c = make_contest(status="registration", entries=3, judges=1)
    client = client_for(c.organizer)
    url = f"/contests/{c.contest.id}/events/{c.event.id}/draws/entry"
    typed = {"entry-seed": "种子-1", "entry-csrf_token": "old-token"}
    page = _asks(client.post(url, data=typed), "3 名选手", "抽取后参赛号不能重抽")
    assert 'name="entry-seed" value="种子-1"' in page  # the seed typed is kept
    assert 'name="entry-csrf_token"' in page and "old-token" not in page  # a fresh token
    db.session.expire_all()
    assert c.event.entry_drawn_at is None
    assert client.post(url, data={"entry-seed": "种子-1", **YES}).status_code == 302
    db.session.expire_all()
    assert c.event.entry_drawn_at is not None and c.event.entry_draw_seed == "种子-1"


def test_seat_draw_asks_then_draws(db: Any, make_contest: Any, client_for: Any) -> None:
    c = make_contest(status="judging", entries=2, judges=0)
    c.event.entry_drawn_at = c.event.created_at
    db.session.commit()
    client = client_for(c.organizer)
    url = f"/contests/{c.contest.id}/events/{c.event.id}/draws/seat"
    _asks(client.post(url, data={"seat-seed": "s"}), "2 名已检录选手", "抽取后赛位号不能重抽")
    db.session.expire_all()
    assert c.event.seat_drawn_at is None
    client.post(url, data={"seat-seed": "s", **YES})
    db.session.expire_all()
    assert c.event.seat_drawn_at is not None


def test_criterion_delete_names_its_aspects(db: Any, make_contest: Any, client_for: Any) -> None:
    c = make_contest(status="draft")
    criterion = c.components["practical"].criteria[0]  # 零件加工: P1, P2
    client = client_for(c.organizer)
    url = f"/contests/{c.contest.id}/events/{c.event.id}/rubric/criteria/{criterion.id}/delete"
    _asks(client.post(url), "删除「零件加工」及其 2 个评分要素", "不能恢复")
    db.session.expire_all()
    assert db.session.get(RubricCriterion, criterion.id) is not None
    assert client.post(url, data=YES).status_code == 302
    db.session.expire_all()
    assert db.session.get(RubricCriterion, criterion.id) is None
    assert db.session.get(Aspect, c.aspects["P1"].id) is None


def test_aspect_delete_asks_then_deletes(db: Any, make_contest: Any, client_for: Any) -> None:
    c = make_contest(status="draft")
    aspect_id = c.aspects["P3"].id
    client = client_for(c.organizer)
    url = f"/contests/{c.contest.id}/events/{c.event.id}/rubric/aspects/{aspect_id}/delete"
    _asks(client.post(url), "删除评分要素 P3「违规操作扣分」")
    db.session.expire_all()
    assert db.session.get(Aspect, aspect_id) is not None
    client.post(url, data=YES)
    db.session.expire_all()
    assert db.session.get(Aspect, aspect_id) is None


def test_judge_removal_counts_assignments(db: Any, make_contest: Any, client_for: Any) -> None:
    c = make_contest(status="registration", entries=3, judges=2)
    judge = c.judges[1]
    client = client_for(c.organizer)
    url = f"/contests/{c.contest.id}/events/{c.event.id}/panels/{judge.id}/remove"
    _asks(client.post(url), judge.name, "3 份评分任务一并取消")
    assert access.panel_member(judge, c.event) is not None
    client.post(url, data=YES)
    db.session.expire_all()
    assert access.panel_member(judge, c.event) is None


def test_disabling_an_account_asks_enabling_does_not(
    db: Any, make_user: Any, client_for: Any
) -> None:
    admin, user = make_user("admin"), make_user("judge")
    client = client_for(admin)
    url = f"/admin/users/{user.id}/toggle"
    page = _asks(client.post(url, data={"enabled": "0"}), user.username, "不能登录")
    assert 'name="enabled" value="0"' in page  # the confirmation page re-sends the target state
    db.session.expire_all()
    assert user.is_enabled
    client.post(url, data={"enabled": "0", **YES})
    db.session.expire_all()
    assert not user.is_enabled
    assert client.post(url, data={"enabled": "1"}).status_code == 302  # enabling: no question
    db.session.expire_all()
    assert user.is_enabled


def test_a_repeated_confirmed_disable_leaves_the_account_disabled(
    db: Any, make_user: Any, client_for: Any
) -> None:
    """Two confirmed 停用 POSTs (a double click on the confirmation page, a resubmit, two
    admins) disable once; the second says the account is already disabled and records nothing."""
    admin, user = make_user("admin"), make_user("judge")
    client = client_for(admin)
    url = f"/admin/users/{user.id}/toggle"
    disable = {"enabled": "0", **YES}
    client.post(url, data=disable)
    second = client.post(url, data=disable, follow_redirects=True)
    db.session.expire_all()
    assert not user.is_enabled
    assert "已是停用状态，未作更改" in second.get_data(as_text=True)
    actions = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.target_type == "user", AuditEntry.target_id == str(user.id)
        )
    ).all()
    assert actions.count("user.disable") == 1
    client.post(url, data={"enabled": "1"})
    again = client.post(url, data={"enabled": "1"}, follow_redirects=True)
    db.session.expire_all()
    assert user.is_enabled
    assert "已是启用状态，未作更改" in again.get_data(as_text=True)


def test_a_toggle_without_the_target_state_changes_nothing(
    db: Any, make_user: Any, client_for: Any
) -> None:
    admin, user = make_user("admin"), make_user("judge")
    client = client_for(admin)
    for data in ({}, YES, {"enabled": "x", **YES}):
        response = client.post(f"/admin/users/{user.id}/toggle", data=data, follow_redirects=True)
        assert "未指明启用还是停用账号" in response.get_data(as_text=True)
    db.session.expire_all()
    assert user.is_enabled


def test_sign_off_asks_then_locks(db: Any, make_contest: Any, client_for: Any) -> None:
    c = make_contest(status="review", entries=4, judges=3)
    ready_to_sign(db, c)
    client = client_for(c.chief)
    url = f"/review/events/{c.event.id}/sign-off"
    _asks(client.post(url), "12 份评分表全部锁定", "不能撤回")
    db.session.expire_all()
    assert c.event.signed_off_at is None
    assert set(db.session.scalars(select(ScoreSheet.status))) == {SheetStatus.SUBMITTED}
    client.post(url, data=YES)
    db.session.expire_all()
    assert c.event.signed_off_at is not None
    assert set(db.session.scalars(select(ScoreSheet.status))) == {SheetStatus.LOCKED}


def test_publish_asks_then_publishes(db: Any, ready_contest: Any, client_for: Any) -> None:
    ns = ready_contest()
    client = client_for(ns.organizer)
    url = f"/results/{ns.contest.id}/publish"
    page = _asks(client.post(url), "公布后成绩对公众可见，不能撤回")
    assert re.search(r'<a class="button button-secondary" href="[^"]*/publish">', page)
    db.session.expire_all()
    assert results.current_snapshot(ns.contest.id) is None
    assert client.post(url, data=YES).status_code == 302
    db.session.expire_all()
    assert results.current_snapshot(ns.contest.id) is not None
    assert ns.contest.status is ContestStatus.PUBLISHED


def test_buttons_carry_the_consequence_for_the_dialog(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest(status="draft")
    page = client_for(c.organizer).get(f"/contests/{c.contest.id}/events/{c.event.id}/rubric")
    html = page.get_data(as_text=True)
    assert 'data-confirm="删除「零件加工」及其 2 个评分要素，不能恢复。"' in html
    assert 'name="confirmed" value="" data-confirm-field' in html


def test_deletes_name_the_marks_already_entered(db: Any, app: Any, make_contest: Any) -> None:
    c = make_contest(status="registration", entries=2, judges=1)
    for entry in c.entries:
        put_sheet(db, c, c.judges[0], entry, {"P1": 30, "P2": 2}, SheetStatus.DRAFT)
    db.session.commit()
    criterion = c.components["practical"].criteria[0]
    with app.test_request_context():
        assert confirm.delete_criterion(criterion).text == (
            "删除「零件加工」及其 2 个评分要素，已录入的 4 个分数一并删除，不能恢复。"
        )
        assert "已录入的 2 个分数" in confirm.delete_aspect(c.aspects["P1"]).text
        assert "已录入" not in confirm.delete_aspect(c.aspects["P3"]).text
