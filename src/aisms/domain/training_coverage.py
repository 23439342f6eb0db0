"""Training coverage (ISO/IEC 27001 clause 7.2, ISO/IEC 27002 control 6.3): who must complete which module
by when, who is overdue or lacks a required competence, and how much of each role and department is covered.

Pure functions over dataclasses; "today" is always passed in. A completion counts from its date until its
module's recurrence runs out (never, for a module without recurrence); completions dated after "today" do
not count yet.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

DUE_SOON_DAYS = 30


class Status(StrEnum):
    DONE = "done"  # a valid completion, not due again within DUE_SOON_DAYS
    PENDING = "pending"  # not done yet, due later than DUE_SOON_DAYS from today
    DUE_SOON = "due_soon"  # due within DUE_SOON_DAYS
    OVERDUE = "overdue"  # the due date has passed without a valid completion


@dataclass(frozen=True)
class PersonFacts:
    id: int
    start_date: date
    role_ids: frozenset[int] = frozenset()
    department: str = ""
    manager_id: int | None = None
    active: bool = True


@dataclass(frozen=True)
class ModuleFacts:
    id: int
    recurrence_months: int | None = None
    competence_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class AssignmentFacts:
    role_id: int
    module_id: int
    due_days: int  # days after the person's start date


@dataclass(frozen=True)
class CompletionFacts:
    person_id: int
    module_id: int
    completed_on: date


class Evidence(StrEnum):
    """How a role expects a competence to be shown."""

    TRAINING = "training"  # a valid completion of a module that teaches it
    QUALIFICATION = "qualification"  # a certificate or degree on record, not expired
    EXPERIENCE = "experience"  # recorded and verified experience, not expired


@dataclass(frozen=True)
class Requirement:
    """A competence a role needs, and how it must be evidenced."""

    role_id: int
    competence_id: int
    evidence: Evidence = Evidence.TRAINING


@dataclass(frozen=True)
class EvidenceFacts:
    """A qualification or experience record that shows a person holds a competence."""

    person_id: int
    competence_id: int
    kind: Evidence
    valid_from: date
    valid_until: date | None = None  # None: does not expire

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class Obligation:
    person_id: int
    module_id: int
    due: date | None  # None: done, and the module never recurs
    status: Status
    last_completed: date | None


@dataclass(frozen=True)
class CompetenceGap:
    person_id: int
    competence_id: int
    role_id: int
    evidence: Evidence = Evidence.TRAINING


@dataclass(frozen=True)
class Coverage:
    covered: int
    required: int

    @property
    def ratio(self) -> float:
        """Share of requirements met, 0 to 1 (1 when nothing is required)."""
        return 1.0 if self.required == 0 else self.covered / self.required


@dataclass
class TrainingState:
    """Everything the calculations need, with lookups built once."""

    people: Sequence[PersonFacts]
    modules: Sequence[ModuleFacts]
    assignments: Sequence[AssignmentFacts]
    completions: Sequence[CompletionFacts]
    requirements: Sequence[Requirement] = ()
    evidence: Sequence[EvidenceFacts] = ()
    _modules: dict[int, ModuleFacts] = field(init=False, repr=False)
    _by_role: dict[int, list[AssignmentFacts]] = field(init=False, repr=False)
    _done: dict[tuple[int, int], list[date]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._modules = {m.id: m for m in self.modules}
        self._by_role = defaultdict(list)
        for a in self.assignments:
            if a.module_id in self._modules:
                self._by_role[a.role_id].append(a)
        self._done = defaultdict(list)
        for c in self.completions:
            self._done[(c.person_id, c.module_id)].append(c.completed_on)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_ends(today: date, count: int) -> list[date]:
    """The last day of each of the `count` months up to and including today's month (today for it)."""
    ends = [today]
    first = today.replace(day=1)
    while len(ends) < count:
        last = first - timedelta(days=1)
        ends.append(last)
        first = last.replace(day=1)
    return list(reversed(ends))


def assigned_modules(state: TrainingState, person: PersonFacts) -> dict[int, int]:
    """Module id -> due days after start, for every module the person's roles are assigned
    (the shortest due period when several roles assign the same module)."""
    due: dict[int, int] = {}
    for role_id in person.role_ids:
        for a in state._by_role.get(role_id, []):
            due[a.module_id] = min(due.get(a.module_id, a.due_days), a.due_days)
    return due


def is_valid(module: ModuleFacts, completed_on: date, today: date) -> bool:
    if completed_on > today:
        return False
    return module.recurrence_months is None or add_months(completed_on, module.recurrence_months) > today


