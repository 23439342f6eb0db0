"""Load the shipped catalogue files, validate each against its schema, and check every reference."""

from __future__ import annotations

from importlib import resources
from typing import Any

import jsonschema

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.model import PREFIXES, Catalogue, Entry, Link, Relation, SourceInfo, uid_for
from aisms.catalogue.schema import CROSSWALK_FILE, catalogue_file_schema
from aisms.catalogue.yaml_lines import line_of, load_yaml

# The shipped files, in load order (crosswalks last: they refer to the others).
CATALOGUE_FILES: dict[str, str] = {
    "iso27001": "iso27001-2022.yaml",
    "iso27002": "iso27002-2022.yaml",
    "atlas": "atlas.yaml",
    "owasp-llm": "owasp-llm-2025.yaml",
    "owasp-ml": "owasp-ml-2023.yaml",
    "iso42001": "iso42001-2023.yaml",
    "nist-ai-rmf": "nist-ai-rmf-1.0.yaml",
    "eu-ai-act": "eu-ai-act.yaml",
}
CROSSWALK_FILENAME = "crosswalks.yaml"

# Fields that become links rather than attributes.
_LINK_FIELDS = {
    "tactics": Relation.TACTIC,
    "mitigates": Relation.MITIGATES,
    "atlas": Relation.RELATED_TECHNIQUE,
}
_CORE_FIELDS = {"id", "kind", "name", "summary", "parent"}


def validate(document: Any, schema: dict[str, Any], filename: str) -> None:
    """Raise CatalogueError for the first schema violation, naming line and field."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors(document))
    if not errors:
        return

    def order(error: jsonschema.ValidationError) -> tuple[bool, int]:
        # A wrong value is reported before a missing key (a file cut short misses keys; the half-written
        # value near the cut says more); otherwise the first problem in the file wins.
        return error.validator == "required", line_of(document, list(error.absolute_path)) or 0

    error = min(errors, key=order)
    path: list[str | int] = list(error.absolute_path)
    line = line_of(document, path)
    # Name the field itself when a property is missing or not allowed, not just its record.
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        path = [*path, missing[0]] if missing else path
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(name for name in error.instance if name not in allowed)
        if extra:
            path = [*path, extra[0]]
            line = line_of(document, path)
    raise CatalogueError(filename, error.message, line=line, field=".".join(str(p) for p in path) or None)


def parse_catalogue_file(key: str, text: str, filename: str) -> tuple[SourceInfo, list[Entry], list[Link]]:
    document = load_yaml(text, filename)
    validate(document, catalogue_file_schema(key), filename)
    source = SourceInfo(
        key=key,
        prefix=PREFIXES[key],
        version=document["version"],
        title=document["title"],
        publisher=document["source"]["publisher"],
        url=document["source"]["url"],
        licence=document["source"]["licence"],
    )
    entries: list[Entry] = []
    links: list[Link] = []
    seen: set[str] = set()
    for position, raw in enumerate(document["entries"]):
        uid = uid_for(key, raw["id"])
        if uid in seen:
            raise CatalogueError(filename, f"duplicate id {raw['id']!r}", line=raw.line, field="id")
        seen.add(uid)
        attributes: dict[str, Any] = {}
        for name, value in raw.items():
            if name in _CORE_FIELDS:
                continue
            if name in _LINK_FIELDS:
                target_catalogue = "atlas"
                links.extend(Link(uid, uid_for(target_catalogue, ref), _LINK_FIELDS[name]) for ref in value)
            elif name == "attributes":
                attributes.update(_plain(value))  # ISO/IEC 27002 attribute dimensions, stored flat
            else:
                attributes[name] = _plain(value)
        entries.append(
            Entry(
                uid=uid,
                catalogue=key,
                ref=raw["id"],
                kind=raw["kind"],
                name=raw["name"],
                summary=raw["summary"].strip(),
                parent_uid=uid_for(key, raw["parent"]) if raw.get("parent") else None,
                attributes=attributes,
                position=position,
            )
        )
    return source, entries, links


def parse_crosswalks(text: str, filename: str) -> tuple[SourceInfo, list[Link], dict[int, int]]:
    """Crosswalk links, and for each link index the line it came from (for reference errors)."""
    document = load_yaml(text, filename)
    validate(document, CROSSWALK_FILE, filename)
    source = SourceInfo(
        key="crosswalks",
        prefix="crosswalks",
        version=document["version"],
        title=document["title"],
        publisher=document["source"]["publisher"],
        url=document["source"]["url"],
        licence=document["source"]["licence"],
    )
    links: list[Link] = []
    lines: dict[int, int] = {}
    for item in document["threat_controls"]:
        for control in item["controls"]:
            lines[len(links)] = control.line
            links.append(
                Link(item["threat"], control["control"], Relation.TREATED_BY, control["rationale"].strip())
            )
        for target in [*item.get("iso42001", []), *item.get("nist_ai_rmf", [])]:
            lines[len(links)] = item.line
            links.append(Link(item["threat"], target, Relation.MAPS_TO))
    return source, links, lines


def _plain(value: Any) -> Any:
    """Turn the line-remembering containers back into plain dicts and lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _read(filename: str) -> str:
    return resources.files("aisms.catalogue").joinpath("data", filename).read_text(encoding="utf-8")


def load_builtin() -> Catalogue:
    """The catalogue shipped with aisms, validated and with every reference checked."""
    catalogue = Catalogue()
    for key, filename in CATALOGUE_FILES.items():
        source, entries, links = parse_catalogue_file(key, _read(filename), filename)
        catalogue.sources[key] = source
        catalogue.entries.update((e.uid, e) for e in entries)
        catalogue.links.extend(links)
    source, links, lines = parse_crosswalks(_read(CROSSWALK_FILENAME), CROSSWALK_FILENAME)
    catalogue.sources["crosswalks"] = source
    for index, link in enumerate(links):
        for uid in (link.source_uid, link.target_uid):
            if uid not in catalogue.entries:
                raise CatalogueError(CROSSWALK_FILENAME, f"unknown identifier {uid!r}", line=lines[index])
    catalogue.links.extend(links)
    check_references(catalogue)
    return catalogue


def check_references(catalogue: Catalogue) -> None:
    """Every parent and link target exists; every technique has a tactic or a parent."""
    with_tactic = {link.source_uid for link in catalogue.links if link.relation is Relation.TACTIC}
    for entry in catalogue.entries.values():
        filename = CATALOGUE_FILES.get(entry.catalogue, entry.catalogue)
        if entry.parent_uid is not None and entry.parent_uid not in catalogue.entries:
            raise CatalogueError(
                filename, f"{entry.ref}: unknown parent {entry.parent_uid!r}", field="parent"
            )
        if entry.kind == "technique" and entry.parent_uid is None and entry.uid not in with_tactic:
            raise CatalogueError(
                filename, f"{entry.ref}: a technique needs a tactic or a parent", field="tactics"
            )
    for link in catalogue.links:
        for uid in (link.source_uid, link.target_uid):
            if uid not in catalogue.entries:
                source = catalogue.entries.get(link.source_uid)
                filename = CATALOGUE_FILES.get(source.catalogue, "?") if source else "?"
                raise CatalogueError(
                    filename, f"{link.source_uid}: unknown identifier {uid!r} ({link.relation})"
                )
