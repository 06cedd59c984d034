"""Labor competitions and union ratings (劳动竞赛, 安康杯, 六好 / 职工之家, DOMAIN §2).

One aggregate for both, because they are one shape: a host union runs a *competition* over
*participants* (units, 班组 teams or 标段 projects; for a rating, the unions of a subtree) who are
assessed in *rounds* against one indicator sheet (the shared rubric engine: ``components`` and
``aspects`` owned by the competition; ``score_sheets`` per round, participant and assessor, plus
the participant's own self-assessment).  A rating is a competition of a rating kind with one
round a year whose result is a grade rather than a rank.

Round results are stored when the chief assessor confirms a round, so the public standings, the
big screen and the cumulative table read finished numbers instead of recomputing every mark.
Member surveys (会员评家) keep no link between a code and an answer: a code only knows whether it
was used, and answers are counters.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.base import TimestampMixin
from contest.models.contest import VetoEffect
from contest.models.honor import HonorLevel, RecipientKind

if TYPE_CHECKING:
    from contest.models.org import Organization
    from contest.models.person import Person
    from contest.models.user import User


class CompetitionKind(enum.Enum):
    PROJECT = "project"  # 重大工程 / 项目劳动竞赛
    ANKANG = "ankang"  # 安康杯竞赛
    LEADING = "leading"  # 引领性劳动和技能竞赛
    CUSTOM = "custom"  # 其他劳动竞赛
    SIX_GOOD = "six_good"  # 六好工会评级
    WORKERS_HOME = "workers_home"  # 模范职工之家
    STAR = "star"  # 星级工会

    @property
    def label(self) -> str:
        return str(COMPETITION_KIND_LABELS[self])

    @property
    def is_rating(self) -> bool:
        """A rating of unions (graded, one round a year) rather than a ranked competition."""
        return self in RATING_KINDS


RATING_KINDS = (CompetitionKind.SIX_GOOD, CompetitionKind.WORKERS_HOME, CompetitionKind.STAR)

COMPETITION_KIND_LABELS: dict[CompetitionKind, LazyString] = {
    CompetitionKind.PROJECT: _l("重大工程（项目）劳动竞赛"),
    CompetitionKind.ANKANG: _l("安康杯竞赛"),
    CompetitionKind.LEADING: _l("引领性劳动和技能竞赛"),
    CompetitionKind.CUSTOM: _l("其他劳动竞赛"),
    CompetitionKind.SIX_GOOD: _l("六好工会评级"),
    CompetitionKind.WORKERS_HOME: _l("模范职工之家评定"),
    CompetitionKind.STAR: _l("星级工会评定"),
}


class CompetitionStatus(enum.Enum):
    DRAFT = "draft"  # 筹备: indicators, participants and rounds are set up
    RUNNING = "running"  # 进行中: rounds are assessed and published
    FINISHED = "finished"  # 已结束: standings are final, titles are conferred

    @property
    def label(self) -> str:
        return str(COMPETITION_STATUS_LABELS[self])


COMPETITION_STATUS_LABELS: dict[CompetitionStatus, LazyString] = {
    CompetitionStatus.DRAFT: _l("筹备中"),
    CompetitionStatus.RUNNING: _l("进行中"),
    CompetitionStatus.FINISHED: _l("已结束"),
}


class ParticipantKind(enum.Enum):
    UNIT = "unit"  # 参赛单位 (or, in a rating, the union rated)
    TEAM = "team"  # 班组
    PROJECT = "project"  # 项目 / 标段

    @property
    def label(self) -> str:
        return str(PARTICIPANT_KIND_LABELS[self])

    @property
    def recipient_kind(self) -> RecipientKind:
        """What an honor won by this participant is conferred on."""
        return RecipientKind.TEAM if self is ParticipantKind.TEAM else RecipientKind.UNIT


PARTICIPANT_KIND_LABELS: dict[ParticipantKind, LazyString] = {
    ParticipantKind.UNIT: _l("单位"),
    ParticipantKind.TEAM: _l("班组"),
    ParticipantKind.PROJECT: _l("项目（标段）"),
}


class RoundStatus(enum.Enum):
    """A round's steps: self-assessment → assessors score → the chief confirms → published."""

    SELF = "self"  # 自评中
    SCORING = "scoring"  # 考评中
    CONFIRMED = "confirmed"  # 已确认
    PUBLISHED = "published"  # 已公布

    @property
    def label(self) -> str:
        return str(ROUND_STATUS_LABELS[self])


