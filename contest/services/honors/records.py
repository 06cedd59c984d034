"""Writing honors: one at a time (audited each), in bulk for roster imports, and revocation.

Every write bumps the ``honors`` content version in the same transaction; that is the one
place the wall's caches are invalidated (see ``contest.services.honors.wall``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

from contest.extensions import db
from contest.models import (
    Honor,
    HonorLevel,
    HonorSource,
    HonorStatus,
    Organization,
    Person,
    RecipientKind,
    User,
)
from contest.models.base import utcnow
from contest.services.core import audit
from contest.services.core.versions import HONORS_CONTENT, bump_version

# The 级别 column of a union roster, with the usual synonyms (DESIGN.md, `contest honors`).
LEVEL_NAMES: dict[str, HonorLevel] = {
    "全国": HonorLevel.NATIONAL,
    "全国级": HonorLevel.NATIONAL,
    "国家级": HonorLevel.NATIONAL,
    "省部级": HonorLevel.PROVINCIAL,
    "省级": HonorLevel.PROVINCIAL,
    "省部": HonorLevel.PROVINCIAL,
    "地市级": HonorLevel.CITY,
    "市级": HonorLevel.CITY,
    "地市": HonorLevel.CITY,
    "区县级": HonorLevel.DISTRICT,
    "区级": HonorLevel.DISTRICT,
    "县级": HonorLevel.DISTRICT,
    "区县": HonorLevel.DISTRICT,
    "企业级": HonorLevel.ENTERPRISE,
    "企业": HonorLevel.ENTERPRISE,
}
LEVEL_CANONICAL: dict[HonorLevel, str] = {
    HonorLevel.NATIONAL: "全国",
    HonorLevel.PROVINCIAL: "省部级",
    HonorLevel.CITY: "地市级",
    HonorLevel.DISTRICT: "区县级",
    HonorLevel.ENTERPRISE: "企业级",
}

# Titles the wall offers as filters; any other title is accepted and shown as written.
COMMON_TITLES = [
    "全国劳动模范",
    "全国先进工作者",
    "全国五一劳动奖章",
    "全国五一劳动奖状",
    "全国工人先锋号",
    "大国工匠",
    "全国技术能手",
    "劳动模范",
    "先进工作者",
    "五一劳动奖章",
    "五一劳动奖状",
    "工人先锋号",
    "工匠",
    "技术能手",
    "金牌工人",
    "技术标兵",
]

DEEDS_SUMMARY_MAX = 500


class HonorError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_level(raw: object) -> HonorLevel:
    value = str(raw or "").strip().replace(" ", "")
    if value in LEVEL_NAMES:
        return LEVEL_NAMES[value]
    try:
        return HonorLevel(value)
    except ValueError:
        message = _("级别应为 全国、省部级、地市级、区县级 或 企业级")
        raise HonorError("level", message) from None


def _pinyin(text: str) -> list[str]:
    return lazy_pinyin(text, errors=lambda chars: list(chars))


@lru_cache(maxsize=32_768)
def _char_pinyin(char: str) -> tuple[str, ...]:
    return tuple(_pinyin(char))


def sort_key(name: str) -> str:
    """Pinyin (without tones) of a name, the order union lists print names in.

    Fast path (a roster import computes 100,000 of these): a name of known characters none of
    whose substrings is a pypinyin phrase converts character by character, with the same result
    as the phrase-aware conversion at a fraction of its cost.
    """
    text = name.replace("·", "")
    if (
        len(text) <= 12
        and all(ord(c) in PINYIN_DICT for c in text)
        and not any(
            text[i:j] in PHRASES_DICT for i in range(len(text)) for j in range(i + 2, len(text) + 1)
        )
    ):
        return " ".join(p for c in text for p in _char_pinyin(c))[:400]
    return " ".join(_pinyin(text))[:400]


def search_text(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


@dataclass
class HonorData:
    recipient_name: str
    title: str
    level: HonorLevel
    year: int
    person: Person | None = None
    organization: Organization | None = None
    recipient_kind: RecipientKind = RecipientKind.PERSON
    unit_name: str | None = None
    post: str | None = None
    skill_level: str | None = None
    industry: str | None = None
    conferring_body: str | None = None
    document_number: str | None = None
    conferred_on: date | None = None
    source: HonorSource = HonorSource.MANUAL
    source_ref: str | None = None
    deeds_summary: str | None = None
    deeds_full: str | None = None


def validate(data: HonorData) -> None:
    if not data.recipient_name.strip():
        raise HonorError("recipient_name", _("请填写获得者姓名或名称"))
    if not data.title.strip():
        raise HonorError("title", _("请填写荣誉称号"))
    if not 1949 <= data.year <= utcnow().year + 1:
        raise HonorError("year", _("年份应在 1949 年到明年之间"))
    if data.deeds_summary and len(data.deeds_summary) > DEEDS_SUMMARY_MAX:
        raise HonorError("deeds_summary", _("事迹摘要不能超过 500 字"))


def row_values(data: HonorData) -> dict[str, Any]:
    """The column values of a new honor, for single adds and bulk inserts alike."""
    validate(data)
    return {
        "recipient_kind": data.recipient_kind,
        "person_id": data.person.id if data.person is not None else None,
        "organization_id": data.organization.id if data.organization is not None else None,
        "recipient_name": data.recipient_name.strip(),
        "unit_name": (data.unit_name or "").strip() or None,
        "post": (data.post or "").strip() or None,
        "skill_level": (data.skill_level or "").strip() or None,
        "industry": (data.industry or "").strip() or None,
        "title": data.title.strip(),
        "level": data.level,
        "level_rank": data.level.rank,
        "year": int(data.year),
        "conferring_body": (data.conferring_body or "").strip() or None,
        "document_number": (data.document_number or "").strip() or None,
        "conferred_on": data.conferred_on,
        "source": data.source,
        "source_ref": data.source_ref,
        "status": HonorStatus.VALID,
        "deeds_summary": (data.deeds_summary or "").strip() or None,
        "deeds_full": (data.deeds_full or "").strip() or None,
        "sort_key": sort_key(data.recipient_name.strip()),
        "search_text": search_text(data.recipient_name.strip(), data.unit_name, data.title),
    }


def snapshot(honor: Honor) -> dict[str, Any]:
    return {
        "recipient_name": honor.recipient_name,
        "title": honor.title,
        "level": honor.level.value,
        "year": honor.year,
        "unit_name": honor.unit_name,
        "conferring_body": honor.conferring_body,
        "document_number": honor.document_number,
        "source": honor.source.value,
        "status": honor.status.value,
        "person_id": honor.person_id,
    }


def add_honor(actor: User | None, data: HonorData) -> Honor:
    honor = Honor(**row_values(data))
    db.session.add(honor)
    db.session.flush()
    audit.record(actor, "honor.create", "honor", honor.id, after=snapshot(honor))
    bump_version(HONORS_CONTENT)
    return honor


def revoke_honor(actor: User | None, honor: Honor, reason: str) -> Honor:
    """Revoke (DOMAIN.md §25): the honor stays in the record, marked, and leaves the wall."""
    reason = (reason or "").strip()
    if not reason:
        raise HonorError("reason", _("撤销荣誉必须填写原因"))
    if honor.is_revoked:
        raise HonorError("reason", _("该荣誉已被撤销"))
    before = snapshot(honor)
    honor.status = HonorStatus.REVOKED
    honor.revoked_reason = reason
    honor.revoked_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "honor.revoke",
        "honor",
        honor.id,
        before=before,
        after=snapshot(honor),
        reason=reason,
    )
    bump_version(HONORS_CONTENT)
    return honor


def set_person_consent(actor: User | None, person: Person, *, photo: bool, deeds: bool) -> None:
    """Record (or withdraw) consent to publish; the wall follows at the next version."""
    before = {"consent_photo": person.consent_photo, "consent_deeds": person.consent_deeds}
    person.consent_photo, person.consent_deeds = photo, deeds
    person.consent_recorded_at = utcnow()
    audit.record(
        actor,
        "person.consent",
        "person",
        person.id,
        before=before,
        after={"consent_photo": photo, "consent_deeds": deeds},
    )
    bump_version(HONORS_CONTENT)
