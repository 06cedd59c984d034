"""Secret ballots (无记名投票) of a review stage's committee (issue 15).

A stage in BALLOT mode ballots the nominations of an award that reached it; in SCORING_BALLOT
mode only the ``ballot_top`` best by expert score. A ballot may be limited to the places left in
the award's quota: more nominees passing than places are placed by most 赞成, and a tie at the
boundary goes to a run-off among the tied (``stage.runoff``) or to the chair, who decides
explicitly with a reason — never list order. The rules themselves (quorum, threshold, places)
are pure maths in :mod:`scoring.ballots`.

**Secrecy the database keeps.** Casting a vote inserts a ``BallotVoter`` row (one per member, a
unique key refuses the second) and adds one to a ``BallotTally`` counter per nominee, in the
same transaction; nothing else is written — no row per paper, no time, no audit entry — so no
stored value joins a voter to a choice. Every vote rewrites *every* counter of the ballot (by 1
or by 0): on PostgreSQL a row's transaction id (``xmin``) would otherwise tell which counters
the last voter of each choice moved. The counts are shown only once the ballot is closed, and a
member is shown "已投票", never their own choices. What this cannot hide: an operator who reads
the live tables between two votes sees a counter move; old row versions stay on disk until
PostgreSQL vacuums them.

**A paper ballot** is counted by two tellers who each enter every nominee's counts
(``TellerCount``); they must agree exactly, else both are shown the differences and enter
again. The agreed count becomes the tally; the chair enters how many were present.

**Closing** needs the quorum (two thirds of the members by default; present = voted, or the
chair's count on paper). Below it the close is refused and the ballot stays open, or the chair
voids it with a reason: the voters and counters are cleared (a void ballot's counts are never
shown) and it can be opened again. A closed ballot's result is written as the stage's decisions
(``StageDecision`` PASS / REJECT, which the review chain reads), and the tally goes into the
audit trail as counts only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import and_, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from contest.extensions import db
from contest.models import (
    Ballot,
    BallotStatus,
    BallotTally,
    BallotVoter,
    Campaign,
    CampaignQuota,
    Nomination,
    NominationStatus,
    Outcome,
    ReviewStage,
    StageDecision,
    StageMember,
    StageMode,
    StageStatus,
    TellerCount,
    User,
)
from contest.models.base import utcnow
from contest.services.core import audit
from contest.services.nominations import review
from contest.validation import text_problem
from scoring.ballots import (
    HALF,
    TWO_THIRDS,
    Base,
    Placing,
    exact_share,
    passes,
    place,
    quorum_met,
    quorum_needed,
    votes_needed,
)

__all__ = [
    "BALLOT_MODES",
    "CHOICES",
    "CHOICE_LABELS",
    "PASS_RULES",
    "PASS_RULE_LABELS",
    "QUORUM_RULES",
    "QUORUM_RULE_LABELS",
    "BallotError",
    "BallotResult",
    "Difference",
    "NomineeResult",
    "TellerState",
    "award_title",
    "ballot_award",
    "can_count",
    "can_prepare",
    "can_run",
    "can_see",
    "can_vote",
    "cast",
    "check_choices",
    "close_ballot",
    "discard",
    "enter_count",
    "has_voted",
    "is_chair",
    "members_of",
    "nominations_of",
    "nominees",
    "open_ballot",
    "open_ballots_for",
    "pass_rule_key",
    "passed",
    "places_left",
    "prepare",
    "quorum_of",
    "quorum_rule_key",
    "quorum_text",
    "reached",
    "resolve_tie",
    "result",
    "root_of",
    "rule_text",
    "runoff",
    "set_present",
    "set_rules",
    "sits_on_ballots",
    "stage_ballots",
    "teller_state",
    "turnout",
    "void_ballot",
]

CHOICES: tuple[str, ...] = ("yes", "no", "abstain")
CHOICE_LABELS: dict[str, LazyString] = {"yes": _l("赞成"), "no": _l("反对"), "abstain": _l("弃权")}
BALLOT_MODES = frozenset({StageMode.BALLOT, StageMode.SCORING_BALLOT})
IN_REVIEW = NominationStatus.SUBMITTED
# The pass rules a stage may take: (share, base). "过半数" is strict, "三分之二以上" inclusive
# (scoring.ballots).
PASS_RULES: dict[str, tuple[Fraction, Base]] = {
    "half_members": (HALF, "members"),
    "half_present": (HALF, "present"),
    "two_thirds_members": (TWO_THIRDS, "members"),
    "two_thirds_present": (TWO_THIRDS, "present"),
}
PASS_RULE_LABELS: dict[str, LazyString] = {
    "half_members": _l("赞成票超过全体委员的半数（默认）"),
    "half_present": _l("赞成票超过到会委员的半数"),
    "two_thirds_members": _l("赞成票达到全体委员的三分之二以上"),
    "two_thirds_present": _l("赞成票达到到会委员的三分之二以上"),
}
QUORUM_RULES: dict[str, Fraction] = {"two_thirds": TWO_THIRDS, "half": HALF}
QUORUM_RULE_LABELS: dict[str, LazyString] = {
    "two_thirds": _l("到会委员达到全体委员的三分之二以上（默认）"),
    "half": _l("到会委员超过全体委员的半数"),
}
# Stored with four decimals (Numeric(5, 4)); read back exactly by scoring.ballots.exact_share.
_STORED = {HALF: Decimal("0.5"), TWO_THIRDS: Decimal("0.6667")}
MAX_REASON = 500


class BallotError(ValueError):
    """A refused ballot action, with its Chinese ``message`` and the form ``field`` if one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# ---------------------------------------------------------------- who may do what


