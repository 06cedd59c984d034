"""Chart builders for the public pages of a labor competition: pure, lists in, Figure out.

No Flask, no database, no catalogue: the view hands in numbers from
``contest.services.labor.standings`` and already translated labels. The look is the site's
(:mod:`contest.ui.chart_style`), and the page embeds :func:`figure_payload` in a JSON block that
``static/js/charts.js`` draws with the offline plotly bundle, as the wall's statistics do.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import plotly.graph_objects as go

from contest.ui.chart_style import GOLD, GREYS, RED, RED_DARK, figure_payload, lean_layout

__all__ = ["breakdown_figure", "figure_payload", "trend_figure"]

# Lines of several participants: the leader in red, then gold and a few clear colours.
LINE_COLOURS = [RED, GOLD, "#1f5fa8", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037"]


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def trend_figure(
    rounds: Sequence[str],
    lines: Sequence[tuple[str, Sequence[Decimal | None]]],
    *,
    y_title: str,
    reference: Sequence[tuple[str, Sequence[Decimal | None]]] = (),
) -> go.Figure:
    """One line per participant across the rounds (a gap where it was not scored).

    ``lines`` are (name, value per round) in the order of ``rounds``; ``reference`` lines (a
    track's best and mean) are drawn dashed and grey behind them.
    """
    fig = go.Figure()
    for index, (name, values) in enumerate(reference):
        fig.add_trace(
            go.Scatter(
                x=list(rounds),
                y=[_number(v) for v in values],
                name=name,
                mode="lines",
                line={
                    "color": GREYS[index % len(GREYS)],
                    "dash": ("dash", "dot")[index % 2],
                    "width": 1.5,
                },
                hovertemplate=f"%{{x}} · {name}：%{{y}}<extra></extra>",
            )
        )
    for index, (name, values) in enumerate(lines):
        fig.add_trace(
            go.Scatter(
                x=list(rounds),
                y=[_number(v) for v in values],
                name=name,
                mode="lines+markers",
                connectgaps=False,
                line={"color": LINE_COLOURS[index % len(LINE_COLOURS)], "width": 2.5},
                marker={"size": 7},
                hovertemplate=f"%{{x}} · {name}：%{{y}}<extra></extra>",
            )
        )
    fig.update_layout(
        lean_layout(
            showlegend=True,
            legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            margin={"l": 8, "r": 16, "t": 36, "b": 8},
            xaxis={"type": "category", "showgrid": False},
            yaxis={"title": {"text": y_title}},
        )
    )
    return fig


def breakdown_figure(
    criteria: Sequence[str],
    points: Sequence[Decimal | None],
    maxima: Sequence[Decimal],
    *,
    points_name: str,
    max_name: str,
) -> go.Figure:
    """Horizontal bars per 考评项目: the points got over a pale bar of what it can give."""
    labels = list(criteria)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=[float(m) for m in maxima],
            y=labels,
            orientation="h",
            name=max_name,
            marker={"color": "#f1e3e3"},
            hovertemplate=f"%{{y}} · {max_name}：%{{x}}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=[_number(p) if p is not None else 0 for p in points],
            y=labels,
            orientation="h",
            name=points_name,
            marker={"color": RED_DARK},
            text=["—" if p is None else f"{float(p):g}" for p in points],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"%{{y}} · {points_name}：%{{x}}<extra></extra>",
        )
    )
    fig.update_layout(
        lean_layout(
            barmode="overlay",
            bargap=0.3,
            showlegend=True,
            legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            margin={"l": 8, "r": 32, "t": 36, "b": 8},
            xaxis={"rangemode": "tozero", "showgrid": True},
            yaxis={"autorange": "reversed", "showgrid": False, "ticksuffix": " "},
        )
    )
    return fig
