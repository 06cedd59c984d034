"""The review chain of a nomination campaign (DOMAIN §3 rule 23; issue 13 item 6).

The organizer of the campaign sets its chain up: stages in order (by default 初审 → 征求意见 →
复审 → 专家评审 → 终审), each with a mode (审核, 专家评分, 无记名投票, 评分后投票 — the ballot
modes are run by ``ballots``; this module stores the mode and hands over), dates, members and
one chair. A stage is opened and closed by the organizer; only one stage runs at a time, in
order, and only the nominations that passed the previous stage enter the next.

Decisions (:func:`decide`): per nomination and stage one outcome — 通过, 退回修改 or 不通过 —
with a reason for the last two, and a 一票否决 flag that makes it 不通过 (reason required).
退回修改 sends the nomination back to its recommending unit (status RETURNED); once the unit
corrects and resubmits it (status SUBMITTED again, the recommender's side) it is pending at the
same stage again. In a scoring stage the experts' sheets decide (``expert``), and closing the
stage passes every nomination still in it; in a ballot stage the ballot's result is recorded by
:func:`record_ballot_outcomes`; the chair or the organizer may still return or reject one there.

**Recusal (回避)**, the skills rule (``skills.access.unit_recusal``) carried over to units: a
member stands aside — cannot decide or score — when their organisation is the nominee's own
organisation or lies below it, or lies on the line from the recommending unit down to the
nominee's organisation (the recommending unit included), as long as that unit is below the
campaign's host: a district union's staff never vet what their own district put forward. The
nominee's organisation is the nominated unit or team's, else the person's, else the
recommending unit. Members of the host union itself are never recused by the second rule.

Every write takes the acting user, checks what it may do, audits, and flushes; views commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import ColumnElement, delete, exists, func, select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import Aspect, Organization, Role, ScoreSheet, SheetStatus, User
from contest.models.nomination import (
    Campaign,
    CampaignStatus,
    Nomination,
    NominationStatus,
    Outcome,
    ReviewStage,
    StageDecision,
    StageMember,
    StageMode,
    StageStatus,
)
from contest.services.core import audit
from contest.services.nominations import groups
from contest.validation import text_problem

__all__ = [
    "AGGREGATIONS",
    "BALLOT_MODES",
    "DEFAULT_CHAIN",
    "MEMBER_ROLES",
    "SCORING_MODES",
    "NotPermitted",
    "ReviewError",
    "Row",
    "StageData",
    "StageProgress",
    "StageTasks",
    "add_member",
    "add_stage",
    "can_view",
    "candidate_members",
    "close_problems",
    "close_stage",
    "decide",
    "decision_of",
    "decisions",
    "delete_stage",
    "entered",
    "entrants",
    "has_tasks",
    "install_default_chain",
    "is_member",
    "may_read",
    "member_of",
    "members",
    "move_stage",
    "next_stage",
    "nominee_org",
    "open_problems",
    "open_stage",
    "passed_ids",
    "previous_stage",
    "progress",
    "record_ballot_outcomes",
    "recusal_reason",
    "remove_member",
    "reopen_stage",
    "rows",
    "set_chair",
    "stage_tasks",
    "update_stage",
]

REASON_MAX = 1000
NAME_MAX = 60
MAX_TRIM = 5
# Who may sit on a stage: experts (评审专家), union staff, and judges brought in as experts.
MEMBER_ROLES = (Role.REVIEWER, Role.ORGANIZER, Role.JUDGE)
AGGREGATIONS = ("mean", "trimmed", "median")
AGGREGATION_LABELS: dict[str, LazyString] = {
    "mean": _l("平均分"),
    "trimmed": _l("去掉最高分和最低分后平均"),
    "median": _l("中位数"),
}
SCORING_MODES = (StageMode.SCORING, StageMode.SCORING_BALLOT)
BALLOT_MODES = (StageMode.BALLOT, StageMode.SCORING_BALLOT)
# The chain a new campaign starts from (DOMAIN §3 rule 23): names are data, translated now.
DEFAULT_CHAIN: tuple[tuple[LazyString, StageMode], ...] = (
    (_l("初审"), StageMode.REVIEW),
    (_l("征求意见"), StageMode.REVIEW),
    (_l("复审"), StageMode.REVIEW),
    (_l("专家评审"), StageMode.SCORING),
    (_l("终审"), StageMode.REVIEW),
)
# The campaign states in which its chain may still change or run.
_RUNNING = (CampaignStatus.OPEN, CampaignStatus.REVIEW)
_EDITABLE = (CampaignStatus.DRAFT, CampaignStatus.OPEN, CampaignStatus.REVIEW)


class ReviewError(ValueError):
    """A refused review step; ``field`` names the form field. Nothing was changed."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(ReviewError):
    """The acting user may not do this (pages answer 403)."""


# ---------------------------------------------------------------- reading the chain


def stage_label(stage: ReviewStage) -> str:
    return f"{stage.name}（{stage.mode.label}）"


def previous_stage(stage: ReviewStage) -> ReviewStage | None:
    chain = list(stage.campaign.stages)
    index = chain.index(stage)
    return chain[index - 1] if index > 0 else None


