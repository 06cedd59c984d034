"""Skills contests: the contest, its events (工种 × 组别), components, rubric and entrants.

A contest (技能大赛) has events; an event has weighted components (理论 / 实操 / 答辩) whose
rubric is criteria (评分项) grouped into aspects the judges mark (评分要素).  Entrants are people
from the database, registered into one event each and known to judges only by codes.
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
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.base import TimestampMixin
from contest.models.honor import HonorLevel

if TYPE_CHECKING:
    from contest.models.org import Organization
    from contest.models.person import Person
    from contest.models.user import User


class ContestStatus(enum.Enum):
    """The life of a contest; ``contest.services.skills.contests.TRANSITIONS`` says which moves
    exist."""

    DRAFT = "draft"  # 筹备
    REGISTRATION = "registration"  # 报名
    JUDGING = "judging"  # 比赛与评分
    REVIEW = "review"  # 复核与申诉
    PUBLISHED = "published"  # 已公布
    ARCHIVED = "archived"  # 已归档

    @property
    def label(self) -> str:
        return str(CONTEST_STATUS_LABELS[self])


CONTEST_STATUS_LABELS: dict[ContestStatus, LazyString] = {
    ContestStatus.DRAFT: _l("筹备中"),
    ContestStatus.REGISTRATION: _l("报名中"),
    ContestStatus.JUDGING: _l("比赛评分中"),
    ContestStatus.REVIEW: _l("复核与申诉"),
    ContestStatus.PUBLISHED: _l("已公布"),
    ContestStatus.ARCHIVED: _l("已归档"),
}


class EventGroup(enum.Enum):
    WORKER = "worker"  # 职工组
    STUDENT = "student"  # 学生组

    @property
    def label(self) -> str:
        return str(EVENT_GROUP_LABELS[self])


EVENT_GROUP_LABELS: dict[EventGroup, LazyString] = {
    EventGroup.WORKER: _l("职工组"),
    EventGroup.STUDENT: _l("学生组"),
}


class AspectKind(enum.Enum):
    """How a judge marks an aspect.

    - measurement (客观/测量): points read from instruments, 0..max in steps of ``step``;
    - judgement (主观/评价): a level 0..``scale`` (WorldSkills 0–3) with a descriptor per level,
      worth ``level / scale × max`` points;
    - deduction (扣分项): points taken off, 0..max; the aspect is worth ``max − deduction``.
    """

    MEASUREMENT = "measurement"
    JUDGEMENT = "judgement"
    DEDUCTION = "deduction"
    # The kinds of labor competitions and union ratings (DOMAIN §2); a skills event refuses them.
    BONUS = "bonus"  # 加分项: 0..max points on top of the base, capped per rubric owner
    VETO = "veto"  # 一票否决: mark 1 = triggered; effect on the round or the whole competition
    MANDATORY = "mandatory"  # 必备项: mark 1 = met; not met → not eligible for the title
    RATE = "rate"  # a percentage against ``threshold``, −step_deduction per started per_step short

    @property
    def is_flag(self) -> bool:
        """Marked 0 or 1 (yes/no) and worth no points."""
        return self in (AspectKind.VETO, AspectKind.MANDATORY)

    @property
    def label(self) -> str:
        return str(ASPECT_KIND_LABELS[self])


ASPECT_KIND_LABELS: dict[AspectKind, LazyString] = {
    AspectKind.MEASUREMENT: _l("测量"),
    AspectKind.JUDGEMENT: _l("评价"),
    AspectKind.DEDUCTION: _l("扣分"),
    AspectKind.BONUS: _l("加分"),
    AspectKind.VETO: _l("一票否决"),
    AspectKind.MANDATORY: _l("必备项"),
    AspectKind.RATE: _l("比率"),
}

# The kinds a skills event's rubric may use; the others belong to competitions and ratings.
SKILLS_ASPECT_KINDS = (AspectKind.MEASUREMENT, AspectKind.JUDGEMENT, AspectKind.DEDUCTION)


class VetoEffect(enum.Enum):
    """What a triggered 一票否决 item voids: the round it was found in, or the whole competition."""

    ROUND = "round"
    COMPETITION = "competition"

    @property
    def label(self) -> str:
        return str(VETO_EFFECT_LABELS[self])


VETO_EFFECT_LABELS: dict[VetoEffect, LazyString] = {
    VetoEffect.ROUND: _l("本轮否决"),
    VetoEffect.COMPETITION: _l("全程否决"),
}


class EntryStatus(enum.Enum):
    REGISTERED = "registered"  # 已报名
    CHECKED_IN = "checked_in"  # 已检录
    WITHDRAWN = "withdrawn"  # 退赛 (before the day)
    # 缺考: registered but did not come, so marked when the event moved to 比赛评分 (stored by
    # name in a non-native VARCHAR(12) column: a new value needs no migration).
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return str(ENTRY_STATUS_LABELS[self])


ENTRY_STATUS_LABELS: dict[EntryStatus, LazyString] = {
    EntryStatus.REGISTERED: _l("已报名"),
    EntryStatus.CHECKED_IN: _l("已检录"),
    EntryStatus.WITHDRAWN: _l("已退赛"),
    EntryStatus.ABSENT: _l("缺考"),
}

# Entries that are not competing: never assigned, scored or ranked.
NOT_COMPETING = (EntryStatus.WITHDRAWN, EntryStatus.ABSENT)


class Contest(TimestampMixin, db.Model):
    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[HonorLevel] = mapped_column(Enum(HonorLevel, native_enum=False, length=12))
    year: Mapped[int] = mapped_column(Integer, index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ContestStatus] = mapped_column(
        Enum(ContestStatus, native_enum=False, length=16), default=ContestStatus.DRAFT, index=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    # Appeals are accepted in writing within this many hours after an event ends (DOMAIN §1.8).
    appeal_window_hours: Mapped[int] = mapped_column(Integer, default=2)
    # 授予机关 of the certificates and of honors earned by placing (defaults to the host union).
    conferring_body: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organization: Mapped[Organization] = relationship()
    events: Mapped[list[Event]] = relationship(
        back_populates="contest", order_by="Event.position, Event.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Contest {self.id} {self.name} {self.status.value}>"

    def can_manage(self, user: User | Any) -> bool:
        """Organizers of the host union (or a union above it) and admins."""
        from contest.models.user import Role

        if not getattr(user, "is_authenticated", False):
            return False
        if user.role is Role.ADMIN:
            return True
        return bool(user.role is Role.ORGANIZER and user.can_manage_org(self.organization))

    @property
    def is_published(self) -> bool:
        return self.status in (ContestStatus.PUBLISHED, ContestStatus.ARCHIVED)


class Event(TimestampMixin, db.Model):
    """One 工种 in one group: the unit that is judged, ranked and awarded."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("contest_id", "code", name="uq_events_contest_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    # A short letter code, the prefix of the event's entry and seat codes ("A" → A017, A-07).
    code: Mapped[str] = mapped_column(String(8))
    occupation: Mapped[str] = mapped_column(String(100))  # 工种
    group: Mapped[EventGroup] = mapped_column(
        Enum(EventGroup, native_enum=False, length=10), default=EventGroup.WORKER
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The ranking policy as plain JSON (see ``contest.services.skills.policies``).
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Registration rules: entrants per unit, age limits on the contest's first day.
    quota_per_unit: Mapped[int | None] = mapped_column(Integer)
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    # A team event (团体项目, DOMAIN §1.9) takes entries of team_min..team_max members (2–5);
    # both None: an individual event.
    team_min: Mapped[int | None] = mapped_column(Integer)
    team_max: Mapped[int | None] = mapped_column(Integer)
    # When the competition of this event ended: the appeal window runs from here.
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The two draws (参赛号, then 赛位号 at check-in), each seeded and recorded.
    entry_draw_seed: Mapped[str | None] = mapped_column(String(64))
    entry_drawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seat_draw_seed: Mapped[str | None] = mapped_column(String(64))
    seat_drawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The chief judge's sign-off: after it, names may be revealed and sheets are locked.
    signed_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    contest: Mapped[Contest] = relationship(back_populates="events")
    components: Mapped[list[Component]] = relationship(
        back_populates="event",
        order_by="Component.position, Component.id",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.code} {self.occupation}>"

    @property
    def label(self) -> str:
        return f"{self.occupation}（{self.group.label}）"

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    @property
    def is_team(self) -> bool:
        return self.team_max is not None


# Exactly one owner of a rubric row (portable SQL: SQLite and PostgreSQL).
ONE_OWNER = (
    "(CASE WHEN event_id IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN competition_id IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN stage_id IS NULL THEN 0 ELSE 1 END) = 1"
)


class Component(db.Model):
    """理论 / 实操 / 答辩: scored out of ``max_score`` (100) and weighted into the total.

    The rubric engine is shared by everything judged: a component belongs to exactly one owner —
    a skills event, a labor competition / union rating (whose rounds all use its one indicator
    sheet), or a nomination campaign's expert review stage — and the check constraint keeps it
    to one.
    """

    __tablename__ = "components"
    __table_args__ = (
        UniqueConstraint("event_id", "key", name="uq_components_event_key"),
        UniqueConstraint("competition_id", "key", name="uq_components_competition_key"),
        UniqueConstraint("stage_id", "key", name="uq_components_stage_key"),
        CheckConstraint(ONE_OWNER, name="one_owner"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    competition_id: Mapped[int | None] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_stages.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(20))  # theory, practical, oral …
    name: Mapped[str] = mapped_column(String(60))
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2))  # percent; an event's sum to 100
    max_score: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=Decimal(100))
    pass_mark: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event | None] = relationship(back_populates="components")
    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="component",
        order_by="RubricCriterion.position, RubricCriterion.id",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Component {self.id} {self.key} {self.weight}%>"


