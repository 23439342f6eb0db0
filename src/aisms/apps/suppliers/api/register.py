"""Supplier register endpoints: suppliers, their services, data shared, certifications, sub-processors,
contract clauses and completed reviews."""

from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Status
from ninja.pagination import paginate

from aisms.apps.accounts.services import require
from aisms.apps.suppliers import selectors, services
from aisms.apps.suppliers.api.register_schemas import (
    CertificationIn,
    CertificationOut,
    CertificationPatch,
    ChecklistOut,
    ClauseIn,
    ClauseKey,
    DataIn,
    DataOut,
    DataPatch,
    ReviewedIn,
    ServiceIn,
    ServiceOut,
    ServicePatch,
    SubProcessorIn,
    SubProcessorOut,
    SubProcessorPatch,
    SupplierDetailOut,
    SupplierIn,
    SupplierOut,
    SupplierPatch,
    Tier,
)
from aisms.apps.suppliers.api.routing import (
    actor_of,
    assets_by_id,
    router,
    supplier_or_404,
    user_named,
)
from aisms.apps.suppliers.models import (
    Supplier,
)
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action


@router.get("/suppliers", response=list[SupplierOut], summary="The supplier register, filtered")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_suppliers(
    request: HttpRequest,
    q: str = "",
    tier: Tier | None = None,
    uses_ai: bool | None = None,
    review: Literal["", "overdue", "due_soon"] = "",
    status: Literal["", "onboarding", "active", "exiting", "ended"] = "",
) -> Any:
    require(actor_of(request), Action.VIEW)
    return selectors.suppliers(
        q=q.replace("\x00", "")[:200],
        tier=tier,
        uses_ai=uses_ai,
        review=review,
        status=status,
        today=timezone.localdate(),
    ).prefetch_related("assets")


@router.post("/suppliers", response={201: SupplierDetailOut}, summary="Add a supplier")
def create_supplier(request: HttpRequest, payload: SupplierIn) -> Status[Supplier]:
    actor = actor_of(request)
    require(actor, Action.CREATE)
    values = payload.dict(exclude={"assets", "owner", "onboarded_on"})
    if payload.onboarded_on is not None:
        values["onboarded_on"] = payload.onboarded_on
    supplier = services.create_supplier(
        actor, owner=user_named(payload.owner), assets=assets_by_id(payload.assets), **values
    )
    return Status(201, supplier)


@router.get("/suppliers/{int:supplier_id}", response=SupplierDetailOut, summary="One supplier")
def get_supplier(request: HttpRequest, supplier_id: int) -> Supplier:
    require(actor_of(request), Action.VIEW)
    return supplier_or_404(supplier_id)


@router.patch("/suppliers/{int:supplier_id}", response=SupplierDetailOut, summary="Change a supplier")
def patch_supplier(request: HttpRequest, supplier_id: int, payload: SupplierPatch) -> Supplier:
    actor = actor_of(request)
    require(actor, Action.EDIT)
    supplier = supplier_or_404(supplier_id)
    values = payload.dict(exclude_unset=True, exclude={"assets"})
    if "owner" in values:
        values["owner"] = user_named(values["owner"])
    assets = assets_by_id(payload.assets) if payload.assets is not None else None
    return services.update_supplier(actor, supplier, assets=assets, **values)


@router.delete("/suppliers/{int:supplier_id}", response={204: None}, summary="Delete a supplier")
def delete_supplier(request: HttpRequest, supplier_id: int) -> Status[None]:
    actor = actor_of(request)
    require(actor, Action.DELETE)
    services.delete_supplier(actor, supplier_or_404(supplier_id))
    return Status(204, None)


@router.post(
    "/suppliers/{int:supplier_id}/reviewed",
    response=SupplierOut,
    summary="Record a completed review (the next review date moves on by the tier's interval)",
)
def mark_reviewed(request: HttpRequest, supplier_id: int, payload: ReviewedIn) -> Supplier:
    actor = actor_of(request)
    require(actor, Action.EDIT)
    return services.mark_reviewed(actor, supplier_or_404(supplier_id), payload.on or timezone.localdate())


