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
from contest.services.core import audit, authority
from contest.services.core.versions import HONORS_CONTENT, bump_version
from contest.validation import text_problem

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
    trade: str | None = None  # 工种 of a contest title
    industry: str | None = None
    conferring_body: str | None = None
    document_number: str | None = None
    conferred_on: date | None = None
    source: HonorSource = HonorSource.MANUAL
    source_ref: str | None = None
    deeds_summary: str | None = None
    deeds_full: str | None = None
    # A rating's grade lapses after this day unless renewed (None: the honor does not lapse).
    valid_until: date | None = None


TEXT_FIELDS = (
    "recipient_name",
    "title",
    "unit_name",
    "post",
    "skill_level",
    "trade",
    "industry",
    "conferring_body",
    "document_number",
    "deeds_summary",
    "deeds_full",
)


def validate(data: HonorData) -> None:
    """The rules every honor keeps, however it is created (DOMAIN.md rule 29 among them):
    an authorised 授予机关 always; the 文号 of the conferring document for every honor not
    earned by placing in one of our contests (whose published results are the document)."""
    if not data.recipient_name.strip():
        raise HonorError("recipient_name", _("请填写获得者姓名或名称"))
    if not data.title.strip():
        raise HonorError("title", _("请填写荣誉称号"))
    for field in TEXT_FIELDS:
        problem = text_problem(getattr(data, field), multiline=field.startswith("deeds_"))
        if problem:
            raise HonorError(field, problem)
    if not 1949 <= data.year <= utcnow().year + 1:
        raise HonorError("year", _("年份应在 1949 年到明年之间"))
    if not (data.conferring_body or "").strip():
        raise HonorError("conferring_body", _("请填写授予机关"))
    if data.source is not HonorSource.CONTEST and not (data.document_number or "").strip():
        raise HonorError("document_number", _("请填写表彰文件的文号"))
    problem = authority.title_level_problem(
        data.title, data.level, (data.unit_name, data.conferring_body)
    )
    if problem:
        raise HonorError("level", problem)
    if data.deeds_summary and len(data.deeds_summary) > DEEDS_SUMMARY_MAX:
        raise HonorError("deeds_summary", _("事迹摘要不能超过 500 字"))
    if data.valid_until and data.conferred_on and data.valid_until < data.conferred_on:
        raise HonorError("valid_until", _("有效期不能早于授予日期"))


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
        "trade": (data.trade or "").strip() or None,
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
        "valid_until": data.valid_until,
        "sort_key": sort_key(data.recipient_name.strip()),
        "search_text": search_text(
            data.recipient_name.strip(), data.unit_name, data.title, data.trade
        ),
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
        "trade": honor.trade,
        "post": honor.post,
        "skill_level": honor.skill_level,
        "deeds_summary": honor.deeds_summary,
        "deeds_full_chars": len(honor.deeds_full or ""),
        "source": honor.source.value,
        "status": honor.status.value,
        "person_id": honor.person_id,
        "valid_until": honor.valid_until,
    }


def add_honor(actor: User | None, data: HonorData) -> Honor:
    honor = Honor(**row_values(data))
    db.session.add(honor)
    db.session.flush()
    audit.record(actor, "honor.create", "honor", honor.id, after=snapshot(honor))
    bump_version(HONORS_CONTENT)
    return honor


# What a contest's published results decide: an honor earned by placing keeps these as
# published (a correction is a re-publication, which revokes and re-creates).
CONTEST_FIXED_FIELDS = ("recipient_name", "title", "level", "year", "trade", "conferring_body")
# The columns an edit may change (who it belongs to, where it came from and its status stay).
EDITABLE_COLUMNS = (
    "recipient_kind",
    "recipient_name",
    "unit_name",
    "post",
    "skill_level",
    "trade",
    "industry",
    "title",
    "level",
    "level_rank",
    "year",
    "conferring_body",
    "document_number",
    "conferred_on",
    "deeds_summary",
    "deeds_full",
    "sort_key",
    "search_text",
)


def data_of(honor: Honor) -> HonorData:
    """An honor's current values, to pre-fill a form or to compare an edit with."""
    return HonorData(
        recipient_name=honor.recipient_name,
        title=honor.title,
        level=honor.level,
        year=honor.year,
        person=honor.person,
        organization=honor.organization,
        recipient_kind=honor.recipient_kind,
        unit_name=honor.unit_name,
        post=honor.post,
        skill_level=honor.skill_level,
        trade=honor.trade,
        industry=honor.industry,
        conferring_body=honor.conferring_body,
        document_number=honor.document_number,
        conferred_on=honor.conferred_on,
        source=honor.source,
        source_ref=honor.source_ref,
        deeds_summary=honor.deeds_summary,
        deeds_full=honor.deeds_full,
        valid_until=honor.valid_until,
    )


def update_honor(actor: User | None, honor: Honor, data: HonorData) -> Honor:
    """Correct an honor's particulars or its 事迹 (audited, before and after).

    The same rules as a new honor apply; a revoked honor is not edited (it is history), and
    an honor earned in a contest keeps what the published results decided."""
    if honor.is_revoked:
        raise HonorError("title", _("已撤销的荣誉不能修改"))
    data.source, data.source_ref = honor.source, honor.source_ref
    if honor.source is HonorSource.CONTEST:
        current = data_of(honor)
        for name in CONTEST_FIXED_FIELDS:
            if getattr(data, name) != getattr(current, name):
                raise HonorError(name, _("比赛产生的荣誉以公布的成绩为准，此项不能修改"))
    values = row_values(data)
    before = snapshot(honor)
    for column in EDITABLE_COLUMNS:
        setattr(honor, column, values[column])
    db.session.flush()
    audit.record(actor, "honor.update", "honor", honor.id, before=before, after=snapshot(honor))
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


def end_validity(actor: User | None, honor: Honor, last_day: date, reason: str) -> bool:
    """Make ``honor`` lapse after ``last_day`` (a new rating of the same union replaces its
    grade: the old one holds until the day before). Never lengthens a validity; False when
    nothing changes (already over by then, or revoked). Audited, and the wall follows."""
    if honor.is_revoked or (honor.valid_until is not None and honor.valid_until <= last_day):
        return False
    before = snapshot(honor)
    honor.valid_until = last_day
    db.session.flush()
    audit.record(
        actor,
        "honor.valid_until",
        "honor",
        honor.id,
        before=before,
        after=snapshot(honor),
        reason=reason,
    )
    bump_version(HONORS_CONTENT)
    return True


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