class RubricCriterion(db.Model):
    """A heading of the 评分细则 (e.g. "安全文明生产") grouping the aspects judges mark."""

    __tablename__ = "rubric_criteria"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    component_id: Mapped[int] = mapped_column(
        ForeignKey("components.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)

    component: Mapped[Component] = relationship(back_populates="criteria")
    aspects: Mapped[list[Aspect]] = relationship(
        back_populates="criterion",
        order_by="Aspect.position, Aspect.id",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<RubricCriterion {self.id} {self.name}>"


class Aspect(db.Model):
    """One marked line of the rubric; ``key`` is unique within its owner (A1, A2, …)."""

    __tablename__ = "aspects"
    __table_args__ = (
        UniqueConstraint("event_id", "key", name="uq_aspects_event_key"),
        UniqueConstraint("competition_id", "key", name="uq_aspects_competition_key"),
        UniqueConstraint("stage_id", "key", name="uq_aspects_stage_key"),
        CheckConstraint(ONE_OWNER, name="one_owner"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_criteria.id", ondelete="CASCADE"), index=True
    )
    # The owner, denormalised from the component so sheets and rankings load an owner's aspects
    # in one query: a skills event, a competition or a review stage (exactly one).
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    competition_id: Mapped[int | None] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_stages.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[AspectKind] = mapped_column(Enum(AspectKind, native_enum=False, length=12))
    max_points: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    scale: Mapped[int | None] = mapped_column(Integer)  # judgement: highest level (3)
    step: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("0.5"))
    # Judgement: one descriptor per level 0..scale; measurement/deduction: the marking standard.
    descriptors: Mapped[list[str]] = mapped_column(JSON, default=list)
    standard: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Rate items: the percentage required, the size of one shortfall step and the points off
    # per started step (入会率 ≥ 95%, −0.5 per 2% short).
    threshold: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    per_step: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    step_deduction: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    veto_effect: Mapped[VetoEffect | None] = mapped_column(
        Enum(VetoEffect, native_enum=False, length=12)
    )
    # Where a rate item's figure comes from instead of being typed: "membership_rate" (the
    # organisation's members over its headcount) or "satisfaction" (the member survey).
    source: Mapped[str | None] = mapped_column(String(20))

    criterion: Mapped[RubricCriterion] = relationship(back_populates="aspects")

    def __repr__(self) -> str:
        return f"<Aspect {self.id} {self.key} {self.kind.value} {self.max_points}>"

    @property
    def mark_min(self) -> Decimal:
        return Decimal(0)

    @property
    def mark_max(self) -> Decimal:
        """Largest mark a judge may enter: the level scale for judgement, else the points."""
        if self.kind is AspectKind.JUDGEMENT:
            return Decimal(self.scale or 0)
        if self.kind.is_flag:
            return Decimal(1)
        if self.kind is AspectKind.RATE:
            return Decimal(100)
        return Decimal(self.max_points)

    @property
    def mark_step(self) -> Decimal:
        if self.kind is AspectKind.JUDGEMENT or self.kind.is_flag:
            return Decimal(1)
        if self.kind is AspectKind.RATE:
            return Decimal("0.01")
        return Decimal(self.step)


class RubricTemplate(TimestampMixin, db.Model):
    """A rubric saved for reuse by a union (built-in templates live in code)."""

    __tablename__ = "rubric_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<RubricTemplate {self.id} {self.name}>"


class Entry(TimestampMixin, db.Model):
    """A registered competitor.  Judges see only ``seat_code`` (or ``entry_code`` before it)."""

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("contest_id", "person_id", name="uq_entries_contest_person"),
        UniqueConstraint("contest_id", "entry_code", name="uq_entries_contest_entry_code"),
        UniqueConstraint("contest_id", "seat_code", name="uq_entries_contest_seat_code"),
        Index("ix_entries_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # The unit the entrant represents, at registration time.
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[EntryStatus] = mapped_column(
        Enum(EntryStatus, native_enum=False, length=12), default=EntryStatus.REGISTERED
    )
    entry_code: Mapped[str | None] = mapped_column(String(20))  # 参赛号 (first draw)
    seat_code: Mapped[str | None] = mapped_column(String(20))  # 赛位号 (second draw, check-in)
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Time used in the practical, for the "shorter time" tie-break.
    time_seconds: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A team entry's name; its captain is ``person``, the others are ``members``.
    team_name: Mapped[str | None] = mapped_column(String(60))

    contest: Mapped[Contest] = relationship()
    event: Mapped[Event] = relationship()
    person: Mapped[Person] = relationship()
    organization: Mapped[Organization] = relationship()
    members: Mapped[list[EntryMember]] = relationship(
        order_by="EntryMember.position", cascade="all, delete-orphan", back_populates="entry"
    )

    def __repr__(self) -> str:
        return f"<Entry {self.id} {self.entry_code or '-'} event={self.event_id}>"

    @property
    def code(self) -> str | None:
        """The code judges score under: the seat code once drawn, the entry code before; None
        for an entrant left without a seat by the event's seat draw (a list of seats never
        shows a 参赛号 among them)."""
        if self.seat_code or self.event.seat_drawn_at is not None:
            return self.seat_code
        return self.entry_code

    @property
    def people(self) -> list[Person]:
        """Everyone the entry stands for: the entrant, or a team's captain and then its members."""
        return [self.person, *(member.person for member in self.members)]

    @property
    def entrant_name(self) -> str:
        """Who the entry is, as organizers read it: the entrant, or a team and its members
        ("精工代表队（赵强、钱伟、孙丽）"). Names are data, so nothing here is translated."""
        if not self.team_name:
            return self.person.name
        return f"{self.team_name}（{'、'.join(person.name for person in self.people)}）"


class EntryMember(db.Model):
    """A team member besides the captain (``Entry.person``): individual entries have none.

    A person is in at most one entry of a contest, as entrant, captain or member; the database
    enforces it among members, registration across both tables.
    """

    __tablename__ = "entry_members"
    __table_args__ = (
        UniqueConstraint("contest_id", "person_id", name="uq_entry_members_contest_person"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)  # 1.. after the captain (0)

    entry: Mapped[Entry] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()

    def __repr__(self) -> str:
        return f"<EntryMember entry={self.entry_id} person={self.person_id}>"
