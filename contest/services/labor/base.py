"""What every set-up module of a labor competition shares: the refusal, the status rules of
editing, a few checks of typed values, and who assesses whom.

A competition is set up while it is 筹备中 (DRAFT) and much of it stays editable while it runs
(participants join late, rounds are added, assessors change); nothing changes once it has
finished (:func:`ensure_open`). Each write module raises :class:`LaborError`, whose ``field``
names the form field a view puts the message on.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from contest.extensions import db
from contest.models import (
    Assessor,
    Competition,
    CompetitionStatus,
    Organization,
    Participant,
    Role,
    User,
)
from contest.models.base import local_time, utcnow
from contest.services.core import audit
from contest.services.core.versions import LABOR_CONTENT, bump_version
from contest.validation import text_problem


class LaborError(ValueError):
    """A refused change: ``message`` in Chinese, ``field`` the form field if one, and every
    problem when there are several (a status move lists all that blocks it)."""

    def __init__(
        self, message: str, field: str | None = None, problems: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = list(problems or [])


def audited(actor: User, action: str, target: str, target_id: int, **details: Any) -> None:
    """An audit entry for a set-up write (``audit.record``'s arguments) that also tells every
    process's public labor caches to forget what they hold: a renamed or hidden competition,
    round or participant must leave the public pages at once, not when a cache expires."""
    audit.record(actor, action, target, target_id, **details)
    bump_version(LABOR_CONTENT)


def today() -> date:
    """Today in China (the site's time zone), for 备案 dates and defaults."""
    return local_time(utcnow()).date()


def ensure_open(competition: Competition) -> None:
    """Refuse every set-up change once the competition has finished (its standings are final
    and titles may have been conferred on them)."""
    if competition.status is CompetitionStatus.FINISHED:
        raise LaborError(_("竞赛已结束，不能再修改"))


def checked_text(value: str | None, field: str, label: str, limit: int, *, required: bool) -> str:
    """``value`` stripped, or a LaborError on ``field`` naming ``label`` (required, too long,
    or holding characters no name needs)."""
    text = (value or "").strip()
    if not text:
        if required:
            raise LaborError(_("请填写%(label)s", label=label), field)
        return ""
    if len(text) > limit:
        raise LaborError(_("%(label)s最长 %(n)d 个字", label=label, n=limit), field)
    problem = text_problem(text)
    if problem:
        raise LaborError(_("%(label)s：%(problem)s", label=label, problem=problem), field)
    return text


# ------------------------------------------------------------------ scope


def in_host_tree(competition: Competition, org: Organization | None) -> bool:
    """Whether ``org`` is the host union or lies below it (participants come from there)."""
    return org is not None and competition.organization.contains(org)


def scope_orgs_query(user: User) -> Select[tuple[Organization]]:
    """The organisations ``user`` may host a competition for: all for an admin, their own
    union and everything below it for an organizer, none for anyone else."""
    query = select(Organization).order_by(Organization.path)
    if user.role is Role.ADMIN:
        return query
    if user.role is not Role.ORGANIZER or user.organization is None:
        return query.where(Organization.id.is_(None))
    return query.where(Organization.path.startswith(user.organization.path))


# ------------------------------------------------------------------ who assesses whom


def covers(assessor: Assessor, participant: Participant) -> bool:
    """Whether ``assessor`` assesses ``participant``: every participant, or those of the one
    track the assessor is limited to."""
    return assessor.track_id is None or assessor.track_id == participant.track_id


def contact_conflicts(
    competition: Competition, user_id: int, track_id: int | None
) -> list[Participant]:
    """The competing participants whose contact (the account filling their self-assessment)
    is ``user_id`` and whom an assessor of ``track_id`` (None: every track) would assess: a
    unit must not mark its own sheet."""
    query = select(Participant).where(
        Participant.competition_id == competition.id,
        Participant.contact_user_id == user_id,
        Participant.withdrawn_at.is_(None),
    )
    if track_id is not None:
        query = query.where(Participant.track_id == track_id)
    return list(db.session.scalars(query.order_by(Participant.id)))


def assessor_conflict(
    competition: Competition, user_id: int, participant_track: int | None
) -> Assessor | None:
    """The assessor row of ``user_id`` that would assess a participant of ``participant_track``
    in this competition, if any (such a user may not be that participant's contact)."""
    return db.session.scalar(
        select(Assessor).where(
            Assessor.competition_id == competition.id,
            Assessor.user_id == user_id,
            or_(Assessor.track_id.is_(None), Assessor.track_id == participant_track),
        )
    )


# ------------------------------------------------------------------ dates typed in a sheet

_DAY_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_EXCEL_DAY_ZERO = date(1899, 12, 30)


def parse_day(raw: str) -> date | None:
    """A day as a union office types it (2026-03-01, 2026/3/1, 2026年3月1日, or the serial
    number Excel keeps for a date cell); None when blank, ValueError when unreadable."""
    value = raw.strip()
    if not value:
        return None
    if value.isdigit() and len(value) == 5:
        return _EXCEL_DAY_ZERO + timedelta(days=int(value))
    found = _DAY_RE.match(value)
    if found:
        try:
            return date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            pass
    raise ValueError(_("日期格式应为 2026-03-01"))
