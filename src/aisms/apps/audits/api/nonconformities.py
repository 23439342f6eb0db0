"""Nonconformity endpoints: the register, corrective actions, effectiveness reviews and the due and
overdue work."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Status
from ninja.pagination import paginate

from aisms.apps.accounts.models import User
from aisms.apps.audits import selectors, services
from aisms.apps.audits.api.improvement_schemas import (
    ActionPatch,
    AuditActionIn,
    AuditActionOut,
    AuditNcOut,
    CompleteIn,
    DueOut,
    EffectivenessIn,
    NcDetailOut,
    NcFilterIn,
    NcIn,
    NcPatch,
    NcTransitionIn,
    ReviewOut,
)
from aisms.apps.audits.api.routing import (
    active_user,
    actor_of,
    given_fields,
    router,
    username_of,
    viewer_of,
)
from aisms.apps.audits.models import (
    CorrectiveAction,
    Nonconformity,
)
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.audits import due as dued


@router.get("/nonconformities", response=list[AuditNcOut], summary="The nonconformity register")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_nonconformities(request: HttpRequest, filters: Query[NcFilterIn]) -> Any:
    viewer_of(request)
    values = filters.dict()
    values["q"] = values["q"].replace("\x00", "")
    return selectors.nonconformities(selectors.NcFilter(**values), timezone.localdate())


@router.post(
    "/nonconformities", response={201: NcDetailOut}, summary="Raise a nonconformity (not from an audit)"
)
def raise_nonconformity(request: HttpRequest, payload: NcIn) -> Status[Any]:
    values = payload.dict()
    values["owner"] = active_user(payload.owner)
    nc = services.raise_nonconformity(actor_of(request), **values)
    return Status(201, selectors.nc_detail(nc.pk))


@router.get("/nonconformities/{int:pk}", response=NcDetailOut, summary="One nonconformity")
def get_nonconformity(request: HttpRequest, pk: int) -> Nonconformity:
    viewer_of(request)
    return selectors.nc_detail(pk)


@router.patch(
    "/nonconformities/{int:pk}",
    response=NcDetailOut,
    summary="Change a nonconformity (root cause, owner, due date)",
)
def update_nonconformity(request: HttpRequest, pk: int, payload: NcPatch) -> Nonconformity:
    nc = get_object_or_404(Nonconformity, pk=pk)
    values = given_fields(payload)
    if "owner" in values:
        values["owner"] = active_user(values["owner"])
    services.update_nonconformity(actor_of(request), nc, **values)
    return selectors.nc_detail(pk)


@router.post(
    "/nonconformities/{int:pk}/transition",
    response=NcDetailOut,
    summary="Move a nonconformity to action-planned, closed, or reopen it",
)
def transition_nonconformity(request: HttpRequest, pk: int, payload: NcTransitionIn) -> Nonconformity:
    services.transition_nonconformity(
        actor_of(request), get_object_or_404(Nonconformity, pk=pk), payload.status
    )
    return selectors.nc_detail(pk)


@router.post(
    "/nonconformities/{int:pk}/actions", response={201: AuditActionOut}, summary="Add a corrective action"
)
def add_action(request: HttpRequest, pk: int, payload: AuditActionIn) -> Status[Any]:
    nc = get_object_or_404(Nonconformity, pk=pk)
    values = payload.dict()
    values["owner"] = active_user(payload.owner)
    return Status(201, services.add_corrective_action(actor_of(request), nc, **values))


@router.patch("/corrective-actions/{int:pk}", response=AuditActionOut, summary="Change a corrective action")
def update_action(request: HttpRequest, pk: int, payload: ActionPatch) -> CorrectiveAction:
    action = get_object_or_404(CorrectiveAction, pk=pk)
    values = given_fields(payload)
    if "owner" in values:
        values["owner"] = active_user(values["owner"])
    return services.update_corrective_action(actor_of(request), action, **values)


@router.post(
    "/corrective-actions/{int:pk}/complete",
    response=AuditActionOut,
    summary="Mark a corrective action done (or not)",
)
def complete_action(request: HttpRequest, pk: int, payload: CompleteIn) -> CorrectiveAction:
    action = get_object_or_404(CorrectiveAction, pk=pk)
    return services.complete_corrective_action(
        actor_of(request), action, evidence_note=payload.evidence_note, done=payload.done
    )


@router.post(
    "/nonconformities/{int:pk}/effectiveness-reviews",
    response={201: ReviewOut},
    summary="Record whether the corrective actions were effective (not effective reopens it)",
)
def add_effectiveness_review(request: HttpRequest, pk: int, payload: EffectivenessIn) -> Status[Any]:
    nc = get_object_or_404(Nonconformity, pk=pk)
    review = services.record_effectiveness_review(
        actor_of(request), nc, effective=payload.effective, notes=payload.notes
    )
    return Status(201, review)


@router.get(
    "/audit-work/due", response=list[DueOut], summary="Corrective actions and decisions due soon or overdue"
)
def due_work(request: HttpRequest) -> list[dict[str, Any]]:
    viewer_of(request)
    found = dued.reminders(selectors.due_items(), timezone.localdate())
    users = User.objects.in_bulk({r.owner_id for r in found})
    return [
        {
            "kind": r.kind,
            "object_id": r.object_id,
            "owner": username_of(users.get(r.owner_id)),
            "due": r.due,
            "state": r.state.value,
            "label": r.label,
        }
        for r in found
    ]
