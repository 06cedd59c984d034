"""Plausible Chinese personal names for the demo, drawn from a seeded ``random.Random``.

Real rosters are what the wall, the search and the Excel round-trips must cope with, so the
demo mixes the shapes a union office actually sees: one- and two-character given names under
common surnames weighted by frequency, compound surnames (欧阳, 诸葛 …) that make four-character
names, Uyghur names written with the middle dot (阿依古丽·买买提), and Tibetan and Mongolian
names that have no surname at all. Everything here is pure: same seed, same names.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from contest.models import Gender

__all__ = ["ETHNICITY_WEIGHTS", "HAN", "choose_ethnicity", "person_name"]

HAN = "汉族"

# Share of each 民族 among the demo's workers: mostly 汉族, as in a city in central China.
ETHNICITY_WEIGHTS: dict[str, float] = {
    HAN: 91.0,
    "回族": 2.0,
    "壮族": 1.8,
    "维吾尔族": 1.5,
    "满族": 1.2,
    "藏族": 1.0,
    "蒙古族": 1.0,
    "土家族": 0.5,
}

# The hundred most common surnames with their approximate share in per cent (2020 census
# order); sampling by weight gives the familiar crowd of 王, 李, 张, 刘, 陈.
_SURNAMES: dict[str, float] = {
    "王": 7.12,
    "李": 7.00,
    "张": 6.74,
    "刘": 5.10,
    "陈": 4.61,
    "杨": 3.22,
    "黄": 2.45,
    "赵": 2.19,
    "吴": 2.00,
    "周": 1.95,
    "徐": 1.45,
    "孙": 1.38,
    "马": 1.29,
    "朱": 1.28,
    "胡": 1.16,
    "郭": 1.13,
    "何": 1.06,
    "林": 1.02,
    "高": 1.00,
    "罗": 0.95,
    "郑": 0.93,
    "梁": 0.85,
    "谢": 0.76,
    "宋": 0.70,
    "唐": 0.70,
    "许": 0.66,
    "韩": 0.64,
    "冯": 0.61,
    "邓": 0.61,
    "曹": 0.60,
    "彭": 0.57,
    "曾": 0.56,
    "肖": 0.54,
    "田": 0.52,
    "董": 0.52,
    "袁": 0.50,
    "潘": 0.50,
    "于": 0.49,
    "蒋": 0.48,
    "蔡": 0.47,
    "余": 0.47,
    "杜": 0.46,
    "叶": 0.45,
    "程": 0.44,
    "苏": 0.43,
    "魏": 0.42,
    "吕": 0.41,
    "丁": 0.41,
    "任": 0.40,
    "沈": 0.39,
    "姚": 0.38,
    "卢": 0.37,
    "姜": 0.36,
    "崔": 0.36,
    "钟": 0.35,
    "谭": 0.34,
    "陆": 0.33,
    "汪": 0.32,
    "范": 0.32,
    "金": 0.31,
    "石": 0.30,
    "廖": 0.30,
    "贾": 0.29,
    "夏": 0.28,
    "韦": 0.27,
    "付": 0.27,
    "方": 0.26,
    "白": 0.26,
    "邹": 0.25,
    "孟": 0.25,
    "熊": 0.25,
    "秦": 0.24,
    "邱": 0.24,
    "江": 0.24,
    "尹": 0.23,
    "薛": 0.22,
    "闫": 0.22,
    "段": 0.21,
    "雷": 0.21,
    "侯": 0.21,
    "龙": 0.20,
    "史": 0.20,
    "陶": 0.19,
    "黎": 0.19,
    "贺": 0.19,
    "顾": 0.18,
    "毛": 0.18,
    "郝": 0.18,
    "龚": 0.17,
    "邵": 0.17,
    "万": 0.17,
    "钱": 0.16,
    "严": 0.16,
    "覃": 0.16,
    "武": 0.16,
    "戴": 0.15,
    "莫": 0.15,
    "孔": 0.15,
}
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "司徒",
    "东方",
    "皇甫",
    "夏侯",
    "慕容",
    "令狐",
)
_COMPOUND_SHARE = 0.015  # rare in life, but every roster has one and it breaks naive code

# Surnames typical of the Han-style names other 民族 carry.
_ETHNIC_SURNAMES: dict[str, dict[str, float]] = {
    "回族": {
        "马": 40,
        "白": 8,
        "丁": 8,
        "杨": 6,
        "海": 5,
        "纳": 4,
        "金": 4,
        "李": 4,
        "张": 4,
        "穆": 3,
        "哈": 3,
        "沙": 3,
        "回": 2,
    },
    "壮族": {
        "韦": 20,
        "覃": 15,
        "黄": 15,
        "莫": 8,
        "蒙": 6,
        "陆": 6,
        "农": 6,
        "梁": 6,
        "李": 5,
        "蓝": 5,
        "卢": 4,
    },
    "满族": {
        "关": 15,
        "佟": 10,
        "那": 8,
        "赵": 8,
        "王": 8,
        "金": 6,
        "富": 5,
        "何": 5,
        "吴": 5,
        "唐": 4,
        "索": 3,
    },
    "土家族": {"田": 15, "向": 15, "彭": 12, "覃": 10, "冉": 8, "谭": 8, "张": 6, "黄": 6},
    "蒙古族": {"包": 30, "白": 20, "韩": 10, "吴": 8, "王": 8, "宝": 8, "鲍": 6},
}

# Given-name characters, in the style of those born before and after about 1985.
_GIVEN: dict[tuple[Gender, str], tuple[str, str]] = {
    (Gender.MALE, "classic"): (
        "建国志海文永宏家德春立振明红金卫新庆玉德长学",
        "国华明平军强伟林东峰涛斌刚勇生民忠良安成荣兵富利",
    ),
    (Gender.MALE, "modern"): (
        "子浩宇俊嘉思一泽梓天博晨家铭文皓宏鑫世振",
        "轩豪然航博杰宇辰睿阳鹏飞浩凯磊超旭帆诚昊宁",
    ),
    (Gender.FEMALE, "classic"): (
        "秀玉桂丽淑春海美红凤金翠晓雪静慧艳小建素",
        "英兰芳珍梅华霞琴萍凤红燕娟敏莲云平芬霞丽",
    ),
    (Gender.FEMALE, "modern"): (
        "欣思佳雅梓雨紫可诗若梦晓嘉静婉心子一语安",
        "怡涵琪彤萱妍琳婷悦雯颖倩璐瑶薇蕾洁晴菲月",
    ),
}

# Uyghur: own given name · father's given name.
_UYGHUR_GIVEN = {
    Gender.MALE: (
        "艾力",
        "买买提",
        "艾尔肯",
        "阿不都热合曼",
        "吐尔逊",
        "艾山",
        "努尔买买提",
        "阿布都拉",
        "玉苏甫",
        "亚森",
        "依明",
        "卡德尔",
        "艾克拜尔",
        "麦麦提江",
        "吾买尔",
        "热合曼",
        "伊力哈木",
        "帕尔哈提",
        "阿迪力",
        "木拉提",
    ),
    Gender.FEMALE: (
        "阿依古丽",
        "热依拉",
        "古丽娜尔",
        "迪丽努尔",
        "帕提古丽",
        "布麦尔耶姆",
        "努尔古丽",
        "阿依努尔",
        "再努尔",
        "米热古丽",
        "古丽米拉",
        "热娜",
        "祖丽菲亚",
        "阿曼古丽",
        "海丽其汗",
        "玛依拉",
    ),
}
_UYGHUR_FATHER = (
    "买买提",
    "吐尔逊",
    "艾买提",
    "阿不都",
    "艾山",
    "托合提",
    "肉孜",
    "吾斯曼",
    "热西提",
    "司马义",
    "阿吉",
    "尼亚孜",
    "依明",
    "卡斯木",
    "沙吾提",
)

# Tibetan: two two-character elements, written together without a surname (扎西多吉).
_TIBETAN_FIRST = {
    Gender.MALE: (
        "扎西",
        "次仁",
        "格桑",
        "索朗",
        "尼玛",
        "达瓦",
        "丹增",
        "洛桑",
        "平措",
        "强巴",
        "边巴",
        "旺堆",
        "贡嘎",
        "普布",
    ),
    Gender.FEMALE: (
        "次仁",
        "格桑",
        "索朗",
        "尼玛",
        "达瓦",
        "德吉",
        "白玛",
        "普布",
        "边巴",
        "扎西",
        "央金",
        "仁增",
    ),
}
_TIBETAN_SECOND = {
    Gender.MALE: (
        "多吉",
        "顿珠",
        "平措",
        "旺堆",
        "次仁",
        "罗布",
        "才旦",
        "群培",
        "扎西",
        "旺杰",
        "加措",
    ),
    Gender.FEMALE: (
        "卓玛",
        "央金",
        "拉姆",
        "曲珍",
        "德吉",
        "措姆",
        "白珍",
        "玉珍",
        "央宗",
        "旺姆",
        "卓嘎",
    ),
}

# Mongolian: a single name, often of two elements (斯琴高娃), no surname.
_MONGOLIAN = {
    Gender.MALE: (
        "巴特尔",
        "额尔敦",
        "那顺",
        "朝鲁",
        "苏和",
        "图门",
        "宝音",
        "呼和",
        "孟和",
        "阿拉坦",
        "巴雅尔",
        "毕力格",
        "特木尔",
        "乌力吉",
        "那顺乌日图",
        "额尔敦巴特尔",
        "吉日格勒",
        "布和",
        "斯日古楞",
    ),
    Gender.FEMALE: (
        "其其格",
        "萨仁",
        "乌云",
        "斯琴",
        "托娅",
        "乌兰",
        "娜仁",
        "塔娜",
        "乌云其木格",
        "斯琴高娃",
        "萨仁图雅",
        "阿拉腾其其格",
        "娜仁花",
        "高娃",
        "图雅",
    ),
}
_MONGOLIAN_SURNAMED_SHARE = 0.3  # many Mongols in China carry a Han-style surname (包, 白 …)


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def choose_ethnicity(rng: random.Random) -> str:
    return _weighted(rng, ETHNICITY_WEIGHTS)


def _given_name(rng: random.Random, gender: Gender, birth_year: int, length: int) -> str:
    era = "classic" if birth_year < 1985 else "modern"
    # A few people born late carry classic names and the other way round.
    if rng.random() < 0.15:
        era = "modern" if era == "classic" else "classic"
    first_pool, second_pool = _GIVEN[(gender, era)]
    if length == 1:
        return rng.choice(second_pool)
    first = rng.choice(first_pool)
    second = rng.choice(second_pool)
    while second == first:  # 国国, 丽丽 exist but read as nicknames
        second = rng.choice(second_pool)
    return first + second


def _han_style(
    rng: random.Random, gender: Gender, birth_year: int, surnames: dict[str, float] | None = None
) -> str:
    if surnames is None and rng.random() < _COMPOUND_SHARE:
        surname = rng.choice(_COMPOUND_SURNAMES)
    else:
        surname = _weighted(rng, surnames or _SURNAMES)
    # One-character given names were common before the 1980s, and are coming back.
    single_share = 0.35 if birth_year < 1980 else 0.2
    length = 1 if rng.random() < single_share else 2
    return surname + _given_name(rng, gender, birth_year, length)


def _pick(rng: random.Random, options: Sequence[str]) -> str:
    return rng.choice(options)


def person_name(rng: random.Random, gender: Gender, ethnicity: str, birth_year: int) -> str:
    """A name matching ``gender`` and ``ethnicity`` (民族), in the form rosters print it."""
    if ethnicity == "维吾尔族":
        return f"{_pick(rng, _UYGHUR_GIVEN[gender])}·{_pick(rng, _UYGHUR_FATHER)}"
    if ethnicity == "藏族":
        first = _pick(rng, _TIBETAN_FIRST[gender])
        second = _pick(rng, _TIBETAN_SECOND[gender])
        while second == first:
            second = _pick(rng, _TIBETAN_SECOND[gender])
        return first + second
    if ethnicity == "蒙古族" and rng.random() >= _MONGOLIAN_SURNAMED_SHARE:
        return _pick(rng, _MONGOLIAN[gender])
    return _han_style(rng, gender, birth_year, _ETHNIC_SURNAMES.get(ethnicity))
