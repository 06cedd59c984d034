"""The life of a skills contest: 筹备 → 报名 → 比赛评分 → 复核与申诉 → 已公布 → 已归档.

Status moves only along :data:`TRANSITIONS`, and each move is checked by
:func:`check_transition`, which returns the problems in whole Chinese sentences so the dashboard
can show *why* a button is blocked.  Publication is the one move :func:`transition` refuses:
``contest.services.skills.publishing.publish`` computes and freezes the results and moves the
status itself with :func:`set_status`, in the same pass.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from contest.extensions import db
from contest.models import User
from contest.models.base import utcnow
from contest.models.contest import Contest, ContestStatus, Entry, Event
from contest.models.judging import (
    Appeal,
    AppealStatus,
    Assignment,
    PanelMember,
    RecheckItem,
    ScoreSheet,
)
from contest.services.core import audit
from contest.services.core.versions import RESULTS_CONTENT, bump_version
from contest.services.skills import review, rubrics, turnout
from contest.services.skills.contests import ContestError, weight_problems

S = ContestStatus
TRANSITIONS: dict[ContestStatus, tuple[ContestStatus, ...]] = {
    S.DRAFT: (S.REGISTRATION,),
    S.REGISTRATION: (S.DRAFT, S.JUDGING),
    S.JUDGING: (S.REGISTRATION, S.REVIEW),
    S.REVIEW: (S.JUDGING, S.PUBLISHED),
    S.PUBLISHED: (S.ARCHIVED,),
    S.ARCHIVED: (),
}
# Moves that undo progress: the dashboard asks for a reason and shows them apart.
BACKWARD = {(S.REGISTRATION, S.DRAFT), (S.JUDGING, S.REGISTRATION), (S.REVIEW, S.JUDGING)}


def _event_name(event: Event) -> str:
    return f"{event.code} {event.label}"


def _live_entries(event: Event) -> list[Entry]:
    return list(
        db.session.scalars(select(Entry).where(Entry.event_id == event.id, turnout.in_field()))
    )


def _problems_to_registration(contest: Contest) -> list[str]:
    problems: list[str] = []
    if not contest.events:
        return [_("大赛还没有赛项")]
    for event in contest.events:
        name = _event_name(event)
        for problem in weight_problems(event) + rubrics.rubric_problems(event):
            problems.append(_("%(event)s：%(problem)s", event=name, problem=problem))
    return problems


def _undecided_problems(contest: Contest) -> list[str]:
    """Events below their minimum field with no recorded choice, once the answers are applied
    (e.g. made short by 缺考): they would otherwise be judged and awarded unasked."""
    return [
        _(
            "%(event)s：参赛 %(n)s 人，少于最低参赛人数 %(min)s 人，"
            "须先选择取消该赛项或只排名、不评奖",
            event=_event_name(item.event),
            n=item.entrants,
            min=item.minimum,
        )
        for item in turnout.undecided_short(contest)
    ]


def _problems_to_judging(contest: Contest) -> list[str]:
    """What the events still need before 比赛评分.  A cancelled event needs nothing, nor does one
    whose field is short and not yet decided: its organizer may still cancel it, and if they
    choose to rank it instead, :func:`transition` checks it again after the answer (and then
    refuses any short event still without a choice, :func:`_undecided_problems`)."""
    problems: list[str] = []
    if not contest.events:
        return [_("大赛还没有赛项")]
    undecided = {item.event.id for item in turnout.short_fields(contest)}
    for event in contest.events:
        if event.id in undecided or turnout.is_cancelled(event):
            continue
        name = _event_name(event)

        def add(message: str, name: str = name) -> None:
            problems.append(_("%(event)s：%(problem)s", event=name, problem=message))

        # The rubric may have been edited during registration: it must still be whole.
        for problem in weight_problems(event) + rubrics.rubric_problems(event):
            add(problem)
        entries = _live_entries(event)
        if not entries:
            add(_("还没有报名选手"))
            continue
        undrawn = sum(1 for e in entries if not e.entry_code)
        if undrawn:
            add(_("%(n)s 名选手尚未抽取参赛号", n=undrawn))
        chief = db.session.scalar(
            select(PanelMember.id).where(
                PanelMember.event_id == event.id, PanelMember.is_chief.is_(True)
            )
        )
        if chief is None:
            add(_("裁判组还没有指定裁判长"))
        assigned = set(
            db.session.scalars(
                select(Assignment.entry_id).where(Assignment.event_id == event.id).distinct()
            )
        )
        unassigned = [e for e in turnout.competing_entries(event) if e.id not in assigned]
        if unassigned:
            add(_("%(n)s 名选手尚未分配评委", n=len(unassigned)))
    return problems


def _sheet_count(contest: Contest) -> int:
    return int(
        db.session.scalar(
            select(func.count(ScoreSheet.id))
            .join(Event, ScoreSheet.event_id == Event.id)
            .where(Event.contest_id == contest.id)
        )
        or 0
    )


def _problems_to_review(contest: Contest) -> list[str]:
    """Sheets still expected, counted as the review pages count them (``review.progress``:
    checked-in entries, recused pairs left out), in a handful of queries per event."""
    problems: list[str] = []
    for event in contest.events:
        figures = review.progress(event)
        missing = figures.total - figures.done
        if missing:
            problems.append(
                _(
                    "%(event)s：还有 %(n)s 份评分表未提交",
                    event=_event_name(event),
                    n=missing,
                )
            )
    return problems


def _problems_to_published(contest: Contest) -> list[str]:
    problems: list[str] = []
    for event in contest.events:
        name = _event_name(event)
        if turnout.is_cancelled(event):
            continue  # not scored, nothing to sign or decide
        if not event.is_signed_off:
            problems.append(_("%(event)s：裁判长尚未签字确认", event=name))
        pending = db.session.scalar(
            select(func.count(Appeal.id)).where(
                Appeal.event_id == event.id, Appeal.status == AppealStatus.PENDING
            )
        )
        if pending:
            problems.append(_("%(event)s：有 %(n)s 件申诉尚未裁决", event=name, n=pending))
        unchecked = db.session.scalar(
            select(func.count(RecheckItem.id)).where(
                RecheckItem.event_id == event.id, RecheckItem.checked_at.is_(None)
            )
        )
        if unchecked:
            problems.append(
                _("%(event)s：复核名单中还有 %(n)s 名选手未复核", event=name, n=unchecked)
            )
    if not contest.events:
        problems.append(_("大赛还没有赛项"))
    return problems


def check_transition(contest: Contest, to: ContestStatus) -> list[str]:
    """Why ``contest`` may not move to ``to`` now (empty list: the move is allowed)."""
    current = contest.status
    if to not in TRANSITIONS[current]:
        return [
            _(
                "大赛不能从「%(from)s」直接转为「%(to)s」",
                **{"from": current.label, "to": to.label},
            )
        ]
    if (current, to) == (S.DRAFT, S.REGISTRATION):
        return _problems_to_registration(contest)
    if (current, to) == (S.REGISTRATION, S.DRAFT):
        count = db.session.scalar(
            select(func.count(Entry.id)).where(Entry.contest_id == contest.id)
        )
        return [_("已有 %(n)s 名选手报名，不能退回筹备", n=count)] if count else []
    if (current, to) == (S.REGISTRATION, S.JUDGING):
        return _problems_to_judging(contest)
    if (current, to) == (S.JUDGING, S.REGISTRATION):
        count = _sheet_count(contest)
        return [_("评委已开始评分（%(n)s 份评分表），不能退回报名", n=count)] if count else []
    if (current, to) == (S.JUDGING, S.REVIEW):
        return _problems_to_review(contest)
    if (current, to) == (S.REVIEW, S.JUDGING):
        signed = [_event_name(e) for e in contest.events if e.is_signed_off]
        if signed:
            return [_("%(events)s 已由裁判长签字确认，不能退回评分", events="、".join(signed))]
        return []
    if (current, to) == (S.REVIEW, S.PUBLISHED):
        return _problems_to_published(contest)
    return []  # published → archived


def allowed_moves(contest: Contest) -> list[tuple[ContestStatus, list[str]]]:
    """Each next status with its blocking problems (for the dashboard's buttons)."""
    return [(to, check_transition(contest, to)) for to in TRANSITIONS[contest.status]]


# Moves that change what the public lists and the contests API show.
PUBLIC_STATUSES = frozenset({S.PUBLISHED, S.ARCHIVED})


def set_status(
    actor: User | None,
    contest: Contest,
    to: ContestStatus,
    reason: str | None = None,
    *,
    at: datetime | None = None,
) -> Contest:
    """Move the contest to ``to`` without checks (callers check first), audited.

    The first move to 已公布 records ``at`` (the snapshot's time) as the publication time.  No
    content version is bumped here: the caller knows whether the public sees the move, and
    bumps once for everything it changed (:func:`transition`, ``publishing.publish``).
    """
    before = contest.status
    contest.status = to
    if to is S.PUBLISHED and contest.published_at is None:
        contest.published_at = at or utcnow()
    db.session.flush()
    audit.record(
        actor,
        "contest.status",
        "contest",
        contest.id,
        before={"status": before.value},
        after={"status": to.value},
        reason=reason,
    )
    return contest


def transition(
    actor: User,
    contest: Contest,
    to: ContestStatus,
    reason: str | None = None,
    *,
    answers: turnout.Answers | None = None,
) -> Contest:
    """Check and perform a status move; publication goes through ``publishing.publish``.

    Closing registration (报名 → 比赛评分) first needs the organizer's ``answers`` about no-shows
    and short fields when there are any (``turnout``); they are applied, then the move is
    checked again, so a refusal leaves the caller to roll both back.  Going back to 报名 undoes
    them.
    """
    if to is S.PUBLISHED:
        raise ContestError(
            _("公布成绩须通过「公布成绩」操作完成（计算成绩并生成不可更改的成绩快照）")
        )
    closing = (contest.status, to) == (S.REGISTRATION, S.JUDGING)
    answered = closing and not check_transition(contest, to)
    if answered:
        try:
            turnout.answer(actor, contest, answers or turnout.Answers())
        except turnout.TurnoutError as error:
            raise ContestError(str(error)) from None
    problems = check_transition(contest, to)
    if answered:
        problems += _undecided_problems(contest)
    if problems:
        raise ContestError(
            _("不能转为「%(to)s」：%(problems)s", to=to.label, problems="；".join(problems)),
            problems=problems,
        )
    before = contest.status
    if (before, to) == (S.JUDGING, S.REGISTRATION):
        turnout.undo(actor, contest)
    set_status(actor, contest, to, reason=(reason or "").strip() or None)
    if {before, to} & PUBLIC_STATUSES:
        bump_version(RESULTS_CONTENT)
    return contest
