"""Starter training modules on AI-related threats, shipped as versioned YAML (training-modules.yaml).

A small pure loader: the file is checked against a schema and errors name the line and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import validate
from aisms.catalogue.yaml_lines import line_of, load_yaml

DATA_FILE = Path(__file__).parent / "data" / "training-modules.yaml"
CATEGORIES = ("ai_risk", "security", "privacy", "technical", "other")
_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,79}$"}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "competences", "modules"],
    "additionalProperties": False,
    "properties": {
        "version": {"type": "integer", "minimum": 1},
        "competences": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "category", "description"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": {"type": "string", "minLength": 1, "maxLength": 200},
                    "category": {"enum": list(CATEGORIES)},
                    "description": {"type": "string"},
                },
            },
        },
        "modules": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "title", "duration_minutes", "competences", "objectives"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "duration_minutes": {"type": "integer", "minimum": 1, "maximum": 1440},
                    "recurrence_months": {"type": ["integer", "null"], "minimum": 1, "maximum": 120},
                    "competences": {"type": "array", "items": _ID},
                    "objectives": {"type": "array", "items": {"type": "string", "minLength": 1}},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class StarterCompetence:
    id: str
    name: str
    category: str
    description: str


@dataclass(frozen=True)
class StarterModule:
    id: str
    title: str
    duration_minutes: int
    recurrence_months: int | None
    competences: tuple[str, ...]
    objectives: tuple[str, ...]


@dataclass(frozen=True)
class StarterSet:
    version: int
    competences: tuple[StarterCompetence, ...]
    modules: tuple[StarterModule, ...]


def parse_training_modules(text: str, filename: str) -> StarterSet:
    """The starter set from YAML text; CatalogueError (file, line, field) on any problem."""
    document = load_yaml(text, filename)
    validate(document, SCHEMA, filename)
    competences = tuple(StarterCompetence(**c) for c in document["competences"])
    known = {c.id for c in competences}
    for kind in ("competences", "modules"):
        seen: set[str] = set()
        for index, item in enumerate(document[kind]):
            if item["id"] in seen:
                raise CatalogueError(
                    filename,
                    f"{item['id']!r} appears twice",
                    line=line_of(document, [kind, index, "id"]),
                    field=f"{kind}.{index}.id",
                )
            seen.add(item["id"])
    modules = []
    for index, item in enumerate(document["modules"]):
        for position, competence in enumerate(item["competences"]):
            if competence not in known:
                raise CatalogueError(
                    filename,
                    f"unknown competence {competence!r}",
                    line=line_of(document, ["modules", index, "competences", position]),
                    field=f"modules.{index}.competences.{position}",
                )
        modules.append(
            StarterModule(
                id=item["id"],
                title=item["title"],
                duration_minutes=item["duration_minutes"],
                recurrence_months=item.get("recurrence_months"),
                competences=tuple(item["competences"]),
                objectives=tuple(item["objectives"]),
            )
        )
    return StarterSet(version=document["version"], competences=competences, modules=tuple(modules))


def load_starter_modules(path: Path = DATA_FILE) -> StarterSet:
    return parse_training_modules(path.read_text(encoding="utf-8"), path.name)
