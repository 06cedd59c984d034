"""Printable slips of a 会员评家 survey: one per code, ten to an A4 page, cut along the lines.

Each slip carries the survey's title (the rating and the union), a QR code of the answer page
``/s/<code>``, the code printed large for typing, and the short address ``/s`` where the code
can be typed instead. The PDF is printed with the platform's embedded font and QR builder
(``contest.services.core.pdf``, as certificates are), and the addresses come from the site's
public root (``contest.ui.links.public_base``), never from the Host a client sent.

The slips say nothing of the member: the union hands them out at random, and the system keeps
no record of who got which. Each file prints its slips in a fresh random order
(:class:`secrets.SystemRandom`), never in the order the codes are stored: a pile handed out
from the top along a member list would otherwise pair the list's order with the codes' row
order, which the database (and its ``used`` flags) keeps. A file always holds the same codes
(the thousand of its part, by row), so a lost file can be printed again, in another order.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from contest.models import Survey
from contest.services.core.pdf import FONT, add_fonts, qr_png
from contest.services.labor.surveys import all_codes, format_code

__all__ = [
    "COLUMNS",
    "ROWS",
    "SLIPS_PER_FILE",
    "SLIPS_PER_PAGE",
    "answer_url",
    "code_box_url",
    "part_codes",
    "parts",
    "slips_pdf",
]

COLUMNS, ROWS = 2, 5
SLIPS_PER_PAGE = COLUMNS * ROWS
# One PDF holds at most this many slips (100 pages, ~3 s and 1.5 MB): a survey of 5,000 codes
# downloads as five files instead of one request that holds a worker for a quarter of a minute.
SLIPS_PER_FILE = 1000
PAGE_W, PAGE_H = 210.0, 297.0
SLIP_W, SLIP_H = PAGE_W / COLUMNS, PAGE_H / ROWS
PAD = 6.0
QR_SIZE = 38.0
QR_MASK = 0  # a fixed mask pattern: a slip's QR code costs a third of the time (core.pdf)
INK = (40, 40, 40)
RED = (178, 34, 34)
MUTED = (110, 110, 110)
CUT = (170, 170, 170)


def answer_url(base_url: str, code: str) -> str:
    """The answer page of ``code`` under the site's public root: what the QR code holds."""
    return urljoin(base_url.rstrip("/") + "/", f"s/{code}")


def code_box_url(base_url: str) -> str:
    """The page where a member types the code (printed under the QR code)."""
    return urljoin(base_url.rstrip("/") + "/", "s")


@dataclass(frozen=True)
class SlipText:
    """What every slip of one survey prints besides its code."""

    heading: str  # the rating, e.g. 2026 年度六好基层工会评级
    union: str  # the rated union
    title: str  # 会员评家满意度调查
    how: str  # 扫码作答，或打开网址输入调查码
    box_url: str
    note: str  # anonymity and one-time use


def _cut_lines(pdf: FPDF) -> None:
    pdf.set_draw_color(*CUT)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    for column in range(1, COLUMNS):
        pdf.line(column * SLIP_W, 0, column * SLIP_W, PAGE_H)
    for row in range(1, ROWS):
        pdf.line(0, row * SLIP_H, PAGE_W, row * SLIP_H)
    pdf.set_dash_pattern()


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut with an ellipsis to fit one line of ``width`` in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _wrap(pdf: FPDF, text: str, width: float, most: int) -> list[str]:
    """``text`` in at most ``most`` lines of ``width``, the last cut with an ellipsis."""
    lines: list[str] = []
    rest = text
    while rest and len(lines) < most - 1:
        end = len(rest)
        while end > 1 and pdf.get_string_width(rest[:end]) > width:
            end -= 1
        lines.append(rest[:end])
        rest = rest[end:]
    if rest:
        lines.append(_fit(pdf, rest, width))
    return lines


