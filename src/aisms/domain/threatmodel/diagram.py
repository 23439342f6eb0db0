"""Draw a threat model as a data-flow diagram in SVG: components laid out in columns by flow depth,
trust boundaries as dashed rounded rectangles around their components (nested boundaries inside their
parent), data flows as labelled arrows. Deterministic: the same model always gives the same picture.
Every text is escaped."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape

from aisms.domain.threatmodel.model import KIND_INFO, Component, DfdType, ThreatModel

NODE_W = 176
NODE_H = 58
COL_GAP = 84
ROW_GAP = 34
PAD = 18
LABEL_H = 24
BLOCK_GAP = 40
MARGIN = 20

_FILL = {False: "#eef3fb", True: "#f3ecfb"}
_STROKE = {False: "#3b5b92", True: "#6a3fa0"}


@dataclass
class _Block:
    width: float = 0.0
    height: float = 0.0
    nodes: dict[str, tuple[float, float]] = field(default_factory=dict)  # id -> top-left
    rects: list[tuple[str, float, float, float, float]] = field(default_factory=list)  # boundary, x, y, w, h
    min_depth: int = 0


def flow_depths(model: ThreatModel) -> dict[str, int]:
    """Breadth-first distance of each component from the components nothing flows into."""
    ids = [c.id for c in model.components]
    incoming = dict.fromkeys(ids, 0)
    outgoing: dict[str, list[str]] = {cid: [] for cid in ids}
    for f in model.flows:
        incoming[f.target] += 1
        outgoing[f.source].append(f.target)
    depth: dict[str, int] = {}
    pending = [cid for cid in ids if incoming[cid] == 0] or ids[:1]
    while len(depth) < len(ids):
        queue = deque(cid for cid in pending if cid not in depth)
        for cid in queue:
            depth[cid] = 0 if not depth else min(depth.values())
        while queue:
            current = queue.popleft()
            for nxt in outgoing[current]:
                if nxt not in depth:
                    depth[nxt] = depth[current] + 1
                    queue.append(nxt)
        pending = [cid for cid in ids if cid not in depth][:1]
    return depth


def _layout_group(model: ThreatModel, boundary_id: str, depth: dict[str, int]) -> _Block:
    members = [c for c in model.components if c.boundary == boundary_id]
    children = [b.id for b in model.boundaries if b.parent == boundary_id]
    block = _Block()
    columns = sorted({depth[c.id] for c in members})
    rows: dict[int, int] = {}
    grid_w = grid_h = 0.0
    for c in members:
        col = columns.index(depth[c.id])
        row = rows.get(col, 0)
        rows[col] = row + 1
        x = PAD + col * (NODE_W + COL_GAP)
        y = LABEL_H + PAD + row * (NODE_H + ROW_GAP)
        block.nodes[c.id] = (x, y)
        grid_w = max(grid_w, x + NODE_W)
        grid_h = max(grid_h, y + NODE_H)
    child_blocks = sorted(
        (_layout_group(model, child, depth) for child in children), key=lambda b: b.min_depth
    )
    cursor_x = float(PAD)
    top = (grid_h + ROW_GAP) if members else LABEL_H + PAD
    child_h = 0.0
    for child in child_blocks:
        _shift(child, cursor_x, top, block)
        cursor_x += child.width + BLOCK_GAP / 2
        child_h = max(child_h, child.height)
    width = max(grid_w, cursor_x - BLOCK_GAP / 2 if child_blocks else 0.0, NODE_W + 2 * PAD) + PAD
    height = max(grid_h, top + child_h if child_blocks else 0.0) + PAD
    block.width, block.height = width, height
    block.rects.insert(0, (boundary_id, 0.0, 0.0, width, height))
    all_depths = [depth[c.id] for c in members] + [b.min_depth for b in child_blocks]
    block.min_depth = min(all_depths, default=0)
    return block


def _shift(child: _Block, dx: float, dy: float, into: _Block) -> None:
    for cid, (x, y) in child.nodes.items():
        into.nodes[cid] = (x + dx, y + dy)
    for bid, x, y, w, h in child.rects:
        into.rects.append((bid, x + dx, y + dy, w, h))


def layout(model: ThreatModel) -> _Block:
    depth = flow_depths(model)
    top_blocks: list[_Block] = []
    for b in model.boundaries:
        if b.parent is None:
            top_blocks.append(_layout_group(model, b.id, depth))
    for c in model.components:
        if c.boundary is None:
            single = _Block(width=NODE_W, height=NODE_H + LABEL_H, min_depth=depth[c.id])
            single.nodes[c.id] = (0.0, LABEL_H)
            top_blocks.append(single)
    top_blocks.sort(key=lambda b: b.min_depth)
    page = _Block()
    x = float(MARGIN)
    for block in top_blocks:
        _shift(block, x, MARGIN, page)
        x += block.width + BLOCK_GAP
        page.height = max(page.height, block.height + 2 * MARGIN)
    page.width = max(x - BLOCK_GAP + MARGIN, 2 * MARGIN + NODE_W)
    return page


def _clip(cx: float, cy: float, tx: float, ty: float) -> tuple[float, float]:
    """Where the line from a node's centre towards (tx, ty) leaves the node's box."""
    dx, dy = tx - cx, ty - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(
        (NODE_W / 2 + 3) / abs(dx) if dx else math.inf,
        (NODE_H / 2 + 3) / abs(dy) if dy else math.inf,
    )
    return cx + dx * scale, cy + dy * scale


def _hits(points: list[tuple[float, float]], boxes: list[tuple[float, float, float, float]]) -> int:
    return sum(1 for px, py in points for (a, b, c, d) in boxes if a <= px <= c and b <= py <= d)


def _route(
    x1: float, y1: float, x2: float, y2: float, boxes: list[tuple[float, float, float, float]], offset: float
) -> tuple[float, float]:
    """The control point of a quadratic curve from (x1, y1) to (x2, y2) that avoids other nodes."""
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    px, py = -(y2 - y1) / length, (x2 - x1) / length
    best: tuple[int, float, float, float] | None = None
    for bend in (0.0, 50.0, -50.0, 100.0, -100.0, 160.0, -160.0):
        bend += 4 * offset
        cx, cy = mx + px * bend, my + py * bend
        samples = [
            (
                (1 - t) ** 2 * x1 + 2 * (1 - t) * t * cx + t * t * x2,
                (1 - t) ** 2 * y1 + 2 * (1 - t) * t * cy + t * t * y2,
            )
            for t in (i / 24 for i in range(1, 24))
        ]
        hits = _hits(samples, boxes)
        if best is None or hits < best[0]:
            best = (hits, abs(bend), cx, cy)
        if hits == 0:
            break
    assert best is not None  # noqa: S101 - the loop runs at least once
    return best[2], best[3]


def _arrowhead(cx: float, cy: float, x2: float, y2: float) -> str:
    """A filled triangle at (x2, y2) pointing along the curve's end tangent (drawn, not a marker)."""
    dx, dy = x2 - cx, y2 - cy
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    bx, by = x2 - ux * 10, y2 - uy * 10
    left = (bx - uy * 4.5, by + ux * 4.5)
    right = (bx + uy * 4.5, by - ux * 4.5)
    return (
        f'<path d="M{x2:.1f},{y2:.1f} L{left[0]:.1f},{left[1]:.1f} L{right[0]:.1f},{right[1]:.1f} Z" '
        'fill="#2d3748"/>'
    )


