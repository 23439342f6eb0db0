"""Read and write the threat-model YAML file (threat model as code). Every problem is reported with the
file, line and field; unknown kinds and properties are named, and so are flows or components that refer
to something that is not in the file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.yaml_lines import LineDict, load_yaml
from aisms.domain.threatmodel.model import (
    Boundary,
    Component,
    ComponentKind,
    ComponentProperty,
    Flow,
    FlowProperty,
    ThreatModel,
)

FORMAT_VERSION = 1
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
MAX_ELEMENTS = 500
_TOP_KEYS = {"threatmodel", "name", "description", "owner", "boundaries", "components", "flows"}
_BOUNDARY_KEYS = {"id", "name", "description", "parent"}
_COMPONENT_KEYS = {"id", "name", "kind", "boundary", "properties", "asset", "description"}
_FLOW_KEYS = {"id", "from", "to", "label", "properties"}


@dataclass(frozen=True)
class ModelProblem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ModelInvalidError(Exception):
    """The file is refused as a whole; ``problems`` lists every problem found."""

    def __init__(self, problems: list[ModelProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))


class _Collector:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[ModelProblem] = []

    def add(self, node: Any, key: str | None, field: str, message: str) -> None:
        line = None
        if isinstance(node, LineDict):
            line = node.key_lines.get(key, node.line) if key else node.line
        else:
            line = getattr(node, "line", None)
        self.problems.append(ModelProblem(self.filename, line, field, message))


def _text(c: _Collector, node: LineDict, key: str, where: str, *, required: bool, limit: int) -> str:
    value = node.get(key)
    if value is None:
        if required:
            c.add(node, None, f"{where}.{key}" if where else key, "is required")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        c.add(node, key, f"{where}.{key}" if where else key, "must be text")
        return ""
    text = str(value).strip()
    if required and not text:
        c.add(node, key, f"{where}.{key}" if where else key, "must not be empty")
    if len(text) > limit:
        c.add(node, key, f"{where}.{key}" if where else key, f"is longer than {limit} characters")
    return text


def _unknown_keys(c: _Collector, node: LineDict, allowed: set[str], where: str) -> None:
    for key in node:
        if key not in allowed:
            c.add(
                node,
                key,
                f"{where}.{key}" if where else key,
                f"unknown field (allowed: {', '.join(sorted(allowed))})",
            )


def _id(c: _Collector, node: LineDict, where: str, seen: dict[str, str]) -> str:
    raw = node.get("id")
    value = str(raw) if raw is not None else ""
    if raw is None:
        c.add(node, None, f"{where}.id", "is required")
    elif not ID_PATTERN.match(value):
        c.add(node, "id", f"{where}.id", f"{value!r} is not a valid id (lower-case letters, digits, . _ -)")
    elif value in seen:
        c.add(node, "id", f"{where}.id", f"duplicate id {value!r} (already used by {seen[value]})")
    else:
        seen[value] = where
    return value


def _property_list(c: _Collector, node: LineDict, where: str, enum: type[Any]) -> frozenset[Any]:
    raw = node.get("properties")
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        c.add(node, "properties", f"{where}.properties", "must be a list of property names")
        return frozenset()
    out = set()
    allowed = {member.value for member in enum}
    for name in raw:
        if str(name) not in allowed:
            c.add(
                node,
                "properties",
                f"{where}.properties",
                f"unknown property {name!r} (known: {', '.join(sorted(allowed))})",
            )
        else:
            out.add(enum(str(name)))
    return frozenset(out)


def _items(c: _Collector, document: LineDict, key: str) -> list[LineDict]:
    raw = document.get(key)
    if raw is None:
        return []
    if not isinstance(raw, list):
        c.add(document, key, key, "must be a list")
        return []
    if len(raw) > MAX_ELEMENTS:
        c.add(document, key, key, f"more than {MAX_ELEMENTS} entries")
        return []
    out = []
    for index, item in enumerate(raw):
        if not isinstance(item, LineDict):
            c.add(raw, None, f"{key}[{index}]", "must be a mapping")
        else:
            out.append(item)
    return out


def parse_model(text: str, filename: str = "threatmodel.yaml") -> ThreatModel:
    """Parse and validate a threat-model file; raise ModelInvalidError listing every problem."""
    c = _Collector(filename)
    try:
        document = load_yaml(text, filename)
    except CatalogueError as exc:
        raise ModelInvalidError([ModelProblem(filename, exc.line, "", exc.message)]) from exc
    if not isinstance(document, LineDict):
        raise ModelInvalidError([ModelProblem(filename, 1, "", "the file must be a YAML mapping")])
    _unknown_keys(c, document, _TOP_KEYS, "")
    version = document.get("threatmodel", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        c.add(document, "threatmodel", "threatmodel", f"unsupported format version {version!r} (expected 1)")
    name = _text(c, document, "name", "", required=True, limit=200)
    description = _text(c, document, "description", "", required=False, limit=10_000)
    owner = _text(c, document, "owner", "", required=False, limit=200)

    seen: dict[str, str] = {}
    boundaries: list[Boundary] = []
    for index, raw in enumerate(_items(c, document, "boundaries")):
        where = f"boundaries[{index}]"
        _unknown_keys(c, raw, _BOUNDARY_KEYS, where)
        bid = _id(c, raw, where, seen)
        parent = _text(c, raw, "parent", where, required=False, limit=80) or None
        boundaries.append(
            Boundary(
                id=bid,
                name=_text(c, raw, "name", where, required=False, limit=200) or bid,
                description=_text(c, raw, "description", where, required=False, limit=2000),
                parent=parent,
                line=raw.line,
            )
        )
    boundary_ids = {b.id for b in boundaries}
    for index, b in enumerate(boundaries):
        if b.parent is not None and b.parent not in boundary_ids:
            c.problems.append(
                ModelProblem(
                    filename, b.line, f"boundaries[{index}].parent", f"unknown boundary {b.parent!r}"
                )
            )
    _check_cycles(c, boundaries)

    components: list[Component] = []
    kinds = {k.value for k in ComponentKind}
    for index, raw in enumerate(_items(c, document, "components")):
        where = f"components[{index}]"
        _unknown_keys(c, raw, _COMPONENT_KEYS, where)
        cid = _id(c, raw, where, seen)
        kind_text = _text(c, raw, "kind", where, required=True, limit=80)
        if kind_text and kind_text not in kinds:
            c.add(
                raw,
                "kind",
                f"{where}.kind",
                f"unknown kind {kind_text!r} (known: {', '.join(sorted(kinds))})",
            )
        boundary = _text(c, raw, "boundary", where, required=False, limit=80) or None
        if boundary is not None and boundary not in boundary_ids:
            c.add(raw, "boundary", f"{where}.boundary", f"unknown boundary {boundary!r}")
        props = _property_list(c, raw, where, ComponentProperty)
        asset = _text(c, raw, "asset", where, required=False, limit=200) or None
        if kind_text in kinds:
            components.append(
                Component(
                    id=cid,
                    name=_text(c, raw, "name", where, required=False, limit=200) or cid,
                    kind=ComponentKind(kind_text),
                    boundary=boundary,
                    properties=props,
                    asset=asset,
                    description=_text(c, raw, "description", where, required=False, limit=2000),
                    line=raw.line,
                )
            )
    component_ids = {comp.id for comp in components}

    flows: list[Flow] = []
    for index, raw in enumerate(_items(c, document, "flows")):
        where = f"flows[{index}]"
        _unknown_keys(c, raw, _FLOW_KEYS, where)
        source = _text(c, raw, "from", where, required=True, limit=80)
        target = _text(c, raw, "to", where, required=True, limit=80)
        for key, end in (("from", source), ("to", target)):
            if end and end not in component_ids and end not in seen:
                c.add(raw, key, f"{where}.{key}", f"unknown component {end!r}")
            elif end and end not in component_ids and seen.get(end, "").startswith("boundaries"):
                c.add(raw, key, f"{where}.{key}", f"{end!r} is a boundary, not a component")
        if source and source == target:
            c.add(raw, "to", f"{where}.to", "a flow needs two different ends")
        if "id" not in raw:
            raw["id"] = f"{source}-to-{target}"
            raw.key_lines["id"] = raw.line
        fid = _id(c, raw, where, seen)
        props = _property_list(c, raw, where, FlowProperty)
        flows.append(
            Flow(
                id=fid,
                source=source,
                target=target,
                label=_text(c, raw, "label", where, required=False, limit=200),
                properties=props,
                line=raw.line,
            )
        )
    if c.problems:
        c.problems.sort(key=lambda p: (p.line or 0, p.field))
        raise ModelInvalidError(c.problems)
    return ThreatModel(
        name=name,
        description=description,
        owner=owner,
        boundaries=tuple(boundaries),
        components=tuple(components),
        flows=tuple(f for f in flows if f.source in component_ids and f.target in component_ids),
        version=FORMAT_VERSION,
    )


def _check_cycles(c: _Collector, boundaries: list[Boundary]) -> None:
    parents = {b.id: b.parent for b in boundaries}
    for index, b in enumerate(boundaries):
        seen = {b.id}
        current = b.parent
        while current is not None and current in parents:
            if current in seen:
                c.problems.append(
                    ModelProblem(
                        c.filename, b.line, f"boundaries[{index}].parent", "boundaries nest in a cycle"
                    )
                )
                break
            seen.add(current)
            current = parents[current]


def model_to_dict(model: ThreatModel) -> dict[str, Any]:
    """The model as plain data in file order (for YAML and JSON)."""
    out: dict[str, Any] = {"threatmodel": FORMAT_VERSION, "name": model.name}
    if model.description:
        out["description"] = model.description
    if model.owner:
        out["owner"] = model.owner
    out["boundaries"] = [
        {
            k: v
            for k, v in (("id", b.id), ("name", b.name), ("description", b.description), ("parent", b.parent))
            if v
        }
        for b in model.boundaries
    ]
    out["components"] = []
    for comp in model.components:
        row: dict[str, Any] = {"id": comp.id, "name": comp.name, "kind": comp.kind.value}
        if comp.boundary:
            row["boundary"] = comp.boundary
        if comp.asset:
            row["asset"] = comp.asset
        if comp.properties:
            row["properties"] = sorted(p.value for p in comp.properties)
        if comp.description:
            row["description"] = comp.description
        out["components"].append(row)
    out["flows"] = []
    for flow in model.flows:
        frow: dict[str, Any] = {"id": flow.id, "from": flow.source, "to": flow.target}
        if flow.label:
            frow["label"] = flow.label
        if flow.properties:
            frow["properties"] = sorted(p.value for p in flow.properties)
        out["flows"].append(frow)
    return out


def dump_model(model: ThreatModel) -> str:
    """Serialise a model to YAML text that parse_model reads back to an equal model."""
    text: str = yaml.safe_dump(model_to_dict(model), sort_keys=False, allow_unicode=True, width=100)
    return text
