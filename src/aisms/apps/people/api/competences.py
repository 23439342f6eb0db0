"""Competence endpoints: competences, job roles with the competences they need, and the competence
records that evidence a person has them."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Status

from aisms.apps.accounts.services import require
from aisms.apps.people import services
from aisms.apps.people.api.routing import actor_of, router
from aisms.apps.people.api.schemas import (
    CompetenceIn,
    CompetenceOut,
    CompetencePatch,
    CompetenceRecordIn,
    CompetenceRecordOut,
    PeopleRequirementIn,
    RoleIn,
    RoleOut,
)
from aisms.apps.people.models import (
    Competence,
    CompetenceRecord,
    JobRole,
    Person,
    RoleCompetence,
)
from aisms.domain.access import Action


@router.get("/competences", response=list[CompetenceOut], summary="Competences")
def list_competences(request: HttpRequest) -> Any:
    require(actor_of(request), Action.VIEW)
    return Competence.objects.all()


@router.post("/competences", response={201: CompetenceOut}, summary="Add a competence")
def create_competence(request: HttpRequest, payload: CompetenceIn) -> Status[Competence]:
    return Status(201, services.create_competence(actor_of(request), **payload.dict()))


@router.patch("/competences/{int:competence_id}", response=CompetenceOut, summary="Change a competence")
def update_competence(request: HttpRequest, competence_id: int, payload: CompetencePatch) -> Competence:
    competence = get_object_or_404(Competence, pk=competence_id)
    return services.update_competence(actor_of(request), competence, **payload.dict(exclude_unset=True))


@router.get("/roles", response=list[RoleOut], summary="Job roles with the competences they need")
def list_roles(request: HttpRequest) -> Any:
    require(actor_of(request), Action.VIEW)
    return JobRole.objects.all()


@router.post("/roles", response={201: RoleOut}, summary="Add a job role")
def create_role(request: HttpRequest, payload: RoleIn) -> Status[JobRole]:
    return Status(201, services.create_role(actor_of(request), **payload.dict()))


@router.post("/roles/{int:role_id}/requirements", response=RoleOut, summary="Require a competence of a role")
def add_requirement(request: HttpRequest, role_id: int, payload: PeopleRequirementIn) -> JobRole:
    require(actor_of(request), Action.EDIT)
    role = get_object_or_404(JobRole, pk=role_id)
    competence = get_object_or_404(Competence, pk=payload.competence)
    services.require_competence(actor_of(request), role, competence, payload.evidence)
    return role


@router.delete(
    "/roles/{int:role_id}/requirements/{int:competence_id}",
    response={204: None},
    summary="No longer require a competence of a role",
)
def drop_requirement(request: HttpRequest, role_id: int, competence_id: int) -> Status[None]:
    require(actor_of(request), Action.EDIT)
    requirement = get_object_or_404(RoleCompetence, role_id=role_id, competence_id=competence_id)
    services.drop_requirement(actor_of(request), requirement)
    return Status(204, None)


@router.get(
    "/people/{int:person_id}/competence-records",
    response=list[CompetenceRecordOut],
    summary="A person's qualifications and experience",
)
def list_competence_records(request: HttpRequest, person_id: int) -> Any:
    require(actor_of(request), Action.VIEW)
    person = get_object_or_404(Person, pk=person_id)
    return person.competence_records.select_related("verified_by")


@router.post(
    "/people/{int:person_id}/competence-records",
    response={201: CompetenceRecordOut},
    summary="Record a qualification or experience that evidences a competence",
)
def create_competence_record(
    request: HttpRequest, person_id: int, payload: CompetenceRecordIn
) -> Status[CompetenceRecord]:
    require(actor_of(request), Action.EDIT)
    person = get_object_or_404(Person, pk=person_id)
    competence = get_object_or_404(Competence, pk=payload.competence)
    values = payload.dict(exclude={"competence"})
    return Status(201, services.record_competence(actor_of(request), person, competence, **values))


@router.delete(
    "/competence-records/{int:record_id}", response={204: None}, summary="Remove a competence record"
)
def delete_competence_record(request: HttpRequest, record_id: int) -> Status[None]:
    require(actor_of(request), Action.DELETE)
    services.remove_competence_record(actor_of(request), get_object_or_404(CompetenceRecord, pk=record_id))
    return Status(204, None)
