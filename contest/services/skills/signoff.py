"""The chief judge's sign-off (签字确认): what still blocks it, and signing.

Sign-off is allowed only when nothing is outstanding (every expected sheet submitted, the
re-check list drawn and checked, no re-marking pending, every appeal decided); it locks every
sheet of the event and is what allows names to be shown next to codes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from contest.extensions import db
from contest.models import (
    Appeal,
    AppealStatus,
    ContestStatus,
    Event,
    ScoreSheet,
    SheetStatus,
    User,
)
from contest.models.base import utcnow
from contest.services.core import audit
from contest.services.skills import access, turnout
from contest.services.skills.recheck import RecheckState, recheck_state
from contest.services.skills.review import (
    NotPermitted,
    Progress,
    ReviewError,
    lock_row,
    progress,
)


@dataclass(frozen=True)
class Blocker:
    """One reason sign-off is not possible yet, with the page where it is resolved."""

    message: str
    endpoint: str | None = None


def sign_off_blockers(
    event: Event,
    user: User | None = None,
    *,
    state: Progress | None = None,
    recheck: RecheckState | None = None,
) -> list[Blocker]:
    """Everything that stands between the event and the chief judge's signature (``state`` and
    ``recheck``: the event's :func:`progress` and :func:`recheck_state` when the caller has
    them already)."""
    blockers: list[Blocker] = []
    if user is not None and not access.is_chief(user, event):
        blockers.append(Blocker(_("只有本赛项的裁判长可以签字确认。")))
    if event.is_signed_off:
        blockers.append(Blocker(_("本赛项已签字确认。")))
        return blockers
    if turnout.is_cancelled(event):
        blockers.append(Blocker(_("本赛项因参赛人数不足已取消，不评分，无需签字确认。")))
        return blockers
    if event.contest.status is not ContestStatus.REVIEW:
        blockers.append(
            Blocker(
                _(
                    "大赛当前处于「%(status)s」阶段，须先转入「复核与申诉」阶段。",
                    status=event.contest.status.label,
                )
            )
        )
    state = progress(event) if state is None else state
    if not state.complete:
        blockers.append(
            Blocker(_("还有 %(n)s 份评分表未提交。", n=state.total - state.done), "review.progress")
        )
    recheck = recheck_state(event) if recheck is None else recheck
    if not recheck.built:
        blockers.append(Blocker(_("复核名单尚未生成。"), "review.recheck"))
    elif not recheck.complete:
        blockers.append(
            Blocker(
                _("复核名单中还有 %(n)s 名选手未复核。", n=len(recheck.items) - recheck.checked),
                "review.recheck",
            )
        )
    elif recheck.remark_all:
        assert recheck.outcome is not None
        blockers.append(
            Blocker(
                _("复核差错率超过上限，须全部重新评分：%(msg)s", msg=recheck.outcome.message),
                "review.recheck",
            )
        )
    pending = db.session.scalar(
        select(func.count(Appeal.id)).where(
            Appeal.event_id == event.id, Appeal.status == AppealStatus.PENDING
        )
    )
    if pending:
        blockers.append(Blocker(_("还有 %(n)s 件申诉尚未裁决。", n=pending), "review.appeals"))
    return blockers


def sign_off(chief: User, event: Event) -> int:
    """The chief judge signs the event off: every sheet is locked and names may be shown.

    Only the event's chief judge; only when :func:`sign_off_blockers` finds nothing.  The
    sheets are locked with one versioned UPDATE (each version is bumped, so a judge's open
    form is refused as stale).  Returns the number of sheets locked.
    """
    if not access.is_chief(chief, event):
        raise NotPermitted(_("只有本赛项的裁判长可以签字确认。"))
    lock_row(event)
    blockers = sign_off_blockers(event)
    if blockers:
        raise ReviewError(" ".join(b.message for b in blockers))
    locked = db.session.execute(  # type: ignore[attr-defined]
        update(ScoreSheet)
        .where(ScoreSheet.event_id == event.id, ScoreSheet.status == SheetStatus.SUBMITTED)
        .values(status=SheetStatus.LOCKED, version=ScoreSheet.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    event.signed_off_at = utcnow()
    event.signed_off_by_id = chief.id
    db.session.flush()
    counts: dict[str, int] = defaultdict(int)
    for status, count in db.session.execute(
        select(ScoreSheet.status, func.count(ScoreSheet.id))
        .where(ScoreSheet.event_id == event.id)
        .group_by(ScoreSheet.status)
    ):
        counts[status.value] = count
    audit.record(
        chief,
        "event.sign_off",
        "event",
        event.id,
        after={"locked": locked, "sheets": dict(counts), "signed_off_at": str(event.signed_off_at)},
    )
    db.session.expire_all()
    return int(locked or 0)
