"""A small server-side SVG of an asset's direct dependencies: the asset in the middle, what it depends
on to the left, what depends on it to the right; arrows point from the dependent to what it needs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from aisms.apps.assets.models import Asset
from aisms.domain.assets import AssetKind

BOX_WIDTH = 240
BOX_HEIGHT = 44
ROW_GAP = 12
COLUMN_GAP = 70
PAD = 8
MAX_LABEL = 27


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _box(asset: Asset, x: int, y: int, href: str | None, *, centre: bool = False) -> str:
    kind = AssetKind(asset.kind)
    classes = ["node", "ai" if kind.is_ai else "plain"]
    if centre:
        classes.append("centre")
    if asset.archived:
        classes.append("archived")
    label = escape(_short(asset.name))
    sub = escape(kind.label + (" · archived" if asset.archived else ""))
    body = (
        f'<rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="5"></rect>'
        f'<text class="name" x="{x + 10}" y="{y + 19}">{label}</text>'
        f'<text class="kind" x="{x + 10}" y="{y + 35}">{sub}</text>'
    )
    title = f"<title>{escape(asset.name)} ({escape(kind.label)})</title>"
    if href is None:
        return f'<g class="{" ".join(classes)}">{title}{body}</g>'
    return f'<a href="{escape(href)}"><g class="{" ".join(classes)}">{title}{body}</g></a>'


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    middle = (x1 + x2) / 2
    return (
        f'<path class="edge" d="M{x1:.0f},{y1:.0f} '
        f'C{middle:.0f},{y1:.0f} {middle:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" '
        'marker-end="url(#dep-arrow)"></path>'
    )


def dependency_svg(
    asset: Asset,
    depends_on: Sequence[Asset],
    dependents: Sequence[Asset],
    url_for: Callable[[Asset], str],
) -> str:
    """The diagram as an inline SVG string, or '' when the asset has no dependencies either way."""
    if not depends_on and not dependents:
        return ""
    rows = max(len(depends_on), len(dependents), 1)
    height = PAD * 2 + rows * BOX_HEIGHT + (rows - 1) * ROW_GAP
    left_x, centre_x = PAD, PAD + BOX_WIDTH + COLUMN_GAP
    right_x = centre_x + BOX_WIDTH + COLUMN_GAP
    width = right_x + BOX_WIDTH + PAD
    centre_y = (height - BOX_HEIGHT) // 2

    def column_y(count: int, index: int) -> int:
        block = count * BOX_HEIGHT + (count - 1) * ROW_GAP
        return (height - block) // 2 + index * (BOX_HEIGHT + ROW_GAP)

    parts = []
    for index, target in enumerate(depends_on):
        y = column_y(len(depends_on), index)
        parts.append(_arrow(centre_x, centre_y + BOX_HEIGHT / 2, left_x + BOX_WIDTH + 2, y + BOX_HEIGHT / 2))
        parts.append(_box(target, left_x, y, url_for(target)))
    for index, source in enumerate(dependents):
        y = column_y(len(dependents), index)
        parts.append(_arrow(right_x, y + BOX_HEIGHT / 2, centre_x + BOX_WIDTH + 2, centre_y + BOX_HEIGHT / 2))
        parts.append(_box(source, right_x, y, url_for(source)))
    parts.append(_box(asset, centre_x, centre_y, None, centre=True))
    summary = (
        f"{asset.name} depends on {len(depends_on)} asset{'s' if len(depends_on) != 1 else ''} "
        f"and {len(dependents)} asset{'s' if len(dependents) != 1 else ''} depend on it"
    )
    return (
        '<svg class="dep-diagram" role="group" aria-labelledby="dep-diagram-title" '
        f'viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="dep-diagram-title">{escape(summary)}</title>'
        '<defs><marker id="dep-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path class="arrow-head" d="M0,0 L10,5 L0,10 z"></path></marker></defs>'
        f"{''.join(parts)}</svg>"
    )