ROUND_STATUS_LABELS: dict[RoundStatus, LazyString] = {
    RoundStatus.SELF: _l("自评中"),
    RoundStatus.SCORING: _l("考评中"),
    RoundStatus.CONFIRMED: _l("已确认"),
    RoundStatus.PUBLISHED: _l("已公布"),
}


class Competition(TimestampMixin, db.Model):
    """A labor competition or a union rating run by a host union."""

    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CompetitionKind] = mapped_column(
        Enum(CompetitionKind, native_enum=False, length=16), index=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    # The level of the titles it confers (a city federation's competition confers 市级 titles).
    level: Mapped[HonorLevel] = mapped_column(Enum(HonorLevel, native_enum=False, length=12))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[CompetitionStatus] = mapped_column(
        Enum(CompetitionStatus, native_enum=False, length=10),
        default=CompetitionStatus.DRAFT,
        index=True,
    )
    # Public competitions show on the public side (competition page, big screen, API).
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str | None] = mapped_column(Text)
    conferring_body: Mapped[str | None] = mapped_column(String(200))  # 授予机关
    # How several assessors' marks of one item combine: mean, median or trimmed (drop ``trim``
    # highest and lowest).
    aggregation: Mapped[str] = mapped_column(String(10), default="mean")
    trim: Mapped[int] = mapped_column(Integer, default=0)
    # How rounds add up: sum, mean or weighted (by each round's weight).
    cumulation: Mapped[str] = mapped_column(String(10), default="sum")
    # The tie-break chain after the cumulative total, e.g. ["latest_round", "rounds_won"].
    tie_break: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Bonus items add at most this many points a round (None: only each item's own maximum).
    bonus_cap: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    # 流动红旗: holders per track and round; kept for good after this many rounds in a row.
    flag_count: Mapped[int] = mapped_column(Integer, default=1)
    flag_keep_after: Mapped[int | None] = mapped_column(Integer)
    # Ratings: [["90", "五星"], ["80", "四星"], …] from the highest; the title of each grade.
    grades: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    # Ratings: how long a conferred grade stays valid (re-rated yearly: 12 months).
    valid_months: Mapped[int | None] = mapped_column(Integer)
    # Titles at the end: a list of rules (see ``contest.services.labor.titles``).
    title_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship()
    tracks: Mapped[list[Track]] = relationship(
        back_populates="competition",
        order_by="Track.position, Track.id",
        cascade="all, delete-orphan",
    )
    rounds: Mapped[list[Round]] = relationship(
        back_populates="competition",
        order_by="Round.position, Round.id",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Competition {self.id} {self.kind.value} {self.name}>"

    @property
    def is_rating(self) -> bool:
        return self.kind.is_rating

    def can_manage(self, user: User | Any) -> bool:
        """Organizers of the host union (or a union above it) and admins."""
        from contest.models.user import Role

        if not getattr(user, "is_authenticated", False):
            return False
        if user.role is Role.ADMIN:
            return True
        return bool(user.role is Role.ORGANIZER and user.can_manage_org(self.organization))


class Track(db.Model):
    """A track or group of a competition (土建 / 机电 …): flags and ranks go per track."""

    __tablename__ = "competition_tracks"
    __table_args__ = (UniqueConstraint("competition_id", "name", name="uq_tracks_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)

    competition: Mapped[Competition] = relationship(back_populates="tracks")

    def __repr__(self) -> str:
        return f"<Track {self.id} {self.name}>"


class Participant(TimestampMixin, db.Model):
    """An entry of the 参赛名录: a unit, a 班组 inside a unit, or a project (标段).

    Only registered participants (``registered_on``, the 备案 date) qualify for titles (全总's
    2018 guide). In a rating, a participant is a union of the subtree being rated.
    """

    __tablename__ = "competition_participants"
    __table_args__ = (UniqueConstraint("competition_id", "name", name="uq_participants_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    track_id: Mapped[int | None] = mapped_column(
        ForeignKey("competition_tracks.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[ParticipantKind] = mapped_column(
        Enum(ParticipantKind, native_enum=False, length=10), default=ParticipantKind.UNIT
    )
    name: Mapped[str] = mapped_column(String(200))
    # The unit (or rated union) in the organisation tree; a team's is its unit's.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    # A team's unit among the participants.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("competition_participants.id", ondelete="SET NULL")
    )
    registered_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The account that fills in the participant's self-assessment.
    contact_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    competition: Mapped[Competition] = relationship()
    track: Mapped[Track | None] = relationship()
    organization: Mapped[Organization | None] = relationship()
    parent: Mapped[Participant | None] = relationship(remote_side="Participant.id")
    contact_user: Mapped[User | None] = relationship()
    members: Mapped[list[ParticipantMember]] = relationship(
        back_populates="participant",
        order_by="ParticipantMember.id",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Participant {self.id} {self.kind.value} {self.name}>"


class ParticipantMember(db.Model):
    """A person of a participant, for individual titles (优秀建设者 needs ≥ 1 year on site)."""

    __tablename__ = "competition_members"
    __table_args__ = (
        UniqueConstraint("participant_id", "person_id", name="uq_competition_members_person"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("competition_participants.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    post: Mapped[str | None] = mapped_column(String(100))
    on_site_since: Mapped[date | None] = mapped_column(Date)

    participant: Mapped[Participant] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()

    def __repr__(self) -> str:
        return f"<ParticipantMember participant={self.participant_id} person={self.person_id}>"


class Assessor(db.Model):
    """A member of a competition's assessment team (考评组); the chief confirms rounds."""

    __tablename__ = "competition_assessors"
    __table_args__ = (
        UniqueConstraint("competition_id", "user_id", name="uq_competition_assessors_user"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_chief: Mapped[bool] = mapped_column(Boolean, default=False)
    # Limits the assessor to one track's participants (None: every track).
    track_id: Mapped[int | None] = mapped_column(
        ForeignKey("competition_tracks.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship()
    track: Mapped[Track | None] = relationship()

    def __repr__(self) -> str:
        return f"<Assessor competition={self.competition_id} user={self.user_id}>"


class Round(TimestampMixin, db.Model):
    """One assessment period: a month, half-month, quarter or milestone (a rating has one)."""

    __tablename__ = "competition_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(1))
    status: Mapped[RoundStatus] = mapped_column(
        Enum(RoundStatus, native_enum=False, length=10), default=RoundStatus.SELF
    )
    # Published standings are public when the competition is; an internal round is not.
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    competition: Mapped[Competition] = relationship(back_populates="rounds")

    def __repr__(self) -> str:
        return f"<Round {self.id} {self.name} {self.status.value}>"

    @property
    def period(self) -> str:
        """``2026-03-01 – 2026-03-31``, or blank when no dates were given."""
        if self.starts_on is None and self.ends_on is None:
            return ""
        start = self.starts_on.isoformat() if self.starts_on else ""
        end = self.ends_on.isoformat() if self.ends_on else ""
        return f"{start} – {end}" if start != end else start


class RoundResult(db.Model):
    """A participant's confirmed result in one round (written when the chief confirms)."""

    __tablename__ = "round_results"
    __table_args__ = (
        UniqueConstraint("round_id", "participant_id", name="uq_round_results_participant"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("competition_rounds.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("competition_participants.id", ondelete="CASCADE"), index=True
    )
    self_total: Mapped[Decimal | None] = mapped_column(Numeric(9, 2))
    base: Mapped[Decimal] = mapped_column(Numeric(9, 2), default=Decimal(0))
    bonus: Mapped[Decimal] = mapped_column(Numeric(9, 2), default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(Numeric(9, 2), default=Decimal(0))
    vetoed: Mapped[bool] = mapped_column(Boolean, default=False)
    veto_effect: Mapped[VetoEffect | None] = mapped_column(
        Enum(VetoEffect, native_enum=False, length=12)
    )
    vetoed_by: Mapped[str] = mapped_column(String(200), default="")  # item keys
    missing_mandatory: Mapped[str] = mapped_column(String(200), default="")  # item keys
    rank: Mapped[int | None] = mapped_column(Integer)  # within the participant's track
    grade: Mapped[str | None] = mapped_column(String(40))  # ratings
    assessors: Mapped[int] = mapped_column(Integer, default=0)
    # Per item key: the combined points, for indicator breakdowns.
    items: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)

    participant: Mapped[Participant] = relationship()

    def __repr__(self) -> str:
        return f"<RoundResult round={self.round_id} participant={self.participant_id}>"


class RoundFlag(db.Model):
    """A 流动红旗 held for a round: the top of a track, or kept for good after a streak."""

    __tablename__ = "round_flags"
    __table_args__ = (
        UniqueConstraint("round_id", "participant_id", name="uq_round_flags_participant"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("competition_rounds.id", ondelete="CASCADE"), index=True
    )
    track_id: Mapped[int | None] = mapped_column(
        ForeignKey("competition_tracks.id", ondelete="SET NULL")
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("competition_participants.id", ondelete="CASCADE"), index=True
    )
    streak: Mapped[int] = mapped_column(Integer, default=1)
    kept: Mapped[bool] = mapped_column(Boolean, default=False)  # 永久保留

    participant: Mapped[Participant] = relationship()

    def __repr__(self) -> str:
        return f"<RoundFlag round={self.round_id} participant={self.participant_id}>"


class CompetitionAward(TimestampMixin, db.Model):
    """A title proposed at the end (by rank or threshold) and, once conferred, its honor."""

    __tablename__ = "competition_awards"
    __table_args__ = (
        UniqueConstraint(
            "competition_id", "title", "participant_id", "person_id", name="uq_awards_recipient"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(100))
    recipient_kind: Mapped[RecipientKind] = mapped_column(
        Enum(RecipientKind, native_enum=False, length=10)
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("competition_participants.id", ondelete="CASCADE")
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    basis: Mapped[str] = mapped_column(String(300), default="")  # why it qualifies
    honor_id: Mapped[int | None] = mapped_column(ForeignKey("honors.id", ondelete="SET NULL"))

    participant: Mapped[Participant | None] = relationship()
    person: Mapped[Person | None] = relationship()

    def __repr__(self) -> str:
        return f"<CompetitionAward {self.id} {self.title}>"


class Survey(TimestampMixin, db.Model):
    """A 会员评家 member survey of one rated union: anonymous one-time codes, counted answers."""

    __tablename__ = "surveys"
    __table_args__ = (
        UniqueConstraint("competition_id", "participant_id", name="uq_surveys_participant"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("competition_participants.id", ondelete="CASCADE")
    )
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The least share of issued codes that must answer for the result to count (percent).
    min_response_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(60))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    participant: Mapped[Participant] = relationship()

    def __repr__(self) -> str:
        return f"<Survey {self.id} participant={self.participant_id}>"


class SurveyCode(db.Model):
    """A one-time code printed on a slip handed to a member; it records use, not who or what.

    No member id, no time of use: a slip is handed out at random, and the answer it unlocks is
    added to :class:`SurveyTally` counters, so nothing joins a member, a code and an answer.
    """

    __tablename__ = "survey_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return f"<SurveyCode survey={self.survey_id}>"


class SurveyTally(db.Model):
    """How many members gave one answer (满意 / 基本满意 / 不满意) to one question."""

    __tablename__ = "survey_tallies"
    __table_args__ = (
        UniqueConstraint("survey_id", "question", "choice", name="uq_survey_tallies_choice"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    question: Mapped[int] = mapped_column(Integer)  # index into Survey.questions
    choice: Mapped[str] = mapped_column(String(12))  # satisfied / basic / unsatisfied
    count: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<SurveyTally survey={self.survey_id} q={self.question} {self.choice}>"
