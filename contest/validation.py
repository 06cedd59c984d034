"""Validators shared by forms, imports, the API and the CLI: Chinese personal numbers, the
numbers people type (marks, weights, ids) and the names and codes they give things.

Each returns the normalised value or raises ``ValueError`` with a translated message; the
message never repeats the value itself (it may end up in a log or an error report). Digits are
ASCII digits only: Python's ``int``, ``Decimal`` and ``\\d`` also read full-width "１２",
Arabic-Indic "٣" and "1_000", which a person never means as a mark or an id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$", re.ASCII)


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


# A number Excel stored instead of text, as a sheet reader spells it: "1.10105199001011E+17",
# "110105199001011234.0".
_EXCEL_NUMBER_RE = re.compile(r"^\d+(\.\d*)?E[+-]?\d+$|^\d+\.\d*$", re.ASCII)


def normalise_id_number(raw: object) -> str:
    """A valid 18-digit 身份证号 (GB 11643-1999), upper-case X; raises ValueError otherwise.

    Excel turns long digit strings into floats (1.10105e+17); such a cell has lost digits
    and is refused rather than guessed.
    """
    value = str(raw).strip().upper().replace(" ", "")
    if (isinstance(raw, float | int) and not isinstance(raw, bool)) or _EXCEL_NUMBER_RE.match(
        value
    ):
        raise ValueError(_("身份证号被 Excel 当作数字保存，已丢失位数；请把该列设为文本后重新填写"))
    if not _ID_RE.match(value):
        raise ValueError(_("身份证号应为 18 位（最后一位可以是 X）"))
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValueError(_("身份证号中的出生日期无效")) from None
    if id_check_digit(value[:17]) != value[17]:
        raise ValueError(_("身份证号校验位不正确"))
    return value


def birth_date_from_id(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def gender_from_id(id_number: str) -> str:
    """ "male" or "female" from the 17th digit (odd = male)."""
    return "male" if int(id_number[16]) % 2 else "female"


def normalise_phone(raw: object) -> str:
    """A mainland mobile (11 digits, 1[3-9]…) or a landline with area code."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    value = re.sub(r"[\s()()]", "", str(raw)).removeprefix("+86")
    if _MOBILE_RE.match(value) or _LANDLINE_RE.match(value):
        return value
    raise ValueError(_("联系电话格式不正确（手机 11 位，座机需带区号）"))


def normalise_credit_code(raw: object) -> str:
    """A 统一社会信用代码 (GB 32100-2015): 18 characters, upper case, its check character right.

    The checksum is python-stdnum's (``stdnum.cn.uscc``), kept in step with the standard there.
    """
    text = str(raw or "").strip().replace(" ", "").replace("-", "").upper()
    if len(text) != 18:
        raise ValueError(_("统一社会信用代码应为 18 位"))
    try:
        return str(uscc.validate(text))
    except InvalidChecksum:
        raise ValueError(_("统一社会信用代码校验位不正确，请核对")) from None
    except ValidationError:
        raise ValueError(_("统一社会信用代码格式不正确（含有不允许的字符）")) from None


# ---------------------------------------------------------------- numbers people type

# Every id and integer column is a 32-bit INTEGER (PostgreSQL's ``integer``); SQLite stores 64
# bits. A value past this range is refused before it reaches a query, on both engines.
DB_INT_MAX = 2**31 - 1
_PLAIN_INT_RE = re.compile(r"^-?[0-9]{1,10}$")
# A plain decimal as a person writes it: ASCII digits, one optional point, an optional minus.
# No exponent ("1e3"), no "NaN"/"Infinity", no "1_000", no "0x10", no "+".
_PLAIN_DECIMAL_RE = re.compile(r"^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_DECIMAL_MAX_CHARS = 32


def db_int(raw: object) -> int:
    """A whole number in ASCII digits within the database's integer range; raises ValueError.

    Fits ``request.args.get(name, default, type=db_int)``: a value out of range, or not plain
    digits, falls back to the default instead of overflowing the query.
    """
    text = str(raw).strip()
    if not _PLAIN_INT_RE.match(text) or not -DB_INT_MAX <= int(text) <= DB_INT_MAX:
        raise ValueError(_("请输入范围内的整数"))
    return int(text)


class OutOfRange(ValueError):
    """A well-formed number outside the bounds it was checked against."""


def parse_decimal(
    raw: object, *, minimum: Decimal | None = None, maximum: Decimal | None = None
) -> Decimal:
    """A finite number from text or a JSON/Python number; raises ValueError with a message.

    Text must be a plain ASCII decimal ("12", "12.5", " 12 "): exponents, NaN, infinities,
    full-width or Arabic-Indic digits, underscores and hex are refused, whatever Python's
    ``Decimal`` would make of them. Numbers (from JSON) must be finite. With ``minimum`` or
    ``maximum``, a value outside them raises :class:`OutOfRange`; a minus sign is refused
    when ``minimum`` is not negative, so "-0" is not a mark either.
    """
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise ValueError(_("请输入数字"))
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) > _DECIMAL_MAX_CHARS or not _PLAIN_DECIMAL_RE.match(text):
            raise ValueError(_("请输入数字"))
        raw = text
    try:
        value = Decimal(raw) if isinstance(raw, str | Decimal) else Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValueError(_("请输入数字")) from None
    if not value.is_finite():
        raise ValueError(_("请输入数字"))
    if minimum is not None and (value < minimum or (minimum >= 0 and value.is_signed())):
        raise OutOfRange(_("不能小于 %(min)s", min=minimum))
    if maximum is not None and value > maximum:
        raise OutOfRange(_("不能大于 %(max)s", max=maximum))
    return value