def _wrap(text: str, width: int = 22, lines: int = 2) -> list[str]:
    words, out, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return [o if len(o) <= width else o[: width - 1] + "…" for o in out]


def _node(c: Component, x: float, y: float, count: int | None) -> str:
    label, dfd, is_ai = KIND_INFO[c.kind]
    fill, stroke = _FILL[is_ai], _STROKE[is_ai]
    parts = [f'<g class="tm-node" id="node-{escape(c.id)}" data-element="{escape(c.id)}">']
    parts.append(f"<title>{escape(c.name)} ({escape(label)})</title>")
    if dfd is DfdType.DATA_STORE:
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_W}" height="{NODE_H}" fill="{fill}" stroke="none"/>'
        )
        parts.append(
            f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + NODE_W:.1f}" y2="{y:.1f}" '
            f'stroke="{stroke}" stroke-width="2"/>'
        )
        parts.append(
            f'<line x1="{x:.1f}" y1="{y + NODE_H:.1f}" x2="{x + NODE_W:.1f}" y2="{y + NODE_H:.1f}" '
            f'stroke="{stroke}" stroke-width="2"/>'
        )
    else:
        rx = 16 if dfd is DfdType.PROCESS else 0
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="{rx}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.6"/>'
        )
    lines = _wrap(c.name)
    ty = y + (20 if len(lines) == 2 else 26)
    for line in lines:
        parts.append(
            f'<text x="{x + NODE_W / 2:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="12" '
            f'font-weight="600" fill="#1d2433">{escape(line)}</text>'
        )
        ty += 14
    parts.append(
        f'<text x="{x + NODE_W / 2:.1f}" y="{y + NODE_H - 7:.1f}" text-anchor="middle" font-size="10" '
        f'fill="#4a5568">{escape(label)}{" · AI" if is_ai else ""}</text>'
    )
    if count:
        parts.append(
            f'<circle cx="{x + NODE_W - 2:.1f}" cy="{y + 2:.1f}" r="11" fill="#c0392b"/>'
            f'<text x="{x + NODE_W - 2:.1f}" y="{y + 6:.1f}" text-anchor="middle" font-size="10" '
            f'font-weight="700" fill="#ffffff">{count}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def render_svg(model: ThreatModel, threat_counts: Mapping[str, int] | None = None, *, title: str = "") -> str:
    """The data-flow diagram of the model as a standalone SVG document."""
    counts = threat_counts or {}
    page = layout(model)
    width, height = page.width, page.height
    names = {b.id: b.name for b in model.boundaries}
    label = title or "Data-flow diagram of " + model.name
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-label="{escape(label)}" '
        'font-family="Helvetica, Arial, sans-serif">',
        f"<title>{escape(label)}</title>",
        f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    for bid, x, y, w, h in page.rects:
        out.append(
            f'<g class="tm-boundary" data-boundary="{escape(bid)}"><rect x="{x:.1f}" y="{y:.1f}" '
            f'width="{w:.1f}" height="{h:.1f}" rx="14" fill="none" stroke="#c0392b" stroke-width="1.5" '
            'stroke-dasharray="7 5"/>'
            f'<text x="{x + 12:.1f}" y="{y + 17:.1f}" font-size="11" font-style="italic" fill="#c0392b">'
            f"{escape(names.get(bid, bid))}</text></g>"
        )
    centres = {cid: (x + NODE_W / 2, y + NODE_H / 2) for cid, (x, y) in page.nodes.items()}
    boxes = {cid: (x - 6, y - 6, x + NODE_W + 6, y + NODE_H + 6) for cid, (x, y) in page.nodes.items()}
    pairs = {(f.source, f.target) for f in model.flows}
    labels: list[str] = []
    for f in model.flows:
        (sx, sy), (tx, ty) = centres[f.source], centres[f.target]
        offset = 7.0 if (f.target, f.source) in pairs else 0.0
        length = math.hypot(tx - sx, ty - sy) or 1.0
        nx, ny = -(ty - sy) / length * offset, (tx - sx) / length * offset
        x1, y1 = _clip(sx + nx, sy + ny, tx + nx, ty + ny)
        x2, y2 = _clip(tx + nx, ty + ny, sx + nx, sy + ny)
        others = [box for cid, box in boxes.items() if cid not in (f.source, f.target)]
        cx, cy = _route(x1, y1, x2, y2, others, offset)
        crossing = bool(model.crossed_boundaries(f))
        out.append(
            f'<g class="tm-flow" data-element="{escape(f.id)}">'
            f"<title>{escape(model.element_name(f.id))}</title>"
            f'<path d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" fill="none" stroke="#2d3748" '
            f'stroke-width="{1.6 if crossing else 1.2}"/>{_arrowhead(cx, cy, x2, y2)}</g>'
        )
        if f.label:
            text = f.label if len(f.label) <= 30 else f.label[:29] + "…"
            mx, my = 0.25 * x1 + 0.5 * cx + 0.25 * x2, 0.25 * y1 + 0.5 * cy + 0.25 * y2
            badge = f" ({counts[f.id]})" if counts.get(f.id) else ""
            w = 5.6 * (len(text) + len(badge)) + 8
            labels.append(
                f'<g class="tm-flow-label"><rect x="{mx - w / 2:.1f}" y="{my - 8:.1f}" width="{w:.1f}" '
                'height="15" '
                f'rx="3" fill="#ffffff" fill-opacity="0.9"/><text x="{mx:.1f}" y="{my + 3:.1f}" '
                f'text-anchor="middle" font-size="10" fill="#2d3748">{escape(text)}{escape(badge)}</text></g>'
            )
    for c in model.components:
        x, y = page.nodes[c.id]
        out.append(_node(c, x, y, counts.get(c.id)))
    out.extend(labels)
    out.append("</svg>")
    return "".join(out)
