"""Load the adaptive posture rules file (catalogue/data/posture-rules.yaml), validated by a schema."""

from __future__ import annotations

from importlib import resources
from typing import Any

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import validate
from aisms.catalogue.schema import SOURCE
from aisms.catalogue.yaml_lines import load_yaml
from aisms.domain.posture.rules import PostureRule, RuleSet, Trigger

RULES_FILENAME = "posture-rules.yaml"

_LEVEL = {"type": "integer", "minimum": 0, "maximum": 7}
_SHARE = {"type": "number", "minimum": 0, "maximum": 1}

RULES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["catalogue", "version", "title", "source", "vulnerability_risks", "rules"],
    "properties": {
        "catalogue": {"const": "posture-rules"},
        "version": {"type": "string", "minLength": 1},
        "title": {"type": "string", "minLength": 1},
        "source": SOURCE,
        "vulnerability_risks": {
            "type": "object",
            "required": ["threats", "keywords"],
            "properties": {
                "threats": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "keywords": {"type": "array", "items": {"type": "string", "minLength": 2}},
            },
            "additionalProperties": False,
        },
        "rules": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "trigger", "title", "why"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                    "trigger": {"enum": [t.value for t in Trigger]},
                    "title": {"type": "string", "minLength": 1},
                    "why": {"type": "string", "minLength": 1},
                    "min_confidence": _SHARE,
                    "in_scope_only": {"type": "boolean"},
                    "ai_assets_only": {"type": "boolean"},
                    "raise_by": _LEVEL,
                    "raise_to_at_least": {"type": "integer", "minimum": 1, "maximum": 7},
                    "epss_at_least": _SHARE,
                    "percentile_at_least": _SHARE,
                    "cvss_at_least": {"type": "number", "minimum": 0, "maximum": 10},
                    "new_risk_likelihood": {"type": "integer", "minimum": 1, "maximum": 7},
                    "item_kinds": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


def parse_rules(text: str, filename: str) -> RuleSet:
    """Parse a posture rules file; errors name the file, line and field."""
    document = load_yaml(text, filename)
    validate(document, RULES_SCHEMA, filename)
    rules: list[PostureRule] = []
    seen: set[str] = set()
    for raw in document["rules"]:
        if raw["id"] in seen:
            raise CatalogueError(filename, f"duplicate rule id {raw['id']!r}", line=raw.line, field="id")
        seen.add(raw["id"])
        trigger = Trigger(raw["trigger"])
        if (
            trigger is Trigger.EPSS_THRESHOLD
            and "epss_at_least" not in raw
            and "percentile_at_least" not in raw
        ):
            raise CatalogueError(
                filename,
                f"rule {raw['id']}: an EPSS rule needs a threshold",
                line=raw.line,
                field="epss_at_least",
            )
        rules.append(
            PostureRule(
                id=raw["id"],
                trigger=trigger,
                title=raw["title"].strip(),
                why=raw["why"].strip(),
                min_confidence=float(raw.get("min_confidence", 0.4)),
                in_scope_only=bool(raw.get("in_scope_only", True)),
                ai_assets_only=bool(raw.get("ai_assets_only", False)),
                raise_by=int(raw.get("raise_by", 1)),
                raise_to_at_least=raw.get("raise_to_at_least"),
                epss_at_least=raw.get("epss_at_least"),
                percentile_at_least=raw.get("percentile_at_least"),
                cvss_at_least=raw.get("cvss_at_least"),
                new_risk_likelihood=int(raw.get("new_risk_likelihood", 3)),
                item_kinds=frozenset(raw.get("item_kinds", [])),
            )
        )
    vulnerability = document["vulnerability_risks"]
    return RuleSet(
        version=str(document["version"]),
        rules=tuple(rules),
        vulnerability_threats=frozenset(vulnerability["threats"]),
        vulnerability_keywords=tuple(k.lower() for k in vulnerability["keywords"]),
    )


def load_builtin_rules() -> RuleSet:
    text = resources.files("aisms.catalogue").joinpath("data", RULES_FILENAME).read_text(encoding="utf-8")
    return parse_rules(text, RULES_FILENAME)
