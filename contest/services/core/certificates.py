"""What every printed certificate (荣誉证书) of the platform shares, whatever earned it.

A skills contest's placing (``contest.services.skills.certificates``) and an honor conferred by a
nomination campaign (``contest.services.honors.certificates``) print on the same A4 landscape
page: the red and gold frame, the heading, Chinese line breaking, the conferring body and date
at the bottom right, and at the bottom left a QR code with the certificate's number leading to
the one public verification page ``/verify/<number>``. A number ends in a keyed check suffix
(:func:`check_suffix`) so that numbers cannot be guessed or mistyped into another valid one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import cast
from urllib.parse import urljoin

from flask import current_app
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from contest.models.base import local_time
from contest.services.core.pdf import FONT, add_fonts, qr_png

RED = (178, 34, 34)
GOLD = (191, 146, 52)
INK = (40, 40, 40)
MUTED = (110, 110, 110)
# Chinese typesetting (避头点): these never start a line; they hang at the end of the one before.
NO_LINE_START = frozenset("，。、；：？！）》」』”’…")
# The text columns of the page (mm from the left edge; the right one is measured from the right).
LEFT = 38.0
RIGHT_MARGIN = 38.0

__all__ = [
    "CertificatePDF",
    "check_suffix",
    "chinese_date",
    "new_document",
    "verify_url",
    "wrapped_lines",
]


def check_suffix(base: str) -> str:
    """Four characters of an HMAC of ``base`` under SECRET_KEY (base32: no 0, 1, 8 or 9 to
    misread): a certificate number's proof that this site issued it."""
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    mac = hmac.new(key, base.encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(mac).decode("ascii")[:4]


def verify_url(base_url: str, number: str) -> str:
    """The verification page of ``number`` under the site's public root ``base_url``."""
    return urljoin(base_url.rstrip("/") + "/", f"verify/{number}")


def chinese_date(value: datetime | date | None) -> str:
    """2026年10月9日 (a moment is read as its day in China, not in UTC)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_time(value)
    return f"{value.year}年{value.month}月{value.day}日"


def wrapped_lines(pdf: FPDF, width: float, text: str) -> list[str]:
    """``text`` wrapped to ``width`` in the current font, closing punctuation kept off the start
    of a line (fpdf2 breaks CJK text before any character, so a line could begin with "，")."""
    lines = cast(
        list[str], pdf.multi_cell(width, 0, text, dry_run=True, output=MethodReturnValue.LINES)
    )
    for index in range(1, len(lines)):
        while lines[index] and lines[index][0] in NO_LINE_START:
            lines[index - 1] += lines[index][0]
            lines[index] = lines[index][1:]
    return [line for line in lines if line]


class CertificatePDF(FPDF):
    """A4 landscape pages with the red and gold frame of a Chinese certificate, and the blocks
    every certificate page is made of."""

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

    @property
    def text_width(self) -> float:
        return self.w - LEFT - RIGHT_MARGIN

    def start_page(self) -> None:
        """A new page: the frame and the heading 荣誉证书 with its gold rule."""
        self.add_page()
        self.frame()
        w = self.w
        self.set_text_color(*RED)
        self.set_font(FONT, size=44)
        self.set_char_spacing(14)
        self.set_xy(LEFT, 28)
        self.cell(self.text_width, 20, "荣誉证书", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_char_spacing(0)
        self.set_draw_color(*GOLD)
        self.set_line_width(0.5)
        self.line(w / 2 - 55, 53, w / 2 + 55, 53)

    def salutation(self, text: str) -> None:
        self.set_text_color(*INK)
        self.set_font(FONT, size=22)
        self.set_xy(LEFT, 66)
        self.cell(self.text_width, 12, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def body(self, text: str, *, top: float = 84) -> None:
        """The sentence of the certificate, indented two characters, wrapped the Chinese way."""
        width = self.text_width
        self.set_text_color(*INK)
        self.set_font(FONT, size=18)
        self.set_y(top)
        for line in wrapped_lines(self, width - 12, text):
            self.set_x(LEFT + 12)
            self.cell(width - 12, 11, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def feature(self, text: str, *, size: float = 34) -> None:
        """The award or title, large and red in the middle."""
        self.set_text_color(*RED)
        self.set_font(FONT, size=size)
        self.set_xy(LEFT, self.get_y() + 5)
        self.set_char_spacing(6 if size >= 30 else 3)
        self.cell(self.text_width, 18, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_char_spacing(0)

    def closing(self) -> None:
        self.set_text_color(*INK)
        self.set_font(FONT, size=18)
        self.set_xy(LEFT + 12, max(self.get_y() + 4, 128))
        self.cell(self.text_width - 12, 11, "特发此证，以资鼓励。", new_x=XPos.LMARGIN)

    def signature(self, conferring_body: str, day: datetime | date | None) -> None:
        """The conferring body and the date, bottom right."""
        w = self.w
        right = w - RIGHT_MARGIN
        self.set_text_color(*INK)
        self.set_font(FONT, size=17)
        self.set_xy(w / 2, 152)
        self.cell(right - w / 2, 10, conferring_body, align="R", new_x=XPos.LMARGIN)
        self.set_xy(w / 2, 164)
        self.cell(right - w / 2, 10, chinese_date(day), align="R")

    def verification(
        self,
        number: str,
        target: str,
        note: str,
        qr: Callable[[str], io.BytesIO] = qr_png,
    ) -> None:
        """The QR code leading to ``target`` (the verification page), the number, where to
        check it, and one line of ``note``, bottom left."""
        self.image(qr(target), x=LEFT, y=146, w=30, h=30)
        self.set_text_color(*INK)
        self.set_font(FONT, size=12)
        self.set_xy(LEFT + 33, 156)
        self.cell(90, 7, f"证书编号：{number}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*MUTED)
        self.set_font(FONT, size=9.5)
        self.set_xy(LEFT + 33, 164)
        self.cell(90, 6, f"扫码或访问 {target} 查验", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_xy(LEFT + 33, 170)
        self.cell(90, 6, note)


def new_document(texts: Iterable[str]) -> CertificatePDF:
    """An empty certificate document whose fonts cover ``texts`` (everything it will print that
    came from people: names, units, titles)."""
    pdf = CertificatePDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 20, 20)
    pdf.set_title("荣誉证书")
    pdf.set_creator("职工技能竞赛与荣誉平台")
    add_fonts(pdf, texts)
    return pdf
