"""The review chain and the expert scoring of a nomination campaign (issue 13 items 6 and 7):
stage order and gating, outcomes with reasons, 一票否决, 退回修改 and resubmission, recusal,
征求意见, expert sheets on the one engine, blind mode, aggregation and ranking with ties, the
result within the quota and a ≤ composition rule, and the pages with their permissions."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from contest.extensions import db
from contest.models import (
    AuditEntry,
    NominationStatus,
    Outcome,
    ScoreSheet,
    SheetStatus,
    SlateRule,
    StageMode,
    StageStatus,
)
from contest.services.assessment.sheets import (
    MarkErrors,
    NotAllowed,
    SheetLocked,
    StaleSheet,
    marks_of,
)
from contest.services.nominations import consultations, expert, review
from contest.services.nominations.review import NotPermitted, ReviewError
from tests.contest.nomination_review_support import (
    AWARD,
    add_stage,
    build_world,
    marks,
    pass_all,
)


@pytest.fixture
def world(db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> SimpleNamespace:
    return build_world(make_org, make_user)


def host_reviewers(world: SimpleNamespace) -> list[Any]:
    return world.reviewers[:2]


def actions() -> list[str]:
    return [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]


# ---------------------------------------------------------------- the chain


def test_the_default_chain_runs_in_order_and_only_passed_nominations_go_on(
    world: SimpleNamespace,
) -> None:
    organizer = world.organizer
    chain = review.install_default_chain(organizer, world.campaign)
    db.session.commit()
    assert [(s.name, s.mode) for s in chain] == [
        ("初审", StageMode.REVIEW),
        ("征求意见", StageMode.REVIEW),
        ("复审", StageMode.REVIEW),
        ("专家评审", StageMode.SCORING),
        ("终审", StageMode.REVIEW),
    ]
    with pytest.raises(ReviewError):
        review.install_default_chain(organizer, world.campaign)
    first, second = chain[0], chain[1]
    # No members yet; a later stage before the earlier one ends.
    assert any("成员" in p for p in review.open_problems(first))
    review.add_member(organizer, second, world.reviewers[0])
    assert any("初审" in p for p in review.open_problems(second))
    with pytest.raises(ReviewError, match="初审"):
        review.open_stage(organizer, second)
    review.add_member(organizer, first, world.reviewers[0], is_chair=True)
    review.open_stage(organizer, first)
    db.session.commit()
    assert first.status is StageStatus.OPEN
    assert len(review.entrants(first)) == 5
    # Only an organizer of the campaign sets the chain up.
    with pytest.raises(NotPermitted):
        review.add_stage(world.outsider, world.campaign, review.StageData("加试", StageMode.REVIEW))
    # Closing needs a decision on every nomination.
    with pytest.raises(ReviewError, match="5 份推荐未作出审核结论"):
        review.close_stage(organizer, first)
    pass_all(world, first, world.reviewers[0], except_=("张志强",))
    review.decide(
        world.reviewers[0], first, world.by_name["张志强"], Outcome.REJECT, "不符合推荐条件"
    )
    review.close_stage(organizer, first)
    review.open_stage(organizer, second)
    db.session.commit()
    names = {n.name for n in review.entrants(second)}
    assert names == {"王建国", "陈小梅", "李秀英", "赵大勇"}
    assert world.by_name["张志强"].status is NominationStatus.REJECTED
    # A started stage keeps its place and cannot be deleted.
    with pytest.raises(ReviewError):
        review.delete_stage(organizer, first)
    with pytest.raises(ReviewError):
        review.move_stage(organizer, second, -1)
    assert {"nomination.stage.default", "nomination.stage.open", "nomination.stage.close"} <= set(
        actions()
    )


def test_a_stage_may_reopen_only_while_the_next_has_not_started(world: SimpleNamespace) -> None:
    one = add_stage(world, "初审", StageMode.REVIEW, host_reviewers(world))
    two = add_stage(world, "复审", StageMode.REVIEW, host_reviewers(world))
    review.open_stage(world.organizer, one)
    pass_all(world, one, world.reviewers[0])
    review.close_stage(world.organizer, one)
    with pytest.raises(ReviewError, match="原因"):
        review.reopen_stage(world.organizer, one, "")
    review.reopen_stage(world.organizer, one, "补充材料后重新审核")
    review.close_stage(world.organizer, one)
    review.open_stage(world.organizer, two)
    with pytest.raises(ReviewError, match="复审"):
        review.reopen_stage(world.organizer, one, "再看一次")


def test_outcomes_need_reasons_and_a_veto_rejects(world: SimpleNamespace) -> None:
    stage = add_stage(world, "初审", StageMode.REVIEW, host_reviewers(world))
    review.open_stage(world.organizer, stage)
    member = world.reviewers[0]
    wang = world.by_name["王建国"]
    for outcome in (Outcome.RETURN, Outcome.REJECT):
        with pytest.raises(ReviewError) as refused:
            review.decide(member, stage, wang, outcome, "  ")
        assert refused.value.field == "reason"
    with pytest.raises(ReviewError, match="一票否决的理由"):
        review.decide(member, stage, wang, Outcome.PASS, "", veto=True)
    assert review.decision_of(stage, wang) is None
    decision = review.decide(member, stage, wang, Outcome.PASS, "发生较大生产安全事故", veto=True)
    db.session.commit()
    assert decision.outcome is Outcome.REJECT and decision.veto
    assert wang.status is NominationStatus.REJECTED
    assert wang.status_reason == "一票否决：发生较大生产安全事故"
    # A decision may be changed while the stage runs.
    review.decide(member, stage, wang, Outcome.PASS, "经核实，事故责任不在本人")
    assert wang.status is NominationStatus.SUBMITTED
    entry = db.session.query(AuditEntry).filter_by(action="nomination.review.decide").all()[-1]
    assert entry.target_type == "nomination" and entry.target_id == str(wang.id)
    # Not a member: refused.
    with pytest.raises(NotPermitted):
        review.decide(world.stranger, stage, wang, Outcome.PASS, "")


def test_a_return_goes_back_to_the_unit_and_the_resubmission_reenters_the_stage(
    world: SimpleNamespace,
) -> None:
    stage = add_stage(world, "初审", StageMode.REVIEW, host_reviewers(world))
    review.open_stage(world.organizer, stage)
    member = world.reviewers[0]
    li = world.by_name["李秀英"]
    review.decide(member, stage, li, Outcome.RETURN, "缺少市场监管部门意见")
    db.session.commit()
    assert li.status is NominationStatus.RETURNED
    assert li.status_reason == "缺少市场监管部门意见"
    assert {r.nomination.name: r.state for r in review.rows(stage)}["李秀英"] == review.RETURNED
    with pytest.raises(ReviewError, match="重新报送"):
        review.decide(member, stage, li, Outcome.PASS, "")
    # The unit corrects it and submits again (the recommender's side): pending here again.
    li.status = NominationStatus.SUBMITTED
    db.session.commit()
    assert {r.nomination.name: r.state for r in review.rows(stage)}["李秀英"] == review.PENDING
    review.decide(member, stage, li, Outcome.PASS, "材料已补齐")
    # Returned again and never resubmitted: closing turns it down with the reason.
    zhao = world.by_name["赵大勇"]
    review.decide(member, stage, zhao, Outcome.RETURN, "事迹材料超字数")
    pass_all(world, stage, member)
    check = review.close_problems(stage)
    assert [n.name for n in check.returned] == ["赵大勇"]
    review.close_stage(world.organizer, stage)
    db.session.commit()
    assert zhao.status is NominationStatus.REJECTED
    assert "重新报送" in (zhao.status_reason or "")


def test_members_of_the_nominees_unit_or_its_recommending_line_stand_aside(
    world: SimpleNamespace,
) -> None:
    stage = add_stage(world, "初审", StageMode.REVIEW, world.reviewers)
    review.open_stage(world.organizer, stage)
    _host, _host2, factory, district = world.reviewers
    wang, chen, zhang = (world.by_name[n] for n in ("王建国", "陈小梅", "张志强"))
    # 陈小梅 is of the factory: its reviewer stands aside; 王建国 is of the factory's workshop,
    # which the district recommended: the factory lies above it within that unit.
    assert "同属一个单位" in (review.recusal_reason(factory, chen) or "")
    assert "上级单位或推荐单位" in (review.recusal_reason(factory, wang) or "")
    # The district recommended both: its reviewer stands aside, not for 张志强 of the port.
    assert "上级单位或推荐单位" in (review.recusal_reason(district, wang) or "")
    assert review.recusal_reason(district, zhang) is None
    # The host's reviewers never.
    assert review.recusal_reason(world.reviewers[0], wang) is None
    with pytest.raises(NotPermitted, match="回避"):
        review.decide(factory, stage, wang, Outcome.PASS, "")
    review.decide(factory, stage, zhang, Outcome.PASS, "")
    marked = {r.nomination.name: r.recused for r in review.rows(stage, district)}
    assert marked["王建国"] and marked["陈小梅"] and not marked["张志强"]


def test_consultation_answers_follow_the_nominees_groups(world: SimpleNamespace) -> None:
    li, wang = world.by_name["李秀英"], world.by_name["王建国"]
    assert consultations.checklist(li) == ["市场监管", "税务", "人社"]
    assert consultations.checklist(wang) == []
    with pytest.raises(ReviewError) as refused:
        consultations.record(world.organizer, li, "税务", False, "")
    assert refused.value.field == "note"
    with pytest.raises(ReviewError, match="不在"):
        consultations.record(world.organizer, li, "纪检监察", True, "")
    with pytest.raises(NotPermitted):
        consultations.record(world.reviewers[0], li, "税务", True, "")
    consultations.record(world.organizer, li, "市场监管", True, "")
    consultations.record(world.organizer, li, "税务", False, "2024 年有一笔欠税，已补缴")
    db.session.commit()
    summary = consultations.summary(li)
    assert (summary.total, summary.cleared, summary.issues, summary.waiting) == (3, 1, 1, 1)
    assert [a.note for a in consultations.answers(li)][1] == "2024 年有一笔欠税，已补缴"
    assert "nomination.consultation" in actions()


# ---------------------------------------------------------------- expert scoring


def scoring_stage(world: SimpleNamespace, **options: Any) -> Any:
    experts = options.pop("experts", world.experts[:3])
    stage = add_stage(world, "专家评审", StageMode.SCORING, experts, template="may_day", **options)
    review.open_stage(world.organizer, stage)
    db.session.commit()
    return stage


def test_the_rubric_comes_from_a_template_or_own_items_and_locks_with_the_first_sheet(
    world: SimpleNamespace,
) -> None:
    stage = add_stage(world, "专家评审", StageMode.SCORING, world.experts[:3])
    assert any("评分细则" in p for p in review.open_problems(stage))
    expert.apply_template(world.organizer, stage, "model_worker")
    items = expert.items_of(stage)
    assert expert.full_marks(items) == Decimal(100)
    assert {a.kind.value for a in items} == {"measurement", "judgement", "deduction", "bonus"}
    expert.apply_template(world.organizer, stage, "may_day")
    own = expert.AspectData(
        key="X1", name="群众评议", kind=expert.AspectKind.MEASUREMENT, max_points=Decimal(5)
    )
    expert.add_item(world.organizer, stage, "附加评议", own)
    with pytest.raises(expert.RubricError):
        expert.add_item(world.organizer, stage, "附加评议", own)  # the key is taken
    veto = expert.AspectData(
        key="V1", name="否决", kind=expert.AspectKind.VETO, max_points=Decimal(0)
    )
    with pytest.raises(expert.RubricError):
        expert.add_item(world.organizer, stage, "附加评议", veto)
    assert expert.full_marks(expert.items_of(stage)) == Decimal(105)
    review.open_stage(world.organizer, stage)
    expert.save_sheet(
        world.experts[0],
        stage,
        world.by_name["王建国"],
        {"P1": "20"},
        submit=False,
        expected_version=0,
    )
    db.session.commit()
    with pytest.raises(expert.RubricError, match="锁定"):
        expert.apply_template(world.organizer, stage, "model_worker")


def test_expert_sheets_go_through_the_engine(world: SimpleNamespace) -> None:
    stage = scoring_stage(world)
    one = world.experts[0]
    wang = world.by_name["王建国"]
    sheet = expert.save_sheet(one, stage, wang, {"P1": "20"}, submit=False, expected_version=0)
    db.session.commit()
    assert sheet.status is SheetStatus.DRAFT and sheet.stage_id == stage.id
    assert sheet.nomination_id == wang.id and sheet.entry_id is None
    # A second window built from the empty sheet is refused; nothing was overwritten.
    with pytest.raises(StaleSheet):
        expert.save_sheet(one, stage, wang, {"P1": "5"}, submit=False, expected_version=0)
    db.session.rollback()
    with pytest.raises(MarkErrors) as wrong:
        expert.save_sheet(
            one, stage, wang, {"P1": "26"}, submit=False, expected_version=sheet.version
        )
    assert "P1" in wrong.value.problems
    db.session.rollback()
    with pytest.raises(MarkErrors):  # incomplete
        expert.save_sheet(one, stage, wang, {}, submit=True, expected_version=sheet.version)
    db.session.rollback()
    sheet = expert.save_sheet(
        one, stage, wang, marks(stage, 0.8), submit=True, expected_version=sheet.version
    )
    db.session.commit()
    assert sheet.status is SheetStatus.SUBMITTED
    with pytest.raises(SheetLocked):
        expert.save_sheet(one, stage, wang, {"P1": "1"}, submit=False, expected_version=None)
    # Someone not on the stage, and the port's expert for the port's nominee, may not score.
    assert isinstance(expert.score_refusal(world.stranger, stage, wang), NotAllowed)
    review.add_member(world.organizer, stage, world.experts[3])
    refusal = expert.score_refusal(world.experts[3], stage, world.by_name["张志强"])
    assert isinstance(refusal, NotAllowed) and "回避" in refusal.message
    assert expert.score_refusal(world.experts[3], stage, wang) is None
    assert "sheet.submit" in actions()


def score(world: SimpleNamespace, stage: Any, table: dict[str, list[dict[str, str]]]) -> None:
    """``table``: nominee name → one complete sheet per expert, in expert order."""
    for name, sheets in table.items():
        for user, values in zip(world.experts, sheets, strict=False):
            expert.save_sheet(
                user, stage, world.by_name[name], values, submit=True, expected_version=None
            )
    db.session.commit()


def test_aggregation_ranks_with_the_criteria_breaking_ties(world: SimpleNamespace) -> None:
    stage = scoring_stage(world)
    high = marks(stage, 1.0)
    low = marks(stage, 0.6)
    # 0.8 of everything is 91. 李秀英 +5 on P1, −2 on S2 and P2; 赵大勇 −4 on P1, +3 on S2, +2
    # on S1: both 92, 李 ahead on 岗位业绩 (the first criterion: 35 against 28).
    li = {**marks(stage, 0.8), "P1": "25", "S2": "10", "P2": "10"}
    zhao = {**marks(stage, 0.8), "P1": "16", "S2": "15", "S1": "10"}
    score(
        world,
        stage,
        {
            "王建国": [high, high, low],
            "陈小梅": [low, low, low],
            "张志强": [high, low, high],
            "李秀英": [li, li, li],
            "赵大勇": [zhao, zhao, zhao],
        },
    )
    results = expert.stage_results(stage)
    by_name = {r.nomination.name: r for r in results.rows}
    assert by_name["王建国"].score == by_name["张志强"].score
    assert by_name["王建国"].rank == by_name["张志强"].rank == 1
    assert by_name["李秀英"].score == by_name["赵大勇"].score
    assert by_name["李秀英"].rank == 3 and by_name["赵大勇"].rank == 4
    assert "岗位业绩领先" in by_name["李秀英"].explanation
    assert by_name["陈小梅"].rank == 5
    # Listed by code among equals; leniency per expert; agreement on the complete sheets.
    assert [r.nomination.name for r in results.rows][:2] == ["王建国", "张志强"]
    assert len(results.experts) == 3 and results.icc_n == 5
    assert results.alpha is not None
    assert by_name["张志强"].spread == by_name["王建国"].spread > 0
    assert results.flagged(Decimal(10)) >= {by_name["王建国"].nomination.id}


def test_a_trimmed_mean_drops_the_highest_and_lowest(world: SimpleNamespace) -> None:
    stage = scoring_stage(world, aggregation="trimmed", trim=1)
    score(
        world,
        stage,
        {"王建国": [marks(stage, 1.0), marks(stage, 0.2), marks(stage, 0.6)]},
    )
    row = next(r for r in expert.stage_results(stage).rows if r.nomination.name == "王建国")
    middle = expert.sheet_points(
        expert.items_of(stage), {k: Decimal(v) for k, v in marks(stage, 0.6).items()}
    )
    assert row.score == middle


def test_the_scoring_stage_closes_when_every_nomination_has_enough_sheets(
    world: SimpleNamespace,
) -> None:
    stage = scoring_stage(world)
    full = marks(stage, 0.9)
    score(world, stage, {name: [full, full] for name in world.by_name})
    check = review.close_problems(stage)
    assert not check.blocking and check.missing_sheets == 5
    with pytest.raises(ReviewError, match="5 份评分表未提交"):
        review.close_stage(world.organizer, stage)
    review.close_stage(world.organizer, stage, accept_missing=5)
    db.session.commit()
    assert review.passed_ids(stage) == {n.id for n in world.nominations}


# ---------------------------------------------------------------- the result


def run_to_the_end(world: SimpleNamespace, table: dict[str, float]) -> Any:
    """One scoring stage, each nominee scored at its share by all three experts, closed."""
    stage = scoring_stage(world)
    score(world, stage, {name: [marks(stage, share)] * 3 for name, share in table.items()})
    review.close_stage(world.organizer, stage)
    db.session.commit()
    return stage


def test_finalize_takes_the_quota_in_rank_order_then_ranked_alternates(
    world: SimpleNamespace,
) -> None:
    run_to_the_end(
        world, {"王建国": 0.9, "陈小梅": 0.5, "张志强": 0.8, "李秀英": 0.7, "赵大勇": 0.6}
    )
    listed = expert.ranked(world.campaign, AWARD)
    assert [r.nomination.name for r in listed] == ["王建国", "张志强", "李秀英", "赵大勇", "陈小梅"]
    report = expert.finalize(world.organizer, world.campaign)
    db.session.commit()
    (result,) = report.awards
    assert [r.nomination.name for r in result.selected] == ["王建国", "张志强"]
    assert [r.nomination.name for r in result.alternates] == ["李秀英"]
    statuses = {n.name: (n.status, n.rank) for n in world.nominations}
    assert statuses["王建国"] == (NominationStatus.SELECTED, 1)
    assert statuses["李秀英"] == (NominationStatus.ALTERNATE, 3)
    assert statuses["陈小梅"] == (NominationStatus.REJECTED, 5)
    assert world.by_name["王建国"].score is not None
    assert "nomination.finalize" in actions()
    # Again: the same result (a 未入选 nomination stays on the list).
    again = expert.finalize(world.organizer, world.campaign)
    assert [r.nomination.name for r in again.awards[0].selected] == ["王建国", "张志强"]


def test_finalize_skips_a_nominee_who_would_break_a_le_rule(world: SimpleNamespace) -> None:
    db.session.add(
        SlateRule(
            campaign_id=world.campaign.id,
            award=AWARD,
            group="enterprise_head",
            op="<=",
            value=Decimal(1),
            unit="count",
        )
    )
    db.session.commit()
    run_to_the_end(
        world, {"李秀英": 0.95, "赵大勇": 0.9, "王建国": 0.8, "张志强": 0.7, "陈小梅": 0.6}
    )
    (result,) = expert.finalize(world.organizer, world.campaign).awards
    db.session.commit()
    assert [r.nomination.name for r in result.selected] == ["李秀英", "王建国"]
    assert [(r.nomination.name, "企业负责人" in why) for r, why in result.skipped] == [
        ("赵大勇", True)
    ]
    # The one who gave way keeps its rank and is the first alternate.
    assert [r.nomination.name for r in result.alternates] == ["赵大勇"]
    assert world.by_name["赵大勇"].status is NominationStatus.ALTERNATE
    assert world.by_name["赵大勇"].rank == 2


def test_finalize_refuses_a_tie_at_the_last_place(world: SimpleNamespace) -> None:
    run_to_the_end(
        world, {"王建国": 0.9, "张志强": 0.8, "李秀英": 0.8, "赵大勇": 0.6, "陈小梅": 0.5}
    )
    with pytest.raises(ReviewError, match="并列") as refused:
        expert.finalize(world.organizer, world.campaign)
    assert "张志强" in refused.value.message and "李秀英" in refused.value.message
    db.session.rollback()
    assert all(n.status is NominationStatus.SUBMITTED for n in world.nominations)


def test_finalize_needs_every_stage_closed_and_the_campaign_in_review(
    world: SimpleNamespace,
) -> None:
    stage = scoring_stage(world)
    with pytest.raises(ReviewError, match="专家评审"):
        expert.finalize(world.organizer, world.campaign)
    with pytest.raises(NotPermitted):
        expert.finalize(world.outsider, world.campaign)
    assert stage.status is StageStatus.OPEN


def test_blind_codes_and_masked_deeds(world: SimpleNamespace) -> None:
    code = expert.codes(world.campaign)
    assert [code[n.id] for n in world.nominations] == ["N-01", "N-02", "N-03", "N-04", "N-05"]
    wang = world.by_name["王建国"]
    text = expert.masked(wang.deeds_short, wang)
    assert "王建国" not in text and "江州重型机械厂数控车间" not in text and "××" in text


def test_sheets_are_counted_only_once_submitted(world: SimpleNamespace) -> None:
    stage = scoring_stage(world)
    wang = world.by_name["王建国"]
    expert.save_sheet(
        world.experts[0], stage, wang, marks(stage, 0.9), submit=False, expected_version=0
    )
    db.session.commit()
    assert expert.stage_results(stage).rows == []
    assert db.session.query(ScoreSheet).count() == 1


# ---------------------------------------------------------------- pages


def csrf_off(app: Any) -> None:
    app.config["WTF_CSRF_ENABLED"] = False


def test_the_reviewer_finds_the_task_decides_with_a_confirmation_and_the_unit_sees_it(
    world: SimpleNamespace, app: Any, client_for: Callable[..., Any]
) -> None:
    csrf_off(app)
    stage = add_stage(world, "初审", StageMode.REVIEW, world.reviewers[:3])
    review.open_stage(world.organizer, stage)
    db.session.commit()
    reviewer = client_for(world.reviewers[0])
    tasks = reviewer.get("/nominations/review")
    assert tasks.status_code == 200
    page = tasks.get_data(as_text=True)
    assert "初审" in page and "王建国" in page and "N-01" in page
    li = world.by_name["李秀英"]
    url = f"/nominations/{world.campaign.id}/review/{stage.id}/n/{li.id}"
    shown = reviewer.get(url)
    assert shown.status_code == 200 and "事迹摘要" in shown.get_data(as_text=True)
    # A return without a reason: the form says why, nothing stored.
    refused = reviewer.post(url, data={"outcome": "return", "reason": "", "confirmed": "1"})
    assert refused.status_code == 422
    assert "请填写退回修改的原因" in refused.get_data(as_text=True)
    assert review.decision_of(stage, li) is None
    # Without the confirmation: the page asks, nothing stored.
    asked = reviewer.post(url, data={"outcome": "return", "reason": "缺少税务意见"})
    assert asked.status_code == 200 and "提交结论" in asked.get_data(as_text=True)
    assert review.decision_of(stage, li) is None
    done = reviewer.post(
        url, data={"outcome": "return", "reason": "缺少税务意见", "confirmed": "1"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert li.status is NominationStatus.RETURNED
    # The factory's reviewer stands aside for 王建国: marked on the list, refused on the page.
    factory = client_for(world.reviewers[2])
    listed = factory.get("/nominations/review").get_data(as_text=True)
    assert "回避" in listed
    wang_url = f"/nominations/{world.campaign.id}/review/{stage.id}/n/{world.by_name['王建国'].id}"
    assert factory.get(wang_url).status_code == 403
    posted = factory.post(wang_url, data={"outcome": "pass", "confirmed": "1"})
    assert posted.status_code == 403
    assert review.decision_of(stage, world.by_name["王建国"]) is None


def test_someone_not_on_the_stage_gets_404_and_other_organizers_403(
    world: SimpleNamespace, app: Any, client_for: Callable[..., Any]
) -> None:
    csrf_off(app)
    stage = add_stage(world, "初审", StageMode.REVIEW, world.reviewers[:1])
    review.open_stage(world.organizer, stage)
    db.session.commit()
    base = f"/nominations/{world.campaign.id}/review"
    wang = world.by_name["王建国"]
    stranger = client_for(world.stranger)
    assert stranger.get(f"{base}/{stage.id}").status_code == 404
    assert stranger.get(f"{base}/{stage.id}/n/{wang.id}").status_code == 404
    post = stranger.post(
        f"{base}/{stage.id}/n/{wang.id}", data={"outcome": "pass", "confirmed": "1"}
    )
    assert post.status_code == 404
    assert stranger.get("/nominations/review").status_code == 200
    assert stranger.get(base).status_code == 403
    outsider = client_for(world.outsider)
    assert outsider.get(base).status_code == 403
    assert outsider.get(f"/nominations/{world.campaign.id}/results").status_code == 403
    assert outsider.post(f"{base}/{stage.id}/close", data={"confirmed": "1"}).status_code == 403
    anonymous = client_for(None)
    assert anonymous.get("/nominations/review").status_code == 302
    assert client_for(world.organizer).get(f"{base}/999999").status_code == 404
    assert client_for(world.organizer).get("/nominations/999999/review").status_code == 404


def test_the_organizer_sets_the_chain_up_on_its_pages(
    world: SimpleNamespace, app: Any, client_for: Callable[..., Any]
) -> None:
    csrf_off(app)
    organizer = client_for(world.organizer)
    base = f"/nominations/{world.campaign.id}/review"
    assert "还没有评审环节" in organizer.get(base).get_data(as_text=True)
    assert organizer.post(f"{base}/default").status_code == 302
    db.session.expire_all()
    first = world.campaign.stages[0]
    page = organizer.get(base).get_data(as_text=True)
    assert all(name in page for name in ("初审", "征求意见", "复审", "专家评审", "终审"))
    bad = organizer.post(f"{base}/stages", data={"name": "", "mode": "review"})
    assert bad.status_code == 422 and "请填写环节名称" in bad.get_data(as_text=True)
    clash = organizer.post(
        f"{base}/stages", data={"name": "初审", "mode": "review", "aggregation": "mean"}
    )
    assert clash.status_code == 422 and "已有名为「初审」的环节" in clash.get_data(as_text=True)
    added = organizer.post(
        f"{base}/{first.id}/members", data={"user_id": world.reviewers[0].id, "is_chair": "y"}
    )
    assert added.status_code == 302
    stage_page = organizer.get(f"{base}/{first.id}").get_data(as_text=True)
    assert "rev_host1" in stage_page or world.reviewers[0].name in stage_page
    opened = organizer.post(f"{base}/{first.id}/open", data={"confirmed": "1"})
    assert opened.status_code == 302
    db.session.expire_all()
    assert first.status is StageStatus.OPEN
    # Closing with nominations undecided: refused in Chinese, nothing changed.
    closed = organizer.post(f"{base}/{first.id}/close", data={"confirmed": "1"})
    assert closed.status_code == 302
    db.session.expire_all()
    assert first.status is StageStatus.OPEN
    follow = organizer.get(f"{base}/{first.id}").get_data(as_text=True)
    assert "未作出审核结论" in follow


def test_the_expert_scores_blind_on_the_sheet_page(
    world: SimpleNamespace, app: Any, client_for: Callable[..., Any]
) -> None:
    csrf_off(app)
    stage = scoring_stage(world, blind=True)
    wang = world.by_name["王建国"]
    one = client_for(world.experts[0])
    url = f"/nominations/{world.campaign.id}/review/{stage.id}/score/{wang.id}"
    page = one.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "N-01" in html and "××" in html
    assert "王建国" not in html and "江州重型机械厂" not in html
    tasks = one.get("/nominations/review").get_data(as_text=True)
    assert "N-01" in tasks and "王建国" not in tasks
    decision_url = f"/nominations/{world.campaign.id}/review/{stage.id}/n/{wang.id}"
    hidden = one.get(decision_url)
    assert hidden.status_code == 403 and "王建国" not in hidden.get_data(as_text=True)
    assert one.post(decision_url, data={"outcome": "reject", "reason": "x"}).status_code == 403
    items = expert.items_of(stage)
    first = items[0]
    saved = one.post(url, data={"version": "0", f"m_{first.id}": "20", "action": "save"})
    assert saved.status_code == 302
    # The same stale form again: refused, the typed value shown, nothing overwritten.
    stale = one.post(url, data={"version": "0", f"m_{first.id}": "5", "action": "save"})
    assert stale.status_code == 409 and "已被保存过" in stale.get_data(as_text=True)
    sheet = expert.sheet_of(stage, wang, world.experts[0].id)
    assert sheet is not None and marks_of(sheet)[first.key] == Decimal(20)
    wrong = one.post(url, data={"version": str(sheet.version), f"m_{first.id}": "abc"})
    assert wrong.status_code == 422
    full = {f"m_{a.id}": v for a in items for k, v in marks(stage, 0.8).items() if a.key == k}
    done = one.post(url, data={"version": str(sheet.version), "action": "submit-confirmed", **full})
    assert done.status_code == 302
    db.session.expire_all()
    sheet = expert.sheet_of(stage, wang, world.experts[0].id)
    assert sheet is not None and sheet.status is SheetStatus.SUBMITTED
    # The organizer sees the names; the port's expert, added now, stands aside for 张志强.
    organizer_page = client_for(world.organizer).get(
        f"/nominations/{world.campaign.id}/review/{stage.id}"
    )
    assert "王建国" in organizer_page.get_data(as_text=True)
    review.add_member(world.organizer, stage, world.experts[3])
    db.session.commit()
    port = client_for(world.experts[3])
    zhang = world.by_name["张志强"]
    assert (
        port.get(f"/nominations/{world.campaign.id}/review/{stage.id}/score/{zhang.id}").status_code
        == 403
    )
    # Someone not on the stage: 404.
    assert client_for(world.stranger).get(url).status_code == 404


def test_the_results_page_ranks_shows_agreement_and_finalizes(
    world: SimpleNamespace, app: Any, client_for: Callable[..., Any]
) -> None:
    csrf_off(app)
    run_to_the_end(
        world, {"王建国": 0.9, "陈小梅": 0.5, "张志强": 0.8, "李秀英": 0.7, "赵大勇": 0.6}
    )
    organizer = client_for(world.organizer)
    url = f"/nominations/{world.campaign.id}/results"
    page = organizer.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "ICC2k" in html and "宽严度" in html and "N-01" in html
    assert html.index("王建国") < html.index("张志强") < html.index("陈小梅")
    assert organizer.get(url + "?spread=abc").status_code == 200
    asked = organizer.post(f"{url}/finalize")
    assert asked.status_code == 200 and "确定评审结果" in asked.get_data(as_text=True)
    assert world.by_name["王建国"].status is NominationStatus.SUBMITTED
    done = organizer.post(f"{url}/finalize", data={"confirmed": "1"}, follow_redirects=True)
    assert done.status_code == 200
    assert "正选 2 名，递补 1 名" in done.get_data(as_text=True)
    db.session.expire_all()
    assert world.by_name["王建国"].status is NominationStatus.SELECTED


def test_hostile_posts_answer_in_chinese_and_change_nothing(
    world: SimpleNamespace, app: Any, client_for: Callable[..., Any]
) -> None:
    csrf_off(app)
    stage = add_stage(world, "初审", StageMode.REVIEW, world.reviewers[:1])
    scoring = add_stage(world, "专家评审", StageMode.SCORING, world.experts[:3])
    review.open_stage(world.organizer, stage)
    db.session.commit()
    organizer = client_for(world.organizer)
    base = f"/nominations/{world.campaign.id}/review"
    before = len(actions())
    for data in (
        {"name": "加试", "mode": "bogus", "aggregation": "mean"},
        {"name": "加试", "mode": "review", "aggregation": "mean", "trim": "1e99"},
        {"name": "加\u202e试", "mode": "review", "aggregation": "mean"},
        {"name": "加试", "mode": "scoring", "aggregation": "trimmed", "trim": "0"},
        {"name": "加试", "mode": "review", "opens_on": "2026-05-02", "closes_on": "2026-05-01"},
    ):
        answer = organizer.post(f"{base}/stages", data=data)
        assert answer.status_code == 422, data
    assert organizer.post(f"{base}/{stage.id}/members", data={"user_id": "x"}).status_code == 422
    added = organizer.post(f"{base}/{stage.id}/members", data={"user_id": world.stranger.id})
    assert added.status_code == 302
    again = organizer.post(f"{base}/{stage.id}/members", data={"user_id": world.stranger.id})
    assert again.status_code == 422 and "不是有效的选择" in again.get_data(as_text=True)
    item = organizer.post(
        f"{base}/{scoring.id}/rubric/items",
        data={
            "criterion": "附加",
            "key": "X 1",
            "name": "群众评议",
            "kind": "measurement",
            "max_points": "abc",
            "step": "0.5",
        },
    )
    assert item.status_code == 422 and "分值必须是数字" in item.get_data(as_text=True)
    item = organizer.post(
        f"{base}/{scoring.id}/rubric/items",
        data={
            "criterion": "附加",
            "key": "X 1",
            "name": "群众评议",
            "kind": "measurement",
            "max_points": "5",
            "step": "0.5",
        },
    )
    assert item.status_code == 422 and "编号只能由" in item.get_data(as_text=True)
    assert organizer.get(f"/nominations/{world.campaign.id}/results?spread=NaN").status_code == 200
    li = world.by_name["李秀英"]
    consult = organizer.post(
        f"{base}/{stage.id}/n/{li.id}/consultation",
        data={"prefix": "c1", "c1-department": "税务", "c1-answer": "issue", "c1-note": ""},
        follow_redirects=True,
    )
    assert consult.status_code == 200 and "请填写问题说明" in consult.get_data(as_text=True)
    consult = organizer.post(
        f"{base}/{stage.id}/n/{li.id}/consultation",
        data={"prefix": "c1", "c1-department": "税务", "c1-answer": "cleared"},
    )
    assert consult.status_code == 302
    assert consultations.summary(li).cleared == 1
    reviewer = client_for(world.reviewers[0])
    bad = reviewer.post(
        f"{base}/{stage.id}/n/{li.id}", data={"outcome": "maybe", "reason": "", "confirmed": "1"}
    )
    assert bad.status_code == 422
    assert review.decision_of(stage, li) is None
    assert len(actions()) == before + 2  # the member and the consultation answer


def test_a_ballot_stage_closes_on_its_recorded_result(world: SimpleNamespace) -> None:
    chair = world.reviewers[0]
    stage = add_stage(world, "终审", StageMode.BALLOT, host_reviewers(world), chair=chair)
    assert not any("组长" in p for p in review.open_problems(stage))
    review.open_stage(world.organizer, stage)
    with pytest.raises(ReviewError, match="5 份推荐没有投票结果"):
        review.close_stage(world.organizer, stage)
    # The ballot's result (``ballots`` records it when it closes); a member may not.
    passes = {n.id: n.name in ("王建国", "张志强") for n in world.nominations}
    with pytest.raises(NotPermitted):
        review.record_ballot_outcomes(world.reviewers[1], stage, passes)
    review.record_ballot_outcomes(chair, stage, passes)
    review.close_stage(world.organizer, stage)
    db.session.commit()
    assert review.passed_ids(stage) == {world.by_name["王建国"].id, world.by_name["张志强"].id}
    assert world.by_name["陈小梅"].status is NominationStatus.REJECTED
    assert world.by_name["陈小梅"].status_reason == "未获无记名投票通过"


def test_after_a_ballot_among_the_top_scores_the_rest_of_the_award_do_not_pass(
    world: SimpleNamespace,
) -> None:
    chair = world.experts[0]
    stage = add_stage(
        world,
        "评审委员会",
        StageMode.SCORING_BALLOT,
        world.experts[:3],
        chair=chair,
        template="may_day",
    )
    review.open_stage(world.organizer, stage)
    db.session.commit()
    top = [world.by_name["王建国"], world.by_name["张志强"]]
    review.record_ballot_outcomes(chair, stage, {top[0].id: True, top[1].id: False})
    check = review.close_problems(stage)
    assert not check.blocking
    assert {n.name for n in check.unballoted} == {"陈小梅", "李秀英", "赵大勇"}
    review.close_stage(world.organizer, stage)
    db.session.commit()
    assert review.passed_ids(stage) == {top[0].id}
    assert world.by_name["李秀英"].status_reason == "评分未进入投票人选"
