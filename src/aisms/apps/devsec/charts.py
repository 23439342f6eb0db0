"""Server-side SVG for secure coding: findings over time per repository as stacked bars by severity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

SEVERITY_COLOURS = (
    ("error", "#b3261e", "Errors"),
    ("warning", "#c77700", "Warnings"),
    ("note", "#5b7ea6", "Notes"),
)


@dataclass(frozen=True)
class ScanPoint:
    label: str  # e.g. the scan date
    detail: str  # e.g. the commit
    error: int
    warning: int
    note: int

    @property
    def total(self) -> int:
        return self.error + self.warning + self.note


def findings_over_time(
    points: Sequence[ScanPoint], *, title: str, width: int = 520, height: int = 220
) -> str:
    """One stacked bar per scan (errors at the bottom), with a legend; readable through titles."""
    if not points:
        return f'<p class="muted">{escape(title)}: no scans yet.</p>'
    left, right, top, bottom = 36, 8, 26, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(max(p.total for p in points), 1)
    nice = next(n for n in (2, 4, 6, 10, 20, 30, 50, 100, 200, 500, 1000, 10**9) if n >= peak * 1.15)
    slot = plot_w / len(points)
    bar_w = min(44.0, slot * 0.7)
    parts = []
    for tick in (0, nice // 2, nice):
        y = top + plot_h - tick / nice * plot_h
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5dae1"></line>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis-label">{tick}</text>'
        )
    for index, point in enumerate(points):
        x = left + index * slot + (slot - bar_w) / 2
        y = top + plot_h
        label = (
            f"{point.label} {point.detail}: {point.error} errors, {point.warning} warnings, "
            f"{point.note} notes"
        ).replace("  ", " ")
        rects = []
        for key, colour, _ in SEVERITY_COLOURS:
            value = getattr(point, key)
            if not value:
                continue
            h = value / nice * plot_h
            y -= h
            rects.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}" '
                f'data-severity="{key}"><title>{escape(label)}</title></rect>'
            )
        total_y = y - 4
        parts.append(
            f'<g class="scan-bar"><title>{escape(label)}</title>{"".join(rects)}'
            f'<text x="{x + bar_w / 2:.1f}" y="{total_y:.1f}" text-anchor="middle" class="axis-label">'
            f"{point.total}</text>"
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" class="axis-label">'
            f"{escape(point.label)}</text></g>"
        )
    legend_x = left
    for _, colour, name in SEVERITY_COLOURS:
        parts.append(
            f'<rect x="{legend_x}" y="6" width="10" height="10" fill="{colour}"></rect>'
            f'<text x="{legend_x + 14}" y="15" class="axis-label">{name}</text>'
        )
        legend_x += 80
    return (
        f'<svg class="trend-chart findings-chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )
