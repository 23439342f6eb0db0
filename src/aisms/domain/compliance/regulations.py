"""The regulation suggestions shipped in catalogue/data/regulations.yaml: names, ceilings, obligations.

Pure loader: the file is checked against a schema; the EU AI Act's ceilings are read from the EU AI Act
catalogue entry named by `penalty_from` (passed in as a mapping of uid -> max_fine attributes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import validate
from aisms.catalogue.yaml_lines import load_yaml
from aisms.domain.compliance.exposure import CeilingRule, Penalty

DATA_FILE = Path(__file__).resolve().parents[2] / "catalogue" / "data" / "regulations.yaml"

_CONTROL = {"type": "string", "pattern": "^iso2700[12]:2022:[0-9.]+$"}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "regulations"],
    "additionalProperties": False,
    "properties": {
        "version": {"type": "integer", "minimum": 1},
        "regulations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "name", "short_name", "jurisdiction", "source", "obligations"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "pattern": "^[a-z0-9-]{1,40}$"},
                    "name": {"type": "string", "minLength": 1, "maxLength": 300},
                    "short_name": {"type": "string", "minLength": 1, "maxLength": 60},
                    "jurisdiction": {"type": "string", "maxLength": 200},
                    "source": {"type": "string", "pattern": "^https://"},
                    "penalty_from": {"type": "string"},
                    "penalty_article": {"type": "string"},
                    "penalty": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "fixed_eur": {"type": "number", "minimum": 0},
                            "turnover_pct": {"type": "number", "minimum": 0, "maximum": 100},
                            "rule": {"enum": [r.value for r in CeilingRule]},
                        },
                    },
                    "obligations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["text"],
                            "additionalProperties": False,
                            "properties": {
                                "text": {"type": "string", "minLength": 1},
                                "controls": {"type": "array", "items": _CONTROL},
                            },
                        },
                    },
                },
            },
        },
    },
}


@dataclass(frozen=True)
class SuggestedObligation:
    text: str
    controls: tuple[str, ...]


@dataclass(frozen=True)
class SuggestedRegulation:
    key: str
    name: str
    short_name: str
    jurisdiction: str
    source: str
    penalty: Penalty
    penalty_article: str
    obligations: tuple[SuggestedObligation, ...]


def parse_regulations(
    text: str, fines: Mapping[str, Mapping[str, Any]], filename: str = "regulations.yaml"
) -> list[SuggestedRegulation]:
    """`fines`: catalogue uid -> its max_fine attribute ({fixed_eur, turnover_pct})."""
    document = load_yaml(text, filename)
    validate(document, SCHEMA, filename)
    out = []
    for item in document["regulations"]:
        if "penalty_from" in item:
            fine = fines.get(item["penalty_from"])
            if fine is None:
                raise CatalogueError(
                    filename,
                    f"unknown penalty_from {item['penalty_from']!r}",
                    line=item.line,
                    field="penalty_from",
                )
            raw: Mapping[str, Any] = {**fine, "rule": "higher"}
        elif "penalty" in item:
            raw = item["penalty"]
        else:
            raise CatalogueError(filename, "a regulation needs penalty or penalty_from", line=item.line)
        share = raw.get("turnover_pct")
        penalty = Penalty(
            fixed_eur=float(raw["fixed_eur"]) if raw.get("fixed_eur") is not None else None,
            turnover_share=float(share) / 100 if share is not None else None,
            rule=CeilingRule(raw.get("rule", "higher")),
        )
        obligations = tuple(
            SuggestedObligation(o["text"].strip(), tuple(o.get("controls", []))) for o in item["obligations"]
        )
        out.append(
            SuggestedRegulation(
                key=item["key"],
                name=item["name"],
                short_name=item["short_name"],
                jurisdiction=item["jurisdiction"],
                source=item["source"],
                penalty=penalty,
                penalty_article=item.get("penalty_article", ""),
                obligations=obligations,
            )
        )
    return out


def load_regulations(fines: Mapping[str, Mapping[str, Any]]) -> list[SuggestedRegulation]:
    return parse_regulations(DATA_FILE.read_text(encoding="utf-8"), fines, DATA_FILE.name)
