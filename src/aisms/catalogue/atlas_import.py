"""Read an upstream MITRE ATLAS distribution file (the ``dist/ATLAS.yaml`` format).

Pure parsing: the result is checked for internal consistency (every tactic, parent and technique a
record refers to exists in the same file) before anything is handed back, so a bad or partial file
can never half-update the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import validate
from aisms.catalogue.model import Entry, LabelledExample, Link, Relation, uid_for
from aisms.catalogue.schema import MATURITY
from aisms.catalogue.yaml_lines import load_yaml

_ID = {"type": "string", "pattern": r"^AML\.(TA|T|M)\d{4}(\.\d{3})?$"}
_TEXT = {"type": "string"}
# Lengths match the database columns, so an over-long value is refused here, naming its line.
_NAMED = {"id": _ID, "name": {"type": "string", "minLength": 1, "maxLength": 300}, "description": _TEXT}

DIST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "version", "matrices", "case-studies"],
    "properties": {
        "id": {"type": "string"},
        "version": {"type": ["string", "number"], "maxLength": 40},
        "matrices": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "tactics", "techniques", "mitigations"],
                "properties": {
                    "tactics": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "object", "required": ["id", "name"], "properties": _NAMED},
                    },
                    "techniques": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["id", "name"],
                            "properties": {
                                **_NAMED,
                                "tactics": {"type": "array", "items": _ID},
                                "subtechnique-of": _ID,
                                "maturity": {"enum": MATURITY},
                            },
                            "anyOf": [{"required": ["tactics"]}, {"required": ["subtechnique-of"]}],
                        },
                    },
                    "mitigations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["id", "name"],
                            "properties": {
                                **_NAMED,
                                "techniques": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["id"],
                                        "properties": {"id": _ID},
                                    },
                                },
                                "category": {"type": "array", "items": {"type": "string"}},
                                "ml-lifecycle": {
                                    "type": "array"
                                },  # upstream has held stray objects here; non-strings are skipped
                            },
                        },
                    },
                },
            },
        },
        "case-studies": {  # required: a file cut short before its case studies is refused
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "procedure"],
                "properties": {
                    "id": {"type": "string", "minLength": 1, "maxLength": 40},
                    "name": {"type": "string", "maxLength": 300},
                    "procedure": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["technique", "description"],
                            "properties": {"technique": _ID, "description": {"type": "string"}},
                        },
                    },
                },
            },
        },
    },
}


def _version_as_written(text: str, value: object) -> str:
    """The version exactly as the file writes it (YAML would read 5.10 as the number 5.1)."""
    if isinstance(value, str):
        return value
    match = re.search(r"^version:\s*['\"]?([^'\"\s#]+)", text, re.MULTILINE)
    return match.group(1) if match else str(value)


@dataclass
class AtlasDistribution:
    version: str
    entries: list[Entry] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    examples: list[LabelledExample] = field(default_factory=list)


def parse_atlas_distribution(text: str, filename: str) -> AtlasDistribution:
    """Parse and check an ATLAS distribution file; raise CatalogueError naming file, line and field."""
    document = load_yaml(text, filename)
    if not isinstance(document, dict):
        raise CatalogueError(filename, "expected a mapping with 'id', 'version' and 'matrices' at the top")
    validate(document, DIST_SCHEMA, filename)
    dist = AtlasDistribution(version=_version_as_written(text, document["version"]))
    known: dict[str, str] = {}  # ATLAS id -> kind
    pending: list[tuple[str, str, int, str]] = []  # (referenced id, expected kind, line, field)

    def add(raw: Any, kind: str, position: int, **attributes: Any) -> str:
        ref = raw["id"]
        if ref in known:
            raise CatalogueError(filename, f"duplicate id {ref!r}", line=raw.line, field="id")
        known[ref] = kind
        parent = raw.get("subtechnique-of")
        if parent:
            pending.append((parent, "technique", raw.line, "subtechnique-of"))
        description = str(raw.get("description") or "").strip()
        attrs = {k: v for k, v in attributes.items() if v not in (None, [], "")}
        if description:
            attrs["upstream_description"] = description
        dist.entries.append(
            Entry(
                uid=uid_for("atlas", ref),
                catalogue="atlas",
                ref=ref,
                kind=kind,
                name=str(raw["name"]).strip(),
                summary="",
                parent_uid=uid_for("atlas", parent) if parent else None,
                attributes=attrs,
                position=position,
            )
        )
        return uid_for("atlas", ref)

    position = 0
    for matrix in document["matrices"]:
        for raw in matrix["tactics"]:
            attack = raw.get("ATT&CK-reference") or {}
            add(raw, "tactic", position, attack_ref=attack.get("id") if isinstance(attack, dict) else None)
            position += 1
        for raw in matrix["techniques"]:
            attack = raw.get("ATT&CK-reference") or {}
            uid = add(
                raw,
                "technique",
                position,
                maturity=raw.get("maturity"),
                attack_ref=attack.get("id") if isinstance(attack, dict) else None,
            )
            position += 1
            for tactic in raw.get("tactics") or []:
                pending.append((tactic, "tactic", raw.line, "tactics"))
                dist.links.append(Link(uid, uid_for("atlas", tactic), Relation.TACTIC))
        for raw in matrix.get("mitigations") or []:
            uid = add(
                raw,
                "mitigation",
                position,
                categories=[x for x in raw.get("category") or [] if isinstance(x, str)],
                lifecycle=[x for x in raw.get("ml-lifecycle") or [] if isinstance(x, str)],
            )
            position += 1
            for use in raw.get("techniques") or []:
                pending.append((use["id"], "technique", use.line, "techniques"))
                dist.links.append(Link(uid, uid_for("atlas", use["id"]), Relation.MITIGATES))

    for study in document.get("case-studies") or []:
        for step, raw in enumerate(study["procedure"], start=1):
            pending.append((raw["technique"], "technique", raw.line, "technique"))
            text = str(raw["description"]).strip()
            if text:
                dist.examples.append(
                    LabelledExample(
                        text=text,
                        technique_uid=uid_for("atlas", raw["technique"]),
                        case_study=str(study["id"]),
                        case_study_name=str(study["name"]),
                        step=step,
                    )
                )

    dist.links = list(dict.fromkeys(dist.links))  # upstream has listed the same link twice
    for ref, kind, line, field_name in pending:
        if known.get(ref) != kind:
            what = "not defined in this file" if ref not in known else f"a {known[ref]}, not a {kind}"
            raise CatalogueError(filename, f"refers to {ref!r}, which is {what}", line=line, field=field_name)
    return dist
