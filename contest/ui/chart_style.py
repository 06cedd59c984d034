"""The chart look every page shares: palette, font, the lean layout and the embedded payload.

Figures are deliberately lean — no template (``template="none"``), no modebar, our palette — so
the JSON embedded in a page stays small, and every chart reads as part of the same site. The
page embeds :func:`figure_payload` in a JSON block that ``static/js/charts.js`` draws, so the
strict CSP (no inline script) holds. Pure: plotly and the standard library only.
"""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go

__all__ = [
    "CONFIG",
    "FONT",
    "GOLD",
    "GREYS",
    "GRID",
    "INK",
    "MUTED",
    "RED",
    "RED_DARK",
    "figure_payload",
    "lean_layout",
]

RED = "#b71c1c"
RED_DARK = "#8e1414"
GOLD = "#c9a227"
INK = "#1f2328"
MUTED = "#5f6670"
GRID = "#e3e5e8"
GREYS = ["#8a8f98", "#a7acb3", "#c4c8ce", "#dcdfe3", "#6b7079"]
FONT = (
    '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
    '"Source Han Sans SC", "WenQuanYi Micro Hei", system-ui, sans-serif'
)

# Passed to Plotly.newPlot by static/js/charts.js: no toolbar, follow the card's width.
CONFIG: dict[str, Any] = {"displayModeBar": False, "responsive": True}


def lean_layout(**extra: Any) -> dict[str, Any]:
    """The shared lean layout; margins are small because the cards carry the titles.

    ``xaxis`` and ``yaxis`` given in ``extra`` are merged into the shared axis style; any other
    key replaces the default.
    """
    axis = {"gridcolor": GRID, "zeroline": False, "linecolor": GRID, "automargin": True}
    layout: dict[str, Any] = {
        "template": "none",
        "font": {"family": FONT, "size": 13, "color": INK},
        "margin": {"l": 8, "r": 16, "t": 12, "b": 8},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "xaxis": dict(axis),
        "yaxis": dict(axis),
        "showlegend": False,
        "dragmode": False,
    }
    for key, value in extra.items():
        if key in ("xaxis", "yaxis") and isinstance(value, dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def figure_payload(fig: go.Figure) -> str:
    """The JSON a page embeds for static/js/charts.js: data, layout and :data:`CONFIG`.

    ``<``, ``>`` and ``&`` are escaped so a label can never close the ``<script>`` block
    that carries the JSON (they only ever occur inside JSON strings, where ``\\u003c`` is
    the same character).
    """
    payload = json.loads(fig.to_json())
    payload["config"] = CONFIG
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
