"""The leniency chart is a pure function: DataFrame in, plotly Figure out (no app needed)."""

from __future__ import annotations

import json
import math

import pandas as pd

from contest.review.charts import RED, SEVERE, figure_payload, leniency_figure


def test_leniency_bars_signed_and_coloured() -> None:
    report = pd.DataFrame(
        {"name": ["张工", "李工", "王工"], "leniency_pct": [2.5, -1.25, math.nan]}
    )
    fig = leniency_figure(report, x_title="偏差", hover="{name}:{value}%")
    bar = fig.data[0]
    assert list(bar.y) == ["张工", "李工", "王工"]
    assert list(bar.x) == [2.5, -1.25, 0.0]  # no shared sheet yet: drawn at zero
    assert list(bar.marker.color) == [RED, SEVERE, SEVERE]
    assert bar.hovertext[0] == "张工:+2.50%"
    assert fig.layout.xaxis.range[0] == -fig.layout.xaxis.range[1]  # zero in the middle


def test_payload_is_safe_json_for_a_script_block() -> None:
    report = pd.DataFrame({"name": ["</script><b>"], "leniency_pct": [1.0]})
    payload = figure_payload(leniency_figure(report, x_title="x", hover="{name}"))
    assert "</script>" not in payload and "<b>" not in payload
    assert json.loads(payload)["config"]["displayModeBar"] is False
