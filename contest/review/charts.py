"""The review dashboard's chart: judge leniency as a plotly bar chart (pure, no Flask, no DB).

The caller passes ``contest.services.skills.review.leniency``'s frame (``name`` and ``leniency_pct``
per judge) and the translated labels; the figure has the site's chart look
(:mod:`contest.ui.chart_style`: no template, no modebar, our palette) and is embedded with its
``figure_payload`` so the strict CSP holds (data in a JSON block, drawn by static/js/charts.js).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from contest.ui.chart_style import FONT, GRID, INK, RED, figure_payload

__all__ = ["SEVERE", "figure_payload", "leniency_figure"]

SEVERE = "#1f5fa8"  # severe judges in blue, lenient in red: the two directions read apart


def leniency_figure(report: pd.DataFrame, *, x_title: str, hover: str) -> go.Figure:
    """Horizontal bars: each judge's mean difference from the rest of the panel, in percent of
    the aspect's maximum (``leniency_pct``); right of zero = more lenient, left = stricter.

    ``report`` has columns ``name`` and ``leniency_pct`` (NaN when a judge shares no sheet with
    another judge: drawn as 0 and said so in the hover text).  ``hover`` is a format string
    with ``{name}`` and ``{value}``.
    """
    names = [str(n) for n in report["name"]] if len(report) else []
    raw = [float(v) for v in report["leniency_pct"]] if len(report) else []
    values = [0.0 if math.isnan(v) else round(v, 2) for v in raw]
    colours = [RED if v > 0 else SEVERE for v in values]
    texts = [hover.format(name=n, value=f"{v:+.2f}") for n, v in zip(names, values, strict=True)]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            marker={"color": colours},
            hovertext=texts,
            hoverinfo="text",
            text=[f"{v:+.1f}%" for v in values],
            textposition="outside",
            cliponaxis=False,
        )
    )
    limit = max([abs(v) for v in values] + [1.0]) * 1.25
    fig.update_layout(
        template="none",
        font={"family": FONT, "size": 13, "color": INK},
        margin={"l": 8, "r": 24, "t": 12, "b": 8},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        showlegend=False,
        dragmode=False,
        height=max(160, 48 * len(names) + 80),
        xaxis={
            "title": {"text": x_title},
            "range": [-limit, limit],
            "zeroline": True,
            "zerolinecolor": INK,
            "gridcolor": GRID,
            "automargin": True,
            "ticksuffix": "%",
        },
        yaxis={"autorange": "reversed", "automargin": True, "gridcolor": GRID},
    )
    return fig
