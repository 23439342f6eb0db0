"""JSON Schemas for the shipped catalogue files; every file is validated against one on load."""

from __future__ import annotations

from typing import Any

_STR = {"type": "string", "minLength": 1}
_STR_LIST = {"type": "array", "items": _STR, "uniqueItems": True}

SOURCE: dict[str, Any] = {
    "type": "object",
    "required": ["publisher", "url", "licence"],
    "properties": {"publisher": _STR, "url": _STR, "licence": _STR},
    "additionalProperties": False,
}

ATTRIBUTE_VOCABULARY: dict[str, list[str]] = {
    "control_type": ["preventive", "detective", "corrective"],
    "security_properties": ["confidentiality", "integrity", "availability"],
    "cybersecurity_concepts": ["identify", "protect", "detect", "respond", "recover"],
    "operational_capabilities": [
        "governance",
        "asset_management",
        "information_protection",
        "human_resource_security",
        "physical_security",
        "system_and_network_security",
        "application_security",
        "secure_configuration",
        "identity_and_access_management",
        "threat_and_vulnerability_management",
        "continuity",
        "supplier_relationships_security",
        "legal_and_compliance",
        "information_security_event_management",
        "information_security_assurance",
    ],
    "security_domains": ["governance_and_ecosystem", "protection", "defence", "resilience"],
}

THEMES = ["organizational", "people", "physical", "technological"]
MATURITY = ["feasible", "demonstrated", "realized"]

_ENTRY_BASE: dict[str, Any] = {"id": _STR, "name": _STR, "summary": {"type": "string"}, "parent": _STR}

# Per catalogue: the kinds of entry it holds and the extra fields an entry may carry.
ENTRY_FIELDS: dict[str, tuple[list[str], dict[str, Any]]] = {
    "iso27001": (["clause"], {}),
    "iso27002": (
        ["control"],
        {
            "theme": {"enum": THEMES},
            "attributes": {
                "type": "object",
                "properties": {
                    key: {"type": "array", "items": {"enum": values}, "uniqueItems": True}
                    for key, values in ATTRIBUTE_VOCABULARY.items()
                },
                "additionalProperties": False,
            },
        },
    ),
    "atlas": (
        ["tactic", "technique", "mitigation"],
        {
            "maturity": {"enum": MATURITY},
            "tactics": _STR_LIST,
            "attack_ref": _STR,
            "categories": _STR_LIST,
            "lifecycle": _STR_LIST,
            "mitigates": _STR_LIST,
        },
    ),
    "owasp-llm": (["risk"], {"atlas": _STR_LIST}),
    "owasp-ml": (["risk"], {"atlas": _STR_LIST}),
    "iso42001": (["objective", "control"], {}),
    "nist-ai-rmf": (["function", "category"], {}),
    "eu-ai-act": (
        ["risk-tier"],
        {
            "articles": _STR_LIST,
            "obligations": _STR_LIST,
            "examples": _STR_LIST,
            "max_fine": {
                "type": "object",
                "required": ["fixed_eur", "turnover_pct"],
                "properties": {
                    "fixed_eur": {"type": "integer", "minimum": 0},
                    "turnover_pct": {"type": "number", "minimum": 0, "maximum": 100},
                },
                "additionalProperties": False,
            },
        },
    ),
}


def catalogue_file_schema(key: str) -> dict[str, Any]:
    kinds, extra = ENTRY_FIELDS[key]
    entry = {
        "type": "object",
        "required": ["id", "kind", "name", "summary"],
        "properties": {**_ENTRY_BASE, "kind": {"enum": kinds}, **extra},
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "required": ["catalogue", "version", "title", "source", "entries"],
        "properties": {
            "catalogue": {"const": key},
            "version": _STR,
            "title": _STR,
            "source": SOURCE,
            "entries": {"type": "array", "items": entry, "minItems": 1},
        },
        "additionalProperties": False,
    }


CROSSWALK_FILE: dict[str, Any] = {
    "type": "object",
    "required": ["catalogue", "version", "title", "source", "threat_controls"],
    "properties": {
        "catalogue": {"const": "crosswalks"},
        "version": _STR,
        "title": _STR,
        "source": SOURCE,
        "threat_controls": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["threat", "controls"],
                "properties": {
                    "threat": _STR,
                    "controls": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["control", "rationale"],
                            "properties": {"control": _STR, "rationale": _STR},
                            "additionalProperties": False,
                        },
                    },
                    "iso42001": _STR_LIST,
                    "nist_ai_rmf": _STR_LIST,
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}
