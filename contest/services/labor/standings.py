"""Cumulative standings of a labor competition, read from the stored results of its published
rounds (DOMAIN §2, issue 12 items 4 and 6): what the public pages, the big screen and the API
show, and what the organizer's pages may show with internal rounds too.

Nothing here scores marks. When the chief assessor confirms a round its results are stored
(``RoundResult``, ``RoundFlag``); once the round is published they count. This module reads
those rows — a handful of columns, never the per-item JSON except for one participant's
breakdown — and hands them to :func:`scoring.rounds.standings` with the competition's
cumulation (sum, mean, weighted by each round's weight), its tie-break chain and its tracks,
so the maths lives in one place and each row carries scoring's sentence on why it stands where
it does. A participant vetoed with effect *competition* comes last without a rank; a round
vetoed with effect *round* counts 0.

Public reading (``public=True``) sees only public competitions that have started, and of their
published rounds only the public ones: an internal round is left out of the totals too, since
a cumulative figure would give away its scores. A competition veto recorded in an internal
round still counts: such a participant is shown as 一票否决 and unranked, without naming the
round or the item. Nothing personal is read: names of
participants, tracks and rounds, numbers and flags only.

The results are plain frozen dataclasses (picklable), so the caller caches them per content
version (``contest.caching.labor_cache``): every write that changes what is shown calls
:func:`changed` in its transaction — publishing a round, reopening a published one (its results
leave the public side until it is confirmed and published again: a published round is never
edited in place), and the set-up writes that rename or hide what the public sees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import select

import scoring
from contest.extensions import db
from contest.models import (
    AspectKind,
    Competition,
    CompetitionStatus,
    Participant,
    Round,
    RoundFlag,
    RoundResult,
    RoundStatus,
    Track,
)
from contest.models.contest import VetoEffect
from contest.services.core.versions import LABOR_CONTENT, bump_version
from contest.services.labor import seals
from contest.services.labor.indicators import sheet_of
from scoring.rounds import CUMULATIONS, TIE_BREAK_KEYS

CENT = Decimal("0.01")
# What the public side lists: a competition being set up (筹备中) has nothing to show yet.
SHOWN_STATUSES = (CompetitionStatus.RUNNING, CompetitionStatus.FINISHED)


def changed() -> int:
    """Tell every process's public caches that labor standings changed (same transaction)."""
    return bump_version(LABOR_CONTENT)


def _cents(value: object) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


# ------------------------------------------------------------------ what is shown


@dataclass(frozen=True)
class CompetitionHead:
    """What a public page or the API says about a competition itself."""

    id: int
    name: str
    kind: str  # CompetitionKind value
    kind_label: str
    status: str  # CompetitionStatus value
    status_label: str
    year: int
    host: str
    starts_on: Any
    ends_on: Any
    is_rating: bool
    description: str


@dataclass(frozen=True)
class RoundHead:
    """A published round that counts: its place, dates, weight and the flag holders' names."""

    id: int
    name: str
    period: str
    position: int
    weight: Decimal
    is_public: bool
    published_at: datetime | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    """One participant's cumulative place.

    ``rounds`` maps a round id to what counted there (0 for a vetoed round, None when not
    scored); ``vetoed`` is the competition-wide veto (no rank, listed last); ``why`` is
    scoring's sentence when the total alone did not decide the place. A rating is not a
    race: its pages show ``grade`` (or ``grade_note``) instead of the rank, flags and why.
    """

    participant_id: int
    name: str
    kind: str  # unit | team | project
    kind_label: str
    track_id: int | None
    track: str
    rank: int | None
    total: Decimal
    vetoed: bool
    rounds: dict[int, Decimal | None]
    vetoed_rounds: tuple[int, ...]
    flags: int
    kept: bool
    why: str
    grade: str | None = None  # a rating's grade from the latest counted round
    grade_note: str = ""  # why a rated union has none (必备项, 一票否决, below every band)


