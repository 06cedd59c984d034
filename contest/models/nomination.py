"""Nomination campaigns (评选表彰, DOMAIN §3): quotas down the tree, slates, review, 公示, 表彰.

A host union runs a *campaign* conferring one or more *awards* (五一劳动奖章, 奖状, 工人先锋号 …,
each with its recipient kind). Its total *quota* is handed down the union tree to recommending
units (``CampaignQuota`` rows, each carved from its parent's), optionally with typed slots and
alternates; a ``差额`` factor lets units submit more than their quota. *Slate rules* are
declarative rows (group, ≥/≤, percent or count, of which denominator) checked on each unit's
slate and on the whole.  Recommenders file *nominations* with their materials; a *review chain*
of stages decides (outcomes, expert scoring on the shared rubric engine — components/aspects
owned by a stage, sheets about a nomination — or a secret ballot); the result is published in a
*公示* notice (working days on the statutory calendar); *objections* are handled confidentially
and an upheld one promotes the next alternate (递补) with a supplementary notice; conferral turns
the confirmed nominees into honors.

Secret ballots keep no link between a member and a vote: who voted is a row per member, what was
voted is only counters per nominee and choice (no row per ballot paper, no time, no order).
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
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.base import TimestampMixin
from contest.models.honor import HonorLevel, RecipientKind

if TYPE_CHECKING:
    from contest.models.org import Organization
    from contest.models.person import Person
    from contest.models.user import User


class CampaignStatus(enum.Enum):
    DRAFT = "draft"  # 筹备: awards, quotas, rules, materials, stages
    OPEN = "open"  # 推荐中: units submit until the deadline
    REVIEW = "review"  # 评审中: the review chain runs
    PUBLICITY = "publicity"  # 公示中
    CONFERRED = "conferred"  # 已表彰

    @property
    def label(self) -> str:
        return str(CAMPAIGN_STATUS_LABELS[self])


CAMPAIGN_STATUS_LABELS: dict[CampaignStatus, LazyString] = {
    CampaignStatus.DRAFT: _l("筹备中"),
    CampaignStatus.OPEN: _l("推荐中"),
    CampaignStatus.REVIEW: _l("评审中"),
    CampaignStatus.PUBLICITY: _l("公示中"),
    CampaignStatus.CONFERRED: _l("已表彰"),
}


class NominationStatus(enum.Enum):
    DRAFT = "draft"  # 草稿
    SUBMITTED = "submitted"  # 已报送 (in review)
    RETURNED = "returned"  # 退回修改
    WITHDRAWN = "withdrawn"  # 已撤回
    REJECTED = "rejected"  # 未通过
    SELECTED = "selected"  # 拟表彰 (正选)
    ALTERNATE = "alternate"  # 递补人选
    REMOVED = "removed"  # 异议成立，已取消
    CONFERRED = "conferred"  # 已表彰

    @property
    def label(self) -> str:
        return str(NOMINATION_STATUS_LABELS[self])


NOMINATION_STATUS_LABELS: dict[NominationStatus, LazyString] = {
    NominationStatus.DRAFT: _l("草稿"),
    NominationStatus.SUBMITTED: _l("已报送"),
    NominationStatus.RETURNED: _l("退回修改"),
    NominationStatus.WITHDRAWN: _l("已撤回"),
    NominationStatus.REJECTED: _l("未通过"),
    NominationStatus.SELECTED: _l("拟表彰"),
    NominationStatus.ALTERNATE: _l("递补人选"),
    NominationStatus.REMOVED: _l("已取消"),
    NominationStatus.CONFERRED: _l("已表彰"),
}


class StageMode(enum.Enum):
    """How a review stage decides: outcomes per nomination, rubric scores, a secret ballot, or a
    ballot among the top of the scores."""

    REVIEW = "review"  # 通过 / 退回修改 / 不通过
    SCORING = "scoring"  # expert scoring on the rubric engine
    BALLOT = "ballot"  # 无记名投票
    SCORING_BALLOT = "scoring_ballot"

    @property
    def label(self) -> str:
        return str(STAGE_MODE_LABELS[self])


STAGE_MODE_LABELS: dict[StageMode, LazyString] = {
    StageMode.REVIEW: _l("审核"),
    StageMode.SCORING: _l("专家评分"),
    StageMode.BALLOT: _l("无记名投票"),
    StageMode.SCORING_BALLOT: _l("评分后投票"),
}


class StageStatus(enum.Enum):
    PENDING = "pending"  # 未开始
    OPEN = "open"  # 进行中
    CLOSED = "closed"  # 已结束


class Outcome(enum.Enum):
    PASS = "pass"  # 通过
    RETURN = "return"  # 退回修改
    REJECT = "reject"  # 不通过

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS: dict[Outcome, LazyString] = {
    Outcome.PASS: _l("通过"),
    Outcome.RETURN: _l("退回修改"),
    Outcome.REJECT: _l("不通过"),
}


class ObjectionStatus(enum.Enum):
    RECEIVED = "received"  # 已受理
    INVESTIGATING = "investigating"  # 调查核实中
    UPHELD = "upheld"  # 成立
    DISMISSED = "dismissed"  # 不成立

    @property
    def label(self) -> str:
        return str(OBJECTION_STATUS_LABELS[self])


OBJECTION_STATUS_LABELS: dict[ObjectionStatus, LazyString] = {
    ObjectionStatus.RECEIVED: _l("已受理"),
    ObjectionStatus.INVESTIGATING: _l("调查核实中"),
    ObjectionStatus.UPHELD: _l("异议成立"),
    ObjectionStatus.DISMISSED: _l("异议不成立"),
}


class BallotStatus(enum.Enum):
    DRAFT = "draft"  # 未开始
    OPEN = "open"  # 投票中
    CLOSED = "closed"  # 已结束（计票）


class Campaign(TimestampMixin, db.Model):
    """A nomination campaign of a host union."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    level: Mapped[HonorLevel] = mapped_column(Enum(HonorLevel, native_enum=False, length=12))
    year: Mapped[int] = mapped_column(Integer, index=True)
    conferring_body: Mapped[str | None] = mapped_column(String(200))  # 授予机关
    status: Mapped[CampaignStatus] = mapped_column(
        Enum(CampaignStatus, native_enum=False, length=10),
        default=CampaignStatus.DRAFT,
        index=True,
    )
    description: Mapped[str | None] = mapped_column(Text)
    # The awards it confers: [{"key": "medal", "kind": "may_day_medal", "title": "江州市五一劳动
    # 奖章", "recipient": "person", "tier": null}, …] (see services.nominations.awards).
    awards: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    submission_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # 差额推荐: units may submit up to this percent of their quota (100 = exactly the quota).
    surplus_percent: Mapped[int] = mapped_column(Integer, default=100)
    # Materials, 征求意见 checklists per category, the negative list, eligibility rules (JSON
    # shapes documented in services.nominations.campaigns).
    materials: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # 公示: N working days from the start day (day 1), leaving the public site after a grace.
    publicity_days: Mapped[int] = mapped_column(Integer, default=5)
    publicity_grace_days: Mapped[int] = mapped_column(Integer, default=0)
    supplement_publicity_days: Mapped[int] = mapped_column(Integer, default=5)
    publish_alternates: Mapped[bool] = mapped_column(Boolean, default=False)
    document_number: Mapped[str | None] = mapped_column(String(100))  # 表彰文号
    conferred_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship()
    stages: Mapped[list[ReviewStage]] = relationship(
        back_populates="campaign",
        order_by="ReviewStage.position, ReviewStage.id",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.name} {self.status.value}>"

    def can_manage(self, user: User | Any) -> bool:
        """Organizers of the host union (or a union above it) and admins."""
        from contest.models.user import Role

        if not getattr(user, "is_authenticated", False):
            return False
        if user.role is Role.ADMIN:
            return True
        return bool(user.role is Role.ORGANIZER and user.can_manage_org(self.organization))


