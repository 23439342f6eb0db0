"""Read an export directory: parse each file with line numbers and check it against its JSON schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from jsonschema import Draft202012Validator

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.yaml_lines import LineDict, line_of, load_yaml
from aisms.domain.isms_code.problems import Problem
from aisms.domain.isms_code.yaml_format import FORMAT_VERSION
from aisms.isms_code.fields import FieldInfo, fields_of, json_schema_of
from aisms.isms_code.registers import FILES, MANIFEST_FILE, SLUG_FIELD, USER_FIELDS, USERS_FILE, FileSpec

USERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "users": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {name: {"type": ["string", "null"]} for name in USER_FIELDS},
                "required": ["username"],
                "additionalProperties": False,
            },
        }
    },
    "additionalProperties": False,
}


@dataclass
class Directory:
    """The parsed files of an export; records whose schema check failed are marked as broken."""

    docs: dict[str, Any] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)  # manifest.yaml, when there is one
    problems: list[Problem] = field(default_factory=list)
    broken: set[int] = field(default_factory=set)  # id() of records with record-level schema problems
    broken_fields: set[tuple[int, str]] = field(default_factory=set)  # (id(record), field) with problems

    def add(self, file: str, line: int | None, name: str, message: str) -> None:
        self.problems.append(Problem(file, line, name, message))


def file_schema(file: FileSpec) -> dict[str, Any]:
    props = {
        spec.section: {"type": "array", "items": json_schema_of(spec, fields_of(spec), SLUG_FIELD)}
        for spec in file.sections
    }
    return {"type": "object", "properties": props, "additionalProperties": False}


def section_fields(file: FileSpec) -> dict[str, list[FieldInfo]]:
    return {spec.section: fields_of(spec) for spec in file.sections}


def _parse(directory: Path, name: str, out: Directory) -> Any:
    path = directory / name
    if not path.is_file():
        return None
    if path.stat().st_size > settings.AISMS_MAX_UPLOAD_BYTES:
        out.add(name, None, "", f"larger than the limit of {settings.AISMS_MAX_UPLOAD_BYTES} bytes")
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        out.add(name, None, "", "not UTF-8 text")
        return None
    try:
        doc = load_yaml(text, name)
    except CatalogueError as exc:
        out.add(name, exc.line, "", exc.message)
        return None
    if doc is None:
        return LineDict()
    if not isinstance(doc, LineDict):
        out.add(name, getattr(doc, "line", 1), "", "expected a mapping of sections to lists of records")
        return None
    return doc


def _check_schema(name: str, doc: Any, schema: dict[str, Any], out: Directory) -> None:
    for error in Draft202012Validator(schema).iter_errors(doc):
        path = list(error.absolute_path)
        record: Any = doc
        for step in path[:2]:
            try:
                record = record[step]
            except (KeyError, IndexError, TypeError):
                break
        if len(path) == 2:
            out.broken.add(id(record))
        elif len(path) > 2:
            out.broken_fields.add((id(record), str(path[2])))
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for extra in sorted(set(error.instance) - allowed):
                what = "section" if not path else "field"
                out.add(name, line_of(doc, [*path, extra]), str(extra), f"unknown {what}")
            continue
        field_name = next((str(p) for p in reversed(path) if isinstance(p, str)), "")
        if len(path) == 2:
            field_name = ""
        out.add(name, line_of(doc, path), field_name, error.message)


def read_directory(directory: Path) -> Directory:
    """Parse and schema-check every file of the export (missing register files count as empty)."""
    out = Directory()
    if not directory.is_dir():
        out.add(str(directory), None, "", "not a directory")
        return out
    manifest = _parse(directory, MANIFEST_FILE, out)
    if isinstance(manifest, dict):
        out.manifest = manifest
    if isinstance(manifest, dict) and manifest.get("format_version") != FORMAT_VERSION:
        out.add(
            MANIFEST_FILE,
            line_of(manifest, ["format_version"]),
            "format_version",
            f"this aisms reads format version {FORMAT_VERSION}, not {manifest.get('format_version')!r}",
        )
    users = _parse(directory, USERS_FILE, out)
    if users is not None:
        _check_schema(USERS_FILE, users, USERS_SCHEMA, out)
        out.docs[USERS_FILE] = users
    for file in FILES:
        doc = _parse(directory, file.name, out)
        if doc is None:
            continue
        _check_schema(file.name, doc, file_schema(file), out)
        out.docs[file.name] = doc
    return out