# ---------------------------------------------------------------- names, codes, text

# Direction overrides and isolates: they make "A-01" display as another code ("Trojan
# Source"); no name or code of ours needs them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MULTILINE_CONTROLS = frozenset("\t\n\r")


def check_text(value: str, *, multiline: bool = False) -> str:
    """``value`` unchanged when a person could have meant it as a name, code or text.

    Refused with a ValueError: control characters (C0, DEL, C1; tab and line breaks are
    allowed in ``multiline`` text), direction overrides and isolates (U+202A–U+202E,
    U+2066–U+2069), and a value made only of invisible characters and spaces (a zero-width
    space is not a name). Empty or blank text is left to the field's own "required" rule.
    """
    allowed = _MULTILINE_CONTROLS if multiline else frozenset()
    for char in value:
        if unicodedata.category(char) == "Cc" and char not in allowed:
            raise ValueError(_("不能包含控制字符"))
        if char in _BIDI_CONTROLS:
            raise ValueError(_("不能包含改变文字方向的控制字符"))
    visible = value.strip()
    if visible and all(char.isspace() or unicodedata.category(char) == "Cf" for char in visible):
        raise ValueError(_("不能只有空格或不可见字符"))
    return value


def text_problem(value: object, *, multiline: bool = False) -> str | None:
    """:func:`check_text`'s message for ``value``, or None when it passes (or is not text),
    for code that collects problems per field instead of raising."""
    if not isinstance(value, str):
        return None
    try:
        check_text(value, multiline=multiline)
    except ValueError as error:
        return str(error)
    return None


def text_problems(
    cells: Mapping[str, object], *, multiline: Collection[str] = ()
) -> dict[str, str]:
    """Column → message for each text cell of an imported row that :func:`check_text` refuses
    (``multiline``: the columns that may hold line breaks, such as 事迹)."""
    found = {}
    for column, value in cells.items():
        problem = text_problem(value, multiline=column in multiline)
        if problem:
            found[column] = problem
    return found


# ------------------------------------------------------------------ Chinese punctuation

_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"}
_CJK_CHAR = re.compile(
    "[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u201c\u201d\u2018\u2019]"
)
_HALF_MARK = re.compile(r"[,;:()!?]")
# Placeholders and query strings are code, not text: %(name)s, %s, {name}, ?contest=3.
_PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{\w+\}|[?&]\w+=\S*")


def _neutral(match: re.Match[str]) -> str:
    """A placeholder as a neutral run of the same length: a name filled in by ``%(x)s`` or
    ``{x}`` reads as a word of the Chinese around it ("%(event)s：%(problem)s"), a number or a
    query string as Latin ("%(n)d:%(m)02d" stays a time)."""
    word = match.group()
    return ("字" if word.endswith(("s", "}")) and not word.startswith(("?", "&")) else "x") * len(
        word
    )


def _neighbour(text: str, index: int, step: int) -> str:
    while 0 <= index < len(text):
        if not text[index].isspace():
            return text[index]
        index += step
    return ""


def full_width_punctuation(text: str) -> str:
    """``text`` with the half-width , ; : ( ) ! ? inside Chinese made full-width.

    A mark beside a CJK character (spaces skipped) is Chinese punctuation, and so is a
    , ; : ! or ? that ends a Chinese text; parentheses go as a pair, so "（最后一位可以是 X）"
    closes as it opens. Marks between digits, codes and English stay, and so do placeholders.
    Sheet headers go through here, so "赛项(工种)" typed by hand or kept from an old template
    is the same column as the template's "赛项（工种）".
    """
    while (turned := _full_width_once(text)) != text:
        text = turned  # a mark made full-width makes its neighbour Chinese: "(备份):"
    return text


def _full_width_once(text: str) -> str:
    flat = _PLACEHOLDER.sub(_neutral, text)
    chinese = bool(_CJK_CHAR.search(flat))
    flagged: set[int] = set()
    for match in _HALF_MARK.finditer(flat):
        before = _neighbour(flat, match.start() - 1, -1)
        after = _neighbour(flat, match.end(), 1)
        beside = bool(_CJK_CHAR.match(before) or _CJK_CHAR.match(after))
        closing = chinese and after == "" and match.group() in ",;:!?"
        if beside or closing:
            flagged.add(match.start())
    opened: list[int] = []
    for index, char in enumerate(flat):
        if char == "(":
            opened.append(index)
        elif char == ")" and opened:
            start = opened.pop()
            if start in flagged or index in flagged:
                flagged.update((start, index))
    chars = list(text)
    for index in flagged:
        chars[index] = _HALF_TO_FULL[chars[index]]
        # Full-width marks carry their own space: "完成 (备份): 3" reads "完成（备份）：3".
        for step in (-1, 1):
            beside = index + step
            while 0 <= beside < len(chars) and chars[beside] == " ":
                chars[beside] = ""
                beside += step
    return "".join(chars)
