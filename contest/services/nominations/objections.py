"""Objections raised during a 公示, and what handling them does (DOMAIN §3 rules 24, 24c).

**Raising** (public, no login): a person gives a real name and a contact, a unit gives its name,
a contact and an image of its seal; the objection names one nominee on a notice whose period is
running, says what is wrong, and may attach PDF/JPG/PNG files. Submissions are counted per
client address (``contest.services.core.login_limits.FailureCount``, like the survey code box):
past :data:`DEFAULT_MAX_PER_WINDOW` in :data:`DEFAULT_WINDOW_MINUTES` the address is refused
until the window ends.

**Confidentiality.** The identity (name, contact, unit or not), the seal and every file —
its name included — are stored encrypted (``contest.security.crypto``). They are shown only to
the campaign's *objection handlers*: the organizers whose scope covers the host union
(:func:`can_handle`). Administrators run the system, not the campaign, and are not handlers;
recommenders, reviewers, experts and the nominee never are. Each time a handler opens an
identity, a seal or a file, an audit entry says who did and which objection (never what it
said). Nothing of an identity goes to a log line, an error message, an export or a public page;
refusals never quote what was typed.

**Handling.** Received → 调查核实中 (optional) → 不成立 or 成立, with a reason. 成立 removes the
nominee (REMOVED, the reason recorded); a removed 正选 nominee's place goes to the best-ranked
ALTERNATE of the same award (递补) who consented to 公示 and keeps the award's quota (the
SELECTED count stays within the host's quota) and composition (no slate rule that held with
the removed nominee fails with the alternate, ``slates.check``); they become SELECTED and go on a
supplementary 公示 of the campaign's ``supplement_publicity_days`` working days from the day
of the decision. Every step is audited.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from contest.extensions import db
from contest.models import Role, User
from contest.models.base import utcnow
from contest.models.nomination import (
    Campaign,
    CampaignQuota,
    CampaignStatus,
    Nomination,
    NominationStatus,
    Objection,
    ObjectionAttachment,
    ObjectionStatus,
    PublicityNotice,
)
from contest.security import crypto
from contest.services.core import audit
from contest.services.core.login_limits import FailureCount, address_key
from contest.services.core.uploads import IMAGE_TYPES, Upload, clean_filename, document_type
from contest.services.nominations import publicity, slates
from contest.validation import text_problem

__all__ = [
    "CONTENT_MAX",
    "MAX_FILES",
    "Decision",
    "Identity",
    "ObjectionRefused",
    "Submission",
    "attachment",
    "can_handle",
    "decide",
    "identity",
    "investigate",
    "objectable",
    "objections_of",
    "seal",
    "submit",
    "undecided",
]

CONTENT_MAX = 2000
NAME_MAX = 100
CONTACT_MAX = 200
MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_SEAL_BYTES = 5 * 1024 * 1024
REASON_MAX = 2000
FAILURE_NAMESPACE = "objection-submissions"
DEFAULT_MAX_PER_WINDOW = 5
DEFAULT_WINDOW_MINUTES = 60
OPEN = (ObjectionStatus.RECEIVED, ObjectionStatus.INVESTIGATING)


class ObjectionRefused(ValueError):
    """A refused submission or step: the reason (``locked`` … for the HTTP status), the
    message, and the form field it is about."""

    def __init__(self, reason: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.field = field


# ------------------------------------------------------------------ who may object to whom


def objectable(campaign: Campaign, day: date | None = None) -> list[Nomination]:
    """The nominees one may object to on ``day``: on a notice whose period is running, and
    still on the list, in list order. Empty once the campaign has left its 公示."""
    if campaign.status is not CampaignStatus.PUBLICITY:
        return []
    found: list[Nomination] = []
    for notice in publicity.running_notices(campaign, day):
        found.extend(publicity.published_nominees(campaign, notice))
    return [n for n in found if n.status is not NominationStatus.CONFERRED]


# ------------------------------------------------------------------ raising (public)


@dataclass
class Submission:
    """What the public form sent (files read by the page, not trusted for anything)."""

    nomination_id: int | None
    by_unit: bool
    name: str
    contact: str
    content: str
    seal: Upload | None = None
    files: list[Upload] = field(default_factory=list)


def _counter(address: str | None) -> FailureCount:
    config = current_app.config
    return FailureCount(
        FAILURE_NAMESPACE,
        address_key(address, FAILURE_NAMESPACE),
        int(config.get("OBJECTION_MAX_PER_WINDOW", DEFAULT_MAX_PER_WINDOW)),
        int(config.get("OBJECTION_WINDOW_MINUTES", DEFAULT_WINDOW_MINUTES)),
    )


def _text(value: str, field_name: str, label: str, limit: int, *, multiline: bool) -> str:
    """Checked text; a refusal names the field and never quotes what was typed."""
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        raise ObjectionRefused("invalid", _("请填写%(label)s", label=label), field_name)
    if len(text) > limit:
        raise ObjectionRefused(
            "invalid", _("%(label)s最长 %(n)d 个字", label=label, n=limit), field_name
        )
    problem = text_problem(text, multiline=multiline)
    if problem:
        raise ObjectionRefused(
            "invalid", _("%(label)s：%(problem)s", label=label, problem=problem), field_name
        )
    return text


def _sealed_bytes(data: bytes) -> bytes:
    token = crypto.encrypt(base64.b64encode(data).decode("ascii"))
    assert token is not None
    return token


def _opened_bytes(token: bytes | None) -> bytes | None:
    text = crypto.decrypt(token)
    if text is None:
        return None
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError):
        return None


def _checked_seal(upload: Upload | None) -> tuple[bytes, str]:
    if upload is None or not upload.data:
        raise ObjectionRefused(
            "invalid", _("单位提出异议须上传加盖单位公章的图片（JPG 或 PNG）"), "seal"
        )
    try:
        kind = document_type(upload, MAX_SEAL_BYTES)
    except ValueError as error:
        raise ObjectionRefused("invalid", _("公章图片：%(p)s", p=str(error)), "seal") from None
    if kind not in IMAGE_TYPES.values():
        raise ObjectionRefused("invalid", _("公章须为 JPG 或 PNG 图片"), "seal")
    return upload.data, kind


def _checked_files(files: Sequence[Upload]) -> list[tuple[Upload, str]]:
    files = [f for f in files if f.data or f.filename]
    if len(files) > MAX_FILES:
        raise ObjectionRefused("invalid", _("附件最多 %(n)d 个", n=MAX_FILES), "files")
    checked = []
    for number, upload in enumerate(files, start=1):
        try:
            checked.append((upload, document_type(upload, MAX_FILE_BYTES)))
        except ValueError as error:
            message = _("第 %(n)d 个附件：%(p)s", n=number, p=str(error))
            raise ObjectionRefused("invalid", message, "files") from None
    return checked


def submit(campaign: Campaign, data: Submission, address: str | None) -> Objection:
    """Record an objection from the public. Every submission from ``address`` counts, accepted
    or not; past the limit the address is refused (``locked``) until the window ends. Refused
    with ObjectionRefused (``closed``, ``invalid``, ``locked``), storing nothing."""
    counter = _counter(address)
    if counter.is_locked():
        minutes = int(current_app.config.get("OBJECTION_WINDOW_MINUTES", DEFAULT_WINDOW_MINUTES))
        raise ObjectionRefused(
            "locked",
            _("提交过于频繁，请 %(n)d 分钟后再试，或按公示中的联系方式反映。", n=minutes),
        )
    counter.fail()  # a submission, not a failure: FailureCount is the store's counter
    nominees = {n.id: n for n in objectable(campaign)}
    if not nominees:
        raise ObjectionRefused("closed", _("该评选活动当前不在公示期内，不受理异议。"))
    nomination = nominees.get(data.nomination_id or 0)
    if nomination is None:
        raise ObjectionRefused("invalid", _("请选择异议针对的公示对象"), "nomination_id")
    label = _("单位名称") if data.by_unit else _("真实姓名")
    name = _text(data.name, "name", label, NAME_MAX, multiline=False)
    contact = _text(data.contact, "contact", _("联系方式"), CONTACT_MAX, multiline=False)
    content = _text(data.content, "content", _("异议内容"), CONTENT_MAX, multiline=True)
    seal = _checked_seal(data.seal) if data.by_unit else None
    files = _checked_files(data.files)
    identity_json = json.dumps(
        {"name": name, "contact": contact, "by_unit": data.by_unit}, ensure_ascii=False
    )
    objection = Objection(
        campaign_id=campaign.id,
        nomination_id=nomination.id,
        by_unit=data.by_unit,
        identity_encrypted=crypto.encrypt(identity_json),
        seal_encrypted=_sealed_bytes(seal[0]) if seal else None,
        content=content,
        status=ObjectionStatus.RECEIVED,
    )
    db.session.add(objection)
    db.session.flush()
    for upload, kind in files:
        filename = clean_filename(upload.filename, _("附件"))
        db.session.add(
            ObjectionAttachment(
                objection_id=objection.id,
                filename_encrypted=crypto.encrypt(filename),
                content_type=kind,
                data_encrypted=_sealed_bytes(upload.data),
            )
        )
    db.session.flush()
    # The trail says that an objection came, about whom — never from whom.
    audit.record(
        None,
        "objection.receive",
        "objection",
        objection.id,
        after={
            "campaign_id": campaign.id,
            "nomination_id": nomination.id,
            "by_unit": data.by_unit,
            "files": len(files),
        },
    )
    return objection


# ------------------------------------------------------------------ handlers


def can_handle(user: User | Any, campaign: Campaign) -> bool:
    """The campaign's objection handlers: organizers whose scope covers the host union."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.role is Role.ORGANIZER
        and campaign.can_manage(user)
    )


def objections_of(campaign: Campaign) -> list[Objection]:
    """The campaign's objections, undecided first, oldest first within."""
    rows = db.session.scalars(
        select(Objection).where(Objection.campaign_id == campaign.id).order_by(Objection.id)
    ).all()
    return sorted(rows, key=lambda o: (o.status not in OPEN, o.id))


def undecided(campaign: Campaign) -> int:
    return int(
        db.session.scalar(
            select(func.count(Objection.id)).where(
                Objection.campaign_id == campaign.id, Objection.status.in_(OPEN)
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Identity:
    name: str
    contact: str
    by_unit: bool


def _handler_only(actor: User, objection: Objection) -> Campaign:
    campaign = db.session.get(Campaign, objection.campaign_id)
    assert campaign is not None
    if not can_handle(actor, campaign):
        raise ObjectionRefused("forbidden", _("只有本次评选的组织者可以处理异议"))
    return campaign


def identity(actor: User, objection: Objection) -> Identity | None:
    """The objector's identity for a handler (None when it cannot be decrypted, e.g. after a
    key change); the view is audited, with the objection named and nothing of what it said."""
    _handler_only(actor, objection)
    audit.record(actor, "objection.identity.view", "objection", objection.id)
    raw = crypto.decrypt(objection.identity_encrypted)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        return Identity(str(data["name"]), str(data["contact"]), bool(data.get("by_unit")))
    except (ValueError, KeyError, TypeError):
        return None


def seal(actor: User, objection: Objection) -> bytes | None:
    """The unit's seal image (audited view), or None when there is none or it cannot be read."""
    _handler_only(actor, objection)
    if objection.seal_encrypted is None:
        return None
    audit.record(actor, "objection.seal.view", "objection", objection.id)
    return _opened_bytes(objection.seal_encrypted)


def attachments_of(objection: Objection) -> list[ObjectionAttachment]:
    return list(
        db.session.scalars(
            select(ObjectionAttachment)
            .where(ObjectionAttachment.objection_id == objection.id)
            .order_by(ObjectionAttachment.id)
        )
    )


def attachment(
    actor: User, objection: Objection, file: ObjectionAttachment
) -> tuple[str, str, bytes] | None:
    """(filename, content type, bytes) of one of the objection's files for a handler (audited
    view), or None when it cannot be decrypted."""
    _handler_only(actor, objection)
    if file.objection_id != objection.id:
        raise ObjectionRefused("missing", _("附件不存在"))
    audit.record(actor, "objection.file.view", "objection", objection.id, after={"file": file.id})
    data = _opened_bytes(file.data_encrypted)
    if data is None:
        return None
    return crypto.decrypt(file.filename_encrypted) or _("附件"), file.content_type, data


def _open_one(actor: User, objection: Objection) -> Campaign:
    campaign = _handler_only(actor, objection)
    if objection.status not in OPEN:
        raise ObjectionRefused("decided", _("该异议已经处理完毕"))
    if campaign.status is not CampaignStatus.PUBLICITY:
        raise ObjectionRefused("closed", _("评选活动已不在公示阶段，不能再处理异议"))
    return campaign


def investigate(actor: User, objection: Objection) -> Objection:
    """Mark the objection as under investigation (调查核实中)."""
    _open_one(actor, objection)
    if objection.status is ObjectionStatus.INVESTIGATING:
        return objection
    objection.status = ObjectionStatus.INVESTIGATING
    db.session.flush()
    audit.record(
        actor,
        "objection.investigate",
        "objection",
        objection.id,
        before={"status": ObjectionStatus.RECEIVED.value},
        after={"status": objection.status.value},
    )
    return objection


@dataclass(frozen=True)
class Decision:
    """What a decision did: the nominee removed (成立), the alternate promoted and their
    supplementary notice, or why nobody could be promoted."""

    objection: Objection
    removed: Nomination | None = None
    promoted: Nomination | None = None
    notice: PublicityNotice | None = None
    no_promotion: str | None = None


def decide(actor: User, objection: Objection, upheld: bool, reason: str) -> Decision:
    """不成立 or 成立 with a reason (required); 成立 removes the nominee and promotes the next
    alternate (see the module docstring). Refused when already decided or out of 公示."""
    campaign = _open_one(actor, objection)
    reason = _text(reason, "reason", _("处理意见"), REASON_MAX, multiline=True)
    before = {"status": objection.status.value}
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.decision = reason
    objection.decided_by_id = actor.id
    objection.decided_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "objection.decide",
        "objection",
        objection.id,
        before=before,
        after={"status": objection.status.value, "nomination_id": objection.nomination_id},
        reason=reason,
    )
    if not upheld:
        return Decision(objection)
    nomination = objection.nomination
    if nomination.status not in (NominationStatus.SELECTED, NominationStatus.ALTERNATE):
        return Decision(objection)  # removed already on another objection
    was_selected = nomination.status is NominationStatus.SELECTED
    selected_before = _selected(campaign, nomination.award)
    _remove(actor, nomination, reason)
    if not was_selected:
        return Decision(objection, removed=nomination)
    promoted, problem = _promote(actor, campaign, nomination, selected_before)
    notice = None
    if promoted is not None:
        notice = publicity.supplement(actor, campaign, [promoted], publicity.today())
    publicity.changed()
    return Decision(
        objection, removed=nomination, promoted=promoted, notice=notice, no_promotion=problem
    )


def _remove(actor: User, nomination: Nomination, reason: str) -> None:
    before = {"status": nomination.status.value}
    nomination.status = NominationStatus.REMOVED
    nomination.status_reason = reason
    db.session.flush()
    audit.record(
        actor,
        "nomination.objection_removed",
        "nomination",
        nomination.id,
        before=before,
        after={"status": nomination.status.value},
        reason=reason,
    )


def _selected(campaign: Campaign, award: str) -> list[Nomination]:
    return list(
        db.session.scalars(
            select(Nomination).where(
                Nomination.campaign_id == campaign.id,
                Nomination.award == award,
                Nomination.status.in_((NominationStatus.SELECTED, NominationStatus.CONFERRED)),
            )
        )
    )


def _alternates(campaign: Campaign, award: str) -> list[Nomination]:
    """The award's alternates in 递补 order: rank, then score, then who was filed first."""
    rows = db.session.scalars(
        select(Nomination).where(
            Nomination.campaign_id == campaign.id,
            Nomination.award == award,
            Nomination.status == NominationStatus.ALTERNATE,
        )
    ).all()
    return sorted(
        rows,
        key=lambda n: (
            n.rank is None,
            n.rank or 0,
            -(n.score or 0),
            n.id,
        ),
    )


def _award_quota(campaign: Campaign, award: str) -> int | None:
    """The award's total quota (the host's rows, those handed down from nobody)."""
    total = db.session.scalar(
        select(func.sum(CampaignQuota.quota)).where(
            CampaignQuota.campaign_id == campaign.id,
            CampaignQuota.award == award,
            CampaignQuota.parent_id.is_(None),
        )
    )
    return None if total is None else int(total)


def _rule_key(result: Any) -> object:
    rule = getattr(result, "rule", None)
    return getattr(rule, "id", None) or rule


def _keeps_composition(
    campaign: Campaign,
    award: str,
    before: Sequence[Nomination],
    after: Sequence[Nomination],
) -> bool:
    """No composition rule that held on ``before`` fails on ``after``."""
    held = {_rule_key(r) for r in slates.check(campaign, award, list(before)) if r.ok}
    return all(r.ok or _rule_key(r) not in held for r in slates.check(campaign, award, list(after)))


def _promote(
    actor: User,
    campaign: Campaign,
    removed: Nomination,
    selected_before: Sequence[Nomination],
) -> tuple[Nomination | None, str | None]:
    remaining = [n for n in selected_before if n.id != removed.id]
    quota = _award_quota(campaign, removed.award)
    if quota is not None and len(remaining) + 1 > quota:
        return None, _("该奖项名额已满，无需递补")
    skipped: list[str] = []
    for candidate in _alternates(campaign, removed.award):
        if not candidate.consent_publicity:
            skipped.append(_("%(name)s（未同意公示）", name=candidate.name))
            continue
        if not _keeps_composition(
            campaign, removed.award, selected_before, [*remaining, candidate]
        ):
            skipped.append(_("%(name)s（不符合结构要求）", name=candidate.name))
            continue
        before = {"status": candidate.status.value, "publicity_id": candidate.publicity_id}
        candidate.status = NominationStatus.SELECTED
        db.session.flush()
        audit.record(
            actor,
            "nomination.promote",
            "nomination",
            candidate.id,
            before=before,
            after={"status": candidate.status.value, "replaces": removed.id},
        )
        return candidate, None
    if skipped:
        return None, _("没有可递补的人选：%(names)s", names="、".join(skipped))
    return None, _("该奖项没有递补人选")
