"""The two-yearly review (动态管理复核, DOMAIN §3 rule 26; issue #14 item 4).

A union starts a **round** over the living honorees whose caring union is in its subtree: one
pending **outcome** per file, taken at the start (a file added later waits for the next
round; a death recorded during the round leaves its outcome to be closed as the union sees
fit). Each outcome gets a verdict from a care user in scope of the file's caring union —
合格, 需关注 or 建议撤销, the last two with a note saying why — and a 建议撤销 starts the
revocation chain (:mod:`contest.services.care.revocations`). The round closes when no outcome
is pending.

The interval (:func:`settings.review_years`, default 2) is advice, not a rule: starting a round
earlier is allowed, and the union is told when its last round was. Only one round of a union is
open at a time. Every act is audited (``care.review.*``); the notes are not copied into the
trail, since they may speak of health or discipline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import (
    HonoreeFile,
    LifeStatus,
    Organization,
    Person,
    ReviewOutcome,
    ReviewRound,
    ReviewStatus,
    ReviewVerdict,
    Role,
    User,
)
from contest.models.base import utcnow
from contest.services.care import scope, settings
from contest.services.core import audit
from contest.services.honors.validity import today
from contest.validation import text_problem

__all__ = [
    "NAME_MAX",
    "NOTE_MAX",
    "PER_PAGE",
    "Progress",
    "ReviewError",
    "Started",
    "close_round",
    "last_round",
    "may_close",
    "may_view",
    "outcomes",
    "parse_verdict",
    "progress",
    "record_outcome",
    "rounds_for",
    "start_round",
    "timing_note",
]

NAME_MAX = 100
PER_PAGE = 50
NOTE_MAX = 1000
FIRST_YEAR = 1950
NOTE_REQUIRED = (ReviewVerdict.ATTENTION, ReviewVerdict.REVOKE)


class ReviewError(ValueError):
    """A refused review act: the message and the field it concerns (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Progress:
    """How far a round is: outcomes in all, pending, and per verdict."""

    total: int = 0
    ok: int = 0
    attention: int = 0
    revoke: int = 0

    @property
    def done(self) -> int:
        return self.ok + self.attention + self.revoke

    @property
    def pending(self) -> int:
        return self.total - self.done


@dataclass(frozen=True)
class Started:
    """A round just started, what to tell about its timing, and whether it comes early."""

    round: ReviewRound
    files: int
    timing: str
    early: bool


# ---------------------------------------------------------------- reading


def may_view(user: User, round_: ReviewRound) -> bool:
    """Those who may close the round, and care users whose own union lies below it (they
    record the outcomes of their files in it)."""
    if may_close(user, round_):
        return True
    mine = user.organization
    return scope.may_see_org(user, mine) and round_.organization.contains(mine)


def may_close(user: User, round_: ReviewRound) -> bool:
    return scope.may_see_org(user, round_.organization)


def rounds_for(user: User) -> list[ReviewRound]:
    """The rounds ``user`` sees, open ones first, newest first."""
    query = select(ReviewRound).join(Organization, Organization.id == ReviewRound.organization_id)
    if user.role is not Role.ADMIN:
        mine = user.organization
        if mine is None or not scope.may_see_org(user, mine):
            return []
        # Rounds of its subtree, and of the unions above it (whose rounds include its files).
        query = query.where(
            or_(
                Organization.path.startswith(mine.path),
                Organization.id.in_(mine.path_ids),
            )
        )
    order = (
        ReviewRound.status != ReviewStatus.OPEN,
        ReviewRound.year.desc(),
        ReviewRound.id.desc(),
    )
    return list(db.session.scalars(query.order_by(*order)))


def progress(rounds: list[ReviewRound], user: User | None = None) -> dict[int, Progress]:
    """Each round's progress, in one query; counting only the files ``user`` sees if given."""
    if not rounds:
        return {}
    query: Select[Any] = (
        select(ReviewOutcome.round_id, ReviewOutcome.verdict, func.count(ReviewOutcome.id))
        .where(ReviewOutcome.round_id.in_([r.id for r in rounds]))
        .group_by(ReviewOutcome.round_id, ReviewOutcome.verdict)
    )
    if user is not None:
        query = query.join(HonoreeFile, HonoreeFile.id == ReviewOutcome.file_id).where(
            scope.file_filter(user)
        )
    counts: dict[int, dict[ReviewVerdict | None, int]] = {}
    for round_id, verdict, n in db.session.execute(query):
        counts.setdefault(round_id, {})[verdict] = int(n)
    found = {}
    for r in rounds:
        c = counts.get(r.id, {})
        found[r.id] = Progress(
            total=sum(c.values()),
            ok=c.get(ReviewVerdict.OK, 0),
            attention=c.get(ReviewVerdict.ATTENTION, 0),
            revoke=c.get(ReviewVerdict.REVOKE, 0),
        )
    return found


def outcomes(
    round_: ReviewRound,
    user: User,
    *,
    pending_only: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> tuple[list[ReviewOutcome], int]:
    """One page of the round's outcomes of the files ``user`` sees (by caring union, then
    name), and how many there are in all."""
    query = (
        select(ReviewOutcome)
        .join(HonoreeFile, HonoreeFile.id == ReviewOutcome.file_id)
        .where(ReviewOutcome.round_id == round_.id, scope.file_filter(user))
    )
    if pending_only:
        query = query.where(ReviewOutcome.verdict.is_(None))
    total = int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = db.session.scalars(
        query.join(Person, Person.id == HonoreeFile.person_id)
        .join(Organization, Organization.id == HonoreeFile.care_organization_id)
        .options(
            selectinload(ReviewOutcome.file).selectinload(HonoreeFile.person),
            selectinload(ReviewOutcome.file).selectinload(HonoreeFile.care_organization),
        )
        .order_by(Organization.path, Person.name, ReviewOutcome.id)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return list(rows), total


def last_round(org: Organization) -> ReviewRound | None:
    """The union's latest round."""
    query = select(ReviewRound).where(ReviewRound.organization_id == org.id)
    return db.session.scalars(
        query.order_by(ReviewRound.year.desc(), ReviewRound.id.desc()).limit(1)
    ).first()


def timing_note(org: Organization, year: int) -> tuple[str, bool]:
    """What to say of a round of ``org`` in ``year`` given its last one, and whether it comes
    before the interval has passed (a warning only)."""
    last = last_round(org)
    if last is None:
        return _("%(org)s此前没有复核记录。", org=org.name), False
    interval = settings.review_years()
    early = year - last.year < interval
    values = {"org": org.name, "year": last.year, "name": last.name, "n": interval}
    if early:
        return _("%(org)s上次复核是 %(year)d 年的“%(name)s”，相隔不满 %(n)d 年。", **values), True
    return _("%(org)s上次复核是 %(year)d 年的“%(name)s”，相隔已满 %(n)d 年。", **values), False


# ---------------------------------------------------------------- writing


def _living_files(org: Organization) -> list[int]:
    return list(
        db.session.scalars(
            select(HonoreeFile.id)
            .where(
                HonoreeFile.care_organization_id.in_(org.subtree_ids_query()),
                HonoreeFile.status != LifeStatus.DECEASED,
            )
            .order_by(HonoreeFile.id)
        )
    )


def _name(value: str | None) -> str:
    name = (value or "").strip()
    if not name:
        raise ReviewError(_("请填写复核名称"), "name")
    if len(name) > NAME_MAX:
        raise ReviewError(_("复核名称最长 %(n)d 个字", n=NAME_MAX), "name")
    problem = text_problem(name)
    if problem:
        raise ReviewError(problem, "name")
    return name


def start_round(
    actor: User, org: Organization | None, year: int | None, name: str | None, due_on: date | None
) -> Started:
    """Start a round of ``org`` over its living files (see the module docstring); refused
    when the union is out of the actor's scope, already has an open round, or has no living
    file. The answer says when the last round was and whether this one comes early."""
    if org is None or not scope.may_see_org(actor, org):
        raise ReviewError(_("请选择您负责范围内的工会"), "organization_id")
    this_year = today().year
    if year is None or not FIRST_YEAR <= year <= this_year + 1:
        raise ReviewError(
            _("复核年度应在 %(low)d 到 %(high)d 之间", low=FIRST_YEAR, high=this_year + 1), "year"
        )
    title = _name(name)
    if due_on is not None and due_on < today():
        raise ReviewError(_("截止日期不能早于今天"), "due_on")
    open_round = db.session.scalars(
        select(ReviewRound).where(
            ReviewRound.organization_id == org.id, ReviewRound.status == ReviewStatus.OPEN
        )
    ).first()
    if open_round is not None:
        raise ReviewError(
            _("%(org)s还有未结束的复核“%(name)s”，请先结束它", org=org.name, name=open_round.name)
        )
    files = _living_files(org)
    if not files:
        raise ReviewError(_("%(org)s范围内没有健在的劳模档案，无需复核", org=org.name))
    timing, early = timing_note(org, year)
    round_ = ReviewRound(
        organization_id=org.id,
        name=title,
        year=year,
        due_on=due_on,
        status=ReviewStatus.OPEN,
        created_by_id=actor.id,
    )
    db.session.add(round_)
    db.session.flush()
    db.session.add_all(ReviewOutcome(round_id=round_.id, file_id=file_id) for file_id in files)
    db.session.flush()
    audit.record(
        actor,
        "care.review.create",
        "care_review",
        round_.id,
        after={
            "organization_id": org.id,
            "name": title,
            "year": year,
            "due_on": due_on.isoformat() if due_on else None,
            "files": len(files),
        },
    )
    return Started(round_, len(files), timing, early)


def parse_verdict(raw: object) -> ReviewVerdict | None:
    if isinstance(raw, ReviewVerdict):
        return raw
    try:
        return ReviewVerdict(str(raw or ""))
    except ValueError:
        return None


def record_outcome(
    actor: User, outcome: ReviewOutcome, verdict: ReviewVerdict | str | None, note: str | None
) -> ReviewOutcome:
    """Give (or change, while the round is open) a file's verdict; 需关注 and 建议撤销 need a
    note of at most :data:`NOTE_MAX` characters. Only care users in scope of the file's caring
    union (and admins) may."""
    if not scope.may_see(actor, outcome.file):
        raise ReviewError(_("您不负责该劳模的档案，不能登记复核结论"))
    if outcome.round.status is not ReviewStatus.OPEN:
        raise ReviewError(_("该复核已经结束，不能再登记结论"))
    chosen = parse_verdict(verdict)
    if chosen is None:
        raise ReviewError(_("请选择复核结论"), "verdict")
    text = (note or "").replace("\r\n", "\n").strip()
    if chosen in NOTE_REQUIRED and not text:
        raise ReviewError(_("结论为“%(verdict)s”时请填写说明", verdict=chosen.label), "note")
    if len(text) > NOTE_MAX:
        raise ReviewError(_("说明最长 %(n)d 个字", n=NOTE_MAX), "note")
    problem = text_problem(text, multiline=True)
    if problem:
        raise ReviewError(problem, "note")
    before = {
        "file_id": outcome.file_id,
        "verdict": outcome.verdict.value if outcome.verdict else None,
    }
    outcome.verdict = chosen
    outcome.note = text or None
    outcome.decided_by_id = actor.id
    outcome.decided_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "care.review.outcome",
        "care_review",
        outcome.round_id,
        before=before,
        after={"file_id": outcome.file_id, "verdict": chosen.value, "note": bool(text)},
    )
    return outcome


def close_round(actor: User, round_: ReviewRound) -> ReviewRound:
    """Close the round; refused while any outcome is pending (saying how many)."""
    if not may_close(actor, round_):
        raise ReviewError(
            _("只有%(org)s的劳模服务人员可以结束这次复核", org=round_.organization.name)
        )
    if round_.status is not ReviewStatus.OPEN:
        raise ReviewError(_("该复核已经结束"))
    pending = int(
        db.session.scalar(
            select(func.count(ReviewOutcome.id)).where(
                and_(ReviewOutcome.round_id == round_.id, ReviewOutcome.verdict.is_(None))
            )
        )
        or 0
    )
    if pending:
        raise ReviewError(_("还有 %(n)d 份档案未登记复核结论，不能结束", n=pending))
    counts = progress([round_])[round_.id]
    round_.status = ReviewStatus.CLOSED
    round_.closed_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "care.review.close",
        "care_review",
        round_.id,
        before={"status": ReviewStatus.OPEN.value},
        after={
            "status": ReviewStatus.CLOSED.value,
            "ok": counts.ok,
            "attention": counts.attention,
            "revoke": counts.revoke,
        },
    )
    return round_
