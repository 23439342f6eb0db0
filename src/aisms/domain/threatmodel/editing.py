"""Structured edits of a threat model (the form-based editor): each returns a new model, or raises
EditError naming the field. The caller serialises the result and validates it like any uploaded file."""

from __future__ import annotations

from dataclasses import replace

from aisms.domain.threatmodel.model import (
    Boundary,
    Component,
    ComponentKind,
    ComponentProperty,
    Flow,
    FlowProperty,
    ThreatModel,
)
from aisms.domain.threatmodel.model_file import ID_PATTERN


class EditError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def _ids(model: ThreatModel) -> set[str]:
    return {b.id for b in model.boundaries} | {c.id for c in model.components} | {f.id for f in model.flows}


def _new_id(model: ThreatModel, element_id: str) -> None:
    if not ID_PATTERN.match(element_id):
        raise EditError("id", "use lower-case letters, digits, '.', '_' or '-' (at most 80)")
    if element_id in _ids(model):
        raise EditError("id", f"{element_id!r} is already used in this model")


def upsert_component(
    model: ThreatModel,
    *,
    element_id: str,
    name: str,
    kind: str,
    boundary: str | None = None,
    properties: list[str] | None = None,
    asset: str | None = None,
    description: str = "",
) -> ThreatModel:
    """Add a component, or replace the one with this id."""
    existing = any(c.id == element_id for c in model.components)
    if not existing:
        _new_id(model, element_id)
    try:
        kind_value = ComponentKind(kind)
    except ValueError as exc:
        raise EditError("kind", f"unknown kind {kind!r}") from exc
    if boundary and boundary not in {b.id for b in model.boundaries}:
        raise EditError("boundary", f"unknown boundary {boundary!r}")
    try:
        props = frozenset(ComponentProperty(p) for p in properties or [])
    except ValueError as exc:
        raise EditError("properties", str(exc)) from exc
    component = Component(
        id=element_id,
        name=name.strip() or element_id,
        kind=kind_value,
        boundary=boundary or None,
        properties=props,
        asset=(asset or "").strip() or None,
        description=description.strip(),
    )
    if existing:
        components = tuple(component if c.id == element_id else c for c in model.components)
    else:
        components = (*model.components, component)
    return replace(model, components=components)


def add_flow(
    model: ThreatModel,
    *,
    element_id: str,
    source: str,
    target: str,
    label: str = "",
    properties: list[str] | None = None,
) -> ThreatModel:
    element_id = element_id or f"{source}-to-{target}"
    _new_id(model, element_id)
    component_ids = {c.id for c in model.components}
    if source not in component_ids:
        raise EditError("source", f"unknown component {source!r}")
    if target not in component_ids:
        raise EditError("target", f"unknown component {target!r}")
    if source == target:
        raise EditError("target", "a flow needs two different ends")
    try:
        props = frozenset(FlowProperty(p) for p in properties or [])
    except ValueError as exc:
        raise EditError("properties", str(exc)) from exc
    flow = Flow(id=element_id, source=source, target=target, label=label.strip(), properties=props)
    return replace(model, flows=(*model.flows, flow))


def add_boundary(
    model: ThreatModel, *, element_id: str, name: str, parent: str | None = None, description: str = ""
) -> ThreatModel:
    _new_id(model, element_id)
    if parent and parent not in {b.id for b in model.boundaries}:
        raise EditError("parent", f"unknown boundary {parent!r}")
    boundary = Boundary(
        id=element_id, name=name.strip() or element_id, parent=parent or None, description=description
    )
    return replace(model, boundaries=(*model.boundaries, boundary))


def remove_element(model: ThreatModel, element_id: str) -> ThreatModel:
    """Remove a component (with its flows), a flow, or a boundary (its components and children move out)."""
    if any(c.id == element_id for c in model.components):
        return replace(
            model,
            components=tuple(c for c in model.components if c.id != element_id),
            flows=tuple(f for f in model.flows if element_id not in (f.source, f.target)),
        )
    if any(f.id == element_id for f in model.flows):
        return replace(model, flows=tuple(f for f in model.flows if f.id != element_id))
    for b in model.boundaries:
        if b.id == element_id:
            return replace(
                model,
                boundaries=tuple(
                    replace(o, parent=b.parent) if o.parent == element_id else o
                    for o in model.boundaries
                    if o.id != element_id
                ),
                components=tuple(
                    replace(c, boundary=b.parent) if c.boundary == element_id else c for c in model.components
                ),
            )
    raise EditError("id", f"no element {element_id!r} in this model")
