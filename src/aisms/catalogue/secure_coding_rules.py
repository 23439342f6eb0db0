"""Detection rules for the secure-coding scanner, shipped as versioned YAML (secure-coding-rules.yaml).

The file lists the AI coding assistants and their configuration files, secret formats, dangerous shell
commands and phrases that weaken security practice. It is checked against a schema when loaded (errors
name the line and field) and every regular expression is compiled once, so a broken pattern fails at load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import validate
from aisms.catalogue.yaml_lines import line_of, load_yaml

DATA_FILE = Path(__file__).parent / "data" / "secure-coding-rules.yaml"
FILE_KINDS = ("instructions", "settings", "mcp", "ignore")
SEVERITIES = ("error", "warning", "note")
_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,79}$"}
_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "tools", "secrets", "dangerous_commands", "weakening", "human_review_phrases"],
    "additionalProperties": False,
    "properties": {
        "version": {"type": "integer", "minimum": 1},
        "tools": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "files"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": {"type": "string", "minLength": 1},
                    "files": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["paths", "kind"],
                            "additionalProperties": False,
                            "properties": {"paths": _STRINGS, "kind": {"enum": list(FILE_KINDS)}},
                        },
                    },
                },
            },
        },
        "secrets": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "pattern"],
                "additionalProperties": False,
                "properties": {"id": _ID, "name": {"type": "string"}, "pattern": {"type": "string"}},
            },
        },
        "dangerous_commands": _STRINGS,
        "weakening": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "title", "severity", "patterns", "explanation"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "title": {"type": "string", "minLength": 1},
                    "severity": {"enum": list(SEVERITIES)},
                    "patterns": _STRINGS,
                    "explanation": {"type": "string", "minLength": 1},
                },
            },
        },
        "human_review_phrases": _STRINGS,
    },
}


@dataclass(frozen=True)
class ToolFiles:
    tool: str
    kind: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class ToolDefinition:
    id: str
    name: str
    files: tuple[ToolFiles, ...]


@dataclass(frozen=True)
class SecretRule:
    id: str
    name: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class WeakeningRule:
    id: str
    title: str
    severity: str
    patterns: tuple[re.Pattern[str], ...]
    explanation: str


@dataclass(frozen=True)
class SecureCodingRules:
    version: int
    tools: tuple[ToolDefinition, ...]
    secrets: tuple[SecretRule, ...]
    dangerous_commands: tuple[str, ...]
    weakening: tuple[WeakeningRule, ...]
    human_review: tuple[re.Pattern[str], ...]

    def tool(self, tool_id: str) -> ToolDefinition | None:
        return next((t for t in self.tools if t.id == tool_id), None)


def _compile(document: Any, path: list[str | int], pattern: str, filename: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise CatalogueError(
            filename,
            f"not a valid regular expression: {exc}",
            line=line_of(document, path),
            field=".".join(map(str, path)),
        ) from exc


def parse_rules(text: str, filename: str) -> SecureCodingRules:
    document = load_yaml(text, filename)
    validate(document, SCHEMA, filename)
    seen: set[str] = set()
    for index, tool in enumerate(document["tools"]):
        if tool["id"] in seen:
            raise CatalogueError(
                filename,
                f"tool {tool['id']!r} is listed twice",
                line=line_of(document, ["tools", index]),
                field=f"tools.{index}.id",
            )
        seen.add(tool["id"])
    tools = tuple(
        ToolDefinition(
            id=t["id"],
            name=t["name"],
            files=tuple(ToolFiles(t["id"], f["kind"], tuple(f["paths"])) for f in t["files"]),
        )
        for t in document["tools"]
    )
    secrets = tuple(
        SecretRule(s["id"], s["name"], _compile(document, ["secrets", i, "pattern"], s["pattern"], filename))
        for i, s in enumerate(document["secrets"])
    )
    weakening = tuple(
        WeakeningRule(
            id=w["id"],
            title=w["title"],
            severity=w["severity"],
            patterns=tuple(
                _compile(document, ["weakening", i, "patterns", j], p, filename)
                for j, p in enumerate(w["patterns"])
            ),
            explanation=w["explanation"],
        )
        for i, w in enumerate(document["weakening"])
    )
    review = tuple(
        _compile(document, ["human_review_phrases", i], p, filename)
        for i, p in enumerate(document["human_review_phrases"])
    )
    return SecureCodingRules(
        version=document["version"],
        tools=tools,
        secrets=secrets,
        dangerous_commands=tuple(document["dangerous_commands"]),
        weakening=weakening,
        human_review=review,
    )


@cache
def load_rules() -> SecureCodingRules:
    """The shipped rules (cached: the file is read and compiled once per process)."""
    return parse_rules(DATA_FILE.read_text(encoding="utf-8"), DATA_FILE.name)
