"""The contest's arbitration panel (仲裁组, DOMAIN §1.8): who decides appeals.

Appeals are against an event's marks, so the people who gave or oversaw those marks — the
event's judges and its chief judge — must not decide them. The organizer names the contest's
arbitration panel from the judge accounts; a member who also sits on one event's judging panel
stays on the arbitration panel but is refused that event's appeals (and only those), with the
reason said on the page. Naming and removing members is audited; the decision itself is
``appeals.decide_appeal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import scoring
from contest.extensions import db
from contest.models import (
    Appeal,
    AppealStatus,
    Arbitrator,
    Contest,
    ContestStatus,
    Entry,
    Event,
    PanelMember,
    RecheckItem,
    Role,
    User,
)
from contest.services.core import audit
from contest.services.skills.access import REVIEW_STATUSES, can_read_appealed_marks
from contest.services.skills.recheck import item_of
from contest.services.skills.results import decimal_text
from contest.services.skills.review import (
    NotPermitted,
    PanelRow,
    PanelView,
    ReviewError,
    side_by_side,
)
from contest.services.skills.standings import ranking


def arbitrators_of(contest: Contest) -> list[Arbitrator]:
    """The contest's arbitration panel, by name."""
    rows = db.session.scalars(
        select(Arbitrator)
        .where(Arbitrator.contest_id == contest.id)
        .options(selectinload(Arbitrator.user))
    )
    return sorted(rows, key=lambda a: (a.user.name, a.user_id))


def is_arbitrator(user: User, contest: Contest | int) -> bool:
    contest_id = contest if isinstance(contest, int) else contest.id
    return (
        db.session.scalar(
            select(Arbitrator.id).where(
                Arbitrator.contest_id == contest_id, Arbitrator.user_id == user.id
            )
        )
        is not None
    )


def candidates(contest: Contest) -> list[User]:
    """Enabled judge accounts not yet on the contest's arbitration panel."""
    named = select(Arbitrator.user_id).where(Arbitrator.contest_id == contest.id)
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.JUDGE, User.is_enabled.is_(True), User.id.not_in(named))
            .order_by(User.display_name, User.username)
        )
    )


def sits_on(contest: Contest) -> dict[int, list[tuple[Event, bool]]]:
    """For each user on one of the contest's judging panels: the events and whether they chair
    them (the arbitration page says whose appeals each arbitrator must stand aside from)."""
    rows = db.session.execute(
        select(PanelMember.user_id, Event, PanelMember.is_chief)
        .join(Event, Event.id == PanelMember.event_id)
        .where(Event.contest_id == contest.id)
        .order_by(Event.position, Event.id)
    )
    seats: dict[int, list[tuple[Event, bool]]] = {}
    for user_id, event, chief in rows:
        seats.setdefault(user_id, []).append((event, bool(chief)))
    return seats


def _require_manager(actor: User, contest: Contest) -> None:
    if not contest.can_manage(actor):
        raise NotPermitted(_("只有本大赛的组织者可以组建仲裁组。"))
    if contest.status is ContestStatus.ARCHIVED:
        raise ReviewError(_("大赛已归档，不能再调整仲裁组。"))


def add_arbitrator(actor: User, contest: Contest, user: User) -> Arbitrator:
    """Name ``user`` (an enabled judge account) to the contest's arbitration panel."""
    _require_manager(actor, contest)
    if user.role is not Role.JUDGE or not user.is_enabled:
        raise ReviewError(_("仲裁组成员须为已启用的评委账号。"))
    if is_arbitrator(user, contest):
        raise ReviewError(_("%(name)s 已在仲裁组中。", name=user.name))
    member = Arbitrator(contest_id=contest.id, user_id=user.id)
    db.session.add(member)
    db.session.flush()
    audit.record(actor, "arbitration.add", "contest", contest.id, after={"user_id": user.id})
    return member


def remove_arbitrator(actor: User, contest: Contest, user: User) -> None:
    """Take ``user`` off the panel; the appeals they decided keep their name."""
    _require_manager(actor, contest)
    member = db.session.scalar(
        select(Arbitrator).where(Arbitrator.contest_id == contest.id, Arbitrator.user_id == user.id)
    )
    if member is None:
        raise ReviewError(_("%(name)s 不在仲裁组中。", name=user.name))
    db.session.delete(member)
    db.session.flush()
    audit.record(actor, "arbitration.remove", "contest", contest.id, before={"user_id": user.id})


