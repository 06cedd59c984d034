"""What every printable PDF of the platform shares: the embedded CJK font and QR codes.

fpdf2 (pure Python) embeds a subset of the TTF it is given, so every PDF carries its own glyphs
and prints the same on any machine.  The font is the GB2312 subset of WenQuanYi Micro Hei
committed under ``static/fonts/`` (intranet deployments have no internet); text with a rarer
character falls back, glyph by glyph, to the full system font when installed.  Certificates
(skills) and survey slips (labor) both print through here, so they look and behave alike.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import qrcode
from fpdf import FPDF
from qrcode.constants import ERROR_CORRECT_M

from contest.config import PROJECT_ROOT

FONT_DIR = PROJECT_ROOT / "static" / "fonts"
FONT_FILE = FONT_DIR / "wqy-microhei-gb2312.ttf"
# The full font, when the system has it (Debian: fonts-wqy-microhei), for rare characters.
SYSTEM_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
)
FONT = "wqy"
FALLBACK = "wqyfull"

__all__ = ["FALLBACK", "FONT", "FONT_FILE", "add_fonts", "needs_fallback", "qr_png"]


@lru_cache(maxsize=1)
def _subset_characters() -> frozenset[str]:
    from fontTools.ttLib import TTFont  # heavy, and only a PDF needs it: not at start-up

    with TTFont(str(FONT_FILE), lazy=True) as font:
        return frozenset(chr(code) for code in font.getBestCmap())


def _system_font() -> Path | None:
    return next((path for path in SYSTEM_FONTS if path.is_file()), None)


def needs_fallback(texts: Iterable[str]) -> bool:
    """Whether any of ``texts`` has a character the committed subset lacks."""
    known = _subset_characters()
    return any(ch not in known for text in texts for ch in text if not ch.isspace())


def add_fonts(pdf: FPDF, texts: Iterable[str]) -> None:
    """Register :data:`FONT` on ``pdf``, and the full system font as its fallback when one of
    ``texts`` (everything the PDF will print that came from people) needs it."""
    pdf.add_font(FONT, fname=str(FONT_FILE))
    system = _system_font() if needs_fallback(texts) else None
    if system is not None:
        pdf.add_font(FALLBACK, fname=str(system))
        pdf.set_fallback_fonts([FALLBACK])


def qr_png(target: str, *, mask: int | None = None) -> io.BytesIO:
    """A PNG of a QR code (error correction M) leading to ``target``, for ``FPDF.image``.

    ``mask``: one of the eight mask patterns (0–7) instead of the one scoring best. Any mask
    scans; choosing it skips trying all eight, most of the cost of a code, for PDFs that print
    thousands of them (survey slips)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=1, mask_pattern=mask)
    code.add_data(target)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer
