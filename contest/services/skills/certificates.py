"""Printable award certificates (荣誉证书) as PDF: CJK font embedded, number and QR code.

The page (frame, heading, line breaking, signature, QR code) is the platform's certificate
(``contest.services.core.certificates``), which campaign honors print on too; this module says
what a contest's certificate reads. The QR code and the printed number lead to the public
verification page ``/verify/<number>``.
"""

from __future__ import annotations

from collections.abc import Sequence

from contest.models import Contest
from contest.services.core.certificates import CertificatePDF, new_document
from contest.services.core.certificates import chinese_date as _chinese_date  # noqa: F401
from contest.services.core.certificates import verify_url as verify_url
from contest.services.core.certificates import wrapped_lines as _lines  # noqa: F401
from contest.services.core.pdf import FONT as FONT
from contest.services.core.pdf import FONT_FILE as FONT_FILE  # (tests set fonts with it)
from contest.services.core.pdf import qr_png as _qr_png
from contest.services.skills.results import Certificate, certificates_of

__all__ = ["body_text", "certificate_pdf", "event_certificates", "verify_url"]


def _texts(item: Certificate) -> tuple[str, ...]:
    """What a certificate prints that came from people (for the font fallback)."""
    parts = (item.name, item.organization, item.contest_name, item.event_label, item.team or "")
    return (*parts, item.award or "", item.conferring_body, *item.titles)


def body_text(item: Certificate) -> str:
    """The certificate's sentence: where, as whose team member, and what was won."""
    if item.award and item.titles:
        tail = f"荣获{item.award}，并获得“{'”“'.join(item.titles)}”称号。"
    elif item.award:
        tail = f"荣获{item.award}。"
    else:
        tail = f"获得“{'”“'.join(item.titles)}”称号。"
    team = f"作为“{item.team}”成员，" if item.team else ""
    return f"在{item.contest_name}{item.event_label}比赛中，{team}成绩优异，{tail}"


def _page(pdf: CertificatePDF, item: Certificate, base_url: str) -> None:
    pdf.start_page()
    name = item.name + ("（女）" if item.is_female else "")
    pdf.salutation(f"{name} 同志：")
    pdf.body(body_text(item))
    if item.award:
        pdf.feature(item.award)
    pdf.closing()
    pdf.signature(item.conferring_body, item.published_at)
    target = verify_url(base_url, item.number)
    # ``_qr_png`` looked up now: the link tests watch the addresses it is given.
    pdf.verification(item.number, target, f"参赛单位：{item.organization}", qr=_qr_png)


def certificate_pdf(certificates: Sequence[Certificate], *, base_url: str) -> bytes:
    """One page per certificate, A4 landscape, the font subset embedded.

    ``base_url``: the site's public root, which the QR code and the printed address lead to.
    """
    pdf = new_document(text for item in certificates for text in _texts(item))
    for item in certificates:
        _page(pdf, item, base_url)
    return bytes(pdf.output())


def event_certificates(contest: Contest, event_code: str) -> list[Certificate]:
    """The certificates of one event of the current snapshot (for the bulk PDF)."""
    return certificates_of(contest, event_code)
