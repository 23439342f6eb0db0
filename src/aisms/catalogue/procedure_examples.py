"""Load the invented procedure examples: report-style sentences of how each ATLAS technique is carried out.

The catalogue's technique summaries read like definitions; threat reports and red-team write-ups read like
narratives ("the group rented a GPU server and registered a look-alike domain"). The shipped file gives the
technique classifier a few such sentences per technique and sub-technique, written by the aisms project
(invented situations, no MITRE text, no case study retold). They train the built-in model beside the
summaries; the ATLAS case-study steps that `aisms catalogue import-atlas` stores come on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import validate
from aisms.catalogue.schema import SOURCE
from aisms.catalogue.yaml_lines import line_of, load_yaml

PROCEDURES_FILENAME = "atlas-procedures.yaml"
TECHNIQUE_ID = r"^AML\.T[0-9]{4}(\.[0-9]{3})?$"

PROCEDURES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["catalogue", "version", "title", "source", "techniques"],
    "properties": {
        "catalogue": {"const": "atlas-procedures"},
        "version": {"type": "string", "minLength": 1},
        "title": {"type": "string", "minLength": 1},
        "source": SOURCE,
        "techniques": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": TECHNIQUE_ID},
            "additionalProperties": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "minLength": 20, "maxLength": 400},
            },
        },
    },
    "additionalProperties": False,
}


@dataclass(frozen=True)
class ProcedureExamples:
    version: str
    by_technique: dict[str, tuple[str, ...]]  # ATLAS id ("AML.T0051.001") -> sentences

    def __len__(self) -> int:
        return sum(len(sentences) for sentences in self.by_technique.values())


def parse_procedures(text: str, filename: str) -> ProcedureExamples:
    """Parse and validate a procedures file; errors name the file, line and technique."""
    document = load_yaml(text, filename)
    validate(document, PROCEDURES_SCHEMA, filename)
    seen: dict[str, str] = {}
    by_technique: dict[str, tuple[str, ...]] = {}
    for technique, sentences in document["techniques"].items():
        cleaned = []
        for position, sentence in enumerate(sentences):
            normalised = " ".join(str(sentence).split())
            key = normalised.casefold()
            if key in seen:
                raise CatalogueError(
                    filename,
                    f"sentence repeated (first under {seen[key]})",
                    line=line_of(document, ["techniques", technique, position]),
                    field=technique,
                )
            seen[key] = technique
            cleaned.append(normalised)
        by_technique[str(technique)] = tuple(cleaned)
    return ProcedureExamples(version=str(document["version"]), by_technique=by_technique)


@lru_cache(maxsize=1)
def load_builtin_procedures() -> ProcedureExamples:
    text = resources.files("aisms.catalogue").joinpath("data", PROCEDURES_FILENAME).read_text("utf-8")
    return parse_procedures(text, PROCEDURES_FILENAME)