def _child_routes(kind: str, path: str, out: Any, create_in: Any, patch_in: Any, label: str) -> None:
    model = services.CHILDREN[kind][0]

    def list_children(request: HttpRequest, supplier_id: int) -> Any:
        require(actor_of(request), Action.VIEW)
        return list(model._default_manager.filter(supplier=supplier_or_404(supplier_id)))

    def create_child(request: HttpRequest, supplier_id: int, payload: create_in) -> Any:
        actor = actor_of(request)
        require(actor, Action.EDIT)
        return Status(201, services.add_child(actor, supplier_or_404(supplier_id), kind, **payload.dict()))

    def patch_child(request: HttpRequest, supplier_id: int, item_id: int, payload: patch_in) -> Any:
        actor = actor_of(request)
        require(actor, Action.EDIT)
        obj = get_object_or_404(model, pk=item_id, supplier_id=supplier_id)
        return services.update_child(actor, obj, kind, **payload.dict(exclude_unset=True))

    def delete_child(request: HttpRequest, supplier_id: int, item_id: int) -> Any:
        actor = actor_of(request)
        require(actor, Action.EDIT)
        services.delete_child(actor, get_object_or_404(model, pk=item_id, supplier_id=supplier_id))
        return Status(204, None)

    for function, verb in (
        (list_children, "list"),
        (create_child, "create"),
        (patch_child, "patch"),
        (delete_child, "delete"),
    ):
        function.__name__ = f"{verb}_{kind}"
    base = "/suppliers/{int:supplier_id}/" + path
    router.get(base, response=list[out], summary=f"A supplier's {label}")(list_children)
    router.post(base, response={201: out}, summary=f"Add to a supplier's {label}")(create_child)
    router.patch(base + "/{int:item_id}", response=out, summary=f"Change one of a supplier's {label}")(
        patch_child
    )
    router.delete(
        base + "/{int:item_id}", response={204: None}, summary=f"Remove one of a supplier's {label}"
    )(delete_child)


_child_routes("services", "services", ServiceOut, ServiceIn, ServicePatch, "services and products")
_child_routes("data", "data", DataOut, DataIn, DataPatch, "data shared")
_child_routes(
    "certifications",
    "certifications",
    CertificationOut,
    CertificationIn,
    CertificationPatch,
    "certifications",
)
_child_routes(
    "subprocessors", "subprocessors", SubProcessorOut, SubProcessorIn, SubProcessorPatch, "sub-processors"
)


def _checklist(supplier: Supplier) -> dict[str, Any]:
    checklist = selectors.clause_checklist(supplier)
    return {
        "expected": list(checklist.expected),
        "present": list(checklist.present),
        "gaps": [g.__dict__ for g in checklist.gaps],
        "coverage": checklist.coverage,
        "clauses": list(supplier.clauses.all()),
    }


@router.get(
    "/suppliers/{int:supplier_id}/clauses",
    response=ChecklistOut,
    summary="The contract clause checklist: what is expected, present and missing (AI clauses included)",
)
def get_clauses(request: HttpRequest, supplier_id: int) -> Any:
    require(actor_of(request), Action.VIEW)
    return _checklist(supplier_or_404(supplier_id))


@router.put(
    "/suppliers/{int:supplier_id}/clauses/{key}",
    response=ChecklistOut,
    summary="Record whether the contract has a clause",
)
def put_clause(request: HttpRequest, supplier_id: int, key: ClauseKey, payload: ClauseIn) -> Any:
    actor = actor_of(request)
    require(actor, Action.EDIT)
    supplier = supplier_or_404(supplier_id)
    services.set_clause(actor, supplier, key, **payload.dict())
    return _checklist(supplier)
