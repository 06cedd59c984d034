"""Chart builders for the wall's statistics page: pure functions, DataFrame in, Figure out.

No Flask, no database query, no translation catalogue here: the caller hands in the aggregated
frames of ``contest.services.honors.wall_stats`` (whose column names the frames carry, imported
from there) and the already translated labels, so these functions can be tested without an app.
The look — palette, lean layout, the embedded payload — is :mod:`contest.ui.chart_style`'s,
shared with every other chart of the site.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from contest.services.honors.wall_stats import (
    CATEGORY,
    COUNT,
    DECADE,
    INDUSTRY,
    KNOWN,
    LEVEL,
    STATUS,
    TARGET,
    TITLE,
    UNFILED,
    WOMEN,
    YEAR,
)
from contest.ui.chart_style import GOLD, GREYS, RED, RED_DARK, figure_payload, lean_layout

__all__ = [
    "CATEGORY",
    "COUNT",
    "DECADE",
    "INDUSTRY",
    "KNOWN",
    "LEVEL",
    "STATUS",
    "TARGET",
    "TITLE",
    "UNFILED",
    "WOMEN",
    "YEAR",
    "craftsmen_pyramid",
    "figure_payload",
    "honorees_by_status",
    "honors_by_industry",
    "honors_by_level",
    "honors_by_title",
    "honors_by_year",
    "women_by_decade",
    "worker_categories",
]

# From the highest level down: the national ones stand out, local ones recede.
LEVEL_COLOURS = [RED_DARK, RED, GOLD, "#8a8f98", "#c4c8ce"]


def honors_by_year(
    df: pd.DataFrame,
    *,
    level_names: Mapping[str, str],
    x_title: str,
    y_title: str,
) -> go.Figure:
    """Stacked bars: honors per year, one trace per level (highest level at the bottom).

    ``df`` has one row per (year, level) with a count; years without honors stay gaps.
    ``level_names`` maps level values to labels and gives the stacking order.
    """
    fig = go.Figure()
    for index, (level, name) in enumerate(level_names.items()):
        part = df[df[LEVEL] == level].sort_values(YEAR)
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=part[YEAR].astype(int).tolist(),
                y=part[COUNT].astype(int).tolist(),
                name=name,
                marker={"color": LEVEL_COLOURS[index % len(LEVEL_COLOURS)]},
                hovertemplate=f"%{{x}} · {name}: %{{y}}<extra></extra>",
            )
        )
    fig.update_layout(
        lean_layout(
            barmode="stack",
            bargap=0.15,
            showlegend=True,
            # Stacked bars list their legend bottom-up by default; read it in level order.
            legend={
                "orientation": "h",
                "x": 0,
                "y": 1.02,
                "yanchor": "bottom",
                "traceorder": "normal",
            },
            margin={"l": 8, "r": 16, "t": 36, "b": 8},
            xaxis={"title": {"text": x_title}, "tickformat": "d", "showgrid": False},
            yaxis={"title": {"text": y_title}, "rangemode": "tozero"},
        )
    )
    return fig


def _horizontal_bars(
    labels: Sequence[str], counts: Sequence[int], colours: str | Sequence[str], x_title: str
) -> go.Figure:
    """Horizontal bars, largest on top, each labelled with its count (readable on a phone)."""
    fig = go.Figure(
        go.Bar(
            x=list(counts),
            y=list(labels),
            orientation="h",
            marker={"color": colours},
            text=list(counts),
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_layout(
        lean_layout(
            bargap=0.25,
            xaxis={"title": {"text": x_title}, "rangemode": "tozero", "showgrid": True},
            yaxis={"autorange": "reversed", "showgrid": False, "ticksuffix": " "},
        )
    )
    return fig


def honors_by_level(df: pd.DataFrame, *, level_names: Mapping[str, str], x_title: str) -> go.Figure:
    """Honors per level, in the levels' own order (全国 first), in the level colours."""
    counts = dict(zip(df[LEVEL], df[COUNT].astype(int), strict=True))
    present = [level for level in level_names if counts.get(level)]
    colours = [LEVEL_COLOURS[list(level_names).index(lv) % len(LEVEL_COLOURS)] for lv in present]
    return _horizontal_bars(
        [level_names[lv] for lv in present], [int(counts[lv]) for lv in present], colours, x_title
    )


