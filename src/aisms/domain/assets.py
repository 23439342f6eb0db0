"""Asset vocabulary: kinds (AI assets included), classification, CIA values, CPE 2.3 names,
and the dependency graph between assets (reachability, paths, cycles)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Hashable, Iterable, Mapping
from enum import StrEnum
from typing import TypeVar

Node = TypeVar("Node", bound=Hashable)


class AssetKind(StrEnum):
    INFORMATION = "information"
    APPLICATION = "application"
    INFRASTRUCTURE = "infrastructure"
    SERVICE = "service"  # a third-party (non-AI) service
    PEOPLE = "people"
    SITE = "site"
    AI_SYSTEM = "ai_system"
    MODEL = "model"
    DATASET = "dataset"  # training, evaluation or fine-tuning data
    ML_PIPELINE = "ml_pipeline"
    VECTOR_STORE = "vector_store"
    AGENT = "agent"
    AI_SERVICE = "ai_service"  # a third-party AI service or model API

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def is_ai(self) -> bool:
        return self in AI_KINDS


KIND_LABELS: dict[AssetKind, str] = {
    AssetKind.INFORMATION: "Information",
    AssetKind.APPLICATION: "Application",
    AssetKind.INFRASTRUCTURE: "Infrastructure",
    AssetKind.SERVICE: "Third-party service",
    AssetKind.PEOPLE: "People",
    AssetKind.SITE: "Site",
    AssetKind.AI_SYSTEM: "AI system",
    AssetKind.MODEL: "AI model",
    AssetKind.DATASET: "Data set (training/evaluation)",
    AssetKind.ML_PIPELINE: "ML pipeline",
    AssetKind.VECTOR_STORE: "Vector store",
    AssetKind.AGENT: "AI agent",
    AssetKind.AI_SERVICE: "Third-party AI service",
}

AI_KINDS = frozenset(
    {
        AssetKind.AI_SYSTEM,
        AssetKind.MODEL,
        AssetKind.DATASET,
        AssetKind.ML_PIPELINE,
        AssetKind.VECTOR_STORE,
        AssetKind.AGENT,
        AssetKind.AI_SERVICE,
    }
)


class Classification(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        """0 for public up to 3 for restricted."""
        return list(Classification).index(self)


class CiaValue(StrEnum):
    """Confidentiality, integrity or availability need of an asset."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def rank(self) -> int:
        """0 for low up to 3 for very high."""
        return list(CiaValue).index(self)


# cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other
_CPE_COMPONENT = r"(?:\\[\\\*\?!\"#$%&'()+,/:;<=>@\[\]^`{|}~]|[A-Za-z0-9\-._]|\*|\?)+"
_CPE23 = re.compile(rf"^cpe:2\.3:[aho\*\-](?::(?:{_CPE_COMPONENT}|-)){{10}}$")


def is_cpe23(value: str) -> bool:
    """Whether value is a well-formed CPE 2.3 formatted string (NISTIR 7695)."""
    return bool(_CPE23.match(value))


# --- the dependency graph: node -> the nodes it depends on ---------------------------------------------


def reachable(graph: Mapping[Node, Iterable[Node]], start: Node) -> dict[Node, int]:
    """Every node reachable from start (start itself excluded), with its distance in steps."""
    depth: dict[Node, int] = {}
    queue: deque[tuple[Node, int]] = deque([(start, 0)])
    while queue:
        node, steps = queue.popleft()
        for nxt in graph.get(node, ()):
            if nxt != start and nxt not in depth:
                depth[nxt] = steps + 1
                queue.append((nxt, steps + 1))
    return depth


def reverse_graph(graph: Mapping[Node, Iterable[Node]]) -> dict[Node, list[Node]]:
    """The graph with every edge turned round: node -> the nodes that depend on it."""
    reversed_: dict[Node, list[Node]] = {}
    for node, targets in graph.items():
        for target in targets:
            reversed_.setdefault(target, []).append(node)
    return reversed_


def find_path(graph: Mapping[Node, Iterable[Node]], source: Node, target: Node) -> list[Node] | None:
    """A shortest path from source to target (both included), or None when target is not reachable."""
    if source == target:
        return [source]
    previous: dict[Node, Node] = {}
    queue: deque[Node] = deque([source])
    seen = {source}
    while queue:
        node = queue.popleft()
        for nxt in graph.get(node, ()):
            if nxt in seen:
                continue
            previous[nxt] = node
            if nxt == target:
                path = [target]
                while path[-1] != source:
                    path.append(previous[path[-1]])
                return path[::-1]
            seen.add(nxt)
            queue.append(nxt)
    return None


def find_cycles(graph: Mapping[Node, Iterable[Node]]) -> list[list[Node]]:
    """Dependency cycles, each as a path that starts and ends at the same node (a -> b -> a).

    Every node on a cycle is on at least one reported cycle; a cycle is reported once. Nodes are visited
    in the graph's own order, so the result is deterministic.
    """
    white, grey, black = 0, 1, 2
    colour: dict[Node, int] = {}
    cycles: list[list[Node]] = []
    seen_cycles: set[frozenset[Node]] = set()
    for root in graph:
        if colour.get(root, white) != white:
            continue
        colour[root] = grey
        stack: list[tuple[Node, list[Node]]] = [(root, list(graph.get(root, ())))]
        path = [root]
        while stack:
            node, pending = stack[-1]
            if not pending:
                colour[node] = black
                stack.pop()
                path.pop()
                continue
            nxt = pending.pop(0)
            state = colour.get(nxt, white)
            if state == grey:
                cycle = [*path[path.index(nxt) :], nxt]
                key = frozenset(cycle)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    cycles.append(cycle)
            elif state == white:
                colour[nxt] = grey
                stack.append((nxt, list(graph.get(nxt, ()))))
                path.append(nxt)
    return cycles
