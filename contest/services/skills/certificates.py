"""Printable award certificates (荣誉证书) as PDF: CJK font embedded, number and QR code.

The font and the QR code are the platform's PDF pieces (``contest.services.core.pdf``): the
GB2312 subset of WenQuanYi Micro Hei embedded, falling back to the full system font for a name
with a rarer character.  The QR code and the printed number lead to the public verification page
``/verify/<number>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from urllib.parse import urljoin

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from contest.models import Contest
from contest.models.base import local_time
from contest.services.core.pdf import FONT, add_fonts
from contest.services.core.pdf import FONT_FILE as FONT_FILE  # (tests set fonts with it)
from contest.services.core.pdf import qr_png as _qr_png
from contest.services.skills.results import Certificate, certificates_of

RED = (178, 34, 34)
GOLD = (191, 146, 52)
INK = (40, 40, 40)
MUTED = (110, 110, 110)
# Chinese typesetting (避头点): these never start a line; they hang at the end of the one before.
NO_LINE_START = frozenset("，。、；：？！）》」』”’…")

__all__ = ["body_text", "certificate_pdf", "event_certificates", "verify_url"]


def verify_url(base_url: str, number: str) -> str:
    """The verification page of ``number`` under the site's public root ``base_url``."""
    return urljoin(base_url.rstrip("/") + "/", f"verify/{number}")


def _texts(item: Certificate) -> tuple[str, ...]:
    """What a certificate prints that came from people (for the font fallback)."""
    parts = (item.name, item.organization, item.contest_name, item.event_label, item.team or "")
    return (*parts, item.award or "", item.conferring_body, *item.titles)


def _chinese_date(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_time(value)  # the day in China, not in UTC
    return f"{value.year}年{value.month}月{value.day}日"


def _lines(pdf: FPDF, width: float, text: str) -> list[str]:
    """``text`` wrapped to ``width`` in the current font, closing punctuation kept off the start
    of a line (fpdf2 breaks CJK text before any character, so a line could begin with "，")."""
    lines = pdf.multi_cell(width, 0, text, dry_run=True, output=MethodReturnValue.LINES)
    for index in range(1, len(lines)):
        while lines[index] and lines[index][0] in NO_LINE_START:
            lines[index - 1] += lines[index][0]
            lines[index] = lines[index][1:]
    return [line for line in lines if line]


class _CertificatePDF(FPDF):
    """A4 landscape pages with the red and gold frame of a Chinese certificate."""

    def frame(self) -> None:
        w, h = self.w, self.h
        self.set_draw_color(*RED)
        self.set_line_width(2.2)
        self.rect(8, 8, w - 16, h - 16)
        self.set_draw_color(*GOLD)
        self.set_line_width(0.6)
        self.rect(12.5, 12.5, w - 25, h - 25)
        self.set_line_width(0.3)
        self.rect(14.5, 14.5, w - 29, h - 29)
        # Corner ornaments: small gold squares turned into brackets.
        self.set_line_width(0.8)
        for x, y, dx, dy in (
            (18, 18, 1, 1),
            (w - 18, 18, -1, 1),
            (18, h - 18, 1, -1),
            (w - 18, h - 18, -1, -1),
        ):
            self.line(x, y, x + 14 * dx, y)
            self.line(x, y, x, y + 14 * dy)


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


def _page(pdf: _CertificatePDF, item: Certificate, base_url: str) -> None:
    pdf.add_page()
    pdf.frame()
    w = pdf.w
    left, right = 38.0, w - 38.0
    width = right - left

    # Title
    pdf.set_text_color(*RED)
    pdf.set_font(FONT, size=44)
    pdf.set_char_spacing(14)
    pdf.set_xy(left, 28)
    pdf.cell(width, 20, "荣誉证书", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_char_spacing(0)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.line(w / 2 - 55, 53, w / 2 + 55, 53)

    # Salutation and body
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=22)
    pdf.set_xy(left, 66)
    name = item.name + ("（女）" if item.is_female else "")
    pdf.cell(width, 12, f"{name} 同志：", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=18)
    pdf.set_y(84)
    for line in _lines(pdf, width - 12, body_text(item)):
        pdf.set_x(left + 12)
        pdf.cell(width - 12, 11, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    # The award, large, in the middle
    if item.award:
        pdf.set_text_color(*RED)
        pdf.set_font(FONT, size=34)
        pdf.set_xy(left, pdf.get_y() + 5)
        pdf.set_char_spacing(6)
        pdf.cell(width, 18, item.award, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_char_spacing(0)
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=18)
    pdf.set_xy(left + 12, max(pdf.get_y() + 4, 128))
    pdf.cell(width - 12, 11, "特发此证，以资鼓励。", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # Conferring body and date, bottom right
    pdf.set_font(FONT, size=17)
    pdf.set_xy(w / 2, 152)
    pdf.cell(right - w / 2, 10, item.conferring_body, align="R", new_x=XPos.LMARGIN)
    pdf.set_xy(w / 2, 164)
    pdf.cell(right - w / 2, 10, _chinese_date(item.published_at), align="R")

    # Number and QR code, bottom left
    target = verify_url(base_url, item.number)
    pdf.image(_qr_png(target), x=left, y=146, w=30, h=30)
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=12)
    pdf.set_xy(left + 33, 156)
    pdf.cell(90, 7, f"证书编号：{item.number}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*MUTED)
    pdf.set_font(FONT, size=9.5)
    pdf.set_xy(left + 33, 164)
    pdf.cell(90, 6, f"扫码或访问 {target} 查验", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_xy(left + 33, 170)
    pdf.cell(90, 6, f"参赛单位：{item.organization}")


def certificate_pdf(certificates: Sequence[Certificate], *, base_url: str) -> bytes:
    """One page per certificate, A4 landscape, the font subset embedded.

    ``base_url``: the site's public root, which the QR code and the printed address lead to.
    """
    pdf = _CertificatePDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 20, 20)
    pdf.set_title("荣誉证书")
    pdf.set_creator("职工技能竞赛与荣誉平台")
    add_fonts(pdf, (text for item in certificates for text in _texts(item)))
    for item in certificates:
        _page(pdf, item, base_url)
    return bytes(pdf.output())


def event_certificates(contest: Contest, event_code: str) -> list[Certificate]:
    """The certificates of one event of the current snapshot (for the bulk PDF)."""
    return certificates_of(contest, event_code)
