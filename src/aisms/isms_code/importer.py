"""Import an export directory into an empty instance: check everything first, then write in one transaction.

Every problem (syntax, schema, unknown references, field validation, data already present) is
collected with its file, line and field; when there is any, nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from aisms.apps.accounts.models import User
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.catalogue.yaml_lines import line_of
from aisms.domain.access import Role
from aisms.domain.isms_code.keys import join_key
from aisms.domain.isms_code.problems import ImportRefusedError, Problem
from aisms.isms_code.fields import CATALOGUE, USER, DecodeError, FieldInfo, decode, fields_of, model_of
from aisms.isms_code.reader import Directory, read_directory
from aisms.isms_code.registers import FILES, SLUG_FIELD, USERS_FILE, SectionSpec

Progress = Callable[[str, int, int], None]


@dataclass
class Item:
    """One record to create: where it is written, its key, its unsaved instance and its references."""

    file: str
    spec: SectionSpec
    record: Any
    key: str
    instance: models.Model | None = None
    refs: dict[str, Any] = field(default_factory=dict)  # field name -> key or list of keys


@dataclass(frozen=True)
class ImportResult:
    records: dict[str, int]  # file name -> records created
    users_created: list[str]
    dry_run: bool


class _DryRunError(Exception):
    pass


def _key_of(spec: SectionSpec, record: Any) -> str:
    if spec.singleton:
        return spec.section
    if spec.key:
        return join_key(str(record.get(name)) for name in spec.key)
    return str(record.get(SLUG_FIELD))


class _Plan:
    def __init__(self, directory: Directory) -> None:
        self.dir = directory
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
        return ref in self.keys.get(target, {})

    def _missing(self, target: str, ref: str) -> str:
        if target == USER:
            return f"unknown user {ref!r}: not in {USERS_FILE} nor in the database"
        if target == CATALOGUE:
            return f"unknown catalogue entry {ref!r}: not in the reference catalogue"
        where = next(f.name for f in FILES for s in f.sections if s.model == target)
        name = model_of_label(target)._meta.verbose_name
        return f"unknown {name} {ref!r}: not in {where}"

    # 3. values
    def build(self) -> None:
        for item in self.items:
            model = model_of(item.spec)
            instance = model()
            errors = False
            relations = []
            for info in self.fields[item.spec.model]:
                if info.relation:
                    relations.append(info.name)
                    continue
                if info.name not in item.record:
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
                instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    line = line_of(item.record, [name]) if name in item.record else item.record.line
                    for message in messages:
                        self.problem(item.file, line, "" if name == "__all__" else name, message)
                continue
            item.instance = instance

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
                        "(after `aisms init`); merging into existing data is not supported",
                    )

    # 5. write
    def write(self, progress: Progress | None) -> list[str]:
        created_users = self._create_users()
        users = dict(User.objects.values_list("username", "pk"))
        for spec in {item.spec for item in self.items if item.spec.singleton}:
            model_of(spec)._default_manager.all().delete()  # replaced by the imported one
        done: dict[str, dict[str, models.Model]] = {}
        deferred: list[tuple[Item, FieldInfo]] = []
        total = len(self.items)
        for n, item in enumerate(self.items, start=1):
            assert item.instance is not None  # noqa: S101 - build() made one for every item
            for info in self.fields[item.spec.model]:
                if info.relation != "fk" or item.refs.get(info.name) is None:
                    continue
                ref = item.refs[info.name]
                if info.target == USER:
                    setattr(item.instance, info.field.attname, users[ref])
                elif info.target == CATALOGUE:
                    setattr(item.instance, info.field.attname, self.uids[ref])
                elif ref in done.get(info.target, {}):
                    setattr(item.instance, info.field.attname, done[info.target][ref].pk)
                else:
                    deferred.append((item, info))
            self._save(item)
            done.setdefault(item.spec.model, {})[item.key] = item.instance
            if progress and (n % 50 == 0 or n == total):
                progress(item.file, n, total)
        for item, info in deferred:
            assert item.instance is not None  # noqa: S101 - saved above
            setattr(item.instance, info.field.attname, done[info.target][item.refs[info.name]].pk)
            self._save(item, update=[info.field.attname])
        for item in self.items:
            assert item.instance is not None  # noqa: S101 - saved above
            for info in self.fields[item.spec.model]:
                if info.relation != "m2m" or not item.refs.get(info.name):
                    continue
                refs = item.refs[info.name]
                if info.target == USER:
                    pks = [users[r] for r in refs]
                elif info.target == CATALOGUE:
                    pks = [self.uids[r] for r in refs]
                else:
                    pks = [done[info.target][r].pk for r in refs]
                getattr(item.instance, info.name).set(pks)
        return created_users

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


def check_directory(directory: Path) -> tuple[_Plan, list[Problem]]:
    plan = _Plan(read_directory(directory))
    plan.index()
    plan.resolve()
    plan.build()
    plan.check_empty()
    return plan, plan.dir.problems


def import_yaml(directory: Path, *, dry_run: bool = False, progress: Progress | None = None) -> ImportResult:
    """Load an export into this (empty) instance; raises ImportRefusedError with every problem found."""
    plan, problems = check_directory(directory)
    if problems:
        raise ImportRefusedError(problems)
    counts: dict[str, int] = {}
    for item in plan.items:
        counts[item.file] = counts.get(item.file, 0) + 1
    try:
        with transaction.atomic():
            users = plan.write(progress)
            if dry_run:
                raise _DryRunError
    except _DryRunError:
        pass
    return ImportResult(records=counts, users_created=users, dry_run=dry_run)


__all__ = ["ImportRefusedError", "ImportResult", "SectionSpec", "check_directory", "import_yaml"]
