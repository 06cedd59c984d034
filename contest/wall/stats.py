"""The wall's statistics page (``/wall/stats``): aggregates from the server, charts in plotly.

Lives beside ``views.py`` (both register on the wall's blueprint) so the page can grow without
touching the wall's other views. Aggregates are computed in SQL once per content version
(``honors_cache.data``), the figures are built by the pure builders of :mod:`contest.wall.charts`
with translated labels, and the page embeds them as JSON blocks that ``static/js/charts.js``
draws — CSP allows no inline script, and the tables under each chart work without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from flask import render_template
from flask_babel import gettext as _
from markupsafe import Markup

from contest.caching import honors_cache
from contest.models import HonorLevel, LifeStatus
from contest.models.person import WorkerCategory
from contest.services.honors import craftsmen, wall_stats
from contest.wall import charts
from contest.wall.blueprint import bp


@dataclass(frozen=True)
class Chart:
    """One card of the page: its heading, the figure's JSON, and its fallback table."""

    id: str
    heading: str
    payload: Markup
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]
    note: str = ""
    wide: bool = False  # spans the grid: many bars or long labels


def _payload(figure: go.Figure) -> Markup:
    """The figure's JSON, safe inside a <script type="application/json"> block."""
    return Markup(charts.figure_payload(figure))


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _text(value: object, missing: str) -> str:
    """A label cell; pandas turns a NULL in a string column into NaN, which is truthy."""
    return value if isinstance(value, str) and value else missing


def _year_rows(by_year: pd.DataFrame, levels: dict[str, str]) -> list[tuple[object, ...]]:
    """The year × level table under the first chart, with a total per year."""
    if by_year.empty:
        return []
    table = by_year.pivot_table(
        index=charts.YEAR, columns=charts.LEVEL, values=charts.COUNT, fill_value=0
    )
    rows: list[tuple[object, ...]] = []
    for year, row in table.iterrows():
        cells = [int(row.get(level, 0)) for level in levels]
        rows.append((year, *cells, sum(cells)))
    return rows


def _charts(stats: wall_stats.WallStats) -> list[Chart]:
    """The cards in page order: wide ones (many bars, long labels) alternate with pairs."""
    levels = {level.value: level.label for level in HonorLevel}
    categories = {c.value: c.label for c in WorkerCategory}
    frontline = frozenset(c.value for c in wall_stats.FRONTLINE_CATEGORIES)
    count_label, unknown = _("数量"), _("未填写")
    decade_format = _("{}年代")
    head, women = stats.headline, stats.women_by_decade

    by_year = charts.honors_by_year(
        stats.by_year_level, level_names=levels, x_title=_("年份"), y_title=count_label
    )
    by_level = charts.honors_by_level(stats.by_level, level_names=levels, x_title=count_label)
    women_share = charts.women_by_decade(
        women,
        overall=head.women_share,
        decade_format=decade_format,
        x_title=_("女性比例"),
        overall_label=_("总体"),
    )
    by_title = charts.honors_by_title(stats.by_title, x_title=count_label)
    by_industry = charts.honors_by_industry(
        stats.by_industry, x_title=count_label, unknown_label=unknown
    )
    donut = charts.worker_categories(
        stats.categories, category_names=categories, frontline=frontline, unknown_label=unknown
    )
    return [
        Chart(
            "chart-by-year",
            _("历年授予的荣誉"),
            _payload(by_year),
            (_("年份"), *levels.values(), _("合计")),
            _year_rows(stats.by_year_level, levels),
            wide=True,
        ),
        Chart(
            "chart-by-level",
            _("按级别"),
            _payload(by_level),
            (_("级别"), count_label),
            [(levels[lv], int(n)) for lv, n in stats.by_level.itertuples(index=False)],
        ),
        Chart(
            "chart-women",
            _("女性所占比例（按年代）"),
            _payload(women_share),
            (_("年代"), _("女性"), _("已知性别"), _("女性比例")),
            [
                (decade_format.format(d), int(w), int(k), _percent(w / k if k else None))
                for d, w, k in women.itertuples(index=False)
            ],
            _("按个人荣誉计；未记录性别的 %(n)d 项未计入。", n=head.gender_unknown)
            if head.gender_unknown
            else _("按个人荣誉计。"),
        ),
        Chart(
            "chart-by-title",
            _("荣誉称号（前 %(n)d 名）", n=wall_stats.TOP_TITLES),
            _payload(by_title),
            (_("荣誉称号"), count_label),
            [(t, int(n)) for t, n in stats.by_title.itertuples(index=False)],
            wide=True,
        ),
        Chart(
            "chart-by-industry",
            _("按行业"),
            _payload(by_industry),
            (_("行业"), count_label),
            [(_text(i, unknown), int(n)) for i, n in stats.by_industry.itertuples(index=False)],
        ),
        Chart(
            "chart-categories",
            _("获奖者类别"),
            _payload(donut),
            (_("类别"), count_label),
            [
                (categories.get(_text(c, ""), unknown), int(n))
                for c, n in stats.categories.itertuples(index=False)
            ],
            _("一线工人含一线职工、产业工人和农民工，按个人荣誉计，未填写类别的不计入比例。"),
        ),
        *_people_charts(stats, count_label=count_label),
    ]


def _tier_names() -> dict[str, str]:
    return {
        HonorLevel.NATIONAL.value: _("大国工匠"),
        HonorLevel.PROVINCIAL.value: _("省级工匠"),
        HonorLevel.CITY.value: _("市级工匠"),
        HonorLevel.DISTRICT.value: _("区县级工匠"),
        HonorLevel.ENTERPRISE.value: _("企业级工匠"),
    }


def _people_charts(stats: wall_stats.WallStats, *, count_label: str) -> list[Chart]:
    """The 工匠 pyramid against the scaled 2035 targets, and honorees by status (issue #14)."""
    tiers, target_label = _tier_names(), _("2035 年目标")
    statuses = {status.value: status.label for status in LifeStatus}
    share = f"{stats.craftsman_share:g}"
    pyramid = charts.craftsmen_pyramid(
        stats.craftsmen, tier_names=tiers, count_label=count_label, target_label=target_label
    )
    people = charts.honorees_by_status(stats.statuses, status_names=statuses, x_title=_("人数"))
    unfiled = int(stats.statuses[charts.UNFILED].sum()) if not stats.statuses.empty else 0
    rows: list[tuple[object, ...]] = []
    for level, count, target in stats.craftsmen.itertuples(index=False):
        reached = _percent(count / target) if target else "—"
        rows.append((tiers[level], int(count), target or "—", reached))
    return [
        Chart(
            "chart-craftsmen",
            _("工匠梯队"),
            _payload(pyramid),
            (_("层级"), count_label, target_label, _("完成比例")),
            rows,
            _(
                "按个人荣誉计，称号含“工匠”。2035 年全国目标为大国工匠 %(national)s 名、"
                "省级工匠 %(provincial)s 名、市级工匠 %(city)s 名，按本会职工占全国的 "
                "%(share)s％ 折算；区县级和企业级没有全国目标。",
                share=share,
                **{tier: f"{n:,}" for tier, n in craftsmen.NATIONAL_TARGETS_2035.items()},
            ),
        ),
        Chart(
            "chart-status",
            _("获奖者现状"),
            _payload(people),
            (_("状态"), _("人数")),
            [(statuses[s], int(n)) for s, n, _unfiled in stats.statuses.itertuples(index=False)],
            _("按人计：持有效个人荣誉的职工；未建劳模档案的 %(n)d 人按在职计。", n=unfiled)
            if unfiled
            else _("按人计：持有效个人荣誉的职工，以劳模档案所记状态为准。"),
        ),
    ]


@bp.route("/stats")
@honors_cache.page()
def stats():  # type: ignore[no-untyped-def]
    # The key names the shape of WallStats: a shared cache (Redis) may still hold the older
    # shape, without the 工匠 and status frames, while servers are upgraded one by one.
    data = honors_cache.data("wall.stats.v2", wall_stats.collect)
    return render_template(
        "wall/stats.html",
        headline=data.headline,
        charts=_charts(data) if data.headline.honors else [],
        percent=_percent,
    )
