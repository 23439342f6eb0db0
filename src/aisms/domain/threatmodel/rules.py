"""Threat rules held as data: a rule names the elements it applies to by declarative conditions (element
type, kinds, properties, boundary crossing, the kinds and properties of a flow's ends) and the threats,
default scores and mitigations it produces. Conditions are matched by code here; nothing is evaluated."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import validate
from aisms.catalogue.schema import SOURCE
from aisms.catalogue.yaml_lines import LineDict, load_yaml
from aisms.domain.threatmodel.model import (
    Component,
    ComponentKind,
    ComponentProperty,
    DfdType,
    Flow,
    FlowProperty,
    ThreatModel,
)

MAX_RULES = 2000


class Stride(StrEnum):
    SPOOFING = "S"
    TAMPERING = "T"
    REPUDIATION = "R"
    INFORMATION_DISCLOSURE = "I"
    DENIAL_OF_SERVICE = "D"
    ELEVATION_OF_PRIVILEGE = "E"

    @property
    def label(self) -> str:
        return STRIDE_LABELS[self]


STRIDE_LABELS = {
    Stride.SPOOFING: "Spoofing",
    Stride.TAMPERING: "Tampering",
    Stride.REPUDIATION: "Repudiation",
    Stride.INFORMATION_DISCLOSURE: "Information disclosure",
    Stride.DENIAL_OF_SERVICE: "Denial of service",
    Stride.ELEVATION_OF_PRIVILEGE: "Elevation of privilege",
}


class AppliesTo(StrEnum):
    COMPONENT = "component"
    FLOW = "flow"


@dataclass(frozen=True)
class PropertyCondition:
    all: frozenset[str] = frozenset()
    any: frozenset[str] = frozenset()
    none: frozenset[str] = frozenset()

    def check(self, present: frozenset[str], who: str) -> list[str] | None:
        """Reasons when the condition holds, None when it does not."""
        if not self.all <= present:
            return None
        if self.any and not (self.any & present):
            return None
        if self.none & present:
            return None
        reasons = [f"{who} has {p}" for p in sorted(self.all)]
        reasons += [f"{who} has {p}" for p in sorted(self.any & present)]
        reasons += [f"{who} lacks {p}" for p in sorted(self.none)]
        return reasons


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


@dataclass(frozen=True)
class EndCondition:
    kinds: frozenset[ComponentKind] = frozenset()
    not_kinds: frozenset[ComponentKind] = frozenset()
    dfd: frozenset[DfdType] = frozenset()
    properties: PropertyCondition = field(default_factory=PropertyCondition)

    def check(self, component: Component, who: str) -> list[str] | None:
        reasons: list[str] = []
        if self.kinds:
            if component.kind not in self.kinds:
                return None
            reasons.append(f"{who} kind is {component.kind.value}")
        if component.kind in self.not_kinds:
            return None
        if self.dfd:
            if component.dfd_type not in self.dfd:
                return None
            if not self.kinds:
                reasons.append(f"{who} is {_a(component.dfd_type.value.replace('_', ' '))}")
        found = self.properties.check(frozenset(p.value for p in component.properties), who)
        if found is None:
            return None
        return reasons + found


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    applies_to: AppliesTo
    description: str
    likelihood: int
    impact: int
    stride: Stride | None = None
    threats: tuple[str, ...] = ()
    mitigations: tuple[str, ...] = ()
    element: EndCondition = field(default_factory=EndCondition)
    flow_properties: PropertyCondition = field(default_factory=PropertyCondition)
    crosses_boundary: bool | None = None
    source: EndCondition | None = None
    target: EndCondition | None = None
    origin: str = "builtin"
    line: int | None = None

    @property
    def is_ai(self) -> bool:
        return bool(self.threats)


def match_component(rule: Rule, component: Component) -> list[str] | None:
    """The reasons the rule fires on a component, or None."""
    if rule.applies_to is not AppliesTo.COMPONENT:
        return None
    return rule.element.check(component, "component")


def match_flow(rule: Rule, model: ThreatModel, flow: Flow) -> list[str] | None:
    """The reasons the rule fires on a data flow, or None."""
    if rule.applies_to is not AppliesTo.FLOW:
        return None
    reasons: list[str] = []
    crossed = model.crossed_boundaries(flow)
    if rule.crosses_boundary is True:
        if not crossed:
            return None
        reasons.append("flow crosses trust boundary " + ", ".join(crossed))
    elif rule.crosses_boundary is False:
        if crossed:
            return None
        reasons.append("flow stays inside one trust boundary")
    found = rule.flow_properties.check(frozenset(p.value for p in flow.properties), "flow")
    if found is None:
        return None
    reasons += found
    for end, component_id, who in (
        (rule.source, flow.source, "source"),
        (rule.target, flow.target, "target"),
    ):
        if end is None:
            continue
        end_reasons = end.check(model.component(component_id), who)
        if end_reasons is None:
            return None
        reasons += end_reasons
    return reasons


# ------------------------------------------------------------------ reading rule files

_KINDS = [k.value for k in ComponentKind]
_COMPONENT_PROPS = [p.value for p in ComponentProperty]
_FLOW_PROPS = [p.value for p in FlowProperty]
_DFD = [d.value for d in DfdType if d is not DfdType.DATA_FLOW]


def _props_schema(names: list[str]) -> dict[str, Any]:
    names_list = {"type": "array", "items": {"enum": names}, "uniqueItems": True}
    return {
        "type": "object",
        "properties": {"all": names_list, "any": names_list, "none": names_list},
        "additionalProperties": False,
    }


_END_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "dfd": {"type": "array", "items": {"enum": _DFD}, "uniqueItems": True},
        "kinds": {"type": "array", "items": {"enum": _KINDS}, "uniqueItems": True},
        "not_kinds": {"type": "array", "items": {"enum": _KINDS}, "uniqueItems": True},
        "properties": _props_schema(_COMPONENT_PROPS),
    },
    "additionalProperties": False,
}

_RULE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "title", "applies_to", "description", "likelihood", "impact", "mitigations"],
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,79}$"},
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "applies_to": {"enum": ["component", "flow"]},
        "stride": {"enum": [s.value for s in Stride]},
        "description": {"type": "string", "minLength": 1, "maxLength": 4000},
        "likelihood": {"type": "integer", "minimum": 1, "maximum": 5},
        "impact": {"type": "integer", "minimum": 1, "maximum": 5},
        "threats": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "mitigations": {"type": "array", "minItems": 1, "items": {"type": "string"}, "uniqueItems": True},
        "when": {
            "type": "object",
            "properties": {
                **_END_SCHEMA["properties"],
                "flow_properties": _props_schema(_FLOW_PROPS),
                "crosses_boundary": {"type": "boolean"},
                "source": _END_SCHEMA,
                "target": _END_SCHEMA,
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}

RULES_FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["catalogue", "version", "title", "rules"],
    "properties": {
        "catalogue": {"const": "threatmodel-rules"},
        "version": {"type": "string", "minLength": 1},
        "title": {"type": "string", "minLength": 1},
        "source": SOURCE,
        "rules": {"type": "array", "maxItems": MAX_RULES, "items": _RULE_SCHEMA},
    },
    "additionalProperties": False,
}

THREAT_KINDS = {"technique", "risk"}
MITIGATION_PREFIXES = ("atlas:", "iso27002:", "iso42001:")


@dataclass(frozen=True)
class CatalogueRef:
    """What a rule check needs to know about a catalogue entry."""

    uid: str
    kind: str
    name: str


def _props(raw: Any) -> PropertyCondition:
    if not raw:
        return PropertyCondition()
    return PropertyCondition(
        all=frozenset(raw.get("all", [])),
        any=frozenset(raw.get("any", [])),
        none=frozenset(raw.get("none", [])),
    )


def _end(raw: Any) -> EndCondition:
    return EndCondition(
        kinds=frozenset(ComponentKind(k) for k in raw.get("kinds", [])),
        not_kinds=frozenset(ComponentKind(k) for k in raw.get("not_kinds", [])),
        dfd=frozenset(DfdType(d) for d in raw.get("dfd", [])),
        properties=_props(raw.get("properties")),
    )


def parse_rules(
    text: str, filename: str, catalogue: dict[str, CatalogueRef], *, origin: str = "builtin"
) -> list[Rule]:
    """Read a rules file; raise CatalogueError naming the line and field of the first problem.

    Every threat must be an ATLAS technique or OWASP entry and every mitigation an ATLAS mitigation or an
    ISO/IEC 27002 / 42001 control that exists in ``catalogue``."""
    document = load_yaml(text, filename)
    validate(document, RULES_FILE_SCHEMA, filename)
    rules: list[Rule] = []
    seen: set[str] = set()
    for raw in document["rules"]:
        assert isinstance(raw, LineDict)  # noqa: S101 - guaranteed by the schema and the line loader
        if raw["id"] in seen:
            raise CatalogueError(filename, f"duplicate rule id {raw['id']!r}", line=raw.line, field="id")
        seen.add(raw["id"])
        _check_refs(raw, filename, catalogue)
        when = raw.get("when") or {}
        applies_to = AppliesTo(raw["applies_to"])
        _check_when(raw, when, applies_to, filename)
        rules.append(
            Rule(
                id=raw["id"],
                title=raw["title"].strip(),
                applies_to=applies_to,
                description=" ".join(raw["description"].split()),
                likelihood=raw["likelihood"],
                impact=raw["impact"],
                stride=Stride(raw["stride"]) if raw.get("stride") else None,
                threats=tuple(raw.get("threats", [])),
                mitigations=tuple(raw["mitigations"]),
                element=_end(when) if applies_to is AppliesTo.COMPONENT else EndCondition(),
                flow_properties=_props(when.get("flow_properties")),
                crosses_boundary=when.get("crosses_boundary"),
                source=_end(when["source"]) if "source" in when else None,
                target=_end(when["target"]) if "target" in when else None,
                origin=origin,
                line=raw.line,
            )
        )
    return rules


def _check_refs(raw: LineDict, filename: str, catalogue: dict[str, CatalogueRef]) -> None:
    for uid in raw.get("threats", []):
        ref = catalogue.get(uid)
        if ref is None:
            raise CatalogueError(
                filename, f"rule {raw['id']}: unknown threat {uid!r}", line=raw.line, field="threats"
            )
        if ref.kind not in THREAT_KINDS:
            raise CatalogueError(
                filename,
                f"rule {raw['id']}: {uid!r} is a {ref.kind}, not a threat",
                line=raw.line,
                field="threats",
            )
    for uid in raw["mitigations"]:
        ref = catalogue.get(uid)
        if ref is None:
            raise CatalogueError(
                filename, f"rule {raw['id']}: unknown mitigation {uid!r}", line=raw.line, field="mitigations"
            )
        if not uid.startswith(MITIGATION_PREFIXES) or ref.kind not in {"mitigation", "control"}:
            raise CatalogueError(
                filename,
                f"rule {raw['id']}: {uid!r} is not an ATLAS mitigation or ISO/IEC 27002/42001 control",
                line=raw.line,
                field="mitigations",
            )


def _check_when(raw: LineDict, when: dict[str, Any], applies_to: AppliesTo, filename: str) -> None:
    flow_only = {"flow_properties", "crosses_boundary", "source", "target"}
    component_only = {"dfd", "kinds", "not_kinds", "properties"}
    wrong = (flow_only if applies_to is AppliesTo.COMPONENT else component_only) & set(when)
    if wrong:
        raise CatalogueError(
            filename,
            f"rule {raw['id']}: {', '.join(sorted(wrong))} cannot be used in a {applies_to.value} rule",
            line=raw.line,
            field="when",
        )