class CampaignQuota(db.Model):
    """A recommending unit's share of an award's quota, carved from its parent's share.

    The host's row (``parent_id`` None) holds the award's total; a row handed to a lower union
    may be handed down again. ``slots`` are typed places within it ({"enterprise_head": 1}).
    """

    __tablename__ = "campaign_quotas"
    __table_args__ = (
        UniqueConstraint("campaign_id", "award", "organization_id", name="uq_campaign_quotas_unit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    award: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign_quotas.id", ondelete="CASCADE")
    )
    quota: Mapped[int] = mapped_column(Integer, default=0)
    slots: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    alternates: Mapped[int] = mapped_column(Integer, default=0)  # 递补 places (ranked)

    organization: Mapped[Organization] = relationship()

    def __repr__(self) -> str:
        return f"<CampaignQuota {self.award} org={self.organization_id} {self.quota}>"


class SlateRule(db.Model):
    """A composition rule: ``group`` ≥/≤ ``value`` (percent or count) of ``denominator``."""

    __tablename__ = "slate_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    award: Mapped[str | None] = mapped_column(String(20))  # None: every award of the campaign
    group: Mapped[str] = mapped_column(String(40))  # a category key (services.nominations.groups)
    op: Mapped[str] = mapped_column(String(2))  # ">=" or "<="
    value: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    unit: Mapped[str] = mapped_column(String(10), default="percent")  # percent | count
    denominator: Mapped[str] = mapped_column(String(40), default="all")  # "all" or a group key
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<SlateRule {self.group} {self.op} {self.value} {self.unit}>"


