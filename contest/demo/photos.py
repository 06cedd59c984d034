"""Portrait illustrations drawn locally with Pillow (the demo never fetches anything).

Each is a flat, friendly bust — background, work clothes, face, hair — varied by the seeded
generator, so the wall looks alive without pretending to show real people.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 240, 300
_BACKGROUNDS = [
    (236, 226, 214),
    (222, 232, 240),
    (232, 240, 226),
    (244, 228, 222),
    (230, 226, 240),
    (240, 236, 214),
]
_CLOTHES = [
    (34, 78, 140),
    (25, 95, 120),
    (200, 90, 30),
    (60, 60, 70),
    (160, 30, 40),
    (50, 110, 60),
    (240, 240, 240),
]
_SKIN = [(241, 205, 170), (232, 190, 150), (214, 170, 130), (198, 150, 110)]
_HAIR = [(25, 22, 20), (45, 35, 30), (70, 60, 55), (150, 150, 150), (200, 200, 200)]


def draw_portrait(rng: random.Random, *, female: bool, old: bool) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), rng.choice(_BACKGROUNDS))
    draw = ImageDraw.Draw(image)
    cx = WIDTH // 2
    clothes = rng.choice(_CLOTHES)
    skin = rng.choice(_SKIN)
    hair = rng.choice(_HAIR[3:] if old else _HAIR[:3])
    # shoulders and collar
    draw.rounded_rectangle((cx - 105, 215, cx + 105, HEIGHT + 40), radius=60, fill=clothes)
    draw.polygon([(cx - 28, 215), (cx, 250), (cx + 28, 215)], fill=(250, 250, 250))
    draw.rectangle((cx - 17, 175, cx + 17, 222), fill=skin)  # neck
    if female:  # long hair behind the face
        draw.rounded_rectangle((cx - 62, 70, cx + 62, 215), radius=45, fill=hair)
    draw.ellipse((cx - 52, 72, cx + 52, 192), fill=skin)  # face
    draw.ellipse((cx - 60, 110, cx - 44, 140), fill=skin)  # ears
    draw.ellipse((cx + 44, 110, cx + 60, 140), fill=skin)
    if female:
        draw.chord((cx - 56, 60, cx + 56, 150), 180, 360, fill=hair)
    else:
        draw.chord((cx - 54, 62, cx + 54, 130 if rng.random() < 0.5 else 120), 180, 360, fill=hair)
    eye = (50, 40, 35)
    draw.ellipse((cx - 26, 124, cx - 16, 134), fill=eye)
    draw.ellipse((cx + 16, 124, cx + 26, 134), fill=eye)
    draw.arc((cx - 18, 140, cx + 18, 168), 20, 160, fill=(170, 80, 70), width=3)  # smile
    if rng.random() < 0.35:  # a safety helmet or a work cap for some
        draw.chord(
            (cx - 60, 52, cx + 60, 140),
            180,
            360,
            fill=rng.choice([(245, 190, 30), (240, 240, 240), (30, 90, 170)]),
        )
        draw.rectangle((cx - 66, 94, cx + 66, 100), fill=(60, 60, 60))
    # a small red medal ribbon on the chest
    draw.polygon(
        [(cx + 45, 235), (cx + 57, 235), (cx + 62, 258), (cx + 40, 258)], fill=(200, 30, 40)
    )
    draw.ellipse((cx + 39, 254, cx + 63, 278), fill=(232, 184, 40))
    return image


def save_portrait(folder: Path, name: str, rng: random.Random, *, female: bool, old: bool) -> str:
    """Write a JPEG portrait under ``folder`` and return its file name."""
    folder.mkdir(parents=True, exist_ok=True)
    filename = f"{name}.jpg"
    draw_portrait(rng, female=female, old=old).save(folder / filename, "JPEG", quality=82)
    return filename