def next_stage(stage: ReviewStage) -> ReviewStage | None:
    chain = list(stage.campaign.stages)
    index = chain.index(stage)
    return chain[index + 1] if index + 1 < len(chain) else None


def members(stage: ReviewStage) -> list[StageMember]:
    """The stage's members, chair first, then in the order they joined (users and units)."""
    return list(
        db.session.scalars(
            select(StageMember)
            .where(StageMember.stage_id == stage.id)
            .options(selectinload(StageMember.user).selectinload(User.organization))
            .order_by(StageMember.is_chair.desc(), StageMember.id)
        )
    )


def member_of(user: User | Any, stage: ReviewStage) -> StageMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(StageMember).where(StageMember.stage_id == stage.id, StageMember.user_id == user.id)
    )


def is_member(user: User | Any, stage: ReviewStage) -> bool:
    return member_of(user, stage) is not None


def is_chair(user: User | Any, stage: ReviewStage) -> bool:
    member = member_of(user, stage)
    return member is not None and member.is_chair


def can_view(user: User | Any, stage: ReviewStage) -> bool:
    """The campaign's organizers and the stage's members see a stage's list."""
    return stage.campaign.can_manage(user) or is_member(user, stage)


def candidate_members(stage: ReviewStage) -> list[User]:
    """Enabled accounts of the member roles not yet on the stage."""
    on_stage = select(StageMember.user_id).where(StageMember.stage_id == stage.id)
    return list(
        db.session.scalars(
            select(User)
            .where(User.is_enabled.is_(True), User.role.in_(MEMBER_ROLES), User.id.not_in(on_stage))
            .options(selectinload(User.organization))
            .order_by(User.role, User.username)
            .limit(2000)
        )
    )


# ---------------------------------------------------------------- recusal


def nominee_org(
    nomination: Nomination, orgs: Mapping[int, Organization] | None = None
) -> Organization | None:
    """The organisation the nominee belongs to (``groups.nominee_org``: the nominated unit or
    team's, else the person's), else the recommending unit. ``orgs`` (``groups.orgs_of``)
    spares a query per nomination in a list."""
    return groups.nominee_org(nomination, orgs) or nomination.unit


def recusal_reason(
    user: User | Any, nomination: Nomination, orgs: Mapping[int, Organization] | None = None
) -> str | None:
    """Why ``user`` stands aside for ``nomination`` (the module's rule), None when they need
    not."""
    own = getattr(user, "organization", None)
    nominee = nominee_org(nomination, orgs)
    if own is None or nominee is None:
        return None
    if nominee.contains(own):
        return _("评审成员与被推荐对象同属一个单位（或其下属单位），自动回避")
    unit = nomination.unit
    host = nomination.campaign.organization
    if (
        unit is not None
        and unit.id != host.id
        and host.contains(unit)
        and unit.contains(own)
        and own.contains(nominee)
    ):
        return _("评审成员所在单位是被推荐对象所在单位的上级单位或推荐单位，自动回避")
    return None


# ---------------------------------------------------------------- who is in a stage


def _campaign_nominations(campaign_id: int) -> Any:
    return (
        select(Nomination)
        .where(Nomination.campaign_id == campaign_id)
        .options(selectinload(Nomination.unit), selectinload(Nomination.person))
        .order_by(Nomination.id)
    )


def _entry_rule(stage: ReviewStage) -> list[ColumnElement[bool]]:
    """What makes a nomination of the campaign an entrant of ``stage`` (:func:`entrants`)."""
    rule = [Nomination.status != NominationStatus.WITHDRAWN]
    before = previous_stage(stage)
    if before is None:
        rule.append(Nomination.submitted_at.is_not(None))
    else:
        rule.append(
            exists().where(
                StageDecision.stage_id == before.id,
                StageDecision.nomination_id == Nomination.id,
                StageDecision.outcome == Outcome.PASS,
            )
        )
    return rule


def entrants(stage: ReviewStage) -> list[Nomination]:
    """The nominations that entered ``stage``: for the first stage every nomination ever
    submitted, for a later one those the previous stage passed; withdrawn ones never."""
    query = _campaign_nominations(stage.campaign_id).where(*_entry_rule(stage))
    return list(db.session.scalars(query))


def entered(stage: ReviewStage, nomination: Nomination) -> bool:
    """Whether ``nomination`` entered ``stage`` (:func:`entrants`), reading that one row: a
    sheet saved, a decision or a file read at national scale read all 3,000 entrants to find
    it (bench/nomination_bench.py)."""
    found = db.session.scalar(
        select(Nomination.id).where(
            Nomination.id == nomination.id,
            Nomination.campaign_id == stage.campaign_id,
            *_entry_rule(stage),
        )
    )
    return found is not None


def decisions(stage: ReviewStage) -> dict[int, StageDecision]:
    """The stage's decisions by nomination id."""
    rows = db.session.scalars(select(StageDecision).where(StageDecision.stage_id == stage.id))
    return {row.nomination_id: row for row in rows}


def decision_of(stage: ReviewStage, nomination: Nomination) -> StageDecision | None:
    return db.session.scalar(
        select(StageDecision).where(
            StageDecision.stage_id == stage.id, StageDecision.nomination_id == nomination.id
        )
    )


def passed_ids(stage: ReviewStage) -> set[int]:
    return set(
        db.session.scalars(
            select(StageDecision.nomination_id).where(
                StageDecision.stage_id == stage.id, StageDecision.outcome == Outcome.PASS
            )
        )
    )


# The state of a nomination at a stage, as lists and counts show it.
PENDING = "pending"  # 待审 (also: corrected and resubmitted after a return)
RETURNED = "returned"  # 退回修改中
PASSED = "passed"
REJECTED = "rejected"
STATE_LABELS: dict[str, LazyString] = {
    PENDING: _l("待审"),
    RETURNED: _l("退回修改中"),
    PASSED: _l("通过"),
    REJECTED: _l("不通过"),
}


def state_of(nomination: Nomination, decision: StageDecision | None) -> str:
    if decision is None:
        return PENDING if nomination.status is NominationStatus.SUBMITTED else RETURNED
    if decision.outcome is Outcome.PASS:
        return PASSED
    if decision.outcome is Outcome.REJECT:
        return REJECTED
    return PENDING if nomination.status is NominationStatus.SUBMITTED else RETURNED


@dataclass
class Row:
    """One nomination of a stage's list: its decision and state (and for a member whether
    they stand aside)."""

    nomination: Nomination
    decision: StageDecision | None
    state: str
    recused: str | None = None

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def rows(stage: ReviewStage, user: User | Any = None) -> list[Row]:
    """Every entrant of ``stage`` with its decision and state; with ``user``, whether they
    stand aside for it."""
    found = decisions(stage)
    listed = entrants(stage)
    orgs = groups.orgs_of(listed) if user is not None else {}
    out = []
    for nomination in listed:
        decision = found.get(nomination.id)
        out.append(
            Row(
                nomination,
                decision,
                state_of(nomination, decision),
                recusal_reason(user, nomination, orgs) if user is not None else None,
            )
        )
    return out


def may_read(user: User | Any, nomination: Nomination) -> bool:
    """Who may read a nomination's materials on the review side: the campaign's organizers,
    and the members of a stage it entered who do not stand aside for it."""
    campaign = nomination.campaign
    if campaign.can_manage(user):
        return True
    if not getattr(user, "is_authenticated", False) or recusal_reason(user, nomination):
        return False
    for stage in campaign.stages:
        if (
            stage.status is not StageStatus.PENDING
            and is_member(user, stage)
            and entered(stage, nomination)
        ):
            return True
    return False


# ---------------------------------------------------------------- progress and tasks


@dataclass
class StageProgress:
    """What the organizer's stage page counts: nominations per state, and for a scoring
    stage each member's sheets."""

    stage: ReviewStage
    rows: list[Row]
    sheets: dict[int, tuple[int, int]] = field(default_factory=dict)  # user → (done, due)

    def count(self, state: str) -> int:
        return sum(1 for row in self.rows if row.state == state)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def decided(self) -> int:
        return self.total - self.count(PENDING) - self.count(RETURNED)


def _due_sheets(
    stage: ReviewStage, panel: list[StageMember], nominations: Iterable[Nomination]
) -> dict[int, list[int]]:
    """Per member, the nominations of ``nominations`` they must score (not recused)."""
    listed = list(nominations)
    orgs = groups.orgs_of(listed)
    return {
        member.user_id: [n.id for n in listed if not recusal_reason(member.user, n, orgs)]
        for member in panel
    }


def submitted_sheets(stage: ReviewStage) -> set[tuple[int, int]]:
    """(user id, nomination id) of every submitted sheet of the stage."""
    return {
        (int(user_id), int(nomination_id))
        for user_id, nomination_id in db.session.execute(
            select(ScoreSheet.user_id, ScoreSheet.nomination_id).where(
                ScoreSheet.stage_id == stage.id, ScoreSheet.status != SheetStatus.DRAFT
            )
        )
    }


def progress(stage: ReviewStage) -> StageProgress:
    listed = rows(stage)
    out = StageProgress(stage, listed)
    if stage.mode in SCORING_MODES:
        scoring = [r.nomination for r in listed if r.state in (PENDING, PASSED)]
        done = submitted_sheets(stage)
        for user_id, due in _due_sheets(stage, members(stage), scoring).items():
            out.sheets[user_id] = (sum(1 for n in due if (user_id, n) in done), len(due))
    return out


@dataclass
class StageTasks:
    """An open stage a user sits on, with its rows (each saying whether they stand aside)."""

    stage: ReviewStage
    member: StageMember
    rows: list[Row]
    sheets: dict[int, str] = field(default_factory=dict)  # nomination → sheet status

    @property
    def campaign(self) -> Campaign:
        return self.stage.campaign

    @property
    def scoring(self) -> bool:
        return self.stage.mode in SCORING_MODES

    def is_done(self, row: Row) -> bool:
        if row.recused:
            return True
        if self.scoring:
            return self.sheets.get(row.nomination.id) == SheetStatus.SUBMITTED.value
        return row.state != PENDING

    @property
    def done(self) -> int:
        return sum(1 for row in self.rows if not row.recused and self.is_done(row))

    @property
    def total(self) -> int:
        return sum(1 for row in self.rows if not row.recused)


