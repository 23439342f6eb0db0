"""Writes to the people register and training records. Every write checks the access policy, runs in one
transaction and records who made it in the history. Imports and adopting starter modules need
MANAGE_ORGANISATION; other writes CREATE or EDIT. actor None is the system (demo, CLI)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.people.models import (
    Competence,
    CompetenceRecord,
    Completion,
    JobRole,
    ModuleAssignment,
    Person,
    RoleCompetence,
    TrainingModule,
)
from aisms.catalogue.training_modules import StarterSet, load_starter_modules
from aisms.domain.access import Action
from aisms.domain.people_table import (
    decode,
    parse_completions,
    parse_people,
)
from aisms.domain.table_errors import RowError

PERSON_FIELDS = ("employee_id", "name", "email", "department", "start_date", "active")
MODULE_FIELDS = ("code", "title", "objectives", "duration_minutes", "recurrence_months")


class PeopleImportError(Exception):
    """An import refused as a whole: every problem with its row and column."""

    def __init__(self, filename: str, errors: list[RowError]) -> None:
        self.filename = filename
        self.errors = errors
        super().__init__(
            f"{filename}: {len(errors)} problem{'s' if len(errors) != 1 else ''}: "
            + "; ".join(map(str, errors[:5]))
        )


@dataclass(frozen=True)
class ImportResult:
    filename: str
    created: int
    updated: int
    unchanged: int


def _check(actor: User | None, action: Action) -> None:
    if actor is not None:
        require(actor, action)


def _save(obj: models.Model, actor: User | None) -> None:
    if actor is not None:
        obj._history_user = actor  # type: ignore[attr-defined]
    obj.full_clean(validate_unique=True)
    obj.save()


def _strip(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


# --- people --------------------------------------------------------------------------------------------


def create_person(
    actor: User | None, *, roles: Iterable[JobRole] = (), manager: Person | None = None, **values: Any
) -> Person:
    _check(actor, Action.CREATE)
    with transaction.atomic():
        person = Person(manager=manager, **_strip(values))
        _save(person, actor)
        if roles:
            _set_roles(person, list(roles), actor)
    return person


def update_person(
    actor: User | None, person: Person, *, roles: Iterable[JobRole] | None = None, **values: Any
) -> Person:
    """Change some fields (manager included) and, when given, the whole list of roles."""
    _check(actor, Action.EDIT)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        values = _strip(values)
        manager = values.get("manager")
        if manager is not None and _manages(person, manager):
            raise ValidationError({"manager": "that would make a person manage themselves (a cycle)"})
        changed = any(getattr(person, k) != v for k, v in values.items())
        for name, value in values.items():
            setattr(person, name, value)
        if changed:
            _save(person, actor)
        if roles is not None:
            _set_roles(person, list(roles), actor)
    return person


def _manages(person: Person, manager: Person) -> bool:
    """Whether person is manager or above manager in the chain."""
    seen: set[int] = set()
    current: Person | None = manager
    while current is not None and current.pk not in seen:
        if current.pk == person.pk:
            return True
        seen.add(current.pk)
        current = current.manager
    return False


def _set_roles(person: Person, roles: list[JobRole], actor: User | None) -> bool:
    if set(person.roles.values_list("pk", flat=True)) == {r.pk for r in roles}:
        return False
    person.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        person.roles.set(roles)
    finally:
        del person.skip_history_when_saving  # type: ignore[attr-defined]
    _save(person, actor)  # one history record with the new roles
    return True


def deactivate_person(actor: User | None, person: Person) -> Person:
    """A leaver: kept with their history and completions, left out of coverage and reminders."""
    return update_person(actor, person, active=False)


# --- roles and competences -----------------------------------------------------------------------------


def create_competence(actor: User | None, **values: Any) -> Competence:
    _check(actor, Action.CREATE)
    with transaction.atomic():
        competence = Competence(**_strip(values))
        _save(competence, actor)
    return competence


def create_role(actor: User | None, **values: Any) -> JobRole:
    _check(actor, Action.CREATE)
    with transaction.atomic():
        role = JobRole(**_strip(values))
        _save(role, actor)
    return role


def require_competence(
    actor: User | None, role: JobRole, competence: Competence, evidence: str = "training"
) -> RoleCompetence:
    """Record that the role needs the competence, evidenced by training, qualification or experience."""
    _check(actor, Action.EDIT)
    with transaction.atomic():
        link = RoleCompetence.objects.filter(role=role, competence=competence).first()
        if link is None:
            link = RoleCompetence(role=role, competence=competence, evidence=evidence)
        elif link.evidence == evidence:
            return link
        link.evidence = evidence
        _save(link, actor)
    return link


def record_competence(
    actor: User | None,
    person: Person,
    competence: Competence,
    *,
    kind: str,
    description: str,
    obtained_on: date,
    expires_on: date | None = None,
    reference: str = "",
) -> CompetenceRecord:
    """Record a qualification or experience; the recording user is its verifier."""
    _check(actor, Action.EDIT)
    if expires_on is not None and expires_on < obtained_on:
        raise ValidationError({"expires_on": "it cannot expire before it was obtained"})
    with transaction.atomic():
        record = CompetenceRecord(
            person=person,
            competence=competence,
            kind=kind,
            description=description.strip(),
            obtained_on=obtained_on,
            expires_on=expires_on,
            reference=reference.strip(),
            verified_by=actor,
        )
        _save(record, actor)
    return record


def remove_competence_record(actor: User | None, record: CompetenceRecord) -> None:
    _check(actor, Action.DELETE)
    with transaction.atomic():
        if actor is not None:
            record._history_user = actor  # type: ignore[attr-defined]
        record.delete()


def update_competence(actor: User | None, competence: Competence, **values: Any) -> Competence:
    _check(actor, Action.EDIT)
    with transaction.atomic():
        for name, value in _strip(values).items():
            setattr(competence, name, value)
        _save(competence, actor)
    return competence


def update_module(
    actor: User | None,
    module: TrainingModule,
    *,
    competences: Iterable[Competence] | None = None,
    **values: Any,
) -> TrainingModule:
    _check(actor, Action.EDIT)
    with transaction.atomic():
        for name, value in _strip(values).items():
            setattr(module, name, value)
        _save(module, actor)
        if competences is not None:
            module.competences.set(list(competences))
    return module


def drop_requirement(actor: User | None, requirement: RoleCompetence) -> None:
    _check(actor, Action.EDIT)
    with transaction.atomic():
        if actor is not None:
            requirement._history_user = actor  # type: ignore[attr-defined]
        requirement.delete()


# --- modules, assignments, completions -----------------------------------------------------------------


def create_module(
    actor: User | None, *, competences: Iterable[Competence] = (), **values: Any
) -> TrainingModule:
    _check(actor, Action.CREATE)
    with transaction.atomic():
        module = TrainingModule(**_strip(values))
        _save(module, actor)
        if competences:
            module.competences.set(list(competences))
    return module


def adopt_starter_modules(
    actor: User | None, ids: Iterable[str] | None = None, starter: StarterSet | None = None
) -> list[TrainingModule]:
    """Copy starter modules (all, or those with the given ids) and their competences into the register;
    modules already adopted are left as the ISMS manager edited them."""
    _check(actor, Action.MANAGE_ORGANISATION)
    starter = starter or load_starter_modules()
    wanted = set(ids) if ids is not None else {m.id for m in starter.modules}
    unknown = wanted - {m.id for m in starter.modules}
    if unknown:
        raise ValidationError({"ids": f"no starter module {', '.join(sorted(unknown))}"})
    adopted = []
    with transaction.atomic():
        competences: dict[str, Competence] = {}
        for c in starter.competences:
            found = (
                Competence.objects.filter(starter_id=c.id).first()
                or Competence.objects.filter(name=c.name).first()
            )
            if found is None:
                found = Competence(
                    name=c.name, description=c.description, category=c.category, starter_id=c.id
                )
                _save(found, actor)
            competences[c.id] = found
        for m in starter.modules:
            if m.id not in wanted:
                continue
            module = TrainingModule.objects.filter(code=m.id).first()
            if module is None:
                module = TrainingModule(
                    code=m.id,
                    title=m.title,
                    objectives="\n".join(m.objectives),
                    duration_minutes=m.duration_minutes,
                    recurrence_months=m.recurrence_months,
                    starter_id=m.id,
                )
                _save(module, actor)
                module.competences.set([competences[c] for c in m.competences])
            adopted.append(module)
    return adopted


def assign_module(
    actor: User | None, role: JobRole, module: TrainingModule, due_days: int = 30
) -> ModuleAssignment:
    """Every person in the role must complete the module within due_days of starting (changes the period
    when already assigned)."""
    _check(actor, Action.EDIT)
    if due_days < 0:
        raise ValidationError({"due_days": "must be 0 or more"})
    with transaction.atomic():
        assignment = ModuleAssignment.objects.filter(role=role, module=module).first()
        if assignment is None:
            assignment = ModuleAssignment(role=role, module=module, due_days=due_days)
        elif assignment.due_days == due_days:
            return assignment
        assignment.due_days = due_days
        _save(assignment, actor)
    return assignment


def unassign_module(actor: User | None, assignment: ModuleAssignment) -> None:
    _check(actor, Action.EDIT)
    with transaction.atomic():
        if actor is not None:
            assignment._history_user = actor  # type: ignore[attr-defined]
        assignment.delete()


def record_completion(
    actor: User | None,
    person: Person,
    module: TrainingModule,
    completed_on: date,
    *,
    score: int | None = None,
    evidence: str = "",
    source: str = "manual",
) -> Completion:
    _check(actor, Action.CREATE)
    if score is not None and not 0 <= score <= 100:
        raise ValidationError({"score": "a score is from 0 to 100"})
    with transaction.atomic():
        completion = Completion.objects.filter(
            person=person, module=module, completed_on=completed_on
        ).first()
        if completion is None:
            completion = Completion(person=person, module=module, completed_on=completed_on)
        completion.score = score
        completion.evidence = evidence.strip()
        completion.source = source
        _save(completion, actor)
    return completion


# --- imports -------------------------------------------------------------------------------------------


def import_people(actor: User | None, data: bytes, filename: str) -> ImportResult:
    """Create or update people by employee id from an HR export, in one transaction. Managers are employee
    ids in the file or already stored; roles are role names (created when new). Any error changes nothing."""
    _check(actor, Action.MANAGE_ORGANISATION)
    try:
        parsed = parse_people(decode(data))
    except ValueError as exc:
        raise PeopleImportError(filename, [RowError(0, "", str(exc))]) from exc
    errors = list(parsed.errors)
    with transaction.atomic():
        existing = {p.employee_id: p for p in Person.objects.all()}
        in_file = {r.employee_id for r in parsed.records}
        errors.extend(
            RowError(
                r.row,
                "manager_id",
                f"no person with employee id {r.manager_id!r} in the file or the register",
            )
            for r in parsed.records
            if r.manager_id and r.manager_id not in in_file and r.manager_id not in existing
        )
        if errors:
            raise PeopleImportError(filename, sorted(set(errors)))
        roles = {r.name.lower(): r for r in JobRole.objects.all()}
        people = dict(existing)
        created: set[str] = set()
        changed: set[str] = set()
        for record in parsed.records:
            person = people.get(record.employee_id)
            values: dict[str, Any] = {
                "name": record.name,
                "email": record.email,
                "department": record.department,
                "active": record.active,
            }
            if record.start_date is not None:
                values["start_date"] = record.start_date
            if person is None:
                person = Person(employee_id=record.employee_id)
                created.add(record.employee_id)
            elif all(getattr(person, k) == v for k, v in values.items()):
                continue
            for k, v in values.items():
                setattr(person, k, v)
            _save_row(person, actor, filename, record.row)
            people[record.employee_id] = person
            changed.add(record.employee_id)
        for record in parsed.records:
            person = people[record.employee_id]
            manager = people[record.manager_id] if record.manager_id else None
            if person.manager_id != (manager.pk if manager else None):
                if manager is not None and _manages(person, manager):
                    raise PeopleImportError(
                        filename, [RowError(record.row, "manager_id", "this manager would close a cycle")]
                    )
                person.manager = manager
                _save_row(person, actor, filename, record.row)
                changed.add(record.employee_id)
            wanted = []
            for name in record.roles:
                role = roles.get(name.lower())
                if role is None:
                    role = JobRole(name=name)
                    _save(role, actor)
                    roles[name.lower()] = role
                wanted.append(role)
            if _set_roles(person, wanted, actor):
                changed.add(record.employee_id)
    updated = len(changed - created)
    return ImportResult(filename, len(created), updated, len(parsed.records) - len(created) - updated)


def _save_row(obj: models.Model, actor: User | None, filename: str, row: int) -> None:
    try:
        _save(obj, actor)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        raise PeopleImportError(
            filename,
            [RowError(row, c if c != "__all__" else "", m) for c, ms in errors.items() for m in ms],
        ) from exc


def import_completions(actor: User | None, data: bytes, filename: str) -> ImportResult:
    """Record completions from an LMS export, in one transaction. People are employee ids; modules are
    module codes or titles. A completion already recorded (person, module, date) is updated."""
    _check(actor, Action.MANAGE_ORGANISATION)
    try:
        parsed = parse_completions(decode(data))
    except ValueError as exc:
        raise PeopleImportError(filename, [RowError(0, "", str(exc))]) from exc
    errors = list(parsed.errors)
    people = {p.employee_id: p for p in Person.objects.all()}
    modules: dict[str, TrainingModule] = {}
    for m in TrainingModule.objects.all():
        modules[m.title.lower()] = m
        modules[m.code.lower()] = m
    for r in parsed.records:
        if r.employee_id not in people:
            errors.append(RowError(r.row, "employee_id", f"no person with employee id {r.employee_id!r}"))
        if r.module.lower() not in modules:
            errors.append(RowError(r.row, "module", f"no training module with code or title {r.module!r}"))
    if errors:
        raise PeopleImportError(filename, sorted(set(errors)))
    created = updated = 0
    with transaction.atomic():
        for r in parsed.records:
            person, module = people[r.employee_id], modules[r.module.lower()]
            stored = Completion.objects.filter(
                person=person, module=module, completed_on=r.completed_on
            ).first()
            if stored is None:
                stored = Completion(person=person, module=module, completed_on=r.completed_on, source="lms")
                created += 1
            elif (stored.score, stored.evidence) == (r.score, r.evidence):
                continue
            else:
                updated += 1
            stored.score = r.score
            stored.evidence = r.evidence
            _save_row(stored, actor, filename, r.row)
    return ImportResult(filename, created, updated, len(parsed.records) - created - updated)
