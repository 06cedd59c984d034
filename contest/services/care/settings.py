"""The care settings an admin changes under 劳模服务 → 设置 (stored by
:mod:`contest.services.core.settings`; the defaults are DOMAIN §3 rules 18 and 26).

- **Titles that count** for the archive: an honor of a person counts when its title contains
  one of the words and its level is at least the lowest level (default: 劳动模范, 先进工作者,
  五一劳动奖章, 工匠 from 地市级 up — 全国, 省部级 and 市级 劳模 and 先进工作者, 五一劳动奖章
  and the 工匠 tiers of the issue).
- **Intervals** in years: a health check every year, a 疗休养 stay every 2 years (both for
  in-service honorees), a review of the files every 2 years.
- **Festivals** the union visits honorees for (走访慰问), in the order of the year.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from contest.models import HONOR_LEVEL_LABELS, HonorLevel
from contest.services.core import settings as store
from contest.services.core.settings import Definition, SettingError

__all__ = [
    "DEFINITIONS",
    "FESTIVALS",
    "HEALTH_CHECK_YEARS",
    "LOWEST_LEVEL",
    "RECUPERATION_YEARS",
    "REVIEW_YEARS",
    "TITLE_WORDS",
    "festivals",
    "health_check_years",
    "lowest_level",
    "recuperation_years",
    "review_years",
    "title_words",
]

_SPLIT = re.compile(r"[\s,，、;；]+")
WORD_MAX = 20
WORDS_MAX = 20


def _words(key: str, label: object) -> Any:
    def parse(text: str) -> list[str]:
        words = list(dict.fromkeys(w for w in _SPLIT.split(text or "") if w))
        if not words:
            raise SettingError(key, _("请至少填写一项%(label)s", label=label))
        if len(words) > WORDS_MAX:
            raise SettingError(key, _("%(label)s最多 %(n)d 项", label=label, n=WORDS_MAX))
        long = next((w for w in words if len(w) > WORD_MAX), None)
        if long:
            raise SettingError(key, _("“%(word)s”太长：每项最多 %(n)d 个字", word=long, n=WORD_MAX))
        return words

    return parse


def _years(key: str, low: int, high: int) -> Any:
    def parse(text: str) -> int:
        raw = (text or "").strip()
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise SettingError(
                key, _("请填写 %(low)d 到 %(high)d 之间的整数年数", low=low, high=high)
            )
        return int(raw)

    return parse


def _level(text: str) -> str:
    try:
        return HonorLevel((text or "").strip()).value
    except ValueError:
        raise SettingError("care.lowest_level", _("请选择一个荣誉级别")) from None


def _join(words: list[str]) -> str:
    return "、".join(words)


TITLE_WORDS = Definition(
    "care.title_words",
    _l("纳入档案的荣誉称号"),
    ["劳动模范", "先进工作者", "五一劳动奖章", "工匠"],
    _words("care.title_words", _l("荣誉称号")),
    _join,
    _l("个人荣誉的称号含有其中任一词语即纳入劳模档案，用顿号或换行分隔"),
)
LOWEST_LEVEL = Definition(
    "care.lowest_level",
    _l("纳入档案的最低级别"),
    HonorLevel.CITY.value,
    _level,
    lambda value: str(value),
    _l("低于此级别的荣誉不纳入劳模档案"),
)
HEALTH_CHECK_YEARS = Definition(
    "care.health_check_years",
    _l("健康体检间隔（年）"),
    1,
    _years("care.health_check_years", 1, 5),
    str,
    _l("在职劳模每隔几年安排一次健康体检"),
)
RECUPERATION_YEARS = Definition(
    "care.recuperation_years",
    _l("疗休养间隔（年）"),
    2,
    _years("care.recuperation_years", 1, 10),
    str,
    _l("在职劳模每隔几年安排一次疗休养"),
)
REVIEW_YEARS = Definition(
    "care.review_years",
    _l("动态管理复核间隔（年）"),
    2,
    _years("care.review_years", 1, 10),
    str,
    _l("每隔几年对健在的荣誉获得者复核一次"),
)
FESTIVALS = Definition(
    "care.festivals",
    _l("走访慰问的节日"),
    ["春节", "五一", "中秋"],
    _words("care.festivals", _l("节日")),
    _join,
    _l("按一年中的先后顺序填写，用顿号或换行分隔"),
)

DEFINITIONS: tuple[Definition, ...] = (
    TITLE_WORDS,
    LOWEST_LEVEL,
    HEALTH_CHECK_YEARS,
    RECUPERATION_YEARS,
    REVIEW_YEARS,
    FESTIVALS,
)

LEVEL_CHOICES = [(level.value, HONOR_LEVEL_LABELS[level]) for level in HonorLevel]


def title_words() -> list[str]:
    return list(store.read(TITLE_WORDS))


def lowest_level() -> HonorLevel:
    try:
        return HonorLevel(store.read(LOWEST_LEVEL))
    except ValueError:
        return HonorLevel.CITY


def health_check_years() -> int:
    return int(store.read(HEALTH_CHECK_YEARS))


def recuperation_years() -> int:
    return int(store.read(RECUPERATION_YEARS))


def review_years() -> int:
    return int(store.read(REVIEW_YEARS))


def festivals() -> list[str]:
    return list(store.read(FESTIVALS))