def stage_tasks(user: User) -> list[StageTasks]:
    """The open stages ``user`` sits on, in campaigns under way, newest campaign first."""
    seats = list(
        db.session.scalars(
            select(StageMember)
            .join(ReviewStage, ReviewStage.id == StageMember.stage_id)
            .join(Campaign, Campaign.id == ReviewStage.campaign_id)
            .where(
                StageMember.user_id == user.id,
                ReviewStage.status == StageStatus.OPEN,
                Campaign.status.in_(_RUNNING),
            )
            .order_by(Campaign.id.desc(), ReviewStage.position, ReviewStage.id)
        )
    )
    out: list[StageTasks] = []
    for seat in seats:
        stage = db.session.get(ReviewStage, seat.stage_id)
        assert stage is not None
        group = StageTasks(stage, seat, rows(stage, user))
        if group.scoring:
            group.sheets = {
                int(n): s.value
                for n, s in db.session.execute(
                    select(ScoreSheet.nomination_id, ScoreSheet.status).where(
                        ScoreSheet.stage_id == stage.id, ScoreSheet.user_id == user.id
                    )
                )
            }
            group.rows = [r for r in group.rows if r.state in (PENDING, PASSED)]
        out.append(group)
    return out


def has_tasks(user: User) -> bool:
    """Whether ``user`` sits on an open stage of a campaign under way (the 评审任务 menu
    entry; one EXISTS per page)."""
    return bool(
        db.session.scalar(
            select(
                exists()
                .where(StageMember.user_id == user.id)
                .where(ReviewStage.id == StageMember.stage_id)
                .where(ReviewStage.status == StageStatus.OPEN)
                .where(Campaign.id == ReviewStage.campaign_id)
                .where(Campaign.status.in_(_RUNNING))
            )
        )
    )


# ---------------------------------------------------------------- the chain's set-up


def _require_manager(actor: User, campaign: Campaign) -> None:
    if not campaign.can_manage(actor):
        raise NotPermitted(_("只有本评选的组织者可以设置评审流程。"))


def _require_editable(campaign: Campaign) -> None:
    if campaign.status not in _EDITABLE:
        raise ReviewError(
            _("评选已进入「%(status)s」阶段，评审流程不能再修改。", status=campaign.status.label)
        )


def _snapshot(stage: ReviewStage) -> dict[str, Any]:
    return {
        "stage": stage.name,
        "position": stage.position,
        "mode": stage.mode.value,
        "status": stage.status.value,
        "opens_on": stage.opens_on.isoformat() if stage.opens_on else None,
        "closes_on": stage.closes_on.isoformat() if stage.closes_on else None,
        "blind": stage.blind,
        "aggregation": stage.aggregation,
        "trim": stage.trim,
    }


def _record_review(actor: User, action: str, campaign: Campaign, **values: Any) -> None:
    audit.record(actor, action, "campaign", campaign.id, **values)


def checked_text(value: str | None, field: str, label: str, limit: int, *, required: bool) -> str:
    """``value`` stripped, or a ReviewError on ``field`` (missing, too long, bad characters)."""
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        if required:
            raise ReviewError(_("请填写%(label)s", label=label), field)
        return ""
    if len(text) > limit:
        raise ReviewError(_("%(label)s最长 %(n)d 个字", label=label, n=limit), field)
    problem = text_problem(text, multiline=True)
    if problem:
        raise ReviewError(_("%(label)s：%(problem)s", label=label, problem=problem), field)
    return text


@dataclass
class StageData:
    """A stage as the set-up form enters it."""

    name: str
    mode: StageMode
    opens_on: date | None = None
    closes_on: date | None = None
    blind: bool = False
    aggregation: str = "mean"
    trim: int = 0

    def checked(self) -> StageData:
        name = checked_text(self.name, "name", _("环节名称"), NAME_MAX, required=True)
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ReviewError(_("结束日期不能早于开始日期"), "closes_on")
        if self.aggregation not in AGGREGATIONS:
            raise ReviewError(_("请选择评分汇总方法"), "aggregation")
        trim = self.trim or 0
        if self.aggregation == "trimmed" and not 1 <= trim <= MAX_TRIM:
            raise ReviewError(_("去掉最高分和最低分的个数应为 1–%(n)d", n=MAX_TRIM), "trim")
        if self.aggregation != "trimmed":
            trim = 0
        scoring = self.mode in SCORING_MODES
        return StageData(
            name=name,
            mode=self.mode,
            opens_on=self.opens_on,
            closes_on=self.closes_on,
            blind=self.blind and scoring,
            aggregation=self.aggregation if scoring else "mean",
            trim=trim if scoring else 0,
        )


def _names(campaign: Campaign, excluding: ReviewStage | None = None) -> set[str]:
    return {s.name for s in campaign.stages if s is not excluding}


def add_stage(actor: User, campaign: Campaign, data: StageData) -> ReviewStage:
    """Append a stage to the chain (it runs after the ones already there)."""
    _require_manager(actor, campaign)
    _require_editable(campaign)
    data = data.checked()
    if data.name in _names(campaign):
        raise ReviewError(_("已有名为「%(name)s」的环节", name=data.name), "name")
    position = max((s.position for s in campaign.stages), default=-1) + 1
    stage = ReviewStage(campaign=campaign, position=position, status=StageStatus.PENDING)
    _assign(stage, data)
    db.session.add(stage)
    db.session.flush()
    _record_review(actor, "nomination.stage.create", campaign, after=_snapshot(stage))
    return stage


