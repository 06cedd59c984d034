"""Secret ballots of a review stage (issue 15): who voted is kept, how never; the quorum; pass
thresholds at their edges; places and the run-off among the tied; a second vote refused, also
when two requests race; the tally hidden while the ballot is open; two tellers who must agree.

Thresholds (decided in ``scoring.ballots``): 过半数 is strict — exactly half does not pass; 三分之
二以上 is inclusive — exactly two thirds passes; the quorum reads the same way.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import DateTime, func, select, text

from contest.extensions import db as _db
from contest.models import (
    AuditEntry,
    Ballot,
    BallotStatus,
    BallotTally,
    BallotVoter,
    NominationStatus,
    Outcome,
    StageDecision,
    StageMode,
    TellerCount,
)
from contest.services.nominations import ballots
from contest.services.nominations.ballots import BallotError
from tests.contest.nomination_ballot_support import build_ballot_stage

YES, NO, ABSTAIN = "yes", "no", "abstain"


def _world(make_org: Callable[..., Any], make_user: Callable[..., Any], **options: Any) -> Any:
    return build_ballot_stage(make_org, make_user, **options)


def _opened(db: Any, w: Any, **prepare: Any) -> Ballot:
    ballot = ballots.prepare(
        w.organizer,
        w.stage,
        "medal",
        places=prepare.get("places"),
        paper=prepare.get("paper", False),
    )
    ballots.open_ballot(w.chair, ballot)
    db.session.commit()
    return ballot


def _vote(db: Any, ballot: Ballot, voter: Any, *choices: str) -> None:
    ballots.cast(voter, ballot, dict(zip(ballot.nomination_ids, choices, strict=True)))
    db.session.commit()


def _decisions(w: Any) -> dict[str, Outcome]:
    rows = _db.session.scalars(select(StageDecision).where(StageDecision.stage_id == w.stage.id))
    names = {n.id: n.name for n in w.nominations}
    return {names[r.nomination_id]: r.outcome for r in rows}


# ---------------------------------------------------------------- the schema keeps the secret


def test_no_column_or_table_links_a_ballot_paper_to_a_voter(db: Any) -> None:
    tables = _db.metadata.tables
    tallies, voters = tables["ballot_tallies"], tables["ballot_voters"]
    assert set(tallies.c.keys()) == {"id", "ballot_id", "nomination_id", "choice", "count"}
    assert {fk.column.table.name for fk in tallies.foreign_keys} == {"ballots", "nominations"}
    assert set(voters.c.keys()) == {"id", "ballot_id", "user_id"}
    assert {fk.column.table.name for fk in voters.foreign_keys} == {"ballots", "users"}
    for table in (tallies, voters):
        assert not [c.name for c in table.c if isinstance(c.type, DateTime)]
    # Nothing else points at either table, and no table holds both a voter and a choice.
    for table in tables.values():
        targets = {fk.column.table.name for fk in table.foreign_keys}
        assert not targets & {"ballot_tallies", "ballot_voters"}, table.name
        if "ballots" in targets and table.name != "teller_counts":
            has_user = "users" in targets
            has_choice = {"choice", "yes", "no", "abstain"} & set(table.c.keys())
            assert not (has_user and has_choice), table.name


def test_a_vote_adds_a_voter_row_and_counters_and_nothing_else(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user)
    ballot = _opened(db, w)
    entries_before = db.session.scalar(select(func.count(AuditEntry.id)))
    _vote(db, ballot, w.members[1], YES, NO, ABSTAIN)
    assert db.session.scalars(select(BallotVoter.user_id)).all() == [w.members[1].id]
    counts = {
        (nid, choice): count
        for nid, choice, count in db.session.execute(
            select(BallotTally.nomination_id, BallotTally.choice, BallotTally.count)
        )
    }
    first, second, third = ballot.nomination_ids
    assert {k: v for k, v in counts.items() if v} == {
        (first, YES): 1,
        (second, NO): 1,
        (third, ABSTAIN): 1,
    }
    assert len(counts) == 9
    # No audit entry says who voted when (that would be a timestamp beside the counters).
    assert db.session.scalar(select(func.count(AuditEntry.id))) == entries_before


def test_every_counter_is_rewritten_by_each_vote_so_postgres_row_versions_tell_nothing(
    db: Any, make_org: Any, make_user: Any, engine_name: str
) -> None:
    if engine_name != "postgres":
        pytest.skip("xmin is PostgreSQL's")
    w = _world(make_org, make_user)
    ballot = _opened(db, w)
    _vote(db, ballot, w.members[1], YES, NO, ABSTAIN)
    _vote(db, ballot, w.members[2], NO, NO, YES)
    versions = db.session.execute(text("SELECT DISTINCT xmin::text FROM ballot_tallies")).all()
    assert len(versions) == 1  # all written by the last vote alike


def test_the_count_of_voters_equals_the_count_of_papers(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user)
    ballot = _opened(db, w)
    _vote(db, ballot, w.members[0], YES, YES, NO)
    _vote(db, ballot, w.members[1], YES, NO, NO)
    outcome = ballots.close_ballot(w.chair, ballot)
    db.session.commit()
    assert outcome.present == 2
    assert all(row.total == 2 for row in outcome.rows)
    assert ballots.turnout(ballot) == (2, 3)


# ---------------------------------------------------------------- one vote per member


def test_a_second_vote_is_refused_and_counts_nothing(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user)
    ballot = _opened(db, w)
    _vote(db, ballot, w.members[1], YES, YES, YES)
    with pytest.raises(BallotError, match="已经投过票"):
        ballots.cast(w.members[1], ballot, dict.fromkeys(ballot.nomination_ids, NO))
    db.session.rollback()
    total = db.session.scalar(select(func.sum(BallotTally.count)))
    assert total == 3


def test_two_racing_votes_of_one_member_count_once(
    app: Flask, db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user)
    ballot = _opened(db, w)
    ballot_id, voter_id = ballot.id, w.members[1].id
    db.session.rollback()
    db.session.remove()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def vote(choice: str) -> None:
        with app.app_context():
            from contest.models import User

            voter = _db.session.get(User, voter_id)
            found = _db.session.get(Ballot, ballot_id)
            assert voter is not None and found is not None
            start.wait()
            try:
                ballots.cast(voter, found, dict.fromkeys(found.nomination_ids, choice))
                _db.session.commit()
                outcomes.append("counted")
            except BallotError as error:
                _db.session.rollback()
                outcomes.append(error.message)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=vote, args=(c,)) for c in (YES, NO)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes)[0] == "counted" and len(outcomes) == 2
    assert "已经投过票" in sorted(outcomes)[1]
    assert db.session.scalar(select(func.count(BallotVoter.id))) == 1
    assert db.session.scalar(select(func.sum(BallotTally.count))) == 3


def test_only_members_vote_and_only_while_open(db: Any, make_org: Any, make_user: Any) -> None:
    w = _world(make_org, make_user)
    ballot = ballots.prepare(w.organizer, w.stage, "medal", places=None, paper=False)
    db.session.commit()
    with pytest.raises(BallotError, match="尚未开始"):
        ballots.cast(w.members[1], ballot, dict.fromkeys(ballot.nomination_ids, YES))
    db.session.rollback()
    ballots.open_ballot(w.chair, ballot)
    db.session.commit()
    with pytest.raises(BallotError, match="不是本环节"):
        ballots.cast(w.organizer, ballot, dict.fromkeys(ballot.nomination_ids, YES))
    db.session.rollback()
    with pytest.raises(BallotError, match="没有表态"):
        ballots.cast(w.members[1], ballot, {ballot.nomination_ids[0]: YES})
    db.session.rollback()
    assert db.session.scalar(select(func.count(BallotVoter.id))) == 0


def test_only_the_chair_opens_and_closes(db: Any, make_org: Any, make_user: Any) -> None:
    w = _world(make_org, make_user)
    ballot = ballots.prepare(w.organizer, w.stage, "medal", places=None, paper=False)
    for someone in (w.members[1], w.organizer):
        with pytest.raises(BallotError, match="主持人"):
            ballots.open_ballot(someone, ballot)
    ballots.open_ballot(w.chair, ballot)
    with pytest.raises(BallotError, match="主持人"):
        ballots.close_ballot(w.members[1], ballot)


# ---------------------------------------------------------------- the tally stays hidden


def test_the_tally_is_hidden_while_the_ballot_is_open(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user)
    ballot = _opened(db, w)
    _vote(db, ballot, w.members[1], YES, NO, NO)
    with pytest.raises(BallotError, match="投票结束后"):
        ballots.result(ballot)


# ---------------------------------------------------------------- quorum


def test_closing_below_the_quorum_is_refused_and_the_ballot_stays_open(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user, members=4)  # two thirds of 4 is 2.67: 3 needed
    ballot = _opened(db, w)
    _vote(db, ballot, w.members[1], YES, YES, YES)
    _vote(db, ballot, w.members[2], YES, YES, YES)
    with pytest.raises(BallotError) as refused:
        ballots.close_ballot(w.chair, ballot)
    assert "已投票）2 人，不足法定人数 3 人" in refused.value.message
    db.session.rollback()
    assert db.session.get(Ballot, ballot.id).status is BallotStatus.OPEN
    assert _decisions(w) == {}
    _vote(db, ballot, w.members[3], NO, NO, NO)
    ballots.close_ballot(w.chair, ballot)
    db.session.commit()
    assert db.session.get(Ballot, ballot.id).status is BallotStatus.CLOSED


def test_exactly_two_thirds_present_is_a_quorum(db: Any, make_org: Any, make_user: Any) -> None:
    w = _world(make_org, make_user, members=3)
    ballot = _opened(db, w)
    _vote(db, ballot, w.members[1], YES, YES, YES)
    _vote(db, ballot, w.members[2], YES, YES, NO)
    outcome = ballots.close_ballot(w.chair, ballot)  # 2 of 3 with a stored 0.6667
    assert outcome.quorum == 2


def test_a_ballot_below_quorum_can_be_voided_with_a_reason_and_held_again(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user, members=4)
    ballot = _opened(db, w)
    _vote(db, ballot, w.members[1], YES, NO, YES)
    with pytest.raises(BallotError, match="原因"):
        ballots.void_ballot(w.chair, ballot, "  ")
    ballots.void_ballot(w.chair, ballot, "到会委员不足，改期投票")
    db.session.commit()
    assert ballot.status is BallotStatus.DRAFT
    assert db.session.scalar(select(func.count(BallotVoter.id))) == 0
    assert db.session.scalar(select(func.count(BallotTally.id))) == 0
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "nomination.ballot.void")
    ).one()
    assert entry.reason == "到会委员不足，改期投票"
    assert "yes" not in (entry.before or "")  # a void ballot's counts are never kept
    ballots.open_ballot(w.chair, ballot)
    _vote(db, ballot, w.members[1], NO, NO, NO)  # the same member votes again after the void
    assert ballots.turnout(ballot) == (1, 4)


# ---------------------------------------------------------------- thresholds at their edges


def test_exactly_half_of_the_members_does_not_pass_more_than_half(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user, members=4, nominees=2)
    ballot = _opened(db, w)
    for member, choices in zip(
        w.members, [(YES, YES), (YES, YES), (NO, YES), (NO, ABSTAIN)], strict=True
    ):
        _vote(db, ballot, member, *choices)
    outcome = ballots.close_ballot(w.chair, ballot)
    db.session.commit()
    assert outcome.needed == 3
    assert [(r.yes, r.passes) for r in outcome.rows] == [(2, False), (3, True)]
    assert _decisions(w) == {"王建国": Outcome.REJECT, "李秀英": Outcome.PASS}
    assert w.nominations[0].status is NominationStatus.REJECTED


def test_more_than_half_of_the_members_counts_those_absent(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user, members=5, nominees=1)
    ballot = _opened(db, w)
    for member in w.members[:4]:
        _vote(db, ballot, member, YES if member is not w.members[3] else NO)
    # 3 of 4 present is a majority of those present and also 3 > 5 / 2.
    outcome = ballots.close_ballot(w.chair, ballot)
    assert outcome.rows[0].passes and outcome.needed == 3


def test_exactly_two_thirds_passes_a_two_thirds_rule(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user, members=3, nominees=2, pass_share="0.6667")
    ballot = _opened(db, w)
    _vote(db, ballot, w.members[0], YES, YES)
    _vote(db, ballot, w.members[1], YES, NO)
    _vote(db, ballot, w.members[2], NO, NO)
    outcome = ballots.close_ballot(w.chair, ballot)
    assert outcome.needed == 2
    assert [r.passes for r in outcome.rows] == [True, False]


def test_of_those_present(db: Any, make_org: Any, make_user: Any) -> None:
    w = _world(make_org, make_user, members=4, nominees=1, pass_base="present")
    ballot = _opened(db, w)
    _vote(db, ballot, w.members[0], YES)
    _vote(db, ballot, w.members[1], YES)
    _vote(db, ballot, w.members[2], NO)
    outcome = ballots.close_ballot(w.chair, ballot)  # 2 of 3 present is more than half
    assert outcome.rows[0].passes and outcome.needed == 2
    assert "到会委员（3 人）的半数，即至少 2 票" in ballots.rule_text(w.stage, 4, 3)


def test_rules_are_set_from_the_offered_choices_and_fixed_once_voting_starts(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user)
    ballots.set_rules(
        w.organizer,
        w.stage,
        pass_rule="two_thirds_present",
        quorum_rule="half",
        ballot_top=None,
        runoff=False,
    )
    assert ballots.pass_rule_key(w.stage) == "two_thirds_present"
    assert ballots.quorum_rule_key(w.stage) == "half"
    with pytest.raises(BallotError):
        ballots.set_rules(
            w.organizer, w.stage, pass_rule="most", quorum_rule="half", ballot_top=None, runoff=True
        )
    _opened(db, w)
    with pytest.raises(BallotError, match="不能再修改"):
        ballots.set_rules(
            w.organizer,
            w.stage,
            pass_rule="half_members",
            quorum_rule="two_thirds",
            ballot_top=None,
            runoff=True,
        )


# ---------------------------------------------------------------- places and the run-off


def test_a_tie_at_the_boundary_of_the_places_goes_to_a_runoff_among_the_tied(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user, members=3, nominees=3, quota=2)
    assert ballots.places_left(w.stage, "medal") == 2
    ballot = _opened(db, w, places=2)
    _vote(db, ballot, w.members[0], YES, YES, YES)
    _vote(db, ballot, w.members[1], YES, YES, YES)
    _vote(db, ballot, w.members[2], YES, NO, NO)
    outcome = ballots.close_ballot(w.chair, ballot)
    db.session.commit()
    # 王建国 3 is in; 李秀英 and 张志强 both passed with 2 and tie for the one place left.
    assert [r.place for r in outcome.rows] == ["elected", "tied", "tied"]
    assert _decisions(w) == {"王建国": Outcome.PASS}
    child = db.session.scalars(select(Ballot).where(Ballot.parent_id == ballot.id)).one()
    assert child.nomination_ids == ballot.nomination_ids[1:]
    assert child.places == 1 and child.status is BallotStatus.DRAFT

    ballots.open_ballot(w.chair, child)
    db.session.commit()
    _vote(db, child, w.members[0], YES, NO)
    _vote(db, child, w.members[1], YES, NO)
    _vote(db, child, w.members[2], NO, YES)
    runoff = ballots.close_ballot(w.chair, child)
    db.session.commit()
    assert [r.place for r in runoff.rows] == ["elected", "failed"]
    assert _decisions(w) == {
        "王建国": Outcome.PASS,
        "李秀英": Outcome.PASS,
        "张志强": Outcome.REJECT,
    }
    assert [n.name for n in ballots.passed(w.stage)] == ["王建国", "李秀英"]


def test_without_runoffs_the_chair_decides_a_tie_explicitly(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user, members=3, nominees=2, quota=1, runoff=False)
    ballot = _opened(db, w, places=1)
    for member in w.members:
        _vote(db, ballot, member, YES, YES)
    outcome = ballots.close_ballot(w.chair, ballot)
    db.session.commit()
    assert [r.place for r in outcome.rows] == ["tied", "tied"]
    assert db.session.scalar(select(func.count(Ballot.id))) == 1  # no run-off
    assert _decisions(w) == {}  # never settled by list order
    second = w.nominations[1].id
    with pytest.raises(BallotError, match="选出 1 人"):
        ballots.resolve_tie(w.chair, ballot, [], "按评分")
    with pytest.raises(BallotError, match="理由"):
        ballots.resolve_tie(w.chair, ballot, [second], "")
    with pytest.raises(BallotError, match="主持人"):
        ballots.resolve_tie(w.members[1], ballot, [second], "按评分")
    ballots.resolve_tie(w.chair, ballot, [second], "评分较高者当选，经委员会同意")
    db.session.commit()
    assert _decisions(w) == {"王建国": Outcome.REJECT, "李秀英": Outcome.PASS}


def test_more_passers_than_places_with_distinct_counts_go_by_most_yes(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user, members=3, nominees=3)
    ballot = _opened(db, w, places=1)
    _vote(db, ballot, w.members[0], YES, YES, NO)
    _vote(db, ballot, w.members[1], YES, YES, NO)
    _vote(db, ballot, w.members[2], NO, YES, NO)
    outcome = ballots.close_ballot(w.chair, ballot)
    assert [r.place for r in outcome.rows] == ["out", "elected", "failed"]


def test_a_scoring_ballot_puts_the_top_scores_on_the_paper(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user, nominees=4, mode=StageMode.SCORING_BALLOT)
    ballot = ballots.prepare(w.organizer, w.stage, "medal", places=None, paper=False)
    assert ballot.nomination_ids == [w.nominations[0].id, w.nominations[1].id]
    # A ranking handed in by the expert stage wins over the stored scores.
    db.session.delete(ballot)
    ranking = [(w.nominations[3].id, None), (w.nominations[2].id, None)]
    with pytest.raises(BallotError, match="评分尚未完成"):
        ballots.prepare(w.organizer, w.stage, "medal", places=None, paper=False, ranking=ranking)


def test_a_second_ballot_of_the_same_award_is_refused(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user)
    ballots.prepare(w.organizer, w.stage, "medal", places=None, paper=False)
    with pytest.raises(BallotError, match="已经安排"):
        ballots.prepare(w.organizer, w.stage, "medal", places=None, paper=False)


# ---------------------------------------------------------------- paper ballots and tellers


def test_two_tellers_must_agree_before_the_count_becomes_the_tally(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user, members=5, nominees=2)
    ballot = _opened(db, w, paper=True)
    first, second = ballot.nomination_ids
    with pytest.raises(BallotError, match="到会人数"):
        ballots.enter_count(w.members[1], ballot, {first: (3, 1, 0), second: (2, 2, 0)})
    ballots.set_present(w.chair, ballot, 4)
    with pytest.raises(BallotError, match="应等于到会人数 4"):
        ballots.enter_count(w.members[1], ballot, {first: (3, 1, 1), second: (2, 2, 0)})
    ballots.enter_count(w.members[1], ballot, {first: (3, 1, 0), second: (2, 2, 0)})
    state = ballots.enter_count(w.members[2], ballot, {first: (3, 1, 0), second: (2, 1, 1)})
    db.session.commit()
    assert not state.agreed
    assert [(d.nomination.id, d.first, d.second) for d in state.differences] == [
        (second, (2, 2, 0), (2, 1, 1))
    ]
    with pytest.raises(BallotError, match="还没有一致"):
        ballots.close_ballot(w.chair, ballot)
    with pytest.raises(BallotError, match="两名计票人"):
        ballots.enter_count(w.members[3], ballot, {first: (3, 1, 0), second: (2, 2, 0)})
    db.session.rollback()
    assert db.session.scalar(select(func.sum(BallotTally.count))) == 0
    state = ballots.enter_count(w.members[2], ballot, {first: (3, 1, 0), second: (2, 2, 0)})
    assert state.agreed and not state.differences
    outcome = ballots.close_ballot(w.chair, ballot)
    db.session.commit()
    assert [(r.yes, r.no, r.abstain, r.passes) for r in outcome.rows] == [
        (3, 1, 0, True),
        (2, 2, 0, False),
    ]
    assert outcome.present == 4 and outcome.needed == 3
    assert db.session.scalar(select(func.count(TellerCount.id))) == 4


# ---------------------------------------------------------------- the audit trail


def test_the_result_and_tally_go_into_the_audit_trail_as_counts_only(
    db: Any, make_org: Any, make_user: Any
) -> None:
    w = _world(make_org, make_user, nominees=2)
    ballot = _opened(db, w)
    for member in w.members:
        _vote(db, ballot, member, YES, NO)
    ballots.close_ballot(w.chair, ballot)
    db.session.commit()
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "nomination.ballot.close")
    ).one()
    after = json.loads(entry.after or "{}")
    assert set(after) == {
        "stage",
        "ballot",
        "committee",
        "present",
        "quorum",
        "needed",
        "places",
        "tally",
    }
    assert after["present"] == 3
    assert set(after["tally"]) == {str(n.id) for n in w.nominations}
    first = after["tally"][str(w.nominations[0].id)]
    assert first == {"yes": 3, "no": 0, "abstain": 0, "result": "elected"}


# ---------------------------------------------------------------- the pages


def _body(response: Any) -> str:
    return str(response.get_data(as_text=True))


def test_a_member_votes_on_the_page_confirms_a_summary_and_then_sees_only_that_they_voted(
    db: Any, make_org: Any, make_user: Any, login_as: Any, client: Any
) -> None:
    w = _world(make_org, make_user)
    ballot = _opened(db, w)
    ids = ballot.nomination_ids
    login_as(user=w.members[1])
    url = f"/nominations/ballots/{ballot.id}/vote"
    page = _body(client.get(url))
    assert page.count('type="radio"') == 9 and "王建国" in page and "核对选择" in page
    partial = client.post(url, data={"step": "review", f"c{ids[0]}": YES})
    assert partial.status_code == 400 and "还有 2 名被推荐人没有表态" in _body(partial)
    paper = {f"c{ids[0]}": YES, f"c{ids[1]}": NO, f"c{ids[2]}": ABSTAIN}
    summary = _body(client.post(url, data={"step": "review", **paper}))
    assert "请核对您的选择" in summary and "确认提交" in summary
    assert db.session.scalar(select(func.count(BallotVoter.id))) == 0  # nothing cast yet
    assert client.post(url, data={"step": "confirm", **paper}).status_code == 302
    after = _body(client.get(url))
    assert "已投票" in after and 'type="radio"' not in after and "ballot-mark" not in after
    again = client.post(url, data={"step": "confirm", **paper})
    assert again.status_code == 409 and "已经投过票" in _body(again)
    assert db.session.scalar(select(func.sum(BallotTally.count))) == 3


def test_the_chair_sees_the_turnout_but_no_counts_until_the_close(
    db: Any, make_org: Any, make_user: Any, login_as: Any, client: Any
) -> None:
    w = _world(make_org, make_user)
    ballot = _opened(db, w)
    _vote(db, ballot, w.members[1], YES, YES, NO)
    _vote(db, ballot, w.members[2], YES, NO, NO)
    login_as(user=w.chair)
    console = _body(client.get(f"/nominations/ballots/{ballot.id}"))
    assert "data-voted>2</strong> / <span data-members>3" in console
    assert 'id="result"' not in console and "ballot-place-" not in console
    turnout = client.get(f"/nominations/ballots/{ballot.id}/turnout").get_json()
    assert turnout.pop("close_text").startswith("已投票 2 / 3 人")
    assert turnout == {"status": "open", "voted": 2, "members": 3, "quorum": 2}
    assert client.get(f"/nominations/ballots/{ballot.id}/sheet.pdf").status_code == 404
    closed = client.post(f"/nominations/ballots/{ballot.id}/close", data={"confirmed": "1"})
    assert closed.status_code == 302
    result = _body(client.get(f"/nominations/ballots/{ballot.id}"))
    assert 'id="result"' in result and "打印票数统计表" in result
    pdf = client.get(f"/nominations/ballots/{ballot.id}/sheet.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_close_without_confirmation_asks_first_and_a_refusal_is_a_message(
    db: Any, make_org: Any, make_user: Any, login_as: Any, client: Any
) -> None:
    w = _world(make_org, make_user, members=4)
    ballot = _opened(db, w)
    _vote(db, ballot, w.members[1], YES, YES, NO)
    login_as(user=w.chair)
    asked = client.post(f"/nominations/ballots/{ballot.id}/close")
    assert asked.status_code == 200 and "结束投票并计票？" in _body(asked)
    refused = client.post(
        f"/nominations/ballots/{ballot.id}/close", data={"confirmed": "1"}, follow_redirects=True
    )
    assert "不足法定人数 3 人" in _body(refused)
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).status is BallotStatus.OPEN


def test_who_may_reach_the_pages(
    db: Any, make_org: Any, make_user: Any, login_as: Any, client: Any
) -> None:
    w = _world(make_org, make_user)
    ballot = _opened(db, w)
    login_as("reviewer")  # not on the committee
    assert client.get(f"/nominations/ballots/{ballot.id}/vote").status_code == 403
    assert client.get(f"/nominations/ballots/{ballot.id}").status_code == 403
    assert client.get(f"/nominations/stages/{w.stage.id}/ballots").status_code == 403
    assert client.get("/nominations/ballots/99999").status_code == 404
    client.post("/logout")
    login_as(user=w.organizer)  # organizes, does not sit: sees, does not vote
    assert client.get(f"/nominations/ballots/{ballot.id}").status_code == 200
    assert client.get(f"/nominations/ballots/{ballot.id}/vote").status_code == 403


def test_the_organizer_sets_rules_and_prepares_a_ballot_on_the_stage_page(
    db: Any, make_org: Any, make_user: Any, login_as: Any, client: Any
) -> None:
    w = _world(make_org, make_user, quota=2)
    login_as(user=w.organizer)
    page = _body(client.get(f"/nominations/stages/{w.stage.id}/ballots"))
    assert "赞成票超过全体委员（3 人）的半数，即至少 2 票" in page
    assert "江州市五一劳动奖章尚余名额 2 名" in page
    bad = client.post(
        f"/nominations/stages/{w.stage.id}/ballots/rules",
        data={"pass_rule": "everyone", "quorum_rule": "half"},
    )
    assert bad.status_code == 400
    saved = client.post(
        f"/nominations/stages/{w.stage.id}/ballots/rules",
        data={"pass_rule": "two_thirds_members", "quorum_rule": "two_thirds", "runoff": "y"},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert ballots.pass_rule_key(w.stage) == "two_thirds_members"
    made = client.post(
        f"/nominations/stages/{w.stage.id}/ballots/prepare",
        data={"award": "medal", "places": "2"},
    )
    assert made.status_code == 302
    ballot = db.session.scalars(select(Ballot)).one()
    assert ballot.places == 2 and len(ballot.nomination_ids) == 3
    again = client.post(
        f"/nominations/stages/{w.stage.id}/ballots/prepare", data={"award": "medal"}
    )
    assert again.status_code == 400 and "已经安排了该奖项的投票" in _body(again)


def test_a_teller_typing_nonsense_gets_a_message_and_nothing_is_stored(
    db: Any, make_org: Any, make_user: Any, login_as: Any, client: Any
) -> None:
    w = _world(make_org, make_user, nominees=2)
    ballot = _opened(db, w, paper=True)
    ballots.set_present(w.chair, ballot, 3)
    db.session.commit()
    first, second = ballot.nomination_ids
    login_as(user=w.members[1])
    url = f"/nominations/ballots/{ballot.id}/count"
    bad = client.post(
        url,
        data={
            f"yes{first}": "二",
            f"no{first}": "1",
            f"abstain{first}": "0",
            f"yes{second}": "-1",
            f"no{second}": "99999999999",
            f"abstain{second}": "0",
        },
    )
    assert bad.status_code == 400 and "王建国、李秀英" in _body(bad)
    assert db.session.scalar(select(func.count(TellerCount.id))) == 0
    good = client.post(
        url,
        data={
            f"yes{first}": "2",
            f"no{first}": "1",
            f"abstain{first}": "0",
            f"yes{second}": "1",
            f"no{second}": "1",
            f"abstain{second}": "1",
        },
    )
    assert good.status_code == 302
    assert "等待另一名计票人录入" in _body(client.get(url))


def test_a_scoring_ballot_without_expert_scores_is_refused_on_the_page(
    db: Any, make_org: Any, make_user: Any, login_as: Any, client: Any
) -> None:
    w = _world(make_org, make_user, mode=StageMode.SCORING_BALLOT)
    login_as(user=w.organizer)
    refused = client.post(
        f"/nominations/stages/{w.stage.id}/ballots/prepare", data={"award": "medal"}
    )
    assert refused.status_code == 400 and "评分尚未完成" in _body(refused)
    assert db.session.scalar(select(func.count(Ballot.id))) == 0


def test_the_chair_voids_on_the_page_with_a_reason(
    db: Any, make_org: Any, make_user: Any, login_as: Any, client: Any
) -> None:
    w = _world(make_org, make_user)
    ballot = _opened(db, w)
    _vote(db, ballot, w.members[1], YES, YES, NO)
    login_as(user=w.chair)
    url = f"/nominations/ballots/{ballot.id}/void"
    empty = client.post(url, data={"reason": "  "}, follow_redirects=True)
    assert "请说明作废的原因" in _body(empty)
    done = client.post(url, data={"reason": "到会委员不足"}, follow_redirects=True)
    assert "本次投票已作废" in _body(done)
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).status is BallotStatus.DRAFT
    assert db.session.scalar(select(func.count(BallotVoter.id))) == 0


def test_a_member_added_after_the_opening_cannot_push_the_papers_past_the_committee(
    db: Any, make_org: Any, make_user: Any
) -> None:
    from contest.models import StageMember

    w = _world(make_org, make_user, members=2, nominees=1)
    ballot = _opened(db, w)
    late = make_user("reviewer", username="late", organization=w.host)
    db.session.add(StageMember(stage_id=w.stage.id, user_id=late.id))
    db.session.commit()
    _vote(db, ballot, w.members[0], YES)
    _vote(db, ballot, late, YES)
    with pytest.raises(BallotError, match="已达到开始投票时的委员人数"):
        ballots.cast(w.members[1], ballot, {ballot.nomination_ids[0]: NO})
    db.session.rollback()
    outcome = ballots.close_ballot(w.chair, ballot)
    assert outcome.present == 2 == outcome.members
