"""A round's steps after the sheets: open scoring, confirm, publish, reopen; its results and
the red flags (流动红旗).

- 自评中 → 考评中 (an organizer): the self-assessments not submitted by then stay out; the page
  asks with their number first.
- 考评中 → 已确认 (the chief assessor): every expected assessor sheet submitted, or the chief
  confirms the missing ones by their number (:class:`MissingSheets`); the submitted sheets are
  combined by ``scoring.round_scores`` with the competition's method, trim and bonus cap, and
  one :class:`~contest.models.RoundResult` per scored participant is written: the 自评分 total
  through the same maths, ranks within the track among the participants not vetoed
  (``scoring.track_ranks``: competition ranking 1, 2, 2, 4), and for a rating the grade
  (``scoring.grade``; a unit that misses a 必备项 or is vetoed gets none).
- 已确认 → 已公布 (an organizer): the red flags of every published round are computed again in
  order (``scoring.red_flags`` with the competition's flag count and keep-after), the audit
  entry seals the round's results with their digest (``labor.seals``), and public pages learn
  of it through the labor content version (``standings.changed``).
- 已确认 → 考评中 (an organizer or the chief, with a reason): the results are removed until the
  round is confirmed again.
- 已公布 → 考评中 (an organizer, with a reason): a late-reported accident or a wrong sheet is
  corrected after publishing. The results leave the public side (its version moves), the red
  flags are computed again over the rounds still published, and the round is confirmed and
  published again like any other. Only the latest published round can be reopened (a later
  round's ranks were stored knowing this one's vetoes): later rounds are reopened first.

Results are always computed from the sheets afresh, so confirming twice gives the same rows.
Every move first locks the round's row (``SELECT … FOR UPDATE``) and reads its status again,
so two people taking the same step at once take it once: the second is told the round has
moved on. Every move is audited against the competition; writes flush and the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import delete, insert, select

import scoring
from contest.extensions import db
from contest.models import (
    Aspect,
    Assessor,
    Competition,
    CompetitionStatus,
    Mark,
    Participant,
    Round,
    RoundFlag,
    RoundResult,
    RoundStatus,
    ScoreSheet,
    SheetRole,
    SheetStatus,
    User,
    VetoEffect,
)
from contest.models.base import utcnow
from contest.services.assessment.sheets import scoring_item
from contest.services.core import audit
from contest.services.labor import assessors as team
from contest.services.labor import seals, standings
from contest.services.labor.base import LaborError, checked_text
from contest.services.labor.participants import roster
from contest.services.labor.scoring import (
    SheetState,
    assesses,
    data_figure,
    is_chief,
    round_items,
)
from scoring.indicators import grades

CENT = Decimal("0.01")
REASON_MAX = 200
DATA_ASSESSOR = "数据"
SELF_ASSESSOR = "自评"


# ---------------------------------------------------------------- progress


@dataclass
class Cell(SheetState):
    """One expected assessor sheet of a participant: who, and the sheet if there is one."""

    assessor: Assessor
    sheet: ScoreSheet | None


@dataclass
class Row:
    participant: Participant
    self_sheet: ScoreSheet | None
    cells: list[Cell] = field(default_factory=list)
    result: RoundResult | None = None

    @property
    def self_submitted(self) -> bool:
        return self.self_sheet is not None and self.self_sheet.status is not SheetStatus.DRAFT

    @property
    def done(self) -> int:
        return sum(1 for cell in self.cells if cell.is_done)

    @property
    def expected(self) -> int:
        return len(self.cells)


@dataclass
class Progress:
    """Who has filled in what in a round: per competing participant its self-assessment and
    one cell per assessor who assesses it."""

    round: Round
    assessors: list[Assessor]
    rows: list[Row]

    @property
    def missing_self(self) -> list[Participant]:
        return [row.participant for row in self.rows if not row.self_submitted]

    @property
    def missing_sheets(self) -> list[tuple[Participant, Assessor]]:
        return [
            (row.participant, cell.assessor)
            for row in self.rows
            for cell in row.cells
            if not cell.is_done
        ]

    @property
    def expected(self) -> int:
        return sum(row.expected for row in self.rows)

    @property
    def done(self) -> int:
        return sum(row.done for row in self.rows)

    def per_assessor(self) -> list[tuple[Assessor, int, int]]:
        """(assessor, submitted, expected) for every member of the team."""
        counts = {a.id: [0, 0] for a in self.assessors}
        for row in self.rows:
            for cell in row.cells:
                counts[cell.assessor.id][1] += 1
                counts[cell.assessor.id][0] += int(cell.is_done)
        return [(a, counts[a.id][0], counts[a.id][1]) for a in self.assessors]


def progress(round_: Round) -> Progress:
    competition = round_.competition
    members = team.team(competition)
    competing = [p for p in roster(competition) if p.withdrawn_at is None]
    sheets = list(db.session.scalars(select(ScoreSheet).where(ScoreSheet.round_id == round_.id)))
    own = {s.participant_id: s for s in sheets if s.role is SheetRole.SELF}
    marked = {(s.participant_id, s.user_id): s for s in sheets if s.role is SheetRole.ASSESSOR}
    results = {
        r.participant_id: r
        for r in db.session.scalars(select(RoundResult).where(RoundResult.round_id == round_.id))
    }
    rows = []
    for participant in competing:
        row = Row(participant, own.get(participant.id), result=results.get(participant.id))
        for member in members:
            if assesses(member, participant):
                row.cells.append(Cell(member, marked.get((participant.id, member.user_id))))
        rows.append(row)
    return Progress(round_, members, rows)


def data_gaps(round_: Round) -> list[str]:
    """Figures from data that are missing (入会率 without a headcount, a survey still open…),
    one sentence each: such an item counts as not marked when the round is confirmed."""
    items = [a for a in round_items(round_.competition) if a.source]
    if not items:
        return []
    gaps = []
    for participant in roster(round_.competition):
        if participant.withdrawn_at is not None:
            continue
        for aspect in items:
            figure = data_figure(aspect, participant)
            if figure.value is None:
                gaps.append(
                    _(
                        "%(unit)s 的 %(key)s %(name)s：%(reason)s",
                        unit=participant.name,
                        key=aspect.key,
                        name=aspect.name,
                        reason=figure.reason or "",
                    )
                )
    return gaps


# ---------------------------------------------------------------- moves


def _record(
    actor: User,
    round_: Round,
    action: str,
    *,
    reason: str | None = None,
    was: RoundStatus | None = None,
    **after: Any,
) -> None:
    audit.record(
        actor,
        action,
        "competition",
        round_.competition_id,
        before=None if was is None else {"round": round_.name, "status": was.value},
        after={"round": round_.name, "status": round_.status.value, **after},
        reason=reason,
    )


def _ensure_running(competition: Competition) -> None:
    if competition.status is not CompetitionStatus.RUNNING:
        raise LaborError(_("竞赛当前不在进行中（%(status)s）。", status=competition.status.label))


def _lock(round_: Round) -> None:
    """Take the round's row lock for the rest of the transaction and read it afresh.

    Every step checks the round's status and then writes; two people taking the same step at
    once (two confirms, a double-clicked 公布) would both pass the check without it, and the
    second's results would hit the unique constraint (PostgreSQL) or replace the first's
    (SQLite, where ``FOR UPDATE`` makes the transaction a writer: ``contest.database``). With
    it the second waits for the first to commit and then finds the round moved on.
    """
    db.session.scalars(
        select(Round)
        .where(Round.id == round_.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _ensure_status(round_: Round, status: RoundStatus) -> None:
    if round_.status is not status:
        raise LaborError(
            _(
                "轮次“%(name)s”当前为%(status)s，不能进行此操作",
                name=round_.name,
                status=round_.status.label,
            )
        )


def open_scoring(actor: User, round_: Round) -> None:
    """自评中 → 考评中: self-assessments close (those not submitted stay out)."""
    _lock(round_)
    competition = round_.competition
    if not competition.can_manage(actor):
        raise LaborError(_("只有竞赛的组织者可以开始考评"))
    _ensure_running(competition)
    _ensure_status(round_, RoundStatus.SELF)
    missing = len(progress(round_).missing_self)
    round_.status = RoundStatus.SCORING
    db.session.flush()
    _record(actor, round_, "competition.round.open_scoring", missing_self=missing)


def confirm_round(
    actor: User, round_: Round, *, accept_missing: int | None = None
) -> list[RoundResult]:
    """考评中 → 已确认 by the chief assessor; the results are computed and stored.

    With assessor sheets still missing, ``accept_missing`` must be their number as the chief
    saw it in the confirmation (a sheet submitted or added since changes it, and the chief is
    asked again); the missing sheets then do not count.
    """
    _lock(round_)
    competition = round_.competition
    if not is_chief(actor, competition.id):
        raise LaborError(_("只有考评组组长可以确认本轮成绩"))
    _ensure_running(competition)
    _ensure_status(round_, RoundStatus.SCORING)
    state = progress(round_)
    missing = state.missing_sheets
    if missing and accept_missing != len(missing):
        raise LaborError(
            _(
                "还有 %(n)d 份评分表未提交；请在确认对话框中确认这些评分表不计入本轮成绩",
                n=len(missing),
            ),
            problems=[
                _("%(unit)s：%(name)s", unit=p.name, name=a.user.name) for p, a in missing[:50]
            ],
        )
    results = compute_results(round_, state)
    round_.status = RoundStatus.CONFIRMED
    round_.confirmed_at = utcnow()
    round_.confirmed_by_id = actor.id
    db.session.flush()
    _record(
        actor,
        round_,
        "competition.round.confirm",
        results=len(results),
        missing_sheets=len(missing),
        sheets=state.done,
    )
    return results


def publish_round(actor: User, round_: Round) -> list[RoundFlag]:
    """已确认 → 已公布 by an organizer; the red flags of all published rounds are recomputed."""
    _lock(round_)
    competition = round_.competition
    if not competition.can_manage(actor):
        raise LaborError(_("只有竞赛的组织者可以公布成绩"))
    _ensure_running(competition)
    _ensure_status(round_, RoundStatus.CONFIRMED)
    round_.status = RoundStatus.PUBLISHED
    round_.published_at = utcnow()
    db.session.flush()
    flags = recompute_flags(competition)
    holders = [f for f in flags if f.round_id == round_.id]
    names = {p.id: p.name for p in roster(competition)}
    _record(
        actor,
        round_,
        "competition.round.publish",
        **seals.publish_fields(round_),
        flags=[
            {"participant": names.get(f.participant_id, ""), "streak": f.streak, "kept": f.kept}
            for f in holders
        ],
    )
    standings.changed()  # the public standings, big screen and API read published rounds
    return holders


def _later_rounds(round_: Round) -> list[Round]:
    """Rounds after ``round_`` that are confirmed or published (their ranks were stored
    knowing ``round_``'s competition vetoes)."""
    return list(
        db.session.scalars(
            select(Round)
            .where(
                Round.competition_id == round_.competition_id,
                Round.position > round_.position,
                Round.status.in_([RoundStatus.CONFIRMED, RoundStatus.PUBLISHED]),
            )
            .order_by(Round.position, Round.id)
        )
    )


def reopen_round(actor: User, round_: Round, reason: str) -> None:
    """已确认 → 考评中 (an organizer or the chief), or 已公布 → 考评中 (an organizer): the
    results are removed until the round is confirmed again; a published round's flags are
    computed again over the rounds still published and the public pages drop it at once."""
    _lock(round_)
    competition = round_.competition
    published = round_.status is RoundStatus.PUBLISHED
    if published and not competition.can_manage(actor):
        raise LaborError(_("只有竞赛的组织者可以重新开放已公布的轮次"))
    if not (competition.can_manage(actor) or is_chief(actor, competition.id)):
        raise LaborError(_("只有组织者或考评组组长可以重新开放本轮"))
    _ensure_running(competition)
    if not published:
        _ensure_status(round_, RoundStatus.CONFIRMED)
    text = checked_text(reason, "reason", _("重新开放的原因"), REASON_MAX, required=True)
    later = _later_rounds(round_)
    if published and later:
        raise LaborError(
            _(
                "其后的轮次%(names)s已确认或公布，其名次依据本轮的一票否决；请先重新开放这些轮次",
                names="、".join(f"“{r.name}”" for r in later),
            )
        )
    was = round_.status
    removed = db.session.execute(
        delete(RoundResult).where(RoundResult.round_id == round_.id)
    ).rowcount
    round_.status = RoundStatus.SCORING
    round_.confirmed_at = None
    round_.confirmed_by_id = None
    round_.published_at = None
    db.session.flush()
    if published:
        recompute_flags(competition)
    _record(
        actor,
        round_,
        "competition.round.reopen",
        reason=text,
        was=was,
        results_removed=int(removed or 0),
    )
    if published:
        standings.changed()  # the public pages and API drop the round's results


# ---------------------------------------------------------------- results


def _cents(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _sheet_marks(round_id: int, role: SheetRole) -> list[tuple[int, int, str, Decimal]]:
    """(participant id, user id, item key, mark) of every submitted sheet of ``role``."""
    rows = db.session.execute(
        select(ScoreSheet.participant_id, ScoreSheet.user_id, Aspect.key, Mark.value)
        .join(Mark, Mark.sheet_id == ScoreSheet.id)
        .join(Aspect, Aspect.id == Mark.aspect_id)
        .where(
            ScoreSheet.round_id == round_id,
            ScoreSheet.role == role,
            ScoreSheet.status != SheetStatus.DRAFT,
        )
    )
    return [(int(p), int(u), str(k), Decimal(v)) for p, u, k, v in rows]


def _scores(
    competition: Competition, items: list[Aspect], rows: list[tuple[str, str, str, float]]
) -> scoring.RoundScores:
    frame = pd.DataFrame(rows, columns=["participant", "assessor", "item", "mark"])
    method = competition.aggregation or "mean"
    try:
        return scoring.round_scores(
            frame,
            [scoring_item(a) for a in items],
            method=method,  # type: ignore[arg-type]
            trim=int(competition.trim or 0) if method == "trimmed" else 0,
            bonus_cap=None if competition.bonus_cap is None else float(competition.bonus_cap),
        )
    except scoring.ScoringError as error:
        raise LaborError(_("无法计算本轮成绩：%(problem)s", problem=str(error))) from None


def _data_rows(
    items: list[Aspect], participants: dict[int, Participant], ids: set[int]
) -> list[tuple[str, str, str, float]]:
    rows = []
    for aspect in items:
        if not aspect.source:
            continue
        for pid in sorted(ids):
            figure = data_figure(aspect, participants[pid])
            if figure.value is not None:
                rows.append((str(pid), DATA_ASSESSOR, aspect.key, float(figure.value)))
    return rows


def compute_results(round_: Round, state: Progress | None = None) -> list[RoundResult]:
    """The round's results from its submitted sheets, replacing any stored (idempotent).

    Only the sheets of assessors who assess the participant count (a sheet left from before a
    track change does not). Participants without any submitted assessor sheet get no result.
    """
    competition = round_.competition
    state = state or progress(round_)
    items = round_items(competition)
    if not items:
        raise LaborError(_("竞赛还没有考核指标"))
    participants = {row.participant.id: row.participant for row in state.rows}
    expected = {
        (row.participant.id, cell.assessor.user_id) for row in state.rows for cell in row.cells
    }
    marks = [
        (str(p), str(u), key, float(value))
        for p, u, key, value in _sheet_marks(round_.id, SheetRole.ASSESSOR)
        if (p, u) in expected
    ]
    scored = {int(p) for p, _u, _k, _v in marks}
    db.session.execute(delete(RoundResult).where(RoundResult.round_id == round_.id))
    if not scored:
        raise LaborError(_("本轮还没有提交的考评评分表，不能确认成绩"))
    data = _data_rows(items, participants, scored)
    scores = _scores(competition, items, marks + data)

    own = [
        (str(p), SELF_ASSESSOR, key, float(value))
        for p, _u, key, value in _sheet_marks(round_.id, SheetRole.SELF)
        if p in participants
    ]
    own_ids = {int(p) for p, _a, _k, _v in own}
    self_totals: dict[int, Decimal] = {}
    if own:
        own_scores = _scores(competition, items, own + _data_rows(items, participants, own_ids))
        self_totals = {int(p): _cents(t) for p, t in own_scores.table["total"].items()}

    excluded = standings.excluded_before(round_)
    table = scores.table
    sheets_per: dict[int, set[str]] = {}
    for p, u, _k, _v in marks:
        sheets_per.setdefault(int(p), set()).add(u)
    rows: list[dict[str, Any]] = []
    for label, line in table.iterrows():
        pid = int(str(label))
        effect = line["veto_effect"]
        points = scores.items.loc[label]
        rows.append(
            {
                "round_id": round_.id,
                "participant_id": pid,
                "self_total": self_totals.get(pid),
                "base": _cents(float(line["base"])),
                "bonus": _cents(float(line["bonus"])),
                "total": _cents(float(line["total"])),
                "vetoed": bool(line["vetoed"]),
                "veto_effect": VetoEffect(effect) if effect else None,
                "vetoed_by": str(line["vetoed_by"])[:200],
                "missing_mandatory": str(line["missing_mandatory"])[:200],
                "rank": None,
                "grade": None,
                "assessors": len(sheets_per.get(pid, ())),
                "items": {
                    str(key): round(float(value), 2)
                    for key, value in points.items()
                    if pd.notna(value)
                },
            }
        )
    _rank(rows, participants, excluded)
    _grade(rows, competition)
    if rows:
        db.session.execute(insert(RoundResult), rows)
    db.session.flush()
    return list(
        db.session.scalars(
            select(RoundResult)
            .where(RoundResult.round_id == round_.id)
            .order_by(RoundResult.participant_id)
        )
    )


def _rank(
    rows: list[dict[str, Any]], participants: dict[int, Participant], excluded: set[int]
) -> None:
    """Ranks within each track among the participants neither vetoed this round nor for the
    competition earlier (``scoring.track_ranks``: 1, 2, 2, 4)."""
    if not rows:
        return
    ids = [row["participant_id"] for row in rows]
    ranks = scoring.track_ranks(
        pd.Series([float(row["total"]) for row in rows], index=ids, dtype=float),
        pd.Series([participants[pid].track_id for pid in ids], index=ids, dtype=object),
        excluded={row["participant_id"] for row in rows if row["vetoed"]} | excluded,
    )
    for row, rank in zip(rows, ranks, strict=True):
        row["rank"] = None if pd.isna(rank) else int(rank)


def _grade(rows: list[dict[str, Any]], competition: Competition) -> None:
    if not competition.is_rating or not competition.grades or not rows:
        return
    bands = [(float(line), str(name)) for line, name in competition.grades]
    totals = pd.Series([float(r["total"]) for r in rows], dtype=float)
    eligible = pd.Series([not r["missing_mandatory"] and not r["vetoed"] for r in rows])
    try:
        labels = grades(totals, bands, eligible=eligible)
    except scoring.ScoringError as error:
        raise LaborError(_("等级设置有误：%(problem)s", problem=str(error))) from None
    for row, label in zip(rows, labels, strict=True):
        row["grade"] = None if label is None else str(label)


def results_of(round_: Round) -> list[RoundResult]:
    """The stored results, by track then rank (vetoed and unranked last)."""
    rows = list(db.session.scalars(select(RoundResult).where(RoundResult.round_id == round_.id)))
    track_order = {t.id: t.position for t in round_.competition.tracks}
    return sorted(
        rows,
        key=lambda r: (
            track_order.get(r.participant.track_id or 0, -1),
            r.rank is None,
            r.rank or 0,
            -r.total,
            r.participant.name,
        ),
    )


# ---------------------------------------------------------------- red flags


def recompute_flags(competition: Competition) -> list[RoundFlag]:
    """The red flags of every published round, from the first in order (idempotent).

    None at all when the competition sets no flag (``flag_count`` 0) or is a rating: a graded
    union is not in a race.  Reads only the four columns it needs, in one query (a competition
    of 1,000 participants × 24 rounds would otherwise load 24,000 result objects with their
    per-item points, and each participant's track one by one).
    """
    rounds = [r for r in competition.rounds if r.status is RoundStatus.PUBLISHED]
    round_ids = [r.id for r in competition.rounds]
    if round_ids:
        db.session.execute(delete(RoundFlag).where(RoundFlag.round_id.in_(round_ids)))
    if not rounds or not competition.flag_count or competition.is_rating:
        db.session.flush()
        return []
    rows = db.session.execute(
        select(
            RoundResult.round_id,
            RoundResult.participant_id,
            RoundResult.rank,
            RoundResult.vetoed,
            Participant.track_id,
        )
        .join(Participant, RoundResult.participant_id == Participant.id)
        .where(RoundResult.round_id.in_([r.id for r in rounds]))
    ).all()
    if not rows:
        db.session.flush()
        return []
    position = {r.id: r.position for r in rounds}
    frame = pd.DataFrame(
        {
            "round": [str(r.round_id) for r in rows],
            "participant": [str(r.participant_id) for r in rows],
            "rank": [float(r.rank) if r.rank is not None else float("nan") for r in rows],
            "track": [str(r.track_id) if r.track_id else None for r in rows],
            "vetoed": [bool(r.vetoed or r.rank is None) for r in rows],
            "position": [position[r.round_id] for r in rows],
        }
    )
    try:
        holders = scoring.red_flags(
            frame, count=int(competition.flag_count), keep_after=competition.flag_keep_after
        )
    except scoring.ScoringError as error:
        raise LaborError(_("无法计算流动红旗：%(problem)s", problem=str(error))) from None
    flags = [
        RoundFlag(
            round_id=int(str(line["round"])),
            track_id=int(str(line["track"])) if pd.notna(line["track"]) and line["track"] else None,
            participant_id=int(str(line["participant"])),
            streak=int(line["streak"]),
            kept=bool(line["kept"]),
        )
        for _i, line in holders.iterrows()
    ]
    db.session.add_all(flags)
    db.session.flush()
    return flags


def flags_of(round_: Round) -> list[RoundFlag]:
    return list(
        db.session.scalars(
            select(RoundFlag).where(RoundFlag.round_id == round_.id).order_by(RoundFlag.id)
        )
    )


def chief_rounds(user: User) -> list[Round]:
    """The rounds ``user`` confirms as chief assessor: being assessed or confirmed, in running
    competitions."""
    return list(
        db.session.scalars(
            select(Round)
            .join(Competition, Round.competition_id == Competition.id)
            .join(Assessor, Assessor.competition_id == Competition.id)
            .where(
                Assessor.user_id == user.id,
                Assessor.is_chief.is_(True),
                Competition.status == CompetitionStatus.RUNNING,
                Round.status.in_([RoundStatus.SCORING, RoundStatus.CONFIRMED]),
            )
            .order_by(Competition.id.desc(), Round.position, Round.id)
        )
    )
