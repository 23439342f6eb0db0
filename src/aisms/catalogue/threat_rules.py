"""Load the asset-to-threat rules file; every threat it names must exist in the catalogue."""

from __future__ import annotations

from importlib import resources
from typing import Any

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import validate
from aisms.catalogue.schema import SOURCE
from aisms.catalogue.yaml_lines import load_yaml
from aisms.domain.assets import AssetKind
from aisms.domain.threat_suggestions import PROPERTIES, ThreatRule

RULES_FILENAME = "asset-threat-rules.yaml"
ASSET_KINDS = [kind.value for kind in AssetKind]

RULES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["catalogue", "version", "title", "source", "rules"],
    "properties": {
        "catalogue": {"const": "asset-threat-rules"},
        "version": {"type": "string", "minLength": 1},
        "title": {"type": "string", "minLength": 1},
        "source": SOURCE,
        "rules": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "when", "why", "threats"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                    "when": {
                        "type": "object",
                        "properties": {
                            "kinds": {"type": "array", "items": {"enum": ASSET_KINDS}, "uniqueItems": True},
                            "properties": {
                                "type": "object",
                                "propertyNames": {"enum": list(PROPERTIES)},
                                "additionalProperties": {"type": "boolean"},
                            },
                        },
                        "additionalProperties": False,
                    },
                    "why": {"type": "string", "minLength": 1},
                    "threats": {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": {"type": "string", "minLength": 1},
                    },
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


def parse_rules(text: str, filename: str, known_uids: set[str]) -> list[ThreatRule]:
    document = load_yaml(text, filename)
    validate(document, RULES_SCHEMA, filename)
    rules = []
    seen: set[str] = set()
    for raw in document["rules"]:
        if raw["id"] in seen:
            raise CatalogueError(filename, f"duplicate rule id {raw['id']!r}", line=raw.line, field="id")
        seen.add(raw["id"])
        for uid in raw["threats"]:
            if uid not in known_uids:
                raise CatalogueError(filename, f"rule {raw['id']}: unknown threat {uid!r}", line=raw.line)
        when = raw["when"]
        rules.append(
            ThreatRule(
                id=raw["id"],
                kinds=frozenset(when.get("kinds", [])),
                properties=dict(when.get("properties", {})),
                why=raw["why"].strip(),
                threats=tuple(raw["threats"]),
            )
        )
    return rules


def load_builtin_rules(known_uids: set[str]) -> list[ThreatRule]:
    text = resources.files("aisms.catalogue").joinpath("data", RULES_FILENAME).read_text(encoding="utf-8")
    return parse_rules(text, RULES_FILENAME, known_uids)