def _assign(stage: ReviewStage, data: StageData) -> None:
    stage.name = data.name
    stage.mode = data.mode
    stage.opens_on = data.opens_on
    stage.closes_on = data.closes_on
    stage.blind = data.blind
    stage.aggregation = data.aggregation
    stage.trim = data.trim


def install_default_chain(actor: User, campaign: Campaign) -> list[ReviewStage]:
    """初审 → 征求意见 → 复审 → 专家评审 → 终审, for a campaign without stages."""
    _require_manager(actor, campaign)
    _require_editable(campaign)
    if campaign.stages:
        raise ReviewError(_("评审流程已有环节，不能再套用默认流程。"))
    created = []
    for position, (name, mode) in enumerate(DEFAULT_CHAIN):
        stage = ReviewStage(campaign=campaign, name=str(name), mode=mode, position=position)
        db.session.add(stage)
        created.append(stage)
    db.session.flush()
    _record_review(
        actor,
        "nomination.stage.default",
        campaign,
        after={"stages": [f"{s.name}（{s.mode.label}）" for s in created]},
    )
    return created


def _has_work(stage: ReviewStage) -> bool:
    """Whether decisions or sheets exist in the stage (its mode and members then stay)."""
    decided = db.session.scalar(select(exists().where(StageDecision.stage_id == stage.id)))
    scored = db.session.scalar(select(exists().where(ScoreSheet.stage_id == stage.id)))
    return bool(decided or scored)


def update_stage(actor: User, stage: ReviewStage, data: StageData) -> None:
    """Change a stage's name, dates and scoring settings; its mode only before it opens."""
    campaign = stage.campaign
    _require_manager(actor, campaign)
    _require_editable(campaign)
    if stage.status is StageStatus.CLOSED:
        raise ReviewError(_("该环节已结束，不能再修改。"))
    data = data.checked()
    if data.name in _names(campaign, excluding=stage):
        raise ReviewError(_("已有名为「%(name)s」的环节", name=data.name), "name")
    if data.mode is not stage.mode and stage.status is not StageStatus.PENDING:
        raise ReviewError(_("环节开始后不能再改变评审方式"), "mode")
    if (
        stage.status is StageStatus.OPEN
        and stage.mode in SCORING_MODES
        and data.blind != stage.blind
    ):
        raise ReviewError(_("评分开始后不能再改变是否匿名评审"), "blind")
    before = _snapshot(stage)
    _assign(stage, data)
    db.session.flush()
    _record_review(
        actor, "nomination.stage.update", campaign, before=before, after=_snapshot(stage)
    )


def delete_stage(actor: User, stage: ReviewStage) -> None:
    """Remove a stage that has not started (no decisions, no sheets)."""
    campaign = stage.campaign
    _require_manager(actor, campaign)
    _require_editable(campaign)
    if stage.status is not StageStatus.PENDING or _has_work(stage):
        raise ReviewError(_("只能删除尚未开始的环节。"))
    before = _snapshot(stage)
    campaign.stages.remove(stage)
    db.session.delete(stage)
    db.session.flush()
    for position, other in enumerate(campaign.stages):
        other.position = position
    db.session.flush()
    _record_review(actor, "nomination.stage.delete", campaign, before=before)


def move_stage(actor: User, stage: ReviewStage, step: int) -> None:
    """Move a stage one place earlier (-1) or later (+1) among the stages not yet started."""
    campaign = stage.campaign
    _require_manager(actor, campaign)
    _require_editable(campaign)
    chain = list(campaign.stages)
    index = chain.index(stage)
    other_index = index + (1 if step > 0 else -1)
    if not 0 <= other_index < len(chain):
        raise ReviewError(_("该环节已在最前或最后。"))
    other = chain[other_index]
    if stage.status is not StageStatus.PENDING or other.status is not StageStatus.PENDING:
        raise ReviewError(_("已开始的环节不能调整顺序。"))
    chain[index], chain[other_index] = other, stage
    for position, each in enumerate(chain):
        each.position = position
    db.session.flush()
    db.session.expire(campaign, ["stages"])
    _record_review(
        actor,
        "nomination.stage.move",
        campaign,
        after={"stages": [s.name for s in chain]},
    )


# ---------------------------------------------------------------- members


def _member_snapshot(member: StageMember, stage: ReviewStage) -> dict[str, Any]:
    return {"stage": stage.name, "user_id": member.user_id, "is_chair": member.is_chair}


def add_member(
    actor: User, stage: ReviewStage, user: User, *, is_chair: bool = False
) -> StageMember:
    campaign = stage.campaign
    _require_manager(actor, campaign)
    _require_editable(campaign)
    if stage.status is StageStatus.CLOSED:
        raise ReviewError(_("该环节已结束，不能再调整成员。"), "user_id")
    if not user.is_enabled or user.role not in MEMBER_ROLES:
        raise ReviewError(_("只能选择启用的评审专家、组织者或评委账号"), "user_id")
    if is_member(user, stage):
        raise ReviewError(_("%(name)s 已是该环节的成员", name=user.name), "user_id")
    if is_chair:
        _clear_chair(stage)
    member = StageMember(stage_id=stage.id, user_id=user.id, is_chair=is_chair)
    db.session.add(member)
    db.session.flush()
    _record_review(
        actor, "nomination.stage.member.add", campaign, after=_member_snapshot(member, stage)
    )
    return member


