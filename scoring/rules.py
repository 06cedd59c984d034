"""Frozen rule objects: the rubric (what is marked) and the ranking policy (how it is ranked).

They are plain values: hashable, comparable, safe to share between threads and to store in a
contest's configuration.  Every field is validated when the object is built, so an impossible rule
fails where it is written, not in the middle of a ranking.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from scoring.errors import PolicyError

Method = Literal["mean", "median", "trimmed", "sum"]
Normalize = Literal["none", "zscore", "fair"]
Kind = Literal["measurement", "judgement"]
Rounding = Literal["floor", "half_up", "ceil"]
EdgeTies = Literal["include", "exclude"]
TeamTotal = Literal["sum", "mean"]

METHODS: tuple[Method, ...] = ("mean", "median", "trimmed", "sum")
NORMALIZATIONS: tuple[Normalize, ...] = ("none", "zscore", "fair")
DEFAULT_BAND_NAMES: tuple[str, ...] = ("一等奖", "二等奖", "三等奖", "优秀奖")


@dataclass(frozen=True)
class Criterion:
    """One marked aspect of the rubric.

    ``max`` is the aspect's maximum in points.  A *measurement* mark is given in points
    (0..``max``).  A *judgement* mark is given on the scale 0..``scale`` (WorldSkills: 0–3) and is
    converted to points as ``mark / scale * max``.  ``component`` names the :class:`Component`
    (theory, practical, …) the aspect belongs to.
    """

    key: str
    max: float
    kind: Kind = "measurement"
    scale: int | None = None
    component: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            raise PolicyError("评分项缺少编号（criterion key is empty）")
        if not self.max > 0:
            raise PolicyError(f"评分项 {self.key} 的满分必须大于 0 (max must be > 0)")
        if self.kind == "judgement":
            if self.scale is None or self.scale < 1:
                raise PolicyError(f"评价分项 {self.key} 需要评分等级上限 scale ≥ 1 (e.g. 3)")
        elif self.kind == "measurement":
            if self.scale is not None:
                raise PolicyError(f"测量分项 {self.key} 不使用 scale (only judgement marks do)")
        else:
            raise PolicyError(f"评分项 {self.key} 的类型无效：{self.kind!r}")

    @property
    def mark_max(self) -> float:
        """Largest mark a judge may enter: ``scale`` for judgement, ``max`` for measurement."""
        return float(self.scale) if self.scale is not None else self.max

    @property
    def label(self) -> str:
        return self.name or self.key


@dataclass(frozen=True)
class Component:
    """A part of the contest (理论 / 实操 / 答辩) with its weight in the final total.

    The component score is the points of its criteria rescaled to ``max`` (default 100):
    ``points / sum(criterion max) * max``.  The final total is the weighted mean
    ``sum(weight * score) / sum(weight)``, so weights 30 and 70 give ``0.3 T + 0.7 P`` on 100.
    ``pass_mark``: an entry below it in this component is not eligible for awards or titles.
    """

    key: str
    weight: float = 1.0
    max: float = 100.0
    name: str = ""
    pass_mark: float | None = None

    def __post_init__(self) -> None:
        if not self.key:
            raise PolicyError("模块缺少编号（component key is empty）")
        if not self.weight >= 0:
            raise PolicyError(f"模块 {self.key} 的权重不能为负（weight must be ≥ 0）")
        if not self.max > 0:
            raise PolicyError(f"模块 {self.key} 的满分必须大于 0 (max must be > 0)")

    @property
    def label(self) -> str:
        return self.name or self.key


@dataclass(frozen=True)
class Rubric:
    """The criteria of an event, optionally grouped into weighted components.

    Without components the total is the plain sum of the criteria's points.  With components
    every criterion must name one of them and the total is their weighted mean (see
    :class:`Component`).
    """

    criteria: tuple[Criterion, ...]
    components: tuple[Component, ...] = ()

    def __post_init__(self) -> None:
        if not self.criteria:
            raise PolicyError("评分细则至少需要一个评分项（a rubric needs criteria）")
        keys = [c.key for c in self.criteria]
        if len(set(keys)) != len(keys):
            raise PolicyError(f"评分项编号重复：{_dupes(keys)}")
        comp_keys = [c.key for c in self.components]
        if len(set(comp_keys)) != len(comp_keys):
            raise PolicyError(f"模块编号重复：{_dupes(comp_keys)}")
        if self.components:
            if sum(c.weight for c in self.components) <= 0:
                raise PolicyError("模块权重之和必须大于 0 (weights sum to zero)")
            for crit in self.criteria:
                if crit.component not in comp_keys:
                    raise PolicyError(
                        f"评分项 {crit.key} 的模块 {crit.component!r} 未定义 "
                        f"(criterion names an unknown component)"
                    )

    def criterion(self, key: str) -> Criterion:
        for crit in self.criteria:
            if crit.key == key:
                return crit
        raise KeyError(key)

    def component(self, key: str) -> Component:
        for comp in self.components:
            if comp.key == key:
                return comp
        raise KeyError(key)


@dataclass(frozen=True)
class TieBreak:
    """One link of the tie-break chain, applied to entries whose rounded totals are equal.

    ``kind`` is ``"component"`` or ``"criterion"`` (higher score wins; ``key`` names it) or
    ``"time"`` (shorter time wins; entries without a time come last).  Build them with
    :meth:`component`, :meth:`criterion`, :meth:`shorter_time` or :meth:`parse`
    (``"component:practical"``, ``"criterion:C3"``, ``"time"``).
    """

    kind: Literal["component", "criterion", "time"]
    key: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.kind in ("component", "criterion"):
            if not self.key:
                raise PolicyError(f"并列规则 {self.kind} 需要指定编号（key）")
        elif self.kind == "time":
            if self.key is not None:
                raise PolicyError("用时并列规则不需要编号（time takes no key）")
        else:
            raise PolicyError(f"未知的并列规则：{self.kind!r}")

    @classmethod
    def component(cls, key: str, name: str = "") -> TieBreak:
        return cls("component", key, name)

    @classmethod
    def criterion(cls, key: str, name: str = "") -> TieBreak:
        return cls("criterion", key, name)

    @classmethod
    def shorter_time(cls) -> TieBreak:
        return cls("time")

    @classmethod
    def parse(cls, text: str) -> TieBreak:
        kind, _, key = text.strip().partition(":")
        kind = kind.strip().lower()
        if kind == "time":
            return cls.shorter_time()
        if kind in ("component", "criterion") and key.strip():
            return cls(kind, key.strip())  # type: ignore[arg-type]
        raise PolicyError(f"无法识别的并列规则 {text!r} (use component:KEY, criterion:KEY or time)")

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.kind == "time":
            return "用时"
        return f"{self.key}成绩" if self.kind == "component" else f"评分项 {self.key}"


@dataclass(frozen=True)
class AwardBand:
    """One award band, best first in :attr:`RankingPolicy.awards`.

    A band is bounded by a proportion of the field (``share``, per band: 一等 0.1, 二等 0.2, …),
    a fixed number of entries (``count``), a minimum total (``min_total``), or a proportion or
    count *and* a minimum total.  ``upto`` makes a "the rest" band: it takes the entries not yet
    awarded until ``upto`` of the field (cumulative, counting the bands above) is reached — 优胜奖
    for the rest of the top half is ``AwardBand("优胜奖", upto=0.5)`` after fixed-count bands.
    How proportions are rounded and how ties at a band's edge are treated is set on the policy
    (``award_rounding``, ``edge_ties``); see ``docs/scoring.md``.
    """

    name: str
    share: float | None = None
    count: int | None = None
    min_total: float | None = None
    upto: float | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise PolicyError("奖项名称不能为空（band name is empty）")
        if sum(x is not None for x in (self.share, self.count, self.upto)) > 1:
            raise PolicyError(
                f"奖项 {self.name} 只能按比例、按名额或按“前若干比例的其余选手”之一设置"
            )
        if (
            self.share is None
            and self.count is None
            and self.min_total is None
            and self.upto is None
        ):
            raise PolicyError(f"奖项 {self.name} 需要比例、名额或最低分")
        if self.upto is not None and not 0 < self.upto <= 1:
            raise PolicyError(f"奖项 {self.name} 的覆盖比例须在 0 与 1 之间（upto in (0, 1])")
        if self.share is not None and not 0 < self.share <= 1:
            raise PolicyError(f"奖项 {self.name} 的比例须在 0 与 1 之间（share in (0, 1])")
        if self.count is not None and self.count < 0:
            raise PolicyError(f"奖项 {self.name} 的名额不能为负")

    @property
    def exact_share(self) -> Fraction | None:
        """The share as an exact fraction of its decimal spelling (0.1 → 1/10, not 0.1000…01)."""
        return None if self.share is None else Fraction(repr(float(self.share)))

    @property
    def exact_upto(self) -> Fraction | None:
        return None if self.upto is None else Fraction(repr(float(self.upto)))


@dataclass(frozen=True)
class Title:
    """A title linked to placing: ranks ``best``..``worst`` inclusive (1st → 五一劳动奖章推荐资格,
    1–5 → 技术能手, 6–20 → 高级工).  Entries tied at rank ``worst`` all qualify.

    ``recommend``: placing only puts the entrant forward for the title (推荐, e.g. 五一劳动奖章,
    conferred later by its own nomination), so it is reported in the ranking's ``recommended``
    column, never with the titles conferred."""

    name: str
    best: int = 1
    worst: int = 1
    recommend: bool = False

    def __post_init__(self) -> None:
        if not self.name:
            raise PolicyError("称号名称不能为空（title name is empty）")
        if not 1 <= self.best <= self.worst:
            raise PolicyError(f"称号 {self.name} 的名次范围无效：{self.best}–{self.worst}")


@dataclass(frozen=True)
class StandardScale:
    """Optional standardised scale, reported next to the total (ranking is unchanged).

    ``standardised = centre + width * (total - median) / sd``, where ``median`` and ``sd``
    (population standard deviation) are taken over the ranked field.  With the WorldSkills-style
    default the median entry gets 700 and one standard deviation is 100 points.  If every total is
    equal, everyone gets ``centre``.
    """

    centre: float = 700.0
    width: float = 100.0

    def __post_init__(self) -> None:
        if not self.width > 0:
            raise PolicyError("标准分的宽度必须大于 0 (width must be > 0)")


@dataclass(frozen=True)
class RankingPolicy:
    """How marks become totals, ranks, awards and titles.  All fields have safe defaults.

    - ``method``: aggregation across the judges of one entry and criterion — ``mean``,
      ``median``, ``trimmed`` (drop ``trim`` highest and ``trim`` lowest marks, then mean) or
      ``sum``.  Judges who did not mark are left out, never counted as zero.
    - ``normalize``: ``none``; ``zscore`` (per judge and criterion, rescaled to the criterion's
      overall mean and spread); ``fair`` (additive leniency model for incomplete panels).
    - ``precision``: decimals kept (half-up) before totals are compared, so float noise never makes
      or breaks a tie.
    - ``tie_breaks``: ordered chain applied to equal totals; entries equal on every link share the
      rank (competition ranking 1, 2, 2, 4).
    - ``awards``, ``award_rounding``, ``edge_ties``: award bands, best first.
    - ``titles``: titles linked to placing.
    - ``min_field``: a field smaller than this gets no awards and no titles (a note says so).
    - ``team_total``: rank teams (``team`` column) by the ``sum`` or ``mean`` of member totals.
    - ``scale``: optional standardised scale (:class:`StandardScale`).
    - ``max_spread``: flag (entry, criterion) sheets whose judges differ by more than this, on the
      marks as entered (judgement criteria only when a rubric is given).
    """

    method: Method = "mean"
    trim: int = 0
    normalize: Normalize = "none"
    precision: int = 2
    tie_breaks: tuple[TieBreak, ...] = ()
    awards: tuple[AwardBand, ...] = ()
    award_rounding: Rounding = "floor"
    edge_ties: EdgeTies = "include"
    titles: tuple[Title, ...] = ()
    min_field: int = 0
    team_total: TeamTotal | None = None
    scale: StandardScale | None = None
    max_spread: float | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise PolicyError(f"未知的汇总方法 {self.method!r} (use {', '.join(METHODS)})")
        if self.normalize not in NORMALIZATIONS:
            raise PolicyError(
                f"未知的标准化方法 {self.normalize!r} (use {', '.join(NORMALIZATIONS)})"
            )
        if self.trim < 0:
            raise PolicyError("去掉的最高/最低分个数不能为负（trim must be ≥ 0）")
        if self.trim and self.method != "trimmed":
            raise PolicyError(
                "只有去掉最高最低分的平均（method='trimmed'）才能设置 trim "
                "(trim requires method='trimmed')"
            )
        if not 0 <= self.precision <= 6:
            raise PolicyError("保留小数位数须在 0 到 6 之间（precision in 0..6）")
        if self.award_rounding not in ("floor", "half_up", "ceil"):
            raise PolicyError(f"未知的取整规则 {self.award_rounding!r}")
        if self.edge_ties not in ("include", "exclude"):
            raise PolicyError(f"未知的并列边界规则 {self.edge_ties!r}")
        if self.min_field < 0:
            raise PolicyError("最低参赛人数不能为负（min_field must be ≥ 0）")
        if self.team_total not in (None, "sum", "mean"):
            raise PolicyError(f"未知的团体成绩规则 {self.team_total!r}")
        if self.max_spread is not None and self.max_spread < 0:
            raise PolicyError("允许的评分差不能为负（max_spread must be ≥ 0）")
        names = [b.name for b in self.awards]
        if len(set(names)) != len(names):
            raise PolicyError(f"奖项名称重复：{_dupes(names)}")
        links = [(t.kind, t.key) for t in self.tie_breaks]
        if len(set(links)) != len(links):
            raise PolicyError("并列规则重复（a tie-break appears twice）")


_COUNT = re.compile(r"^\d+$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)\s*%$")
_DECIMAL = re.compile(r"^0?\.\d+$")


def parse_awards(
    spec: str | Sequence[str | float | int | AwardBand] | None,
    names: Sequence[str] = DEFAULT_BAND_NAMES,
) -> tuple[AwardBand, ...]:
    """Award bands from the short form used by ``rank(awards=…)`` and ``contest rank --awards``.

    ``"10%,20%,30%"`` or ``["10%", "20%", "30%"]`` or ``[0.1, 0.2, 0.3]`` are proportions per
    band; ``"1,2,5"`` or ``[1, 2, 5]`` (integers) are fixed counts per band; items may also be
    :class:`AwardBand`.  Bands are named 一等奖, 二等奖, 三等奖, 优秀奖, then 第5档 ….
    """
    if spec is None:
        return ()
    items: Sequence[str | float | int | AwardBand]
    items = [s for s in spec.split(",") if s.strip()] if isinstance(spec, str) else spec
    bands: list[AwardBand] = []
    for position, item in enumerate(items):
        name = names[position] if position < len(names) else f"第{position + 1}档"
        if isinstance(item, AwardBand):
            bands.append(item)
        elif isinstance(item, bool):
            raise PolicyError(f"无法识别的奖项设置 {item!r}")
        elif isinstance(item, int):
            bands.append(AwardBand(name, count=item))
        elif isinstance(item, float):
            if not 0 < item < 1:
                raise PolicyError(
                    f"奖项比例 {item!r} 须在 0 与 1 之间；名额请写整数（use an int for a count）"
                )
            bands.append(AwardBand(name, share=item))
        else:
            text = str(item).strip()
            if _COUNT.match(text):
                bands.append(AwardBand(name, count=int(text)))
            elif match := _PERCENT.match(text):
                bands.append(AwardBand(name, share=float(match.group(1)) / 100))
            elif _DECIMAL.match(text):
                bands.append(AwardBand(name, share=float(text)))
            else:
                raise PolicyError(
                    f"无法识别的奖项设置 {text!r} (use 10%, 0.1 or a whole count such as 3)"
                )
    return tuple(bands)


def _dupes(keys: Sequence[str]) -> str:
    return ", ".join(sorted({k for k in keys if keys.count(k) > 1}))
