"""Load the PESTEL starter templates: issues an ISMS manager can adopt into the context register."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import validate
from aisms.catalogue.schema import SOURCE
from aisms.catalogue.yaml_lines import load_yaml

TEMPLATES_FILENAME = "pestel-templates.yaml"
CATEGORIES = ("political", "economic", "social", "technological", "environmental", "legal")
ORIGINS = ("internal", "external")
TRENDS = ("rising", "stable", "falling")

_TEXT = {"type": "string", "minLength": 1}

TEMPLATES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["catalogue", "version", "title", "source", "templates"],
    "properties": {
        "catalogue": {"const": "pestel-templates"},
        "version": {"type": "string", "minLength": 1},
        "title": _TEXT,
        "source": SOURCE,
        "templates": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "category", "origin", "title", "description", "effect", "trend"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                    "category": {"enum": list(CATEGORIES)},
                    "origin": {"enum": list(ORIGINS)},
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "description": _TEXT,
                    "effect": _TEXT,
                    "trend": {"enum": list(TRENDS)},
                    "opportunities": {"type": "string"},
                    "ai": {"type": "boolean"},
                    "review_months": {"type": "integer", "minimum": 1, "maximum": 36},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


@dataclass(frozen=True)
class PestelTemplate:
    id: str
    category: str
    origin: str
    title: str
    description: str
    effect: str
    trend: str
    opportunities: str
    ai: bool
    review_months: int


@dataclass(frozen=True)
class PestelTemplates:
    version: str
    title: str
    templates: tuple[PestelTemplate, ...]

    def get(self, template_id: str) -> PestelTemplate | None:
        return next((t for t in self.templates if t.id == template_id), None)


def parse_templates(text: str, filename: str) -> PestelTemplates:
    """Parse and validate a templates file; errors name the file, line and field."""
    document = load_yaml(text, filename)
    validate(document, TEMPLATES_SCHEMA, filename)
    seen: set[str] = set()
    templates = []
    for raw in document["templates"]:
        if raw["id"] in seen:
            raise CatalogueError(filename, f"duplicate template id {raw['id']!r}", line=raw.line, field="id")
        seen.add(raw["id"])
        templates.append(
            PestelTemplate(
                id=raw["id"],
                category=raw["category"],
                origin=raw["origin"],
                title=raw["title"].strip(),
                description=raw["description"].strip(),
                effect=raw["effect"].strip(),
                trend=raw["trend"],
                opportunities=str(raw.get("opportunities", "")).strip(),
                ai=bool(raw.get("ai", False)),
                review_months=int(raw.get("review_months", 6)),
            )
        )
    return PestelTemplates(version=document["version"], title=document["title"], templates=tuple(templates))


def load_builtin_templates() -> PestelTemplates:
    text = resources.files("aisms.catalogue").joinpath("data", TEMPLATES_FILENAME).read_text("utf-8")
    return parse_templates(text, TEMPLATES_FILENAME)