def _clear_chair(stage: ReviewStage) -> None:
    for other in db.session.scalars(
        select(StageMember).where(StageMember.stage_id == stage.id, StageMember.is_chair)
    ):
        other.is_chair = False
    db.session.flush()


def set_chair(actor: User, stage: ReviewStage, member: StageMember) -> None:
    """Make ``member`` the stage's one chair (组长 / 主任委员)."""
    campaign = stage.campaign
    _require_manager(actor, campaign)
    _require_editable(campaign)
    if member.stage_id != stage.id:
        raise NotPermitted(_("该成员不属于这个环节。"))
    if stage.status is StageStatus.CLOSED:
        raise ReviewError(_("该环节已结束，不能再调整成员。"))
    _clear_chair(stage)
    member.is_chair = True
    db.session.flush()
    _record_review(
        actor, "nomination.stage.member.chair", campaign, after=_member_snapshot(member, stage)
    )


def remove_member(actor: User, stage: ReviewStage, member: StageMember) -> None:
    """Take a member off a stage; refused once they have score sheets in it (their marks are
    part of the stage's result)."""
    campaign = stage.campaign
    _require_manager(actor, campaign)
    _require_editable(campaign)
    if member.stage_id != stage.id:
        raise NotPermitted(_("该成员不属于这个环节。"))
    if stage.status is StageStatus.CLOSED:
        raise ReviewError(_("该环节已结束，不能再调整成员。"))
    has_sheets = db.session.scalar(
        select(
            exists().where(ScoreSheet.stage_id == stage.id, ScoreSheet.user_id == member.user_id)
        )
    )
    if has_sheets:
        raise ReviewError(_("%(name)s 已在本环节填写评分表，不能移出。", name=member.user.name))
    before = _member_snapshot(member, stage)
    db.session.delete(member)
    db.session.flush()
    _record_review(actor, "nomination.stage.member.remove", campaign, before=before)


# ---------------------------------------------------------------- opening and closing


def open_problems(stage: ReviewStage) -> list[str]:
    """What keeps ``stage`` from opening now, each a whole sentence (empty: it may open)."""
    campaign = stage.campaign
    problems: list[str] = []
    if stage.status is not StageStatus.PENDING:
        problems.append(_("该环节不是「未开始」状态。"))
    if campaign.status not in _RUNNING:
        problems.append(
            _("评选处于「%(status)s」阶段，不能开始评审环节。", status=campaign.status.label)
        )
    before = previous_stage(stage)
    if before is not None and before.status is not StageStatus.CLOSED:
        problems.append(_("上一环节「%(name)s」尚未结束。", name=before.name))
    panel = members(stage)
    if not panel:
        problems.append(_("该环节还没有评审成员。"))
    if stage.mode in BALLOT_MODES and not any(m.is_chair for m in panel):
        problems.append(_("投票环节需要指定一名主持人（组长）。"))
    if stage.mode in SCORING_MODES:
        items = db.session.scalar(select(func.count(Aspect.id)).where(Aspect.stage_id == stage.id))
        if not items:
            problems.append(_("专家评分环节还没有评分细则：请套用模板或添加评分项。"))
        if stage.aggregation == "trimmed" and len(panel) < 2 * stage.trim + 1:
            problems.append(
                _(
                    "去掉 %(trim)d 个最高分和 %(trim)d 个最低分至少需要 %(n)d 位专家。",
                    trim=stage.trim,
                    n=2 * stage.trim + 1,
                )
            )
    return problems


def open_stage(actor: User, stage: ReviewStage) -> None:
    campaign = stage.campaign
    _require_manager(actor, campaign)
    problems = open_problems(stage)
    if problems:
        raise ReviewError("；".join(p.rstrip("。") for p in problems) + "。")
    before = _snapshot(stage)
    stage.status = StageStatus.OPEN
    db.session.flush()
    _record_review(actor, "nomination.stage.open", campaign, before=before, after=_snapshot(stage))


@dataclass
class CloseCheck:
    """What closing a stage would do or what stops it."""

    blocking: list[str] = field(default_factory=list)
    missing_sheets: int = 0  # scoring: sheets due and not submitted (they will not count)
    returned: list[Nomination] = field(default_factory=list)  # become 不通过
    passing: int = 0  # scoring: nominations passed by closing
    # 评分后投票: those of an award whose ballot was held that were not on it (below the top
    # scores) become 不通过.
    unballoted: list[Nomination] = field(default_factory=list)


