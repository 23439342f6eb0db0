"""Audit endpoints: audits, their status, checklist items, findings and raising a finding as a
nonconformity."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Status
from ninja.pagination import paginate

from aisms.apps.audits import selectors, services
from aisms.apps.audits.api.audit_schemas import (
    AuditDetailOut,
    AuditFindingIn,
    AuditFindingOut,
    AuditIn,
    AuditOut,
    AuditPatch,
    AuditTransitionIn,
    ChecklistItemOut,
    ChecklistItemPatch,
)
from aisms.apps.audits.api.improvement_schemas import NcDetailOut
from aisms.apps.audits.api.routing import (
    active_user,
    active_users,
    actor_of,
    given_fields,
    programme_or_422,
    router,
    viewer_of,
)
from aisms.apps.audits.models import (
    Audit,
    ChecklistItem,
    Finding,
)
from aisms.config.api_pagination import BoundedPageNumberPagination


@router.get("/audits", response=list[AuditOut], summary="Audits")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_audits(request: HttpRequest, status: str = "", programme: int | None = None, q: str = "") -> Any:
    viewer_of(request)
    return selectors.audits(
        status=status[:20], programme=programme, q=q[:200].replace("\x00", "")
    ).prefetch_related("auditors")


@router.post("/audits", response={201: AuditDetailOut}, summary="Plan an audit; its checklist is generated")
def create_audit(request: HttpRequest, payload: AuditIn) -> Status[Any]:
    values = payload.dict(exclude={"auditors", "lead_auditor", "programme"})
    audit = services.create_audit(
        actor_of(request),
        programme=programme_or_422(payload.programme),
        lead_auditor=active_user(payload.lead_auditor, "lead_auditor"),
        auditors=active_users(payload.auditors, "auditors"),
        **values,
    )
    return Status(201, selectors.audit_detail(audit.pk))


@router.get("/audits/{int:pk}", response=AuditDetailOut, summary="One audit with its checklist and findings")
def get_audit(request: HttpRequest, pk: int) -> Audit:
    viewer_of(request)
    return selectors.audit_detail(pk)


@router.patch(
    "/audits/{int:pk}", response=AuditDetailOut, summary="Change an audit (a new scope updates the checklist)"
)
def update_audit(request: HttpRequest, pk: int, payload: AuditPatch) -> Audit:
    audit = get_object_or_404(Audit, pk=pk)
    values = given_fields(payload)
    if "lead_auditor" in values:
        values["lead_auditor"] = active_user(values["lead_auditor"], "lead_auditor")
    if "auditors" in values:
        values["auditors"] = active_users(values["auditors"] or [], "auditors")
    if "programme" in values:
        values["programme"] = programme_or_422(values["programme"])
    services.update_audit(actor_of(request), audit, **values)
    return selectors.audit_detail(pk)


@router.post(
    "/audits/{int:pk}/transition", response=AuditDetailOut, summary="Start, report or close an audit"
)
def transition_audit(request: HttpRequest, pk: int, payload: AuditTransitionIn) -> Audit:
    services.transition_audit(actor_of(request), get_object_or_404(Audit, pk=pk), payload.status)
    return selectors.audit_detail(pk)


@router.patch(
    "/checklist-items/{int:pk}",
    response={200: ChecklistItemOut},
    summary="Record a checklist result (a nonconformity, observation or OFI also records a finding)",
)
def update_checklist_item(request: HttpRequest, pk: int, payload: ChecklistItemPatch) -> ChecklistItem:
    item = get_object_or_404(ChecklistItem, pk=pk)
    updated, _ = services.record_result(
        actor_of(request),
        item,
        result=payload.result,
        notes=payload.notes,
        evidence_refs=payload.evidence_refs,
    )
    return updated


@router.post("/audits/{int:pk}/findings", response={201: AuditFindingOut}, summary="Record a finding")
def add_finding(request: HttpRequest, pk: int, payload: AuditFindingIn) -> Status[Any]:
    audit = get_object_or_404(Audit, pk=pk)
    item = get_object_or_404(ChecklistItem, pk=payload.checklist_item) if payload.checklist_item else None
    finding = services.add_finding(
        actor_of(request),
        audit,
        kind=payload.kind,
        text=payload.text,
        checklist_item=item,
        severity=payload.severity,
        uid=payload.uid,
    )
    return Status(201, finding)


@router.post(
    "/findings/{int:pk}/nonconformity",
    response={201: NcDetailOut},
    summary="Raise a nonconformity from a finding",
)
def raise_from_finding(request: HttpRequest, pk: int) -> Status[Any]:
    finding = get_object_or_404(Finding.objects.select_related("audit"), pk=pk)
    nc = services.raise_from_finding(actor_of(request), finding)
    return Status(201, selectors.nc_detail(nc.pk))