def obligation(
    state: TrainingState, person: PersonFacts, module_id: int, due_days: int, today: date
) -> Obligation:
    module = state._modules[module_id]
    done = [d for d in state._done.get((person.id, module_id), []) if d <= today]
    last = max(done, default=None)
    first_due = person.start_date + timedelta(days=due_days)
    if last is None:
        due: date | None = first_due
    elif module.recurrence_months is None:
        due = None
    else:  # never due before the first due date (a completion may predate the start, e.g. a rehire)
        due = max(first_due, add_months(last, module.recurrence_months))
    valid = last is not None and is_valid(module, last, today)
    if due is None:
        status = Status.DONE
    elif due < today and not valid:
        status = Status.OVERDUE
    elif due <= today + timedelta(days=DUE_SOON_DAYS):
        status = Status.DUE_SOON
    else:
        status = Status.DONE if valid else Status.PENDING
    return Obligation(person.id, module_id, due, status, last)


def obligations(state: TrainingState, today: date) -> list[Obligation]:
    """Every (active person, assigned module) with its due date and status, by person then module."""
    out = []
    for person in sorted(state.people, key=lambda p: p.id):
        if not person.active or person.start_date > today:
            continue
        for module_id, due_days in sorted(assigned_modules(state, person).items()):
            out.append(obligation(state, person, module_id, due_days, today))
    return out


def overdue(state: TrainingState, today: date) -> list[Obligation]:
    return [o for o in obligations(state, today) if o.status is Status.OVERDUE]


def held_competences(state: TrainingState, person_id: int, today: date) -> dict[Evidence, set[int]]:
    """The competences a person can show on `today`, by the kind of evidence that shows them."""
    held: dict[Evidence, set[int]] = {kind: set() for kind in Evidence}
    for (pid, module_id), days in state._done.items():
        module = state._modules.get(module_id)
        if pid == person_id and module and any(is_valid(module, d, today) for d in days):
            held[Evidence.TRAINING] |= module.competence_ids
    for record in state.evidence:
        if record.person_id == person_id and record.valid_on(today):
            held[record.kind].add(record.competence_id)
    return held


def competence_gaps(state: TrainingState, today: date) -> list[CompetenceGap]:
    """Competences a person's roles need that the required kind of evidence does not show.

    Training is shown by a valid completion of a module teaching the competence; a qualification or
    experience by a record of that kind valid today. When two roles need the same competence, the
    stricter need is not hidden: each (competence, kind of evidence) pair is checked once.
    """
    by_role: dict[int, list[Requirement]] = defaultdict(list)
    for r in state.requirements:
        by_role[r.role_id].append(r)
    gaps = []
    for person in sorted(state.people, key=lambda p: p.id):
        if not person.active or person.start_date > today:
            continue
        held = held_competences(state, person.id, today)
        seen: set[tuple[int, Evidence]] = set()
        for role_id in sorted(person.role_ids):
            for req in by_role.get(role_id, []):
                key = (req.competence_id, req.evidence)
                if req.competence_id not in held[req.evidence] and key not in seen:
                    seen.add(key)
                    gaps.append(CompetenceGap(person.id, req.competence_id, role_id, req.evidence))
    return gaps


def coverage(
    state: TrainingState, today: date, *, where: Callable[[PersonFacts, int], bool] | None = None
) -> Coverage:
    """How many (active person, assigned module) pairs have a valid completion; `where` filters pairs."""
    covered = required = 0
    for person in state.people:
        if not person.active or person.start_date > today:
            continue
        for module_id in assigned_modules(state, person):
            if where is not None and not where(person, module_id):
                continue
            required += 1
            module = state._modules[module_id]
            if any(is_valid(module, d, today) for d in state._done.get((person.id, module_id), [])):
                covered += 1
    return covered_of(covered, required)


def covered_of(covered: int, required: int) -> Coverage:
    return Coverage(covered=covered, required=required)


def coverage_by_role(state: TrainingState, module_id: int, today: date) -> dict[int, Coverage]:
    """Coverage of one module among the people holding each role it is assigned to."""
    roles = sorted({a.role_id for a in state.assignments if a.module_id == module_id})
    return {
        role_id: coverage(state, today, where=lambda p, m, r=role_id: m == module_id and r in p.role_ids)  # type: ignore[misc]
        for role_id in roles
    }


def coverage_by_department(state: TrainingState, module_id: int | None, today: date) -> dict[str, Coverage]:
    """Coverage (of one module, or of all when module_id is None) per department."""
    departments = sorted({p.department for p in state.people if p.active})
    return {
        dept: coverage(
            state,
            today,
            where=lambda p, m, d=dept: p.department == d and (module_id is None or m == module_id),  # type: ignore[misc]
        )
        for dept in departments
    }


def trend(state: TrainingState, today: date, months: int = 6) -> list[tuple[date, Coverage]]:
    """Overall coverage at each month end (people as they are now, completions up to each date)."""
    return [(end, coverage(state, end)) for end in month_ends(today, months)]


def reports_of(people: Iterable[PersonFacts], manager_id: int) -> list[int]:
    """Ids of the people whose manager is manager_id (direct reports)."""
    return sorted(p.id for p in people if p.manager_id == manager_id)
