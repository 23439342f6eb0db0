"""The SoA summary as a stacked bar chart (server-side SVG; colours come from CSS classes, CSP-safe)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

Segment = tuple[str, str, int]  # (CSS key, label, value)


def stacked_bars(
    data: Sequence[tuple[str, Sequence[Segment]]], *, title: str, width: int = 520, bar_height: int = 24
) -> str:
    """One horizontal bar per label, split into segments; bar lengths share one scale."""
    if not data:
        return f'<p class="muted">{escape(title)}: nothing to show yet.</p>'
    label_width, value_width, gap = 170, 36, 8
    height = len(data) * (bar_height + gap) + gap
    peak = max(sum(value for _, _, value in segments) for _, segments in data) or 1
    scale = (width - label_width - value_width) / peak
    bars = []
    for index, (label, segments) in enumerate(data):
        y = gap + index * (bar_height + gap)
        baseline = y + bar_height * 0.68
        total = sum(value for _, _, value in segments)
        parts = [f'<text x="{label_width - 6}" y="{baseline:.1f}" text-anchor="end">{escape(label)}</text>']
        x = float(label_width)
        for key, name, value in segments:
            if not value:
                continue
            length = value * scale
            tip = f"{escape(label)}: {value} {escape(name.lower())}"
            parts.append(
                f'<g class="seg seg-{escape(key)}"><title>{tip}</title>'
                f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{bar_height}"></rect>'
                + (
                    f'<text class="seg-value" x="{x + length / 2:.1f}" y="{baseline:.1f}" '
                    f'text-anchor="middle">{value}</text>'
                    if length >= 18
                    else ""
                )
                + "</g>"
            )
            x += length
        parts.append(f'<text x="{x + 4:.1f}" y="{baseline:.1f}">{total}</text>')
        bars.append(f"<g>{''.join(parts)}</g>")
    return (
        f'<svg class="stacked-chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(bars)}</svg>"
    )
