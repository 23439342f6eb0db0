"""Our own internal audit questions (audit-questions.yaml): one per clause, a pattern for controls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import validate
from aisms.catalogue.yaml_lines import line_of, load_yaml
from aisms.domain.audits.checklist import CONTROL_PATTERN_FIELD, QuestionBank

DATA_FILE = Path(__file__).parent / "data" / "audit-questions.yaml"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "control_pattern", "excluded_control_pattern", "clauses"],
    "additionalProperties": False,
    "properties": {
        "version": {"type": "integer", "minimum": 1},
        "control_pattern": {"type": "string", "minLength": 1},
        "excluded_control_pattern": {"type": "string", "minLength": 1},
        "clauses": {
            "type": "object",
            "propertyNames": {"pattern": r"^iso27001:2022:\d{1,2}(\.\d{1,2}){0,2}$"},
            "additionalProperties": {"type": "string", "minLength": 10, "maxLength": 400},
        },
    },
}


def parse_questions(text: str, filename: str) -> QuestionBank:
    """The question bank from YAML text; CatalogueError (file, line, field) on any problem."""
    document = load_yaml(text, filename)
    validate(document, SCHEMA, filename)
    for key in ("control_pattern", "excluded_control_pattern"):
        if CONTROL_PATTERN_FIELD not in document[key]:
            raise CatalogueError(
                filename,
                f"the pattern needs {CONTROL_PATTERN_FIELD}",
                line=line_of(document, [key]),
                field=key,
            )
    return QuestionBank(
        clauses={str(k): str(v) for k, v in document["clauses"].items()},
        control_pattern=str(document["control_pattern"]),
        excluded_control_pattern=str(document["excluded_control_pattern"]),
    )


def load_questions(path: Path = DATA_FILE) -> QuestionBank:
    return parse_questions(path.read_text(encoding="utf-8"), path.name)
