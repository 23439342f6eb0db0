"""The 'what changed' timeline as server-side SVG: one row of weekly bars per series (small multiples),
each scaled to its own peak so a handful of proposals is not flattened by thousands of intel items."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aisms.apps.posture.selectors import SERIES, SERIES_LABELS, Week

COLOURS = {
    "intel": "#5b7db1",
    "matches": "#7b61a8",
    "opened": "#c77c02",
    "accepted": "#2e7d32",
    "rejected": "#9e9e9e",
    "rescored": "#b3261e",
}


def weekly_timeline(weeks: Sequence[Week], *, title: str = "What changed, per week") -> str:
    if not weeks:
        return f'<p class="muted">{escape(title)}: nothing to show yet.</p>'
    label_width, right = 150, 12
    row_height, bar_max, top = 38, 24, 6
    column = max(22, min(56, 640 // len(weeks)))
    width = label_width + column * len(weeks) + right
    height = top + row_height * len(SERIES) + 26
    parts: list[str] = []
    for index, name in enumerate(SERIES):
        y0 = top + index * row_height
        baseline = y0 + bar_max + 8
        peak = max(w.counts[name] for w in weeks) or 1
        total = sum(w.counts[name] for w in weeks)
        label = SERIES_LABELS[name]
        parts.append(
            f'<text x="{label_width - 8}" y="{baseline - 6}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
            f'<text x="{label_width - 8}" y="{baseline + 6}" text-anchor="end" font-size="10" fill="#5f6b7a">'
            f"{total} in all</text>"
            f'<line x1="{label_width}" y1="{baseline}" x2="{width - right}" y2="{baseline}" '
            f'stroke="#d0d7de"/>'
        )
        for col, week in enumerate(weeks):
            value = week.counts[name]
            if not value:
                continue
            h = max(2.0, bar_max * value / peak)
            x = label_width + col * column + 3
            parts.append(
                f"<g><title>{escape(label)}, week of {week.start:%d %b %Y}: {value}</title>"
                f'<rect x="{x}" y="{baseline - h:.1f}" width="{column - 6}" height="{h:.1f}" '
                f'fill="{COLOURS[name]}" rx="1.5"/>'
                f'<text x="{x + (column - 6) / 2:.1f}" y="{baseline - h - 2:.1f}" text-anchor="middle" '
                f'font-size="9" fill="#333">{value}</text></g>'
            )
    axis_y = top + row_height * len(SERIES) + 14
    step = max(1, len(weeks) // 8)
    for col, week in enumerate(weeks):
        if col % step and col != len(weeks) - 1:
            continue
        centre = label_width + col * column + column / 2
        parts.append(
            f'<text x="{centre:.1f}" y="{axis_y}" text-anchor="middle" font-size="10" fill="#5f6b7a">'
            f"{week.start:%d %b}</text>"
        )
    return (
        f'<svg class="posture-timeline" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def likelihood_change(current: int | None, proposed: int | None, scale: int) -> str:
    """Two rows of scale dots: the current likelihood and the proposed one."""
    if proposed is None:
        return ""
    size, gap = 14, 4
    width = 70 + scale * (size + gap)
    rows = []
    for row, (label, value, colour) in enumerate(
        (("now", current, "#5b7db1"), ("proposed", proposed, "#b3261e"))
    ):
        if value is None:
            continue
        y = 4 + row * (size + 6)
        rows.append(f'<text x="62" y="{y + size - 3}" text-anchor="end" font-size="11">{label}</text>')
        for level in range(1, scale + 1):
            x = 70 + (level - 1) * (size + gap)
            fill = colour if level <= value else "#e4e9f0"
            rows.append(f'<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="2" fill="{fill}"/>')
        rows.append(
            f'<text x="{70 + scale * (size + gap) - gap + 4}" y="{y + size - 3}" '
            f'font-size="11">{value}</text>'
        )
    height = 2 * (size + 6) + 4
    label = (
        f"Likelihood {current} to {proposed} of {scale}" if current else f"Likelihood {proposed} of {scale}"
    )
    return (
        f'<svg role="img" aria-label="{escape(label)}" viewBox="0 0 {width + 20} {height}" '
        f'width="{width + 20}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>{"".join(rows)}</svg>'
    )
