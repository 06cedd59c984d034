"""Valid-looking 身份证号 and mobile numbers that can never belong to a real person.

Every demo ID number uses a prefecture code of ``99`` (``PP99DD``: province, 99, district),
which no real administrative division has: the numbers pass the GB 11643 checksum, so the
platform's validators accept them, yet a leaked demo database exposes nobody. The province
part still says where someone was born (65 新疆 for a Uyghur worker, 51 四川 for a migrant
builder), which keeps the data believable when someone looks.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from contest.models import Gender
from contest.validation import id_check_digit

__all__ = ["HOME_PROVINCE", "IdentityFactory", "province_for"]

HOME_PROVINCE = "36"  # the fictional 江州市 lies in 江西; its code is 3699DD
FICTIONAL_PREFECTURE = "99"

# Provinces of birth for those who came from elsewhere (农民工 and other 民族).
_MIGRANT_PROVINCES = {"51": 3, "41": 3, "34": 2, "43": 2, "52": 1, "42": 1, "45": 1, "36": 2}
_ETHNIC_PROVINCES = {
    "维吾尔族": {"65": 1},
    "藏族": {"54": 3, "51": 1, "63": 1},
    "蒙古族": {"15": 4, "21": 1},
    "回族": {"64": 2, "62": 1, "36": 2},
    "壮族": {"45": 1},
    "满族": {"21": 2, "13": 1, "23": 1},
    "土家族": {"42": 1, "43": 1},
}

# Mobile number blocks of the three carriers (1[3-9] followed by a block digit).
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)

_EARLIEST_BIRTH = date(1965, 1, 1)
_LATEST_BIRTH = date(2003, 12, 31)


def province_for(rng: random.Random, ethnicity: str, migrant: bool) -> str:
    """The two-digit province code of a person's birthplace."""
    weights = _ETHNIC_PROVINCES.get(ethnicity)
    if weights is None:
        if not migrant:
            return HOME_PROVINCE
        weights = _MIGRANT_PROVINCES
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class IdentityFactory:
    """Hands out unique ID numbers and phone numbers from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._ids: set[str] = set()
        self._phones: set[str] = set()

    def birth_date(self, earliest: date = _EARLIEST_BIRTH, latest: date = _LATEST_BIRTH) -> date:
        earliest = max(earliest, _EARLIEST_BIRTH)
        latest = min(latest, _LATEST_BIRTH)
        return earliest + timedelta(days=self._rng.randrange((latest - earliest).days + 1))

    def id_number(self, province: str, district: int, birth: date, gender: Gender) -> str:
        """An 18-digit number whose 17th digit is odd for men and even for women."""
        area = f"{province}{FICTIONAL_PREFECTURE}{district:02d}"
        # The order code (顺序码) runs 001–999; odd for men, even for women.
        start = 1 if gender is Gender.MALE else 2
        while True:
            sequence = self._rng.randrange(start, 1000, 2)
            first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
            if first17 not in self._ids:
                self._ids.add(first17)
                return first17 + id_check_digit(first17)

    def mobile(self) -> str:
        while True:
            number = self._rng.choice(_MOBILE_PREFIXES) + f"{self._rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number
