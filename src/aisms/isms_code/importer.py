"""Import an export directory: check everything first, then write in one transaction.

Into an empty instance, every record is created. With ``merge``, each record is matched with the
database row of the same natural key: new records are created, changed ones updated through the
model's save (so their history records the import), identical ones left alone, and rows the files
do not list are kept. Every problem (syntax, schema, unknown references, field validation, data
already present, changes to recorded snapshots) is collected with its file, line and field; when
there is any, nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.catalogue.yaml_lines import line_of
from aisms.domain.access import Role
from aisms.domain.isms_code.keys import join_key
from aisms.domain.isms_code.merge_report import FileChanges, UpdatedRecord, merge_reason
from aisms.domain.isms_code.problems import ImportRefusedError, Problem
from aisms.isms_code.exporter import ExportedRow
from aisms.isms_code.fields import CATALOGUE, USER, DecodeError, FieldInfo, decode, fields_of, model_of
from aisms.isms_code.merge import Existing, changed_fields, existing_rows
from aisms.isms_code.reader import Directory, read_directory
from aisms.isms_code.registers import FILES, SLUG_FIELD, STAMP_FIELDS, USERS_FILE, SectionSpec

Progress = Callable[[str, int, int], None]


@dataclass
class Item:
    """One record: where it is written, its key, the instance to save and its references.

    When merging, ``existing`` is the database row with the same key and ``changed`` the fields the
    record changes; an unchanged record gets no instance and is not written.
    """

    file: str
    spec: SectionSpec
    record: Any
    key: str
    instance: models.Model | None = None
    refs: dict[str, Any] = field(default_factory=dict)  # field name -> key or list of keys
    existing: ExportedRow | None = None
    changed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    records: dict[str, int]  # file name -> records in the files (all created, unless merging)
    users_created: list[str]
    dry_run: bool
    merge: bool = False
    changes: dict[str, FileChanges] = field(default_factory=dict)  # merge: file name -> counts
    updated: list[UpdatedRecord] = field(default_factory=list)  # merge: the records changed


class _DryRunError(Exception):
    pass


def _key_of(spec: SectionSpec, record: Any) -> str:
    if spec.singleton:
        return spec.section
    if spec.key:
        return join_key(str(record.get(name)) for name in spec.key)
    return str(record.get(SLUG_FIELD))


class _Plan:
    def __init__(self, directory: Directory, *, merge: bool = False, source: str = "") -> None:
        self.dir = directory
        self.merge = merge
        exported_at = directory.manifest.get("exported_at")
        self.reason = merge_reason(str(exported_at) if exported_at else None, source) if merge else None
        self.existing: Existing = {}
        self.done: dict[str, dict[str, Any]] = {}  # model label -> key -> pk of the rows created
        self.user_pks: dict[str, Any] = {}
        self.items: list[Item] = []
        self.keys: dict[str, dict[str, Item]] = {}
        self.users_file: dict[str, Any] = {}
        self.fields: dict[str, list[FieldInfo]] = {}
        self.uids: dict[str, Any] = {}
        self.usernames: set[str] = set()

    def problem(self, file: str, line: int | None, name: str, message: str) -> None:
        self.dir.add(file, line, name, message)

    # 1. keys
    def index(self) -> None:
        users = self.dir.docs.get(USERS_FILE) or {}
        for record in users.get("users") or []:
            if isinstance(record, dict) and isinstance(record.get("username"), str):
                if record["username"] in self.users_file:
                    self.problem(
                        USERS_FILE,
                        getattr(record, "line", None),
                        "username",
                        f"{record['username']!r} is listed twice",
                    )
                self.users_file[record["username"]] = record
        for file in FILES:
            doc = self.dir.docs.get(file.name)
            if doc is None:
                continue
            for spec in file.sections:
                self.fields[spec.model] = fields_of(spec)
                records = doc.get(spec.section) or []
                if not isinstance(records, list):
                    continue
                if spec.singleton and len(records) > 1:
                    self.problem(
                        file.name,
                        getattr(records, "line", None),
                        spec.section,
                        "at most one record is allowed",
                    )
                for record in records:
                    if not isinstance(record, dict) or id(record) in self.dir.broken:
                        continue
                    key = _key_of(spec, record)
                    known = self.keys.setdefault(spec.model, {})
                    if key in known:
                        names = ", ".join(spec.key) if spec.key else SLUG_FIELD
                        self.problem(
                            file.name, getattr(record, "line", None), names, f"{key!r} appears more than once"
                        )
                        continue
                    item = Item(file.name, spec, record, key)
                    known[key] = item
                    self.items.append(item)

    # 2. references
    def resolve(self) -> None:
        wanted_uids: set[str] = set()
        for item in self.items:
            for info in self.fields[item.spec.model]:
                if info.target == CATALOGUE and item.record.get(info.name):
                    value = item.record[info.name]
                    wanted_uids.update(value if isinstance(value, list) else [value])
        self.uids = dict(CatalogueEntry.objects.filter(uid__in=wanted_uids).values_list("uid", "pk"))
        self.usernames = set(User.objects.values_list("username", flat=True)) | set(self.users_file)
        for item in self.items:
            for info in self.fields[item.spec.model]:
                if not info.relation:
                    continue
                value = item.record.get(info.name)
                if value is None or value == [] or (id(item.record), info.name) in self.dir.broken_fields:
                    continue
                for n, ref in enumerate(value if isinstance(value, list) else [value]):
                    if not self._exists(info.target, ref):
                        line = item.record.key_lines.get(info.name)
                        if isinstance(value, list) and getattr(value, "line", None):
                            line = value.line + n  # type: ignore[attr-defined] # a LineList, one item a line
                        self.problem(item.file, line, info.name, self._missing(info.target, ref))
                item.refs[info.name] = value

    def _exists(self, target: str, ref: str) -> bool:
        if target == USER:
            return ref in self.usernames
        if target == CATALOGUE:
            return ref in self.uids
        return ref in self.keys.get(target, {}) or ref in self.existing.get(target, {})

    def _missing(self, target: str, ref: str) -> str:
        if target == USER:
            return f"unknown user {ref!r}: not in {USERS_FILE} nor in the database"
        if target == CATALOGUE:
            return f"unknown catalogue entry {ref!r}: not in the reference catalogue"
        where = next(f.name for f in FILES for s in f.sections if s.model == target)
        name = model_of_label(target)._meta.verbose_name
        if self.merge:
            return f"unknown {name} {ref!r}: not in {where} nor in the database"
        return f"unknown {name} {ref!r}: not in {where}"

    # 2b. merge: match each record with the database row of the same key
    def match(self) -> None:
        self.existing = existing_rows()
        for item in self.items:
            row = self.existing.get(item.spec.model, {}).get(item.key)
            if row is None:
                continue
            item.existing = row
            broken = {name for rid, name in self.dir.broken_fields if rid == id(item.record)}
            item.changed = changed_fields(self.fields[item.spec.model], item.record, row.record, broken)
            name = model_of(item.spec)._meta.verbose_name
            for changed in item.changed:
                line = line_of(item.record, [changed])
                if item.spec.snapshot:
                    message = (
                        f"{name} {item.key!r} is a recorded snapshot and cannot be changed by an import "
                        "(add a new one instead)"
                    )
                    self.problem(item.file, line, changed, message)
                elif changed in item.spec.frozen:
                    message = (
                        f"this field of {name} {item.key!r} is a recorded snapshot and cannot be changed "
                        "by an import"
                    )
                    self.problem(item.file, line, changed, message)

    # 3. values
    def build(self) -> None:
        current = self._load_changed()
        for item in self.items:
            if item.existing is not None and (not item.changed or item.spec.snapshot):
                continue  # identical: nothing to write; or a snapshot, already reported as a problem
            model = model_of(item.spec)
            instance = model() if item.existing is None else current[item.spec.model][item.existing.pk]
            errors = False
            relations = []
            for info in self.fields[item.spec.model]:
                if info.relation:
                    relations.append(info.name)
                    if self.merge and self._lacks_required(item, info):
                        errors = True
                        line = (
                            line_of(item.record, [info.name])
                            if info.name in item.record
                            else item.record.line
                        )
                        self.problem(item.file, line, info.name, "a value is required")
                    continue
                if info.name not in item.record or (
                    item.existing is not None and info.name not in item.changed
                ):
                    continue
                if (id(item.record), info.name) in self.dir.broken_fields:
                    errors = True
                    continue
                try:
                    setattr(instance, info.field.attname, decode(info, item.record[info.name]))
                except DecodeError as exc:
                    errors = True
                    self.problem(item.file, line_of(item.record, [info.name]), info.name, str(exc))
            if errors:
                continue
            try:
                # Into an empty instance the records only meet each other (the database checks them on
                # save); a merge also checks them against the rows already there.
                instance.full_clean(
                    exclude=relations, validate_unique=self.merge, validate_constraints=self.merge
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    line = line_of(item.record, [name]) if name in item.record else item.record.line
                    for message in messages:
                        self.problem(item.file, line, "" if name == "__all__" else name, message)
                continue
            item.instance = instance

    @staticmethod
    def _lacks_required(item: Item, info: FieldInfo) -> bool:
        """A merged record that leaves a required reference empty (the database would refuse it)."""
        if info.relation != "fk" or info.field.null or item.record.get(info.name) is not None:
            return False
        return item.existing is None or info.name in item.changed

    def _load_changed(self) -> dict[str, dict[Any, models.Model]]:
        """The database rows the merge changes, as model instances (model label -> pk -> instance)."""
        pks: dict[str, list[Any]] = {}
        specs: dict[str, SectionSpec] = {}
        for item in self.items:
            if item.existing is not None and item.changed:
                pks.setdefault(item.spec.model, []).append(item.existing.pk)
                specs[item.spec.model] = item.spec
        return {label: model_of(specs[label])._default_manager.in_bulk(keys) for label, keys in pks.items()}

    # 4. the target must be empty
    def check_empty(self) -> None:
        for file in FILES:
            for spec in file.sections:
                if spec.singleton:
                    continue
                count = model_of(spec)._default_manager.count()
                if count:
                    name = model_of(spec)._meta.verbose_name_plural
                    self.problem(
                        file.name,
                        None,
                        spec.section,
                        f"the database already holds {count} {name}; import into an empty instance "
                        "(after `aisms init`), or use `--merge` (API: merge=true) to apply the files to "
                        "the existing data",
                    )

    # 5. write
    def write(self, progress: Progress | None) -> list[str]:
        created_users = self._create_users()
        self.user_pks = dict(User.objects.values_list("username", "pk"))
        if not self.merge:
            for spec in {item.spec for item in self.items if item.spec.singleton}:
                model_of(spec)._default_manager.all().delete()  # replaced by the imported one
        self.done = {}
        creates = [item for item in self.items if item.instance is not None and item.existing is None]
        updates = [item for item in self.items if item.instance is not None and item.existing is not None]
        deferred: list[tuple[Item, FieldInfo]] = []
        total = len(creates) + len(updates)
        for n, item in enumerate(creates, start=1):
            assert item.instance is not None  # noqa: S101 - selected above
            for info in self.fields[item.spec.model]:
                if info.relation != "fk" or item.refs.get(info.name) is None:
                    continue
                pk = self._pk_of(info.target, item.refs[info.name])
                if pk is None:
                    deferred.append((item, info))  # a record of the same section, created later
                else:
                    setattr(item.instance, info.field.attname, pk)
            if self.reason:
                item.instance._change_reason = self.reason  # type: ignore[attr-defined] # read by simple-history
            self._save(item)
            self.done.setdefault(item.spec.model, {})[item.key] = item.instance.pk
            if progress and (n % 50 == 0 or n == total):
                progress(item.file, n, total)
        for item, info in deferred:
            assert item.instance is not None  # noqa: S101 - saved above
            setattr(item.instance, info.field.attname, self._pk_of(info.target, item.refs[info.name]))
            self._save(item, update=[info.field.attname])
        for item in creates:
            assert item.instance is not None  # noqa: S101 - saved above
            for info in self.fields[item.spec.model]:
                if info.relation == "m2m" and item.refs.get(info.name):
                    getattr(item.instance, info.name).set(self._pks_of(info.target, item.refs[info.name]))
        now = timezone.now()
        for n, item in enumerate(updates, start=len(creates) + 1):
            self._update(item, now)
            if progress and (n % 50 == 0 or n == total):
                progress(item.file, n, total)
        return created_users

    def _pk_of(self, target: str, ref: str) -> Any:
        """The primary key of a referenced record: created by this import or already in the database."""
        if target == USER:
            return self.user_pks[ref]
        if target == CATALOGUE:
            return self.uids[ref]
        if ref in self.done.get(target, {}):
            return self.done[target][ref]
        row = self.existing.get(target, {}).get(ref)
        return row.pk if row is not None else None

    def _pks_of(self, target: str, refs: list[str]) -> list[Any]:
        return [self._pk_of(target, ref) for ref in refs]

    def _update(self, item: Item, now: Any) -> None:
        """Apply a merged record's changed relations and save once: one history row, with the reason."""
        instance = item.instance
        assert instance is not None  # noqa: S101 - callers check
        links = []
        for info in self.fields[item.spec.model]:
            if info.name not in item.changed or not info.relation:
                continue
            ref = item.record.get(info.name)
            if info.relation == "fk":
                setattr(instance, info.field.attname, None if ref is None else self._pk_of(info.target, ref))
            else:
                links.append((info.name, self._pks_of(info.target, ref or [])))
        if links:
            # The save below records the new links in the history row; no extra row per relation.
            instance.skip_history_when_saving = True  # type: ignore[attr-defined] # read by simple-history
            try:
                for name, pks in links:
                    getattr(instance, name).set(pks)
            finally:
                del instance.skip_history_when_saving  # type: ignore[attr-defined] # set above
        for f in instance._meta.concrete_fields:
            if f.name in STAMP_FIELDS:
                setattr(instance, f.attname, now)
        instance._change_reason = self.reason  # type: ignore[attr-defined] # read by simple-history
        self._save(item)

    def _save(self, item: Item, update: list[str] | None = None) -> None:
        assert item.instance is not None  # noqa: S101 - callers check
        try:
            with transaction.atomic():
                if update:
                    item.instance.save(update_fields=update)
                else:
                    item.instance.save()
        except IntegrityError as exc:
            raise ImportRefusedError(
                [Problem(item.file, item.record.line, "", f"conflicts with another record: {exc}")]
            ) from exc

    def _create_users(self) -> list[str]:
        existing = set(User.objects.values_list("username", flat=True))
        created = []
        for username, record in sorted(self.users_file.items()):
            if username in existing:
                continue
            user = User(
                username=username,
                first_name=record.get("first_name") or "",
                last_name=record.get("last_name") or "",
                email=record.get("email") or "",
                role=record.get("role")
                if record.get("role") in {r.value for r in Role}
                else Role.CONTRIBUTOR,
                is_active=False,
            )
            user.set_unusable_password()
            user.save()
            created.append(username)
        return created


