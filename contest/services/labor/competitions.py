"""Setting up a labor competition or union rating: the competition itself, its tracks, and
its status (筹备中 → 进行中 → 已结束).

Every write takes the acting user, validates, is audited against the competition, and
flushes; the view commits once. Scope: organizers host for their own union or one below it
(``Competition.can_manage`` guards the pages), admins for any.

A competition starts (进行中) only when it can be run: an indicator sheet the engine can score,
at least one competing participant, at least one round and an assessment team with a chief
(:func:`move_problems`). It finishes when every round is confirmed. Going back needs a reason
and is refused once it would undo work (sheets filled in, titles conferred).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from contest.extensions import db
from contest.models import (
    Assessor,
    Competition,
    CompetitionAward,
    CompetitionKind,
    CompetitionStatus,
    HonorLevel,
    Organization,
    Participant,
    Role,
    Round,
    RoundStatus,
    ScoreSheet,
    Track,
    User,
)
from contest.services.core import authority
from contest.services.labor import indicators
from contest.services.labor.base import (
    LaborError,
    audited,
    checked_text,
    ensure_open,
    scope_orgs_query,
    today,
)
from contest.validation import text_problem

S = CompetitionStatus
AGGREGATIONS = ("mean", "median", "trimmed")
CUMULATIONS = ("sum", "mean", "weighted")
# After the cumulative total, in the organizer's order (``scoring.rounds.standings``).
TIE_BREAKS = ("latest_round", "best_round", "rounds_won", "fewer_vetoes")


def tie_break_labels() -> dict[str, str]:
    """What each tie-break says, as the form and the overview name it."""
    return {
        "latest_round": _("最近一轮得分高者在前"),
        "best_round": _("单轮最高得分高者在前"),
        "rounds_won": _("获得轮次第一多者在前"),
        "fewer_vetoes": _("被否决轮次少者在前"),
    }


TRACK_NAME_MAX = 60
# Forward moves and the moves back (which need a reason).
TRANSITIONS: dict[CompetitionStatus, tuple[CompetitionStatus, ...]] = {
    S.DRAFT: (S.RUNNING,),
    S.RUNNING: (S.FINISHED, S.DRAFT),
    S.FINISHED: (S.RUNNING,),
}
BACKWARD = frozenset({(S.RUNNING, S.DRAFT), (S.FINISHED, S.RUNNING)})


# ------------------------------------------------------------------ scope


def managed_query(user: User) -> Any:
    """Competitions ``user`` may manage, newest year first: all for an admin, those hosted in
    an organizer's subtree, none for anyone else."""
    query = select(Competition).order_by(Competition.year.desc(), Competition.id.desc())
    if user.role is Role.ADMIN:
        return query
    if user.role is not Role.ORGANIZER or user.organization is None:
        return query.where(Competition.id.is_(None))
    return query.join(Organization, Competition.organization_id == Organization.id).where(
        Organization.path.startswith(user.organization.path)
    )


def host_choices(user: User) -> list[Organization]:
    """Unions ``user`` may host a competition for (their own and everything below it)."""
    return list(db.session.scalars(scope_orgs_query(user).limit(2000)))


# ------------------------------------------------------------------ the competition


@dataclass
class CompetitionData:
    name: str
    kind: CompetitionKind
    organization: Organization | None
    level: HonorLevel
    year: int | None = None  # None: the year of starts_on
    starts_on: date | None = None
    ends_on: date | None = None
    is_public: bool = True
    description: str | None = None
    conferring_body: str | None = None
    aggregation: str = "mean"
    trim: int = 0
    cumulation: str = "sum"
    flag_count: int = 1
    flag_keep_after: int | None = None
    valid_months: int | None = None
    # The tie-break chain after the total; still tied after it → the same rank.
    tie_break: tuple[str, ...] = ()


