"""Server-side SVG charts for threat intelligence: items per week by kind, KEV additions per month."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

KIND_COLOURS = {
    "vulnerability": "#b3261e",
    "attack-pattern": "#0b5cad",
    "indicator": "#6b4a00",
    "report": "#1e5e2c",
    "misp-event": "#4b1f7a",
}
OTHER_COLOUR = "#7a8594"


def _axis(left: int, width: int, y: int) -> str:
    return f'<line x1="{left}" x2="{left + width}" y1="{y}" y2="{y}" stroke="#9aa3ad"></line>'


def stacked_weeks(
    weeks: Sequence[tuple[str, dict[str, int]]], *, title: str, width: int = 560, height: int = 220
) -> str:
    """Vertical bars per week, stacked by item kind, with a legend."""
    if not weeks or not any(sum(v.values()) for _, v in weeks):
        return f'<p class="muted">{escape(title)}: nothing to show yet.</p>'
    left, right, top, bottom, legend = 36, 8, 10, 36, 20
    plot_w, plot_h = width - left - right, height - top - bottom - legend
    peak = max(sum(v.values()) for _, v in weeks) or 1
    slot = plot_w / len(weeks)
    bar = max(4.0, slot * 0.7)
    kinds = sorted({k for _, v in weeks for k in v}, key=lambda k: (k not in KIND_COLOURS, k))
    parts = [
        _axis(left, plot_w, top + plot_h),
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" class="axis-label">{peak}</text>',
    ]
    for index, (label, counts) in enumerate(weeks):
        x = left + index * slot + (slot - bar) / 2
        y = float(top + plot_h)
        for kind in kinds:
            value = counts.get(kind, 0)
            if not value:
                continue
            h = value / peak * plot_h
            y -= h
            parts.append(
                f"<g><title>{escape(label)}: {value} {escape(kind)}</title>"
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{KIND_COLOURS.get(kind, OTHER_COLOUR)}"></rect></g>'
            )
        if len(weeks) <= 12 or index % max(1, len(weeks) // 8) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                f'class="axis-label">{escape(label)}</text>'
            )
    lx = left
    for kind in kinds:
        parts.append(
            f'<rect x="{lx}" y="{height - 14}" width="10" height="10" '
            f'fill="{KIND_COLOURS.get(kind, OTHER_COLOUR)}"></rect>'
            f'<text x="{lx + 14}" y="{height - 5}" class="axis-label">{escape(kind)}</text>'
        )
        lx += 18 + 7 * len(kind)
    return (
        f'<svg class="trend-chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(parts)}</svg>'
    )


def column_chart(
    points: Sequence[tuple[str, int]],
    *,
    title: str,
    width: int = 560,
    height: int = 200,
    tick: Callable[[str], str | None] | None = None,
) -> str:
    """Vertical bars over labelled periods (e.g. KEV additions per month)."""
    if not points or not any(v for _, v in points):
        return f'<p class="muted">{escape(title)}: nothing to show yet.</p>'
    left, right, top, bottom = 36, 8, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(v for _, v in points) or 1
    slot = plot_w / len(points)
    bar = max(4.0, slot * 0.7)
    parts = [_axis(left, plot_w, top + plot_h)]
    for index, (label, value) in enumerate(points):
        x = left + index * slot + (slot - bar) / 2
        h = value / peak * plot_h
        parts.append(
            f"<g><title>{escape(label)}: {value}</title>"
            f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - h:.1f}" '
            f'width="{bar:.1f}" height="{h:.1f}"></rect>'
            + (
                f'<text x="{x + bar / 2:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" '
                f'class="axis-label">{value}</text>'
                if value
                else ""
            )
            + "</g>"
        )
        shown = tick(label) if tick is not None else label
        if shown and (tick is not None or len(points) <= 12 or index % max(1, len(points) // 8) == 0):
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                f'class="axis-label">{escape(shown)}</text>'
            )
    return (
        f'<svg class="bar-chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(parts)}</svg>'
    )