def refusal(user: User, event: Event) -> str | None:
    """Why ``user`` may not decide ``event``'s appeals, or None when they may: only the
    contest's arbitrators decide, and never one who sits on this event's judging panel."""
    if not getattr(user, "is_authenticated", False) or not is_arbitrator(user, event.contest_id):
        return _("申诉由本大赛仲裁组裁决；您不是仲裁组成员。")
    member = db.session.scalar(
        select(PanelMember).where(PanelMember.event_id == event.id, PanelMember.user_id == user.id)
    )
    if member is not None:
        role = _("裁判长") if member.is_chief else _("评委")
        return _(
            "您是本赛项的%(role)s，须回避本赛项申诉的裁决，由仲裁组其他成员裁决。",
            role=role,
        )
    return None


def require_arbitrator(user: User, event: Event) -> None:
    reason = refusal(user, event)
    if reason is not None:
        raise NotPermitted(reason)


def _arbitrated(user: User) -> object:
    return (
        select(Contest)
        .join(Arbitrator, Arbitrator.contest_id == Contest.id)
        .where(Arbitrator.user_id == user.id, Contest.status.in_(REVIEW_STATUSES))
    )


def arbitrates_any(user: User) -> bool:
    """Whether ``user`` sits on a live contest's arbitration panel (the menu offers 申诉仲裁)."""
    return bool(db.session.scalar(select(_arbitrated(user).exists())))  # type: ignore[attr-defined]


@dataclass
class EventAppeals:
    """One event's appeals as an arbitrator sees them; ``refusal`` says why they may not decide."""

    event: Event
    appeals: list[Appeal]
    refusal: str | None

    @property
    def pending(self) -> int:
        return sum(1 for a in self.appeals if a.status is AppealStatus.PENDING)


@dataclass
class ContestAppeals:
    contest: Contest
    events: list[EventAppeals] = field(default_factory=list)

    @property
    def pending(self) -> int:
        """Appeals this arbitrator may decide and that are still pending."""
        return sum(e.pending for e in self.events if e.refusal is None)


def docket(user: User) -> list[ContestAppeals]:
    """Every appeal of the contests ``user`` arbitrates (live ones, newest contest first),
    grouped by event, pending first, each event with the reason the user must stand aside."""
    contests = db.session.scalars(
        _arbitrated(user).order_by(Contest.year.desc(), Contest.id.desc())  # type: ignore[attr-defined]
    ).all()
    chaired = set(
        db.session.scalars(select(PanelMember.event_id).where(PanelMember.user_id == user.id))
    )
    result = []
    for contest in contests:
        appeals = db.session.scalars(
            select(Appeal)
            .join(Event, Event.id == Appeal.event_id)
            .where(Event.contest_id == contest.id)
            .options(selectinload(Appeal.entry))
            .order_by(Event.position, Event.id, Appeal.received_at, Appeal.id)
        ).all()
        item = ContestAppeals(contest)
        for event in contest.events:
            mine = [a for a in appeals if a.event_id == event.id]
            if not mine:
                continue
            mine.sort(key=lambda a: a.status is not AppealStatus.PENDING)
            reason = refusal(user, event) if event.id in chaired else None
            item.events.append(EventAppeals(event, mine, reason))
        result.append(item)
    return result


@dataclass
class AppealedMarks:
    """What an arbitrator reads before deciding an appeal against ``entry``'s marks: the same
    side-by-side sheets the chief judge's entry page shows (each judge's mark per aspect, sheet
    states, flagged spreads; names only after sign-off), the entry's provisional total under
    the event's policy (None while it cannot be ranked yet), and its re-check, if any."""

    entry: Entry
    view: PanelView
    row: PanelRow | None
    total: str | None
    recheck: RecheckItem | None


def _provisional_total(event: Event, entry: Entry) -> str | None:
    """The entry's total as the standings rank it now (the re-check list and publishing use the
    same ranking), at the policy's precision; None when the marks cannot be ranked yet."""
    try:
        result = ranking(event)
    except scoring.ScoringError:
        return None
    totals = dict(zip(result.table["entry"].tolist(), result.table["total"].tolist(), strict=True))
    return decimal_text(totals.get(entry.id), int(result.policy.precision))


def appealed_marks(user: User, entry: Entry) -> AppealedMarks:
    """``entry``'s score sheets, read-only, for an arbitrator who may decide its appeal (see
    :func:`contest.services.skills.access.can_read_appealed_marks`); raises NotPermitted for
    anyone else."""
    if not can_read_appealed_marks(user, entry):
        raise NotPermitted(
            _("只有本大赛仲裁组中不在本赛项评审组的成员，才能查看被申诉选手的评分表。")
        )
    event = entry.event
    view = side_by_side(event, entry_ids=[entry.id])
    return AppealedMarks(
        entry=entry,
        view=view,
        row=view.rows[0] if view.rows else None,
        total=_provisional_total(event, entry),
        recheck=item_of(entry),
    )
