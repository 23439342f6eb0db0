"""Finding endpoints: raising, changing and raising a finding as a risk in the register."""

from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Status
from ninja.pagination import paginate

from aisms.apps.accounts.services import require
from aisms.apps.suppliers import assessments
from aisms.apps.suppliers.api.assessment_schemas import (
    FindingIn,
    FindingOut,
    FindingPatch,
    RaiseRiskIn,
    RiskRefOut,
)
from aisms.apps.suppliers.api.routing import (
    actor_of,
    assessment_or_404,
    router,
    supplier_or_404,
    user_named,
)
from aisms.apps.suppliers.models import (
    Finding,
)
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action


@router.get("/findings", response=list[FindingOut], summary="Findings, filtered")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_findings(
    request: HttpRequest,
    supplier: int | None = None,
    status: Literal["", "open", "raised_as_risk", "resolved", "accepted"] = "",
) -> Any:
    require(actor_of(request), Action.VIEW)
    rows = Finding.objects.select_related("risk")
    if supplier is not None:
        rows = rows.filter(supplier_id=supplier)
    if status:
        rows = rows.filter(status=status)
    return rows


@router.post("/findings", response={201: FindingOut}, summary="Raise a finding on a supplier")
def create_finding(request: HttpRequest, payload: FindingIn) -> Status[Finding]:
    actor = actor_of(request)
    require(actor, Action.CREATE)
    supplier = supplier_or_404(payload.supplier)
    assessment = assessment_or_404(payload.assessment) if payload.assessment is not None else None
    finding = assessments.raise_finding(
        actor,
        supplier,
        assessment=assessment,
        question_id=payload.question_id,
        title=payload.title,
        description=payload.description,
        severity=payload.severity,
    )
    return Status(201, finding)


@router.patch("/findings/{int:finding_id}", response=FindingOut, summary="Change a finding")
def patch_finding(request: HttpRequest, finding_id: int, payload: FindingPatch) -> Finding:
    actor = actor_of(request)
    require(actor, Action.EDIT)
    finding = get_object_or_404(Finding, pk=finding_id)
    return assessments.update_finding(actor, finding, **payload.dict(exclude_unset=True))


@router.post(
    "/findings/{int:finding_id}/raise-risk",
    response={201: RiskRefOut},
    summary="Raise a finding as a risk in the register, linked to the supplier's assets",
)
def raise_risk(request: HttpRequest, finding_id: int, payload: RaiseRiskIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    require(actor, Action.CREATE)
    finding = get_object_or_404(Finding.objects.select_related("supplier", "risk"), pk=finding_id)
    risk = assessments.raise_as_risk(
        actor, finding, likelihood=payload.likelihood, impact=payload.impact, owner=user_named(payload.owner)
    )
    return Status(
        201,
        {
            "id": risk.pk,
            "ref": risk.ref,
            "title": risk.title,
            "threat": risk.threat.uid if risk.threat else None,
            "assets": sorted(a.pk for a in risk.assets.all()),
        },
    )