@dataclass(frozen=True)
class TrackTable:
    """A track's rows in standing order and who holds its red flag after the latest round."""

    id: int | None
    name: str
    rows: tuple[Row, ...]
    holders: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()  # flags kept for good (永久保留) in the counted rounds


@dataclass(frozen=True)
class Standings:
    """A competition's cumulative standings over ``rounds`` (oldest first), per track.

    ``problem`` is set (and ``tracks`` empty) when the competition's rules cannot rank the
    rows — say a weighted cumulation whose round weights add up to nothing.
    """

    competition_id: int
    method: str
    tie_break: tuple[str, ...]
    rounds: tuple[RoundHead, ...]
    tracks: tuple[TrackTable, ...]
    problem: str = ""

    @property
    def rows(self) -> list[Row]:
        return [row for table in self.tracks for row in table.rows]

    @property
    def latest(self) -> RoundHead | None:
        return self.rounds[-1] if self.rounds else None

    def track(self, track_id: int | None) -> TrackTable | None:
        return next((t for t in self.tracks if t.id == track_id), None)

    def row(self, participant_id: int) -> Row | None:
        return next((r for r in self.rows if r.participant_id == participant_id), None)


@dataclass(frozen=True)
class RoundRow:
    """A participant's result in one round, as the round's table shows it."""

    participant_id: int
    name: str
    kind_label: str
    rank: int | None
    total: Decimal
    base: Decimal
    bonus: Decimal
    vetoed: bool
    flag: bool
    kept: bool
    excluded: bool = False  # vetoed for the competition in an earlier round: no rank here
    withdrawn: bool = False  # 已退出 since: its result stays in the round
    grade: str | None = None  # a rating's grade in this round
    grade_note: str = ""  # why a rated union has none


@dataclass(frozen=True)
class RoundTable:
    """One published round's standings per track: (track id, track name, rows by rank).

    ``seal_warning`` is set when the stored results no longer match the digest recorded when
    the round was published (``labor.seals``): the page shows it to organizers only.
    """

    round: RoundHead
    tracks: tuple[tuple[int | None, str, tuple[RoundRow, ...]], ...]
    seal_warning: str = ""


@dataclass(frozen=True)
class CriterionPoints:
    """A 考评项目's points in one round against what it can give (bonus items included)."""

    name: str
    points: Decimal | None
    max_points: Decimal


@dataclass(frozen=True)
class TrendPoint:
    """A participant in one counted round, beside its track's best and mean counted totals."""

    round: RoundHead
    total: Decimal | None  # what counted: 0 when vetoed, None when not scored
    rank: int | None  # in its track that round
    vetoed: bool
    best: Decimal | None
    mean: Decimal | None


@dataclass(frozen=True)
class ParticipantDetail:
    """One participant on the public side: the row, the round-by-round trend and a breakdown."""

    id: int
    name: str
    kind_label: str
    track: str
    row: Row | None
    trend: tuple[TrendPoint, ...]
    breakdown_round: RoundHead | None
    breakdown: tuple[CriterionPoints, ...] = field(default_factory=tuple)


# ------------------------------------------------------------------ which competitions


def _shown(competition: Competition | None, public: bool) -> bool:
    if competition is None:
        return False
    return not public or (competition.is_public and competition.status in SHOWN_STATUSES)


def public_competitions() -> list[CompetitionHead]:
    """Public competitions that have started, newest year first, then by name."""
    rows = db.session.scalars(
        select(Competition)
        .where(Competition.is_public.is_(True), Competition.status.in_(SHOWN_STATUSES))
        .order_by(Competition.year.desc(), Competition.name, Competition.id)
    )
    return [head(c) for c in rows]


def public_competition(competition_id: int) -> Competition | None:
    """The competition when the public may see it, else None (unknown, hidden, 筹备中)."""
    competition = db.session.get(Competition, competition_id)
    return competition if _shown(competition, public=True) else None


def head(competition: Competition) -> CompetitionHead:
    return CompetitionHead(
        id=competition.id,
        name=competition.name,
        kind=competition.kind.value,
        kind_label=competition.kind.label,
        status=competition.status.value,
        status_label=competition.status.label,
        year=competition.year,
        host=competition.organization.name,
        starts_on=competition.starts_on,
        ends_on=competition.ends_on,
        is_rating=competition.is_rating,
        description=competition.description or "",
    )


def counted_rounds(competition: Competition, *, public: bool = True) -> list[Round]:
    """The published rounds that count, oldest first (public reading: public ones only)."""
    query = select(Round).where(
        Round.competition_id == competition.id, Round.status == RoundStatus.PUBLISHED
    )
    if public:
        query = query.where(Round.is_public.is_(True))
    return list(db.session.scalars(query.order_by(Round.position, Round.id)))


def public_round(competition: Competition, round_id: int) -> Round | None:
    """A round of ``competition`` the public may see (published and public), else None."""
    found = db.session.get(Round, round_id)
    if (
        found is None
        or found.competition_id != competition.id
        or found.status is not RoundStatus.PUBLISHED
        or not found.is_public
    ):
        return None
    return found


# ------------------------------------------------------------------ cumulative standings


def _round_keys(rounds: Sequence[Round]) -> dict[int, str]:
    """Each round's key for scoring: its name (scoring's sentences name vetoed rounds by it),
    made unique with the id where two rounds share a name."""
    names = [r.name for r in rounds]
    return {r.id: r.name if names.count(r.name) == 1 else f"{r.name}（{r.id}）" for r in rounds}


def _field(competition: Competition, *, withdrawn: bool = False) -> list[Participant]:
    """The participants ranked: everyone registered and not withdrawn (退出) from it; with
    ``withdrawn`` those who withdrew too — they stay in the rounds they were scored in and
    the flags they held, though the cumulative standings no longer rank them."""
    query = select(Participant).where(Participant.competition_id == competition.id)
    if not withdrawn:
        query = query.where(Participant.withdrawn_at.is_(None))
    return list(db.session.scalars(query.order_by(Participant.id)))


def _tracks(competition: Competition) -> list[Track]:
    return list(
        db.session.scalars(
            select(Track)
            .where(Track.competition_id == competition.id)
            .order_by(Track.position, Track.id)
        )
    )


def _flag_rows(round_ids: Sequence[int]) -> list[tuple[int, int | None, int, bool]]:
    """(round id, track id, participant id, kept) of the red flags of ``round_ids``."""
    if not round_ids:
        return []
    rows = db.session.execute(
        select(RoundFlag.round_id, RoundFlag.track_id, RoundFlag.participant_id, RoundFlag.kept)
        .where(RoundFlag.round_id.in_(round_ids))
        .order_by(RoundFlag.round_id, RoundFlag.track_id, RoundFlag.participant_id)
    )
    return [(int(r), t, int(p), bool(k)) for r, t, p, k in rows]


def _result_rows(round_ids: Sequence[int]) -> list[tuple[int, int, Decimal, bool, Any]]:
    """(round id, participant id, total, vetoed, veto effect) of the stored results."""
    if not round_ids:
        return []
    rows = db.session.execute(
        select(
            RoundResult.round_id,
            RoundResult.participant_id,
            RoundResult.total,
            RoundResult.vetoed,
            RoundResult.veto_effect,
        ).where(RoundResult.round_id.in_(round_ids))
    )
    return [(int(r), int(p), t, bool(v), e) for r, p, t, v, e in rows]


def _competition_vetoes(query: Any) -> set[int]:
    return set(
        db.session.scalars(
            query.where(
                RoundResult.vetoed.is_(True), RoundResult.veto_effect == VetoEffect.COMPETITION
            )
        )
    )


def hidden_vetoes(competition: Competition) -> set[int]:
    """Participants vetoed for the whole competition in a published internal round: the
    public standings leave that round out but must not rank them."""
    return _competition_vetoes(
        select(RoundResult.participant_id)
        .join(Round, RoundResult.round_id == Round.id)
        .where(
            Round.competition_id == competition.id,
            Round.status == RoundStatus.PUBLISHED,
            Round.is_public.is_(False),
        )
    )


def excluded_before(round_: Round) -> set[int]:
    """Participants vetoed for the whole competition in a confirmed or published round before
    ``round_``: they are ranked in no later round (confirming leaves their rank empty, and a
    round's table says why)."""
    return _competition_vetoes(
        select(RoundResult.participant_id)
        .join(Round, RoundResult.round_id == Round.id)
        .where(
            Round.competition_id == round_.competition_id,
            Round.position < round_.position,
            Round.status.in_([RoundStatus.CONFIRMED, RoundStatus.PUBLISHED]),
        )
    )


def grade_note(grade: str | None, vetoed: bool, missing_mandatory: str, banded: bool) -> str:
    """What a rating shows for a union without a grade: why it has none (never the items)."""
    if grade:
        return ""
    if missing_mandatory:
        return _("未评定：必备项未达标")
    if vetoed:
        return _("未评定：一票否决")
    return _("未达等级线") if banded else ""


def _grades(competition: Competition, round_id: int) -> dict[int, tuple[str | None, str]]:
    """Each rated union's (grade, note) in ``round_id``: a rating's result is its latest
    counted round's grade, as the titles confer it."""
    banded = bool(competition.grades)
    rows = db.session.execute(
        select(
            RoundResult.participant_id,
            RoundResult.grade,
            RoundResult.vetoed,
            RoundResult.missing_mandatory,
        ).where(RoundResult.round_id == round_id)
    )
    return {
        int(pid): (grade or None, grade_note(grade, bool(vetoed), missing or "", banded))
        for pid, grade, vetoed, missing in rows
    }


def _options(competition: Competition) -> tuple[str, tuple[str, ...]]:
    """The cumulation and tie-break chain scoring understands (unknown links are dropped, so
    a rule saved by an older version never breaks the public page)."""
    method = competition.cumulation if competition.cumulation in CUMULATIONS else "sum"
    chain: list[str] = []
    for link in competition.tie_break or []:
        if link in TIE_BREAK_KEYS and link not in chain:
            chain.append(link)
    return method, tuple(chain)