def model_of_label(label: str) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(label)


def check_directory(directory: Path, *, merge: bool = False, source: str = "") -> tuple[_Plan, list[Problem]]:
    plan = _Plan(read_directory(directory), merge=merge, source=source or directory.name)
    plan.index()
    if merge:
        plan.match()
    plan.resolve()
    plan.build()
    if not merge:
        plan.check_empty()
    return plan, plan.dir.problems


def _changes(plan: _Plan) -> tuple[dict[str, FileChanges], list[UpdatedRecord]]:
    """Per file: records created, updated and unchanged, and database rows the files leave out."""
    changes = {file.name: FileChanges() for file in FILES if file.name in plan.dir.docs}
    updated = []
    for item in plan.items:
        counts = changes.setdefault(item.file, FileChanges())
        if item.existing is None:
            counts.created += 1
        elif item.changed:
            counts.updated += 1
            updated.append(UpdatedRecord(item.file, item.spec.section, item.key, tuple(item.changed)))
        else:
            counts.unchanged += 1
    for file in FILES:
        if file.name not in changes:
            continue
        for spec in file.sections:
            listed = plan.keys.get(spec.model, {})
            rows = plan.existing.get(spec.model, {})
            changes[file.name].not_in_files += sum(1 for key in rows if key not in listed)
    return changes, sorted(updated)


def import_yaml(
    directory: Path,
    *,
    dry_run: bool = False,
    merge: bool = False,
    source: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Load an export into this instance; raises ImportRefusedError with every problem found.

    Without ``merge`` the instance must be empty. With it, records are matched with existing rows by
    natural key (see the module docstring); ``source`` names the files in the history reason when the
    manifest has no ``exported_at`` (default: the directory's name).
    """
    plan, problems = check_directory(directory, merge=merge, source=source)
    if problems:
        raise ImportRefusedError(problems)
    counts: dict[str, int] = {}
    for item in plan.items:
        counts[item.file] = counts.get(item.file, 0) + 1
    changes, updated = _changes(plan) if merge else ({}, [])
    try:
        with transaction.atomic():
            users = plan.write(progress)
            if dry_run:
                raise _DryRunError
    except _DryRunError:
        pass
    return ImportResult(
        records=counts, users_created=users, dry_run=dry_run, merge=merge, changes=changes, updated=updated
    )


__all__ = ["ImportRefusedError", "ImportResult", "SectionSpec", "check_directory", "import_yaml"]
