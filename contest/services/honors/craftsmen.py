"""The 工匠 pyramid of ``/wall/stats`` and the setting that scales the national targets.

DOMAIN §3 rule 18: by 2035 the country aims at about 2,000 大国工匠, 10,000 省级 and 50,000
市级 工匠. A union compares its own tiers against those targets scaled to its share of the
country's workers — a setting (:data:`SHARE`, in per cent), since only the union knows it.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from contest.services.core.settings import Definition, SettingError
from contest.services.core.versions import HONORS_CONTENT

__all__ = ["DEFINITIONS", "NATIONAL_TARGETS_2035", "SHARE"]

# 2035 national targets by tier (大国工匠, 省级, 市级); the lower tiers have none.
NATIONAL_TARGETS_2035 = {"national": 2000, "provincial": 10000, "city": 50000}


def _percent(text: str) -> float:
    raw = (text or "").strip().rstrip("%％")
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 100:
        raise SettingError("wall.craftsman_share", _("请填写大于 0、不超过 100 的百分比"))
    return round(value, 4)


SHARE = Definition(
    "wall.craftsman_share",
    _l("本会职工占全国职工的比例（%）"),
    0.5,
    _percent,
    lambda value: f"{value:g}",
    _l("荣誉统计页按此比例把 2035 年全国工匠目标折算为本会目标"),
    content=HONORS_CONTENT,  # /wall/stats is cached on the honors' content version
)

DEFINITIONS: tuple[Definition, ...] = (SHARE,)
