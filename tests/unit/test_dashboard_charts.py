"""Dashboard charts: stacked columns over time and the status strip, as escaped SVG."""

from __future__ import annotations

import re

from aisms.apps.web.dashboard_charts import stacked_trend, status_strip


def test_stacked_trend_draws_one_rect_per_nonzero_count_scaled_to_the_tallest_column() -> None:
    svg = stacked_trend(
        ["Jan", "Feb"], [("High", "#c00"), ("Low", "#0a0")], [[2, 2], [0, 1]], title="Risks <open>"
    )
    assert svg.startswith('<svg class="trend-chart"')
    assert "Risks &lt;open&gt;" in svg
    assert svg.count("<rect x=") - 2 == 3  # three non-zero segments, plus two legend swatches
    heights = [float(h) for h in re.findall(r'height="([0-9.]+)" fill="#(?:c00|0a0)"', svg)]
    assert max(heights) == heights[0]
    assert "<title>Feb: Low 1</title>" in svg


def test_status_strip_splits_the_width_by_share_and_lists_counts() -> None:
    svg = status_strip([("done", 3, "#0a0"), ("open", 1, "#c00"), ("none", 0, "#999")], title="Actions")
    widths = [float(w) for w in re.findall(r'width="([0-9.]+)" height="22"', svg)]
    assert widths == [345.0, 115.0]
    assert "done 3" in svg
    assert "none 0" in svg


def test_empty_charts_say_so_instead_of_drawing() -> None:
    assert "nothing to show yet" in stacked_trend([], [], [], title="x")
    assert "nothing to show yet" in status_strip([("a", 0, "#000")], title="x")
