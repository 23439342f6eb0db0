# ruff: noqa: E501 - SVG markup reads best with one element per source line
"""Server-side SVG charts for compliance: the control heat map, clause status bars, crosswalk grids, the
evidence expiry timeline, objective progress and the exposure bars. Colours are SVG attributes (allowed by
the Content-Security-Policy); every shape has a <title> for screen readers and tooltips."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from aisms.apps.compliance.selectors import StatusRow
from aisms.domain.compliance.status import STATUS_ORDER, ComplianceStatus
from aisms.domain.soa import THEMES, theme_label

UNMAPPED_COLOUR = "#eceff3"


def _svg(title: str, width: float, height: float, body: str, css: str, *, fixed: bool = False) -> str:
    size = f'width="{width:.0f}" height="{height:.0f}"' if fixed else 'width="100%"'
    return (
        f'<svg class="{css}" role="img" aria-label="{escape(title)}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'{size} preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def legend(statuses: Sequence[ComplianceStatus] = STATUS_ORDER, *, unmapped: bool = False) -> str:
    items = [(s.label, s.colour) for s in statuses]
    if unmapped:
        items.append(("Not mapped", UNMAPPED_COLOUR))
    parts: list[str] = []
    x = 0.0
    for label, colour in items:
        parts.append(
            f'<rect x="{x}" y="2" width="12" height="12" rx="2" fill="{colour}"></rect>'
            f'<text x="{x + 16}" y="12" font-size="11">{escape(label)}</text>'
        )
        x += 24 + 6.5 * len(label)
    return _svg("Legend", x, 18, "".join(parts), "status-legend", fixed=True)


@dataclass(frozen=True)
class Tile:
    ref: str
    title: str
    status: ComplianceStatus | None
    href: str
    note: str = ""
    label: str = ""  # shown in the square; the ref when empty


def tile_grid(groups: Sequence[tuple[str, Sequence[Tile]]], *, title: str, columns: int = 12) -> str:
    """Groups of small squares (one per control), coloured by status, each a link with a tooltip."""
    cell, gap, label_h = 44, 4, 20
    width = columns * (cell + gap) + gap
    parts, y = [], 0
    for name, tiles in groups:
        parts.append(f'<text x="{gap}" y="{y + 14}" font-size="13" font-weight="600">{escape(name)}</text>')
        y += label_h
        for i, tile in enumerate(tiles):
            x = gap + (i % columns) * (cell + gap)
            ty = y + (i // columns) * (cell + gap)
            colour = tile.status.colour if tile.status else UNMAPPED_COLOUR
            label = tile.status.label if tile.status else "Not mapped"
            ink = (
                "#fff"
                if (tile.status and tile.status.rank >= 2) or tile.status is ComplianceStatus.COMPLIANT
                else "#111"
            )
            tip = f"{tile.ref} {tile.title}: {label}" + (f" ({tile.note})" if tile.note else "")
            parts.append(
                f'<a href="{escape(tile.href)}" data-ref="{escape(tile.ref)}" data-status="'
                f'{escape(tile.status.value if tile.status else "unmapped")}"><title>{escape(tip)}</title>'
                f'<rect x="{x}" y="{ty}" width="{cell}" height="{cell}" rx="4" fill="{colour}"></rect>'
                f'<text x="{x + cell / 2:.0f}" y="{ty + cell / 2 + 4:.0f}" text-anchor="middle" font-size="11" '
                f'fill="{ink}">{escape(tile.label or tile.ref)}</text></a>'
            )
        rows = (len(tiles) + columns - 1) // columns
        y += rows * (cell + gap) + 8
    return _svg(title, width, y, "".join(parts), "tile-grid", fixed=True)


def control_heat_map(rows: Sequence[StatusRow], href: str) -> str:
    """The 93 controls grouped by theme (5 organisational, 6 people, 7 physical, 8 technological)."""
    groups: list[tuple[str, list[Tile]]] = []
    for theme in THEMES:
        tiles = [Tile(r.ref, r.title, r.status, href.replace("REF", r.ref)) for r in rows if r.group == theme]
        if tiles:
            groups.append((theme_label(theme), tiles))
    return tile_grid(groups, title="Annex A controls by theme, coloured by derived status", columns=19)


def clause_bars(rows: Sequence[StatusRow], href: str) -> str:
    """One stacked bar per clause 4-10: how many of its subclauses have each status."""
    tops = [r for r in rows if r.parent is None]
    parents = {r.parent for r in rows if r.parent}
    leaves = [r for r in rows if r.ref not in parents]
    label_w, bar_w, bar_h, gap = 190, 360, 22, 8
    parts = []
    for i, top in enumerate(tops):
        y = gap + i * (bar_h + gap)
        mine = [r for r in leaves if r.group == top.ref]
        name = f"{top.ref} {top.title}"
        parts.append(
            f'<a href="{escape(href.replace("REF", top.ref))}"><text x="{label_w - 6}" y="{y + 15}" text-anchor="end" '
            f'font-size="12">{escape(name[:30])}</text></a>'
        )
        x = float(label_w)
        for status in STATUS_ORDER:
            n = sum(1 for r in mine if r.status is status)
            if not n:
                continue
            w = bar_w * n / max(len(mine), 1)
            parts.append(
                f"<g><title>{escape(name)}: {n} {escape(status.label.lower())}</title>"
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{status.colour}"></rect>'
                f'<text x="{x + w / 2:.1f}" y="{y + 15}" text-anchor="middle" font-size="11" fill="#fff">{n}</text></g>'
            )
            x += w
    height = gap + len(tops) * (bar_h + gap)
    return _svg(
        "Clauses 4 to 10: status of their requirements",
        label_w + bar_w + 10,
        height,
        "".join(parts),
        "clause-bars",
    )


def _eur(value: float) -> str:
    if value >= 1e9:
        return f"€{value / 1e9:.1f}bn"
    if value >= 1e6:
        return f"€{value / 1e6:.1f}m"
    if value >= 1e3:
        return f"€{value / 1e3:.0f}k"
    return f"€{value:.0f}"


def exposure_bars(data: Sequence[tuple[str, float, float]]) -> str:
    """Per law: the maximum penalty (pale) and the expected exposure (dark), in EUR."""
    if not data:
        return '<p class="muted">No laws or regulations in the register yet.</p>'
    label_w, bar_w, bar_h, gap = 110, 380, 16, 14
    peak = max(m for _, m, _ in data) or 1.0
    parts = []
    for i, (name, maximum, expected) in enumerate(data):
        y = gap + i * (2 * bar_h + gap)
        wm, we = bar_w * maximum / peak, bar_w * expected / peak
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h + 4}" text-anchor="end" font-size="12">{escape(name)}</text>'
            f"<g><title>{escape(name)}: maximum penalty {_eur(maximum)}</title>"
            f'<rect x="{label_w}" y="{y}" width="{max(wm, 1):.1f}" height="{bar_h}" fill="#f3c1bb"></rect>'
            f'<text x="{label_w + wm + 4:.1f}" y="{y + 12}" font-size="11">max {_eur(maximum)}</text></g>'
            f"<g><title>{escape(name)}: expected exposure {_eur(expected)}</title>"
            f'<rect x="{label_w}" y="{y + bar_h}" width="{max(we, 1):.1f}" height="{bar_h}" fill="#b42318"></rect>'
            f'<text x="{label_w + we + 4:.1f}" y="{y + bar_h + 12}" font-size="11">expected {_eur(expected)}</text></g>'
        )
    height = gap + len(data) * (2 * bar_h + gap)
    return _svg(
        "Maximum and expected exposure per law",
        label_w + bar_w + 120,
        height,
        "".join(parts),
        "exposure-bars",
    )


def expiry_timeline(items: Sequence[tuple[str, date | None, str]], today: date, days_ahead: int = 180) -> str:
    """Evidence expiry dates on a time line from 60 days ago to `days_ahead` days ahead; expired items on the
    left edge, later ones on the right edge. items: (title, expires_on, href)."""
    dated = [(t, d, h) for t, d, h in items if d is not None]
    if not dated:
        return '<p class="muted">No evidence with an expiry date.</p>'
    left, width, top = 20, 640, 30
    start, end = today - timedelta(days=60), today + timedelta(days=days_ahead)
    span = (end - start).days

    def x_of(d: date) -> float:
        clamped = min(max(d, start), end)
        return left + width * (clamped - start).days / span

    parts = [
        f'<line x1="{left}" y1="{top + 40}" x2="{left + width}" y2="{top + 40}" stroke="#8795a8"></line>',
        f'<rect x="{x_of(today):.1f}" y="{top - 10}" width="{width * 30 / span:.1f}" height="80" fill="#fff1c2" '
        f'fill-opacity="0.7"><title>The next 30 days</title></rect>',
        f'<line x1="{x_of(today):.1f}" y1="{top - 12}" x2="{x_of(today):.1f}" y2="{top + 72}" stroke="#12355b" '
        f'stroke-dasharray="3 3"></line><text x="{x_of(today) + 3:.1f}" y="{top - 14}" font-size="11">today</text>',
    ]
    for month in range(0, span, 30):
        d = start + timedelta(days=month)
        parts.append(f'<text x="{x_of(d):.1f}" y="{top + 88}" font-size="10" fill="#5b6675">{d:%d %b}</text>')
    stacks: dict[int, int] = {}
    for title, d, href in sorted(dated, key=lambda t: t[1]):
        x = x_of(d)
        slot = int(x // 8)
        level = stacks.get(slot, 0)
        stacks[slot] = level + 1
        colour = "#b42318" if d < today else ("#d4a72c" if d <= today + timedelta(days=30) else "#1a7f37")
        y = top + 40 - 8 - (level % 5) * 9
        parts.append(
            f'<a href="{escape(href)}"><title>{escape(title)}: expires {d.isoformat()}</title>'
            f'<circle cx="{x:.1f}" cy="{y}" r="4.5" fill="{colour}"></circle></a>'
        )
    return _svg(
        "Evidence expiry timeline", left + width + 20, top + 96, "".join(parts), "expiry-timeline", fixed=True
    )


def objective_chart(
    series: Sequence[tuple[date, float]],
    *,
    baseline: float,
    target: float,
    due: date,
    title: str,
    unit: str = "",
) -> str:
    """Measurements over time as a line, with the target as a dashed line and the due date marked."""
    if not series:
        return '<p class="muted">No measurements yet.</p>'
    left, width, top, height = 44, 300, 10, 120
    days = [d for d, _ in series] + [due]
    d0, d1 = min(days), max(days)
    span = max((d1 - d0).days, 1)
    values = [v for _, v in series] + [baseline, target]
    lo, hi = min(values), max(values)
    if hi == lo:
        hi = lo + 1
    pad = (hi - lo) * 0.1
    lo, hi = lo - pad, hi + pad

    def xy(d: date, v: float) -> tuple[float, float]:
        return left + width * (d - d0).days / span, top + height * (1 - (v - lo) / (hi - lo))

    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(d, v) for d, v in series))
    _, ty = xy(d0, target)
    dx, _ = xy(due, target)
    parts = [
        f'<line x1="{left}" y1="{top + height}" x2="{left + width}" y2="{top + height}" stroke="#c9ced6"></line>',
        f'<line x1="{left}" y1="{ty:.1f}" x2="{left + width}" y2="{ty:.1f}" stroke="#1a7f37" stroke-dasharray="4 3">'
        f"<title>Target {target:g}{escape(unit)}</title></line>",
        f'<text x="{left - 4}" y="{ty + 4:.1f}" text-anchor="end" font-size="10" fill="#1a7f37">{target:g}</text>',
        f'<line x1="{dx:.1f}" y1="{top}" x2="{dx:.1f}" y2="{top + height}" stroke="#8795a8" stroke-dasharray="2 3">'
        f"<title>Due {due.isoformat()}</title></line>",
        f'<polyline points="{points}" fill="none" stroke="#0b5cad" stroke-width="2"></polyline>',
    ]
    for d, v in series:
        x, y = xy(d, v)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#0b5cad"><title>{d.isoformat()}: {v:g}{escape(unit)}'
            f"</title></circle>"
        )
    parts.append(f'<text x="{left}" y="{top + height + 14}" font-size="10" fill="#5b6675">{d0:%b %Y}</text>')
    parts.append(
        f'<text x="{left + width}" y="{top + height + 14}" text-anchor="end" font-size="10" fill="#5b6675">'
        f"due {due:%d %b %Y}</text>"
    )
    return _svg(title, left + width + 10, top + height + 20, "".join(parts), "objective-chart")