def snapshot(competition: Competition) -> dict[str, Any]:
    """The audited view of a competition's particulars."""
    return {
        "name": competition.name,
        "kind": competition.kind.value,
        "organization_id": competition.organization_id,
        "level": competition.level.value,
        "year": competition.year,
        "starts_on": competition.starts_on,
        "ends_on": competition.ends_on,
        "is_public": competition.is_public,
        "description": competition.description,
        "conferring_body": competition.conferring_body,
        "aggregation": competition.aggregation,
        "trim": competition.trim,
        "cumulation": competition.cumulation,
        "flag_count": competition.flag_count,
        "flag_keep_after": competition.flag_keep_after,
        "valid_months": competition.valid_months,
        "tie_break": list(competition.tie_break or []),
        "status": competition.status.value,
    }


def _year(data: CompetitionData) -> int:
    if data.year is not None:
        return data.year
    return data.starts_on.year if data.starts_on else today().year


def _check(actor: User, data: CompetitionData) -> None:
    data.name = checked_text(data.name, "name", _("竞赛名称"), 200, required=True)
    data.conferring_body = (
        checked_text(data.conferring_body, "conferring_body", _("授予机关"), 200, required=False)
        or None
    )
    description = (data.description or "").strip()
    if len(description) > 5000:
        raise LaborError(_("说明最长 5000 个字"), "description")
    problem = text_problem(description, multiline=True)
    if problem:
        raise LaborError(problem, "description")
    data.description = description or None
    if not 2000 <= _year(data) <= 2100:
        raise LaborError(_("年份应在 2000 到 2100 之间"), "year")
    if data.organization is None:
        raise LaborError(_("请选择主办工会"), "organization")
    if not actor.can_manage_org(data.organization):
        raise LaborError(_("只能以本单位或下级工会的名义主办竞赛"), "organization")
    problem = authority.level_problem(data.organization, data.level)
    if problem:
        raise LaborError(problem, "level")
    problem = authority.reserved_word_problem(data.name, data.organization)
    if problem:
        raise LaborError(problem, "name")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise LaborError(_("结束日期不能早于开始日期"), "ends_on")
    _check_rules(data)


def _check_rules(data: CompetitionData) -> None:
    """How marks and rounds combine, and the red flag: values the engine knows."""
    if data.aggregation not in AGGREGATIONS:
        raise LaborError(_("请选择考评分汇总方法"), "aggregation")
    if not 0 <= data.trim <= 5:
        raise LaborError(_("去掉最高、最低分的个数应在 0 到 5 之间"), "trim")
    if data.aggregation == "trimmed" and data.trim < 1:
        raise LaborError(_("去掉最高最低分后平均，须至少去掉 1 个"), "trim")
    if data.cumulation not in CUMULATIONS:
        raise LaborError(_("请选择各轮成绩的累计方法"), "cumulation")
    if not 0 <= data.flag_count <= 20:
        raise LaborError(_("流动红旗面数应在 0 到 20 之间（0 表示不设）"), "flag_count")
    if data.flag_keep_after is not None and not 2 <= data.flag_keep_after <= 100:
        raise LaborError(
            _("连续获得几次后永久保留应在 2 到 100 之间，不设请留空"), "flag_keep_after"
        )
    if data.valid_months is not None and not 1 <= data.valid_months <= 120:
        raise LaborError(_("有效期应在 1 到 120 个月之间"), "valid_months")
    chain = [link for link in data.tie_break if link]
    if any(link not in TIE_BREAKS for link in chain):
        raise LaborError(_("请从列表中选择并列时的比较方法"), "tie_break")
    if len(set(chain)) != len(chain):
        raise LaborError(_("并列时的比较方法不能重复"), "tie_break")
    data.tie_break = tuple(chain)


def _apply(competition: Competition, data: CompetitionData) -> None:
    competition.name = data.name
    competition.kind = data.kind
    competition.organization = data.organization  # type: ignore[assignment]
    competition.level = data.level
    competition.year = _year(data)
    competition.starts_on = data.starts_on
    competition.ends_on = data.ends_on
    competition.is_public = data.is_public
    competition.description = data.description
    competition.conferring_body = data.conferring_body
    competition.aggregation = data.aggregation
    competition.trim = data.trim if data.aggregation == "trimmed" else 0
    competition.cumulation = data.cumulation
    competition.flag_count = data.flag_count
    competition.flag_keep_after = data.flag_keep_after
    competition.valid_months = data.valid_months
    competition.tie_break = list(data.tie_break)


def create_competition(actor: User, data: CompetitionData) -> Competition:
    """A new competition in preparation, hosted by a union the actor manages. A rating is
    re-rated yearly, so its grades stay valid 12 months unless told otherwise."""
    _check(actor, data)
    if data.kind.is_rating and data.valid_months is None:
        data.valid_months = 12
    competition = Competition(
        status=S.DRAFT, created_by_id=actor.id, tie_break=[], grades=[], title_rules=[]
    )
    _apply(competition, data)
    db.session.add(competition)
    db.session.flush()
    audited(actor, "competition.create", "competition", competition.id, after=snapshot(competition))
    return competition


def update_competition(actor: User, competition: Competition, data: CompetitionData) -> None:
    """Edit the particulars. The kind and the host are fixed once it runs (its sheet, its
    participants and its assessors were chosen for them); rounds must stay within the dates."""
    ensure_open(competition)
    _check(actor, data)
    if competition.status is not S.DRAFT:
        if data.kind is not competition.kind:
            raise LaborError(_("竞赛开始后不能更改类型"), "kind")
        if data.organization is not competition.organization:
            raise LaborError(_("竞赛开始后不能更换主办工会"), "organization")
    for round_ in competition.rounds:
        outside = (data.starts_on and round_.starts_on and round_.starts_on < data.starts_on) or (
            data.ends_on and round_.ends_on and round_.ends_on > data.ends_on
        )
        if outside:
            raise LaborError(
                _(
                    "轮次“%(name)s”（%(period)s）不在新的竞赛日期内",
                    name=round_.name,
                    period=round_.period,
                ),
                "starts_on"
                if round_.starts_on and data.starts_on and round_.starts_on < data.starts_on
                else "ends_on",
            )
    before = snapshot(competition)
    _apply(competition, data)
    db.session.flush()
    audited(
        actor,
        "competition.update",
        "competition",
        competition.id,
        before=before,
        after=snapshot(competition),
    )


# ------------------------------------------------------------------ tracks


def _track_name(competition: Competition, name: str, track: Track | None = None) -> str:
    name = checked_text(name, "name", _("赛道（分组）名称"), TRACK_NAME_MAX, required=True)
    if any(t.name == name and t is not track for t in competition.tracks):
        raise LaborError(_("已有名为“%(name)s”的赛道（分组）", name=name), "name")
    return name


def add_track(actor: User, competition: Competition, name: str) -> Track:
    """A track or group (土建 / 机电 …): ranks and red flags go per track."""
    ensure_open(competition)
    name = _track_name(competition, name)
    position = max((t.position for t in competition.tracks), default=-1) + 1
    track = Track(competition=competition, name=name, position=position)
    db.session.add(track)
    db.session.flush()
    audited(actor, "competition.track.create", "competition", competition.id, after={"track": name})
    return track


def rename_track(actor: User, track: Track, name: str) -> None:
    competition = track.competition
    ensure_open(competition)
    name = _track_name(competition, name, track)
    before = {"track": track.name}
    track.name = name
    db.session.flush()
    audited(
        actor,
        "competition.track.update",
        "competition",
        competition.id,
        before=before,
        after={"track": name},
    )


def track_usage(track: Track) -> tuple[int, int]:
    """How many participants and assessors the track holds (deleting it releases them)."""
    participants = db.session.scalar(
        select(func.count(Participant.id)).where(Participant.track_id == track.id)
    )
    assessors = db.session.scalar(
        select(func.count(Assessor.id)).where(Assessor.track_id == track.id)
    )
    return int(participants or 0), int(assessors or 0)


