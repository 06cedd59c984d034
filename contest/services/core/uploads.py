"""The one check of an uploaded document (佐证材料, 推荐材料): what it is, read from its bytes.

A file is trusted for nothing its name or the browser says: it is a PDF when its bytes start
as one, a JPEG or PNG when they decode as one within the pixel limit of the photo uploads
(checked from the header, so a small file that unpacks to gigabytes costs nothing), and
nothing else — a renamed .exe, a .docx, a text file called .pdf are refused. A PDF renamed
.jpg is a PDF. Each journey sets its own size limit; the files stay in the database and are
served with their checked type and ``nosniff``.

Labor evidence (:mod:`contest.services.labor.scoring`) and nomination attachments
(:mod:`contest.services.nominations.attachments`) both check through here.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from contest.services.core.photos import MAX_PIXELS

__all__ = [
    "FILENAME_MAX",
    "IMAGE_TYPES",
    "PDF_TYPE",
    "Upload",
    "checked_document",
    "clean_filename",
    "document_type",
    "size_text",
]

FILENAME_MAX = 100
PDF_TYPE = "application/pdf"
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\"\\/<>|:*?]+")


@dataclass(frozen=True)
class Upload:
    """A file as the page received it: the name the browser gave and the bytes (read to one
    byte past the limit, so a check can refuse it by its size without holding more)."""

    filename: str
    data: bytes


def document_type(upload: Upload, max_bytes: int) -> str:
    """The content type of an acceptable document — ``application/pdf``, ``image/jpeg`` or
    ``image/png`` — read from its bytes; ValueError with the reason otherwise (empty, larger
    than ``max_bytes``, a picture too large, anything else)."""
    data = upload.data
    if not data:
        raise ValueError(_("文件是空的"))
    if len(data) > max_bytes:
        raise ValueError(_("文件超过 %(mb)d MB", mb=max_bytes // (1024 * 1024)))
    if data.startswith(b"%PDF-"):
        return PDF_TYPE
    try:
        with Image.open(io.BytesIO(data), formats=tuple(IMAGE_TYPES)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValueError(_("图片像素过大（超过 4000 万像素），请缩小后再上传"))
            kind = IMAGE_TYPES[str(image.format)]
            image.verify()
    except ValueError:
        raise
    except Image.DecompressionBombError:
        raise ValueError(_("图片像素过大（超过 4000 万像素），请缩小后再上传")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, KeyError, TypeError):
        raise ValueError(_("只接受 JPEG、PNG 图片或 PDF 文件")) from None
    return kind


def clean_filename(name: str, default: str) -> str:
    """The name a file is shown and downloaded under: no folders, no characters a header or a
    file system would read as something else, at most :data:`FILENAME_MAX`; ``default`` when
    nothing is left."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE_NAME.sub("_", base).strip(" ._")
    if len(base) > FILENAME_MAX:
        stem, dot, ext = base.rpartition(".")
        base = (
            (stem[: FILENAME_MAX - len(ext) - 1] + "." + ext)
            if dot and len(ext) <= 8
            else (base[:FILENAME_MAX])
        )
    return base or default


def size_text(size: int) -> str:
    """A file's size as a list shows it: 1.5 MB, 12 KB (at least 1 KB)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(size // 1024, 1)} KB"


def checked_document(upload: Upload, max_bytes: int, default_name: str) -> tuple[str, str]:
    """The shown name and checked content type of an uploaded document, or ValueError whose
    message names the file and says what is wrong with it — the one check every journey's
    attachment (nomination materials, revocation evidence) goes through."""
    name = clean_filename(upload.filename, default_name)
    try:
        return name, document_type(upload, max_bytes)
    except ValueError as error:
        raise ValueError(f"{name}：{error}") from None
