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


def heat_grid(
    rows: Sequence[tuple[str, Sequence[tuple[int, str]]]],
    column_names: Sequence[str],
    *,
    title: str,
    link: str = "",
) -> str:
    """A grid of counts (e.g. risks by likelihood x impact) with a colour per cell, as inline SVG.

    rows: from top to bottom, (row name, [(count, colour), ...]); colours go into SVG attributes, which the
    Content-Security-Policy allows (unlike style attributes). `link`, when given, is a URL prefix that each
    non-empty cell links to with "r=<row index from the bottom, 1-based>&c=<column, 1-based>" appended.
    """
    cell = 46
    left = 92
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
            label = f"{row_name} / {column_names[c]}: {count}"
            rect = (
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" rx="3" '
                f'fill="{escape(colour)}" fill-opacity="{0.95 if count else 0.35}"></rect>'
            )
            text = (
                f'<text x="{x + cell / 2:.0f}" y="{y + cell / 2 + 5:.0f}" text-anchor="middle" '
                f'class="cell-count">{count if count else ""}</text>'
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
