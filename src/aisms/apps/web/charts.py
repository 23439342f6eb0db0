"""Small server-side SVG charts (no JavaScript, readable by screen readers through their titles)."""

from __future__ import annotations

import math
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


def heat_grid(
    rows: Sequence[tuple[str, Sequence[tuple[int, str]]]],
    column_names: Sequence[str],
    *,
    title: str,
    link: str = "",
    cell_labels: Sequence[Sequence[str]] | None = None,
    label_width: int = 92,
) -> str:
    """A grid of counts (e.g. risks by likelihood x impact) with a colour per cell, as inline SVG.

    rows: from top to bottom, (row name, [(count, colour), ...]); `cell_labels`, when given, are shown
    in the cells instead of the counts (e.g. level names of a risk matrix); colours go into SVG
    attributes, which the Content-Security-Policy allows (unlike style attributes). `link`, when given,
    is a URL prefix that each non-empty cell links to with "r=<row index from the bottom, 1-based>&c=<column,
    1-based>" appended.
    """
    cell = 46
    left = label_width
    top = 8
    width = left + cell * len(column_names) + 8
    height = top + cell * len(rows) + 64
    parts = []
    for r, (row_name, cells) in enumerate(rows):
        y = top + r * cell
        parts.append(
            f'<text x="{left - 6}" y="{y + cell / 2 + 4:.0f}" text-anchor="end" class="axis-label">'
            f"{escape(row_name)}</text>"
        )
        for c, (count, colour) in enumerate(cells):
            x = left + c * cell
            shown = cell_labels[r][c] if cell_labels else (str(count) if count else "")
            label = f"{row_name} / {column_names[c]}: {shown or count}"
            rect = (
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" rx="3" '
                f'fill="{escape(colour)}" fill-opacity="{0.95 if count or cell_labels else 0.35}"></rect>'
            )
            text = (
                f'<text x="{x + cell / 2:.0f}" y="{y + cell / 2 + 5:.0f}" text-anchor="middle" '
                f'class="{"cell-label" if cell_labels else "cell-count"}">{escape(shown)}</text>'
            )
            body = f"<title>{escape(label)}</title>{rect}{text}"
            if link and count:
                href = escape(f"{link}r={len(rows) - r}&c={c + 1}")
                parts.append(f'<a href="{href}" aria-label="{escape(label)}">{body}</a>')
            else:
                parts.append(f"<g>{body}</g>")
    base = top + cell * len(rows)
    for c, name in enumerate(column_names):
        centre = left + c * cell + cell / 2
        parts.append(
            f'<text x="{centre:.0f}" y="{base + 12}" text-anchor="end" class="axis-label" '
            f'transform="rotate(-35 {centre:.0f} {base + 12})">{escape(name)}</text>'
        )
    return (
        f'<svg class="heat-grid" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(parts)}</svg>'
    )


