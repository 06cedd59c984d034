"""No-shows (缺考) and the minimum field (DOMAIN §1 rule 12) when registration closes."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from contest.models import (
    Assignment,
    AuditEntry,
    ContestStatus,
    EntryStatus,
    HonorLevel,
    ResultRow,
)
from contest.services.skills import (
    draws,
    judging,
    panels,
    policies,
    publishing,
    result_exports,
    results,
    review,
    turnout,
)
from contest.services.skills.contests import ContestError
from contest.services.skills.signoff import sign_off_blockers
from contest.services.skills.status import check_transition, transition
from tests.contest.results_fixtures import write_marks

S = ContestStatus


def _closing(db: Any, make_contest: Any, entries: int = 4, absent: int = 1) -> Any:
    """A contest in 报名 whose last ``absent`` entrants registered but did not check in."""
    made = make_contest(status=S.REGISTRATION, entries=entries, judges=2)
    made.event.entry_drawn_at = made.event.created_at
    for entry in made.entries[entries - absent :]:
        entry.status = EntryStatus.REGISTERED
        entry.seat_code = None
    db.session.commit()
    return made


def _assignments(db: Any, entry: Any) -> int:
    return db.session.scalar(
        select(func.count(Assignment.id)).where(Assignment.entry_id == entry.id)
    )


def _audit(db: Any, action: str) -> list[dict[str, Any]]:
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action))
    return [json.loads(row.after) for row in rows]


def test_closing_with_no_shows_asks_first_and_changes_nothing(db: Any, make_contest: Any) -> None:
    made = _closing(db, make_contest)
    found = turnout.questions(made.contest)
    assert [e.id for e in found.no_shows] == [made.entries[-1].id]
    with pytest.raises(ContestError, match="未检录的选手如何处理"):
        transition(made.organizer, made.contest, S.JUDGING)
    db.session.rollback()
    assert made.contest.status is S.REGISTRATION
    assert made.entries[-1].status is EntryStatus.REGISTERED


def test_marking_absent_removes_assignments_and_is_audited(db: Any, make_contest: Any) -> None:
    made = _closing(db, make_contest)
    no_show = made.entries[-1]
    assert _assignments(db, no_show) == 2
    key = turnout.answer_key(turnout.questions(made.contest))
    transition(made.organizer, made.contest, S.JUDGING, answers=turnout.Answers(key, "absent"))
    assert made.contest.status is S.JUDGING
    assert no_show.status is EntryStatus.ABSENT
    assert no_show.status.label == "缺考"
    assert _assignments(db, no_show) == 0
    assert no_show not in panels.active_entries(made.event)
    (after,) = _audit(db, "contest.no_shows")
    assert after["choice"] == "absent" and after["entries"] == [no_show.id]
    assert after["assignments_removed"] == 2


def test_keeping_no_shows_leaves_them_registered_but_unassigned(db: Any, make_contest: Any) -> None:
    made = _closing(db, make_contest)
    no_show = made.entries[-1]
    key = turnout.answer_key(turnout.questions(made.contest))
    transition(made.organizer, made.contest, S.JUDGING, answers=turnout.Answers(key, "keep"))
    assert no_show.status is EntryStatus.REGISTERED
    assert _audit(db, "contest.no_shows")[0] == {
        "choice": "keep",
        "entries": [no_show.id],
        "absent": [],
        "codes": [no_show.entry_code],
        "assignments_removed": 2,
    }
    assert _assignments(db, no_show) == 0
    # Once check-in is used, assignment gives no task to an entrant not checked in …
    panels.assign(made.organizer, made.event, "all")
    assert _assignments(db, no_show) == 0
    assert all(_assignments(db, e) == 2 for e in made.entries[:-1])
    # … until they check in (late, during 比赛评分).
    draws.check_in(made.organizer, no_show)
    panels.assign(made.organizer, made.event, "all")
    assert _assignments(db, no_show) == 2


def test_assignment_drops_tasks_of_entrants_who_did_not_check_in(
    db: Any, make_contest: Any
) -> None:
    made = _closing(db, make_contest)
    report = panels.assign(made.organizer, made.event, "all")
    assert report.removed == 2 and _assignments(db, made.entries[-1]) == 0


def test_stale_or_unknown_answers_change_nothing(db: Any, make_contest: Any) -> None:
    made = _closing(db, make_contest)
    key = turnout.answer_key(turnout.questions(made.contest))
    with pytest.raises(ContestError, match="标记缺考或保留"):
        transition(made.organizer, made.contest, S.JUDGING, answers=turnout.Answers(key, "maybe"))
    db.session.rollback()
    # Someone else checks the entrant in after the page was built: the old answer is stale.
    made.entries[-1].status = EntryStatus.CHECKED_IN
    made.entries[-2].status = EntryStatus.REGISTERED
    db.session.commit()
    with pytest.raises(ContestError, match="情况已变化"):
        transition(made.organizer, made.contest, S.JUDGING, answers=turnout.Answers(key, "absent"))
    db.session.rollback()
    assert made.contest.status is S.REGISTRATION
    assert {e.status for e in made.entries} == {EntryStatus.CHECKED_IN, EntryStatus.REGISTERED}
    assert _audit(db, "contest.no_shows") == []


def test_without_check_in_everyone_registered_is_scored(db: Any, make_contest: Any) -> None:
    made = _closing(db, make_contest, entries=2, absent=2)
    assert turnout.questions(made.contest).no_shows == []
    assert len(panels.active_entries(made.event)) == 2
    transition(made.organizer, made.contest, S.JUDGING)
    assert made.contest.status is S.JUDGING
    assert review.progress(made.event).total == 4


def test_absent_entrants_do_not_block_sign_off_and_publish_as_absent(
    db: Any, make_contest: Any, client: Any
) -> None:
    made = make_contest(status=S.REVIEW, entries=4, judges=2)
    no_show = made.entries[-1]
    no_show.status = EntryStatus.ABSENT
    db.session.query(Assignment).filter(Assignment.entry_id == no_show.id).delete()
    made.entries = made.entries[:-1]
    write_marks(db, made)
    assert review.progress(made.event).complete
    blockers = [b.message for b in sign_off_blockers(made.event)]
    assert not any("未提交" in b for b in blockers), blockers
    made.event.signed_off_at = made.event.created_at
    snapshot = publishing.publish(made.organizer, made.contest)
    rows = list(
        db.session.scalars(
            select(ResultRow)
            .where(ResultRow.snapshot_id == snapshot.id)
            .order_by(ResultRow.position)
        )
    )
    assert rows[-1].entry_id == no_show.id
    assert rows[-1].rank is None and rows[-1].award is None and rows[-1].total is None
    public = results.public_contest(made.contest.id)
    assert isinstance(public, results.PublicContest)
    assert public.events[0].absent == (no_show.entry_code,)
    api = client.get(f"/api/v1/contests/{made.contest.id}/results").get_json()
    assert api["contest"]["events"][0]["absent"] == [no_show.entry_code]
    assert api["results"][-1]["rank"] is None
    sheet = load_workbook(io.BytesIO(result_exports.results_workbook(made.contest, snapshot)))
    last = [cell.value for cell in list(sheet.worksheets[0].rows)[-1]]
    assert last[1] == no_show.entry_code and "缺考" in last and "缺考/退赛" not in last


# ---------------------------------------------------------------- minimum field


def test_min_field_default_follows_the_contest_level(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.DRAFT, entries=0, judges=0)
    assert policies.min_field_of(made.event) == 0  # 地市级: no minimum
    made.contest.level = HonorLevel.PROVINCIAL
    assert policies.min_field_of(made.event) == 30
    assert policies.event_policy(made.event)["min_field"] == 30
    made.event.policy = {"min_field": 12}
    assert policies.min_field_of(made.event) == 12


def _short(db: Any, made: Any, minimum: int = 10) -> None:
    made.event.policy = {
        "min_field": minimum,
        "awards": [{"name": "一等奖", "count": 1}],
        "titles": [{"name": "江州市技术能手", "best": 1, "worst": 1}],
    }
    made.event.entry_drawn_at = made.event.created_at
    db.session.commit()


def test_short_field_needs_a_decision_and_cancel_takes_effect(
    db: Any, make_contest: Any, client: Any
) -> None:
    made = make_contest(status=S.REGISTRATION, entries=3, judges=2)
    _short(db, made)
    (item,) = turnout.questions(made.contest).short
    assert (item.entrants, item.minimum) == (3, 10)
    key = turnout.answer_key(turnout.questions(made.contest))
    with pytest.raises(ContestError, match="参赛人数不足"):
        transition(made.organizer, made.contest, S.JUDGING, answers=turnout.Answers(key))
    db.session.rollback()
    answers = turnout.Answers(key, fields={made.event.id: "cancel"})
    transition(made.organizer, made.contest, S.JUDGING, answers=answers)
    assert turnout.is_cancelled(made.event)
    assert db.session.scalar(select(func.count(Assignment.id))) == 0
    assert _audit(db, "event.short_field")[0]["choice"] == "cancel"
    with pytest.raises(panels.PanelError, match="已取消"):
        panels.assign(made.organizer, made.event, "all")
    # A cancelled event is not scored: nothing to submit, sign or publish.
    assert check_transition(made.contest, S.REVIEW) == []
    transition(made.organizer, made.contest, S.REVIEW)
    assert check_transition(made.contest, S.PUBLISHED) == []
    assert "已取消" in sign_off_blockers(made.event)[0].message
    snapshot = publishing.publish(made.organizer, made.contest)
    public = results.public_contest(made.contest.id)
    assert isinstance(public, results.PublicContest)
    assert public.events[0].cancelled and public.events[0].count == 0
    api = client.get(f"/api/v1/contests/{made.contest.id}/results").get_json()
    assert api["contest"]["events"][0]["cancelled"] is True and api["results"] == []
    book = load_workbook(io.BytesIO(result_exports.results_workbook(made.contest, snapshot)))
    info = [[cell.value for cell in row] for row in book.worksheets[-1].rows]
    assert ["A 数控车工（职工组）", "参赛人数不足最低要求，赛项已取消"] in info


def test_rank_without_awards_publishes_ranks_only(db: Any, make_contest: Any) -> None:
    made = make_contest(status=S.REGISTRATION, entries=3, judges=2)
    _short(db, made, minimum=3)  # the field is big enough now …
    made.event.policy = {**made.event.policy, "min_field": 4}  # … until the minimum is 4
    key = turnout.answer_key(turnout.questions(made.contest))
    answers = turnout.Answers(key, fields={made.event.id: "no_awards"})
    transition(made.organizer, made.contest, S.JUDGING, answers=answers)
    assert policies.field_decision(made.event) == "no_awards"
    # The policy form keeps the decision when the organizer saves it again (min_field now 1).
    policies.save_policy(made.organizer, made.event, {**made.event.policy, "min_field": 1})
    assert policies.field_decision(made.event) == "no_awards"
    made.contest.status = S.REVIEW
    write_marks(db, made)
    made.event.signed_off_at = made.event.created_at
    snapshot = publishing.publish(made.organizer, made.contest)
    rows = list(db.session.scalars(select(ResultRow).where(ResultRow.snapshot_id == snapshot.id)))
    assert sorted(r.rank for r in rows) == [1, 2, 3]
    assert all(r.award is None and not r.titles and r.certificate_no is None for r in rows)
    public = results.public_contest(made.contest.id)
    assert isinstance(public, results.PublicContest)
    assert public.events[0].no_awards and not public.events[0].cancelled


def test_back_to_registration_undoes_the_answers(db: Any, make_contest: Any) -> None:
    made = _closing(db, make_contest)
    _short(db, made)
    key = turnout.answer_key(turnout.questions(made.contest))
    answers = turnout.Answers(key, "absent", {made.event.id: "no_awards"})
    transition(made.organizer, made.contest, S.JUDGING, answers=answers)
    transition(made.organizer, made.contest, S.REGISTRATION, reason="补报名")
    assert made.entries[-1].status is EntryStatus.REGISTERED
    assert policies.field_decision(made.event) is None
    assert _audit(db, "contest.turnout_undone")[0]["entries"] == [made.entries[-1].id]


def test_no_shows_that_make_a_field_short_are_asked_about_first(db: Any, make_contest: Any) -> None:
    """20 registered, 7 checked in, minimum 10 (issue 16): marking the no-shows 缺考 leaves a
    field of 7, so the short-field question is asked on that field, not on the 20."""
    made = _closing(db, make_contest, entries=6, absent=3)
    _short(db, made, minimum=4)
    found = turnout.questions(made.contest)
    assert found.short == []
    (item,) = found.short_if_absent
    assert (item.event.id, item.entrants, item.minimum) == (made.event.id, 3, 4)
    key = turnout.answer_key(found)
    with pytest.raises(ContestError, match="参赛人数不足"):
        transition(made.organizer, made.contest, S.JUDGING, answers=turnout.Answers(key, "absent"))
    db.session.rollback()
    assert made.entries[-1].status is EntryStatus.REGISTERED
    answers = turnout.Answers(key, "absent", {made.event.id: "no_awards"})
    transition(made.organizer, made.contest, S.JUDGING, answers=answers)
    assert made.entries[-1].status is EntryStatus.ABSENT
    assert policies.field_decision(made.event) == "no_awards"
    assert policies.policy_for(made.event).awards == ()
    assert _audit(db, "event.short_field")[0]["entrants"] == 3


def test_keeping_the_no_shows_needs_no_field_answer(db: Any, make_contest: Any) -> None:
    made = _closing(db, make_contest, entries=6, absent=3)
    _short(db, made, minimum=4)
    key = turnout.answer_key(turnout.questions(made.contest))
    transition(made.organizer, made.contest, S.JUDGING, answers=turnout.Answers(key, "keep"))
    assert made.contest.status is S.JUDGING
    assert policies.field_decision(made.event) is None


def test_no_event_below_its_minimum_reaches_judging_undecided(
    db: Any, make_contest: Any, monkeypatch: Any
) -> None:
    """Whatever the answers did, a short event without a recorded choice stops the move."""
    made = _closing(db, make_contest, entries=6, absent=3)
    _short(db, made, minimum=4)

    def absent_only(actor: Any, contest: Any, given: Any) -> None:
        for entry in made.entries[3:]:
            entry.status = EntryStatus.ABSENT

    monkeypatch.setattr(turnout, "answer", absent_only)
    with pytest.raises(ContestError, match="须先选择取消该赛项或只排名、不评奖"):
        transition(made.organizer, made.contest, S.JUDGING)
    db.session.rollback()
    assert made.contest.status is S.REGISTRATION


def test_no_shows_of_a_seated_event_are_marked_absent_without_a_choice(
    db: Any, make_contest: Any, client: Any, login_as: Any
) -> None:
    """After the seat draw nobody can check in (draws.check_in), so 保留 is not offered."""
    made = _closing(db, make_contest)
    made.event.seat_drawn_at = made.event.created_at
    db.session.commit()
    no_show = made.entries[-1]
    with pytest.raises(draws.DrawError):
        draws.check_in(made.organizer, no_show)
    db.session.rollback()
    found = turnout.questions(made.contest)
    assert found.seated == [no_show] and found.undecided == []
    login_as(user=made.organizer)
    page = client.get(f"/contests/{made.contest.id}").get_data(as_text=True)
    assert "已抽取赛位号，不能再检录" in page and 'value="keep"' not in page
    data = {"to": "judging", "turnout_key": turnout.answer_key(found), "no_show": "keep"}
    client.post(f"/contests/{made.contest.id}/status", data=data)
    db.session.rollback()
    assert made.contest.status is S.JUDGING
    assert no_show.status is EntryStatus.ABSENT
    assert _audit(db, "contest.no_shows")[0]["absent"] == [no_show.id]


# ---------------------------------------------------------------- the dashboard


def test_dashboard_asks_and_a_stale_or_bad_post_changes_nothing(
    db: Any, make_contest: Any, client: Any, login_as: Any
) -> None:
    made = _closing(db, make_contest)
    login_as(user=made.organizer)
    base = f"/contests/{made.contest.id}"
    page = client.get(base).get_data(as_text=True)
    assert "1 名选手报名后未检录" in page and 'name="no_show"' in page
    key = turnout.answer_key(turnout.questions(made.contest))
    for data, message in [
        ({"to": "judging"}, "关闭报名前须先回答"),
        ({"to": "judging", "turnout_key": "0" * 16, "no_show": "absent"}, "情况已变化"),
        ({"to": "judging", "turnout_key": key, "no_show": "x"}, "标记缺考或保留"),
    ]:
        text = client.post(f"{base}/status", data=data, follow_redirects=True).get_data(
            as_text=True
        )
        assert message in text
    db.session.rollback()
    assert made.contest.status is S.REGISTRATION
    assert made.entries[-1].status is EntryStatus.REGISTERED
    data = {
        "to": "judging",
        "turnout_key": key,
        "no_show": "absent",
        "field-x": "1",
        "field-²": "cancel",
        "field-" + "9" * 5000: "cancel",
    }
    text = client.post(f"{base}/status", data=data, follow_redirects=True).get_data(as_text=True)
    assert "大赛状态已改为「比赛评分中」" in text
    db.session.rollback()
    assert made.entries[-1].status is EntryStatus.ABSENT


def test_judges_get_no_task_or_sheet_for_an_entrant_not_checked_in(
    db: Any, make_contest: Any
) -> None:
    made = _closing(db, make_contest)
    made.contest.status = S.JUDGING  # moved on before the check-in desk, old tasks kept
    db.session.flush()
    judge = made.judges[1]
    no_show = made.entries[-1]
    assert _assignments(db, no_show) == 2
    listed = [item.entry.id for item in judging.assignments_for(judge)]
    assert no_show.id not in listed and len(listed) == 3
    refused = judging.refusal(judge, no_show)
    assert refused is not None and "未检录" in str(refused)
    # An event where nobody checked in is scored as registered.
    other = _closing(db, make_contest, entries=2, absent=2)
    other.contest.status = S.JUDGING
    db.session.flush()
    assert len(judging.assignments_for(other.judges[0])) == 2
    assert judging.refusal(other.judges[0], other.entries[0]) is None


def test_one_rule_for_who_is_scored_and_who_counts_in_the_field(db: Any, make_contest: Any) -> None:
    """The review matrix shows the entries to be scored (not a no-show once check-in is used),
    and the door's 应到 leaves out the absent as well as the withdrawn (issue 16, one helper)."""
    made = _closing(db, make_contest, entries=4, absent=2)
    no_show, absent = made.entries[-2:]
    absent.status = EntryStatus.ABSENT
    db.session.flush()
    view = review.side_by_side(made.event)
    assert [row.entry.id for row in view.rows] == [e.id for e in made.entries[:2]]
    assert view.total == 2
    assert draws.desk_count(made.event).expected == 3  # two checked in + the no-show
    assert turnout.field_size(draws.status_counts(made.event)) == turnout.entrant_count(made.event)
    assert no_show.status is EntryStatus.REGISTERED
