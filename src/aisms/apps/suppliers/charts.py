"""Server-side SVG charts of the supplier overview: tier against score, the share of suppliers that use AI
on our data, and certificate expiry on a time line. Presentation attributes only (the CSP forbids inline
styles); every mark has a title for screen readers and tooltips."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from aisms.domain.suppliers.scoring import rating_band

BAND_COLOURS = {
    "strong": "#1a7f37",
    "adequate": "#0b5cad",
    "weak": "#bf8700",
    "poor": "#cf222e",
    "not scored": "#9aa5b1",
}
TIER_NAMES = {1: "Tier 1 critical", 2: "Tier 2 important", 3: "Tier 3 standard"}


def _svg(css: str, title: str, width: int, height: int, body: str) -> str:
    return (
        f'<svg class="{css}" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def tier_score_scatter(
    points: Sequence[tuple[str, int, float | None]], *, title: str, width: int = 560, height: int = 300
) -> str:
    """One dot per supplier: criticality tier across, latest questionnaire score up; unscored suppliers sit
    in a grey band below the axis. Critical suppliers with low scores stand out at the bottom left."""
    if not points:
        return f'<p class="muted">{escape(title)}: nothing to show yet.</p>'
    left, right, top, bottom = 44, 16, 14, 62
    plot_w, plot_h = width - left - right, height - top - bottom
    col_w = plot_w / 3
    parts = []
    # The worrying corner: critical and poorly scored.
    parts.append(
        f'<rect x="{left}" y="{top + plot_h * 0.6:.1f}" width="{col_w:.1f}" height="{plot_h * 0.4:.1f}" '
        'fill="#ffe1de" opacity="0.6"><title>Critical suppliers scoring under 40</title></rect>'
    )
    for value in (0, 20, 40, 60, 80, 100):
        y = top + (1 - value / 100) * plot_h
        parts.append(
            f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e9f0">'
            f'</line><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>'
        )
    unscored_y = top + plot_h + 22
    parts.append(f'<text x="{left - 6}" y="{unscored_y + 4}" text-anchor="end">n/a</text>')
    for tier in (1, 2, 3):
        cx = left + col_w * (tier - 0.5)
        parts.append(
            f'<text x="{cx:.1f}" y="{height - 8}" text-anchor="middle">{escape(TIER_NAMES[tier])}</text>'
        )
        if tier > 1:
            x = left + col_w * (tier - 1)
            parts.append(
                f'<line class="axis" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" '
                'stroke="#e4e9f0"></line>'
            )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" '
        'stroke="#9aa5b1"></line>'
    )
    by_tier: dict[int, list[tuple[str, float | None]]] = {1: [], 2: [], 3: []}
    for name, tier, score in points:
        by_tier.setdefault(tier, []).append((name, score))
    for tier, rows in by_tier.items():
        for index, (name, score) in enumerate(rows):
            spread = col_w * 0.7
            offset = (index + 1) / (len(rows) + 1) * spread - spread / 2
            cx = left + col_w * (tier - 0.5) + offset
            band = rating_band(score)
            cy = unscored_y if score is None else top + (1 - score / 100) * plot_h
            label = f"{name}: {TIER_NAMES.get(tier, tier)}, " + (
                "not scored yet" if score is None else f"score {score:.0f} ({band})"
            )
            parts.append(
                f'<g><title>{escape(label)}</title><circle class="dot" cx="{cx:.1f}" cy="{cy:.1f}" r="7" '
                f'fill="{BAND_COLOURS[band]}" stroke="#fff"></circle></g>'
            )
    return _svg("scatter", title, width, height, "".join(parts))


def share_bar(
    parts: Sequence[tuple[str, int, str]], *, title: str, width: int = 520, height: int = 58
) -> str:
    """A single stacked bar of counts (label, count, colour) with a legend below it."""
    total = sum(count for _, count, _ in parts)
    if total == 0:
        return f'<p class="muted">{escape(title)}: nothing to show yet.</p>'
    x = 0.0
    body = []
    legend_x = 0.0
    for label, count, colour in parts:
        share = count / total
        w = share * width
        body.append(
            f"<g><title>{escape(label)}: {count} of {total} ({share:.0%})</title>"
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="26" fill="{colour}"></rect></g>'
        )
        x += w
        text = f"{label}: {count}"
        body.append(
            f'<rect x="{legend_x:.1f}" y="38" width="12" height="12" fill="{colour}"></rect>'
            f'<text x="{legend_x + 16:.1f}" y="48">{escape(text)}</text>'
        )
        legend_x += 26 + 7 * len(text)
    return _svg("share-bar", title, max(width, int(legend_x)), height, "".join(body))


def expiry_timeline(
    items: Sequence[tuple[str, date]], *, today: date, horizon_days: int, title: str, width: int = 560
) -> str:
    """Certificates on a line from today to the horizon (expired ones left of today, in red)."""
    if not items:
        return f'<p class="muted">{escape(title)}: nothing to show.</p>'
    left, right, row_h, top = 210, 20, 22, 24
    plot_w = width - left - right
    earliest = min(min((d - today).days for _, d in items), 0)
    span = max(horizon_days - earliest, 1)
    height = top + row_h * len(items) + 8

    def x_of(days: int) -> float:
        return left + (days - earliest) / span * plot_w

    parts = [
        f'<line x1="{x_of(0):.1f}" x2="{x_of(0):.1f}" y1="12" y2="{height - 4}" stroke="#102a43"></line>'
        f'<text x="{x_of(0):.1f}" y="10" text-anchor="middle">today</text>'
        f'<text x="{left + plot_w:.1f}" y="10" text-anchor="end">+{horizon_days} days</text>'
    ]
    for index, (label, expires) in enumerate(sorted(items, key=lambda item: item[1])):
        days = (expires - today).days
        y = top + index * row_h + row_h / 2
        colour = "#cf222e" if days < 0 else "#bf8700" if days <= 30 else "#0b5cad"
        when = f"expired {-days} days ago" if days < 0 else f"expires in {days} days"
        parts.append(
            f"<g><title>{escape(label)}: {when} ({expires:%d %b %Y})</title>"
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(label[:34])}</text>'
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e9f0"></line>'
            f'<circle cx="{x_of(days):.1f}" cy="{y:.1f}" r="6" fill="{colour}"></circle></g>'
        )
    return _svg("timeline", title, width, int(height), "".join(parts))
