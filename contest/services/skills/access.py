"""Who may do what with an event's entries: panels, chief judges, assignments, recusal (回避).

Read-only predicates shared by the judges' pages, the API, the review pages and the panel
management; the writes that change panels and assignments live in
``contest.services.skills.panels``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, union
from sqlalchemy.orm import aliased, selectinload

from contest.extensions import db
from contest.models import (
    Appeal,
    Arbitrator,
    Assignment,
    Conflict,
    Contest,
    ContestStatus,
    Entry,
    Event,
    Organization,
    PanelMember,
    User,
)

# Contests whose events a chief judge reviews: marking, review, and published (appeals,
# corrections after publication).
REVIEW_STATUSES = (ContestStatus.JUDGING, ContestStatus.REVIEW, ContestStatus.PUBLISHED)


def panel_member(user: User, event: Event | int) -> PanelMember | None:
    event_id = event if isinstance(event, int) else event.id
    return db.session.scalar(
        select(PanelMember).where(PanelMember.event_id == event_id, PanelMember.user_id == user.id)
    )


def is_chief(user: User, event: Event | int) -> bool:
    member = panel_member(user, event)
    return bool(member and member.is_chief)


def can_oversee(user: User | Any, event: Event) -> bool:
    """Who reviews an event and reopens or corrects its sheets: the contest's managers
    (organizers of the host union or a union above it, admins) and the event's chief judge."""
    if not getattr(user, "is_authenticated", False):
        return False
    return event.contest.can_manage(user) or is_chief(user, event)


def chief_of(event: Event) -> User | None:
    return db.session.scalar(
        select(User)
        .join(PanelMember, PanelMember.user_id == User.id)
        .where(PanelMember.event_id == event.id, PanelMember.is_chief.is_(True))
    )


def can_read_appealed_marks(user: User | Any, entry: Entry) -> bool:
    """Whether ``user`` may read (never change) ``entry``'s score sheets to decide an appeal
    (DOMAIN §1 rules 4 and 8): a member of the contest's arbitration panel who does not sit on
    the event's judging panel, for an entry with an appeal, while the contest is under review
    or published. Anyone else — the event's own judges and chief on the arbitration panel,
    another contest's arbitrators, an entry nobody appealed — is refused."""
    if not getattr(user, "is_authenticated", False):
        return False
    event = entry.event
    if event.contest.status not in REVIEW_STATUSES or panel_member(user, event) is not None:
        return False
    arbitrates = (
        select(Arbitrator.id)
        .where(Arbitrator.contest_id == event.contest_id, Arbitrator.user_id == user.id)
        .exists()
    )
    appealed = select(Appeal.id).where(Appeal.entry_id == entry.id).exists()
    return bool(db.session.scalar(select(arbitrates & appealed)))


def is_assigned(user: User, entry: Entry) -> bool:
    return (
        db.session.scalar(
            select(Assignment.id).where(
                Assignment.entry_id == entry.id, Assignment.user_id == user.id
            )
        )
        is not None
    )


def unit_recusal(user: User, entry: Entry) -> bool:
    """A judge stands aside when they belong to the entrant's unit or to a unit below it."""
    judge_org = user.organization
    return bool(judge_org is not None and entry.organization.contains(judge_org))


def recused_assignments(
    *,
    event_id: int | None = None,
    user_id: int | None = None,
    entry_ids: Collection[int] | None = None,
) -> set[tuple[int, int]]:
    """(entry id, user id) of every assignment, among those selected, whose judge stands aside.

    The set-based form of :func:`is_recused` for lists and counts (a judge's task list, an
    event's progress): one query whatever their size, the unit rule of :func:`unit_recusal`
    compared on the organisation paths in SQL, and the declared conflicts.
    """
    criteria = []
    if event_id is not None:
        criteria.append(Assignment.event_id == event_id)
    if user_id is not None:
        criteria.append(Assignment.user_id == user_id)
    if entry_ids is not None:
        criteria.append(Assignment.entry_id.in_(list(entry_ids)))
    entry_org = aliased(Organization)
    judge_org = aliased(Organization)
    same_unit = (
        select(Assignment.entry_id, Assignment.user_id)
        .join(Entry, Entry.id == Assignment.entry_id)
        .join(entry_org, entry_org.id == Entry.organization_id)
        .join(User, User.id == Assignment.user_id)
        .join(judge_org, judge_org.id == User.organization_id)
        .where(judge_org.path.startswith(entry_org.path), *criteria)
    )
    declared = (
        select(Assignment.entry_id, Assignment.user_id)
        .join(
            Conflict,
            (Conflict.entry_id == Assignment.entry_id) & (Conflict.user_id == Assignment.user_id),
        )
        .where(*criteria)
    )
    return {(entry, user) for entry, user in db.session.execute(union(same_unit, declared))}


def recusal_reason(user: User, entry: Entry) -> str | None:
    """Why ``user`` must not score ``entry`` (automatic unit rule or a declared conflict)."""
    if unit_recusal(user, entry):
        return _("评委与选手同属一个单位（或下属单位），自动回避")
    conflict = db.session.scalar(
        select(Conflict).where(Conflict.entry_id == entry.id, Conflict.user_id == user.id)
    )
    if conflict is not None:
        return _("已申报回避：%(reason)s", reason=conflict.reason)
    return None


def is_recused(user: User, entry: Entry) -> bool:
    return recusal_reason(user, entry) is not None


def _chaired_events(user: User) -> Any:
    return (
        select(Event)
        .join(PanelMember, PanelMember.event_id == Event.id)
        .join(Contest, Contest.id == Event.contest_id)
        .where(
            PanelMember.user_id == user.id,
            PanelMember.is_chief.is_(True),
            Contest.status.in_(REVIEW_STATUSES),
        )
    )


def chaired_events(user: User) -> list[Event]:
    """The events whose panel ``user`` chairs, in contests under review, newest first."""
    return list(
        db.session.scalars(
            _chaired_events(user)
            .options(selectinload(Event.contest))
            .order_by(Contest.year.desc(), Contest.id.desc(), Event.position, Event.id)
        )
    )


def chairs_any_event(user: User) -> bool:
    """Whether ``user`` chairs a panel under review (the menu offers 评审复核 then)."""
    return db.session.scalar(select(_chaired_events(user).exists())) or False