def standings(competition: Competition, *, public: bool = True) -> Standings:
    """The cumulative standings of ``competition`` over its counted rounds (module docstring).

    Rows come per track in the tracks' order (participants without a track last, under
    「未分组」), each track ranked on its own; with no counted round every track lists its
    participants by name without rank.
    """
    method, chain = _options(competition)
    rounds = counted_rounds(competition, public=public)
    round_ids = [r.id for r in rounds]
    participants = _field(competition)
    by_id = {p.id: p for p in participants}
    field_ = _Field(competition, participants)
    hidden = hidden_vetoes(competition) & set(by_id) if public else set()

    # a flag held by a participant that has withdrawn since still belongs to its round
    everyone = {p.id: p for p in _field(competition, withdrawn=True)}
    flags = [f for f in _flag_rows(round_ids) if f[2] in everyone]
    flag_count: dict[int, int] = defaultdict(int)
    holders_by_round: dict[int, list[str]] = defaultdict(list)
    for rid, _track, pid, _kept in flags:
        flag_count[pid] += 1
        holders_by_round[rid].append(everyone[pid].name)
    kept_by = {pid for _r, _t, pid, kept in flags if kept}
    heads = tuple(_round_head(r, holders_by_round.get(r.id, ())) for r in rounds)

    results = [row for row in _result_rows(round_ids) if row[1] in by_id]
    cells: dict[int, dict[int, Decimal | None]] = {
        p.id: dict.fromkeys(round_ids) for p in participants
    }
    vetoed_in: dict[int, list[int]] = defaultdict(list)
    for rid, pid, total, vetoed, _effect in results:
        cells[pid][rid] = Decimal(0).quantize(CENT) if vetoed else _cents(total)
        if vetoed:
            vetoed_in[pid].append(rid)

    graded = _grades(competition, round_ids[-1]) if competition.is_rating and round_ids else {}

    def row(p: Participant, rank: int | None, total: Decimal, vetoed: bool, why: str) -> Row:
        tid = field_.track_of(p)
        grade, note = graded.get(p.id, (None, ""))
        return Row(
            participant_id=p.id,
            name=p.name,
            kind=p.kind.value,
            kind_label=p.kind.label,
            track_id=tid,
            track=field_.names[tid],
            rank=rank,
            total=total,
            vetoed=vetoed,
            rounds=cells[p.id],
            vetoed_rounds=tuple(vetoed_in.get(p.id, ())),
            flags=flag_count.get(p.id, 0),
            kept=p.id in kept_by,
            why=why,
            grade=grade,
            grade_note=note,
        )

    grouped: dict[int | None, list[Row]] = {tid: [] for tid in field_.names}
    if not rounds:
        for p in sorted(participants, key=lambda q: q.name):
            vetoed = p.id in hidden
            why = _("一票否决，不参加排名") if vetoed else ""
            grouped[field_.track_of(p)].append(row(p, None, Decimal(0).quantize(CENT), vetoed, why))
    else:
        try:
            excluded = [by_id[pid].name for pid in hidden]
            computed = _compute(rounds, results, field_, method, chain, excluded)
        except scoring.ScoringError as error:
            problem = _("排名暂不能计算：%(reason)s", reason=str(error))
            return Standings(competition.id, method, chain, heads, (), problem)
        by_name = {p.name: p for p in participants}
        for name, rank, total, vetoed, why in computed:
            p = by_name[name]
            grouped[field_.track_of(p)].append(row(p, rank, total, vetoed, why))

    latest = round_ids[-1] if round_ids else None
    tables = []
    for tid, name in field_.names.items():
        mine = [(rid, pid, kept) for rid, ftid, pid, kept in flags if field_.known(ftid) == tid]
        holders = tuple(everyone[pid].name for rid, pid, _k in mine if rid == latest)
        kept = tuple(sorted({everyone[pid].name for _r, pid, k in mine if k}))
        tables.append(TrackTable(tid, name, tuple(grouped[tid]), holders, kept))
    return Standings(competition.id, method, chain, heads, tuple(tables))


class _Field:
    """The participants ranked and the tracks they are ranked in: each its own track, or
    「未分组」 when it has none (one unnamed table when the competition has no tracks)."""

    def __init__(self, competition: Competition, participants: Sequence[Participant]) -> None:
        tracks = _tracks(competition)
        self.participants = list(participants)
        self.names: dict[int | None, str] = {t.id: t.name for t in tracks}
        self._ids = set(self.names)
        if not tracks or any(self.known(p.track_id) is None for p in participants):
            self.names[None] = _("未分组") if tracks else ""
        self.order = {tid: i for i, tid in enumerate(self.names)}
        self.name_of = {p.id: p.name for p in participants}

    def known(self, track_id: int | None) -> int | None:
        return track_id if track_id in self._ids else None

    def track_of(self, participant: Participant) -> int | None:
        return self.known(participant.track_id)