def exceedance_chart(
    thresholds: Sequence[float],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    currency: str = "EUR",
) -> str:
    """Loss exceedance curves: probability (y) that the annual loss exceeds x (log scale), as SVG.

    The first series is drawn bold (e.g. the portfolio); the others thin, in a repeating palette.
    """
    if not thresholds or not series:
        return f'<p class="muted">{escape(title)}: nothing to draw.</p>'
    width, height = 640, 300
    left, right, top, bottom = 56, 150, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi = math.log10(max(thresholds[0], 1e-9)), math.log10(max(thresholds[-1], 1e-9))
    span = (hi - lo) or 1.0

    def x_of(value: float) -> float:
        return left + (math.log10(max(value, 1e-9)) - lo) / span * plot_w

    def y_of(probability: float) -> float:
        return top + (1 - probability) * plot_h

    palette = ["#0b5cad", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#8d6e63", "#ad1457"]
    parts = [
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#d5dae1"></rect>'
    ]
    for p in (0.25, 0.5, 0.75):
        y = y_of(p)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eef1f5"></line>'
        )
    for p in (0.0, 0.5, 1.0):
        parts.append(
            f'<text x="{left - 6}" y="{y_of(p) + 4:.1f}" text-anchor="end" class="axis-label">{p:.0%}</text>'
        )
    for exponent in range(math.ceil(lo), math.floor(hi) + 1):
        x = x_of(10.0**exponent)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" stroke="#eef1f5"></line>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle" class="axis-label">'
            f"{_money(10.0**exponent)}</text>"
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" text-anchor="middle" class="axis-label">'
        f"annual loss ({escape(currency)}, log scale)</text>"
    )
    for index, (name, values) in enumerate(series):
        points = " ".join(f"{x_of(t):.1f},{y_of(v):.1f}" for t, v in zip(thresholds, values, strict=True))
        colour = palette[index % len(palette)]
        stroke = 3 if index == 0 else 1.5
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{stroke}">'
            f"<title>{escape(name)}</title></polyline>"
        )
        ly = top + 14 + index * 16
        parts.append(
            f'<line x1="{left + plot_w + 10}" x2="{left + plot_w + 26}" y1="{ly - 4}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="{stroke}"></line>'
            f'<text x="{left + plot_w + 30}" y="{ly}" class="axis-label">{escape(name[:18])}</text>'
        )
    return (
        f'<svg class="lec-chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(parts)}</svg>'
    )


def _money(value: float) -> str:
    for limit, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if value >= limit:
            return f"{value / limit:g}{suffix}"
    return f"{value:g}"


def percent_bars(
    data: Sequence[tuple[str, float]], *, title: str, width: int = 520, bar_height: int = 20
) -> str:
    """Labelled horizontal bars of shares from 0 to 1 (drawn against a full-width track), as inline SVG."""
    if not data:
        return f'<p class="muted">{escape(title)}: nothing to show yet.</p>'
    label_width, value_width, gap = 240, 48, 6
    track = width - label_width - value_width
    height = len(data) * (bar_height + gap) + gap
    rows = []
    for index, (label, share) in enumerate(data):
        share = min(max(share, 0.0), 1.0)
        y = gap + index * (bar_height + gap)
        baseline = y + bar_height * 0.7
        rows.append(
            f"<g><title>{escape(label)}: {share:.0%}</title>"
            f'<text x="{label_width - 6}" y="{baseline:.1f}" text-anchor="end">'
            f"{escape(_shorten(label, 34))}</text>"
            f'<rect class="track" x="{label_width}" y="{y}" width="{track}" height="{bar_height}" '
            'rx="2"></rect>'
            f'<rect class="bar" x="{label_width}" y="{y}" width="{share * track:.1f}" height="{bar_height}" '
            f'rx="2"></rect><text x="{label_width + track + 4}" y="{baseline:.1f}">{share:.0%}</text></g>'
        )
    return (
        f'<svg class="bar-chart percent-chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(rows)}</svg>'
    )


def share_trend(
    points: Sequence[tuple[str, float]], *, title: str, width: int = 420, height: int = 200
) -> str:
    """A line of shares from 0 to 1 over labelled points in time (e.g. month ends), as inline SVG."""
    if not points:
        return f'<p class="muted">{escape(title)}: nothing to show yet.</p>'
    left, right, top, bottom = 40, 28, 12, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)

    def y_of(share: float) -> float:
        return top + (1 - min(max(share, 0.0), 1.0)) * plot_h

    parts = []
    for share in (0.0, 0.5, 1.0):
        y = y_of(share)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5dae1"></line>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis-label">{share:.0%}</text>'
        )
    coords = [(left + i * step, y_of(share)) for i, (_, share) in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts.append(
        f'<polyline class="trend-line" points="{path}" fill="none" stroke="#0b5cad" stroke-width="2.5">'
        "</polyline>"
    )
    for (label, share), (x, y) in zip(points, coords, strict=True):
        parts.append(
            f"<g><title>{escape(label)}: {share:.0%}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#0b5cad"></circle>'
            f'<text x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle" class="axis-label">'
            f"{escape(label)}</text></g>"
        )
    return (
        f'<svg class="trend-chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(parts)}</svg>'
    )


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
