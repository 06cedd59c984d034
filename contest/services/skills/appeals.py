"""Appeals (申诉) against an event's marks: recorded inside the window, decided once.

An appeal is recorded only inside the window after the event ended (the contest's appeal hours),
by a reviewer of the event, before sign-off; it is decided once, with a reason, by the contest's
arbitration panel (never by the event's own judges or chief judge, see
``contest.services.skills.arbitration``), and the decision is final (the row is locked while
deciding, so two arbitrators cannot both decide it).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import (
    Appeal,
    AppealStatus,
    ContestStatus,
    Entry,
    Event,
    User,
)
from contest.models.base import local_text, utcnow
from contest.services.core import audit
from contest.services.skills import codes
from contest.services.skills.arbitration import require_arbitrator
from contest.services.skills.review import (
    ReviewError,
    lock_row,
    require_reviewer,
)

APPELLANT_MAX = 100


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def appeal_deadline(event: Event) -> datetime | None:
    """When the appeal window closes: the event's end plus the contest's window (2 hours)."""
    if event.ended_at is None:
        return None
    return _aware(event.ended_at) + timedelta(hours=event.contest.appeal_window_hours or 0)


def find_entry(event: Event, code: str) -> Entry | None:
    """The event's entry with this 参赛号 or 赛位号 (appellants quote either): the typed shape
    says which (``codes.parse``), so one code never reaches two people; unreadable text raises
    ``codes.CodeError``."""
    typed = codes.parse(code)
    column = Entry.seat_code if typed.kind is codes.CodeKind.SEAT else Entry.entry_code
    return db.session.scalar(select(Entry).where(Entry.event_id == event.id, column == typed.value))


def appeals_of(event: Event) -> list[Appeal]:
    return list(
        db.session.scalars(
            select(Appeal)
            .where(Appeal.event_id == event.id)
            .options(selectinload(Appeal.entry))
            .order_by(Appeal.received_at, Appeal.id)
        )
    )


def record_appeal(
    actor: User,
    event: Event,
    *,
    entry_code: str,
    appellant: str,
    content: str,
    received_at: datetime | None = None,
) -> Appeal:
    """Record a written appeal received inside the window; a late one is refused, naming the
    deadline.  ``received_at`` defaults to now and may not lie in the future."""
    require_reviewer(actor, event)
    if event.contest.status not in (ContestStatus.JUDGING, ContestStatus.REVIEW):
        raise ReviewError(_("大赛当前不在评分或复核阶段，不能登记申诉。"))
    if event.is_signed_off:
        raise ReviewError(_("本赛项已由裁判长签字确认，不能再登记申诉。"))
    try:
        entry = find_entry(event, entry_code)
    except codes.CodeError as error:
        raise ReviewError(str(error), "entry_code") from error
    if entry is None:
        raise ReviewError(
            _("本赛项没有参赛号或赛位号为「%(code)s」的选手。", code=(entry_code or "").strip()),
            "entry_code",
        )
    name = (appellant or "").strip()
    if not name:
        raise ReviewError(_("请填写申诉人。"), "appellant")
    if len(name) > APPELLANT_MAX:
        raise ReviewError(_("申诉人不能超过 %(n)s 个字。", n=APPELLANT_MAX), "appellant")
    text = (content or "").strip()
    if not text:
        raise ReviewError(_("请填写书面申诉的内容。"), "content")
    now = utcnow()
    received = now if received_at is None else _aware(received_at)
    if received > now + timedelta(minutes=1):
        raise ReviewError(_("收到时间不能晚于现在。"), "received_at")
    deadline = appeal_deadline(event)
    if deadline is None:
        raise ReviewError(
            _("本赛项还没有登记比赛结束时间，无法确定申诉期限；请组织者先在赛项设置中填写。"),
            "received_at",
        )
    assert event.ended_at is not None
    if received < _aware(event.ended_at):
        raise ReviewError(_("收到时间早于本赛项比赛结束时间。"), "received_at")
    if received > deadline:
        raise ReviewError(
            _(
                "申诉已超过期限：须在比赛结束后 %(h)s 小时内（%(deadline)s 前）以书面形式提出。",
                h=event.contest.appeal_window_hours,
                deadline=local_text(deadline),
            ),
            "received_at",
        )
    appeal = Appeal(
        event_id=event.id,
        entry_id=entry.id,
        received_at=received,
        appellant=name,
        content=text,
        status=AppealStatus.PENDING,
        recorded_by_id=actor.id,
    )
    db.session.add(appeal)
    db.session.flush()
    audit.record(
        actor,
        "appeal.record",
        "appeal",
        appeal.id,
        after={
            "event": event.id,
            "entry": entry.code,
            "appellant": name,
            "content": text,
            "received_at": received.isoformat(),
        },
    )
    return appeal


def decide_appeal(actor: User, appeal: Appeal, *, upheld: bool, reason: str) -> Appeal:
    """Decide an appeal once (the arbitration decision is final), always with a reason; only a
    member of the contest's arbitration panel who is not on the event's judging panel may.

    An upheld appeal may be followed by ``judging.correct_mark`` on the sheets concerned.
    """
    event = db.session.get(Event, appeal.event_id)
    assert event is not None
    require_arbitrator(actor, event)
    lock_row(appeal)
    if appeal.status is not AppealStatus.PENDING:
        raise ReviewError(_("该申诉已裁决，仲裁结果为最终决定，不能更改。"))
    if event.is_signed_off:
        raise ReviewError(_("本赛项已由裁判长签字确认，不能再修改。"))
    text = (reason or "").strip()
    if not text:
        raise ReviewError(_("请填写裁决理由。"), "reason")
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.DISMISSED
    appeal.decision = text
    appeal.decided_at = utcnow()
    appeal.decided_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        "appeal.decide",
        "appeal",
        appeal.id,
        before={"status": AppealStatus.PENDING.value},
        after={"status": appeal.status.value, "entry": appeal.entry.code, "event": event.id},
        reason=text,
    )
    return appeal