def members_of(stage: ReviewStage) -> list[StageMember]:
    return list(
        db.session.scalars(
            select(StageMember).where(StageMember.stage_id == stage.id).order_by(StageMember.id)
        )
    )


def _member(stage: ReviewStage, user: User | Any) -> StageMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(StageMember).where(StageMember.stage_id == stage.id, StageMember.user_id == user.id)
    )


def is_chair(stage: ReviewStage, user: User | Any) -> bool:
    member = _member(stage, user)
    return bool(member and member.is_chair)


def can_run(stage: ReviewStage, user: User | Any) -> bool:
    """The chair (组长) opens, closes and voids a ballot, enters a paper ballot's attendance
    and decides a tie; a ballot stage cannot open without one (``review.open_problems``)."""
    return is_chair(stage, user)


def can_prepare(stage: ReviewStage, user: User | Any) -> bool:
    return stage.campaign.can_manage(user) or is_chair(stage, user)


def can_see(stage: ReviewStage, user: User | Any) -> bool:
    """The stage's ballot pages: its members and the campaign's organizers."""
    return stage.campaign.can_manage(user) or _member(stage, user) is not None


def can_vote(ballot: Ballot, user: User | Any) -> bool:
    stage = _stage(ballot)
    return not ballot.paper and _member(stage, user) is not None


def _stage(ballot: Ballot) -> ReviewStage:
    stage = db.session.get(ReviewStage, ballot.stage_id)
    assert stage is not None
    return stage


