"""Reads: the training state as domain facts (a handful of queries), gaps, coverage and the manager lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

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
from aisms.domain import training_coverage as tc


def people(*, q: str = "", department: str = "", active: bool | None = True) -> QuerySet[Person]:
    rows = Person.objects.select_related("manager").prefetch_related("roles")
    if active is not None:
        rows = rows.filter(active=active)
    if department:
        rows = rows.filter(department=department)
    for word in q.split()[:8]:
        rows = rows.filter(name__icontains=word) | rows.filter(employee_id__icontains=word)
    return rows


def departments() -> list[str]:
    return sorted(set(Person.objects.exclude(department="").values_list("department", flat=True)))


def training_state() -> tc.TrainingState:
    """Every person, module, assignment, completion and training requirement as domain facts (6 queries)."""
    role_ids: dict[int, set[int]] = defaultdict(set)
    for person_id, role_id in Person.roles.through.objects.values_list("person_id", "jobrole_id"):
        role_ids[person_id].add(role_id)
    competence_ids: dict[int, set[int]] = defaultdict(set)
    for module_id, competence_id in TrainingModule.competences.through.objects.values_list(
        "trainingmodule_id", "competence_id"
    ):
        competence_ids[module_id].add(competence_id)
    facts = [
        tc.PersonFacts(
            id=p["pk"],
            start_date=p["start_date"],
            role_ids=frozenset(role_ids[p["pk"]]),
            department=p["department"],
            manager_id=p["manager_id"],
            active=p["active"],
        )
        for p in Person.objects.values("pk", "start_date", "department", "manager_id", "active")
    ]
    modules = [
        tc.ModuleFacts(id=pk, recurrence_months=months, competence_ids=frozenset(competence_ids[pk]))
        for pk, months in TrainingModule.objects.values_list("pk", "recurrence_months")
    ]
    assignments = [
        tc.AssignmentFacts(role_id=r, module_id=m, due_days=d)
        for r, m, d in ModuleAssignment.objects.values_list("role_id", "module_id", "due_days")
    ]
    completions = [
        tc.CompletionFacts(person_id=p, module_id=m, completed_on=d)
        for p, m, d in Completion.objects.values_list("person_id", "module_id", "completed_on")
    ]
    requirements = [
        tc.Requirement(role_id=r, competence_id=c, evidence=tc.Evidence(e))
        for r, c, e in RoleCompetence.objects.values_list("role_id", "competence_id", "evidence")
    ]
    evidence = [
        tc.EvidenceFacts(
            person_id=p, competence_id=c, kind=tc.Evidence(k), valid_from=start, valid_until=until
        )
        for p, c, k, start, until in CompetenceRecord.objects.values_list(
            "person_id", "competence_id", "kind", "obtained_on", "expires_on"
        )
    ]
    return tc.TrainingState(facts, modules, assignments, completions, requirements, evidence)


def people_as_of(days: Sequence[date]) -> dict[date, list[tc.PersonFacts]]:
    """The people register as it stood at the end of each day, from its history (roles included).

    Two queries: every historical version of every person, and the roles each version held. For the
    time between a person's start date and the day the register first recorded them (an HR import of
    long-serving staff), the person as recorded at the end of that first day stands in. A person
    deleted by then is left out; a later deactivation or change of role does not rewrite earlier months.
    """
    if not days:
        return {}
    history = Person.history.model
    through = history._meta.get_field("historicalperson_roles").related_model
    roles_of: dict[int, set[int]] = defaultdict(set)
    for history_id, role_id in through.objects.values_list("history_id", "jobrole_id"):
        roles_of[history_id].add(role_id)
    versions: dict[int, list[tuple[datetime, str, tc.PersonFacts]]] = defaultdict(list)
    rows = history.objects.values(
        "id", "history_id", "history_date", "history_type", "start_date", "department", "manager_id", "active"
    ).order_by("history_date", "history_id")
    for row in rows:
        facts = tc.PersonFacts(
            id=row["id"],
            start_date=row["start_date"],
            role_ids=frozenset(roles_of[row["history_id"]]),
            department=row["department"],
            manager_id=row["manager_id"],
            active=row["active"],
        )
        versions[row["id"]].append((row["history_date"], row["history_type"], facts))
    tz = timezone.get_current_timezone()

    def as_of(
        person_versions: list[tuple[datetime, str, tc.PersonFacts]], end: datetime
    ) -> tc.PersonFacts | None:
        latest = None
        for stamp, kind, facts in person_versions:
            if stamp > end:
                break
            latest = None if kind == "-" else facts
        return latest

    result: dict[date, list[tc.PersonFacts]] = {}
    for day in days:
        end = datetime.combine(day, time.max, tzinfo=tz)
        people = []
        for person_versions in versions.values():
            first_day = timezone.localtime(person_versions[0][0], tz).date()
            if day < first_day:
                first_end = datetime.combine(first_day, time.max, tzinfo=tz)
                found = as_of(person_versions, first_end)
                found = found if found is not None and found.start_date <= day else None
            else:
                found = as_of(person_versions, end)
            if found is not None:
                people.append(found)
        result[day] = people
    return result


def coverage_trend(state: tc.TrainingState, today: date, months: int = 6) -> list[tuple[date, tc.Coverage]]:
    """Overall coverage at each month end, with people, roles and departments as they were then."""
    ends = tc.month_ends(today, months)
    past = people_as_of(ends)
    return [(end, tc.coverage(replace(state, people=past[end]), end)) for end in ends]


@dataclass
class GapRow:
    person: Person
    module: TrainingModule
    obligation: tc.Obligation


@dataclass
class CompetenceGapRow:
    person: Person
    competence: Competence
    role: JobRole
    evidence: str = "training"


@dataclass
class Gaps:
    training: list[GapRow]  # overdue and due soon
    competences: list[CompetenceGapRow]


def gaps(today: date, state: tc.TrainingState | None = None, *, person_ids: set[int] | None = None) -> Gaps:
    """Overdue and due-soon training, and competences not evidenced, for everyone (or the given people)."""
    state = state or training_state()
    open_items = [
        o
        for o in tc.obligations(state, today)
        if o.status in (tc.Status.OVERDUE, tc.Status.DUE_SOON)
        and (person_ids is None or o.person_id in person_ids)
    ]
    competence_gaps = [
        g for g in tc.competence_gaps(state, today) if person_ids is None or g.person_id in person_ids
    ]
    people_by_id = Person.objects.in_bulk(
        {o.person_id for o in open_items} | {g.person_id for g in competence_gaps}
    )
    modules = TrainingModule.objects.in_bulk()
    competences = Competence.objects.in_bulk()
    roles = JobRole.objects.in_bulk()
    training = sorted(
        (GapRow(people_by_id[o.person_id], modules[o.module_id], o) for o in open_items),
        key=lambda g: (g.obligation.status != tc.Status.OVERDUE, g.obligation.due or today, g.person.name),
    )
    comps = [
        CompetenceGapRow(
            people_by_id[g.person_id], competences[g.competence_id], roles[g.role_id], g.evidence.value
        )
        for g in competence_gaps
    ]
    return Gaps(training, sorted(comps, key=lambda g: (g.person.name, g.competence.name)))


def person_obligations(person: Person, today: date) -> list[tuple[TrainingModule, tc.Obligation]]:
    state = training_state()
    facts = next(p for p in state.people if p.id == person.pk)
    modules = TrainingModule.objects.in_bulk()
    return [
        (modules[module_id], tc.obligation(state, facts, module_id, due_days, today))
        for module_id, due_days in sorted(tc.assigned_modules(state, facts).items())
    ]


@dataclass
class ManagerGaps:
    manager: Person
    gaps: Gaps


def gaps_by_manager(today: date) -> list[ManagerGaps]:
    """For each manager, the gaps of their direct reports (managers with no gaps left out)."""
    state = training_state()
    managers = Person.objects.in_bulk({p.manager_id for p in state.people if p.manager_id and p.active})
    out = []
    for manager in sorted(managers.values(), key=lambda m: m.name):
        reports = set(tc.reports_of([p for p in state.people if p.active], manager.pk))
        found = gaps(today, state, person_ids=reports)
        if found.training or found.competences:
            out.append(ManagerGaps(manager, found))
    return out


def module_coverage(
    today: date, state: tc.TrainingState | None = None
) -> list[tuple[TrainingModule, tc.Coverage]]:
    state = state or training_state()
    modules = TrainingModule.objects.filter(assignments__isnull=False).distinct()
    return [
        (m, tc.coverage(state, today, where=lambda p, mid, pk=m.pk: mid == pk))  # type: ignore[misc]
        for m in modules
    ]
