"""Export the whole ISMS as one YAML file per register plus a manifest, byte-stable for git."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aisms import __version__
from aisms.apps.accounts.models import User
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.domain.isms_code.keys import SlugAllocator, join_key, slugify
from aisms.domain.isms_code.yaml_format import dump_yaml, manifest, sha256_text
from aisms.isms_code.fields import CATALOGUE, USER, FieldInfo, encode, fields_of, model_of
from aisms.isms_code.registers import FILES, MANIFEST_FILE, SLUG_FIELD, USER_FIELDS, USERS_FILE, SectionSpec

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    files: dict[str, int]  # file name -> records


class KeyIndex:
    """The natural key of every exported row, by model label and primary key."""

    def __init__(self) -> None:
        self.keys: dict[str, dict[Any, str]] = {}
        self.users = dict(User.objects.values_list("pk", "username"))
        self.catalogue: dict[Any, str] = dict(CatalogueEntry.objects.values_list("pk", "uid"))

    def ref(self, target: str, pk: Any) -> str | None:
        if pk is None:
            return None
        if target == USER:
            return self.users.get(pk)
        if target == CATALOGUE:
            return self.catalogue.get(pk)
        return self.keys.get(target, {}).get(pk)


def _rows(
    spec: SectionSpec, fields: list[FieldInfo]
) -> list[tuple[Any, dict[str, Any], dict[str, list[Any]]]]:
    model = model_of(spec)
    names = [info.field.attname for info in fields if info.relation != "m2m"]
    rows = list(model._default_manager.order_by("pk").values("pk", *names))
    m2m: dict[str, dict[Any, list[Any]]] = {}
    for info in fields:
        if info.relation != "m2m":
            continue
        through = info.field.remote_field.through  # type: ignore[union-attr] # many-to-many: set
        source = info.field.m2m_field_name()  # type: ignore[attr-defined] # many-to-many
        target = info.field.m2m_reverse_field_name()  # type: ignore[attr-defined] # many-to-many
        links: dict[Any, list[Any]] = {}
        for a, b in through.objects.values_list(f"{source}_id", f"{target}_id"):
            links.setdefault(a, []).append(b)
        m2m[info.name] = links
    out = []
    for row in rows:
        pk = row.pop("pk")
        out.append((pk, row, {name: links.get(pk, []) for name, links in m2m.items()}))
    return out


def _record(
    spec: SectionSpec,
    fields: list[FieldInfo],
    index: KeyIndex,
    row: dict[str, Any],
    links: dict[str, list[Any]],
) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for info in fields:
        if info.relation == "m2m":
            refs = [index.ref(info.target, pk) for pk in links[info.name]]
            record[info.name] = sorted(r for r in refs if r is not None)
        elif info.relation == "fk":
            record[info.name] = index.ref(info.target, row[info.field.attname])
        else:
            record[info.name] = encode(info, row[info.name])
    return record


def _key_of(spec: SectionSpec, record: dict[str, Any], slugs: SlugAllocator) -> str:
    if spec.singleton:
        return spec.section
    if spec.key:
        return join_key(str(record[name]) for name in spec.key)
    label = record.get(spec.label)
    base = slugify(str(label) if label is not None else "")
    if spec.parent:
        return slugs.allocate(join_key([str(record[spec.parent]), base]))
    return slugs.allocate(base)


@dataclass(frozen=True)
class ExportedRow:
    """One database row as the export writes it: its primary key, natural key and record."""

    pk: Any
    key: str
    record: dict[str, Any]


def exported_rows() -> dict[str, dict[str, list[ExportedRow]]]:
    """Every exported row (file name -> section -> rows in primary-key order) with its natural key."""
    index = KeyIndex()
    files: dict[str, dict[str, list[ExportedRow]]] = {}
    for file in FILES:
        content: dict[str, list[ExportedRow]] = {}
        for spec in file.sections:
            fields = fields_of(spec)
            self_fields = [f for f in fields if f.target == spec.model]
            slugs = SlugAllocator()
            rows: list[ExportedRow] = []
            deferred: list[tuple[Any, dict[str, Any], dict[str, list[Any]]]] = []
            for pk, row, links in _rows(spec, fields):
                if self_fields:
                    deferred.append((pk, row, links))
                record = _record(spec, [f for f in fields if f.target != spec.model], index, row, links)
                key = _key_of(spec, record, slugs)
                index.keys.setdefault(spec.model, {})[pk] = key
                if not spec.key and not spec.singleton:
                    record[SLUG_FIELD] = key
                rows.append(ExportedRow(pk, key, record))
            if deferred:  # references to rows of the same section, now that all have keys
                by_pk = {row.pk: row for row in rows}
                for pk, row, links in deferred:
                    by_pk[pk].record.update(_record(spec, self_fields, index, row, links))
            content[spec.section] = rows
        files[file.name] = content
    return files


def export_data() -> dict[str, dict[str, Any]]:
    """Every exported file's data (file name -> mapping of sections to sorted record lists)."""
    return {
        name: {
            section: [row.record for row in sorted(rows, key=lambda row: row.key)]
            for section, rows in content.items()
        }
        for name, content in exported_rows().items()
    }


def users_data() -> dict[str, Any]:
    users = User.objects.order_by("username").values(*USER_FIELDS)
    return {"users": [dict(u) for u in users]}


def organisation_name() -> str:
    from aisms.apps.context.models import Organisation

    org = Organisation.objects.order_by("pk").first()
    return org.name if org else ""


def export_yaml(directory: Path, *, now: dt.datetime, progress: Progress | None = None) -> ExportResult:
    """Write the YAML files and manifest.yaml into ``directory`` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    data = export_data()
    data[USERS_FILE] = users_data()
    written: dict[str, tuple[str, int]] = {}
    total = len(data)
    for n, (name, content) in enumerate(sorted(data.items()), start=1):
        text = dump_yaml(content)
        (directory / name).write_text(text, encoding="utf-8")
        written[name] = (sha256_text(text), sum(len(v) for v in content.values() if isinstance(v, list)))
        if progress:
            progress(name, n, total)
    meta = manifest(
        aisms_version=__version__,
        exported_at=now.astimezone(dt.UTC).isoformat(),
        organisation=organisation_name(),
        files=written,
    )
    (directory / MANIFEST_FILE).write_text(dump_yaml(meta), encoding="utf-8")
    return ExportResult(directory, {name: count for name, (_, count) in written.items()})