def delete_track(actor: User, track: Track) -> None:
    """Remove a track while the competition is in preparation; its participants and assessors
    stay, in no track (an assessor limited to it then assesses every track)."""
    competition = track.competition
    if competition.status is not S.DRAFT:
        raise LaborError(_("竞赛开始后不能删除赛道（分组），可以改名"))
    participants, assessors = track_usage(track)
    name = track.name
    competition.tracks.remove(track)
    db.session.delete(track)
    db.session.flush()
    audited(
        actor,
        "competition.track.delete",
        "competition",
        competition.id,
        before={"track": name, "participants": participants, "assessors": assessors},
    )


# ------------------------------------------------------------------ status


def _count(query: Any) -> int:
    return int(db.session.scalar(query) or 0)


def start_problems(competition: Competition) -> list[str]:
    """Everything that keeps the competition from starting, each a whole sentence."""
    problems = list(indicators.sheet_problems(competition))
    competing = _count(
        select(func.count(Participant.id)).where(
            Participant.competition_id == competition.id, Participant.withdrawn_at.is_(None)
        )
    )
    if competing == 0:
        problems.append(_("参赛名录中还没有参赛单位"))
    if not competition.rounds:
        problems.append(_("还没有设置考评轮次"))
    assessors = list(
        db.session.scalars(select(Assessor).where(Assessor.competition_id == competition.id))
    )
    if not assessors:
        problems.append(_("考评组还没有成员"))
    elif not any(a.is_chief for a in assessors):
        problems.append(_("考评组还没有指定组长"))
    return problems


def _sheets_filled(competition: Competition) -> int:
    return _count(
        select(func.count(ScoreSheet.id))
        .join(Round, ScoreSheet.round_id == Round.id)
        .where(Round.competition_id == competition.id)
    )


def move_problems(competition: Competition, target: CompetitionStatus) -> list[str]:
    """Why ``competition`` may not move to ``target`` now (empty: it may)."""
    if target not in TRANSITIONS[competition.status]:
        return [_("不能从「%(a)s」转为「%(b)s」", a=competition.status.label, b=target.label)]
    if (competition.status, target) == (S.DRAFT, S.RUNNING):
        return start_problems(competition)
    if target is S.FINISHED:
        if not competition.rounds:
            return [_("还没有设置考评轮次")]
        open_rounds = [
            r.name
            for r in competition.rounds
            if r.status not in (RoundStatus.CONFIRMED, RoundStatus.PUBLISHED)
        ]
        if open_rounds:
            return [_("以下轮次尚未确认：%(names)s", names="、".join(open_rounds))]
        return []
    if target is S.DRAFT:
        problems = []
        if any(r.status is not RoundStatus.SELF for r in competition.rounds):
            problems.append(_("已有轮次进入考评，不能退回筹备"))
        if _sheets_filled(competition):
            problems.append(_("已有评分表（含自评表），不能退回筹备"))
        return problems
    conferred = _count(
        select(func.count(CompetitionAward.id)).where(
            CompetitionAward.competition_id == competition.id,
            CompetitionAward.honor_id.is_not(None),
        )
    )
    if conferred:
        return [_("已授予 %(n)d 项称号，不能重新开启", n=conferred)]
    return []


def allowed_moves(competition: Competition) -> list[tuple[CompetitionStatus, list[str]]]:
    """Each move from the current status with what blocks it, forward moves first."""
    return [
        (target, move_problems(competition, target)) for target in TRANSITIONS[competition.status]
    ]


def change_status(
    actor: User, competition: Competition, target: CompetitionStatus, reason: str | None = None
) -> None:
    """Move the competition; a move back needs a reason. Refused with every problem."""
    reason = (reason or "").strip() or None
    if (competition.status, target) in BACKWARD and not reason:
        raise LaborError(_("退回须填写原因"), "reason")
    if reason and len(reason) > 1000:
        raise LaborError(_("原因最长 1000 个字"), "reason")
    problems = move_problems(competition, target)
    if problems:
        raise LaborError(_("不能转为「%(status)s」", status=target.label), problems=problems)
    before = competition.status.value
    competition.status = target
    db.session.flush()
    audited(
        actor,
        "competition.status",
        "competition",
        competition.id,
        before={"status": before},
        after={"status": target.value},
        reason=reason,
    )