def _audited(
    actor: User,
    action: str,
    stage: ReviewStage,
    ballot_id: int | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """An entry in the campaign's trail (its pages export it), naming the stage and the
    ballot; what a ballot writes there is counts, never a voter beside a choice."""
    where = {"stage": stage.name, "ballot": ballot_id}
    audit.record(
        actor,
        action,
        "campaign",
        stage.campaign_id,
        before=before,
        after={**where, **(after or {})},
        reason=reason,
    )


def _require_run(stage: ReviewStage, actor: User) -> None:
    if not can_run(stage, actor):
        raise BallotError(_("只有评审委员会主持人可以进行这项操作。"))


def _require_ballot_mode(stage: ReviewStage, *, running: bool = False) -> None:
    """A ballot stage; ``running``: one the organizer has opened (ballots are held while it
    runs, and its decisions can only be recorded then)."""
    if stage.mode not in BALLOT_MODES:
        raise BallotError(_("这个评审环节不采用投票方式。"))
    if running and stage.status is not StageStatus.OPEN:
        raise BallotError(
            _("该环节尚未开始。") if stage.status is StageStatus.PENDING else _("该环节已结束。")
        )


# ---------------------------------------------------------------- rules


def _share(value: Decimal) -> Fraction:
    return exact_share(value)


def _base(stage: ReviewStage) -> Base:
    return "present" if stage.pass_base == "present" else "members"


def pass_rule_key(stage: ReviewStage) -> str | None:
    """The stage's pass rule as one of :data:`PASS_RULES` (None: a share set elsewhere)."""
    wanted = (_share(stage.pass_share), _base(stage))
    return next((key for key, rule in PASS_RULES.items() if rule == wanted), None)


def quorum_rule_key(stage: ReviewStage) -> str | None:
    share = _share(stage.quorum_share)
    return next((key for key, rule in QUORUM_RULES.items() if rule == share), None)


def _share_words(share: Fraction) -> str:
    if share == HALF:
        return str(_("半数"))
    if share == TWO_THIRDS:
        return str(_("三分之二"))
    return f"{float(share) * 100:g}%"


def rule_text(stage: ReviewStage, members: int, present: int | None = None) -> str:
    """The pass rule in words with the votes it needs: "赞成票超过全体委员（9 人）的半数，即至少
    5 票" (without the numbers for a base of those present before anyone is)."""
    share, base = _share(stage.pass_share), _base(stage)
    words = _share_words(share)
    counted = members if base == "members" else present
    if not counted:
        if share == HALF:
            return str(_("赞成票超过到会委员的半数"))
        return str(_("赞成票达到到会委员的%(share)s以上", share=words))
    n = votes_needed(share, counted)
    if base == "members":
        if share == HALF:
            return str(_("赞成票超过全体委员（%(m)d 人）的半数，即至少 %(n)d 票", m=counted, n=n))
        return str(
            _(
                "赞成票达到全体委员（%(m)d 人）的%(share)s以上，即至少 %(n)d 票",
                m=counted,
                share=words,
                n=n,
            )
        )
    if share == HALF:
        return str(_("赞成票超过到会委员（%(p)d 人）的半数，即至少 %(n)d 票", p=counted, n=n))
    return str(
        _(
            "赞成票达到到会委员（%(p)d 人）的%(share)s以上，即至少 %(n)d 票",
            p=counted,
            share=words,
            n=n,
        )
    )


def quorum_text(stage: ReviewStage, members: int) -> str:
    share = _share(stage.quorum_share)
    if share == HALF:
        return str(
            _(
                "到会委员须超过全体委员（%(m)d 人）的半数，即至少 %(n)d 人",
                m=members,
                n=quorum_needed(max(members, 1), share),
            )
        )
    return str(
        _(
            "到会委员须达到全体委员（%(m)d 人）的%(share)s以上，即至少 %(n)d 人",
            m=members,
            share=_share_words(share),
            n=quorum_needed(max(members, 1), share),
        )
    )


def quorum_of(stage: ReviewStage, members: int) -> int:
    """How many must be present (have voted) of ``members`` under the stage's rule."""
    return quorum_needed(max(members, 1), _share(stage.quorum_share))


def _ballots_started(stage: ReviewStage) -> bool:
    found = db.session.scalar(
        select(Ballot.id).where(Ballot.stage_id == stage.id, Ballot.status != BallotStatus.DRAFT)
    )
    return found is not None


def set_rules(
    actor: User,
    stage: ReviewStage,
    *,
    pass_rule: str,
    quorum_rule: str,
    ballot_top: int | None,
    runoff: bool,
) -> None:
    """The stage's ballot rules, fixed once one of its ballots has been opened (a rule changed
    after the votes are known could change the result)."""
    _require_ballot_mode(stage)
    if not can_prepare(stage, actor):
        raise BallotError(_("只有组织者或评审委员会主持人可以修改投票规则。"))
    if _ballots_started(stage):
        raise BallotError(_("这个环节已经开始投票，投票规则不能再修改。"))
    if pass_rule not in PASS_RULES:
        raise BallotError(_("请选择通过规则。"), "pass_rule")
    if quorum_rule not in QUORUM_RULES:
        raise BallotError(_("请选择法定人数规则。"), "quorum_rule")
    if stage.mode is StageMode.SCORING_BALLOT and not ballot_top:
        raise BallotError(
            _("评分后投票的环节须填写参加投票的人数（按评分排名取前几名）。"), "ballot_top"
        )
    if ballot_top is not None and not 1 <= ballot_top <= 1000:
        raise BallotError(_("参加投票的人数应为 1 到 1000 之间的整数。"), "ballot_top")
    before = _rules_snapshot(stage)
    share, base = PASS_RULES[pass_rule]
    stage.pass_share = _STORED[share]
    stage.pass_base = base
    stage.quorum_share = _STORED[QUORUM_RULES[quorum_rule]]
    stage.ballot_top = ballot_top if stage.mode is StageMode.SCORING_BALLOT else None
    stage.runoff = runoff
    after = _rules_snapshot(stage)
    if before != after:
        _audited(actor, "nomination.ballot.rules", stage, None, before=before, after=after)
    db.session.flush()


def _rules_snapshot(stage: ReviewStage) -> dict[str, Any]:
    return {
        "pass_rule": pass_rule_key(stage) or str(stage.pass_share),
        "quorum_rule": quorum_rule_key(stage) or str(stage.quorum_share),
        "ballot_top": stage.ballot_top,
        "runoff": stage.runoff,
    }


# ---------------------------------------------------------------- who is on the paper


def award_title(campaign: Campaign, key: str) -> str:
    for award in campaign.awards or []:
        if award.get("key") == key:
            return str(award.get("title") or key)
    return key


def reached(stage: ReviewStage, award: str) -> list[Nomination]:
    """The award's nominations that entered the stage (``review.entrants``: the previous stage
    passed them), still in review and not yet decided here (the chair may have returned or
    rejected one before the ballot)."""
    decided = review.decisions(stage)
    return [
        n
        for n in review.entrants(stage)
        if n.award == award and n.status is IN_REVIEW and n.id not in decided
    ]


def _by_score(
    candidates: Sequence[Nomination], top: int, ranking: Sequence[tuple[int, Decimal | None]] | None
) -> list[Nomination]:
    """The ``top`` best by expert score; nominees tied with the last of them come too (the cut
    never falls between equal scores by list order)."""
    by_id = {n.id: n for n in candidates}
    if ranking is not None:
        scored = [(by_id[nid], score) for nid, score in ranking if nid in by_id]
    else:
        scored = [(n, n.score) for n in candidates]
    missing = [n.name for n, score in scored if score is None]
    if missing or not scored:
        raise BallotError(
            _(
                "专家评分尚未完成（%(names)s），不能按评分确定投票人选。",
                names="、".join(missing[:5]),
            )
            if missing
            else _("没有已评分的被推荐人，不能按评分确定投票人选。")
        )
    scored.sort(key=lambda pair: -(pair[1] or Decimal(0)))
    if len(scored) <= top:
        return [n for n, _score in scored]
    cut = scored[top - 1][1]
    return [n for n, score in scored if score is not None and cut is not None and score >= cut]


def nominees(
    stage: ReviewStage, award: str, ranking: Sequence[tuple[int, Decimal | None]] | None = None
) -> list[Nomination]:
    """Who a new ballot of the stage puts on the paper: those that reached it, or in
    SCORING_BALLOT mode the ``ballot_top`` best of them by expert score (``ranking``: the
    expert stage's (nomination id, score) list, best first; else ``Nomination.score``)."""
    candidates = reached(stage, award)
    if stage.mode is StageMode.SCORING_BALLOT:
        return _by_score(candidates, stage.ballot_top or len(candidates), ranking)
    return candidates


def places_left(stage: ReviewStage, award: str) -> int | None:
    """The award's quota (the host's row) less those already selected or passed at this stage:
    the places a ballot may fill, or None when the campaign set no quota for the award."""
    quota = db.session.scalar(
        select(func.sum(CampaignQuota.quota)).where(
            CampaignQuota.campaign_id == stage.campaign_id,
            CampaignQuota.award == award,
            CampaignQuota.parent_id.is_(None),
        )
    )
    if quota is None:
        return None
    taken = db.session.scalar(
        select(func.count(Nomination.id)).where(
            Nomination.campaign_id == stage.campaign_id,
            Nomination.award == award,
            Nomination.status.in_([NominationStatus.SELECTED, NominationStatus.CONFERRED]),
        )
    )
    passed_here = db.session.scalar(
        select(func.count(StageDecision.id))
        .join(Nomination, Nomination.id == StageDecision.nomination_id)
        .where(
            StageDecision.stage_id == stage.id,
            StageDecision.outcome == Outcome.PASS,
            Nomination.award == award,
            Nomination.status == IN_REVIEW,
        )
    )
    return max(int(quota) - int(taken or 0) - int(passed_here or 0), 0)


def stage_ballots(stage: ReviewStage) -> list[Ballot]:
    return list(
        db.session.scalars(select(Ballot).where(Ballot.stage_id == stage.id).order_by(Ballot.id))
    )


def root_of(ballot: Ballot) -> Ballot:
    current = ballot
    while current.parent_id is not None:
        parent = db.session.get(Ballot, current.parent_id)
        assert parent is not None
        current = parent
    return current


def ballot_award(ballot: Ballot) -> str | None:
    nomination = (
        db.session.get(Nomination, ballot.nomination_ids[0]) if ballot.nomination_ids else None
    )
    return nomination.award if nomination else None


def nominations_of(ballot: Ballot) -> list[Nomination]:
    """The nominees on the paper, in the paper's order."""
    found = {
        n.id: n
        for n in db.session.scalars(
            select(Nomination).where(Nomination.id.in_(ballot.nomination_ids or [-1]))
        )
    }
    return [found[nid] for nid in ballot.nomination_ids if nid in found]


def prepare(
    actor: User,
    stage: ReviewStage,
    award: str,
    *,
    places: int | None,
    paper: bool,
    ranking: Sequence[tuple[int, Decimal | None]] | None = None,
) -> Ballot:
    """A new ballot (未开始) of the stage for one award, with its nominees fixed now."""
    _require_ballot_mode(stage, running=True)
    if not can_prepare(stage, actor):
        raise BallotError(_("只有组织者或评审委员会主持人可以安排投票。"))
    if award not in {a.get("key") for a in stage.campaign.awards or []}:
        raise BallotError(_("请选择本次评选的奖项。"), "award")
    for ballot in stage_ballots(stage):
        if ballot.parent_id is None and ballot_award(ballot) == award:
            raise BallotError(_("这个环节已经安排了该奖项的投票。"), "award")
    if places is not None and not 0 < places <= 10_000:
        raise BallotError(_("名额应为正整数，不限名额请留空。"), "places")
    chosen = nominees(stage, award, ranking)
    if not chosen:
        raise BallotError(_("该奖项没有进入本环节的被推荐人。"), "award")
    ballot = Ballot(
        stage_id=stage.id,
        nomination_ids=[n.id for n in chosen],
        places=places,
        paper=paper,
        status=BallotStatus.DRAFT,
    )
    db.session.add(ballot)
    db.session.flush()
    _audited(
        actor,
        "nomination.ballot.prepare",
        stage,
        ballot.id,
        after={"award": award, "nominees": len(chosen), "places": places, "paper": paper},
    )
    return ballot


def discard(actor: User, ballot: Ballot) -> None:
    """Remove a ballot that has not been opened (to prepare it again)."""
    stage = _stage(ballot)
    if not can_prepare(stage, actor):
        raise BallotError(_("只有组织者或评审委员会主持人可以安排投票。"))
    if ballot.status is not BallotStatus.DRAFT or ballot.opened_at is not None:
        raise BallotError(_("已经开启过的投票不能删除。"))
    if ballot.parent_id is not None:
        raise BallotError(_("再次投票不能删除，可以由主持人直接决定。"))
    _audited(
        actor,
        "nomination.ballot.discard",
        stage,
        ballot.id,
        before={"nominees": len(ballot.nomination_ids)},
    )
    db.session.delete(ballot)
    db.session.flush()


# ---------------------------------------------------------------- opening and voting


def _locked(ballot: Ballot, *, shared: bool = False) -> Ballot:
    """The ballot re-read and locked until the commit: votes take a shared lock, so a close
    (an exclusive one) waits for the votes in flight and none lands after it."""
    found = db.session.scalar(
        select(Ballot)
        .where(Ballot.id == ballot.id)
        .with_for_update(read=shared)
        .execution_options(populate_existing=True)
    )
    if not isinstance(found, Ballot):
        raise BallotError(_("投票不存在。"))
    return found


def _reset_tally(ballot: Ballot, counts: Mapping[int, Mapping[str, int]] | None = None) -> None:
    db.session.execute(delete(BallotTally).where(BallotTally.ballot_id == ballot.id))
    db.session.execute(
        BallotTally.__table__.insert(),
        [
            {
                "ballot_id": ballot.id,
                "nomination_id": nid,
                "choice": choice,
                "count": (counts or {}).get(nid, {}).get(choice, 0),
            }
            for nid in ballot.nomination_ids
            for choice in CHOICES
        ],
    )


def open_ballot(actor: User, ballot: Ballot) -> Ballot:
    """Open the ballot for votes (or, on paper, for the tellers' counts)."""
    stage = _stage(ballot)
    _require_ballot_mode(stage, running=True)
    _require_run(stage, actor)
    ballot = _locked(ballot)
    if ballot.status is not BallotStatus.DRAFT:
        raise BallotError(_("这次投票已经开启过了。"))
    members = len(members_of(stage))
    if members < 1:
        raise BallotError(_("评审委员会还没有委员，不能开启投票。"))
    gone = [n.name for n in nominations_of(ballot) if n.status is not IN_REVIEW]
    if gone or len(nominations_of(ballot)) != len(ballot.nomination_ids):
        raise BallotError(
            _(
                "以下被推荐人已不在评审中：%(names)s。请删除这次投票后重新安排。",
                names="、".join(gone) or "—",
            )
        )
    open_other = db.session.scalar(
        select(Ballot.id).where(
            Ballot.stage_id == stage.id, Ballot.status == BallotStatus.OPEN, Ballot.id != ballot.id
        )
    )
    if open_other is not None:
        raise BallotError(_("本环节还有一次投票没有结束，请先结束那次投票。"))
    ballot.members = members
    ballot.status = BallotStatus.OPEN
    ballot.opened_at = utcnow()
    ballot.present = None
    _reset_tally(ballot)
    _audited(
        actor,
        "nomination.ballot.open",
        stage,
        ballot.id,
        after={"committee": members, "nominees": len(ballot.nomination_ids), "paper": ballot.paper},
    )
    db.session.flush()
    return ballot


def turnout(ballot: Ballot) -> tuple[int, int]:
    """(voted or present, members): the count the chair watches; never who or how."""
    if ballot.paper:
        return ballot.present or 0, ballot.members
    voted = db.session.scalar(
        select(func.count(BallotVoter.id)).where(BallotVoter.ballot_id == ballot.id)
    )
    return int(voted or 0), ballot.members


def has_voted(ballot: Ballot, user: User | Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    found = db.session.scalar(
        select(BallotVoter.id).where(
            BallotVoter.ballot_id == ballot.id, BallotVoter.user_id == user.id
        )
    )
    return found is not None


def open_ballots_for(user: User | Any) -> list[Ballot]:
    """The open electronic ballots of the stages the user sits on (the member's list)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            select(Ballot)
            .join(StageMember, StageMember.stage_id == Ballot.stage_id)
            .where(
                StageMember.user_id == user.id,
                Ballot.status == BallotStatus.OPEN,
                Ballot.paper.is_(False),
            )
            .order_by(Ballot.id)
        )
    )


def sits_on_ballots(user: User | Any) -> bool:
    """For the menu: whether the user sits on a running ballot stage (one cheap query)."""
    if not getattr(user, "is_authenticated", False):
        return False
    found = db.session.scalar(
        select(StageMember.id)
        .join(ReviewStage, ReviewStage.id == StageMember.stage_id)
        .where(
            StageMember.user_id == user.id,
            ReviewStage.mode.in_(list(BALLOT_MODES)),
            ReviewStage.status == StageStatus.OPEN,
        )
        .limit(1)
    )
    return found is not None


def check_choices(ballot: Ballot, choices: Mapping[int, str]) -> dict[int, str]:
    """One of 赞成 / 反对 / 弃权 for every nominee on the paper, and nothing else."""
    names = {n.id: n.name for n in nominations_of(ballot)}
    missing = [
        names.get(nid, str(nid)) for nid in ballot.nomination_ids if choices.get(nid) not in CHOICES
    ]
    if missing:
        raise BallotError(
            _(
                "还有 %(n)d 名被推荐人没有表态：%(names)s。每人须选择赞成、反对或弃权。",
                n=len(missing),
                names="、".join(missing),
            )
        )
    return {nid: choices[nid] for nid in ballot.nomination_ids}


def cast(voter: User, ballot: Ballot, choices: Mapping[int, str]) -> None:
    """Count one member's paper — a choice for every nominee — in the caller's transaction
    (the caller commits, or rolls back on BallotError).

    Who voted is one ``BallotVoter`` row, refused a second time by its unique key (also when
    two requests of the same member race: the later insert fails and nothing is counted); what
    was voted is one UPDATE adding 1 to the chosen counters and 0 to every other counter of
    the ballot. Nothing else is written.
    """
    ballot = _locked(ballot, shared=True)
    if ballot.paper:
        raise BallotError(_("这次投票采用纸质选票，由计票人录入计票结果。"))
    if ballot.status is not BallotStatus.OPEN:
        raise BallotError(_("投票尚未开始或已经结束。"))
    if not can_vote(ballot, voter):
        raise BallotError(_("您不是本环节评审委员会的委员，不能投票。"))
    chosen = check_choices(ballot, choices)
    if has_voted(ballot, voter):
        raise BallotError(_("您已经投过票了，每位委员只能投一次。"))
    if turnout(ballot)[0] >= ballot.members:
        # Someone joined the committee after the ballot opened: more papers than members
        # would make the quorum and the threshold meaningless.
        raise BallotError(
            _(
                "投票人数已达到开始投票时的委员人数（%(m)d 人），不能再投票；请联系主持人。",
                m=ballot.members,
            )
        )
    try:
        with db.session.begin_nested():
            db.session.add(BallotVoter(ballot_id=ballot.id, user_id=voter.id))
    except IntegrityError:
        raise BallotError(_("您已经投过票了，每位委员只能投一次。")) from None
    picked = case(
        *[
            (and_(BallotTally.nomination_id == nid, BallotTally.choice == choice), 1)
            for nid, choice in chosen.items()
        ],
        else_=0,
    )
    counted = db.session.execute(
        update(BallotTally)
        .where(BallotTally.ballot_id == ballot.id)
        .values(count=BallotTally.count + picked)
        .execution_options(synchronize_session=False)
    )
    if counted.rowcount != len(ballot.nomination_ids) * len(CHOICES):  # type: ignore[attr-defined]
        raise BallotError(_("计票数据不完整，请联系组织者。"))


# ---------------------------------------------------------------- paper ballots


def set_present(actor: User, ballot: Ballot, present: int | None) -> None:
    """The chair's count of members present at a paper ballot (papers handed out)."""
    stage = _stage(ballot)
    _require_run(stage, actor)
    ballot = _locked(ballot)
    if not ballot.paper or ballot.status is not BallotStatus.OPEN:
        raise BallotError(_("只有进行中的纸质投票需要录入到会人数。"))
    if present is None or not 0 <= present <= ballot.members:
        raise BallotError(
            _("到会人数应为 0 到 %(m)d（全体委员人数）之间的整数。", m=ballot.members), "present"
        )
    if _agreed_counts(ballot) is not None:
        raise BallotError(_("两名计票人的计数已经一致，到会人数不能再修改。"), "present")
    before = ballot.present
    ballot.present = present
    _audited(
        actor,
        "nomination.ballot.present",
        stage,
        ballot.id,
        before={"present": before},
        after={"present": present},
    )
    db.session.flush()


def _teller_rows(ballot: Ballot) -> dict[int, dict[int, tuple[int, int, int]]]:
    rows: dict[int, dict[int, tuple[int, int, int]]] = {}
    for row in db.session.scalars(
        select(TellerCount).where(TellerCount.ballot_id == ballot.id).order_by(TellerCount.id)
    ):
        rows.setdefault(row.teller_id, {})[row.nomination_id] = (row.yes, row.no, row.abstain)
    return rows


def _complete(counts: Mapping[int, tuple[int, int, int]], ballot: Ballot) -> bool:
    return set(counts) == set(ballot.nomination_ids)


@dataclass(frozen=True)
class Difference:
    nomination: Nomination
    first: tuple[int, int, int]
    second: tuple[int, int, int]


@dataclass(frozen=True)
class TellerState:
    """Where the two tellers' counts stand: who entered (first two only), whether they agree,
    and where not."""

    tellers: list[User]
    agreed: bool
    differences: list[Difference] = field(default_factory=list)
    mine: dict[int, tuple[int, int, int]] = field(default_factory=dict)


def _agreed_counts(ballot: Ballot) -> dict[int, tuple[int, int, int]] | None:
    entries = [c for c in _teller_rows(ballot).values() if _complete(c, ballot)]
    if len(entries) == 2 and entries[0] == entries[1]:
        return entries[0]
    return None


def teller_state(ballot: Ballot, user: User | Any = None) -> TellerState:
    rows = _teller_rows(ballot)
    tellers = [db.session.get(User, tid) for tid in rows]
    agreed = _agreed_counts(ballot) is not None
    differences: list[Difference] = []
    complete = [counts for counts in rows.values() if _complete(counts, ballot)]
    if len(complete) == 2 and not agreed:
        for nomination in nominations_of(ballot):
            a, b = complete[0][nomination.id], complete[1][nomination.id]
            if a != b:
                differences.append(Difference(nomination, a, b))
    uid = getattr(user, "id", None)
    return TellerState(
        tellers=[t for t in tellers if t is not None],
        agreed=agreed,
        differences=differences,
        mine=dict(rows.get(uid, {})) if uid is not None else {},
    )


def can_count(ballot: Ballot, user: User | Any) -> bool:
    """A teller (计票人): a member of the stage or an organizer of the campaign."""
    stage = _stage(ballot)
    return ballot.paper and (_member(stage, user) is not None or stage.campaign.can_manage(user))


def enter_count(
    teller: User, ballot: Ballot, counts: Mapping[int, tuple[int, int, int]]
) -> TellerState:
    """A teller's count of every nominee (赞成, 反对, 弃权). Each line must add up to those
    present (a line left blank on a paper is 弃权). Once two tellers' counts agree exactly they
    become the tally; until then either may enter again."""
    stage = _stage(ballot)
    ballot = _locked(ballot)
    if not can_count(ballot, teller):
        raise BallotError(_("只有本环节的委员或组织者可以担任计票人。"))
    if ballot.status is not BallotStatus.OPEN:
        raise BallotError(_("投票尚未开始或已经结束。"))
    if ballot.present is None:
        raise BallotError(_("请主持人先录入到会人数。"))
    if _agreed_counts(ballot) is not None:
        raise BallotError(_("两名计票人的计数已经一致，不能再修改。"))
    rows = _teller_rows(ballot)
    if teller.id not in rows and len(rows) >= 2:
        raise BallotError(_("已经有两名计票人录入了计数。"))
    names = {n.id: n.name for n in nominations_of(ballot)}
    problems = []
    for nid in ballot.nomination_ids:
        line = counts.get(nid)
        if line is None or any(v is None or v < 0 for v in line):
            problems.append(_("%(name)s：请填写赞成、反对、弃权票数", name=names.get(nid, nid)))
        elif sum(line) != ballot.present:
            problems.append(
                _(
                    "%(name)s：赞成、反对、弃权合计 %(sum)d 票，应等于到会人数 %(n)d",
                    name=names.get(nid, nid),
                    sum=sum(line),
                    n=ballot.present,
                )
            )
    if problems:
        raise BallotError("；".join(problems))
    db.session.execute(
        delete(TellerCount).where(
            TellerCount.ballot_id == ballot.id, TellerCount.teller_id == teller.id
        )
    )
    for nid in ballot.nomination_ids:
        yes, no, abstain = counts[nid]
        db.session.add(
            TellerCount(
                ballot_id=ballot.id,
                teller_id=teller.id,
                nomination_id=nid,
                yes=yes,
                no=no,
                abstain=abstain,
            )
        )
    db.session.flush()
    _audited(
        teller,
        "nomination.ballot.count",
        stage,
        ballot.id,
        after={
            "present": ballot.present,
            "counts": {str(nid): list(counts[nid]) for nid in ballot.nomination_ids},
        },
    )
    agreed = _agreed_counts(ballot)
    if agreed is not None:
        _reset_tally(
            ballot,
            {nid: dict(zip(CHOICES, line, strict=True)) for nid, line in agreed.items()},
        )
        db.session.flush()
    return teller_state(ballot, teller)


# ---------------------------------------------------------------- closing and the result


def _counts(ballot: Ballot) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {
        nid: dict.fromkeys(CHOICES, 0) for nid in ballot.nomination_ids
    }
    for nid, choice, count in db.session.execute(
        select(BallotTally.nomination_id, BallotTally.choice, BallotTally.count).where(
            BallotTally.ballot_id == ballot.id
        )
    ):
        if nid in counts and choice in CHOICES:
            counts[nid][choice] = count
    return counts


@dataclass(frozen=True)
class NomineeResult:
    nomination: Nomination
    yes: int
    no: int
    abstain: int
    passes: bool
    place: str  # elected | tied | out | failed

    @property
    def total(self) -> int:
        return self.yes + self.no + self.abstain


@dataclass(frozen=True)
class BallotResult:
    ballot: Ballot
    members: int
    present: int
    quorum: int
    needed: int
    rows: list[NomineeResult]
    places: int | None
    tied: list[Nomination]
    places_left: int

    @property
    def resolved(self) -> bool:
        return not self.tied

    @property
    def elected(self) -> list[Nomination]:
        return [r.nomination for r in self.rows if r.place == "elected"]


def _compute(ballot: Ballot, stage: ReviewStage, present: int) -> BallotResult:
    share, base = _share(stage.pass_share), _base(stage)
    counts = _counts(ballot)
    people = nominations_of(ballot)
    members = ballot.members
    passing = {n.id for n in people if passes(counts[n.id]["yes"], members, present, share, base)}
    placing: Placing[int] = place(
        {n.id: counts[n.id]["yes"] for n in people}, passing, ballot.places
    )
    where = {nid: "elected" for nid in placing.elected} | {nid: "tied" for nid in placing.tied}
    rows = [
        NomineeResult(
            n,
            counts[n.id]["yes"],
            counts[n.id]["no"],
            counts[n.id]["abstain"],
            n.id in passing,
            where.get(n.id, "out" if n.id in passing else "failed"),
        )
        for n in people
    ]
    counted = members if base == "members" else present
    return BallotResult(
        ballot=ballot,
        members=members,
        present=present,
        quorum=quorum_needed(members, _share(stage.quorum_share)),
        needed=votes_needed(share, counted),
        rows=rows,
        places=ballot.places,
        tied=[n for n in people if n.id in set(placing.tied)],
        places_left=placing.places_left,
    )


def result(ballot: Ballot) -> BallotResult:
    """The counts and what they decide — only once the ballot is closed (while it is open the
    counts are nobody's business, the chair's included)."""
    if ballot.status is not BallotStatus.CLOSED:
        raise BallotError(_("投票结束后才能查看计票结果。"))
    return _compute(ballot, _stage(ballot), ballot.present or 0)


def _record_outcomes(actor: User, stage: ReviewStage, outcome: BallotResult) -> None:
    """The stage's decisions for every nominee the ballot settled (a tie waits)."""
    settled = {r.nomination.id: r.place == "elected" for r in outcome.rows if r.place != "tied"}
    if settled:
        _review(review.record_ballot_outcomes, actor, stage, settled)


def _review(step: Any, *args: Any) -> Any:
    """A step of the review chain, its refusal as ours."""
    try:
        return step(*args)
    except review.ReviewError as error:
        raise BallotError(error.message) from None


def _tally_snapshot(outcome: BallotResult) -> dict[str, Any]:
    return {
        "committee": outcome.members,
        "present": outcome.present,
        "quorum": outcome.quorum,
        "needed": outcome.needed,
        "places": outcome.places,
        "tally": {
            str(r.nomination.id): {
                "yes": r.yes,
                "no": r.no,
                "abstain": r.abstain,
                "result": r.place,
            }
            for r in outcome.rows
        },
    }


def close_ballot(actor: User, ballot: Ballot) -> BallotResult:
    """Close and count: refused below the quorum (the ballot stays open); then the result is
    written as the stage's decisions, a tie at the places' boundary opens a run-off (when the
    stage holds them) or waits for the chair, and the tally goes into the audit trail."""
    stage = _stage(ballot)
    _require_run(stage, actor)
    ballot = _locked(ballot)
    if ballot.status is not BallotStatus.OPEN:
        raise BallotError(_("只有进行中的投票可以结束。"))
    if ballot.paper:
        if ballot.present is None:
            raise BallotError(_("请先录入到会人数。"))
        if _agreed_counts(ballot) is None:
            raise BallotError(_("两名计票人的计数还没有一致，不能结束投票。"))
        present = ballot.present
    else:
        present = turnout(ballot)[0]
    quorum_share = _share(stage.quorum_share)
    if not quorum_met(present, ballot.members, quorum_share):
        raise BallotError(
            _(
                "到会（已投票）%(p)d 人，不足法定人数 %(q)d 人（%(rule)s），不能计票。"
                "可以等待其他委员投票，或说明原因后作废本次投票。",
                p=present,
                q=quorum_needed(ballot.members, quorum_share),
                rule=quorum_text(stage, ballot.members),
            )
        )
    counts = _counts(ballot)
    if any(sum(line.values()) != present for line in counts.values()):
        raise BallotError(_("票数与到会人数不一致，请联系系统管理员核查。"))
    ballot.present = present
    ballot.status = BallotStatus.CLOSED
    ballot.closed_at = utcnow()
    db.session.flush()
    outcome = _compute(ballot, stage, present)
    _record_outcomes(actor, stage, outcome)
    _audited(actor, "nomination.ballot.close", stage, ballot.id, after=_tally_snapshot(outcome))
    if outcome.tied and stage.runoff and ballot.parent_id is None:
        runoff(actor, ballot)
    db.session.flush()
    return outcome


def _child(ballot: Ballot) -> Ballot | None:
    return db.session.scalar(select(Ballot).where(Ballot.parent_id == ballot.id))


def runoff(actor: User, ballot: Ballot) -> Ballot:
    """A run-off (再次投票) among the nominees tied at the boundary, for the places left."""
    stage = _stage(ballot)
    _require_run(stage, actor)
    outcome = result(ballot)
    if outcome.resolved:
        raise BallotError(_("这次投票没有需要再次投票的并列情况。"))
    if _child(ballot) is not None:
        raise BallotError(_("已经安排了再次投票。"))
    if not stage.runoff and ballot.parent_id is None:
        raise BallotError(_("本环节不进行再次投票，请由主持人决定。"))
    child = Ballot(
        stage_id=stage.id,
        parent_id=ballot.id,
        nomination_ids=[n.id for n in outcome.tied],
        places=outcome.places_left,
        paper=ballot.paper,
        status=BallotStatus.DRAFT,
    )
    db.session.add(child)
    db.session.flush()
    _audited(
        actor,
        "nomination.ballot.runoff",
        stage,
        child.id,
        after={
            "runoff_of": ballot.id,
            "nominees": len(child.nomination_ids),
            "places": child.places,
        },
    )
    return child


def resolve_tie(actor: User, ballot: Ballot, chosen: Iterable[int], reason: str) -> None:
    """The chair decides a tie the ballot left open: exactly the places left, among the tied,
    with a reason — written as the stage's decisions and audited."""
    stage = _stage(ballot)
    _require_run(stage, actor)
    outcome = result(ballot)
    if outcome.resolved:
        raise BallotError(_("这次投票没有需要决定的并列情况。"))
    child = _child(ballot)
    if child is not None:
        raise BallotError(_("已经安排了再次投票，请以再次投票的结果为准。"))
    reason = (reason or "").strip()
    problem = text_problem(reason, multiline=True)
    if not reason or problem:
        raise BallotError(problem or _("请说明决定的理由。"), "reason")
    if len(reason) > MAX_REASON:
        raise BallotError(_("理由不能超过 %(n)d 个字。", n=MAX_REASON), "reason")
    picked = set(chosen)
    tied = {n.id: n for n in outcome.tied}
    if not picked <= set(tied) or len(picked) != outcome.places_left:
        raise BallotError(_("请在并列的被推荐人中选出 %(n)d 人。", n=outcome.places_left), "chosen")
    _review(review.record_ballot_outcomes, actor, stage, {nid: nid in picked for nid in tied})
    _audited(
        actor,
        "nomination.ballot.resolve",
        stage,
        ballot.id,
        after={"chosen": sorted(picked), "tied": sorted(tied)},
        reason=reason,
    )
    db.session.flush()


def void_ballot(actor: User, ballot: Ballot, reason: str) -> None:
    """Void an open ballot (below the quorum, a fault in the room) with a reason: who voted
    and the counters are cleared unseen, and the ballot can be opened again."""
    stage = _stage(ballot)
    _require_run(stage, actor)
    ballot = _locked(ballot)
    if ballot.status is not BallotStatus.OPEN:
        raise BallotError(_("只有进行中的投票可以作废。"))
    reason = (reason or "").strip()
    problem = text_problem(reason, multiline=True)
    if not reason or problem:
        raise BallotError(problem or _("请说明作废的原因。"), "reason")
    if len(reason) > MAX_REASON:
        raise BallotError(_("原因不能超过 %(n)d 个字。", n=MAX_REASON), "reason")
    voted, members = turnout(ballot)
    db.session.execute(delete(BallotVoter).where(BallotVoter.ballot_id == ballot.id))
    db.session.execute(delete(BallotTally).where(BallotTally.ballot_id == ballot.id))
    db.session.execute(delete(TellerCount).where(TellerCount.ballot_id == ballot.id))
    ballot.status = BallotStatus.DRAFT
    ballot.opened_at = None
    ballot.present = None
    _audited(
        actor,
        "nomination.ballot.void",
        stage,
        ballot.id,
        before={"voted": voted, "committee": members},
        reason=reason,
    )
    db.session.flush()


def passed(stage: ReviewStage) -> list[Nomination]:
    """The nominations the stage passed (its PASS decisions), for the review chain."""
    return list(
        db.session.scalars(
            select(Nomination)
            .join(StageDecision, StageDecision.nomination_id == Nomination.id)
            .where(StageDecision.stage_id == stage.id, StageDecision.outcome == Outcome.PASS)
            .order_by(Nomination.id)
        )
    )
