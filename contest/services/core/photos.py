"""A person's photo: checked by its content, resized, stripped of metadata, stored, removed.

An upload is trusted for nothing: the bytes must decode as JPEG or PNG whatever the file is
called, the picture may not be larger than :data:`MAX_PIXELS` (checked from the header, before
it is decoded, so a small file that unpacks to gigabytes costs nothing), and what is stored is a
new JPEG drawn from the pixels only — EXIF (GPS position, camera serial, the time it was taken)
and any other embedded data never reach the disk. The wall shows the photo only while the
person's consent is recorded (``contest.services.honors.wall``).

Files live under ``UPLOAD_FOLDER/photos`` with a random name (a guessable one would let anyone
walk the folder); ``contest backup`` carries them. A replaced or removed photo's file is
deleted after the change is committed (:func:`discard`), so a failed commit loses nothing.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from contest.models import Person, User
from contest.services.core import audit
from contest.services.core.versions import HONORS_CONTENT, bump_version

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel camera; anything larger is refused unread
MIN_SIDE = 120  # smaller than a thumbnail on the wall: not a usable portrait
BOX = (600, 800)  # the largest the wall and the kiosk show, portrait
JPEG_QUALITY = 85
ACCEPTED_FORMATS = ("JPEG", "PNG")


class PhotoRefused(ValueError):
    """An upload that is not a usable photo; the message says why, in the user's language."""


def folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "photos"


def normalise(data: bytes) -> bytes:
    """The stored form of an uploaded photo: an upright JPEG within :data:`BOX`, no metadata."""
    if not data:
        raise PhotoRefused(_("请选择照片文件"))
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRefused(_("照片不能超过 %(mb)d MB", mb=MAX_PHOTO_BYTES // (1024 * 1024)))
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError:
        raise PhotoRefused(_("照片像素过大（超过 4000 万像素），请缩小后再上传")) from None
    except (UnidentifiedImageError, OSError):
        raise PhotoRefused(_("只接受 JPEG 或 PNG 格式的照片")) from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise PhotoRefused(_("照片像素过大（超过 4000 万像素），请缩小后再上传"))
    if min(width, height) < MIN_SIDE:
        message = _(
            "照片太小（%(w)d×%(h)d），请上传至少 %(min)d 像素宽的照片",
            w=width,
            h=height,
            min=MIN_SIDE,
        )
        raise PhotoRefused(message)
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise PhotoRefused(_("照片文件已损坏，无法读取")) from None
    if upright.mode in ("RGBA", "LA", "P"):
        upright = upright.convert("RGBA")
        background = Image.new("RGB", upright.size, "white")
        background.paste(upright, mask=upright.getchannel("A"))
        upright = background
    else:
        upright = upright.convert("RGB")
    upright.thumbnail(BOX, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A new image saved without exif=/icc_profile=: nothing of the original's metadata survives.
    upright.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def replace(actor: User | None, person: Person, data: bytes) -> str | None:
    """Store a new photo for ``person``; returns the file it replaces, for :func:`discard`
    once committed. Raises :class:`PhotoRefused`, having written nothing."""
    stored = normalise(data)
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    name = f"{person.id}-{secrets.token_hex(8)}.jpg"
    temporary = target / f".{name}.part"
    temporary.write_bytes(stored)
    temporary.replace(target / name)
    previous = person.photo_filename
    person.photo_filename = name
    audit.record(
        actor,
        "person.photo",
        "person",
        person.id,
        before={"photo": bool(previous)},
        after={"photo": True, "bytes": len(stored)},
    )
    bump_version(HONORS_CONTENT)
    return previous


def remove(actor: User | None, person: Person) -> str | None:
    """Take the photo off the record (and the wall); returns its file for :func:`discard`."""
    previous = person.photo_filename
    if previous is None:
        return None
    person.photo_filename = None
    audit.record(
        actor, "person.photo_remove", "person", person.id, before={"photo": True}, after=None
    )
    bump_version(HONORS_CONTENT)
    return previous


def path_of(person: Person) -> Path | None:
    """The stored file of ``person``'s photo, if there is one inside the photo folder."""
    if not person.photo_filename:
        return None
    base = folder().resolve()
    path = (base / person.photo_filename).resolve()
    return path if base in path.parents and path.is_file() else None


def discard(filename: str | None) -> None:
    """Delete a replaced photo's file (after the commit that stopped pointing at it)."""
    if not filename:
        return
    base = folder().resolve()
    path = (base / filename).resolve()
    if base in path.parents:
        path.unlink(missing_ok=True)