class Nomination(TimestampMixin, db.Model):
    """A recommending unit's nomination of a person, a unit or a team for one award."""

    __tablename__ = "nominations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    award: Mapped[str] = mapped_column(String(20))
    # The recommending unit (the quota it counts against).
    unit_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    recipient_kind: Mapped[RecipientKind] = mapped_column(
        Enum(RecipientKind, native_enum=False, length=10)
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    # The nominated unit, or the team's unit.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(String(200))  # person, unit or team name as published
    unit_name: Mapped[str | None] = mapped_column(String(200))
    post: Mapped[str | None] = mapped_column(String(100))  # 岗位/职务
    skill_level: Mapped[str | None] = mapped_column(String(60))  # 技能等级/职称
    # Category keys the composition rules count (产业工人, 农民工, 企业负责人, 非公有制 …).
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    deeds_short: Mapped[str | None] = mapped_column(Text)  # ≤ 500 characters
    deeds_full: Mapped[str | None] = mapped_column(Text)  # ≤ 2000 characters
    form: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # 推荐表 fields
    # Separate consents (PIPL Art. 25): the 公示 list, the photo and the 事迹 on the wall.
    consent_publicity: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_photo: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_deeds: Mapped[bool] = mapped_column(Boolean, default=False)
    # The unit's own steps: 民主推荐 / 职代会 and the 单位公示 (working days).
    democratic_on: Mapped[date | None] = mapped_column(Date)
    unit_publicity_start: Mapped[date | None] = mapped_column(Date)
    unit_publicity_end: Mapped[date | None] = mapped_column(Date)
    # The self-declared negative list: {item key: true if any happened}.
    declarations: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    # Eligibility checks the organizer waived: [{"check", "reason", "by", "at"}].
    waivers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[NominationStatus] = mapped_column(
        Enum(NominationStatus, native_enum=False, length=10),
        default=NominationStatus.DRAFT,
        index=True,
    )
    status_reason: Mapped[str | None] = mapped_column(Text)  # returned / withdrawn / removed
    # The ranked result: score from the expert stage, rank among the award's nominees.
    score: Mapped[Decimal | None] = mapped_column(Numeric(9, 2))
    rank: Mapped[int | None] = mapped_column(Integer)
    # The 公示 notice that published it (the main one, or a 递补 supplement).
    publicity_id: Mapped[int | None] = mapped_column(
        ForeignKey("publicity_notices.id", ondelete="SET NULL"), index=True
    )
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    honor_id: Mapped[int | None] = mapped_column(ForeignKey("honors.id", ondelete="SET NULL"))

    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Organization] = relationship(foreign_keys=[unit_id])
    person: Mapped[Person | None] = relationship()

    def __repr__(self) -> str:
        return f"<Nomination {self.id} {self.name} {self.status.value}>"


class NominationAttachment(TimestampMixin, db.Model):
    """A file of a nomination's materials (PDF/JPG/PNG), kept in the database, never public."""

    __tablename__ = "nomination_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    slot: Mapped[str] = mapped_column(String(40))  # the campaign's attachment slot key
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Consultation(TimestampMixin, db.Model):
    """One department's answer in the 征求意见 checklist of a nominee (市场监管, 税务 …)."""

    __tablename__ = "consultations"
    __table_args__ = (
        UniqueConstraint("nomination_id", "department", name="uq_consultations_department"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    department: Mapped[str] = mapped_column(String(60))
    cleared: Mapped[bool | None] = mapped_column(Boolean)  # None: no answer yet
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReviewStage(db.Model):
    """One stage of the review chain (初审, 征求意见, 复审, 专家评审, 终审 …)."""

    __tablename__ = "review_stages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)
    mode: Mapped[StageMode] = mapped_column(
        Enum(StageMode, native_enum=False, length=16), default=StageMode.REVIEW
    )
    status: Mapped[StageStatus] = mapped_column(
        Enum(StageStatus, native_enum=False, length=10), default=StageStatus.PENDING
    )
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    # Expert scoring: experts see nominees by code only; how their marks combine.
    blind: Mapped[bool] = mapped_column(Boolean, default=False)
    aggregation: Mapped[str] = mapped_column(String(10), default="mean")
    trim: Mapped[int] = mapped_column(Integer, default=0)
    # Ballots: a nominee passes with more than ``pass_share`` of the base (members or present);
    # only with ``quorum_share`` of the members present; among the top ``ballot_top`` scores.
    pass_share: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("0.5"))
    pass_base: Mapped[str] = mapped_column(String(10), default="members")  # members | present
    quorum_share: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("0.6667"))
    ballot_top: Mapped[int | None] = mapped_column(Integer)
    runoff: Mapped[bool] = mapped_column(Boolean, default=True)

    campaign: Mapped[Campaign] = relationship(back_populates="stages")

    def __repr__(self) -> str:
        return f"<ReviewStage {self.id} {self.name} {self.mode.value}>"


