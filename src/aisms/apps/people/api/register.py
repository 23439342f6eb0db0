"""People register endpoints: people with their managers and roles, and the CSV import."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from aisms.apps.accounts.services import require
from aisms.apps.people import selectors, services
from aisms.apps.people.api.routing import actor_of, rejected_import, router, upload_of
from aisms.apps.people.api.schemas import PersonIn, PersonOut, PersonPatch
from aisms.apps.people.models import (
    JobRole,
    Person,
)
from aisms.config.api_imports import ImportOut, ImportRejectedOut
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action


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


@router.get("/people", response=list[PersonOut], summary="The people register")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_people(request: HttpRequest, q: str = "", department: str = "", active: bool | None = True) -> Any:
    require(actor_of(request), Action.VIEW)
    return selectors.people(q=q.replace("\x00", ""), department=department.replace("\x00", ""), active=active)


@router.post("/people", response={201: PersonOut}, summary="Add a person")
def create_person(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    actor = actor_of(request)
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
    data, filename = upload_of(request, file)
    try:
        return Status(200, services.import_people(actor_of(request), data, filename))
    except services.PeopleImportError as exc:
        return rejected_import(exc)


@router.get("/people/{int:person_id}", response=PersonOut, summary="One person")
def get_person(request: HttpRequest, person_id: int) -> Person:
    require(actor_of(request), Action.VIEW)
    return get_object_or_404(Person, pk=person_id)


@router.patch("/people/{int:person_id}", response=PersonOut, summary="Change some of a person's fields")
def patch_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> Person:
    actor = actor_of(request)
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
    actor = actor_of(request)
    require(actor, Action.EDIT)
    return services.deactivate_person(actor, get_object_or_404(Person, pk=person_id))
