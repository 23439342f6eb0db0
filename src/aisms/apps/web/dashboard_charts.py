"""Charts of the morning dashboard: stacked counts over time and a status strip (server-side SVG)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

Series = tuple[str, str]  # (name, colour)


def stacked_trend(
    labels: Sequence[str],
    series: Sequence[Series],
    values: Sequence[Sequence[int]],
    *,
    title: str,
    width: int = 460,
    height: int = 210,
) -> str:
    """Stacked columns of counts per point in time; values[i][s] is series s at label i."""
    if not labels or not series:
        return f'<p class="muted">{escape(title)}: nothing to show yet.</p>'
    left, right, top, bottom = 34, 8, 10, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((sum(column) for column in values), default=0) or 1
    slot = plot_w / len(labels)
    bar_w = min(38.0, slot * 0.6)
    parts = []
    for tick in (0, peak // 2, peak):
        y = top + plot_h - tick / peak * plot_h
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e1e5ea"></line>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis-label">{tick}</text>'
        )
    for i, (label, column) in enumerate(zip(labels, values, strict=True)):
        x = left + i * slot + (slot - bar_w) / 2
        base = float(top + plot_h)
        for (name, colour), count in zip(series, column, strict=True):
            if not count:
                continue
            h = count / peak * plot_h
            base -= h
            parts.append(
                f"<g><title>{escape(label)}: {escape(name)} {count}</title>"
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{escape(colour)}"></rect></g>'
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" class="axis-label">'
            f"{escape(label)}</text>"
        )
    legend, _ = _legend(list(series), x0=left, y0=height - 12, width=width)
    parts.extend(legend)
    return (
        f'<svg class="trend-chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(parts)}</svg>'
    )


_CHAR_W = 7.5  # width of one character of an axis label, in SVG units


def _legend(
    entries: Sequence[tuple[str, str]], *, x0: float, y0: float, width: float
) -> tuple[list[str], float]:
    """Swatches with labels, wrapped onto new lines; returns the markup and the y below the last line."""
    out, x, y = [], x0, y0
    for text, colour in entries:
        step = 22 + _CHAR_W * len(text)
        if x > x0 and x + step > width:
            x, y = x0, y + 16
        out.append(
            f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{escape(colour)}"></rect>'
            f'<text x="{x + 14:.1f}" y="{y:.1f}" class="axis-label">{escape(text)}</text>'
        )
        x += step
    return out, y + 8


def status_strip(parts: Sequence[tuple[str, int, str]], *, title: str, width: int = 460) -> str:
    """One bar split into (name, count, colour) segments, with a legend of counts under it."""
    total = sum(count for _, count, _ in parts)
    if not total:
        return f'<p class="muted">{escape(title)}: nothing to show yet.</p>'
    out = []
    x = 0.0
    for name, count, colour in parts:
        if not count:
            continue
        w = count / total * width
        out.append(
            f"<g><title>{escape(name)}: {count}</title>"
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="22" fill="{escape(colour)}"></rect></g>'
        )
        x += w
    legend, height = _legend(
        [(f"{name} {count}", colour) for name, count, colour in parts], x0=0, y0=41, width=width
    )
    out.extend(legend)
    return (
        f'<svg class="status-strip" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} '
        f'{height:.0f}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"{''.join(out)}</svg>"
    )
