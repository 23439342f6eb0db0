"""Objective endpoints: information security objectives (clause 6.2) and their measurements."""

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from aisms.apps.accounts.services import require
from aisms.apps.compliance import registers, services
from aisms.apps.compliance.api.routing import (
    actor_of,
    router,
    user_named,
    viewer_of,
)
from aisms.apps.compliance.models import (
    Objective,
)
from aisms.domain.access import Action


class MeasurementOut(Schema):
    measured_on: date
    value: Decimal
    note: str


class ObjectiveOut(Schema):
    id: int
    title: str
    description: str
    measure: str
    unit: str
    baseline: Decimal
    target: Decimal
    direction: str
    due: date
    owner: str | None
    status: str
    latest: float | None
    progress: float | None
    met: bool
    overdue: bool
    measurements: list[MeasurementOut]


def _objective_out(view: registers.ObjectiveView) -> dict[str, Any]:
    o = view.objective
    return {
        "id": o.pk,
        "title": o.title,
        "description": o.description,
        "measure": o.measure,
        "unit": o.unit,
        "baseline": o.baseline,
        "target": o.target,
        "direction": o.direction,
        "due": o.due,
        "owner": o.owner.username if o.owner else None,
        "status": o.status,
        "latest": view.progress.latest,
        "progress": view.progress.share,
        "met": view.progress.met,
        "overdue": view.progress.overdue,
        "measurements": list(o.measurements.all()),
    }


class ObjectiveIn(Schema):
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    measure: str = Field(min_length=1, max_length=300)
    unit: str = Field(default="", max_length=30)
    baseline: Decimal = Decimal(0)
    target: Decimal
    direction: Literal["increase", "decrease"] = "increase"
    due: date
    owner: str | None = None


class ObjectivePatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = None
    measure: str | None = Field(default=None, min_length=1, max_length=300)
    unit: str | None = Field(default=None, max_length=30)
    baseline: Decimal | None = None
    target: Decimal | None = None
    direction: Literal["increase", "decrease"] | None = None
    due: date | None = None
    owner: str | None = None
    status: Literal["active", "achieved", "dropped"] | None = None


class MeasurementIn(Schema):
    measured_on: date
    value: Decimal
    note: str = Field(default="", max_length=300)


def _objective_view(objective_id: int) -> dict[str, Any]:
    view = next(
        (v for v in registers.objectives(timezone.localdate()) if v.objective.pk == objective_id), None
    )
    if view is None:
        raise HttpError(404, "not found")
    return _objective_out(view)


@router.get(
    "/objectives", response=list[ObjectiveOut], summary="Information security objectives with progress"
)
def list_objectives(request: HttpRequest) -> Any:
    viewer_of(request)
    return [_objective_out(v) for v in registers.objectives(timezone.localdate())]


@router.post("/objectives", response={201: ObjectiveOut}, summary="Add an objective")
def create_objective(request: HttpRequest, payload: ObjectiveIn) -> Status[Any]:
    actor = actor_of(request)
    require(actor, Action.CREATE)
    values = payload.dict(exclude={"owner"})
    objective = services.create_objective(actor, owner=user_named(payload.owner), **values)
    return Status(201, _objective_view(objective.pk))


@router.patch("/objectives/{objective_id}", response=ObjectiveOut, summary="Change an objective")
def patch_objective(request: HttpRequest, objective_id: int, payload: ObjectivePatch) -> Any:
    values = payload.dict(exclude_unset=True)
    if "owner" in values:
        values["owner"] = user_named(values["owner"])
    services.update_objective(actor_of(request), get_object_or_404(Objective, pk=objective_id), **values)
    return _objective_view(objective_id)


@router.post(
    "/objectives/{objective_id}/measurements", response={201: ObjectiveOut}, summary="Record a measurement"
)
def add_measurement(request: HttpRequest, objective_id: int, payload: MeasurementIn) -> Status[Any]:
    objective = get_object_or_404(Objective, pk=objective_id)
    services.add_measurement(
        actor_of(request), objective, measured_on=payload.measured_on, value=payload.value, note=payload.note
    )
    return Status(201, _objective_view(objective_id))
