"""The assessment team (考评组) of a competition: its members, the one chief (组长) who confirms
each round, and an optional limit of a member to one track.

A unit must not mark its own sheet: an assessor may not be the self-assessment contact of a
participant they would assess (the participants module refuses the same pairing from the
other side). A member who has filled in sheets stays (their marks are part of a round);
a member without sheets may leave. Every write is audited against the competition.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import Assessor, Competition, Role, Round, ScoreSheet, SheetRole, Track, User
from contest.services.core import audit
from contest.services.labor.base import LaborError, contact_conflicts, ensure_open

# The accounts that may sit on an assessment team: union staff and experts.
ASSESSOR_ROLES = (Role.JUDGE, Role.REVIEWER, Role.ORGANIZER)


def team(competition: Competition) -> list[Assessor]:
    """The team, chief first, then in the order they joined, with users and tracks."""
    return list(
        db.session.scalars(
            select(Assessor)
            .where(Assessor.competition_id == competition.id)
            .options(
                selectinload(Assessor.user).selectinload(User.organization),
                selectinload(Assessor.track),
            )
            .order_by(Assessor.is_chief.desc(), Assessor.id)
        )
    )


def candidates(competition: Competition) -> list[User]:
    """Enabled accounts of the assessor roles not yet on the team."""
    on_team = select(Assessor.user_id).where(Assessor.competition_id == competition.id)
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.is_enabled.is_(True),
                User.role.in_(ASSESSOR_ROLES),
                User.id.not_in(on_team),
            )
            .order_by(User.role, User.username)
            .limit(2000)
        )
    )


def snapshot(assessor: Assessor) -> dict[str, Any]:
    return {
        "user": assessor.user.username,
        "is_chief": assessor.is_chief,
        "track": assessor.track.name if assessor.track else None,
    }


def _check(competition: Competition, user: User, track: Track | None) -> None:
    if not user.is_enabled or user.role not in ASSESSOR_ROLES:
        raise LaborError(_("只能选择启用的评委、评审专家或组织者账号"), "user")
    if track is not None and track.competition_id != competition.id:
        raise LaborError(_("请选择本竞赛的赛道（分组）"), "track")
    conflicts = contact_conflicts(competition, user.id, track.id if track else None)
    if conflicts:
        raise LaborError(
            _(
                "%(name)s 是“%(units)s”的自评联系人，不能考评该单位",
                name=user.name,
                units="、".join(p.name for p in conflicts),
            ),
            "user",
        )


def _make_chief(competition: Competition, assessor: Assessor) -> None:
    for other in team(competition):
        if other.id != assessor.id and other.is_chief:
            other.is_chief = False
    db.session.flush()
    assessor.is_chief = True


def add_assessor(
    actor: User,
    competition: Competition,
    user: User,
    *,
    is_chief: bool = False,
    track: Track | None = None,
) -> Assessor:
    """Add ``user`` to the team; as chief, the previous chief becomes a member."""
    ensure_open(competition)
    if db.session.scalar(
        select(Assessor.id).where(
            Assessor.competition_id == competition.id, Assessor.user_id == user.id
        )
    ):
        raise LaborError(_("%(name)s 已在考评组中", name=user.name), "user")
    _check(competition, user, track)
    assessor = Assessor(competition_id=competition.id, user=user, track=track, is_chief=False)
    db.session.add(assessor)
    db.session.flush()
    if is_chief:
        _make_chief(competition, assessor)
        db.session.flush()
    audit.record(
        actor, "competition.assessor.add", "competition", competition.id, after=snapshot(assessor)
    )
    return assessor


def update_assessor(
    actor: User, assessor: Assessor, *, is_chief: bool, track: Track | None
) -> None:
    """Change a member's track limit, or make them the chief (a chief is replaced by naming
    another, never left without one by unticking)."""
    competition = db.session.get(Competition, assessor.competition_id)
    assert competition is not None
    ensure_open(competition)
    _check(competition, assessor.user, track)
    before = snapshot(assessor)
    assessor.track = track
    if is_chief and not assessor.is_chief:
        _make_chief(competition, assessor)
    elif not is_chief and assessor.is_chief:
        raise LaborError(_("请指定另一名成员为组长，原组长随即改为成员"), "is_chief")
    db.session.flush()
    audit.record(
        actor,
        "competition.assessor.update",
        "competition",
        competition.id,
        before=before,
        after=snapshot(assessor),
    )


def sheets_of(assessor: Assessor) -> int:
    """How many assessor sheets the member has in the competition's rounds."""
    return len(
        db.session.scalars(
            select(ScoreSheet.id)
            .join(Round, ScoreSheet.round_id == Round.id)
            .where(
                Round.competition_id == assessor.competition_id,
                ScoreSheet.user_id == assessor.user_id,
                ScoreSheet.role == SheetRole.ASSESSOR,
            )
        ).all()
    )


def remove_assessor(actor: User, assessor: Assessor) -> None:
    competition = db.session.get(Competition, assessor.competition_id)
    assert competition is not None
    ensure_open(competition)
    if sheets_of(assessor):
        raise LaborError(_("%(name)s 已填写评分表，不能移出考评组", name=assessor.user.name))
    before = snapshot(assessor)
    db.session.delete(assessor)
    db.session.flush()
    audit.record(actor, "competition.assessor.remove", "competition", competition.id, before=before)
