"""Starter supplier questionnaires (supplier-questionnaires.yaml) and reading a template from YAML or JSON.

Problems name the file, the line and the field: the domain validation reports a path inside the document,
and the line-aware YAML reader turns that path into a line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.yaml_lines import line_of, load_yaml
from aisms.domain.suppliers.questionnaire import Template, TemplateError, template_from_dict

DATA_FILE = Path(__file__).parent / "data" / "supplier-questionnaires.yaml"


@dataclass(frozen=True)
class TemplateProblemAt:
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{self.field}: {self.message}" if self.field else f"{where}{self.message}"


class TemplateFileError(CatalogueError):
    """Every problem of a template document, each with its line and field; the first one is the message."""

    def __init__(self, filename: str, problems: list[TemplateProblemAt]) -> None:
        self.problems = problems
        first = problems[0]
        extra = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(filename, first.message + extra, line=first.line, field=first.field or None)


def _template(document: Any, base: list[str | int], filename: str, root: Any) -> Template:
    try:
        return template_from_dict(document)
    except TemplateError as exc:
        problems = [
            TemplateProblemAt(
                line=line_of(root, [*base, *p.path]),
                field=".".join(str(x) for x in [*base, *p.path]),
                message=p.message,
            )
            for p in exc.problems
        ]
        raise TemplateFileError(filename, problems) from exc


def parse_template_text(text: str, filename: str) -> Template:
    """One template from YAML or JSON text (JSON is read as YAML, which keeps its lines)."""
    document = load_yaml(text, filename)
    return _template(document, [], filename, document)


def parse_starter_file(text: str, filename: str) -> tuple[Template, ...]:
    document = load_yaml(text, filename)
    if not isinstance(document, dict) or not isinstance(document.get("templates"), list):
        raise CatalogueError(
            filename, "expected a mapping with a 'templates' list", line=1, field="templates"
        )
    templates = tuple(
        _template(item, ["templates", index], filename, document)
        for index, item in enumerate(document["templates"])
    )
    keys = [t.key for t in templates]
    for index, key in enumerate(keys):
        if key in keys[:index]:
            raise CatalogueError(
                filename,
                f"template {key!r} appears twice",
                line=line_of(document, ["templates", index, "key"]),
                field=f"templates.{index}.key",
            )
    return templates


@lru_cache(maxsize=4)
def load_starter_questionnaires(path: Path = DATA_FILE) -> tuple[Template, ...]:
    """The shipped templates (read once per process; templates are immutable)."""
    return parse_starter_file(path.read_text(encoding="utf-8"), path.name)