def _line(pdf: FPDF, x: float, y: float, width: float, height: float, text: str) -> None:
    pdf.set_xy(x, y)
    pdf.cell(width, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _slip(pdf: FPDF, x: float, y: float, code: str, target: str, text: SlipText) -> None:
    left, top = x + PAD, y + PAD
    pdf.image(qr_png(target, mask=QR_MASK), x=left, y=top, w=QR_SIZE, h=QR_SIZE)
    pdf.link(left, top, QR_SIZE, QR_SIZE, target)
    tx = left + QR_SIZE + 4
    width = x + SLIP_W - PAD - tx

    pdf.set_text_color(*MUTED)
    pdf.set_font(FONT, size=7.5)
    _line(pdf, tx, top - 1, width, 4, _fit(pdf, text.heading, width))
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=10)
    at = top + 3.5
    for part in _wrap(pdf, text.union, width, 2):
        _line(pdf, tx, at, width, 4.6, part)
        at += 4.6
    pdf.set_text_color(*RED)
    pdf.set_font(FONT, size=11.5)
    _line(pdf, tx, at + 0.6, width, 6, _fit(pdf, text.title, width))

    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=7.5)
    _line(pdf, tx, top + 20.5, width, 4, _("调查码"))
    pdf.set_font(FONT, size=15)
    pdf.set_char_spacing(0.6)
    _line(pdf, tx, top + 24, width, 7, format_code(code))
    pdf.set_char_spacing(0)

    pdf.set_font(FONT, size=7.5)
    pdf.set_text_color(*MUTED)
    _line(pdf, tx, top + 32, width, 3.8, _fit(pdf, text.how, width))
    _line(pdf, tx, top + 35.8, width, 3.8, _fit(pdf, text.box_url, width))
    _line(pdf, left, y + SLIP_H - PAD - 3.5, SLIP_W - 2 * PAD, 4, text.note)


def parts(issued: int) -> list[tuple[int, int, int]]:
    """The files the slips of ``issued`` codes print in: (part, first slip, last slip)."""
    return [
        (index + 1, start + 1, min(start + SLIPS_PER_FILE, issued))
        for index, start in enumerate(range(0, issued, SLIPS_PER_FILE))
    ]


def part_codes(survey: Survey, part: int) -> list[str] | None:
    """The codes printed in file ``part`` (1-based), None when there is no such file."""
    codes = all_codes(survey)
    start = (part - 1) * SLIPS_PER_FILE
    if part < 1 or start >= len(codes):
        return None
    return codes[start : start + SLIPS_PER_FILE]


def slips_pdf(
    survey: Survey, *, base_url: str, heading: str, codes: Sequence[str] | None = None
) -> bytes:
    """The slips of ``survey`` (or of ``codes``), :data:`SLIPS_PER_PAGE` to an A4 page, in a
    random order (see the module docstring).

    ``base_url``: the site's public root, which the QR codes and printed addresses lead to;
    ``heading``: the rating's name as printed at the top of each slip.
    """
    chosen = list(all_codes(survey) if codes is None else codes)
    secrets.SystemRandom().shuffle(chosen)
    text = SlipText(
        heading=heading,
        union=survey.participant.name,
        title=_("会员评家满意度调查"),
        how=_("手机扫码作答，或打开网址输入调查码："),
        box_url=code_box_url(base_url),
        note=_("匿名调查：调查码不记录您的身份，每个调查码只能提交一次。"),
    )
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(_("会员评家调查码"))
    pdf.set_creator(_("职工技能竞赛与荣誉平台"))
    add_fonts(pdf, (text.heading, text.union))
    for index, code in enumerate(chosen):
        spot = index % SLIPS_PER_PAGE
        if spot == 0:
            pdf.add_page()
            _cut_lines(pdf)
        column, row = spot % COLUMNS, spot // COLUMNS
        _slip(pdf, column * SLIP_W, row * SLIP_H, code, answer_url(base_url, code), text)
    return bytes(pdf.output())
