"""People, competence and training API: the register, roles and competences, modules, assignments,
completions, both CSV imports, gaps and coverage."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.people import selectors, services
from aisms.apps.people.models import Competence, Completion, JobRole, ModuleAssignment, Person, TrainingModule
from aisms.catalogue.training_modules import CATEGORIES
from aisms.config.api_imports import ImportOut, ImportRejectedOut
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain import training_coverage as tc
from aisms.domain.access import Action

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    employee_id: str
    name: str
    email: str
    department: str
    manager: str | None = Field(description="Employee id of the manager.")
    roles: list[str]
    start_date: date
    active: bool

    @staticmethod
    def resolve_manager(obj: Person) -> str | None:
        return obj.manager.employee_id if obj.manager else None

    @staticmethod
    def resolve_roles(obj: Person) -> list[str]:
        return sorted(r.name for r in obj.roles.all())


class PersonIn(Schema):
    employee_id: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(default="", max_length=254)
    department: str = Field(default="", max_length=100)
    manager: str | None = Field(default=None, description="Employee id of the manager.")
    roles: list[int] = Field(default_factory=list, description="Job role ids.")
    start_date: date | None = None
    active: bool = True


class PersonPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    department: str | None = Field(default=None, max_length=100)
    manager: str | None = None
    roles: list[int] | None = None
    start_date: date | None = None
    active: bool | None = None


class CompetenceOut(Schema):
    id: int
    name: str
    description: str
    category: str


class CompetenceIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    category: Literal[CATEGORIES] = "security"  # type: ignore[valid-type]


class RequirementOut(Schema):
    competence: int
    name: str
    evidence: str


class RoleOut(Schema):
    id: int
    name: str
    description: str
    requirements: list[RequirementOut]

    @staticmethod
    def resolve_requirements(obj: JobRole) -> list[dict[str, Any]]:
        return [
            {"competence": r.competence_id, "name": r.competence.name, "evidence": r.evidence}
            for r in obj.requirements.select_related("competence")
        ]


class RoleIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""


class RequirementIn(Schema):
    competence: int
    evidence: Literal["training", "qualification", "experience"] = "training"


class ModuleOut(Schema):
    id: int
    code: str
    title: str
    objectives: str
    duration_minutes: int
    recurrence_months: int | None
    competences: list[int]

    @staticmethod
    def resolve_competences(obj: TrainingModule) -> list[int]:
        return sorted(c.pk for c in obj.competences.all())


class ModuleIn(Schema):
    code: str = Field(min_length=1, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")
    title: str = Field(min_length=1, max_length=200)
    objectives: str = ""
    duration_minutes: int = Field(default=30, ge=1, le=1440)
    recurrence_months: int | None = Field(default=None, ge=1, le=120)
    competences: list[int] = Field(default_factory=list)


class AdoptIn(Schema):
    ids: list[str] | None = Field(default=None, description="Starter module ids; null: all of them.")


class AssignmentOut(Schema):
    id: int
    role: int
    module: int
    due_days: int

    @staticmethod
    def resolve_role(obj: ModuleAssignment) -> int:
        return obj.role_id

    @staticmethod
    def resolve_module(obj: ModuleAssignment) -> int:
        return obj.module_id


class AssignmentIn(Schema):
    role: int
    module: int
    due_days: int = Field(default=30, ge=0, le=3650)


class CompletionOut(Schema):
    id: int
    person: str = Field(description="Employee id.")
    module: str = Field(description="Module code.")
    completed_on: date
    score: int | None
    evidence: str
    source: str

    @staticmethod
    def resolve_person(obj: Completion) -> str:
        return obj.person.employee_id

    @staticmethod
    def resolve_module(obj: Completion) -> str:
        return obj.module.code


class CompletionIn(Schema):
    person: str = Field(description="Employee id.")
    module: str = Field(description="Module code.")
    completed_on: date
    score: int | None = Field(default=None, ge=0, le=100)
    evidence: str = Field(default="", max_length=2000)


class GapOut(Schema):
    person: str
    name: str
    module: str
    due: date | None
    status: str


class CompetenceGapOut(Schema):
    person: str
    name: str
    competence: str
    role: str


class GapsOut(Schema):
    today: date
    training: list[GapOut]
    competences: list[CompetenceGapOut]


class CoverageOut(Schema):
    module: str
    covered: int
    required: int
    ratio: float


class TrendPoint(Schema):
    month_end: date
    covered: int
    required: int
    ratio: float


class CoverageReport(Schema):
    today: date
    overall: float
    modules: list[CoverageOut]
    departments: dict[str, float]
    trend: list[TrendPoint]


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _manager(employee_id: str | None) -> Person | None:
    if employee_id is None:
        return None
    manager = Person.objects.filter(employee_id=employee_id).first()
    if manager is None:
        raise ValidationError({"manager": f"no person with employee id {employee_id!r}"})
    return manager


def _roles(ids: list[int]) -> list[JobRole]:
    found = JobRole.objects.in_bulk(ids)
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError({"roles": f"no job role with id {', '.join(missing)}"})
    return [found[i] for i in ids]


def _upload(request: HttpRequest, file: UploadedFile) -> tuple[bytes, str]:
    require(_actor(request), Action.MANAGE_ORGANISATION)
    if file.size is None or file.size > settings.AISMS_MAX_UPLOAD_BYTES:
        raise HttpError(413, f"file: larger than the {settings.AISMS_MAX_UPLOAD_BYTES} byte upload limit")
    return file.read(), file.name or "upload.csv"


def _rejected(exc: services.PeopleImportError) -> Status[Any]:
    return Status(400, {"message": str(exc), "filename": exc.filename, "errors": exc.errors})


# --- people --------------------------------------------------------------------------------------------


@router.get("/people", response=list[PersonOut], summary="The people register")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_people(request: HttpRequest, q: str = "", department: str = "", active: bool | None = True) -> Any:
    require(_actor(request), Action.VIEW)
    return selectors.people(q=q.replace("\x00", ""), department=department.replace("\x00", ""), active=active)


@router.post("/people", response={201: PersonOut}, summary="Add a person")
def create_person(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    actor = _actor(request)
    require(actor, Action.CREATE)
    values = payload.dict(exclude={"manager", "roles", "start_date"})
    if payload.start_date is not None:
        values["start_date"] = payload.start_date
    person = services.create_person(
        actor, manager=_manager(payload.manager), roles=_roles(payload.roles), **values
    )
    return Status(201, person)


@router.post(
    "/people/import",
    response={200: ImportOut, 400: ImportRejectedOut},
    summary="Create or update people from an HR system CSV export; all or nothing",
)
def import_people(request: HttpRequest, file: File[UploadedFile]) -> Status[Any]:
    data, filename = _upload(request, file)
    try:
        return Status(200, services.import_people(_actor(request), data, filename))
    except services.PeopleImportError as exc:
        return _rejected(exc)


@router.get("/people/{int:person_id}", response=PersonOut, summary="One person")
def get_person(request: HttpRequest, person_id: int) -> Person:
    require(_actor(request), Action.VIEW)
    return get_object_or_404(Person, pk=person_id)


@router.patch("/people/{int:person_id}", response=PersonOut, summary="Change some of a person's fields")
def patch_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> Person:
    actor = _actor(request)
    require(actor, Action.EDIT)
    person = get_object_or_404(Person, pk=person_id)
    values = payload.dict(exclude_unset=True, exclude={"roles"})
    if "manager" in values:
        values["manager"] = _manager(values["manager"])
    roles = _roles(payload.roles) if payload.roles is not None else None
    return services.update_person(actor, person, roles=roles, **values)


@router.delete(
    "/people/{int:person_id}", response=PersonOut, summary="Deactivate a person (kept, with history)"
)
def deactivate_person(request: HttpRequest, person_id: int) -> Person:
    actor = _actor(request)
    require(actor, Action.EDIT)
    return services.deactivate_person(actor, get_object_or_404(Person, pk=person_id))


# --- competences and roles -----------------------------------------------------------------------------


@router.get("/competences", response=list[CompetenceOut], summary="Competences")
def list_competences(request: HttpRequest) -> Any:
    require(_actor(request), Action.VIEW)
    return Competence.objects.all()


@router.post("/competences", response={201: CompetenceOut}, summary="Add a competence")
def create_competence(request: HttpRequest, payload: CompetenceIn) -> Status[Competence]:
    return Status(201, services.create_competence(_actor(request), **payload.dict()))


@router.get("/roles", response=list[RoleOut], summary="Job roles with the competences they need")
def list_roles(request: HttpRequest) -> Any:
    require(_actor(request), Action.VIEW)
    return JobRole.objects.all()


@router.post("/roles", response={201: RoleOut}, summary="Add a job role")
def create_role(request: HttpRequest, payload: RoleIn) -> Status[JobRole]:
    return Status(201, services.create_role(_actor(request), **payload.dict()))


@router.post("/roles/{int:role_id}/requirements", response=RoleOut, summary="Require a competence of a role")
def add_requirement(request: HttpRequest, role_id: int, payload: RequirementIn) -> JobRole:
    require(_actor(request), Action.EDIT)
    role = get_object_or_404(JobRole, pk=role_id)
    competence = get_object_or_404(Competence, pk=payload.competence)
    services.require_competence(_actor(request), role, competence, payload.evidence)
    return role


# --- modules, assignments, completions -----------------------------------------------------------------


@router.get("/modules", response=list[ModuleOut], summary="Training modules")
def list_modules(request: HttpRequest) -> Any:
    require(_actor(request), Action.VIEW)
    return TrainingModule.objects.prefetch_related("competences")


@router.post("/modules", response={201: ModuleOut}, summary="Add a training module")
def create_module(request: HttpRequest, payload: ModuleIn) -> Status[TrainingModule]:
    require(_actor(request), Action.CREATE)
    found = Competence.objects.in_bulk(payload.competences)
    missing = [str(i) for i in payload.competences if i not in found]
    if missing:
        raise ValidationError({"competences": f"no competence with id {', '.join(missing)}"})
    values = payload.dict(exclude={"competences"})
    return Status(201, services.create_module(_actor(request), competences=found.values(), **values))


@router.post(
    "/modules/adopt-starter",
    response=list[ModuleOut],
    summary="Adopt the shipped starter modules on AI threats",
)
def adopt_starter(request: HttpRequest, payload: AdoptIn) -> list[TrainingModule]:
    return services.adopt_starter_modules(_actor(request), payload.ids)


@router.get("/assignments", response=list[AssignmentOut], summary="Modules assigned to roles")
def list_assignments(request: HttpRequest) -> Any:
    require(_actor(request), Action.VIEW)
    return ModuleAssignment.objects.all()


@router.post("/assignments", response={201: AssignmentOut}, summary="Assign a module to a role")
def create_assignment(request: HttpRequest, payload: AssignmentIn) -> Status[ModuleAssignment]:
    require(_actor(request), Action.EDIT)
    role = get_object_or_404(JobRole, pk=payload.role)
    module = get_object_or_404(TrainingModule, pk=payload.module)
    return Status(201, services.assign_module(_actor(request), role, module, payload.due_days))


@router.delete("/assignments/{int:assignment_id}", response={204: None}, summary="Remove an assignment")
def delete_assignment(request: HttpRequest, assignment_id: int) -> Status[None]:
    require(_actor(request), Action.EDIT)
    services.unassign_module(_actor(request), get_object_or_404(ModuleAssignment, pk=assignment_id))
    return Status(204, None)


@router.get("/completions", response=list[CompletionOut], summary="Training completions, newest first")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_completions(request: HttpRequest) -> Any:
    require(_actor(request), Action.VIEW)
    return Completion.objects.select_related("person", "module")


@router.post("/completions", response={201: CompletionOut}, summary="Record a completion by hand")
def create_completion(request: HttpRequest, payload: CompletionIn) -> Status[Completion]:
    require(_actor(request), Action.CREATE)
    person = get_object_or_404(Person, employee_id=payload.person)
    module = get_object_or_404(TrainingModule, code=payload.module)
    completion = services.record_completion(
        _actor(request),
        person,
        module,
        payload.completed_on,
        score=payload.score,
        evidence=payload.evidence,
    )
    return Status(201, completion)


@router.post(
    "/completions/import",
    response={200: ImportOut, 400: ImportRejectedOut},
    summary="Record completions from an LMS CSV export; all or nothing",
)
def import_completions(request: HttpRequest, file: File[UploadedFile]) -> Status[Any]:
    data, filename = _upload(request, file)
    try:
        return Status(200, services.import_completions(_actor(request), data, filename))
    except services.PeopleImportError as exc:
        return _rejected(exc)


# --- gaps and coverage ---------------------------------------------------------------------------------


@router.get("/gaps", response=GapsOut, summary="Overdue and due-soon training, and competences not evidenced")
def get_gaps(request: HttpRequest) -> dict[str, Any]:
    require(_actor(request), Action.VIEW)
    today = timezone.localdate()
    found = selectors.gaps(today)
    return {
        "today": today,
        "training": [
            {
                "person": g.person.employee_id,
                "name": g.person.name,
                "module": g.module.code,
                "due": g.obligation.due,
                "status": g.obligation.status.value,
            }
            for g in found.training
        ],
        "competences": [
            {
                "person": g.person.employee_id,
                "name": g.person.name,
                "competence": g.competence.name,
                "role": g.role.name,
            }
            for g in found.competences
        ],
    }


@router.get(
    "/coverage", response=CoverageReport, summary="Training coverage: by module, department, over time"
)
def get_coverage(request: HttpRequest, months: int = 6) -> dict[str, Any]:
    months = min(max(months, 1), 36)
    require(_actor(request), Action.VIEW)
    today = timezone.localdate()
    state = selectors.training_state()
    return {
        "today": today,
        "overall": tc.coverage(state, today).ratio,
        "modules": [
            {"module": m.code, "covered": c.covered, "required": c.required, "ratio": c.ratio}
            for m, c in selectors.module_coverage(today, state)
        ],
        "departments": {d: c.ratio for d, c in tc.coverage_by_department(state, None, today).items()},
        "trend": [
            {"month_end": end, "covered": c.covered, "required": c.required, "ratio": c.ratio}
            for end, c in tc.trend(state, today, months)
        ],
    }
