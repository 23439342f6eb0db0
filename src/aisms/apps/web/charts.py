"""Small server-side SVG charts (no JavaScript, readable by screen readers through their titles)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def horizontal_bars(
    data: Sequence[tuple[str, int]], *, title: str, width: int = 420, bar_height: int = 20
) -> str:
    """A labelled horizontal bar chart as an inline SVG string."""
    if not data:
        return f'<p class="muted">{escape(title)}: nothing to show yet.</p>'
    label_width = 150
    value_width = 40
    gap = 6
    height = len(data) * (bar_height + gap) + gap
    peak = max(value for _, value in data) or 1
    scale = (width - label_width - value_width) / peak
    rows = []
    for index, (label, value) in enumerate(data):
        y = gap + index * (bar_height + gap)
        length = max(1.0, value * scale) if value else 0.0
        baseline = y + bar_height * 0.7
        rows.append(
            f"<g><title>{escape(label)}: {value}</title>"
            f'<text x="{label_width - 6}" y="{baseline:.1f}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="bar" x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" rx="2">'
            f'</rect><text x="{label_width + length + 4:.1f}" y="{baseline:.1f}">{value}</text></g>'
        )
    return (
        f'<svg class="bar-chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(rows)}</svg>"
    )
