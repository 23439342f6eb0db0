"""Audit programme endpoints: programmes and their coverage of clauses and controls over the cycle."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Status
from ninja.pagination import paginate

from aisms.apps.audits import selectors, services
from aisms.apps.audits.api.audit_schemas import AuditCoverageOut, ProgrammeIn, ProgrammeOut, ProgrammePatch
from aisms.apps.audits.api.routing import (
    active_user,
    actor_of,
    given_fields,
    router,
    viewer_of,
)
from aisms.apps.audits.models import (
    AuditProgramme,
)
from aisms.config.api_pagination import BoundedPageNumberPagination


@router.get("/audit-programmes", response=list[ProgrammeOut], summary="Audit programmes")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_programmes(request: HttpRequest) -> Any:
    viewer_of(request)
    return AuditProgramme.objects.select_related("owner")


@router.post("/audit-programmes", response={201: ProgrammeOut}, summary="Add an audit programme")
def create_programme(request: HttpRequest, payload: ProgrammeIn) -> Status[Any]:
    values = payload.dict()
    values["owner"] = active_user(payload.owner)
    return Status(201, services.create_programme(actor_of(request), **values))


@router.get("/audit-programmes/{int:pk}", response=ProgrammeOut, summary="One audit programme")
def get_programme(request: HttpRequest, pk: int) -> AuditProgramme:
    viewer_of(request)
    return get_object_or_404(AuditProgramme, pk=pk)


@router.patch("/audit-programmes/{int:pk}", response=ProgrammeOut, summary="Change an audit programme")
def update_programme(request: HttpRequest, pk: int, payload: ProgrammePatch) -> AuditProgramme:
    programme = get_object_or_404(AuditProgramme, pk=pk)
    values = given_fields(payload)
    if "owner" in values:
        values["owner"] = active_user(values["owner"])
    return services.update_programme(actor_of(request), programme, **values)


@router.get(
    "/audit-programmes/{int:pk}/coverage",
    response=AuditCoverageOut,
    summary="Which clauses and applicable controls the programme's audits cover per year, and what they miss",
)
def programme_coverage(request: HttpRequest, pk: int) -> dict[str, Any]:
    viewer_of(request)
    cov = selectors.programme_coverage(get_object_or_404(AuditProgramme, pk=pk))

    def item(c: Any) -> dict[str, Any]:
        i = c.item
        return {
            "uid": i.uid,
            "ref": i.ref,
            "title": i.title,
            "kind": i.kind.value,
            "group": i.group,
            "high_risk": i.high_risk,
            "years": list(c.years),
            "missing_years": list(c.missing_years),
            "covered": c.covered,
        }

    return {
        "years": list(cov.years),
        "share_covered": cov.share_covered,
        "cells": [
            {"group": c.group, "year": c.year, "covered": c.covered, "total": c.total} for c in cov.cells
        ],
        "uncovered": [item(c) for c in cov.uncovered],
    }
