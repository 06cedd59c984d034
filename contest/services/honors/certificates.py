"""Certificates of honors (荣誉证书 of a 劳动模范, a 五一劳动奖章, a 工人先锋号 …) and their check.

An honor's certificate number is ``RY-<year>-<honor id>-<check>``: the check suffix is the keyed
HMAC every certificate number of the platform ends in (``contest.services.core.certificates``),
so a number cannot be guessed from another and a mistyped one is no certificate. The number is
derived, not stored, so it never changes and needs no column; the price is that a new
SECRET_KEY makes printed numbers unverifiable (as it invalidates sessions), which the
deployment notes say of the key already.

The public verification page (``/verify/<number>``, shared with contest certificates) reads
:func:`find`: public fields only (DOMAIN §4 — name with its (女) marker, unit, title, level,
year, 授予机关, 文号, date) and the honor's state: valid, lapsed, or 已撤销 — a revoked honor
leaves the wall but its certificate still answers, saying it was revoked and when.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from contest.extensions import db
from contest.models import Gender, Honor, RecipientKind
from contest.services.core.certificates import (
    CertificatePDF,
    check_suffix,
    new_document,
    verify_url,
)
from contest.services.honors.validity import is_lapsed

__all__ = ["HonorCertificate", "certificate_pdf", "find", "number_of"]

_NUMBER = re.compile(r"^RY-(\d{4})-(\d{6,9})-([A-Z2-7]{4})$")


def _base(year: int, honor_id: int) -> str:
    return f"RY-{year:04d}-{honor_id:06d}"


def number_of(honor: Honor) -> str:
    """``RY-2026-000123-K7QD``: the honor's year and id, and the keyed check suffix."""
    base = _base(honor.year, honor.id)
    return f"{base}-{check_suffix(base)}"


def _normalise(raw: str) -> str | None:
    text = (raw or "").strip().upper().replace(" ", "").replace("－", "-").replace("—", "-")
    return text if _NUMBER.match(text) else None


@dataclass(frozen=True)
class HonorCertificate:
    """What the verification page confirms about an honor's certificate (public fields). Of a
    revocation only the fact: its ground, 文号, date and reason are not public."""

    number: str
    name: str
    is_female: bool
    unit: str | None
    title: str
    level: str
    year: int
    conferring_body: str | None
    document_number: str | None
    conferred_on: date | None
    revoked: bool
    lapsed: bool


def _is_female(honor: Honor) -> bool:
    person = honor.person
    return bool(
        honor.recipient_kind is RecipientKind.PERSON
        and person is not None
        and person.gender is Gender.FEMALE
    )


def _certificate(honor: Honor) -> HonorCertificate:
    return HonorCertificate(
        number=number_of(honor),
        name=honor.recipient_name,
        is_female=_is_female(honor),
        unit=honor.unit_name,
        title=honor.display_title,
        level=honor.level.label,
        year=honor.year,
        conferring_body=honor.conferring_body,
        document_number=honor.document_number,
        conferred_on=honor.conferred_on,
        revoked=honor.is_revoked,
        lapsed=is_lapsed(honor),
    )


def find(number: str) -> HonorCertificate | None:
    """The honor certificate with exactly this number (check suffix included), or None."""
    normalised = _normalise(number)
    if normalised is None:
        return None
    match = _NUMBER.match(normalised)
    assert match is not None
    year, honor_id, suffix = int(match[1]), int(match[2]), match[3]
    if not hmac.compare_digest(suffix, check_suffix(_base(year, honor_id))):
        return None
    honor = db.session.get(Honor, honor_id)
    if honor is None or honor.year != year:
        return None
    return _certificate(honor)


def body_text(honor: Honor) -> str:
    """The certificate's sentence: who decided, by which document, and what."""
    decided = honor.conferring_body or ""
    document = f"（{honor.document_number}）" if honor.document_number else ""
    whom = "你" if honor.recipient_kind is RecipientKind.PERSON else "你单位"
    return f"经{decided}研究决定{document}，授予{whom}“{honor.display_title}”荣誉称号。"


def _salutation(honor: Honor) -> str:
    if honor.recipient_kind is RecipientKind.PERSON:
        return honor.recipient_name + ("（女）" if _is_female(honor) else "") + " 同志："
    return f"{honor.recipient_name}："


def _page(pdf: CertificatePDF, honor: Honor, base_url: str) -> None:
    pdf.start_page()
    pdf.salutation(_salutation(honor))
    pdf.body(body_text(honor))
    pdf.feature(honor.display_title, size=30 if len(honor.display_title) <= 12 else 22)
    pdf.closing()
    pdf.signature(honor.conferring_body or "", honor.conferred_on)
    number = number_of(honor)
    note = f"工作单位：{honor.unit_name}" if honor.unit_name else f"{honor.year}年度"
    pdf.verification(number, verify_url(base_url, number), note)


def certificate_pdf(honors: Sequence[Honor], *, base_url: str) -> bytes:
    """One page per honor, A4 landscape; ``base_url`` is the site's public root the QR codes
    lead to. Revoked honors are the caller's to leave out."""
    texts = [
        text
        for honor in honors
        for text in (
            honor.recipient_name,
            honor.unit_name or "",
            honor.display_title,
            honor.conferring_body or "",
            honor.document_number or "",
        )
    ]
    pdf = new_document(texts)
    for honor in honors:
        _page(pdf, honor, base_url)
    return bytes(pdf.output())
