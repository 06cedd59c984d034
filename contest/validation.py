"""Validators for Chinese personal numbers, shared by forms, imports and the CLI.

Each returns the normalised value or raises ``ValueError`` with a translated message; the
message never repeats the number itself (it may end up in a log or an error report).
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


# A number Excel stored instead of text, as a sheet reader spells it: "1.10105199001011E+17",
# "110105199001011234.0".
_EXCEL_NUMBER_RE = re.compile(r"^\d+(\.\d*)?E[+-]?\d+$|^\d+\.\d*$")


def normalise_id_number(raw: object) -> str:
    """A valid 18-digit 身份证号 (GB 11643-1999), upper-case X; raises ValueError otherwise.

    Excel turns long digit strings into floats (1.10105e+17); such a cell has lost digits
    and is refused rather than guessed.
    """
    value = str(raw).strip().upper().replace(" ", "")
    if (isinstance(raw, float | int) and not isinstance(raw, bool)) or _EXCEL_NUMBER_RE.match(
        value
    ):
        raise ValueError(_("身份证号被 Excel 当作数字保存,已丢失位数;请把该列设为文本后重新填写"))
    if not _ID_RE.match(value):
        raise ValueError(_("身份证号应为 18 位(最后一位可以是 X)"))
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
    raise ValueError(_("联系电话格式不正确(手机 11 位,座机需带区号)"))


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
        raise ValueError(_("统一社会信用代码校验位不正确,请核对")) from None
    except ValidationError:
        raise ValueError(_("统一社会信用代码格式不正确(含有不允许的字符)")) from None
