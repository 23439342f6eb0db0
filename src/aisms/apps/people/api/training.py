"""Training endpoints: modules (and the starter set), assignments to roles, completions and the
completions CSV import."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from aisms.apps.accounts.services import require
from aisms.apps.people import services
from aisms.apps.people.api.routing import actor_of, rejected_import, router, upload_of
from aisms.apps.people.api.schemas import (
    AssignmentIn,
    AssignmentOut,
    CompletionIn,
    CompletionOut,
    ModuleIn,
    ModuleOut,
    ModulePatch,
    PeopleAdoptIn,
)
from aisms.apps.people.models import (
    Competence,
    Completion,
    JobRole,
    ModuleAssignment,
    Person,
    TrainingModule,
)
from aisms.config.api_imports import ImportOut, ImportRejectedOut
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action


@router.patch("/modules/{int:module_id}", response=ModuleOut, summary="Change a training module")
def update_module(request: HttpRequest, module_id: int, payload: ModulePatch) -> TrainingModule:
    require(actor_of(request), Action.EDIT)
    module = get_object_or_404(TrainingModule, pk=module_id)
    values = payload.dict(exclude_unset=True)
    competences = None
    if "competences" in values:
        ids = values.pop("competences") or []
        found = Competence.objects.in_bulk(ids)
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise ValidationError({"competences": f"no competence with id {', '.join(missing)}"})
        competences = list(found.values())
    if "code" in values and TrainingModule.objects.filter(code=values["code"]).exclude(pk=module.pk).exists():
        raise ValidationError({"code": "another module has this code"})
    return services.update_module(actor_of(request), module, competences=competences, **values)


@router.get("/modules", response=list[ModuleOut], summary="Training modules")
def list_modules(request: HttpRequest) -> Any:
    require(actor_of(request), Action.VIEW)
    return TrainingModule.objects.prefetch_related("competences")


@router.post("/modules", response={201: ModuleOut}, summary="Add a training module")
def create_module(request: HttpRequest, payload: ModuleIn) -> Status[TrainingModule]:
    require(actor_of(request), Action.CREATE)
    found = Competence.objects.in_bulk(payload.competences)
    missing = [str(i) for i in payload.competences if i not in found]
    if missing:
        raise ValidationError({"competences": f"no competence with id {', '.join(missing)}"})
    values = payload.dict(exclude={"competences"})
    return Status(201, services.create_module(actor_of(request), competences=found.values(), **values))


@router.post(
    "/modules/adopt-starter",
    response=list[ModuleOut],
    summary="Adopt the shipped starter modules on AI threats",
)
def adopt_starter(request: HttpRequest, payload: PeopleAdoptIn) -> list[TrainingModule]:
    return services.adopt_starter_modules(actor_of(request), payload.ids)


@router.get("/assignments", response=list[AssignmentOut], summary="Modules assigned to roles")
def list_assignments(request: HttpRequest) -> Any:
    require(actor_of(request), Action.VIEW)
    return ModuleAssignment.objects.all()


@router.post("/assignments", response={201: AssignmentOut}, summary="Assign a module to a role")
def create_assignment(request: HttpRequest, payload: AssignmentIn) -> Status[ModuleAssignment]:
    require(actor_of(request), Action.EDIT)
    role = get_object_or_404(JobRole, pk=payload.role)
    module = get_object_or_404(TrainingModule, pk=payload.module)
    return Status(201, services.assign_module(actor_of(request), role, module, payload.due_days))


@router.delete("/assignments/{int:assignment_id}", response={204: None}, summary="Remove an assignment")
def delete_assignment(request: HttpRequest, assignment_id: int) -> Status[None]:
    require(actor_of(request), Action.EDIT)
    services.unassign_module(actor_of(request), get_object_or_404(ModuleAssignment, pk=assignment_id))
    return Status(204, None)


@router.get("/completions", response=list[CompletionOut], summary="Training completions, newest first")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_completions(request: HttpRequest) -> Any:
    require(actor_of(request), Action.VIEW)
    return Completion.objects.select_related("person", "module")


@router.post("/completions", response={201: CompletionOut}, summary="Record a completion by hand")
def create_completion(request: HttpRequest, payload: CompletionIn) -> Status[Completion]:
    require(actor_of(request), Action.CREATE)
    person = get_object_or_404(Person, employee_id=payload.person)
    module = get_object_or_404(TrainingModule, code=payload.module)
    completion = services.record_completion(
        actor_of(request),
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
    data, filename = upload_of(request, file)
    try:
        return Status(200, services.import_completions(actor_of(request), data, filename))
    except services.PeopleImportError as exc:
        return rejected_import(exc)