def honors_by_title(df: pd.DataFrame, *, x_title: str) -> go.Figure:
    """The most frequent titles, most frequent first (the frame is already limited)."""
    return _horizontal_bars(
        df[TITLE].astype(str).tolist(), df[COUNT].astype(int).tolist(), RED, x_title
    )


def honors_by_industry(df: pd.DataFrame, *, x_title: str, unknown_label: str) -> go.Figure:
    """Honors per industry, largest first; rows without an industry get ``unknown_label``."""
    labels = [str(v) if isinstance(v, str) and v else unknown_label for v in df[INDUSTRY]]
    colours = [GREYS[0] if label == unknown_label else GOLD for label in labels]
    return _horizontal_bars(labels, df[COUNT].astype(int).tolist(), colours, x_title)


def women_by_decade(
    df: pd.DataFrame, *, overall: float | None, decade_format: str, x_title: str, overall_label: str
) -> go.Figure:
    """Share of women among person honors per decade, with the overall share as a dashed line.

    Horizontal bars, oldest decade on top, so the decade labels never need rotating on a phone.
    Decades where nobody's gender is recorded are left out rather than drawn as 0 %.
    ``decade_format`` is a ``str.format`` pattern such as ``"{}年代"``.
    """
    known = df[df[KNOWN] > 0].sort_values(DECADE)
    decades = [decade_format.format(int(d)) for d in known[DECADE]]
    shares = [
        round(float(w) / float(k), 4) for w, k in zip(known[WOMEN], known[KNOWN], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=shares,
            y=decades,
            orientation="h",
            marker={"color": GOLD},
            text=[f"{s:.0%}" for s in shares],
            textposition="outside",
            cliponaxis=False,
            showlegend=False,
            customdata=list(zip(known[WOMEN].astype(int), known[KNOWN].astype(int), strict=True)),
            hovertemplate="%{y}: %{x:.1%} (%{customdata[0]}/%{customdata[1]})<extra></extra>",
        )
    )
    if overall is not None and decades:
        fig.add_trace(
            go.Scatter(
                x=[round(overall, 4)] * len(decades),
                y=decades,
                mode="lines",
                line={"color": RED, "dash": "dash", "width": 2},
                name=f"{overall_label} {overall:.0%}",
                hovertemplate=f"{overall_label}: %{{x:.1%}}<extra></extra>",
            )
        )
    top = max([*shares, overall or 0.0, 0.1])
    fig.update_layout(
        lean_layout(
            bargap=0.3,
            showlegend=True,
            legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
            margin={"l": 8, "r": 16, "t": 28, "b": 8},
            xaxis={
                "title": {"text": x_title},
                "tickformat": ".0%",
                "range": [0, min(1.0, top * 1.25)],
            },
            yaxis={"autorange": "reversed", "showgrid": False, "ticksuffix": " "},
        )
    )
    return fig


def worker_categories(
    df: pd.DataFrame,
    *,
    category_names: Mapping[str, str],
    frontline: frozenset[str],
    unknown_label: str,
) -> go.Figure:
    """A donut of recipients' worker categories: front-line ones in reds, the rest in greys.

    Front-line categories come first (clockwise from the top) so the red arc reads as the
    front-line share; honors without a recorded category are not drawn.
    """
    known = df[df[CATEGORY].notna()]
    counts = dict(zip(known[CATEGORY], known[COUNT].astype(int), strict=True))
    order = [c for c in category_names if c in frontline and counts.get(c)]
    order += [c for c in category_names if c not in frontline and counts.get(c)]
    reds, greys = iter([RED, RED_DARK, "#d4474a", GOLD]), iter(GREYS)
    colours = [next(reds) if c in frontline else next(greys, GREYS[-1]) for c in order]
    fig = go.Figure(
        go.Pie(
            labels=[category_names.get(c, unknown_label) for c in order],
            values=[counts[c] for c in order],
            hole=0.55,
            sort=False,
            direction="clockwise",
            marker={"colors": colours, "line": {"color": "#ffffff", "width": 1}},
            texttemplate="%{percent:.0%}",
            textposition="inside",
            insidetextorientation="horizontal",
            hovertemplate="%{label}: %{value} (%{percent})<extra></extra>",
        )
    )
    fig.update_layout(
        lean_layout(
            showlegend=True,
            legend={"orientation": "v", "x": 1.0, "y": 0.5, "yanchor": "middle"},
            margin={"l": 8, "r": 8, "t": 8, "b": 8},
        )
    )
    return fig


def craftsmen_pyramid(
    df: pd.DataFrame, *, tier_names: Mapping[str, str], count_label: str, target_label: str
) -> go.Figure:
    """The 工匠 pyramid: one bar per tier centred on the axis, 大国工匠 on top, in the level
    colours and labelled with its count; the tiers with a target have it drawn around the bar
    as a gold outline of the target's width, so a full outline reads as "target reached".

    ``df`` has (level, count, target) rows; ``tier_names`` maps level values to tier names and
    gives the order. The axis itself has no meaning (the bars are centred) and is hidden.
    """
    counts = dict(zip(df[LEVEL], df[COUNT].astype(int), strict=True))
    targets = {
        level: int(target)
        for level, target in zip(df[LEVEL], df[TARGET], strict=True)
        if target is not None and not pd.isna(target)
    }
    names = [tier_names[level] for level in tier_names]
    fig = go.Figure()
    aimed = [level for level in tier_names if level in targets]
    if aimed:
        fig.add_trace(
            go.Bar(
                y=[tier_names[level] for level in aimed],
                x=[targets[level] for level in aimed],
                base=[-targets[level] / 2 for level in aimed],
                orientation="h",
                name=target_label,
                marker={"color": "rgba(0,0,0,0)", "line": {"color": GOLD, "width": 2}},
                hovertemplate=f"%{{y}} · {target_label}: %{{x}}<extra></extra>",
            )
        )
    values = [counts.get(level, 0) for level in tier_names]
    fig.add_trace(
        go.Bar(
            y=names,
            x=values,
            base=[-v / 2 for v in values],
            orientation="h",
            name=count_label,
            marker={"color": LEVEL_COLOURS[: len(names)]},
            text=values,
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"%{{y}} · {count_label}: %{{x}}<extra></extra>",
        )
    )
    fig.update_layout(
        lean_layout(
            barmode="overlay",
            bargap=0.2,
            showlegend=bool(aimed),
            legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            margin={"l": 8, "r": 24, "t": 28, "b": 8},
            xaxis={"visible": False},
            yaxis={"autorange": "reversed", "showgrid": False, "ticksuffix": " "},
        )
    )
    return fig


def honorees_by_status(
    df: pd.DataFrame, *, status_names: Mapping[str, str], x_title: str
) -> go.Figure:
    """People by what their 劳模 file says (在职 / 退休 / 去世), in that order: red, gold, grey.
    ``df`` has (status, count, unfiled) rows; the unfiled are already in the 在职 count."""
    counts = dict(zip(df[STATUS], df[COUNT].astype(int), strict=True))
    colours = [RED, GOLD, GREYS[0]]
    order = list(status_names)
    return _horizontal_bars(
        [status_names[s] for s in order],
        [counts.get(s, 0) for s in order],
        [colours[i % len(colours)] for i in range(len(order))],
        x_title,
    )