def _compute(
    rounds: Sequence[Round],
    results: Sequence[tuple[int, int, Decimal, bool, Any]],
    field_: _Field,
    method: str,
    chain: Sequence[str],
    excluded: Sequence[str] = (),
) -> list[tuple[str, int | None, Decimal, bool, str]]:
    """scoring.standings over the stored results: (name, rank, total, vetoed, why) in order.

    Participants are named by name (unique in a competition), so scoring lists those tied on
    every link by name, and its sentences name rounds by their names. ``excluded`` are vetoed
    for the competition in a round not counted here (its name is not given).
    """
    keys = _round_keys(rounds)
    frame = pd.DataFrame(
        {
            "participant": [field_.name_of[pid] for _r, pid, *_rest in results],
            "round": [keys[rid] for rid, *_rest in results],
            "total": [float(total) for _r, _p, total, *_rest in results],
            "vetoed": [bool(vetoed) for *_head, vetoed, _e in results],
            "veto_effect": [
                effect.value if vetoed and isinstance(effect, VetoEffect) else ""
                for *_head, vetoed, effect in results
            ],
        }
    )
    specs = [scoring.RoundSpec(keys[r.id], float(r.weight)) for r in rounds]
    track = pd.Series(
        {p.name: str(field_.order[field_.track_of(p)]) for p in field_.participants},
        dtype=object,
    )
    table = scoring.standings(
        frame,
        specs,
        method=method,  # type: ignore[arg-type]
        tie_break=tuple(chain),  # type: ignore[arg-type]
        track=track,
        excluded=set(excluded),
    )
    return [
        (str(name), None if pd.isna(rank) else int(rank), _cents(total), bool(vetoed), str(why))
        for name, rank, total, vetoed, why in zip(
            table["participant"],
            table["rank"],
            table["total"],
            table["vetoed"],
            table["why"],
            strict=True,
        )
    ]


def _round_head(r: Round, holders: Iterable[str] = ()) -> RoundHead:
    return RoundHead(
        id=r.id,
        name=r.name,
        period=r.period,
        position=r.position,
        weight=Decimal(r.weight),
        is_public=r.is_public,
        published_at=r.published_at,
        flags=tuple(holders),
    )


# ------------------------------------------------------------------ one round


def round_table(competition: Competition, round_: Round) -> RoundTable:
    """A published round's results per track, by the rank stored when it was confirmed (a
    vetoed participant has none and comes last, shown as 一票否决 and nothing more; so does a
    participant vetoed for the competition in an earlier round, its points kept). A participant
    that has withdrawn since keeps its row, marked 已退出. The rows are checked against the
    round's seal (``labor.seals``; a mismatch is logged)."""
    participants = _field(competition, withdrawn=True)
    by_id = {p.id: p for p in participants}
    field_ = _Field(competition, participants)
    flags = {pid: kept for _r, _t, pid, kept in _flag_rows([round_.id])}
    excluded = excluded_before(round_)
    graded = _grades(competition, round_.id) if competition.is_rating else {}
    rows = db.session.execute(
        select(
            RoundResult.participant_id,
            RoundResult.rank,
            RoundResult.total,
            RoundResult.base,
            RoundResult.bonus,
            RoundResult.vetoed,
        ).where(RoundResult.round_id == round_.id)
    )
    grouped: dict[int | None, list[RoundRow]] = {tid: [] for tid in field_.names}
    for pid, rank, total, base, bonus, vetoed in rows:
        p = by_id.get(int(pid))
        if p is None:
            continue
        grouped[field_.track_of(p)].append(
            RoundRow(
                participant_id=p.id,
                name=p.name,
                kind_label=p.kind.label,
                rank=None if vetoed else rank,
                total=_cents(total),
                base=_cents(base),
                bonus=_cents(bonus),
                vetoed=bool(vetoed),
                flag=p.id in flags,
                kept=flags.get(p.id, False),
                excluded=p.id in excluded and not vetoed,
                withdrawn=p.withdrawn_at is not None,
                grade=graded.get(p.id, (None, ""))[0],
                grade_note=graded.get(p.id, (None, ""))[1],
            )
        )
    never = 1 << 30
    tables = tuple(
        (tid, name, tuple(sorted(grouped[tid], key=lambda r: (r.rank or never, r.name))))
        for tid, name in field_.names.items()
        if grouped[tid]
    )
    holders = [by_id[pid].name for pid in flags if pid in by_id]
    seal = seals.warning(seals.check(round_))
    return RoundTable(_round_head(round_, holders), tables, seal)


