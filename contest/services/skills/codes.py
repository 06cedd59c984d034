"""The two codes an entrant carries, kept apart on every page (#16 item 1).

- 参赛号 (first draw): ``A001`` — the event code and three digits; it names the entrant on the
  check-in list, the printed name list and the public results.
- 赛位号 (second draw, at check-in): stored as ``A-07`` and always *shown* as ``工位 A-07`` —
  judges score under it, the review pages list by it.

The seat is stored as before (ASCII, unique per contest, safe in a URL, sorts with the number
zero-padded) and rendered with its 工位 prefix by :func:`shown`, so existing data needs no
change and every page agrees. An event uses one kind of code for judging: the seat once the
seat draw is done, the 参赛号 before (``Entry.code``), so a list never mixes the two.

A code someone types — a judge's URL or API call, an appeal, the check-in search — goes through
:func:`parse`: it is one kind or the other, or refused with a message that says why. The two
shapes cannot collide (a seat has a hyphen, an entry code three digits and none), so a parsed
code matches at most one entrant of a contest.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _

from contest.models import Entry, Event


class CodeKind(enum.Enum):
    ENTRY = "entry"  # 参赛号
    SEAT = "seat"  # 赛位号


class CodeError(ValueError):
    """A typed code that is neither kind, or the wrong kind for the page; nothing was looked up."""


@dataclass(frozen=True)
class TypedCode:
    kind: CodeKind
    value: str  # the stored form: A001 or A-07


# Labels people type in front of a code; they are dropped before the shape is read.
_LABELS = ("赛位号", "参赛号", "工位", "赛位", "#", "NO.")
_SEAT_RE = re.compile(r"^([A-Z]{1,3})-0*(\d{1,3})$")
_ENTRY_RE = re.compile(r"^([A-Z]{1,3})(\d{3,4})$")
_BARE_RE = re.compile(r"^([A-Z]{1,3})(\d{1,2})$")


def kind_of(event: Event) -> CodeKind:
    """The code the event is judged and reviewed under: the seat once drawn."""
    return CodeKind.SEAT if event.seat_drawn_at is not None else CodeKind.ENTRY


def kind_name(kind: CodeKind) -> str:
    return _("赛位号") if kind is CodeKind.SEAT else _("参赛号")


def name_of(event: Event) -> str:
    """The label of the column or field that shows ``event``'s judging code."""
    return kind_name(kind_of(event))


def seat_text(seat_code: str | None) -> str:
    """``A-07`` → ``工位 A-07``: the only way a seat is shown to people."""
    return _("工位 %(code)s", code=seat_code) if seat_code else "—"


def as_shown(value: str | None, kind: CodeKind) -> str:
    """A stored code of ``kind`` in its printed form (``工位 A-07`` or ``A001``)."""
    if kind is CodeKind.SEAT:
        return seat_text(value)
    return value or "—"


def shown_in(value: str | None, event: Event) -> str:
    """A stored judging code of ``event`` (from a list of codes, not entries), printed."""
    return as_shown(value, kind_of(event))


def entry_kind(entry: Entry) -> CodeKind:
    """The kind of ``Entry.code``: a seat once the event's seats are drawn."""
    if entry.seat_code or entry.event.seat_drawn_at is not None:
        return CodeKind.SEAT
    return CodeKind.ENTRY


def shown(entry: Entry) -> str:
    """The entry's code as its event uses it (``Entry.code``), in its printed form."""
    return as_shown(entry.code, entry_kind(entry))


def _normalise(text: str) -> str:
    # NFKC folds full-width letters, digits and the full-width hyphen typed on a Chinese IME.
    cleaned = unicodedata.normalize("NFKC", text or "").upper()
    cleaned = re.sub(r"\s+", "", cleaned).replace("—", "-").replace("–", "-").replace("_", "-")
    for label in _LABELS:
        if cleaned.startswith(label):
            cleaned = cleaned[len(label) :].lstrip(":：")
    return cleaned


def looks_like_code(text: str) -> bool:
    """Whether a search box's text is meant as a code (a letter then digits), not a name."""
    return bool(re.match(r"^[A-Z]{1,3}-?\d+$", _normalise(text)))


def parse(text: str, expect: CodeKind | None = None) -> TypedCode:
    """The code in ``text``, in its stored form; :class:`CodeError` when it is neither kind,
    ambiguous, or not the ``expect``-ed kind. ``工位 a-7`` and ``A-07`` read as seat A-07."""
    cleaned = _normalise(text)
    if not cleaned:
        raise CodeError(_("请输入编号。"))
    if match := _SEAT_RE.match(cleaned):
        typed = TypedCode(CodeKind.SEAT, f"{match[1]}-{int(match[2]):02d}")
    elif match := _ENTRY_RE.match(cleaned):
        typed = TypedCode(CodeKind.ENTRY, cleaned)
    elif match := _BARE_RE.match(cleaned):
        raise CodeError(
            _(
                "「%(text)s」不完整：赛位号写作“工位 %(seat)s”，参赛号写作“%(entry)s”。",
                text=text.strip(),
                seat=f"{match[1]}-{int(match[2]):02d}",
                entry=f"{match[1]}{int(match[2]):03d}",
            )
        )
    else:
        raise CodeError(
            _(
                "「%(text)s」不是编号：参赛号形如 A001，赛位号形如“工位 A-07”。",
                text=text.strip(),
            )
        )
    if expect is not None and typed.kind is not expect:
        raise CodeError(wrong_kind(typed, expect))
    return typed


def wrong_kind(typed: TypedCode, expect: CodeKind) -> str:
    if expect is CodeKind.SEAT:
        return _(
            "%(code)s 是参赛号；这里按赛位号（形如“工位 A-07”）查找，请核对选手的工位牌。",
            code=typed.value,
        )
    return _(
        "“%(code)s”是赛位号；这里按参赛号（形如 A001）查找。",
        code=seat_text(typed.value),
    )


def matches(entry: Entry, typed: TypedCode) -> bool:
    """Whether ``entry`` carries ``typed`` (the stored forms compared exactly)."""
    value = entry.seat_code if typed.kind is CodeKind.SEAT else entry.entry_code
    return value is not None and value.upper() == typed.value


def sort_key(code: str | None) -> tuple[int, str, int, str]:
    """Code order that stays numeric past 99 seats or 999 entries (A-100 after A-99)."""
    if not code:
        return (1, "", 0, "")
    match = re.match(r"^([A-Z]+)-?(\d+)$", code)
    if match is None:
        return (0, code, 0, code)
    return (0, match[1], int(match[2]), code)