def close_problems(stage: ReviewStage) -> CloseCheck:
    """Whether ``stage`` may close, and what closing does (the dialog names it)."""
    check = CloseCheck()
    if stage.status is not StageStatus.OPEN:
        check.blocking.append(_("该环节不在进行中。"))
        return check
    listed = rows(stage)
    pending = [r for r in listed if r.state == PENDING]
    check.returned = [r.nomination for r in listed if r.state == RETURNED]
    if stage.mode is StageMode.SCORING:
        done = submitted_sheets(stage)
        panel = members(stage)
        due = _due_sheets(stage, panel, [r.nomination for r in pending])
        check.missing_sheets = sum(
            1 for user_id, ids in due.items() for n in ids if (user_id, n) not in done
        )
        need = 2 * stage.trim + 1 if stage.aggregation == "trimmed" else 1
        # Counted once, not by walking every sheet for every nomination: 3,000 nominations
        # with 15,000 sheets took 22 s that way (bench/nomination_bench.py).
        sheets_of = Counter(n for _user, n in done)
        for row in pending:
            have = sheets_of[row.nomination.id]
            if have < need:
                check.blocking.append(
                    _(
                        "%(name)s 只有 %(have)d 份已提交的评分表，至少需要 %(need)d 份。",
                        name=row.nomination.name,
                        have=have,
                        need=need,
                    )
                )
        check.passing = len(pending)
    elif pending:
        if stage.mode is StageMode.SCORING_BALLOT:
            balloted = {
                r.nomination.award
                for r in listed
                if r.decision is not None and r.decision.outcome is Outcome.PASS
            }
            check.unballoted = [r.nomination for r in pending if r.nomination.award in balloted]
            pending = [r for r in pending if r.nomination.award not in balloted]
        if pending and stage.mode is StageMode.REVIEW:
            check.blocking.append(_("还有 %(n)d 份推荐未作出审核结论。", n=len(pending)))
        elif pending:
            check.blocking.append(_("还有 %(n)d 份推荐没有投票结果。", n=len(pending)))
    return check


def close_stage(actor: User, stage: ReviewStage, *, accept_missing: int | None = None) -> None:
    """End a stage. A scoring stage passes every nomination still in it (its score ranks it
    later) once each has enough submitted sheets; missing sheets need ``accept_missing`` equal
    to their count (the number the organizer was shown). Nominations still out for correction
    (退回修改 and not resubmitted) do not go on: they become 不通过 with that reason."""
    campaign = stage.campaign
    _require_manager(actor, campaign)
    check = close_problems(stage)
    if check.blocking:
        raise ReviewError("".join(check.blocking))
    if check.missing_sheets and accept_missing != check.missing_sheets:
        raise ReviewError(
            _(
                "还有 %(n)d 份评分表未提交，请确认后再结束本环节（未提交的不计入成绩）。",
                n=check.missing_sheets,
            )
        )
    before = _snapshot(stage)
    passed: list[int] = []
    if stage.mode is StageMode.SCORING:
        found = decisions(stage)
        for row in rows(stage):
            if row.state == PENDING and row.nomination.id not in found:
                db.session.add(
                    StageDecision(
                        stage_id=stage.id,
                        nomination_id=row.nomination.id,
                        outcome=Outcome.PASS,
                        decided_by_id=actor.id,
                    )
                )
                passed.append(row.nomination.id)
    lapsed = []
    reason = _("退回修改后未在「%(stage)s」结束前重新报送", stage=stage.name)
    for nomination in check.returned:
        _write_decision(actor, stage, nomination, Outcome.REJECT, reason, veto=False)
        lapsed.append(nomination.id)
    for nomination in check.unballoted:
        _write_decision(
            actor, stage, nomination, Outcome.REJECT, _("评分未进入投票人选"), veto=False
        )
        lapsed.append(nomination.id)
    stage.status = StageStatus.CLOSED
    db.session.flush()
    _record_review(
        actor,
        "nomination.stage.close",
        campaign,
        before=before,
        after={
            **_snapshot(stage),
            "passed": passed,
            "lapsed": lapsed,
            "missing_sheets": check.missing_sheets,
        },
    )


def reopen_stage(actor: User, stage: ReviewStage, reason: str) -> None:
    """Open a closed stage again (a decision to correct) while the next one has not started;
    a scoring stage's passes from its closing are taken back."""
    campaign = stage.campaign
    _require_manager(actor, campaign)
    text = checked_text(reason, "reason", _("重新开放的原因"), REASON_MAX, required=True)
    if stage.status is not StageStatus.CLOSED:
        raise ReviewError(_("只有已结束的环节可以重新开放。"))
    if campaign.status not in _RUNNING:
        raise ReviewError(
            _("评选处于「%(status)s」阶段，不能重新开放评审环节。", status=campaign.status.label)
        )
    after_it = next_stage(stage)
    if after_it is not None and after_it.status is not StageStatus.PENDING:
        raise ReviewError(
            _("下一环节「%(name)s」已经开始，不能重新开放本环节。", name=after_it.name)
        )
    finalized = db.session.scalar(
        select(
            exists().where(
                Nomination.campaign_id == campaign.id,
                Nomination.status.in_([NominationStatus.SELECTED, NominationStatus.ALTERNATE]),
            )
        )
    )
    if finalized:
        raise ReviewError(_("评审结果已确定，不能重新开放评审环节。"))
    before = _snapshot(stage)
    if stage.mode is StageMode.SCORING:
        db.session.execute(
            delete(StageDecision).where(
                StageDecision.stage_id == stage.id, StageDecision.outcome == Outcome.PASS
            )
        )
    stage.status = StageStatus.OPEN
    db.session.flush()
    audit.record(
        actor,
        "nomination.stage.reopen",
        "campaign",
        campaign.id,
        before=before,
        after=_snapshot(stage),
        reason=text,
    )


# ---------------------------------------------------------------- decisions


def _require_decider(actor: User, stage: ReviewStage) -> None:
    """A review stage's members decide; in a scoring or ballot stage the sheets or the ballot
    do, and only its chair or the organizer may still return or reject a nomination."""
    if stage.mode is StageMode.REVIEW:
        if not is_member(actor, stage):
            raise NotPermitted(_("您不是该评审环节的成员。"))
        return
    if not (is_chair(actor, stage) or stage.campaign.can_manage(actor)):
        raise NotPermitted(_("只有该环节的组长或评选组织者可以作出此决定。"))


def _decision_snapshot(decision: StageDecision | None, stage: ReviewStage) -> dict[str, Any]:
    if decision is None:
        return {"stage": stage.name, "outcome": None}
    return {
        "stage": stage.name,
        "outcome": decision.outcome.value,
        "veto": decision.veto,
        "reason": decision.reason,
    }


def _write_decision(
    actor: User,
    stage: ReviewStage,
    nomination: Nomination,
    outcome: Outcome,
    reason: str | None,
    *,
    veto: bool,
) -> StageDecision:
    decision = decision_of(stage, nomination)
    before = {
        **_decision_snapshot(decision, stage),
        "nomination_status": nomination.status.value,
    }
    if decision is None:
        decision = StageDecision(stage_id=stage.id, nomination_id=nomination.id, outcome=outcome)
        db.session.add(decision)
    decision.outcome = outcome
    decision.reason = reason or None
    decision.veto = veto
    decision.decided_by_id = actor.id
    if outcome is Outcome.PASS:
        nomination.status = NominationStatus.SUBMITTED
        nomination.status_reason = None
    elif outcome is Outcome.RETURN:
        nomination.status = NominationStatus.RETURNED
        nomination.status_reason = reason
    else:
        nomination.status = NominationStatus.REJECTED
        nomination.status_reason = _("一票否决：%(reason)s", reason=reason) if veto else reason
    db.session.flush()
    audit.record(
        actor,
        "nomination.review.decide",
        "nomination",
        nomination.id,
        before=before,
        after={
            **_decision_snapshot(decision, stage),
            "nomination_status": nomination.status.value,
        },
    )
    return decision


def decide(
    actor: User,
    stage: ReviewStage,
    nomination: Nomination,
    outcome: Outcome,
    reason: str | None,
    veto: bool = False,
) -> StageDecision:
    """Record the stage's outcome for ``nomination`` (see the module). A decision may be
    changed while the stage runs, except a return the unit has not answered yet."""
    if nomination.campaign_id != stage.campaign_id:
        raise NotPermitted(_("该推荐不属于本评选。"))
    _require_decider(actor, stage)
    recused = recusal_reason(actor, nomination)
    if recused:
        raise NotPermitted(recused)
    if stage.status is not StageStatus.OPEN:
        raise ReviewError(
            _("该环节尚未开始。") if stage.status is StageStatus.PENDING else _("该环节已结束。")
        )
    if not entered(stage, nomination):
        raise ReviewError(_("该推荐未进入本环节。"))
    current = decision_of(stage, nomination)
    state = state_of(nomination, current)
    if state == RETURNED:
        raise ReviewError(_("该推荐已退回修改，待推荐单位修改后重新报送再审。"))
    if veto:
        outcome = Outcome.REJECT
    if outcome is Outcome.PASS and stage.mode is not StageMode.REVIEW:
        raise ReviewError(
            _("本环节是否通过由评分或投票结果决定，这里只能退回修改或不通过。"), "outcome"
        )
    if veto:
        text = checked_text(reason, "reason", _("一票否决的理由"), REASON_MAX, required=True)
    elif outcome is Outcome.PASS:
        text = checked_text(reason, "reason", _("审核意见"), REASON_MAX, required=False)
    else:
        label = _("退回修改的原因") if outcome is Outcome.RETURN else _("不通过的理由")
        text = checked_text(reason, "reason", label, REASON_MAX, required=True)
    return _write_decision(actor, stage, nomination, outcome, text, veto=veto)


def record_ballot_outcomes(
    actor: User, stage: ReviewStage, passes: Mapping[int, bool]
) -> list[StageDecision]:
    """Record a ballot stage's result (``ballots`` calls this when its ballot closes):
    ``passes`` maps each nomination id on the ballot to whether it passed; those that did not
    become 不通过 with the reason 未获无记名投票通过."""
    if stage.mode not in BALLOT_MODES:
        raise ReviewError(_("只有投票环节可以记录投票结果。"))
    if stage.status is not StageStatus.OPEN:
        raise ReviewError(_("该环节不在进行中。"))
    _require_decider(actor, stage)
    listed = {n.id: n for n in entrants(stage)}
    written = []
    for nomination_id, passed in passes.items():
        nomination = listed.get(int(nomination_id))
        if nomination is None:
            raise ReviewError(_("投票结果中有未进入本环节的推荐。"))
        if passed:
            written.append(
                _write_decision(actor, stage, nomination, Outcome.PASS, None, veto=False)
            )
        else:
            written.append(
                _write_decision(
                    actor, stage, nomination, Outcome.REJECT, _("未获无记名投票通过"), veto=False
                )
            )
    return written