class StageMember(db.Model):
    """A reviewer, expert or committee member of a stage; the chair opens and closes ballots."""

    __tablename__ = "stage_members"
    __table_args__ = (UniqueConstraint("stage_id", "user_id", name="uq_stage_members_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_id: Mapped[int] = mapped_column(
        ForeignKey("review_stages.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_chair: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()


class StageDecision(TimestampMixin, db.Model):
    """A stage's outcome for one nomination (通过 / 退回修改 / 不通过, with a reason)."""

    __tablename__ = "stage_decisions"
    __table_args__ = (
        UniqueConstraint("stage_id", "nomination_id", name="uq_stage_decisions_nomination"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_id: Mapped[int] = mapped_column(
        ForeignKey("review_stages.id", ondelete="CASCADE"), index=True
    )
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[Outcome] = mapped_column(Enum(Outcome, native_enum=False, length=10))
    reason: Mapped[str | None] = mapped_column(Text)
    veto: Mapped[bool] = mapped_column(Boolean, default=False)  # 一票否决
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PublicityNotice(TimestampMixin, db.Model):
    """A 公示: the main list of a campaign, or a supplement for a promoted alternate (递补)."""

    __tablename__ = "publicity_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    is_supplement: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # the N-th working day, inclusive
    hidden_after: Mapped[date] = mapped_column(Date)  # leaves the public site after this day
    contact: Mapped[str | None] = mapped_column(Text)  # how to object (受理部门, 电话, 地址)


class Objection(TimestampMixin, db.Model):
    """An objection raised during a 公示. The objector's identity is stored encrypted and shown
    only to the campaign's objection handlers, each view audited."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    by_unit: Mapped[bool] = mapped_column(Boolean, default=False)  # a unit, with its seal
    identity_encrypted: Mapped[bytes] = mapped_column(LargeBinary)  # JSON: name, contact …
    seal_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)  # the seal image
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[ObjectionStatus] = mapped_column(
        Enum(ObjectionStatus, native_enum=False, length=14), default=ObjectionStatus.RECEIVED
    )
    decision: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    nomination: Mapped[Nomination] = relationship()


class ObjectionAttachment(db.Model):
    """A file an objector attached (stored encrypted: it may name them)."""

    __tablename__ = "objection_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objection_id: Mapped[int] = mapped_column(
        ForeignKey("objections.id", ondelete="CASCADE"), index=True
    )
    filename_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(100))
    data_encrypted: Mapped[bytes] = mapped_column(LargeBinary)


class CalendarDay(db.Model):
    """An administrator's correction of the statutory working-day calendar for one day."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(200))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Ballot(TimestampMixin, db.Model):
    """A secret ballot (无记名投票) of a stage's committee, or a run-off among the tied."""

    __tablename__ = "ballots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_id: Mapped[int] = mapped_column(
        ForeignKey("review_stages.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    status: Mapped[BallotStatus] = mapped_column(
        Enum(BallotStatus, native_enum=False, length=10), default=BallotStatus.DRAFT
    )
    nomination_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # on the paper
    members: Mapped[int] = mapped_column(Integer, default=0)  # committee size when opened
    places: Mapped[int | None] = mapped_column(Integer)  # places left in the quota, if limited
    paper: Mapped[bool] = mapped_column(Boolean, default=False)  # counted by two tellers
    present: Mapped[int | None] = mapped_column(Integer)  # members present (paper ballots)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BallotVoter(db.Model):
    """That a member voted (one row each, refused twice) — never how."""

    __tablename__ = "ballot_voters"
    __table_args__ = (UniqueConstraint("ballot_id", "user_id", name="uq_ballot_voters_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class BallotTally(db.Model):
    """How many 赞成 / 反对 / 弃权 a nominee received: counters only, so no row is a voter's."""

    __tablename__ = "ballot_tallies"
    __table_args__ = (
        UniqueConstraint("ballot_id", "nomination_id", "choice", name="uq_ballot_tallies_choice"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    choice: Mapped[str] = mapped_column(String(10))  # yes / no / abstain
    count: Mapped[int] = mapped_column(Integer, default=0)


class TellerCount(db.Model):
    """A teller's count of a paper ballot for one nominee; two tellers must agree."""

    __tablename__ = "teller_counts"
    __table_args__ = (
        UniqueConstraint("ballot_id", "teller_id", "nomination_id", name="uq_teller_counts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    teller_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    yes: Mapped[int] = mapped_column(Integer, default=0)
    no: Mapped[int] = mapped_column(Integer, default=0)
    abstain: Mapped[int] = mapped_column(Integer, default=0)
