"""A nomination's attachments (推荐材料): files in the campaign's slots, checked, kept, served.

Each campaign names its attachment slots (推荐审批表扫描件, 民主推荐及单位公示情况 …, some
required — :func:`campaigns.attachment_slots`). A recommending unit uploads PDF, JPEG or PNG
files into them while it may change the nomination; each is checked by its bytes, never its
name (:mod:`contest.services.core.uploads`: a PDF renamed .jpg is a PDF, a text file renamed
.pdf is refused), at most :data:`MAX_ATTACHMENT_BYTES` and :data:`MAX_PER_SLOT` a slot. They
are stored in the database, never under ``static/``, and served only to the unit's own people
and to those who read the nomination on the review side (the campaign's organizers, its
reviewers who do not stand aside) — to anyone else they do not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from contest.extensions import db
from contest.models import Nomination, NominationAttachment, User
from contest.services.core import audit
from contest.services.core.uploads import Upload, checked_document, size_text
from contest.services.nominations import campaigns, nominations
from contest.services.nominations.nominations import NominationError

__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "MAX_PER_SLOT",
    "AttachmentFile",
    "add",
    "files_of",
    "in_nomination",
    "may_read",
    "remove",
]

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_PER_SLOT = 5


@dataclass(frozen=True)
class AttachmentFile:
    """An attachment as listed (its bytes are read only when it is opened)."""

    id: int
    slot: str
    filename: str
    content_type: str
    size: int

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def size_text(self) -> str:
        return size_text(self.size)


def files_of(nomination: Nomination) -> dict[str, list[AttachmentFile]]:
    """The nomination's files per slot key, in upload order (without their bytes)."""
    rows = db.session.execute(
        select(
            NominationAttachment.id,
            NominationAttachment.slot,
            NominationAttachment.filename,
            NominationAttachment.content_type,
            NominationAttachment.size,
        )
        .where(NominationAttachment.nomination_id == nomination.id)
        .order_by(NominationAttachment.id)
    )
    found: dict[str, list[AttachmentFile]] = {}
    for row in rows:
        found.setdefault(row.slot, []).append(
            AttachmentFile(row.id, row.slot, row.filename, row.content_type, row.size)
        )
    return found


def may_read(user: User | object, attachment: NominationAttachment) -> bool:
    """Whoever may see the nomination (:func:`nominations.may_view`) may open its files."""
    nomination = db.session.get(Nomination, attachment.nomination_id)
    return nomination is not None and nominations.may_view(user, nomination)


def _editable(actor: User, nomination: Nomination) -> None:
    if not nominations.may_edit(actor, nomination):
        raise NominationError(_("您不能修改这份推荐的材料"))
    if nomination.status not in nominations.EDITABLE:
        raise NominationError(
            _("这份推荐%(status)s，不能再修改材料", status=nomination.status.label)
        )


def add(actor: User, nomination: Nomination, slot_key: str, upload: Upload) -> NominationAttachment:
    """Store ``upload`` in the nomination's slot ``slot_key``; NominationError (on the field
    ``file``) when the slot is unknown or full or the file is not an acceptable document."""
    _editable(actor, nomination)
    slot = next(
        (s for s in campaigns.attachment_slots(nomination.campaign) if s.key == slot_key), None
    )
    if slot is None:
        raise NominationError(_("没有这个材料项目"), "slot")
    held = db.session.scalar(
        select(func.count(NominationAttachment.id)).where(
            NominationAttachment.nomination_id == nomination.id,
            NominationAttachment.slot == slot.key,
        )
    )
    if (held or 0) >= MAX_PER_SLOT:
        raise NominationError(
            _("“%(slot)s”最多 %(n)d 个文件，请先删除不需要的", slot=slot.name, n=MAX_PER_SLOT),
            "file",
        )
    try:
        name, kind = checked_document(upload, MAX_ATTACHMENT_BYTES, slot.name)
    except ValueError as error:
        raise NominationError(str(error), "file") from None
    attachment = NominationAttachment(
        nomination_id=nomination.id,
        slot=slot.key,
        filename=name,
        content_type=kind,
        size=len(upload.data),
        data=upload.data,
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record(
        actor,
        "nomination.attachment.add",
        "nomination",
        nomination.id,
        after={
            "slot": slot.key,
            "filename": attachment.filename,
            "type": kind,
            "bytes": attachment.size,
        },
    )
    return attachment


def remove(actor: User, attachment: NominationAttachment) -> None:
    """Delete an attachment of a nomination the unit may still change."""
    nomination = db.session.get(Nomination, attachment.nomination_id)
    assert nomination is not None  # the foreign key
    _editable(actor, nomination)
    before = {
        "slot": attachment.slot,
        "filename": attachment.filename,
        "type": attachment.content_type,
        "bytes": attachment.size,
    }
    db.session.delete(attachment)
    db.session.flush()
    audit.record(actor, "nomination.attachment.remove", "nomination", nomination.id, before=before)


def in_nomination(nomination: Nomination, attachment_id: int) -> NominationAttachment | None:
    """The attachment ``attachment_id`` if it belongs to ``nomination``."""
    attachment = db.session.get(NominationAttachment, attachment_id)
    if attachment is None or attachment.nomination_id != nomination.id:
        return None
    return attachment