# ------------------------------------------------------------------ one participant


def participant_detail(
    competition: Competition,
    participant_id: int,
    *,
    round_id: int | None = None,
    public: bool = True,
) -> ParticipantDetail | None:
    """A participant's public record: its cumulative row, its total in each counted round
    beside its track's best and mean, and its points per 考评项目 in ``round_id`` (default:
    the latest counted round it was scored in). None when the participant is not in the
    field or ``round_id`` is not a counted round."""
    participant = db.session.get(Participant, participant_id)
    if (
        participant is None
        or participant.competition_id != competition.id
        or participant.withdrawn_at is not None
    ):
        return None
    table = standings(competition, public=public)
    rounds = table.rounds
    if round_id is not None and all(r.id != round_id for r in rounds):
        return None
    row = table.row(participant.id)
    track_id = row.track_id if row is not None else None
    mates = [r for r in table.rows if r.track_id == track_id]
    trend = []
    ranks = dict(
        db.session.execute(
            select(RoundResult.round_id, RoundResult.rank).where(
                RoundResult.participant_id == participant.id,
                RoundResult.round_id.in_([r.id for r in rounds]),
            )
        ).all()
    )
    for head_ in rounds:
        values = [m.rounds.get(head_.id) for m in mates if not m.vetoed]
        scored = [v for v in values if v is not None]
        best = max(scored) if scored else None
        mean = _cents(sum(scored) / len(scored)) if scored else None
        mine = row.rounds.get(head_.id) if row is not None else None
        vetoed = row is not None and head_.id in row.vetoed_rounds
        rank = None if vetoed else ranks.get(head_.id)
        trend.append(TrendPoint(head_, mine, rank, vetoed, best, mean))
    chosen = _chosen_round(rounds, row, round_id)
    return ParticipantDetail(
        id=participant.id,
        name=participant.name,
        kind_label=participant.kind.label,
        track=row.track if row is not None else "",
        row=row,
        trend=tuple(trend),
        breakdown_round=chosen,
        breakdown=_breakdown(competition, participant.id, chosen) if chosen else (),
    )


def _chosen_round(
    rounds: Sequence[RoundHead], row: Row | None, round_id: int | None
) -> RoundHead | None:
    if round_id is not None:
        return next(r for r in rounds if r.id == round_id)
    scored = [r for r in rounds if row is not None and row.rounds.get(r.id) is not None]
    return scored[-1] if scored else (rounds[-1] if rounds else None)


# Items whose points are shown (veto and mandatory items are yes/no and carry none).
_POINT_KINDS = frozenset(AspectKind) - {AspectKind.VETO, AspectKind.MANDATORY}


def _breakdown(
    competition: Competition, participant_id: int, chosen: RoundHead
) -> tuple[CriterionPoints, ...]:
    """Points per 考评项目 of the stored result of ``chosen`` (None: not scored there)."""
    items = db.session.scalar(
        select(RoundResult.items).where(
            RoundResult.round_id == chosen.id, RoundResult.participant_id == participant_id
        )
    )
    sheet = sheet_of(competition)
    if sheet is None:
        return ()
    out = []
    for criterion in sheet.criteria:
        aspects = [a for a in criterion.aspects if a.kind in _POINT_KINDS]
        if not aspects:
            continue
        given = [items[a.key] for a in aspects if items and items.get(a.key) is not None]
        out.append(
            CriterionPoints(
                name=criterion.name,
                points=_cents(sum(float(v) for v in given)) if given else None,
                max_points=_cents(sum(Decimal(a.max_points) for a in aspects)),
            )
        )
    return tuple(out)
